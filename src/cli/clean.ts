/**
 * `traceless clean PATH... [-o DIR] [--in-place] [--only location] [--json]`: writes stripped
 * copies, in parallel, resumable, with progress and a summary.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, extname, join } from 'node:path';
import { runTasks } from '../batch/pool.js';
import type { Task } from '../batch/tasks.js';
import { cleanBuffer, cleanSync, failedResult } from '../clean.js';
import { TracelessError } from '../errors.js';
import { removeStaleTemporaries } from '../io/write.js';
import { renderCleanResult } from '../report/text.js';
import { sanitizeDeep } from '../report/sanitize.js';
import type { CleanMode, CleanOptions, CleanResult } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, looksLikeMedia, type InputFile, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';
import { Progress } from './progress.js';
import { jobsFrom } from './scan.js';
import { readStdin } from './stdin.js';
import { colourEnabled, colours, renderCleanSummary, summariseCleans } from './summary.js';

export interface CleanCommandOptions extends WalkOptions {
  output?: string;
  inPlace?: boolean;
  only?: string;
  json?: boolean;
  force?: boolean;
  dropOrientation?: boolean;
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
  if (dryRun) line.dryRun = true;
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
  return result;
}

function validate(options: CleanCommandOptions): void {
  if (options.inPlace && options.output) throw new TracelessError('USAGE', '--in-place and -o cannot be used together');
  if (options.backup !== undefined && !options.inPlace) throw new TracelessError('USAGE', '--backup only makes sense with --in-place');
  if (options.backup !== undefined && (options.backup === '' || /[\\/]/.test(options.backup))) throw new TracelessError('USAGE', '--backup takes a suffix such as .orig (no slashes)');
}

export async function runClean(paths: string[], options: CleanCommandOptions, output: Output): Promise<number> {
  const mode = parseMode(options.only);
  validate(options);
  if (paths.includes('-')) {
    if (paths.length !== 1) throw new TracelessError('USAGE', '`-` (stdin) cannot be combined with other inputs');
    return cleanStdin(mode, options, output);
  }
  const started = Date.now();
  // Outputs of an earlier run (NAME.clean.EXT) are not inputs when walking folders.
  const inputs = expandInputs(paths, options).filter((input) => input.direct || options.inPlace || options.output || !cleanOutputName.test(basename(input.path)));
  const cleanOptions = libraryOptions(mode, options);
  const tasks: Task[] = inputs.map((input, id) => ({ kind: 'clean', id, path: input.path, destination: outputPathFor(input, options), options: cleanOptions }));
  if (!options.dryRun) {
    for (const folder of new Set(tasks.map((task) => (task.kind === 'clean' ? dirname(task.destination) : '')))) {
      mkdirSync(folder, { recursive: true });
      removeStaleTemporaries(folder);
    }
  }
  const progress = new Progress({ enabled: Progress.shouldShow(options.quiet), totalFiles: inputs.length, totalBytes: inputs.reduce((total, input) => total + input.size, 0) });
  const results: CleanResult[] = [];
  let nonMedia = 0;
  let code: number = exitCodes.ok;
  await runTasks(tasks, jobsFrom(options.jobs), (taskResult) => {
    if (taskResult.kind !== 'clean') return;
    const input = inputs[taskResult.id]!;
    const result = taskResult.result;
    progress.advance(input.size);
    // Files found by walking a folder that are not media at all are skipped silently (counted).
    if (!input.direct && result.format.id === 'unknown' && result.status === 'refused' && !looksLikeMedia(input.path)) {
      nonMedia += 1;
      return;
    }
    results.push(result);
    if (result.status === 'refused' || result.status === 'failed') code = exitCodes.problem;
    progress.clear();
    if (options.json) output.out(jsonLine(result));
    else if (result.status === 'refused' || result.status === 'failed') output.err(renderCleanResult(result));
    else if (!options.quiet) output.out(options.dryRun ? `(dry run) ${renderCleanResult(result).replace(': cleaned ->', ': would clean ->')}` : renderCleanResult(result));
    progress.redraw();
  });
  progress.finish();
  if (inputs.length > 1 || inputs.some((input) => !input.direct)) {
    const summary = summariseCleans(results, nonMedia, (Date.now() - started) / 1000, options.dryRun ?? false);
    output.out(options.json ? JSON.stringify({ summary }) : renderCleanSummary(summary, colours(colourEnabled())));
  }
  return code;
}

/** `traceless clean -`: stdin to stdout (or to the file named by -o); messages go to stderr. */
async function cleanStdin(mode: CleanMode, options: CleanCommandOptions, output: Output): Promise<number> {
  if (options.inPlace) throw new TracelessError('USAGE', '--in-place needs a file, not stdin');
  const content = await readStdin();
  const cleanOptions = libraryOptions(mode, options);
  let result: CleanResult;
  try {
    if (content.kind === 'buffer') {
      const cleaned = cleanBuffer(content.data, cleanOptions, '<stdin>');
      result = cleaned.result;
      if (cleaned.data && !options.dryRun) {
        if (options.output) {
          writeCleanFile(options.output, cleaned.data, options.force ?? false);
          result.output = options.output;
        } else {
          process.stdout.write(cleaned.data);
          result.output = '-';
        }
      }
    } else {
      const destination = options.output ?? join(dirname(content.path), 'output');
      result = { ...cleanSync(content.path, destination, { ...cleanOptions, force: options.force ?? false }), file: '<stdin>' };
      if (!options.output && result.output) {
        await pipeline(createReadStream(result.output), process.stdout, { end: false });
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

function writeCleanFile(path: string, data: Buffer, force: boolean): void {
  try {
    writeFileSync(path, data, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new TracelessError('OUTPUT_EXISTS', `${path} already exists; use --force to overwrite it`);
    throw error;
  }
}

