/**
 * `traceless clean PATH... [-o DIR] [--in-place] [--only location] [--json]`: writes stripped
 * copies, in parallel, resumable, with progress and a summary.
 */
import { createReadStream, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { runTasks } from '../batch/pool.js';
import type { Task } from '../batch/tasks.js';
import { cleanBufferSync, cleanSync, failedResult } from '../clean.js';
import { TracelessError, asTracelessError } from '../errors.js';
import { BufferSource } from '../io/source.js';
import { moveIntoPlace, removeQuietly, removeStaleTemporaries, temporaryPathFor, writePlanToFile } from '../io/write.js';
import { renderCleanResult } from '../report/text.js';
import { sanitizeDeep } from '../report/sanitize.js';
import type { CleanMode, CleanOptions, CleanResult } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, looksLikeMedia, type InputFile, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';
import { Progress } from './progress.js';
import { jobsFrom } from './scan.js';
import { readStdin } from './stdin.js';
import { CleanTally, colourEnabled, colours, renderCleanSummary } from './summary.js';
import { streamPromises } from '../io/builtins.js';

export interface CleanCommandOptions extends WalkOptions {
  output?: string;
  inPlace?: boolean;
  only?: string;
  json?: boolean;
  force?: boolean;
  dropOrientation?: boolean;
  dropExtraImages?: boolean;
  keepDates?: boolean;
  keepMtime?: boolean;
  backup?: string;
  dryRun?: boolean;
  jobs?: string | number;
  quiet?: boolean;
}

/** `IMG_1.jpg` -> `IMG_1.clean.jpg`, beside the original. */
export function besideOriginal(path: string): string {
  const extension = extname(path);
  return join(dirname(path), `${basename(path, extension)}.clean${extension}`);
}

const cleanOutputName = /\.clean(\.[^./]+)?$/;

export function outputPathFor(input: InputFile, options: CleanCommandOptions): string {
  if (options.inPlace) return input.path;
  if (options.output) return join(options.output, input.relative);
  return besideOriginal(input.path);
}

export function parseMode(only: string | undefined): CleanMode {
  if (only === undefined || only === 'all') return 'all';
  if (only === 'location') return 'location';
  throw new TracelessError('USAGE', `--only accepts "location" (got "${only}")`);
}

/** One JSON line: the public contract fields first (file, output, status, removed, error). */
export function jsonLine(result: CleanResult): string {
  const { file, output, status, removed, error, format, kept, verification, bytesWritten, dryRun } = result;
  const line: Record<string, unknown> = { file, output, status, removed, error, format: format.id, kept, verified: verification?.ok ?? null, bytesWritten };
  if (dryRun) {
    line.dryRun = true;
    line.wouldWrite = result.wouldWrite ?? 0;
  }
  return JSON.stringify(sanitizeDeep(line));
}

function libraryOptions(mode: CleanMode, options: CleanCommandOptions): CleanOptions {
  const result: CleanOptions = {
    only: mode,
    keepOrientation: !options.dropOrientation,
    keepDates: options.keepDates ?? false,
    inPlace: options.inPlace ?? false,
    force: options.force ?? false,
    keepMtime: options.keepMtime ?? false,
    dryRun: options.dryRun ?? false,
  };
  if (options.backup !== undefined) result.backupSuffix = options.backup;
  if (options.dropExtraImages) result.dropExtraImages = true;
  return result;
}

function validate(options: CleanCommandOptions): void {
  if (options.inPlace && options.output) throw new TracelessError('USAGE', '--in-place and -o cannot be used together');
  if (options.backup !== undefined && !options.inPlace) throw new TracelessError('USAGE', '--backup only makes sense with --in-place');
  if (options.backup !== undefined && (options.backup === '' || /[\\/]/.test(options.backup))) throw new TracelessError('USAGE', '--backup takes a suffix such as .orig (no slashes)');
}

/** A folder the run needs, created; a file in its place (or no permission) is one clear line naming it. */
function ensureFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file with that name (or in its path) is in the way' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied (read-only or not yours)' : asTracelessError(error).message;
    throw new TracelessError('IO_ERROR', `cannot create the output folder ${folder}: ${why}; choose another -o folder`);
  }
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Backups of an earlier `--in-place --backup` run are never inputs: the file named by `--backup`'s
 * suffix, and — whatever suffix an earlier run used — a walked file `NAME.EXT<suffix>` that sits
 * beside `NAME.EXT` where that suffix is not a media extension (`a.jpg.orig`, `a.jpg.bak`, `a.jpg~`).
 */
export function isBackupOfSibling(path: string, suffix?: string): boolean {
  const name = basename(path);
  if (suffix && name.endsWith(suffix) && name.length > suffix.length && existsSync(join(dirname(path), name.slice(0, -suffix.length)))) return true;
  const match = /^(.+\.[A-Za-z0-9]{2,5})([.~_-][A-Za-z0-9._~-]*)$/.exec(name);
  if (!match || looksLikeMedia(name)) return false;
  return looksLikeMedia(match[1]!) && existsSync(join(dirname(path), match[1]!));
}

/** Tasks that would write the same output, or write over another input: all refused before any work. */
function findConflicts(tasks: readonly Extract<Task, { kind: 'clean' }>[], inPlace: boolean): Map<number, string> {
  const conflicts = new Map<number, string>();
  if (inPlace) return conflicts;
  const byDestination = new Map<string, typeof tasks[number][]>();
  for (const task of tasks) {
    const key = realOrResolved(task.destination);
    byDestination.set(key, [...(byDestination.get(key) ?? []), task]);
  }
  const inputs = new Map(tasks.map((task) => [realOrResolved(task.path), task]));
  for (const group of byDestination.values()) {
    if (group.length > 1) {
      for (const task of group) conflicts.set(task.id, `${group.length} inputs would be written to the same output ${task.destination} (${group.map((other) => other.path).join(', ')}); clean them into separate folders`);
    }
  }
  for (const task of tasks) {
    const overwritten = inputs.get(realOrResolved(task.destination));
    if (overwritten && overwritten !== task && !conflicts.has(task.id)) conflicts.set(task.id, `its output ${task.destination} is another input of this run; choose an -o folder`);
  }
  return conflicts;
}

export async function runClean(paths: string[], options: CleanCommandOptions, output: Output): Promise<number> {
  const mode = parseMode(options.only);
  validate(options);
  const jobs = jobsFrom(options.jobs);
  if (paths.includes('-')) {
    if (paths.length !== 1) throw new TracelessError('USAGE', '`-` (stdin) cannot be combined with other inputs');
    return cleanStdin(mode, options, output);
  }
  const started = Date.now();
  const outputFolder = options.output ? realOrResolved(options.output) : undefined;
  if (outputFolder && paths.some((path) => existsSync(path) && statSync(path).isDirectory() && realOrResolved(path) === outputFolder)) {
    throw new TracelessError('USAGE', `-o ${options.output} is the folder being cleaned; choose another folder, or use --in-place`);
  }
  if (outputFolder && existsSync(options.output!) && !statSync(options.output!).isDirectory()) {
    throw new TracelessError('USAGE', `-o needs a folder, but ${options.output} is a file`);
  }
  // Outputs of an earlier run (NAME.clean.EXT), the output folder itself (when it sits inside an
  // input folder) and backups are never inputs when walking folders.
  const walkOptions: CleanCommandOptions = outputFolder ? { ...options, skipFolders: [outputFolder] } : options;
  const inputs = expandInputs(paths, walkOptions).filter(
    (input) => input.direct || ((options.inPlace || options.output || !cleanOutputName.test(basename(input.path))) && !isBackupOfSibling(input.path, options.backup)),
  );
  const cleanOptions = libraryOptions(mode, options);
  const tasks = inputs.map((input, id) => ({ kind: 'clean' as const, id, path: input.path, destination: outputPathFor(input, options), options: cleanOptions }));
  const conflicts = findConflicts(tasks, options.inPlace ?? false);
  const runnable = tasks.filter((task) => !conflicts.has(task.id));
  if (!options.dryRun) {
    for (const folder of new Set(runnable.map((task) => dirname(task.destination)))) {
      ensureFolder(folder);
      removeStaleTemporaries(folder);
    }
  }
  const progress = new Progress({ enabled: Progress.shouldShow(options.quiet), totalFiles: inputs.length, totalBytes: inputs.reduce((total, input) => total + input.size, 0) });
  const tally = new CleanTally();
  let nonMedia = 0;
  let code: number = exitCodes.ok;
  const report = (result: CleanResult, input: InputFile) => {
    progress.advance(input.size);
    // Files found by walking a folder that are not media at all are skipped silently (counted).
    if (!input.direct && result.format.id === 'unknown' && result.status === 'refused' && !looksLikeMedia(input.path)) {
      nonMedia += 1;
      return;
    }
    tally.add(result);
    if (result.status === 'refused' || result.status === 'failed') code = exitCodes.problem;
    progress.clear();
    if (options.json) output.out(jsonLine(result));
    else if (result.status === 'refused' || result.status === 'failed') output.err(renderCleanResult(result));
    else if (!options.quiet) output.out(options.dryRun ? `(dry run) ${renderCleanResult(result).replace(': cleaned ->', ': would clean ->').replace(' (removed ', ' (would remove ')}` : renderCleanResult(result));
    progress.redraw();
  };
  for (const task of tasks) {
    const why = conflicts.get(task.id);
    if (why) report(failedResult(task.path, new TracelessError('OUTPUT_CONFLICT', why)), inputs[task.id]!);
  }
  await runTasks(
    runnable,
    jobs,
    (taskResult) => {
      if (taskResult.kind !== 'clean') return;
      report(taskResult.result, inputs[taskResult.id]!);
    },
    { tuneJit: true },
  );
  progress.finish();
  if (inputs.length > 1 || inputs.some((input) => !input.direct)) {
    const summary = tally.summary(nonMedia, (Date.now() - started) / 1000, options.dryRun ?? false);
    output.out(options.json ? JSON.stringify({ summary }) : renderCleanSummary(summary, colours(colourEnabled())));
  }
  return code;
}

/** `traceless clean -`: stdin to stdout (or to the file named by -o); messages go to stderr. */
async function cleanStdin(mode: CleanMode, options: CleanCommandOptions, output: Output): Promise<number> {
  if (options.inPlace) throw new TracelessError('USAGE', '--in-place needs a file, not stdin');
  if (options.output && !options.force && existsSync(options.output)) {
    const refused = failedResult('<stdin>', new TracelessError('OUTPUT_EXISTS', `${options.output} already exists; use --force to overwrite it`));
    output.err(options.json ? jsonLine(refused) : renderCleanResult(refused));
    return exitCodes.problem;
  }
  if (!options.output && !options.dryRun && process.stdout.isTTY) throw new TracelessError('USAGE', 'refusing to write image bytes to the terminal; redirect them (`> clean.jpg`) or use -o FILE');
  const content = await readStdin();
  const cleanOptions = libraryOptions(mode, options);
  let result: CleanResult;
  try {
    if (content.kind === 'buffer') {
      const cleaned = cleanBufferSync(content.data, cleanOptions, '<stdin>');
      result = cleaned.result;
      if (cleaned.data && !options.dryRun) {
        if (options.output) {
          writeCleanFile(options.output, cleaned.data, options.force ?? false);
          result.output = options.output;
        } else {
          if (process.stdout.isTTY) throw new TracelessError('USAGE', 'refusing to write image bytes to the terminal; redirect them (`> clean.jpg`) or use -o FILE');
          await writeToStdout(cleaned.data);
          result.output = '-';
        }
      }
    } else {
      if (!options.output && process.stdout.isTTY) throw new TracelessError('USAGE', 'refusing to write image bytes to the terminal; redirect them (`> clean.jpg`) or use -o FILE');
      const destination = options.output ?? join(dirname(content.path), 'output');
      result = { ...cleanSync(content.path, destination, { ...cleanOptions, force: options.force ?? false }), file: '<stdin>' };
      if (!options.output && result.output) {
        await streamPromises().pipeline(createReadStream(result.output), process.stdout, { end: false });
        result.output = '-';
      }
    }
  } catch (error) {
    result = failedResult('<stdin>', error);
  } finally {
    if (content.kind === 'file') content.cleanup();
  }
  output.err(options.json ? jsonLine(result) : renderCleanResult(result));
  return result.status === 'refused' || result.status === 'failed' ? exitCodes.problem : exitCodes.ok;
}

/** `clean - -o FILE`: atomic like every other output (temporary file beside it, fsync, rename). */
function writeCleanFile(path: string, data: Buffer, force: boolean): void {
  if (!force && existsSync(path)) throw new TracelessError('OUTPUT_EXISTS', `${path} already exists; use --force to overwrite it`);
  const temporary = temporaryPathFor(path);
  try {
    writePlanToFile({ pieces: [{ kind: 'bytes', data }], removed: [], kept: [] }, new BufferSource(Buffer.alloc(0), '<stdin>'), temporary, true);
    moveIntoPlace(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    const problem = asTracelessError(error, path);
    throw problem.code === 'IO_ERROR' ? new TracelessError('IO_ERROR', `cannot write ${path}: ${problem.message}`) : problem;
  }
}

function writeToStdout(data: Buffer): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    process.stdout.write(data, (error) => (error ? reject(error) : resolvePromise()));
  });
}
