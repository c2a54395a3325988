/**
 * What each HEIF item is (an image to keep, or metadata), and where its bytes lie in the file.
 * References: ISO/IEC 23008-12:2022 sections 6.4 (items) and A.2 (Exif items), annex of item types;
 * ISO/IEC 14496-12:2022 section 8.11.3.3 (iloc semantics: offsets, base offsets, construction methods).
 */
import { TracelessError, checkRange } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import { payloadSize, payloadStart, printable } from '../isobmff/boxes.js';
import type { HeifMeta, ItemInfo, ItemLocation } from './meta.js';

/**
 * Coded and derived image item types (HEVC, AV1, AVC, JPEG, JPEG 2000, JPEG XL, JPEG XS, VVC,
 * uncompressed, grid, identity, overlay, tone map, mask). Anything else is metadata or unknown.
 */
export const imageItemTypes: ReadonlySet<string> = new Set([
  'hvc1', 'hev1', 'hvt1', 'lhv1', 'av01', 'avc1', 'avc3', 'jpeg', 'j2k1', 'jxl ', 'jxs1', 'vvc1', 'vvi1',
  'unci', 'grid', 'iden', 'iovl', 'tmap', 'mski', 'hvcE',
]);

export type ItemRole = 'image' | 'exif' | 'xmp' | 'mime' | 'uri' | 'unknown';

export const xmpContentType = 'application/rdf+xml';

/** The role of an item, or undefined for a type traceless does not know. */
export function itemRole(info: ItemInfo): ItemRole | undefined {
  if (imageItemTypes.has(info.type)) return 'image';
  if (info.type === 'Exif') return 'exif';
  if (info.type === 'mime') return info.contentType?.trim().toLowerCase() === xmpContentType ? 'xmp' : 'mime';
  if (info.type === 'uri ') return 'uri';
  return undefined;
}

/** A byte range in the file (absolute offsets). */
export interface ByteRange {
  offset: number;
  length: number;
}

/** Where an item's bytes lie: file ranges (construction method 0 or 1), or undefined for method 2. */
export interface ItemPlace {
  location: ItemLocation;
  /** In file order of the extents (the item's bytes are their concatenation). */
  ranges: ByteRange[];
  /** True when the ranges lie inside `idat`. */
  inIdat: boolean;
}

export function itemLabel(info: ItemInfo): string {
  return `item ${info.id} ('${printable(info.type)}')`;
}

/**
 * Resolves the extents of `location` to file ranges. Throws for data in another file, for
 * construction method 2 (returned as undefined when `allowReferences`), and for ranges outside
 * the file or outside `idat`.
 */
export function placeItem(meta: HeifMeta, location: ItemLocation, source: ByteSource, allowReferences: boolean): ItemPlace | undefined {
  const what = `meta/iloc item ${location.id}`;
  if (location.constructionMethod === 2) {
    if (allowReferences) return undefined;
    throw new TracelessError('UNSUPPORTED_FORMAT', `${what} is built from other items (construction method 2), which traceless cannot clean for a metadata item`);
  }
  if (location.dataReferenceIndex !== 0 && meta.dataReferences[location.dataReferenceIndex - 1] !== true) {
    throw new TracelessError('UNSUPPORTED_FORMAT', `${what} keeps its data in another file (data reference ${location.dataReferenceIndex})`);
  }
  const ranges: ByteRange[] = [];
  if (location.constructionMethod === 1) {
    const idat = meta.idat;
    if (!idat) throw new TracelessError('MALFORMED', `${what} points into idat, but meta has no idat box`);
    for (const extent of location.extents) {
      const offset = location.baseOffset + extent.offset;
      // Length 0 means "all the rest of the referenced data" (ISO/IEC 14496-12 section 8.11.3.3).
      const length = extent.length === 0 ? payloadSize(idat) - offset : extent.length;
      checkRange(offset, length, payloadSize(idat), `${what} (inside idat)`);
      ranges.push({ offset: payloadStart(idat) + offset, length });
    }
    return { location, ranges, inIdat: true };
  }
  for (const extent of location.extents) {
    const offset = location.baseOffset + extent.offset;
    const length = extent.length === 0 ? source.size - offset : extent.length;
    checkRange(offset, length, source.size, what);
    ranges.push({ offset, length });
  }
  return { location, ranges, inIdat: false };
}

/** The concatenated bytes of an item (bounded by the metadata limit). */
export function readItem(source: ByteSource, place: ItemPlace): Buffer {
  const total = place.ranges.reduce((sum, range) => sum + range.length, 0);
  if (total > limits.maxMetadataBytes) {
    throw new TracelessError('LIMIT_EXCEEDED', `item ${place.location.id}: ${total} bytes is more than the ${limits.maxMetadataBytes}-byte metadata limit`);
  }
  return Buffer.concat(place.ranges.map((range) => source.read(range.offset, range.length)), total);
}

/** True when the two ranges share at least one byte. */
export function overlaps(a: ByteRange, b: ByteRange): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}
