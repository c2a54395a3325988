/**
 * The one plan builder every format uses: typed pieces (image or sample data copied from the input,
 * bytes written by traceless, zeros), neighbours merged, plus the list of what was removed and kept.
 *
 * Keep-list rule (README "Keep-list down to the byte"): only image/sample data may be copied; every
 * other kept structure is re-written from the fields the format parsed and validated and handed to
 * `bytes`; a removed structure whose place must not move is handed to `zeros`.
 */
import { internalError } from '../errors.js';
import type { BlockKind } from '../types.js';
import type { CleanPlan, CopiedContent, Piece, PlanRemoval } from './types.js';

export class PlanBuilder {
  readonly pieces: Piece[] = [];
  readonly removed: PlanRemoval[] = [];
  private readonly keptSet = new Set<string>();
  /** Output bytes planned so far. */
  outputLength = 0;

  /** Copies image data (entropy-coded data, IDAT, bitstreams, coded items, strips, tiles). */
  copyImage(offset: number, length: number): this {
    return this.copy(offset, length, 'image');
  }

  /** Copies audio/video samples. */
  copySamples(offset: number, length: number): this {
    return this.copy(offset, length, 'samples');
  }

  copy(offset: number, length: number, content: CopiedContent): this {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) throw internalError(`a copy of ${length} bytes at ${offset}`);
    if (length === 0) return this;
    const last = this.pieces[this.pieces.length - 1];
    if (last?.kind === 'copy' && last.content === content && last.offset + last.length === offset) last.length += length;
    else this.pieces.push({ kind: 'copy', offset, length, content });
    this.outputLength += length;
    return this;
  }

  /** Bytes written by traceless (re-emitted from parsed, validated fields). */
  bytes(data: Buffer): this {
    if (data.length === 0) return this;
    this.pieces.push({ kind: 'bytes', data });
    this.outputLength += data.length;
    return this;
  }

  zeros(length: number): this {
    if (!Number.isSafeInteger(length) || length < 0) throw internalError(`a run of ${length} zeros`);
    if (length === 0) return this;
    const last = this.pieces[this.pieces.length - 1];
    if (last?.kind === 'zeros') last.length += length;
    else this.pieces.push({ kind: 'zeros', length });
    this.outputLength += length;
    return this;
  }

  /** Appends pieces built elsewhere (e.g. by a nested cleaner), merging where possible. */
  append(pieces: readonly Piece[]): this {
    for (const piece of pieces) {
      if (piece.kind === 'bytes') this.bytes(piece.data);
      else if (piece.kind === 'zeros') this.zeros(piece.length);
      else if (piece.content) this.copy(piece.offset, piece.length, piece.content);
      else throw internalError('a nested plan copies input bytes that are not typed as image or sample data');
    }
    return this;
  }

  remove(where: string, kind: BlockKind, bytes: number, note?: string): this {
    const removal: PlanRemoval = { where, kind, bytes };
    if (note) removal.note = note;
    this.removed.push(removal);
    return this;
  }

  keep(what: string): this {
    this.keptSet.add(what);
    return this;
  }

  build(): CleanPlan {
    return { pieces: this.pieces, removed: this.removed, kept: [...this.keptSet] };
  }
}

/** Length of a piece in the output. */
export function pieceLength(piece: Piece): number {
  return piece.kind === 'bytes' ? piece.data.length : piece.length;
}
