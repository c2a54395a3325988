/**
 * `traceless check PATH...`: for scripts and hooks. Exit 0 when no file carries location or
 * device metadata, 1 when any does, 2 on bad usage or unreadable input. Files that are not media
 * (text, code) are ignored so that a hook can pass every staged file.
 */
import { asTracelessError } from '../errors.js';
import { inspectSync } from '../inspect.js';
import { sanitize, sanitizeDeep } from '../report/sanitize.js';
import { categoryOrder, type Category } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';

export interface CheckOptions extends WalkOptions {
  json?: boolean;
}

const blockingCategories: ReadonlySet<Category> = new Set(['location', 'device']);

export function runCheck(paths: string[], options: CheckOptions, output: Output): number {
  let leaks = false;
  let unreadable = false;
  for (const input of expandInputs(paths, options)) {
    try {
      const inspection = inspectSync(input.path);
      if (inspection.format.id === 'unknown') continue;
      const present = new Set(inspection.findings.filter((finding) => !finding.retained && blockingCategories.has(finding.category)).map((finding) => finding.category));
      const found = categoryOrder.filter((category) => present.has(category));
      if (found.length) leaks = true;
      if (options.json) output.out(JSON.stringify(sanitizeDeep({ file: input.path, format: inspection.format.id, leaks: found, ok: found.length === 0 })));
      else if (found.length) output.out(`${sanitize(input.path)}: carries ${found.join(' and ')} metadata (run: traceless scan "${sanitize(input.path)}")`);
    } catch (error) {
      unreadable = true;
      const problem = asTracelessError(error, input.path);
      if (options.json) output.out(JSON.stringify(sanitizeDeep({ file: input.path, error: { code: problem.code, message: problem.describe() } })));
      else output.err(`${sanitize(problem.describe())}`);
    }
  }
  if (unreadable) return exitCodes.usage;
  return leaks ? exitCodes.problem : exitCodes.ok;
}
