/** A worker that dies for any reason fails only the file it held; the run goes on and ends (issue 12). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTasks } from '../../src/batch/pool.js';
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
    await runTasks(tasks, 2, (result) => results.push(result), script);
    expect(results.map((result) => result.id).sort((x, y) => x - y)).toEqual(names.map((_, id) => id));
    for (const result of results) {
      if (result.kind !== 'scan') throw new Error('scan results only');
      const name = names[result.id]!;
      if (name === 'exit' || name === 'throw') expect(result.error?.code, name).toBe('INTERNAL');
      else expect(result.error, name).toBeNull();
    }
  }, 30_000);
});
