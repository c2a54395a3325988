/**
 * The Multi-Picture Format index (APP2 `MPF\0`) of the first image of an MPO or gain-map JPEG:
 * read from its defined fields, and written again by traceless with only those fields.
 * Reference: CIPA DC-007-2009 "Multi-Picture Format" §5.2 (the MP Index IFD: MPFVersion 0xB000,
 * NumberOfImages 0xB001, MPEntry 0xB002 — 16 bytes per image: attribute, size, offset, two
 * dependent image entry numbers — and the optional ImageUIDList and TotalFrames), §5.2.3.3 (an
 * image's offset counts from the MPF's TIFF header, the first image's is 0), Table 4 (MP type
 * codes). Readers: Skia SkJpegMultiPicture.cpp (Chromium), libultrahdr jpegr.cpp, ExifTool MPF.pm.
 *
 * The writer leaves out the MP Attribute IFD (per-image capture details such as the base viewpoint
 * and convergence angle, which renderers do not need) and the image UID list.
 */
import { TracelessError } from '../../errors.js';
import { markerSegment } from './coding.js';
import { identifiers } from './segments.js';

const app2 = 0xe2;
const tagVersion = 0xb000;
const tagNumberOfImages = 0xb001;
const tagEntries = 0xb002;
const typeUndefined = 7;
const typeLong = 4;
const tiffHeaderBytes = 8;
const entryBytes = 16;
const ifdEntryBytes = 12;
/** An MPF index this long is absurd (each image is 16 bytes; a segment holds 65533). */
const maxImages = 4000;

/** MP type codes (DC-007 Table 4), the low 24 bits of the attribute. */
export const mpTypes = {
  baselinePrimary: 0x030000,
  largeThumbnailVga: 0x010001,
  largeThumbnailFullHd: 0x010002,
  panorama: 0x020001,
  disparity: 0x020002,
  multiAngle: 0x020003,
} as const;

/** Type codes of the images that together make the picture (views of a multi-frame image). */
export const viewTypes: ReadonlySet<number> = new Set([mpTypes.panorama, mpTypes.disparity, mpTypes.multiAngle]);

export interface MpEntry {
  /** Flags (dependent parent/child, representative), image format and MP type code. */
  attribute: number;
  size: number;
  /** From the MPF TIFF header; 0 for the first image. */
  offset: number;
  dependent1: number;
  dependent2: number;
}

export interface MpIndex {
  littleEndian: boolean;
  version: string;
  entries: MpEntry[];
}

export function mpType(attribute: number): number {
  return attribute & 0xffffff;
}

/** Reads the MP Index IFD from the payload after `MPF\0`; throws MALFORMED when it is not one. */
export function parseMpf(body: Buffer): MpIndex {
  const malformed = (why: string) => new TracelessError('MALFORMED', `MPF index: ${why}`);
  if (body.length < tiffHeaderBytes + 2) throw malformed('too short for a TIFF header');
  const order = body.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') throw malformed('no TIFF byte order');
  const littleEndian = order === 'II';
  const u16 = (at: number) => (littleEndian ? body.readUInt16LE(at) : body.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? body.readUInt32LE(at) : body.readUInt32BE(at));
  if (u16(2) !== 42) throw malformed('not a TIFF header');
  const ifd = u32(4);
  if (ifd < tiffHeaderBytes || ifd + 2 > body.length) throw malformed('the index IFD is outside the segment');
  const count = u16(ifd);
  if (ifd + 2 + count * ifdEntryBytes > body.length) throw malformed('the index IFD runs past the segment');
  let version: string | undefined;
  let images: number | undefined;
  let entriesAt: number | undefined;
  let entriesLength = 0;
  for (let index = 0; index < count; index++) {
    const at = ifd + 2 + index * ifdEntryBytes;
    const tag = u16(at);
    const type = u16(at + 2);
    const valueCount = u32(at + 4);
    if (tag === tagVersion && type === typeUndefined && valueCount === 4) version = body.toString('latin1', at + 8, at + 12);
    else if (tag === tagNumberOfImages && type === typeLong && valueCount === 1) images = u32(at + 8);
    else if (tag === tagEntries && type === typeUndefined) {
      entriesLength = valueCount;
      entriesAt = valueCount <= 4 ? at + 8 : u32(at + 8);
    }
  }
  if (version === undefined || !/^0\d{3}$/.test(version)) throw malformed('no MPFVersion');
  if (images === undefined || images < 1 || images > maxImages) throw malformed('no or an impossible NumberOfImages');
  if (entriesAt === undefined || entriesLength !== images * entryBytes) throw malformed('the MP entries do not match NumberOfImages');
  if (entriesAt + entriesLength > body.length) throw malformed('the MP entries run past the segment');
  const entries: MpEntry[] = [];
  for (let index = 0; index < images; index++) {
    const at = entriesAt + index * entryBytes;
    entries.push({ attribute: u32(at), size: u32(at + 4), offset: u32(at + 8), dependent1: u16(at + 12), dependent2: u16(at + 14) });
  }
  return { littleEndian, version, entries };
}

/** Bytes of the APP2 segment `encodeMpf` writes for `images` images. */
export function mpfSegmentLength(images: number): number {
  return 4 + identifiers.mpf.length + mpfTiffLength(images);
}

function mpfTiffLength(images: number): number {
  return tiffHeaderBytes + 2 + 3 * ifdEntryBytes + 4 + images * entryBytes;
}

/** Offset of the MPF TIFF header from the start of the segment `encodeMpf` writes. */
export const mpfTiffHeaderAt = 4 + identifiers.mpf.length;

/**
 * The APP2 segment with an MP Index IFD of three entries (version, number of images, MP entries)
 * and no attribute IFD (next IFD offset 0), in the byte order of the input.
 */
export function encodeMpf(index: MpIndex): Buffer {
  const images = index.entries.length;
  if (images < 1 || images > maxImages) throw new TracelessError('LIMIT_EXCEEDED', `an MPF index of ${images} images`);
  const tiff = Buffer.alloc(mpfTiffLength(images));
  const le = index.littleEndian;
  const u16 = (value: number, at: number) => (le ? tiff.writeUInt16LE(value, at) : tiff.writeUInt16BE(value, at));
  const u32 = (value: number, at: number) => (le ? tiff.writeUInt32LE(value, at) : tiff.writeUInt32BE(value, at));
  tiff.write(le ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(tiffHeaderBytes, 4);
  let at = tiffHeaderBytes;
  u16(3, at);
  at += 2;
  const entriesAt = tiffHeaderBytes + 2 + 3 * ifdEntryBytes + 4;
  const field = (tag: number, type: number, count: number, write: (valueAt: number) => void) => {
    u16(tag, at);
    u16(type, at + 2);
    u32(count, at + 4);
    write(at + 8);
    at += ifdEntryBytes;
  };
  field(tagVersion, typeUndefined, 4, (valueAt) => tiff.write(index.version, valueAt, 'latin1'));
  field(tagNumberOfImages, typeLong, 1, (valueAt) => u32(images, valueAt));
  field(tagEntries, typeUndefined, images * entryBytes, (valueAt) => u32(entriesAt, valueAt));
  u32(0, at);
  index.entries.forEach((entry, number) => {
    const entryAt = entriesAt + number * entryBytes;
    u32(entry.attribute, entryAt);
    u32(entry.size, entryAt + 4);
    u32(entry.offset, entryAt + 8);
    u16(entry.dependent1, entryAt + 12);
    u16(entry.dependent2, entryAt + 14);
  });
  return markerSegment(app2, Buffer.concat([Buffer.from(identifiers.mpf, 'latin1'), tiff]));
}
