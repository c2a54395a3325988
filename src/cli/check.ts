/**
 * `traceless check PATH...`: for scripts and hooks. Exit 0 when no file carries location or
 * device metadata, 1 when any does, 2 on bad usage or unreadable input. Files that are not media
 * (text, code) are ignored so that a hook can pass every staged file.
 */
import { TracelessError, asTracelessError } from '../errors.js';
import { inspectSync } from '../inspect.js';
import { sanitize, sanitizeDeep } from '../report/sanitize.js';
import { categoryOrder, type Category } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';
import { shellQuote } from './shell-quote.js';
import { readStdin } from './stdin.js';

export interface CheckOptions extends WalkOptions {
  json?: boolean;
  /** Comma-separated categories that fail the check (default `location,device`). */
  failOn?: string;
}

const defaultFailOn: readonly Category[] = ['location', 'device'];

export function parseFailOn(value: string | undefined): ReadonlySet<Category> {
  if (value === undefined) return new Set(defaultFailOn);
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((name) => !(categoryOrder as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new TracelessError('USAGE', `--fail-on takes a comma-separated list of ${categoryOrder.join(', ')} (got "${value}")`);
  }
  return new Set(names as Category[]);
}

export async function runCheck(paths: string[], options: CheckOptions, output: Output): Promise<number> {
  const blockingCategories = parseFailOn(options.failOn);
  let leaks = false;
  let unreadable = false;
  let stdin: Awaited<ReturnType<typeof readStdin>> | undefined;
  if (paths.includes('-')) {
    if (paths.length !== 1) throw new TracelessError('USAGE', '`-` (stdin) cannot be combined with other inputs');
    stdin = await readStdin();
  }
  const inputs = stdin ? [{ path: '<stdin>', relative: '<stdin>', direct: true, size: 0 }] : expandInputs(paths, options);
  try {
    for (const input of inputs) {
      try {
        const inspection = stdin ? (stdin.kind === 'buffer' ? inspectSync(stdin.data, '<stdin>') : { ...inspectSync(stdin.path), file: '<stdin>' }) : inspectSync(input.path);
        if (inspection.format.id === 'unknown') continue;
        const present = new Set(inspection.findings.filter((finding) => !finding.retained && blockingCategories.has(finding.category)).map((finding) => finding.category));
        const found = categoryOrder.filter((category) => present.has(category));
        if (found.length) leaks = true;
        if (options.json) output.out(JSON.stringify(sanitizeDeep({ file: input.path, format: inspection.format.id, leaks: found, ok: found.length === 0 })));
        else if (found.length) output.out(`${sanitize(input.path)}: carries ${found.join(' and ')} metadata (run: traceless scan ${stdin ? '-' : shellQuote(sanitize(input.path))})`);
      } catch (error) {
        unreadable = true;
        const problem = asTracelessError(error, input.path);
        if (options.json) output.out(JSON.stringify(sanitizeDeep({ file: input.path, error: { code: problem.code, message: problem.describe() } })));
        else output.err(`${sanitize(problem.describe())}`);
      }
    }
  } finally {
    if (stdin?.kind === 'file') stdin.cleanup();
  }
  if (unreadable) return exitCodes.usage;
  return leaks ? exitCodes.problem : exitCodes.ok;
}
