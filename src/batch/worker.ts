/**
 * Worker-thread entry: runs tasks sent by the pool, one at a time, and posts each result back —
 * the CLI's batch tasks and the library's calls (whose buffers go back by transfer).
 */
import { parentPort } from 'node:worker_threads';
import { isLibraryTask, runLibraryTask } from '../library/tasks.js';
import { runTask, type Task } from './tasks.js';

parentPort?.on('message', (task: unknown) => {
  if (isLibraryTask(task)) {
    const { reply, transfer } = runLibraryTask(task);
    parentPort!.postMessage(reply, transfer);
    return;
  }
  parentPort!.postMessage(runTask(task as Task));
});
