/**
 * Edits to the input, expressed against input offsets, and their conversion into a clean plan.
 *
 * Every edit keeps the file's length: a removed box becomes a `free` box of the same size whose
 * payload is all zeros, a removed field becomes zeros. Nothing moves, so `stco`/`co64` chunk
 * offsets stay valid and `mdat` is copied as it is, in bounded chunks, whatever its size.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { Box } from '../isobmff/boxes.js';
import type { Piece } from '../types.js';

/** Replace `length` bytes at `offset` with `data`, or with zeros when `data` is absent. */
export interface Edit {
  offset: number;
  length: number;
  data?: Buffer;
}

export class EditList {
  readonly edits: Edit[] = [];

  zero(offset: number, length: number): void {
    if (length > 0) this.edits.push({ offset, length });
  }

  write(offset: number, data: Buffer): void {
    if (data.length > 0) this.edits.push({ offset, length: data.length, data });
  }

  /** Turns `box` into a `free` box of the same size with an all-zero payload. */
  freeBox(source: ByteSource, box: Box): void {
    const sizeField = source.read(box.offset, 4).readUInt32BE(0);
    const header = Buffer.alloc(sizeField === 1 ? 16 : 8);
    header.writeUInt32BE(sizeField, 0);
    header.write('free', 4, 'latin1');
    if (sizeField === 1) header.writeBigUInt64BE(BigInt(box.size), 8);
    this.write(box.offset, header);
    this.zero(box.offset + header.length, box.size - header.length);
  }

  /** Sorted, with neighbouring zero runs merged; overlapping edits that disagree are a bug in the walker. */
  normalised(): Edit[] {
    const sorted = [...this.edits].sort((a, b) => a.offset - b.offset || b.length - a.length);
    const result: Edit[] = [];
    for (const edit of sorted) {
      const last = result[result.length - 1];
      if (last && edit.offset < last.offset + last.length) {
        const bothZero = last.data === undefined && edit.data === undefined;
        if (!bothZero) throw new TracelessError('MALFORMED', `boxes overlap at offset ${edit.offset}; the file cannot be cleaned safely`);
        last.length = Math.max(last.length, edit.offset + edit.length - last.offset);
        continue;
      }
      if (last && last.data === undefined && edit.data === undefined && edit.offset === last.offset + last.length) {
        last.length += edit.length;
        continue;
      }
      result.push({ ...edit });
    }
    return result;
  }
}

/** The clean file as pieces: input ranges copied between edits, edits written as bytes or zeros. */
export function piecesFor(edits: readonly Edit[], size: number): Piece[] {
  const pieces: Piece[] = [];
  let cursor = 0;
  for (const edit of edits) {
    if (edit.offset > cursor) pieces.push({ kind: 'copy', offset: cursor, length: edit.offset - cursor });
    pieces.push(edit.data ? { kind: 'bytes', data: edit.data } : { kind: 'zeros', length: edit.length });
    cursor = edit.offset + edit.length;
  }
  if (cursor < size) pieces.push({ kind: 'copy', offset: cursor, length: size - cursor });
  return pieces;
}
