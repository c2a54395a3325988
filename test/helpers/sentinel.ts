/**
 * The crafted-file law (keep-list issue): a sentinel smuggled into the slack of a structure that a
 * cleaner keeps (trailing bytes, unused tables, names, nested containers, unreferenced data) must
 * not be in the output — in either mode — or the file must be refused. Nothing in between.
 */
import { expect } from 'vitest';
import { cleanBufferSync as cleanBuffer } from '../../src/clean.js';
import type { CleanMode, CleanResult } from '../../src/types.js';

/** Distinctive text that no real file holds; long enough that the residue check searches for it. */
export const sentinel = 'TRACELESS-SENTINEL-Q7X2';
export const sentinelBytes = Buffer.from(sentinel, 'latin1');

/** The sentinel as it might be hidden: plain, UTF-16 (both orders). */
export function sentinelEncodings(text = sentinel): Buffer[] {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le);
  be.swap16();
  return [Buffer.from(text, 'utf8'), le, be];
}

export function containsSentinel(data: Buffer, text = sentinel): boolean {
  return sentinelEncodings(text).some((encoded) => data.includes(encoded));
}

export interface ModeOutcome {
  mode: CleanMode;
  result: CleanResult;
  data: Buffer | null;
}

export function cleanInBothModes(input: Buffer): ModeOutcome[] {
  return (['all', 'location'] as const).map((mode) => ({ mode, ...cleanBuffer(input, { only: mode }) }));
}

/**
 * Asserts the law for one crafted input: each mode either refuses (nothing written) or writes an
 * output without the sentinel. Returns the outcomes for further checks.
 */
export function expectSentinelGone(input: Buffer, text = sentinel): ModeOutcome[] {
  const outcomes = cleanInBothModes(input);
  for (const outcome of outcomes) {
    if (outcome.data === null) {
      expect(['refused', 'failed'], `${outcome.mode}: ${JSON.stringify(outcome.result.error)}`).toContain(outcome.result.status);
      expect(outcome.result.error?.code, `${outcome.mode}: an INTERNAL error is our bug`).not.toBe('INTERNAL');
      continue;
    }
    expect(containsSentinel(outcome.data, text), `${outcome.mode} mode output still holds the sentinel`).toBe(false);
  }
  return outcomes;
}

/** Asserts that both modes wrote an output (the crafted structure was removed, not refused). */
export function expectCleanedInBothModes(outcomes: readonly ModeOutcome[]): void {
  for (const outcome of outcomes) expect(outcome.data, `${outcome.mode}: ${JSON.stringify(outcome.result.error)}`).not.toBeNull();
}
