/**
 * JPEG-coded HEIF items (item type `jpeg`) and `jpgC` tables: a JPEG inside a HEIF file can carry
 * its own APP1 Exif (with GPS), XMP, ICC chunks, comments and a trailer after EOI, exactly as a
 * JPEG file does. The item is walked read-only with the JPEG module's marker walker; only the
 * segments a decoder needs (SOI, tables, frame and scan headers, entropy-coded data, restart
 * markers, EOI) are kept, as ranges of the item — the rest (APPn, COM, reserved and JPGn markers,
 * DNL, bytes after EOI) is removed. Colour comes from the item's `colr` property, not from APP2.
 * References: ITU-T T.81 annex B (marker segments); ISO/IEC 23008-12:2022 annex H (JPEG items, jpgC).
 */
import { TracelessError } from '../../errors.js';
import { BufferSource } from '../../io/source.js';
import { walkJpeg } from '../jpeg/markers.js';

/** Marker codes a decoder needs: SOFn (not DHT 0xC4, JPG 0xC8, DAC 0xCC), DHT, DAC, DQT, DRI, SOS, RSTn, SOI, EOI. */
export function isDecodingMarker(marker: number): boolean {
  if (marker >= 0xc0 && marker <= 0xcf) return marker !== 0xc8;
  if (marker >= 0xd0 && marker <= 0xd9) return true;
  return marker === 0xda || marker === 0xdb || marker === 0xdd;
}

/** A range of the item's bytes to keep (relative to the item's first byte). */
export interface KeptRange {
  offset: number;
  length: number;
}

export interface CleanedJpegItem {
  ranges: KeptRange[];
  keptBytes: number;
  removedBytes: number;
  /** Names of what was removed (`APP1`, `COM`, `trailer`), for notes. */
  removed: string[];
}

function markerName(marker: number): string {
  if (marker >= 0xe0 && marker <= 0xef) return `APP${marker - 0xe0}`;
  if (marker === 0xfe) return 'COM';
  return `0xFF${marker.toString(16).toUpperCase()}`;
}

/** The ranges of a JPEG item to keep. Throws MALFORMED/TRUNCATED for a JPEG that does not walk. */
export function cleanJpegItem(bytes: Buffer): CleanedJpegItem {
  const layout = walkJpeg(new BufferSource(bytes));
  const ranges: KeptRange[] = [];
  const removed: string[] = [];
  const keep = (offset: number, length: number) => {
    const last = ranges[ranges.length - 1];
    if (last && last.offset + last.length === offset) last.length += length;
    else ranges.push({ offset, length });
  };
  let keptBytes = 0;
  for (const part of layout.parts) {
    if (part.type === 'entropy' || isDecodingMarker(part.marker)) {
      keep(part.offset, part.length);
      keptBytes += part.length;
    } else {
      removed.push(markerName(part.marker));
    }
  }
  if (layout.trailer) removed.push('bytes after EOI');
  return { ranges, keptBytes, removedBytes: bytes.length - keptBytes, removed };
}

/**
 * The tables of a `jpgC` property (a JPEG header prefix without SOI, or with it): only DQT, DHT,
 * DAC and DRI segments are kept; anything else is removed.
 */
export function cleanJpegTables(payload: Buffer): { data: Buffer; droppedBytes: number } {
  const parts: Buffer[] = [];
  let at = 0;
  let kept = 0;
  while (at < payload.length) {
    if (at + 2 > payload.length || payload[at] !== 0xff) throw new TracelessError('MALFORMED', 'jpgC does not hold JPEG marker segments');
    const marker = payload[at + 1]!;
    if (marker === 0xd8) {
      at += 2;
      continue;
    }
    if (at + 4 > payload.length) throw new TracelessError('TRUNCATED', 'jpgC ends inside a segment header');
    const length = payload.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > payload.length) throw new TracelessError('MALFORMED', 'jpgC segment runs past the box');
    if (marker === 0xdb || marker === 0xc4 || marker === 0xcc || marker === 0xdd) {
      parts.push(payload.subarray(at, at + 2 + length));
      kept += 2 + length;
    }
    at += 2 + length;
  }
  return { data: Buffer.concat(parts), droppedBytes: payload.length - kept };
}
