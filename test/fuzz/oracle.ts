/**
 * The fuzz oracle: what must hold for every input, whatever its bytes.
 *
 * 1. Only the documented error type escapes. The format's own `sniff`, `inspect` and `plan` are
 *    called directly (not through the public wrappers, which turn anything into a TracelessError)
 *    and may throw only a TracelessError with a refusal code (TRUNCATED, MALFORMED,
 *    UNSUPPORTED_FORMAT, LIMIT_EXCEEDED). No foreign error is tolerated any more (keep-list issue):
 *    a RangeError from a Buffer read past the end means a read that was not bounded, and a raw zlib
 *    error means a decoder that did not wrap its failure; both are our bugs (the public API reports
 *    them as INTERNAL), like TypeError, ReferenceError, stack overflow or impossible allocations.
 * 1b. Keep-list law: a sentinel smuggled into the input (test/fuzz/mutators.ts) is in no output.
 * 2. The public entry points (`inspectSync`, `cleanBuffer`, `cleanSync`) never throw. Best-effort
 *    `inspectSync` (the default) throws nothing at all for bytes in memory, and never goes silent:
 *    when the strict walk refuses the input, the best-effort report lists something unreadable.
 * 3. When `cleanBuffer` returns bytes (both modes), they verify clean, and cleaning them again
 *    returns `already-clean` with identical bytes (idempotence). When it refuses, no bytes come back,
 *    and the code is a refusal code or VERIFY_FAILED (counted: fail-closed at work, not a failure).
 * 4. `cleanSync` to a folder (and in place) leaves nothing behind when it refuses, leaves the
 *    original untouched, and writes exactly what `cleanBuffer` produced when it succeeds.
 * 5. Bounded work: an input that takes longer than `hangMs` in total is a failure.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanBufferSync as cleanBuffer, cleanSync, detectFormat, inspectSync } from '../../src/index.js';
import { TracelessError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/source.js';
import type { CleanMode } from '../../src/types.js';
import { looseSentinel, strictSentinel } from './mutators.js';

export interface Problem {
  /** Short slug of what was found: `typeerror`, `hang`, `not-idempotent`, … (used in file names). */
  kind: string;
  /** Where: `sniff`, `inspect`, `plan(all)`, `clean(location)`, `reclean(all)`, `disk`, … */
  stage: string;
  detail: string;
  stack?: string;
}

export interface OracleOptions {
  /** Total milliseconds after which an input counts as a hang. */
  hangMs?: number;
  /** When set, also run `cleanSync` into this (scratch) folder. */
  diskDir?: string;
}

export interface OracleResult {
  problems: Problem[];
  /** Milliseconds spent on this input. */
  ms: number;
  /** The format sniffed for the input (`none` for unknown bytes). */
  format: string;
  /** `inspect` outcome: `ok` or the error code. */
  inspect: string;
  /** Per mode: `cleaned`, `already-clean` or the refusal code. */
  clean: Record<CleanMode, string>;
  /** Tolerated foreign errors seen (see the header): `buffer-range`, `zlib`. */
  tolerated: string[];
  /** Where each tolerated error came from: `buffer-range at src/formats/…/x.ts:12 (stage)`. */
  toleratedWhere: string[];
  /** Messages of VERIFY_FAILED refusals (the cleaner planned something that did not verify). */
  verifyFailures: string[];
}

const refusalCodes = new Set(['TRUNCATED', 'MALFORMED', 'UNSUPPORTED_FORMAT', 'LIMIT_EXCEEDED']);
const modes: readonly CleanMode[] = ['all', 'location'];

/** Classifies something thrown by a format module: kind `ok` when it is allowed (`tolerated` says why). */
export function classifyThrown(error: unknown): { kind: string; tolerated?: string } {
  if (error instanceof TracelessError) return refusalCodes.has(error.code) ? { kind: 'ok' } : { kind: `code-${error.code.toLowerCase()}` };
  if (error instanceof RangeError) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_OUT_OF_RANGE' || code === 'ERR_BUFFER_OUT_OF_BOUNDS') return { kind: 'buffer-range' };
    if (code === 'ERR_BUFFER_TOO_LARGE') return { kind: 'zlib' };
    if (/call stack/i.test(error.message)) return { kind: 'stack-overflow' };
    if (/array length|string length|allocation|buffer larger|out of memory/i.test(error.message)) return { kind: 'allocation' };
    return { kind: 'rangeerror' };
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^Z_/.test(code)) return { kind: 'zlib' };
  if (error instanceof TypeError) return { kind: 'typeerror' };
  if (error instanceof ReferenceError) return { kind: 'referenceerror' };
  if (error instanceof SyntaxError) return { kind: 'syntaxerror' };
  if (error instanceof Error) return { kind: 'error' };
  return { kind: 'non-error-thrown' };
}

function describe(error: unknown): { detail: string; stack?: string } {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { detail: `${error.name}${code ? ` [${String(code)}]` : ''}: ${error.message}`, stack: error.stack };
  }
  return { detail: String(error) };
}

/** The first stack frame in our own code (src/), for telling where a tolerated error came from. */
export function sourceFrame(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const frame = stack.split('\n').find((line) => /[/\\]src[/\\]/.test(line));
  return frame?.match(/(src[/\\][^:)]+:\d+)/)?.[1] ?? 'unknown';
}

function codeOf(error: unknown): string {
  return error instanceof TracelessError ? error.code : 'FOREIGN';
}

export function runOracle(input: Buffer, options: OracleOptions = {}): OracleResult {
  const started = performance.now();
  const problems: Problem[] = [];
  const tolerated: string[] = [];
  const result: OracleResult = { problems, ms: 0, format: 'none', inspect: 'ok', clean: { all: 'n/a', location: 'n/a' }, tolerated, toleratedWhere: [], verifyFailures: [] };
  const guard = <T>(stage: string, run: () => T): { value?: T; error?: unknown; threw: boolean } => {
    try {
      return { value: run(), threw: false };
    } catch (error) {
      const verdict = classifyThrown(error);
      if (verdict.tolerated) {
        tolerated.push(verdict.tolerated);
        result.toleratedWhere.push(`${verdict.tolerated} at ${sourceFrame(error)} (${stage})`);
      }
      if (verdict.kind !== 'ok') problems.push({ kind: verdict.kind, stage, ...describe(error) });
      return { error, threw: true };
    }
  };
  /** The public entry points must not throw at all. */
  const mustNotThrow = <T>(stage: string, run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      problems.push({ kind: `${stage.replace(/\(.*$/, '')}-threw`, stage, ...describe(error) });
      return undefined;
    }
  };

  // 1. The format module itself.
  const sniffed = guard('sniff', () => detectFormat(input.subarray(0, 64)));
  const handler = sniffed.value;
  result.format = handler?.id ?? 'none';
  if (handler) {
    const inspected = guard('inspect', () => handler.inspect(new BufferSource(input)));
    result.inspect = inspected.threw ? codeOf(inspected.error) : 'ok';
  }
  const planned = new Map<CleanMode, boolean>();
  if (handler?.plan && handler.cleanable) {
    for (const mode of modes) {
      const plan = guard(`plan(${mode})`, () => handler.plan!(new BufferSource(input), { mode, keepOrientation: true, keepDates: false }));
      planned.set(mode, !plan.threw);
    }
  }

  // 2. The public API.
  // (The strict public path is the walker above, wrapped: its refusals are covered there.)
  const bestEffort = mustNotThrow('inspectSync', () => inspectSync(input));
  if (bestEffort && result.inspect !== 'ok' && bestEffort.unreadable.length === 0) {
    problems.push({ kind: 'silent', stage: 'inspectSync', detail: `the strict walk refused the input (${result.inspect}), yet the best-effort report lists nothing unreadable` });
  }
  const outputs = new Map<CleanMode, Buffer>();
  for (const mode of modes) {
    const cleaned = mustNotThrow(`clean(${mode})`, () => cleanBuffer(input, { only: mode }));
    if (!cleaned) continue;
    const { result: clean, data } = cleaned;
    if (data) {
      result.clean[mode] = clean.status;
      outputs.set(mode, data);
      // The keep-list law: a sentinel smuggled into the input is never in an output (the loose one
      // sits where location mode may keep a text value, so only the default mode answers for it).
      for (const text of mode === 'all' ? [strictSentinel, looseSentinel] : [strictSentinel]) {
        if (input.includes(text, 0, 'latin1') && data.includes(text, 0, 'latin1')) problems.push({ kind: 'sentinel-kept', stage: `clean(${mode})`, detail: `the output still holds the sentinel ${text} smuggled into the input` });
      }
      if (clean.status !== 'cleaned' && clean.status !== 'already-clean') problems.push({ kind: 'bad-status', stage: `clean(${mode})`, detail: `bytes returned with status ${clean.status}` });
      if (!clean.verification?.ok) problems.push({ kind: 'unverified-output', stage: `clean(${mode})`, detail: `output returned although it does not verify: ${clean.verification?.problems.join('; ')}` });
      if (planned.get(mode) === false) problems.push({ kind: 'plan-disagrees', stage: `clean(${mode})`, detail: 'the format refused to plan, yet cleanBuffer returned bytes' });
      const again = mustNotThrow(`reclean(${mode})`, () => cleanBuffer(data, { only: mode }));
      if (again) {
        if (again.result.status !== 'already-clean') {
          problems.push({ kind: 'not-idempotent', stage: `reclean(${mode})`, detail: `cleaning the output again gave ${again.result.status}${again.result.error ? ` (${again.result.error.code}: ${again.result.error.message})` : ''}; removed: ${again.result.removed.map((removal) => removal.where).join(', ')}` });
        } else if (!again.data?.equals(data)) {
          problems.push({ kind: 'not-idempotent', stage: `reclean(${mode})`, detail: `cleaning the output again changed its bytes (${data.length} -> ${again.data?.length})` });
        }
      }
    } else {
      const code = clean.error?.code ?? 'NONE';
      result.clean[mode] = code;
      if (code === 'VERIFY_FAILED') result.verifyFailures.push(`${mode}: ${clean.error?.message}`);
      if (clean.status !== 'refused' && clean.status !== 'failed') problems.push({ kind: 'bad-status', stage: `clean(${mode})`, detail: `no bytes returned with status ${clean.status}` });
      if (!refusalCodes.has(code) && code !== 'VERIFY_FAILED') problems.push({ kind: `code-${code.toLowerCase()}`, stage: `clean(${mode})`, detail: clean.error?.message ?? 'no error' });
      if (planned.get(mode) === true && code !== 'VERIFY_FAILED') problems.push({ kind: 'plan-disagrees', stage: `clean(${mode})`, detail: `the format planned a clean, yet cleanBuffer refused: ${code}: ${clean.error?.message}` });
      if (!clean.error?.message) problems.push({ kind: 'no-message', stage: `clean(${mode})`, detail: 'a refusal without a message' });
    }
  }

  // 3. On disk: nothing left behind on refusal, exactly the clean bytes on success.
  if (options.diskDir) checkDisk(input, options.diskDir, outputs.get('all'), problems, mustNotThrow);

  result.ms = performance.now() - started;
  if (options.hangMs !== undefined && result.ms > options.hangMs) {
    problems.push({ kind: 'hang', stage: 'all', detail: `${Math.round(result.ms)} ms for ${input.length} bytes (limit ${options.hangMs} ms)` });
  }
  return result;
}

function checkDisk(input: Buffer, dir: string, expected: Buffer | undefined, problems: Problem[], mustNotThrow: <T>(stage: string, run: () => T) => T | undefined): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const output = join(dir, 'out.bin');
    const written = mustNotThrow('cleanSync', () => cleanSync(input, output));
    if (written) {
      const files = readdirSync(dir);
      if (written.status === 'cleaned' || written.status === 'already-clean') {
        if (files.length !== 1 || files[0] !== 'out.bin') problems.push({ kind: 'disk-leftover', stage: 'disk', detail: `after a clean the folder holds ${JSON.stringify(files)}` });
        else if (!expected || !readFileSync(output).equals(expected)) problems.push({ kind: 'disk-mismatch', stage: 'disk', detail: 'cleanSync wrote other bytes than cleanBuffer returned' });
      } else if (files.length > 0) {
        problems.push({ kind: 'disk-leftover', stage: 'disk', detail: `cleanSync refused (${written.error?.code}) but left ${JSON.stringify(files)}` });
      } else if (expected) {
        problems.push({ kind: 'disk-mismatch', stage: 'disk', detail: `cleanSync refused (${written.error?.code}: ${written.error?.message}) what cleanBuffer cleaned` });
      }
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // In place: the original stays byte for byte when refused; nothing else appears.
    const original = join(dir, 'in-place.bin');
    writeFileSync(original, input);
    const replaced = mustNotThrow('cleanSync(in-place)', () => cleanSync(original, null, { inPlace: true }));
    if (replaced) {
      const files = readdirSync(dir);
      if (files.length !== 1) problems.push({ kind: 'disk-leftover', stage: 'disk(in-place)', detail: `the folder holds ${JSON.stringify(files)} after an in-place clean (${replaced.status})` });
      const now = readFileSync(original);
      if (replaced.status === 'cleaned' || replaced.status === 'already-clean') {
        if (!expected || !now.equals(replaced.status === 'already-clean' ? input : expected)) problems.push({ kind: 'disk-mismatch', stage: 'disk(in-place)', detail: 'the in-place result differs from cleanBuffer' });
      } else if (!now.equals(input)) {
        problems.push({ kind: 'original-changed', stage: 'disk(in-place)', detail: `the original changed although the clean was ${replaced.status}` });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
