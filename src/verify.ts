/**
 * Verification: re-inspect an output and check that nothing that must be gone remains. Two
 * independent checks: no finding other than what is kept on purpose, and a second clean of the
 * output would remove nothing (which is also what makes cleaning idempotent).
 */
import { asTracelessError } from './errors.js';
import type { FormatHandler, PlanOptions } from './formats/types.js';
import { handlerFor, inspectSource } from './inspect.js';
import { sourceFor, type ByteSource, type Input } from './io/source.js';
import type { CleanMode, Finding, VerifyResult } from './types.js';
import type { CleanPlan } from './formats/types.js';
import { checkPlanPieces, residueProblems } from './plan-check.js';

/**
 * Findings that must not remain after a clean in this mode. With `keepDates`, times are kept on
 * request (video container times); anything a clean would still remove is caught by the second check.
 */
export function forbiddenFindings(findings: readonly Finding[], mode: CleanMode, keepDates = false): Finding[] {
  return findings.filter((finding) => (mode === 'location' ? finding.category === 'location' : !finding.retained && !(keepDates && finding.category === 'time')));
}

export function verifySource(source: ByteSource, options: PlanOptions, expected?: FormatHandler): VerifyResult {
  const handler = handlerFor(source);
  const result: VerifyResult = { ok: false, remaining: [], removableBlocks: [], problems: [] };
  if (!handler) {
    result.problems.push('the output is not a recognised format');
    return result;
  }
  if (expected && handler.id !== expected.id) result.problems.push(`the output reads as ${handler.name}, not ${expected.name}`);
  if (!handler.plan) {
    result.problems.push(`${handler.name} files cannot be verified by traceless`);
    return result;
  }
  try {
    const inspection = inspectSource(source, handler);
    result.remaining = forbiddenFindings(inspection.findings, options.mode, options.keepDates);
    if (inspection.unreadable.length > 0) result.problems.push(`parts could not be read: ${inspection.unreadable.join('; ')}`);
    const again = handler.plan(source, options);
    result.removableBlocks = again.removed.map((removal) => removal.where);
  } catch (error) {
    result.problems.push(`the output cannot be read back: ${asTracelessError(error).message}`);
  }
  for (const finding of result.remaining) result.problems.push(`still present: ${finding.label} (${finding.where})`);
  for (const where of result.removableBlocks) result.problems.push(`still present: metadata block ${where}`);
  result.ok = result.problems.length === 0;
  return result;
}

/**
 * Verifies a planned output before it is written: the re-inspection and second-clean checks of
 * `verifySource`, plus the two checks that do not share the inspector's blind spots — every piece
 * typed (only image/sample data copied from the input) and no removed value left in the bytes.
 */
export function verifyPlan(plan: CleanPlan, input: ByteSource, output: ByteSource, options: PlanOptions, handler: FormatHandler): VerifyResult {
  const result = verifySource(output, options, handler);
  const extra = checkPlanPieces(plan.pieces, input.size);
  try {
    const inputInspection = inspectSource(input, handler);
    if (extra.length === 0) extra.push(...residueProblems(output, inputInspection, options.mode, options.keepDates, plan.pieces));
  } catch (error) {
    extra.push(`the input could not be re-read to check the output for its values: ${asTracelessError(error).message}`);
  }
  result.problems.push(...extra);
  result.ok = result.problems.length === 0;
  return result;
}

/**
 * Checks that a file carries nothing that `clean` would remove (in `mode`).
 * @example const { ok, problems } = await verify('photo.clean.jpg');
 */
export async function verify(input: Input, options: { only?: CleanMode; keepOrientation?: boolean; keepDates?: boolean } = {}): Promise<VerifyResult> {
  const source = sourceFor(input);
  try {
    return verifySource(source, { mode: options.only ?? 'all', keepOrientation: options.keepOrientation ?? true, keepDates: options.keepDates ?? false });
  } finally {
    source.close();
  }
}
