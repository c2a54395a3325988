/**
 * Turns a re-written TIFF into typed plan pieces. The layout of a TIFF does not move when it is
 * cleaned, so the output is the input's length and every byte is one of two things:
 * - image data (strips, tiles, JPEG previews the plan keeps): copied from the input as `image`;
 * - everything else: taken from the buffer `reemitTiff` wrote from the parsed fields (header, IFD
 *   tables, kept values), `zeros` where nothing kept owns the byte.
 */
import { internalError } from '../../errors.js';
import type { PlanBuilder } from '../plan-builder.js';
import type { ByteRange } from './structure.js';

/** Zero runs shorter than this inside written bytes stay part of one `bytes` piece. */
const minZeroRunBytes = 32;

/**
 * Appends the whole output to `plan`: `images` (sorted, disjoint) copied from the input, the rest
 * from `written`. Returns the output bytes (for the plan's own checks).
 */
export function assemblePieces(plan: PlanBuilder, original: Buffer, written: Buffer, images: readonly ByteRange[]): Buffer {
  if (written.length !== original.length) throw internalError('the re-written TIFF changed length');
  const output = Buffer.from(written);
  let cursor = 0;
  for (const image of images) {
    if (image.offset < cursor || image.offset + image.length > original.length) throw internalError('image ranges overlap or run past the file');
    appendWritten(plan, written, cursor, image.offset);
    plan.copyImage(image.offset, image.length);
    original.copy(output, image.offset, image.offset, image.offset + image.length);
    cursor = image.offset + image.length;
  }
  appendWritten(plan, written, cursor, written.length);
  if (plan.outputLength !== original.length) throw internalError('the TIFF plan does not cover the file');
  return output;
}

/** Appends `written[start, end)` as `bytes` pieces separated by `zeros` runs. */
function appendWritten(plan: PlanBuilder, written: Buffer, start: number, end: number): void {
  let cursor = start;
  while (cursor < end) {
    let firstNonZero = cursor;
    while (firstNonZero < end && written[firstNonZero] === 0) firstNonZero += 1;
    plan.zeros(firstNonZero - cursor);
    if (firstNonZero >= end) return;
    // A `bytes` piece runs until a long enough run of zeros (or the end).
    let last = firstNonZero;
    let probe = firstNonZero;
    while (probe < end) {
      if (written[probe] !== 0) {
        last = probe;
        probe += 1;
      } else if (probe - last >= minZeroRunBytes) {
        break;
      } else {
        probe += 1;
      }
    }
    plan.bytes(Buffer.from(written.subarray(firstNonZero, last + 1)));
    cursor = last + 1;
  }
}

/** `ranges` (merged) without the parts covered by `holes`. */
export function subtractRanges(ranges: readonly ByteRange[], holes: readonly ByteRange[]): ByteRange[] {
  const sortedHoles = [...holes].filter((hole) => hole.length > 0).sort((a, b) => a.offset - b.offset);
  const result: ByteRange[] = [];
  for (const range of ranges) {
    let start = range.offset;
    const end = range.offset + range.length;
    for (const hole of sortedHoles) {
      const holeEnd = hole.offset + hole.length;
      if (holeEnd <= start || hole.offset >= end) continue;
      if (hole.offset > start) result.push({ offset: start, length: hole.offset - start });
      start = Math.max(start, holeEnd);
    }
    if (start < end) result.push({ offset: start, length: end - start });
  }
  return result;
}
