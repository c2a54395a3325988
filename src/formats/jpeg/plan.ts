/**
 * Plans a clean JPEG: kept segments and the entropy-coded data are copied byte for byte; metadata
 * segments are left out (or, in location mode, rewritten without their location fields).
 */
import { TracelessError, asTracelessError } from '../../errors.js';
import { BufferSource, type ByteSource } from '../../io/source.js';
import { decodeExif } from '../../decode/exif.js';
import { encodeImageResource, isLocationDataset, readImageResources, readIptc, resourceIds } from '../../decode/iptc.js';
import { parseTiff, readUint, type TiffStructure } from '../../decode/tiff.js';
import { buildOrientationTiff, isOrientationOnlyTiff, orientationOf, writeUint } from '../../decode/tiff-edit.js';
import { isLocationProperty, removeXmpProperties, xmpText } from '../../decode/xmp.js';
import { removeExifLocation } from '../../decode/location-edit.js';
import type { CleanPlan, PlanOptions, Piece, PlanRemoval } from '../types.js';
import { markers, walkJpeg } from './markers.js';
import { analyseJpeg, payloadOf, type ClassifiedSegment } from './inspect.js';
import { identifiers, keptKinds } from './segments.js';

const maxSegmentPayload = 65533;

/** An APPn segment with the given identifier and payload. */
export function buildSegment(marker: number, identifier: string | Buffer, payload: Buffer): Buffer {
  const id = typeof identifier === 'string' ? Buffer.from(identifier, 'latin1') : identifier;
  const length = 2 + id.length + payload.length;
  if (length - 2 > maxSegmentPayload) throw new TracelessError('LIMIT_EXCEEDED', `a rewritten segment would exceed the JPEG maximum of 65535 bytes`);
  const header = Buffer.from([0xff, marker, length >> 8, length & 0xff]);
  return Buffer.concat([header, id, payload]);
}

/** The APP1 segment that keeps a photo upright and says nothing else. */
export function orientationSegment(orientation: number): Buffer {
  return buildSegment(markers.APP0 + 1, 'Exif\0\0', buildOrientationTiff(orientation));
}

class PieceList {
  readonly pieces: Piece[] = [];
  copy(offset: number, length: number): void {
    if (length === 0) return;
    const last = this.pieces[this.pieces.length - 1];
    if (last?.kind === 'copy' && last.offset + last.length === offset) last.length += length;
    else this.pieces.push({ kind: 'copy', offset, length });
  }
  bytes(data: Buffer): void {
    this.pieces.push({ kind: 'bytes', data });
  }
}

export function planJpeg(source: ByteSource, options: PlanOptions): CleanPlan {
  const { layout, segments } = analyseJpeg(source);
  const pieces = new PieceList();
  const removed: PlanRemoval[] = [];
  const kept = new Set<string>();
  const bySegmentOffset = new Map(segments.map((segment) => [segment.offset, segment]));
  let orientationWritten = false;
  const drop = (segment: ClassifiedSegment, note?: string) => {
    const removal: PlanRemoval = { where: segment.info.where, kind: segment.info.kind === 'image' ? 'other' : segment.info.kind, bytes: segment.length };
    const text = note ?? segment.info.identifier;
    if (text) removal.note = text;
    removed.push(removal);
  };
  for (const part of layout.parts) {
    if (part.type === 'entropy') {
      pieces.copy(part.offset, part.length);
      continue;
    }
    const segment = bySegmentOffset.get(part.offset)!;
    const { kind } = segment.info;
    if (keptKinds.has(kind)) {
      if (kind === 'icc') kept.add('ICC colour profile');
      if (kind === 'adobe') kept.add('Adobe colour transform (APP14)');
      pieces.copy(segment.offset, segment.length);
      continue;
    }
    if (options.mode === 'location') {
      planLocationSegment(source, segment, pieces, removed, kept, drop);
      continue;
    }
    if (kind === 'exif') {
      const structure = tryParseTiff(payloadOf(source, segment));
      if (structure && isOrientationOnlyTiff(structure) && options.keepOrientation && !orientationWritten && isPlainExifIdentifier(source, segment)) {
        pieces.copy(segment.offset, segment.length);
        orientationWritten = true;
        kept.add(`orientation ${orientationOf(structure) ?? ''}`.trim());
        continue;
      }
      drop(segment, 'EXIF (camera, GPS, dates, thumbnail)');
      const orientation = structure ? orientationOf(structure) : undefined;
      if (options.keepOrientation && !orientationWritten && orientation !== undefined && orientation !== 1) {
        pieces.bytes(orientationSegment(orientation));
        orientationWritten = true;
        kept.add(`orientation ${orientation}`);
      }
      continue;
    }
    drop(segment);
  }
  if (layout.trailer) removed.push({ where: 'trailer', kind: 'trailer', bytes: layout.trailer.length, note: 'data after the end of the image' });
  return { pieces: pieces.pieces, removed, kept: [...kept] };
}

function isPlainExifIdentifier(source: ByteSource, segment: ClassifiedSegment): boolean {
  return source.read(segment.payloadOffset, 6).equals(Buffer.from('Exif\0\0', 'latin1'));
}

function tryParseTiff(data: Buffer): TiffStructure | undefined {
  try {
    return parseTiff(data);
  } catch {
    return undefined;
  }
}

/** Location mode: keep each block, minus what names a place; drop what cannot be checked. */
function planLocationSegment(
  source: ByteSource,
  segment: ClassifiedSegment,
  pieces: PieceList,
  removed: PlanRemoval[],
  kept: Set<string>,
  drop: (segment: ClassifiedSegment, note?: string) => void,
): void {
  const { kind, where } = segment.info;
  const keep = (label: string) => {
    kept.add(label);
    pieces.copy(segment.offset, segment.length);
  };
  switch (kind) {
    case 'exif': {
      const tiff = Buffer.from(payloadOf(source, segment));
      const changes: string[] = [];
      const structure = tryParseTiff(tiff);
      if (structure) {
        for (const thumbnail of decodeExif(structure, { where }).thumbnails) {
          if (stripThumbnailInPlace(structure, thumbnail.ifd, thumbnail.offset, thumbnail.length)) changes.push(`${thumbnail.ifd} thumbnail's own metadata`);
        }
      }
      // GPS IFD, and records that may hold a place but cannot be edited (maker notes, embedded
      // XMP/IPTC); the edit is re-decoded and declared unsafe if any location is still readable.
      const edit = removeExifLocation(tiff);
      if (!edit.safe) {
        drop(segment, `EXIF removed whole: ${edit.note}`);
        const orientation = structure ? orientationOf(structure) : undefined;
        if (orientation !== undefined && orientation !== 1) {
          pieces.bytes(orientationSegment(orientation));
          kept.add(`orientation ${orientation}`);
        }
        return;
      }
      if (edit.changed) changes.push(edit.note);
      if (changes.length === 0) return keep('EXIF without location');
      const identifier = source.read(segment.payloadOffset, 6);
      pieces.bytes(buildSegment(segment.marker, identifier, edit.data));
      removed.push({ where: `${where}/GPS`, kind: 'exif', bytes: segment.length - edit.data.length, note: `removed ${changes.join(', ')}; the rest of EXIF kept` });
      kept.add('EXIF without location');
      return;
    }
    case 'xmp': {
      const packet = xmpText(payloadOf(source, segment));
      const edited = removeXmpProperties(packet, (name) => isLocationProperty(name) || name === 'xmpNote:HasExtendedXMP');
      if (edited === packet) return keep('XMP without location');
      pieces.bytes(buildSegment(segment.marker, identifiers.xmp, Buffer.from(edited, 'utf8')));
      removed.push({ where, kind: 'xmp', bytes: Buffer.byteLength(packet) - Buffer.byteLength(edited), note: 'location properties (GPS, city, state, country, sub-location)' });
      kept.add('XMP without location');
      return;
    }
    case 'photoshop': {
      const payload = payloadOf(source, segment);
      const resources = readImageResources(payload);
      const iptcHasLocation = resources.some((resource) => resource.id === resourceIds.iptc && readIptc(payload.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength)).some((dataset) => isLocationDataset(dataset.record, dataset.dataset)));
      const changed = iptcHasLocation;
      const rebuilt: Buffer[] = [];
      for (const resource of resources) {
        const whole = payload.subarray(resource.offset, resource.offset + resource.length);
        if (changed && resource.id === resourceIds.iptcDigest) continue; // the digest of the old IPTC would be stale
        if (changed && resource.id === resourceIds.iptc) {
          const data = payload.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength);
          const remaining = readIptc(data).filter((dataset) => !isLocationDataset(dataset.record, dataset.dataset));
          rebuilt.push(encodeImageResource(resource.id, Buffer.concat(remaining.map((dataset) => data.subarray(dataset.offset, dataset.offset + dataset.length)))));
          continue;
        }
        rebuilt.push(whole);
      }
      if (!changed) return keep('IPTC without location');
      pieces.bytes(buildSegment(segment.marker, identifiers.photoshop, Buffer.concat(rebuilt)));
      removed.push({ where: `${where}/IPTC`, kind: 'iptc', bytes: 0, note: 'IPTC city, sub-location, state, country' });
      kept.add('IPTC without location');
      return;
    }
    case 'comment':
      return keep('comment');
    case 'thumbnail':
      return keep('JFIF thumbnail');
    default:
      // Extended XMP, MPF, FlashPix and vendor blocks: their contents cannot be checked for
      // location, so they go (fail closed).
      drop(segment, kind === 'xmp-extended' ? 'extended XMP (cannot be edited safely)' : undefined);
  }
}

/**
 * Removes metadata segments from an EXIF thumbnail without moving it: the stripped thumbnail is
 * written at the same offset, its length entry updated, and the freed tail zeroed.
 */
function stripThumbnailInPlace(structure: TiffStructure, ifdName: string, offset: number, length: number): boolean {
  const data = structure.data;
  const original = Buffer.from(data.subarray(offset, offset + length));
  let stripped: Buffer;
  try {
    const source = new BufferSource(original);
    const layout = walkJpeg(source);
    const { segments } = analyseJpeg(source);
    const keep = new Set(segments.filter((segment) => keptKinds.has(segment.info.kind) || segment.info.kind === 'thumbnail').map((segment) => segment.offset));
    const parts: Buffer[] = [];
    for (const part of layout.parts) {
      if (part.type === 'entropy' || keep.has(part.offset)) parts.push(original.subarray(part.offset, part.offset + part.length));
    }
    stripped = Buffer.concat(parts);
  } catch {
    return false; // not a readable JPEG: nothing of ours to strip (its bytes are not decoded either)
  }
  if (stripped.length === original.length) return false;
  stripped.copy(data, offset);
  data.fill(0, offset + stripped.length, offset + length);
  const ifd = structure.ifds.find((candidate) => candidate.name === ifdName);
  const lengthEntry = ifd?.entries.find((entry) => entry.tag === 0x0202);
  if (lengthEntry && lengthEntry.inline) {
    const size = lengthEntry.type === 3 ? 2 : 4;
    if (readUint(data, lengthEntry.valueOffset, size, structure.littleEndian) === length) writeUint(data, lengthEntry.valueOffset, size, stripped.length, structure.littleEndian);
  }
  return true;
}
