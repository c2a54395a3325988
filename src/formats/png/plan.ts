/**
 * Plans a clean PNG: image and rendering chunks are copied byte for byte (with their CRCs), every
 * metadata chunk and everything after IEND is left out, and — when the photo was rotated by its
 * EXIF — a minimal eXIf holding only the orientation is written before the first IDAT.
 * With `--only location`, metadata chunks stay unless they carry a place: GPS is cut from eXIf,
 * location properties from XMP (re-encoded as iTXt with a fresh CRC), and what cannot be edited
 * safely is dropped whole.
 * Reference: PNG Specification, Third Edition, sections 5.3, 5.6 (ordering), 11.3.3.5 (eXIf).
 */
import { removeExifLocation, removeXmpLocation } from '../../decode/location-edit.js';
import { buildOrientationTiff } from '../../decode/tiff-edit.js';
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { CleanPlan, Piece, PlanOptions, PlanRemoval } from '../types.js';
import { analysePng, xmpKeyword, type AnalysedChunk } from './analyse.js';
import { buildChunk, pngSignature } from './chunks.js';
import { encodeITxt } from './text.js';

/** What to do with one chunk. */
type Decision = { action: 'copy' } | { action: 'drop'; note?: string } | { action: 'replace'; data: Buffer; removed: PlanRemoval };

export function planPng(source: ByteSource, options: PlanOptions): CleanPlan {
  const { layout, chunks } = analysePng(source);
  const pieces: Piece[] = [{ kind: 'copy', offset: 0, length: pngSignature.length }];
  const removed: PlanRemoval[] = [];
  const kept: string[] = [];
  const orientation = chunks.find((chunk) => chunk.chunk.type === 'eXIf' && chunk.orientation !== undefined)?.orientation;
  const wantOrientation = options.keepOrientation && orientation !== undefined && orientation >= 2 && orientation <= 8;
  // Counted once for all chunks: per chunk, a file of many eXIf chunks would cost quadratic time.
  const facts: ChunkFacts = { exifChunks: chunks.filter((chunk) => chunk.chunk.type === 'eXIf').length, firstImageOffset: chunks[firstImageIndex(chunks)]?.chunk.offset ?? Infinity };
  const decisions = chunks.map((chunk) => decide(chunk, options, facts));
  const keptExif = chunks.some((chunk, index) => chunk.chunk.type === 'eXIf' && decisions[index]!.action !== 'drop');
  const firstIdat = firstImageIndex(chunks);
  chunks.forEach((analysed, index) => {
    if (index === firstIdat && wantOrientation && !keptExif) {
      pieces.push({ kind: 'bytes', data: buildChunk('eXIf', buildOrientationTiff(orientation)) });
      kept.push(`orientation ${orientation} (minimal eXIf)`);
    }
    const decision = decisions[index]!;
    const { chunk } = analysed;
    if (decision.action === 'copy') {
      if (!chunk.crcValid) {
        throw new TracelessError('MALFORMED', `PNG chunk ${chunk.type} at offset ${chunk.offset} fails its CRC check; it would be kept, so the file is refused`);
      }
      pushCopy(pieces, chunk.offset, chunk.totalLength);
      if (analysed.role === 'render' && analysed.kind === 'icc') kept.push('ICC colour profile');
      else if (analysed.role === 'metadata') kept.push(keptDescription(analysed));
    } else if (decision.action === 'replace') {
      pieces.push({ kind: 'bytes', data: decision.data });
      removed.push(decision.removed);
      kept.push(`${analysed.where} without location`);
    } else {
      const removal: PlanRemoval = { where: analysed.where, kind: analysed.kind, bytes: chunk.totalLength };
      const note = decision.note ?? analysed.note;
      if (note) removal.note = note;
      removed.push(removal);
    }
  });
  if (layout.trailingBytes > 0) removed.push({ where: 'after IEND', kind: 'trailer', bytes: layout.trailingBytes, note: 'data after the end of the image' });
  return { pieces, removed, kept: [...new Set(kept)] };
}

/**
 * Where a written eXIf goes: before the image data (the third edition's ordering rules put eXIf
 * before IDAT, and browsers ignore a late one), and in an APNG also before the first frame control
 * chunk, so that it never splits fcTL from its IDAT.
 */
function firstImageIndex(chunks: AnalysedChunk[]): number {
  return chunks.findIndex((chunk) => chunk.chunk.type === 'IDAT' || chunk.chunk.type === 'fcTL');
}

function keptDescription(analysed: AnalysedChunk): string {
  if (analysed.chunk.type === 'eXIf' && analysed.orientationOnly) return `orientation ${analysed.orientation} (minimal eXIf)`;
  return `${analysed.where} (no location)`;
}

function pushCopy(pieces: Piece[], offset: number, length: number): void {
  const last = pieces[pieces.length - 1];
  if (last?.kind === 'copy' && last.offset + last.length === offset) last.length += length;
  else pieces.push({ kind: 'copy', offset, length });
}

/** What decisions about one chunk need to know about the others. */
interface ChunkFacts {
  exifChunks: number;
  firstImageOffset: number;
}

function decide(analysed: AnalysedChunk, options: PlanOptions, facts: ChunkFacts): Decision {
  if (analysed.role !== 'metadata') return { action: 'copy' };
  if (!analysed.chunk.crcValid) return { action: 'drop', note: `${analysed.note} (damaged: CRC mismatch)` };
  return options.mode === 'location' ? decideLocation(analysed) : decideAll(analysed, options, facts);
}

/** Everything goes, except a minimal orientation block that is already exactly what we would write. */
function decideAll(analysed: AnalysedChunk, options: PlanOptions, facts: ChunkFacts): Decision {
  if (analysed.chunk.type !== 'eXIf' || !analysed.orientationOnly || !options.keepOrientation) return { action: 'drop' };
  const orientation = analysed.orientation ?? 1;
  const beforeImage = analysed.chunk.offset < facts.firstImageOffset;
  if (orientation >= 2 && orientation <= 8 && facts.exifChunks === 1 && beforeImage) return { action: 'copy' };
  return { action: 'drop' };
}

/** Keep what holds no place; edit what can be edited; drop the rest. */
function decideLocation(analysed: AnalysedChunk): Decision {
  const { chunk } = analysed;
  if (!analysed.readable) return { action: 'drop', note: `${analysed.note} (cannot be read, so it may hold a place)` };
  const hasLocation = analysed.report.findings.some((finding) => finding.category === 'location') || analysed.report.locations.length > 0;
  if (chunk.type === 'eXIf' && analysed.exif) {
    const edit = removeExifLocation(analysed.exif);
    if (!edit.safe) return { action: 'drop', note: `EXIF (${edit.note})` };
    if (!edit.changed) return { action: 'copy' };
    return replace(analysed, buildChunk('eXIf', edit.data), edit.note, differingBytes(analysed.exif, edit.data));
  }
  if (analysed.kind === 'xmp' && analysed.text && analysed.text.keyword === xmpKeyword) {
    const edit = removeXmpLocation(analysed.text.text);
    if (!edit.safe) return { action: 'drop', note: `XMP (${edit.note})` };
    if (!edit.changed) return { action: 'copy' };
    // Written the way XMP part 3 asks for PNG: uncompressed iTXt, empty language and translated keyword.
    const data = buildChunk('iTXt', encodeITxt(analysed.text.keyword, edit.data));
    return replace(analysed, data, edit.note, Buffer.byteLength(analysed.text.text) - Buffer.byteLength(edit.data));
  }
  if (analysed.text) return hasLocation ? { action: 'drop', note: `${analysed.note} (holds a place)` } : { action: 'copy' };
  if (chunk.type === 'tIME' || chunk.type === 'dSIG') return { action: 'copy' };
  // C2PA manifests can assert GPS (stds.exif) and cannot be edited without breaking their signature;
  // unknown chunks cannot be judged at all.
  return { action: 'drop' };
}

function replace(analysed: AnalysedChunk, data: Buffer, note: string, bytes: number): Decision {
  return { action: 'replace', data, removed: { where: analysed.where, kind: analysed.kind, bytes: Math.max(0, bytes), note: `location removed: ${note}` } };
}

/** How many bytes an in-place edit changed (zeroed), as the size of what was removed. */
function differingBytes(before: Buffer, after: Buffer): number {
  let count = 0;
  for (let index = 0; index < before.length; index++) if (before[index] !== after[index]) count++;
  return count;
}
