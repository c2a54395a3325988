/**
 * The output of a clean plan, readable as a ByteSource before a byte of it is written: pieces
 * copied from the input are served straight from the input (no copy for in-memory inputs), so a
 * plan can be verified first and then written, at any size, in bounded memory.
 */
import { checkRange } from '../errors.js';
import type { Piece } from '../formats/types.js';
import type { ByteSource } from './source.js';

export class PlanSource implements ByteSource {
  readonly size: number;
  private readonly starts: number[] = [];

  constructor(
    private readonly pieces: readonly Piece[],
    private readonly input: ByteSource,
    readonly name: string,
  ) {
    let offset = 0;
    for (const piece of pieces) {
      this.starts.push(offset);
      offset += piece.kind === 'bytes' ? piece.data.length : piece.length;
    }
    this.size = offset;
  }

  read(offset: number, length: number): Buffer {
    checkRange(offset, length, this.size, this.name);
    if (length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let index = this.pieceAt(offset);
    let position = offset;
    const end = offset + length;
    while (position < end) {
      const piece = this.pieces[index]!;
      const start = this.starts[index]!;
      const pieceLength = piece.kind === 'bytes' ? piece.data.length : piece.length;
      const from = position - start;
      const take = Math.min(pieceLength - from, end - position);
      if (take > 0) {
        if (piece.kind === 'bytes') parts.push(piece.data.subarray(from, from + take));
        else if (piece.kind === 'zeros') parts.push(Buffer.alloc(take));
        else parts.push(this.input.read(piece.offset + from, take));
        position += take;
      }
      index += 1;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  }

  /**
   * The input bytes behind output offset `offset` when it lies in a piece copied from the input:
   * where in the input, how many bytes of the piece are left from there, and what the plan says
   * they are. Format walkers use it to skip data their own walk of the input already checked
   * (they confirm the range against that walk; the plan's word alone is never trusted).
   */
  copiedFrom(offset: number): { input: ByteSource; inputOffset: number; length: number; content: 'image' | 'samples' | undefined } | undefined {
    if (offset < 0 || offset >= this.size) return undefined;
    const index = this.pieceAt(offset);
    const piece = this.pieces[index]!;
    if (piece.kind !== 'copy') return undefined;
    const from = offset - this.starts[index]!;
    return { input: this.input, inputOffset: piece.offset + from, length: piece.length - from, content: piece.content };
  }

  /** Binary search for the piece that holds `offset`. */
  private pieceAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  close(): void {}
}
