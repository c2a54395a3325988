/**
 * Plans a clean WebP in two passes, the way RIFF writers must: first decide every chunk and add
 * up the sizes, then write the RIFF header with the right size, so nothing is buffered.
 * Image chunks, VP8X and ICCP are copied byte for byte (pad bytes written as zero); EXIF, XMP,
 * unknown chunks (also inside animation frames) and bytes after the RIFF payload are left out,
 * and the VP8X EXIF/XMP flags are cleared to match.
 *
 * Orientation: no minimal EXIF is written back. WebP decoders (libwebp) and browsers do not
 * rotate WebP images by an EXIF orientation — RFC 9649 gives EXIF no part in rendering — so the
 * pixels are already stored the way they are shown, and an orientation tag would change nothing.
 * Reference: RFC 9649 sections 2.4, 2.5 (padding), 2.7.1 (VP8X flags).
 */
import { removeExifLocation, removeXmpLocation } from '../../decode/location-edit.js';
import type { ByteSource } from '../../io/source.js';
import type { CleanPlan, Piece, PlanOptions, PlanRemoval } from '../types.js';
import { analyseWebp, type AnalysedRiffChunk } from './analyse.js';
import { anmfHeaderBytes, chunkHeader } from './riff.js';

/** VP8X flag bits (RFC 9649 section 2.7.1.1). */
export const vp8xFlags = { icc: 0x20, alpha: 0x10, exif: 0x08, xmp: 0x04, animation: 0x02 } as const;

type Decision = { action: 'copy' } | { action: 'drop'; note?: string } | { action: 'replace'; payload: Buffer; removed: PlanRemoval };

export function planWebp(source: ByteSource, options: PlanOptions): CleanPlan {
  const { layout, chunks } = analyseWebp(source);
  const removed: PlanRemoval[] = [];
  const kept: string[] = [];
  const decisions = new Map<AnalysedRiffChunk, Decision>();
  const decideAll = (analysed: AnalysedRiffChunk) => {
    decisions.set(analysed, decide(source, analysed, options));
    analysed.frames?.forEach(decideAll);
  };
  chunks.forEach(decideAll);
  const keeps = (fourCC: string) => chunks.some((analysed) => analysed.chunk.fourCC === fourCC && decisions.get(analysed)!.action !== 'drop');
  // Once, not per VP8X chunk: a file repeating VP8X would otherwise cost quadratic time.
  const keepsExif = keeps('EXIF');
  const keepsXmp = keeps('XMP ');
  // Pass 1: the body pieces, whose total gives the RIFF size.
  const body: Piece[] = [];
  for (const analysed of chunks) {
    const decision = decisions.get(analysed)!;
    const { chunk } = analysed;
    if (decision.action === 'drop') {
      removed.push(removal(analysed, decision.note));
    } else if (decision.action === 'replace') {
      pushChunk(body, chunkHeader(chunk.fourCC, decision.payload.length), decision.payload);
      removed.push(decision.removed);
      kept.push(`${analysed.where} without location`);
    } else if (chunk.fourCC === 'VP8X') {
      pushVp8x(source, body, analysed, keepsExif, keepsXmp);
    } else if (analysed.frames && analysed.frames.some((frame) => decisions.get(frame)!.action !== 'copy')) {
      pushFrame(source, body, analysed, decisions, removed);
    } else {
      pushCopyChunk(source, body, analysed);
      if (analysed.kind === 'icc') kept.push('ICC colour profile');
      else if (analysed.role === 'metadata') kept.push(`${analysed.where} (no location)`);
    }
  }
  if (layout.trailingBytes > 0) removed.push({ where: 'after RIFF', kind: 'trailer', bytes: layout.trailingBytes, note: 'data after the end of the image' });
  // Pass 2: the RIFF header, now that the size is known.
  const riffSize = 4 + body.reduce((total, piece) => total + (piece.kind === 'bytes' ? piece.data.length : piece.length), 0);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(riffSize, 4);
  header.write('WEBP', 8, 'latin1');
  return { pieces: [{ kind: 'bytes', data: header }, ...body], removed, kept: [...new Set(kept)] };
}

function removal(analysed: AnalysedRiffChunk, note?: string): PlanRemoval {
  const result: PlanRemoval = { where: analysed.where, kind: analysed.kind, bytes: analysed.chunk.totalLength };
  const text = note ?? analysed.note;
  if (text) result.note = text;
  return result;
}

function decide(source: ByteSource, analysed: AnalysedRiffChunk, options: PlanOptions): Decision {
  if (analysed.role !== 'metadata') return { action: 'copy' };
  if (options.mode !== 'location') return { action: 'drop' };
  if (!analysed.readable) return { action: 'drop', note: `${analysed.note} (cannot be read, so it may hold a place)` };
  const { chunk } = analysed;
  if (analysed.kind === 'exif') {
    const payload = source.read(chunk.dataOffset, chunk.dataLength);
    const tiffOffset = analysed.tiffOffset ?? 0;
    const edit = removeExifLocation(payload.subarray(tiffOffset));
    if (!edit.safe) return { action: 'drop', note: `EXIF (${edit.note})` };
    if (!edit.changed) return { action: 'copy' };
    const edited = Buffer.concat([payload.subarray(0, tiffOffset), edit.data]);
    return { action: 'replace', payload: edited, removed: { where: analysed.where, kind: 'exif', bytes: differingBytes(payload, edited), note: `location removed: ${edit.note}` } };
  }
  if (analysed.kind === 'xmp') {
    const packet = source.read(chunk.dataOffset, chunk.dataLength).toString('utf8');
    const edit = removeXmpLocation(packet);
    if (!edit.safe) return { action: 'drop', note: `XMP (${edit.note})` };
    if (!edit.changed) return { action: 'copy' };
    const payload = Buffer.from(edit.data, 'utf8');
    return { action: 'replace', payload, removed: { where: analysed.where, kind: 'xmp', bytes: Math.max(0, chunk.dataLength - payload.length), note: `location removed: ${edit.note}` } };
  }
  return { action: 'drop' };
}

/** Adds a chunk built from new bytes, with a zero pad byte when its payload is odd. */
function pushChunk(pieces: Piece[], header: Buffer, payload: Buffer): void {
  pieces.push({ kind: 'bytes', data: payload.length & 1 ? Buffer.concat([header, payload, Buffer.alloc(1)]) : Buffer.concat([header, payload]) });
}

/** Copies a chunk as it is; its pad byte is copied only when it is zero, and written as zero otherwise. */
function pushCopyChunk(source: ByteSource, pieces: Piece[], analysed: AnalysedRiffChunk): void {
  const { chunk } = analysed;
  pushCopy(pieces, chunk.offset, 8 + chunk.dataLength);
  if ((chunk.dataLength & 1) === 0) return;
  const padOffset = chunk.dataOffset + chunk.dataLength;
  if (chunk.padPresent && source.read(padOffset, 1)[0] === 0) pushCopy(pieces, padOffset, 1);
  else pieces.push({ kind: 'zeros', length: 1 });
}

function pushCopy(pieces: Piece[], offset: number, length: number): void {
  const last = pieces[pieces.length - 1];
  if (last?.kind === 'copy' && last.offset + last.length === offset) last.length += length;
  else pieces.push({ kind: 'copy', offset, length });
}

/** VP8X with the EXIF and XMP flags set only when those chunks are still there. */
function pushVp8x(source: ByteSource, pieces: Piece[], analysed: AnalysedRiffChunk, hasExif: boolean, hasXmp: boolean): void {
  const { chunk } = analysed;
  const payload = source.read(chunk.dataOffset, chunk.dataLength);
  const flags = payload[0]!;
  let wanted = flags & ~(vp8xFlags.exif | vp8xFlags.xmp);
  if (hasExif) wanted |= flags & vp8xFlags.exif;
  if (hasXmp) wanted |= flags & vp8xFlags.xmp;
  if (wanted === flags) {
    pushCopyChunk(source, pieces, analysed);
    return;
  }
  const edited = Buffer.from(payload);
  edited[0] = wanted;
  pushChunk(pieces, chunkHeader('VP8X', edited.length), edited);
}

/** An animation frame rebuilt without its unknown chunks (its size changes, so its header is new). */
function pushFrame(source: ByteSource, pieces: Piece[], analysed: AnalysedRiffChunk, decisions: Map<AnalysedRiffChunk, Decision>, removed: PlanRemoval[]): void {
  const { chunk } = analysed;
  const inner: Piece[] = [{ kind: 'copy', offset: chunk.dataOffset, length: anmfHeaderBytes }];
  for (const frame of analysed.frames ?? []) {
    if (decisions.get(frame)!.action === 'copy') pushCopyChunk(source, inner, frame);
    else removed.push(removal(frame));
  }
  const innerLength = inner.reduce((total, piece) => total + (piece.kind === 'bytes' ? piece.data.length : piece.length), 0);
  pieces.push({ kind: 'bytes', data: chunkHeader('ANMF', innerLength) });
  for (const piece of inner) {
    if (piece.kind === 'copy') pushCopy(pieces, piece.offset, piece.length);
    else pieces.push(piece);
  }
  // ANMF payloads are sums of padded chunks after a 16-byte header: always even, so no pad.
}

function differingBytes(before: Buffer, after: Buffer): number {
  let count = 0;
  for (let index = 0; index < before.length; index++) if (before[index] !== after[index]) count++;
  return count;
}
