/**
 * cleanStream / cleanWebStream: the same verified bytes as cleanBufferSync whatever the chunking;
 * input past 64 MB spooled to a private temporary file that is gone afterwards (success, error,
 * abort, a consumer that walks away); nothing emitted before verification; backpressure held.
 */
import { createReadStream, mkdirSync, readFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TracelessError, cleanBufferSync, cleanStream, cleanSync, cleanWebStream, inspectSync } from '../../src/index.js';
import { spoolPrefix } from '../../src/library/spool.js';
import { limits } from '../../src/limits.js';
import { phoneJpeg } from '../fixtures/jpeg.js';
import { actionCameraClip, writePaddedClip } from '../fixtures/mp4.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-stream-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Spool files go to os.tmpdir(), which follows TMPDIR: point it at a folder of this test's own,
// so that "no temporary file is left" can be checked exactly.
const spoolRoot = join(work, 'tmp');
let savedTmp: string | undefined;
beforeEach(() => {
  mkdirSync(spoolRoot, { recursive: true });
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = spoolRoot;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});
const spools = () => readdirSync(spoolRoot).filter((name) => name.startsWith(spoolPrefix));

/** The spool folders once cleanup has had its chance (it runs asynchronously after a close). */
async function spoolsSettled(): Promise<string[]> {
  for (let waited = 0; waited < 5000 && spools().length > 0; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  return spools();
}

/** `data` as a stream of chunks of the given sizes, cycling (awkward sizes on purpose). */
function chunked(data: Buffer, sizes: number[]): AsyncIterable<Buffer> {
  return (async function* () {
    let at = 0;
    for (let index = 0; at < data.length; index++) {
      const size = sizes[index % sizes.length]!;
      yield data.subarray(at, at + size);
      at += size;
    }
  })();
}

async function drain(output: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of output) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A large input: a dirty photo, then `trailerBytes` of trailer, produced in 1 MB chunks. */
function largeInput(photo: Buffer, trailerBytes: number, options: { failAfter?: number } = {}): AsyncIterable<Buffer> {
  return (async function* () {
    yield photo;
    const piece = Buffer.alloc(1024 * 1024, 0x5a);
    for (let done = 0; done < trailerBytes; done += piece.length) {
      if (options.failAfter !== undefined && done >= options.failAfter) throw new Error('connection reset by peer');
      yield piece.subarray(0, Math.min(piece.length, trailerBytes - done));
    }
  })();
}

describe('cleanStream', () => {
  let photo: Buffer;
  let expected: Buffer;
  beforeAll(async () => {
    photo = await phoneJpeg({ trailerImage: true });
    expected = cleanBufferSync(photo, {}, '<stream>').data!;
  });

  it('gives the bytes cleanBufferSync gives, for chunks of any size', async () => {
    for (const sizes of [[1], [7, 13, 4093], [photo.length], [65536]]) {
      const { output, result } = cleanStream(chunked(photo, sizes));
      const summary = await result;
      expect(summary.status).toBe('cleaned');
      expect(summary.bytesWritten).toBe(expected.length);
      expect(summary.removed.length).toBeGreaterThan(0);
      expect((await drain(output)).equals(expected), `chunks of ${sizes.join('/')}`).toBe(true);
    }
    // A Node file stream, with a name for the result.
    const path = join(work, 'photo.jpg');
    await import('node:fs').then(({ writeFileSync }) => writeFileSync(path, photo));
    const { output, result } = cleanStream(createReadStream(path, { highWaterMark: 1000 }), { name: 'upload.jpg', only: 'location' });
    expect((await result).file).toBe('upload.jpg');
    const located = await drain(output);
    expect(located.equals(cleanBufferSync(photo, { only: 'location' }).data!)).toBe(true);
    expect(inspectSync(located).locations).toEqual([]);
  });

  it('refuses before the first byte: result rejects with the code, output errors, nothing emitted', async () => {
    const { output, result } = cleanStream(chunked(Buffer.from('plain text, not a photo at all'), [5]));
    const emitted: Buffer[] = [];
    output.on('data', (chunk: Buffer) => emitted.push(chunk));
    const outputError = new Promise<unknown>((resolve) => output.on('error', resolve));
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TracelessError);
    expect((error as TracelessError).code).toBe('UNSUPPORTED_FORMAT');
    expect(((await outputError) as TracelessError).code).toBe('UNSUPPORTED_FORMAT');
    expect(emitted).toEqual([]);
    // A truncated photo: refused the same way as the buffer API refuses it.
    const cut = cleanStream(chunked(photo.subarray(0, 400), [64]));
    cut.output.resume();
    const cutError = (await cut.result.catch((caught: unknown) => caught)) as TracelessError;
    expect(cutError.code).toBe(cleanBufferSync(photo.subarray(0, 400)).result.error?.code);
    // A caller that only awaits `result` is not crashed by the output's error.
    await expect(cleanStream(chunked(Buffer.from('text'), [2])).result).rejects.toBeInstanceOf(TracelessError);
  });

  it('an input stream that fails rejects with IO_ERROR (the cause kept)', async () => {
    const failing = Readable.from(
      (async function* () {
        yield photo.subarray(0, 100);
        throw new Error('socket hang up');
      })(),
    );
    const error = (await cleanStream(failing).result.catch((caught: unknown) => caught)) as TracelessError;
    expect(error).toBeInstanceOf(TracelessError);
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toContain('socket hang up');
  });

  it('spools input past 64 MB to a private temporary file, removed once the output is read', { timeout: 120_000 }, async () => {
    const trailer = limits.maxInMemoryFileBytes + 6 * 1024 * 1024;
    const { output, result } = cleanStream(largeInput(photo, trailer));
    const summary = await result;
    expect(summary.status).toBe('cleaned');
    expect(summary.bytesRead).toBe(photo.length + trailer);
    expect(summary.removed.some((removal) => removal.where === 'trailer')).toBe(true);
    const [spool] = spools();
    expect(spool, 'the input was spooled').toBeDefined();
    const folder = join(spoolRoot, spool!);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, 'input')).mode & 0o777).toBe(0o600);
    // Backpressure: nobody reads yet, so the output holds at most about one chunk.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output.readableLength).toBeLessThanOrEqual(512 * 1024);
    const out = await drain(output);
    expect(out.equals(cleanBufferSync(Buffer.concat([photo, Buffer.alloc(trailer, 0x5a)])).data!)).toBe(true);
    expect(await spoolsSettled()).toEqual([]);
  });

  it('leaves no temporary file when the input fails mid-way, is aborted, or the output is dropped', { timeout: 120_000 }, async () => {
    const trailer = limits.maxInMemoryFileBytes + 8 * 1024 * 1024;
    // The upload is cut off after the spool began.
    const broken = cleanStream(largeInput(photo, trailer, { failAfter: limits.maxInMemoryFileBytes + 2 * 1024 * 1024 }));
    broken.output.resume();
    expect(((await broken.result.catch((caught: unknown) => caught)) as TracelessError).code).toBe('IO_ERROR');
    expect(spools()).toEqual([]);
    // The caller aborts while the input stalls, after the spool began.
    const controller = new AbortController();
    const stalled = (async function* () {
      yield* largeInput(photo, limits.maxInMemoryFileBytes + 1024 * 1024);
      await new Promise(() => undefined); // never ends
    })();
    const aborted = cleanStream(stalled, { signal: controller.signal });
    void (async () => {
      while (spools().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the input has stalled by now
      controller.abort(new Error('client gone'));
    })();
    const abortError = (await aborted.result.catch((caught: unknown) => caught)) as TracelessError;
    expect(abortError).toBeInstanceOf(TracelessError);
    expect(abortError.message).toContain('aborted');
    expect(spools()).toEqual([]);
    // The consumer destroys the output after reading a little of it.
    const dropped = cleanStream(largeInput(photo, trailer));
    await dropped.result;
    expect(spools().length).toBe(1);
    for await (const _chunk of dropped.output) break; // breaking out destroys the stream
    expect(await spoolsSettled()).toEqual([]);
    // The consumer destroys it before reading anything.
    const untouched = cleanStream(largeInput(photo, trailer));
    await untouched.result;
    untouched.output.destroy();
    expect(await spoolsSettled()).toEqual([]);
  });
});

describe('cleanStream of a video past 64 MB', () => {
  it('streams the same bytes cleanSync writes (the index at the end, read from the spool)', { timeout: 180_000 }, async () => {
    const path = join(work, 'padded.mp4');
    writePaddedClip(actionCameraClip(), limits.maxInMemoryFileBytes + 4 * 1024 * 1024, path);
    const { output, result } = cleanStream(createReadStream(path, { highWaterMark: 300_000 }), { name: 'clip.mp4' });
    const summary = await result;
    expect(summary.status).toBe('cleaned');
    expect(summary.format.id).toBe('mp4');
    expect(spools().length).toBe(1);
    const streamed = await drain(output);
    const written = join(work, 'padded.clean.mp4');
    expect(cleanSync(path, written).status).toBe('cleaned');
    expect(streamed.equals(readFileSync(written))).toBe(true);
    expect(inspectSync(written).locations).toEqual([]);
    expect(await spoolsSettled()).toEqual([]);
  });
});

describe('cleanWebStream', () => {
  it('cleans a web ReadableStream into a web ReadableStream, and refuses with the code', async () => {
    const photo = await phoneJpeg();
    const expected = cleanBufferSync(photo, {}, '<stream>').data!;
    let at = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= photo.length) return controller.close();
        controller.enqueue(new Uint8Array(photo.subarray(at, at + 333)));
        at += 333;
      },
    });
    const { readable, result } = cleanWebStream(source);
    expect((await result).status).toBe('cleaned');
    const parts: Uint8Array[] = [];
    for await (const part of readable) parts.push(part);
    expect(Buffer.concat(parts).equals(expected)).toBe(true);

    const text = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('hello'));
        controller.close();
      },
    });
    const refused = cleanWebStream(text);
    await expect(refused.result).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    await expect(refused.readable.getReader().read()).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
  });
});
