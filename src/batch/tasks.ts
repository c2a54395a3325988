/**
 * One unit of batch work, runnable in the main thread or in a worker: the inputs and results are
 * plain data so that they cross thread boundaries unchanged.
 */
import { cleanSync, failedResult } from '../clean.js';
import { asTracelessError, internalError } from '../errors.js';
import { inspectSync } from '../inspect.js';
import { reportFile, type FileReport, type FileReportOptions } from '../report/file-report.js';
import type { CleanOptions, CleanResult, Inspection } from '../types.js';

/**
 * How a scan task reports its file: rendered where it was read (`reportFile`), with the whole
 * inspection sent back only when the caller needs it (the HTML report).
 */
export interface ScanTaskReport extends FileReportOptions {
  keepInspection: boolean;
}

export type Task =
  | { kind: 'scan'; id: number; path: string; report?: ScanTaskReport }
  | { kind: 'clean'; id: number; path: string; destination: string; options: CleanOptions };

/** A scanned file's report, with its format (the CLI skips unknown files it found in a folder). */
export interface ScannedFile extends FileReport {
  formatId: string;
}

export type TaskResult =
  | { kind: 'scan'; id: number; inspection: Inspection | null; error: { code: string; message: string } | null; report?: ScannedFile }
  | { kind: 'clean'; id: number; result: CleanResult };

export function runTask(task: Task): TaskResult {
  if (task.kind === 'scan') {
    let inspection: Inspection;
    try {
      inspection = inspectSync(task.path);
    } catch (error) {
      const problem = asTracelessError(error, task.path);
      return { kind: 'scan', id: task.id, inspection: null, error: { code: problem.code, message: problem.describe() } };
    }
    if (!task.report) return { kind: 'scan', id: task.id, inspection, error: null };
    let report: ScannedFile;
    try {
      report = { ...reportFile(inspection, task.report), formatId: inspection.format.id };
    } catch (error) {
      // The file was read: a failure to report on it is traceless's own bug, never the file's (INTERNAL).
      const problem = internalError(`while reporting on this file: ${error instanceof Error ? error.message : String(error)}`);
      problem.file = task.path;
      return { kind: 'scan', id: task.id, inspection: null, error: { code: problem.code, message: problem.describe() } };
    }
    return { kind: 'scan', id: task.id, inspection: task.report.keepInspection ? inspection : null, error: null, report };
  }
  try {
    return { kind: 'clean', id: task.id, result: cleanSync(task.path, task.destination, task.options) };
  } catch (error) {
    return { kind: 'clean', id: task.id, result: failedResult(task.path, error) };
  }
}
