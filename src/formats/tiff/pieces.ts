/**
 * Turns an edited copy of a file into plan pieces: unchanged runs are copied from the source,
 * changed runs become `zeros` (when all zero) or `bytes`. Runs of change separated by only a few
 * unchanged bytes are joined, so that a table rewrite is one piece and not dozens.
 */
import type { Piece } from '../types.js';

const chunkBytes = 64 * 1024;
/** Unchanged bytes shorter than this between two changes are folded into one `bytes` piece. */
const joinGapBytes = 32;

export function diffPieces(original: Buffer, edited: Buffer): Piece[] {
  if (original.length !== edited.length) throw new RangeError('edited copy changed length');
  const changes: { start: number; end: number }[] = [];
  for (let chunk = 0; chunk < original.length; chunk += chunkBytes) {
    const chunkEnd = Math.min(original.length, chunk + chunkBytes);
    if (original.subarray(chunk, chunkEnd).equals(edited.subarray(chunk, chunkEnd))) continue;
    for (let index = chunk; index < chunkEnd; index++) {
      if (original[index] === edited[index]) continue;
      const last = changes[changes.length - 1];
      if (last && index - last.end < joinGapBytes) last.end = index + 1;
      else changes.push({ start: index, end: index + 1 });
    }
  }
  const pieces: Piece[] = [];
  let cursor = 0;
  for (const change of changes) {
    if (change.start > cursor) pieces.push({ kind: 'copy', offset: cursor, length: change.start - cursor });
    const data = edited.subarray(change.start, change.end);
    pieces.push(data.every((byte) => byte === 0) ? { kind: 'zeros', length: data.length } : { kind: 'bytes', data: Buffer.from(data) });
    cursor = change.end;
  }
  if (cursor < original.length) pieces.push({ kind: 'copy', offset: cursor, length: original.length - cursor });
  return pieces;
}
