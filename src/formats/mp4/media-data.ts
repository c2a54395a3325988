/**
 * The output of `mdat`: its header re-written, the byte ranges kept tracks reference (their samples)
 * copied, and every other byte — samples of removed tracks, bytes no sample table points to —
 * written as zeros. ISO/IEC 14496-12:2022 §8.1.1: `mdat` holds only what sample tables reference.
 */
import { transientReader, type ByteSource } from '../../io/source.js';
import { payloadStart, boxEnd, type Box } from '../isobmff/boxes.js';
import type { PlanBuilder } from '../plan-builder.js';
import { isAllZero } from './bytes.js';
import type { ByteRange } from './sample-table.js';
import { boxHeader } from './structure.js';

/**
 * Sorted, merged (touching ranges too), empty ranges dropped. A movie may list hundreds of thousands
 * of chunks (or the same chunks from thousands of tracks): the starts and the ends are sorted apart,
 * as numbers (no comparison callback), and swept — a range opens at a start and the union closes
 * when as many ends as starts have passed. A start at the same offset as an end comes first, so
 * touching ranges join.
 */
export function mergeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  let count = 0;
  for (const range of ranges) if (range.length > 0) count++;
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  let index = 0;
  for (const range of ranges) {
    if (range.length <= 0) continue;
    starts[index] = range.offset;
    ends[index] = range.offset + range.length;
    index++;
  }
  starts.sort();
  ends.sort();
  const merged: ByteRange[] = [];
  let open = 0;
  let from = 0;
  for (let start = 0, end = 0; end < count; ) {
    if (start < count && starts[start]! <= ends[end]!) {
      if (open++ === 0) from = starts[start]!;
      start++;
    } else {
      if (--open === 0) merged.push({ offset: from, length: ends[end]! - from });
      end++;
    }
  }
  return merged;
}

/** `kept` minus `removed` (both merged). */
export function subtractRanges(kept: readonly ByteRange[], removed: readonly ByteRange[]): ByteRange[] {
  const result: ByteRange[] = [];
  let cut = 0;
  for (const range of kept) {
    let start = range.offset;
    const end = range.offset + range.length;
    while (cut < removed.length && removed[cut]!.offset + removed[cut]!.length <= start) cut++;
    for (let index = cut; index < removed.length && removed[index]!.offset < end; index++) {
      const hole = removed[index]!;
      if (hole.offset > start) result.push({ offset: start, length: hole.offset - start });
      start = Math.max(start, hole.offset + hole.length);
    }
    if (start < end) result.push({ offset: start, length: end - start });
  }
  return result;
}

/** The first kept range that does not lie wholly inside the payload of one `mdat`. */
export function rangeOutsideMediaData(kept: readonly ByteRange[], mediaData: readonly Box[]): ByteRange | undefined {
  const payloads = mediaData.map((box) => ({ start: payloadStart(box), end: boxEnd(box) })).sort((a, b) => a.start - b.start);
  let index = 0;
  for (const range of kept) {
    while (index < payloads.length && payloads[index]!.end <= range.offset) index++;
    const payload = payloads[index];
    if (!payload || range.offset < payload.start || range.offset + range.length > payload.end) return range;
  }
  return undefined;
}

/** Bytes of each `mdat` payload that no kept range covers. */
export function unreferencedRanges(kept: readonly ByteRange[], mediaData: readonly Box[]): ByteRange[] {
  return subtractRanges(
    mediaData.map((box) => ({ offset: payloadStart(box), length: boxEnd(box) - payloadStart(box) })).sort((a, b) => a.offset - b.offset),
    kept,
  );
}

/** True when any of `ranges` holds a non-zero byte (read in bounded chunks, stopping at the first). */
export function anyNonZero(source: ByteSource, ranges: readonly ByteRange[]): boolean {
  // One clean asks this of the same source up to twice (its plan, and the inspection verification
  // makes of it); on a multi-gigabyte file each answer is a full read, so it is remembered.
  const key = ranges.map((range) => `${range.offset}+${range.length}`).join(',');
  let answers = nonZeroAnswers.get(source);
  const known = answers?.get(key);
  if (known !== undefined) return known;
  let found = false;
  // Through one small reused buffer: fresh 4 MB buffers were most of the time of a clean of a
  // multi-gigabyte video.
  const read = transientReader(source, zeroScanBytes);
  for (const range of ranges) {
    for (let done = 0; done < range.length && !found; ) {
      // A planned output's zero runs are zero by construction (the writer renders them so).
      const knownZero = source.zerosFrom?.(range.offset + done) ?? 0;
      if (knownZero > 0) {
        done += knownZero;
        continue;
      }
      const length = Math.min(zeroScanBytes, range.length - done);
      if (!isAllZero(read(range.offset + done, length))) found = true;
      done += length;
    }
    if (found) break;
  }
  if (!answers) nonZeroAnswers.set(source, (answers = new Map()));
  answers.set(key, found);
  return found;
}

/** Bytes read at a time from a file by `anyNonZero`: a buffer that stays in the CPU cache. */
const zeroScanBytes = 64 * 1024;

/** `anyNonZero` answers per source (a source is one open file or one planned output, never changed). */
const nonZeroAnswers = new WeakMap<ByteSource, Map<string, boolean>>();

/** Appends one `mdat` to the plan: header bytes, copied samples, zeros between them. */
export function planMediaData(builder: PlanBuilder, source: ByteSource, mdat: Box, copies: readonly ByteRange[]): void {
  builder.bytes(boxHeader(source, mdat));
  let cursor = payloadStart(mdat);
  const end = boxEnd(mdat);
  for (const range of copies) {
    if (range.offset + range.length <= cursor) continue;
    if (range.offset >= end) break;
    const start = Math.max(range.offset, cursor);
    const stop = Math.min(range.offset + range.length, end);
    builder.zeros(start - cursor);
    builder.copySamples(start, stop - start);
    cursor = stop;
  }
  builder.zeros(end - cursor);
}
