/**
 * The output of a clean plan, readable as a ByteSource before a byte of it is written: pieces
 * copied from the input are served straight from the input (no copy for in-memory inputs), so a
 * plan can be verified first and then written, at any size, in bounded memory.
 */
import { checkRange } from '../errors.js';
import type { Piece } from '../formats/types.js';
import type { ByteSource } from './source.js';

function pieceLength(piece: Piece): number {
  return piece.kind === 'bytes' ? piece.data.length : piece.length;
}

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
      offset += pieceLength(piece);
    }
    this.size = offset;
  }

  read(offset: number, length: number): Buffer {
    checkRange(offset, length, this.size, this.name);
    if (length === 0) return Buffer.alloc(0);
    // Within one piece: straight from it (no copy for in-memory inputs).
    const first = this.pieceAt(offset);
    const firstEnd = this.starts[first]! + pieceLength(this.pieces[first]!);
    if (offset + length <= firstEnd) return this.render(offset, length);
    if (offset >= this.windowStart && offset + length <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
    }
    // Across a few pieces (a marker after copied image data): put together as asked.
    if (this.pieceAt(offset + length - 1) - first < PlanSource.densePieces) return this.render(offset, length);
    // Across many small pieces: from a rendered window, so that walkers reading ahead in fixed
    // windows over thousands of small pieces (a GIF of repeated blocks) do not gather the same
    // pieces again and again — each window is put together once.
    this.windowStart = offset;
    this.window = this.render(offset, this.windowEnd(offset + length, offset + PlanSource.windowBytes) - offset);
    return this.window.subarray(0, length);
  }

  /**
   * Where a window asked for up to `end` may stop: whole pieces after it are added up to `limit`,
   * but never a large copy from the input (image data a walker skips must not be read for it).
   */
  private windowEnd(end: number, limit: number): number {
    let windowEnd = end;
    for (let index = this.pieceAt(end - 1) + 1; index < this.pieces.length; index++) {
      const piece = this.pieces[index]!;
      const pieceEnd = this.starts[index]! + pieceLength(piece);
      if (pieceEnd > limit || (piece.kind === 'copy' && piece.length > PlanSource.smallCopyBytes)) break;
      windowEnd = pieceEnd;
    }
    return windowEnd;
  }

  private static readonly smallCopyBytes = 4096;
  /** A read across this many pieces or more is served from a window. */
  private static readonly densePieces = 8;
  private windowStart = 0;
  private window: Buffer = Buffer.alloc(0);
  private static readonly windowBytes = 1024 * 1024;

  /** The output bytes `offset` … `offset + length`, put together from the pieces. */
  private render(offset: number, length: number): Buffer {
    const parts: Buffer[] = [];
    let index = this.pieceAt(offset);
    let position = offset;
    const end = offset + length;
    while (position < end) {
      const piece = this.pieces[index]!;
      const start = this.starts[index]!;
      const from = position - start;
      const take = Math.min(pieceLength(piece) - from, end - position);
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

  /**
   * How many bytes from `offset` on the plan writes as zeros (a run of `zeros` pieces; 0 when the
   * byte there is not one of them). The writer renders those pieces as zero bytes whatever the
   * input held, so a check for non-zero bytes may step over them instead of rendering gigabytes.
   */
  zerosFrom(offset: number): number {
    if (offset < 0 || offset >= this.size) return 0;
    let at = offset;
    for (let index = this.pieceAt(offset); index < this.pieces.length && this.pieces[index]!.kind === 'zeros'; index++) {
      at = this.starts[index]! + (this.pieces[index] as { length: number }).length;
    }
    return at - offset;
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
