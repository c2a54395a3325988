/** `traceless clean PATH... [-o DIR] [--in-place] [--only location] [--json]`: writes stripped copies. */
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { cleanSync, failedResult } from '../clean.js';
import { TracelessError } from '../errors.js';
import { renderCleanResult } from '../report/text.js';
import { sanitizeDeep } from '../report/sanitize.js';
import type { CleanMode, CleanResult } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, type InputFile, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';

export interface CleanCommandOptions extends WalkOptions {
  output?: string;
  inPlace?: boolean;
  only?: string;
  json?: boolean;
  force?: boolean;
  dropOrientation?: boolean;
  keepDates?: boolean;
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
  const { file, output, status, removed, error, format, kept, verification, bytesWritten } = result;
  return JSON.stringify(sanitizeDeep({ file, output, status, removed, error, format: format.id, kept, verified: verification?.ok ?? null, bytesWritten }));
}

export function runClean(paths: string[], options: CleanCommandOptions, output: Output): number {
  const mode = parseMode(options.only);
  if (options.inPlace && options.output) throw new TracelessError('USAGE', '--in-place and -o cannot be used together');
  const inputs = expandInputs(paths, options).filter((input) => input.direct || !cleanOutputName.test(basename(input.path, extname(input.path)) + extname(input.path)) || options.inPlace);
  let code: number = exitCodes.ok;
  for (const input of inputs) {
    const destination = outputPathFor(input, options);
    let result: CleanResult;
    try {
      mkdirSync(dirname(destination), { recursive: true });
      result = cleanSync(input.path, destination, {
        only: mode,
        keepOrientation: !options.dropOrientation,
        keepDates: options.keepDates ?? false,
        inPlace: options.inPlace ?? false,
        force: options.force ?? false,
      });
    } catch (error) {
      result = failedResult(input.path, error);
    }
    // Files found by walking a folder that are not media at all are skipped silently.
    if (!input.direct && result.format.id === 'unknown' && result.status === 'refused') continue;
    if (result.status === 'refused' || result.status === 'failed') code = exitCodes.problem;
    if (options.json) output.out(jsonLine(result));
    else if (result.status === 'refused' || result.status === 'failed') output.err(renderCleanResult(result));
    else output.out(renderCleanResult(result));
  }
  return code;
}
