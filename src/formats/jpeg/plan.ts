/**
 * Plans the clean copy of a JPEG as typed pieces (README "Keep-list down to the byte"):
 * the entropy-coded data is copied as image data; every kept segment is written by traceless from
 * the fields it parsed (structure.ts for SOI, tables, frame and scan headers, EOI, JFIF, Adobe and
 * ICC; here the orientation block and, in location mode, the edited EXIF, XMP and Photoshop
 * blocks); everything else, and everything after EOI, is left out and listed in `removed`.
 * References: ITU-T T.81 annex B; Exif 2.32 §4.5.4; see structure.ts and segments.ts.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { parseTiff, type TiffStructure } from '../../decode/tiff.js';
import { buildOrientationTiff, isOrientationOnlyTiff, orientationOf } from '../../decode/tiff-edit.js';
import type { CleanPlan, PlanOptions } from '../types.js';
import { PlanBuilder } from '../plan-builder.js';
import { analyseJpeg, payloadOf, type ClassifiedSegment } from './inspect.js';
import { markers } from './markers.js';
import { planLocationSegment } from './plan-location.js';
import { planJpegFile } from './plan-images.js';
import { rewriteStructure, isStructural } from './structure.js';

const maxSegmentPayload = 65533;
const exifIdentifier = 'Exif\0\0';

/** An APPn segment with the given identifier and payload. */
export function buildSegment(marker: number, identifier: string | Buffer, payload: Buffer): Buffer {
  const id = typeof identifier === 'string' ? Buffer.from(identifier, 'latin1') : identifier;
  const length = 2 + id.length + payload.length;
  if (length - 2 > maxSegmentPayload) throw new TracelessError('LIMIT_EXCEEDED', `a rewritten segment would exceed the JPEG maximum of 65535 bytes`);
  const header = Buffer.from([0xff, marker, length >> 8, length & 0xff]);
  return Buffer.concat([header, id, payload]);
}

/** The APP1 segment that keeps a photo upright and says nothing else. */
export function orientationSegment(orientation: number, littleEndian = false): Buffer {
  const tiff = buildOrientationTiff(orientation);
  if (littleEndian) {
    // The same 26 bytes in Intel order, so a block already in this form stays as it is.
    tiff.write('II', 0, 'latin1');
    tiff.writeUInt16LE(42, 2);
    tiff.writeUInt32LE(8, 4);
    tiff.writeUInt16LE(1, 8);
    tiff.writeUInt16LE(0x0112, 10);
    tiff.writeUInt16LE(3, 12);
    tiff.writeUInt32LE(1, 14);
    tiff.writeUInt16LE(orientation, 18);
  }
  return buildSegment(markers.APP0 + 1, exifIdentifier, tiff);
}

export function tryParseTiff(data: Buffer): TiffStructure | undefined {
  try {
    return parseTiff(data);
  } catch {
    return undefined;
  }
}

/** State shared by the segment planners of one file. */
export interface JpegPlanContext {
  source: ByteSource;
  options: PlanOptions;
  plan: PlanBuilder;
  orientationWritten: boolean;
  /** Writes `emitted` in place of `segment`, and lists what changed when it is not the segment's own bytes. */
  emit(segment: ClassifiedSegment, emitted: Buffer, note: string, kind?: ClassifiedSegment['info']['kind']): void;
  /** Writes the orientation block (once) when it is wanted and not upright. */
  writeOrientation(structure: TiffStructure | undefined): void;
}

/** Segments a multi-image planner writes in place of the image's own (gain-map metadata, MPF). */
export interface ImageRewrites {
  /** By segment offset: the bytes written instead, what is kept (for `kept`) and called if emitted. */
  segments: Map<number, { emitted: Buffer; kept: string; onEmit?: (outputOffset: number) => void; orientationIncluded?: boolean }>;
  /** The caller accounts for the data after EOI (kept images). */
  trailerHandled: boolean;
}

/** The clean plan of a JPEG file: its first image, and the images after it that are part of the picture. */
export function planJpeg(source: ByteSource, options: PlanOptions): CleanPlan {
  return planJpegFile(source, options);
}

/** The plan of one JPEG image (SOI to EOI), with optional segment rewrites. */
export function planJpegImage(source: ByteSource, options: PlanOptions, rewrites?: ImageRewrites): PlanBuilder {
  const { layout, segments } = analyseJpeg(source);
  const structure = rewriteStructure(source, segments);
  const bySegmentOffset = new Map(segments.map((segment) => [segment.offset, segment]));
  const plan = new PlanBuilder();
  const context: JpegPlanContext = {
    source,
    options,
    plan,
    orientationWritten: false,
    emit(segment, emitted, note, kind = segment.info.kind) {
      plan.bytes(emitted);
      if (emitted.equals(source.read(segment.offset, segment.length))) return;
      plan.remove(segment.info.where, kind === 'image' ? 'other' : kind, Math.max(0, segment.length - emitted.length), note);
    },
    writeOrientation(tiff) {
      const orientation = tiff ? orientationOf(tiff) : undefined;
      if (!options.keepOrientation || context.orientationWritten || orientation === undefined || orientation === 1) return;
      plan.bytes(orientationSegment(orientation));
      context.orientationWritten = true;
      plan.keep(`orientation ${orientation}`);
    },
  };
  for (const part of layout.parts) {
    if (part.type === 'entropy') {
      plan.copyImage(part.offset, part.length);
      continue;
    }
    const segment = bySegmentOffset.get(part.offset)!;
    if (isStructural(segment)) {
      const rewrite = structure.rewrites.get(segment.offset)!;
      plan.bytes(rewrite.emitted);
      if (rewrite.keptLabel) plan.keep(rewrite.keptLabel);
      if (rewrite.notes.length > 0) plan.remove(rewrite.where, rewrite.kind, Math.max(0, rewrite.originalLength - rewrite.emitted.length), rewrite.notes.join('; '));
      continue;
    }
    const rewrite = rewrites?.segments.get(segment.offset);
    if (rewrite) {
      rewrite.onEmit?.(plan.outputLength);
      if (rewrite.orientationIncluded) context.orientationWritten = true;
      context.emit(segment, rewrite.emitted, `re-written with only what renderers need (${rewrite.kept})`);
      plan.keep(rewrite.kept);
      continue;
    }
    if (options.mode === 'location') planLocationSegment(context, segment);
    else planMetadataSegment(context, segment);
  }
  if (layout.trailer && !rewrites?.trailerHandled) plan.remove('trailer', 'trailer', layout.trailer.length, 'data after the end of the image');
  return plan;
}

/** Full clean: every metadata segment goes; EXIF leaves only its orientation behind. */
function planMetadataSegment(context: JpegPlanContext, segment: ClassifiedSegment): void {
  const { source, options, plan } = context;
  if (segment.info.kind !== 'exif') {
    plan.remove(segment.info.where, segment.info.kind === 'image' ? 'other' : segment.info.kind, segment.length, segment.info.identifier || undefined);
    return;
  }
  const structure = tryParseTiff(payloadOf(source, segment));
  if (structure && isOrientationOnlyTiff(structure) && options.keepOrientation && !context.orientationWritten) {
    const orientation = orientationOf(structure)!;
    context.orientationWritten = true;
    plan.keep(`orientation ${orientation}`);
    context.emit(segment, orientationSegment(orientation, structure.littleEndian), 'orientation block re-written from its one entry', 'exif');
    return;
  }
  plan.remove(segment.info.where, 'exif', segment.length, 'EXIF (camera, GPS, dates, thumbnail)');
  context.writeOrientation(structure);
}
