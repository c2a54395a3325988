/** `traceless scan PATH...`: what each file reveals, in plain words or JSON lines, with a folder summary and an optional HTML report. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { runTasks } from '../batch/pool.js';
import type { Task } from '../batch/tasks.js';
import { TracelessError } from '../errors.js';
import { inspectSync } from '../inspect.js';
import { inspectionJson, renderFileText, type FileReportOptions } from '../report/file-report.js';
import type { HtmlSource } from '../report/html/index.js';
import { summariseDigests, type ScanDigest, type ScanError, type ScanSummary } from '../report/summary.js';
import { sanitize, sanitizeDeep } from '../report/sanitize.js';
import type { Inspection } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, looksLikeMedia, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';
import { Progress } from './progress.js';
import { readStdin } from './stdin.js';
import { colourEnabled, colours, renderScanSummary } from './summary.js';
import { os } from '../io/builtins.js';

export interface ScanOptions extends WalkOptions, FileReportOptions {
  jobs?: string | number;
  /** Also write a self-contained HTML report (map, risk, table of files) to this path. */
  html?: string;
  /** Overwrite an existing HTML report. */
  force?: boolean;
}

/**
 * The HTML report never replaces a file nobody asked to replace: never one of the inputs (a glob such
 * as `*.jpg` can put a photo right after --html), and an existing file only with --force.
 */
function isMediaFile(path: string): boolean {
  try {
    return inspectSync(path).format.id !== 'unknown';
  } catch {
    return true; // a file we cannot even read is not ours to replace
  }
}

export function checkReportPath(path: string, inputs: readonly string[], force: boolean): void {
  const target = resolve(path);
  let stat;
  try {
    stat = statSync(target);
  } catch {
    return; // does not exist: fine
  }
  const sameAs = (input: string) => {
    try {
      const other = statSync(input);
      return (other.ino === stat.ino && other.dev === stat.dev) || resolve(input) === target;
    } catch {
      return false;
    }
  };
  if (stat.isDirectory()) throw new TracelessError('USAGE', `--html needs a file name, but ${path} is a folder`);
  if (inputs.some(sameAs)) throw new TracelessError('USAGE', `--html ${path} names one of the files to scan; give the report a new name (e.g. report.html)`);
  // A photo or video right after --html (a shell glob put it there) is never replaced, even with --force.
  if (looksLikeMedia(path) || isMediaFile(target)) throw new TracelessError('USAGE', `--html ${path} is a photo or video, not a report; give the report a new name (e.g. report.html)`);
  if (!force) throw new TracelessError('OUTPUT_EXISTS', `${path} already exists; use --force to overwrite it, or give the report a new name`);
}

/**
 * `--jobs`: a positive whole number (default: the number of cores, or 1 for a run of `taskCount`
 * ≤ 1 files, which never starts workers: the OS is not asked); anything else is a usage error.
 */
export function jobsFrom(value: string | number | undefined, taskCount?: number): number {
  if (value === undefined) return taskCount !== undefined && taskCount <= 1 ? 1 : os().availableParallelism();
  const jobs = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 1024) throw new TracelessError('USAGE', `--jobs takes a whole number from 1 to 1024 (got "${value}")`);
  return jobs;
}

async function writeHtml(path: string, sources: readonly HtmlSource[], options: ScanOptions, output: Output, unreadable: readonly ScanError[] = [], summary?: ScanSummary): Promise<number> {
  try {
    // Loaded only when a report is asked for: the map data and sharp are heavy to load.
    const { buildHtmlReport, writeFileAtomic } = await import('../report/html/index.js');
    const html = await buildHtmlReport(sources, { generatedAt: new Date(), unreadable, ...(summary ? { summary } : {}) });
    await writeFileAtomic(resolve(path), html);
  } catch (error) {
    const problem = error instanceof TracelessError ? error : new TracelessError('IO_ERROR', `cannot write the HTML report: ${(error as Error).message}`, { file: path });
    output.err(`traceless: ${sanitize(problem.describe())}`);
    return exitCodes.usage;
  }
  if (!options.quiet) output.err(`HTML report written to ${sanitize(path)} (${sources.length + unreadable.length} file(s))`);
  return exitCodes.ok;
}

export async function runScan(paths: string[], options: ScanOptions, output: Output): Promise<number> {
  const started = Date.now();
  if (options.html) checkReportPath(options.html, paths, options.force ?? false);
  if (paths.length === 1 && paths[0] === '-') {
    const content = await readStdin();
    try {
      const inspection = content.kind === 'buffer' ? inspectSync(content.data, '<stdin>') : { ...inspectSync(content.path), file: '<stdin>' };
      const text = options.json ? inspectionJson(inspection) : renderFileText(inspection, options)?.trimEnd();
      if (text !== undefined) output.out(text);
      if (options.html) return await writeHtml(options.html, [{ inspection, input: content.kind === 'buffer' ? content.data : content.path }], options, output);
      return exitCodes.ok;
    } finally {
      if (content.kind === 'file') content.cleanup();
    }
  }
  const inputs = expandInputs(paths, options);
  if (options.html) checkReportPath(options.html, inputs.map((input) => input.path), options.force ?? false);
  // Each file's report is rendered where the file is read (a worker in a folder run): only its text
  // and a small digest come back, plus the whole inspection when the HTML report needs it.
  const report = { json: options.json, summary: options.summary, quiet: options.quiet, details: options.details, keepInspection: options.html !== undefined };
  const tasks: Task[] = inputs.map((input, id) => ({ kind: 'scan', id, path: input.path, report }));
  const progress = new Progress({ enabled: Progress.shouldShow(options.quiet), totalFiles: inputs.length, totalBytes: inputs.reduce((total, input) => total + input.size, 0) });
  const digests: ScanDigest[] = [];
  /** The HTML report's files, with their input order (it does not depend on which worker finished first). */
  const forHtml: { inspection: Inspection; order: number }[] = [];
  const unreadable: ScanError[] = [];
  const unreadableOrder = new Map<ScanError, number>();
  let code: number = exitCodes.ok;
  await runTasks(
    tasks,
    jobsFrom(options.jobs, tasks.length),
    (result) => {
      if (result.kind !== 'scan') return;
      const input = inputs[result.id]!;
      progress.advance(input.size);
      progress.clear();
      if (result.report) {
        // Files found by walking a folder that are not media at all are skipped silently.
        if (!input.direct && result.report.formatId === 'unknown' && !looksLikeMedia(input.path)) return progress.redraw();
        digests.push(result.report.digest);
        if (result.inspection) forHtml.push({ inspection: result.inspection, order: result.id });
        if (result.report.text !== undefined) output.out(result.report.text);
      } else if (result.error) {
        const prefix = `${input.path}: `;
        const message = result.error.message;
        const error: ScanError = { file: input.path, reason: message.startsWith(prefix) ? message.slice(prefix.length) : message };
        unreadable.push(error);
        unreadableOrder.set(error, result.id);
        code = exitCodes.usage;
        if (options.json) output.out(JSON.stringify(sanitizeDeep({ file: input.path, error: result.error })));
        else output.err(sanitize(result.error.message));
      }
      progress.redraw();
    },
    { tuneJit: true },
  );
  progress.finish();
  // One summary for the text, the JSON line and the HTML page: their numbers cannot differ.
  const summary = summariseDigests(digests, unreadable, (Date.now() - started) / 1000);
  if (options.summary || inputs.length > 1 || inputs.some((input) => !input.direct)) {
    output.out(options.json ? JSON.stringify(sanitizeDeep({ summary })) : renderScanSummary(summary, colours(colourEnabled())));
  }
  if (options.html) {
    const ordered = [...forHtml].sort((a, b) => a.order - b.order);
    const errors = [...unreadable].sort((a, b) => unreadableOrder.get(a)! - unreadableOrder.get(b)!);
    const written = await writeHtml(options.html, ordered.map(({ inspection }) => ({ inspection })), options, output, errors, summary);
    if (written !== exitCodes.ok) code = written;
  }
  return code;
}
