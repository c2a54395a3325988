/**
 * Runs tasks on N worker threads (the library is synchronous, so threads give the parallelism).
 * One shared queue: a worker busy with a large video never holds back the small photos, which
 * the other workers keep taking. Results are reported as each task finishes; a worker that dies
 * fails its task and is replaced.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { failedResult } from '../clean.js';
import { TracelessError } from '../errors.js';
import { runTask, type Task, type TaskResult } from './tasks.js';

const workerScript = fileURLToPath(new URL('./worker.js', import.meta.url));

/** Whether the compiled worker script is there (it is not when the sources run untranspiled in tests). */
export function workersAvailable(): boolean {
  return existsSync(workerScript);
}

function crashed(task: Task, error: unknown): TaskResult {
  const problem = new TracelessError('INTERNAL', `the worker stopped while handling this file (${(error as Error)?.message ?? error}); nothing was written for it — please report this`, { file: task.path });
  if (task.kind === 'scan') return { kind: 'scan', id: task.id, inspection: null, error: { code: problem.code, message: problem.describe() } };
  return { kind: 'clean', id: task.id, result: failedResult(task.path, problem) };
}

/**
 * `script`: the worker module (the compiled `worker.js`; tests pass another to play a worker that
 * dies mid-file).
 */
export async function runTasks(tasks: readonly Task[], jobs: number, onResult: (result: TaskResult) => void, script: string = workerScript): Promise<void> {
  if (jobs <= 1 || tasks.length <= 1 || (script === workerScript && !workersAvailable())) {
    for (const task of tasks) {
      onResult(runTask(task));
      // Let the event loop breathe (progress redraws, signals) between files.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return;
  }
  const queue = [...tasks];
  const slot = () =>
    new Promise<void>((resolve) => {
      let current: Task | undefined;
      let finished = false;
      let worker: Worker;
      const next = () => {
        current = queue.shift();
        if (!current) {
          finished = true;
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(current);
      };
      // A worker that dies for any reason — an error event, or an exit without one (killed, out of
      // memory, process.exit in a dependency) — fails only the file it held; a new worker takes
      // the rest of the queue, so the run always goes on and ends.
      const replace = (reason: string) => {
        if (current) onResult(crashed(current, new Error(reason)));
        current = undefined;
        start();
        next();
      };
      const start = () => {
        const own = new Worker(script);
        worker = own;
        let gone = false;
        own.on('message', (result: TaskResult) => {
          onResult(result);
          current = undefined;
          next();
        });
        own.on('error', (error) => {
          if (gone) return;
          gone = true;
          replace(error.message);
        });
        own.on('exit', (exitCode) => {
          if (gone || finished) return;
          gone = true;
          replace(`it exited with code ${exitCode}`);
        });
      };
      start();
      next();
    });
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, slot));
}
