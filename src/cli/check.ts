/**
 * `traceless check PATH...`: for scripts and hooks. Exit 0 when no file carries location or
 * device metadata, 1 when any does or when a file could not be read in full (it "cannot be shown
 * to be clean"), 2 on bad usage or a file that cannot be opened. Files that are not media (text,
 * code) are ignored so that a hook can pass every staged file; a file named as a photo or video
 * whose bytes traceless does not know is not ignored (it cannot be shown to be clean).
 */
import { TracelessError, asTracelessError } from '../errors.js';
import { inspectSync } from '../inspect.js';
import { sanitize, sanitizeDeep } from '../report/sanitize.js';
import { categoryOrder, type Category } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, looksLikeMedia, type WalkOptions } from './inputs.js';
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

/** The first reasons a file could not be read in full, for one line of text. */
function whyUnread(unreadable: readonly string[]): string {
  const shown = unreadable.slice(0, 2).join('; ').replace(/^not checked: /, '');
  return unreadable.length > 2 ? `${shown}; and ${unreadable.length - 2} more` : shown;
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
        if (inspection.format.id === 'unknown' && !looksLikeMedia(input.path)) continue;
        const present = new Set(inspection.findings.filter((finding) => !finding.retained && blockingCategories.has(finding.category)).map((finding) => finding.category));
        const found = categoryOrder.filter((category) => present.has(category));
        // Read in part only: what was not read may hold anything, so the file fails the check too.
        const unread = inspection.unreadable;
        if (found.length || unread.length) leaks = true;
        const scan = `run: traceless scan ${stdin ? '-' : shellQuote(sanitize(input.path))}`;
        if (options.json) {
          output.out(JSON.stringify(sanitizeDeep({ file: input.path, format: inspection.format.id, leaks: found, ok: found.length === 0 && unread.length === 0, ...(unread.length ? { unreadable: unread } : {}) })));
        } else {
          if (found.length) output.out(`${sanitize(input.path)}: carries ${found.join(' and ')} metadata (${scan})`);
          if (unread.length) output.out(`${sanitize(input.path)}: cannot be shown to be clean: ${sanitize(whyUnread(unread))} (${scan})`);
        }
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
