/** Worker-thread entry: runs tasks sent by the pool, one at a time, and posts each result back. */
import { parentPort } from 'node:worker_threads';
import { runTask, type Task } from './tasks.js';

parentPort?.on('message', (task: Task) => {
  parentPort!.postMessage(runTask(task));
});
