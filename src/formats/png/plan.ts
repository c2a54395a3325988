/**
 * Plans a clean PNG with the keep-list down to the byte:
 * - the signature, IHDR, IEND and every rendering chunk kept (PLTE, tRNS, gAMA, cHRM, sRGB, iCCP,
 *   sBIT, bKGD, hIST, pHYs, cICP, mDCV, cLLI, acTL, fcTL) are written by traceless from the fields
 *   `analyse.ts` parsed and checked, with a fresh CRC; a rendering chunk that breaks its definition
 *   is removed, or the file refused when a decoder needs it (`fields.ts`);
 * - IDAT and fdAT data is image data, copied byte for byte; their length, type and CRC are written;
 * - every metadata chunk and everything after IEND is removed — except, when the photo was rotated
 *   by its EXIF, a minimal eXIf holding only the orientation, written before the first IDAT;
 * - with `--only location`, metadata chunks known to hold no place are written again without it
 *   (`location.ts`); all others are removed.
 * Reference: PNG Specification, Third Edition, sections 5.3, 5.6 (ordering), 11.3.3.5 (eXIf).
 */
import { buildOrientationTiff } from '../../decode/tiff-edit.js';
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { PlanBuilder } from '../plan-builder.js';
import type { CleanPlan, PlanOptions } from '../types.js';
import { analysePng, type AnalysedChunk } from './analyse.js';
import { buildChunk, chunkHeader, crcBytes, pngSignature } from './chunks.js';
import { decideLocation, type LocationDecision } from './location.js';
import { zlib } from '../../io/builtins.js';

const chunkHeaderBytes = 8;

export function planPng(source: ByteSource, options: PlanOptions): CleanPlan {
  const { layout, chunks, imageStream } = analysePng(source);
  const refusal = chunks.find((chunk) => chunk.refusal !== undefined)?.refusal;
  if (refusal) throw new TracelessError('MALFORMED', `${refusal}, so removing it would change the picture; the file is refused`);
  if (imageStream.checked && imageStream.tooMuchData) {
    throw new TracelessError('MALFORMED', 'the compressed image (IDAT) holds more data than the image needs; that data cannot be removed without re-compressing the image, so the file is refused');
  }
  // Bytes of IDAT data before each chunk, to cut what follows the end of the zlib stream.
  const streamEnd = imageStream.checked ? imageStream.end : Infinity;
  let idatBefore = 0;
  const plan = new PlanBuilder();
  plan.bytes(Buffer.from(pngSignature));
  const orientation = chunks.find((chunk) => chunk.chunk.type === 'eXIf' && chunk.orientation !== undefined)?.orientation;
  const minimalExif = options.keepOrientation && orientation !== undefined && orientation >= 2 && orientation <= 8 ? buildChunk('eXIf', buildOrientationTiff(orientation)) : undefined;
  const firstImage = firstImageIndex(chunks);
  // Counted once for all chunks: per chunk, a file of many chunks would cost quadratic time.
  const soleExif = chunks.filter((other) => other.chunk.type === 'eXIf').length === 1;
  const decisions = chunks.map((chunk, index) => decideMetadata(chunk, options, { minimalExif, sole: soleExif, beforeImage: index < firstImage }));
  const keptExif = decisions.some((decision) => decision?.action === 'emit' && decision.data.toString('latin1', 4, 8) === 'eXIf');
  chunks.forEach((analysed, index) => {
    if (index === firstImage && minimalExif && !keptExif) {
      plan.bytes(minimalExif).keep(`orientation ${orientation} (minimal eXIf)`);
    }
    const { chunk } = analysed;
    if (analysed.role === 'image') {
      const start = chunk.type === 'IDAT' ? idatBefore : 0;
      if (chunk.type === 'IDAT') idatBefore += chunk.dataLength;
      const used = chunk.type === 'IDAT' ? Math.max(0, Math.min(chunk.dataLength, streamEnd - start)) : chunk.dataLength;
      if (used === chunk.dataLength) {
        plan.bytes(chunkHeader(chunk.type, chunk.dataLength)).copyImage(chunk.dataOffset, chunk.dataLength).bytes(crcBytes(chunk.crc));
      } else if (used > 0) {
        // The stream ends inside this chunk: keep what the decoder reads, with a CRC over it.
        const crc = zlib().crc32(source.read(chunk.dataOffset, used), zlib().crc32(Buffer.from(chunk.type, 'latin1')));
        plan.bytes(chunkHeader(chunk.type, used)).copyImage(chunk.dataOffset, used).bytes(crcBytes(crc));
        plan.remove('IDAT', 'other', chunk.dataLength - used, 'bytes after the end of the compressed image (read by no decoder)');
      } else {
        plan.remove('IDAT', 'other', chunk.totalLength, 'an IDAT chunk after the end of the compressed image (read by no decoder)');
      }
      return;
    }
    if (analysed.role === 'render') {
      if (analysed.emit) {
        plan.bytes(analysed.emit);
        if (analysed.kind === 'icc') plan.keep('ICC colour profile');
        if (analysed.dropped) plan.remove(analysed.where, analysed.kind, Math.max(0, chunk.totalLength - analysed.emit.length), `${analysed.dropped} (the chunk is written again from its fields)`);
      } else {
        plan.remove(analysed.where, analysed.kind, chunk.totalLength, analysed.invalid);
      }
      return;
    }
    const decision = decisions[index]!;
    if (decision.action === 'emit') {
      plan.bytes(decision.data);
      if (analysed.chunk.type === 'eXIf' && analysed.orientationOnly && options.mode === 'all') plan.keep(`orientation ${analysed.orientation} (minimal eXIf)`);
      else plan.keep(`${analysed.where} (no location)`);
      // A chunk whose only change is its compression lists nothing: nothing was taken out.
      if (decision.dropped) plan.remove(analysed.where, analysed.kind, Math.max(0, chunk.totalLength - decision.data.length), decision.dropped);
    } else {
      plan.remove(analysed.where, analysed.kind, chunk.totalLength, decision.note ?? analysed.note);
    }
  });
  if (layout.trailingBytes > 0) plan.remove('after IEND', 'trailer', layout.trailingBytes, 'data after the end of the image');
  return plan.build();
}

/**
 * Where a written eXIf goes: before the image data (the third edition's ordering rules put eXIf
 * before IDAT, and browsers ignore a late one), and in an APNG also before the first frame control
 * chunk, so that it never splits fcTL from its IDAT.
 */
function firstImageIndex(chunks: AnalysedChunk[]): number {
  return chunks.findIndex((chunk) => chunk.chunk.type === 'IDAT' || chunk.chunk.type === 'fcTL');
}

interface ExifFacts {
  /** The eXIf traceless would write for the orientation, if any. */
  minimalExif: Buffer | undefined;
  /** True when the file has exactly one eXIf. */
  sole: boolean;
  beforeImage: boolean;
}

/** What to do with a metadata chunk (undefined for image and rendering chunks). */
function decideMetadata(analysed: AnalysedChunk, options: PlanOptions, exif: ExifFacts): LocationDecision | undefined {
  if (analysed.role !== 'metadata') return undefined;
  if (!analysed.chunk.crcValid) return { action: 'drop', note: `${analysed.note} (damaged: CRC mismatch)` };
  if (options.mode === 'location') return decideLocation(analysed);
  // Default mode: everything goes, except a sole eXIf before the image that is already exactly the
  // minimal orientation block traceless would write there (so a clean file stays as it is).
  if (analysed.chunk.type === 'eXIf' && analysed.orientationOnly && exif.minimalExif && exif.sole && exif.beforeImage && exif.minimalExif.length === analysed.chunk.totalLength) {
    return { action: 'emit', data: exif.minimalExif, dropped: sameBytesAs(exif.minimalExif, analysed) };
  }
  return { action: 'drop' };
}

/** Empty when `data` equals the chunk as it stands in the file; otherwise what differed. */
function sameBytesAs(data: Buffer, analysed: AnalysedChunk): string {
  const original = analysed.exif ? buildChunk('eXIf', analysed.exif) : undefined;
  return original?.equals(data) ? '' : 'EXIF layout (written again as the minimal orientation block)';
}
