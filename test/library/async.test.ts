/**
 * The async library API runs on worker threads: it never blocks the caller's event loop (issue
 * 13), gives the same bytes as the synchronous variants at any concurrency, and reports errors as
 * TracelessError. The tests reach the compiled worker (`npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerLost, WorkerPool, workersAvailable } from '../../src/batch/pool.js';
import { TracelessError, clean, cleanBuffer, cleanBufferSync, cleanSync, inspect, inspectSync, verify, verifySync } from '../../src/index.js';
import { phoneJpeg } from '../fixtures/jpeg.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-library-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const root = join(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'src', 'index.js'));

/** CPU time the calling (main) thread itself has used, in ms (Linux: its task's utime + stime). */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
  } catch {
    return null;
  }
}

/** Runs `work` while a 5 ms timer ticks; returns the longest gap between ticks and the main thread's CPU. */
async function watchEventLoop<T>(work: () => Promise<T>): Promise<{ value: T; maxGapMs: number; cpuMs: number | null; ticks: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks += 1;
  }, 5);
  const cpuBefore = mainThreadCpuMs();
  try {
    const value = await work();
    const cpuAfter = mainThreadCpuMs();
    maxGapMs = Math.max(maxGapMs, performance.now() - last);
    return { value, maxGapMs, ticks, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore };
  } finally {
    clearInterval(timer);
  }
}

describe.skipIf(!built)('async library calls', () => {
  let photo: Buffer;
  let bigPath: string;
  beforeAll(async () => {
    expect(workersAvailable(), 'the compiled worker (dist/) is reachable').toBe(true);
    photo = await phoneJpeg({ trailerImage: true });
    // 100 MB: a phone photo followed by a 100 MB trailer (as a motion photo carries its video),
    // written in 4 MB pieces so the test itself never holds it whole.
    bigPath = join(work, 'big.jpg');
    const fd = openSync(bigPath, 'w');
    writeSync(fd, photo);
    const piece = Buffer.alloc(4 * 1024 * 1024, 0x5a);
    for (let index = 0; index < 25; index++) writeSync(fd, piece);
    closeSync(fd);
    await inspect(photo); // starts a worker, so the measurement is of the work, not of a thread's start
  });

  it('a 100 MB clean leaves the event loop free (the sync variant, for contrast, holds it)', { timeout: 120_000 }, async () => {
    const async = await watchEventLoop(() => clean(bigPath, join(work, 'big.async.jpg')));
    expect(async.value.error).toBeNull();
    expect(async.value.status).toBe('cleaned');
    expect(async.value.removed.some((removal) => removal.where === 'trailer')).toBe(true);
    const sync = await watchEventLoop(async () => cleanSync(bigPath, join(work, 'big.sync.jpg')));
    expect(readFileSync(join(work, 'big.async.jpg')).equals(readFileSync(join(work, 'big.sync.jpg')))).toBe(true);
    // The timer kept ticking through the clean. A loaded machine can deschedule any thread for a
    // moment, so the gap bound leaves room for that; what the caller's thread did is measured
    // directly by its own CPU time (next), which load does not inflate.
    expect(async.ticks).toBeGreaterThan(3);
    expect(async.maxGapMs, `longest event-loop gap ${async.maxGapMs.toFixed(0)} ms (sync clean: ${sync.maxGapMs.toFixed(0)} ms)`).toBeLessThan(200);
    if (async.cpuMs !== null) {
      // The whole 100 MB clean cost the caller's thread (nearly) nothing: the work was elsewhere.
      expect(async.cpuMs, `main-thread CPU: async ${async.cpuMs} ms, sync ${sync.cpuMs} ms`).toBeLessThan(60);
    }
  });

  it('inspect of a 100 MB file also runs off the calling thread', { timeout: 120_000 }, async () => {
    const watched = await watchEventLoop(() => inspect(bigPath));
    expect(watched.value.findings.some((finding) => finding.where === 'trailer' || finding.category === 'location')).toBe(true);
    expect(watched.value).toEqual(inspectSync(bigPath));
    if (watched.cpuMs !== null) expect(watched.cpuMs).toBeLessThan(60);
  });

  it('N parallel cleans give the same bytes as sequential ones', { timeout: 120_000 }, async () => {
    const inputs = await Promise.all([
      phoneJpeg(),
      phoneJpeg({ trailerImage: true }),
      phoneJpeg({ xmp: false }),
      phoneJpeg({ comment: false, iptc: false }),
      phoneJpeg({ extendedXmp: true }),
      phoneJpeg({ progressive: true }),
    ]);
    const many = [...inputs, ...inputs, ...inputs];
    const parallel = await Promise.all(many.map((input) => cleanBuffer(input)));
    parallel.forEach((outcome, index) => {
      const expected = cleanBufferSync(many[index]!, {}, '<buffer>');
      expect(outcome.result.status).toBe('cleaned');
      expect(outcome.data?.equals(expected.data!), `input ${index}`).toBe(true);
      expect(outcome.result).toEqual(expected.result);
    });
    // Files to files, in parallel, against the synchronous clean of the same inputs.
    const paths = inputs.map((input, index) => {
      const path = join(work, `in-${index}.jpg`);
      writeFileSync(path, input);
      return path;
    });
    const results = await Promise.all(paths.map((path, index) => clean(path, join(work, `out-${index}.jpg`), { force: true })));
    results.forEach((result, index) => {
      expect(result.status).toBe('cleaned');
      cleanSync(paths[index]!, join(work, `seq-${index}.jpg`), { force: true });
      expect(readFileSync(join(work, `out-${index}.jpg`)).equals(readFileSync(join(work, `seq-${index}.jpg`)))).toBe(true);
    });
    const reports = await Promise.all(paths.map((path) => inspect(path)));
    reports.forEach((report, index) => expect(report).toEqual(inspectSync(paths[index]!)));
  });

  it('errors cross as TracelessError (code and message), never a plain Error', async () => {
    const missing = join(work, 'missing.jpg');
    const thrown = await inspect(missing).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(TracelessError);
    expect((thrown as TracelessError).code).toBe('IO_ERROR');
    expect((thrown as TracelessError).file).toBe(missing);
    const text = await cleanBuffer(Buffer.from('just some text, not a photo'));
    expect(text.data).toBeNull();
    expect(text.result.status).toBe('refused');
    expect(text.result.error?.code).toBe('UNSUPPORTED_FORMAT');
    const cut = await clean(photo.subarray(0, 300), join(work, 'cut.jpg'));
    expect(cut.status).toBe('refused');
    expect(cut.error?.code).toBe(cleanSync(photo.subarray(0, 300), join(work, 'cut-sync.jpg')).error?.code);
    expect(existsSync(join(work, 'cut.jpg'))).toBe(false);
    expect((await inspect(Buffer.from('text'), 'note.txt')).format.id).toBe('unknown');
  });

  it('verify runs on the pool too, with the same answer as verifySync', async () => {
    const dirty = join(work, 'verify-dirty.jpg');
    writeFileSync(dirty, photo);
    const cleaned = join(work, 'verify-clean.jpg');
    writeFileSync(cleaned, cleanBufferSync(photo).data!);
    const [bad, good] = await Promise.all([verify(dirty), verify(cleaned)]);
    expect(bad.ok).toBe(false);
    expect(bad).toEqual(verifySync(dirty));
    expect(good.ok).toBe(true);
    expect(await verify(readFileSync(cleaned))).toEqual(verifySync(readFileSync(cleaned)));
    const missing = await verify(join(work, 'nope.jpg')).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(TracelessError);
    expect((missing as TracelessError).code).toBe('IO_ERROR');
  });

  it('a Buffer input is copied by default and handed over with { transfer: true }', async () => {
    const mine = Buffer.from(photo);
    const kept = await cleanBuffer(mine);
    expect(mine.equals(photo)).toBe(true);
    const handed = Buffer.alloc(photo.length);
    photo.copy(handed);
    const moved = await cleanBuffer(handed, { transfer: true });
    expect(moved.data!.equals(kept.data!)).toBe(true);
    expect(handed.length, 'the transferred buffer is detached in the caller').toBe(0);
    // A view into a larger buffer is never transferred (that would detach its neighbours): copied.
    const larger = Buffer.concat([Buffer.alloc(16), photo]);
    const view = larger.subarray(16);
    expect((await cleanBuffer(view, { transfer: true })).data!.equals(kept.data!)).toBe(true);
    expect(view.equals(photo)).toBe(true);
  });

  it('a script that uses the library exits by itself (idle workers do not hold it open)', { timeout: 60_000 }, async () => {
    const script = `import { inspect, cleanBuffer } from ${JSON.stringify(join(root, 'dist', 'src', 'index.js'))};
import { readFileSync } from 'node:fs';
const report = await inspect(${JSON.stringify(bigPath)});
const { result } = await cleanBuffer(readFileSync(${JSON.stringify(join(root, 'examples', 'IMG_0001.jpg'))}));
console.log(report.format.id, result.status);`;
    const started = Date.now();
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(output.trim()).toBe('jpeg cleaned');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('WorkerPool', () => {
  const script = join(work, 'stand-in.mjs');
  writeFileSync(
    script,
    `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (task) => {
  if (task.crash) process.exit(3);
  setTimeout(() => parentPort.postMessage({ echo: task.value, thread: process.pid }), task.delay ?? 0);
});
`,
  );

  it('shares one queue across its workers, fails only the task a dying worker held, and closes', async () => {
    const pool = new WorkerPool({ size: 2, script });
    expect(pool.size).toBe(2);
    const calls = [1, 2, 3, 4, 5, 6].map((value) => pool.run<{ echo: number }>({ value, delay: 20, crash: value === 3 }));
    const settled = await Promise.allSettled(calls);
    settled.forEach((outcome, index) => {
      if (index === 2) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WorkerLost);
      } else {
        expect(outcome).toEqual({ status: 'fulfilled', value: expect.objectContaining({ echo: index + 1 }) });
      }
    });
    // close() waits for calls already made, then stops the workers; a later call starts new ones.
    const late = pool.run<{ echo: number }>({ value: 7, delay: 50 });
    await pool.close();
    expect((await late).echo).toBe(7);
    expect(pool.pending).toBe(0);
    expect((await pool.run<{ echo: number }>({ value: 8 })).echo).toBe(8);
    await pool.close();
  });

  it('stops a worker that stays idle, and starts another for the next task', async () => {
    const pool = new WorkerPool({ size: 2, script, idleMs: 100 });
    await Promise.all([pool.run({ value: 1, delay: 30 }), pool.run({ value: 2, delay: 30 })]);
    expect(pool.threads).toBe(2);
    for (let waited = 0; waited < 5000 && pool.threads > 0; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.threads).toBe(0);
    expect((await pool.run<{ echo: number }>({ value: 3 })).echo).toBe(3);
    expect(pool.threads).toBe(1);
    await pool.close();
    expect(pool.threads).toBe(0);
  });

  it('without a worker script it refuses to run (the library then works on the calling thread)', async () => {
    const pool = new WorkerPool({ size: 1, script: join(work, 'nowhere.mjs') });
    // An explicit script that does not exist is a worker that dies at once: that task fails only.
    await expect(pool.run({ value: 1 })).rejects.toBeInstanceOf(WorkerLost);
    await pool.close();
  });
});
