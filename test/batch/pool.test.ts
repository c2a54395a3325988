/** A worker that dies for any reason fails only the file it held; the run goes on and ends (issue 12). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool, WorkerLost, runTasks } from '../../src/batch/pool.js';
import type { Task, TaskResult } from '../../src/batch/tasks.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-pool-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A stand-in worker: answers every task, except that it exits (no error event) on a file named
// `exit`, and throws (an error event) on a file named `throw`.
const script = join(work, 'worker.mjs');
writeFileSync(
  script,
  `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (task) => {
  if (task.path.endsWith('exit')) process.exit(7);
  if (task.path.endsWith('throw')) throw new Error('boom');
  parentPort.postMessage({ kind: 'scan', id: task.id, inspection: null, error: null });
});
`,
);

describe('worker pool', () => {
  it('a worker that exits or throws mid-file fails that file only, and the run ends', async () => {
    const names = ['a', 'exit', 'b', 'throw', 'c', 'd', 'exit', 'e'];
    const tasks: Task[] = names.map((path, id) => ({ kind: 'scan', id, path }));
    const results: TaskResult[] = [];
    await runTasks(tasks, 2, (result) => results.push(result), { script });
    expect(results.map((result) => result.id).sort((x, y) => x - y)).toEqual(names.map((_, id) => id));
    for (const result of results) {
      if (result.kind !== 'scan') throw new Error('scan results only');
      const name = names[result.id]!;
      if (name === 'exit' || name === 'throw') expect(result.error?.code, name).toBe('INTERNAL');
      else expect(result.error, name).toBeNull();
    }
  }, 30_000);
});

describe('worker pool with tasks sent ahead (prefetch)', () => {
  // Answers at once, or exits (no error event) or throws (an error event) on the task that asks.
  const ahead = join(work, 'ahead.mjs');
  writeFileSync(
    ahead,
    `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (task) => {
  if (task.exit) process.exit(5);
  if (task.throw) throw new Error('boom');
  parentPort.postMessage({ echo: task.value });
});
`,
  );

  it('fails only the task a worker died on; the tasks sent ahead of it run on another worker', async () => {
    for (const death of ['exit', 'throw']) {
      const pool = new WorkerPool({ size: 1, script: ahead, prefetch: 2 });
      const values = [1, 2, 3, 4, 5, 6];
      const calls = values.map((value) => pool.run<{ echo: number }>({ value, [death]: value === 3 }));
      const settled = await Promise.allSettled(calls);
      settled.forEach((outcome, index) => {
        if (values[index] === 3) {
          expect(outcome.status, death).toBe('rejected');
          expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WorkerLost);
        } else expect(outcome, `${death} ${values[index]}`).toEqual({ status: 'fulfilled', value: { echo: values[index] } });
      });
      expect(pool.pending).toBe(0);
      await pool.close();
    }
  }, 30_000);

  it('answers every task in order of its own replies, with two workers holding two tasks each', async () => {
    const pool = new WorkerPool({ size: 2, script: ahead, prefetch: 2 });
    const values = Array.from({ length: 50 }, (_, index) => index);
    const replies = await Promise.all(values.map((value) => pool.run<{ echo: number }>({ value })));
    expect(replies.map((reply) => reply.echo)).toEqual(values);
    await pool.close();
  });
});

describe('worker flags', () => {
  it('starts workers when the process was given V8 flags, which a worker refuses in its own list', async () => {
    const stand = join(work, 'flags.mjs');
    writeFileSync(stand, `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (task) => parentPort.postMessage({ echo: task.value }));\n`);
    process.execArgv.push('--max-old-space-size=2048');
    try {
      const pool = new WorkerPool({ size: 1, script: stand });
      expect(await pool.run<{ echo: number }>({ value: 4 })).toEqual({ echo: 4 });
      await pool.close();
    } finally {
      process.execArgv.pop();
    }
  });
});
