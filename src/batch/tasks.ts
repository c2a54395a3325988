/**
 * One unit of batch work, runnable in the main thread or in a worker: the inputs and results are
 * plain data so that they cross thread boundaries unchanged.
 */
import { cleanSync, failedResult } from '../clean.js';
import { asTracelessError } from '../errors.js';
import { inspectSync } from '../inspect.js';
import type { CleanOptions, CleanResult, Inspection } from '../types.js';

export type Task =
  | { kind: 'scan'; id: number; path: string }
  | { kind: 'clean'; id: number; path: string; destination: string; options: CleanOptions };

export type TaskResult =
  | { kind: 'scan'; id: number; inspection: Inspection | null; error: { code: string; message: string } | null }
  | { kind: 'clean'; id: number; result: CleanResult };

export function runTask(task: Task): TaskResult {
  if (task.kind === 'scan') {
    try {
      return { kind: 'scan', id: task.id, inspection: inspectSync(task.path), error: null };
    } catch (error) {
      const problem = asTracelessError(error, task.path);
      return { kind: 'scan', id: task.id, inspection: null, error: { code: problem.code, message: problem.describe() } };
    }
  }
  try {
    return { kind: 'clean', id: task.id, result: cleanSync(task.path, task.destination, task.options) };
  } catch (error) {
    return { kind: 'clean', id: task.id, result: failedResult(task.path, error) };
  }
}
