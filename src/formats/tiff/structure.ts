/**
 * Reads a whole TIFF/DNG file into the shared IFD model (src/decode/tiff.ts) and answers the
 * questions both the inspector and the cleaner ask: which IFDs hold images and which hold
 * metadata, where the pixel data lies, whether the file is a camera RAW, and what in its
 * structure cannot be trusted.
 *
 * References: TIFF 6.0 sections 2, 3 and 15 (strips, tiles, old-style JPEG tables);
 * BigTIFF (Aware Systems); Adobe DNG 1.7.1 sections 3 and 4; TIFF/EP (ISO 12234-2).
 */
import { TracelessError, checkCount, checkRange } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import { findEntry, parseTiff, readNumbers, readText, type Ifd, type IfdEntry, type TiffStructure } from '../../decode/tiff.js';
import { tiffTags } from '../../decode/exif-tags.js';
import { dngTags, jpegCompressions, keptImageTags, metadataTags, rawCompressions, rawKindFromMake, rawPhotometrics } from './tags.js';

/** Strips or tiles walked in one IFD (a 100k-row image stored one row per strip is still fine). */
export const maxStripsPerIfd = 1_000_000;

export interface ByteRange {
  offset: number;
  length: number;
}

export interface TiffFile {
  structure: TiffStructure;
  /** Bytes of the file header: 8 (classic) or 16 (BigTIFF). */
  headerLength: number;
  isDng: boolean;
  /** Set when the file is a camera RAW (not DNG): `NEF`, `CR2`, … or `camera RAW`. */
  rawKind?: string;
  /** IFD0…IFDn and SubIFDs: they describe images. */
  imageIfds: Ifd[];
  /** Exif, GPS and Interoperability IFDs: metadata only. */
  metadataIfds: Ifd[];
  /** Chain IFDs (IFD1…) that hold nothing but an EXIF-style JPEG thumbnail. */
  thumbnailIfds: Ifd[];
  /** Names of IFDs that were pointed to but could not be read, or that loop back. */
  brokenIfds: string[];
}

/**
 * The whole file as one buffer: TIFF values may sit anywhere, so the IFD model needs all of it.
 * Files larger than `limits.maxMetadataBytes` are refused rather than read.
 */
export function loadTiffBytes(source: ByteSource): Buffer {
  if (source.wholeBuffer) return source.wholeBuffer;
  if (source.size > limits.maxMetadataBytes) {
    throw new TracelessError('LIMIT_EXCEEDED', `TIFF files larger than ${limits.maxMetadataBytes / 1024 / 1024} MB are not read by traceless (this one has ${source.size} bytes)`);
  }
  // Verification inspects and plans the same source: read it once.
  const cached = loaded.get(source);
  if (cached) return cached;
  const data = source.read(0, source.size);
  loaded.set(source, data);
  return data;
}

const loaded = new WeakMap<ByteSource, Buffer>();

export function ifdLeafName(ifd: Ifd | string): string {
  const name = typeof ifd === 'string' ? ifd : ifd.name;
  return name.slice(name.lastIndexOf('/') + 1);
}

export function isImageIfdName(name: string): boolean {
  return /^(IFD|SubIFD)\d+$/.test(ifdLeafName(name));
}

const isChainName = (name: string) => /^IFD\d+$/.test(name);

/** Parses `data` (a whole TIFF file) and classifies its IFDs. */
export function readTiffFile(data: Buffer): TiffFile {
  const structure = parseTiff(data);
  const imageIfds = structure.ifds.filter((ifd) => isImageIfdName(ifd.name));
  const metadataIfds = structure.ifds.filter((ifd) => !isImageIfdName(ifd.name));
  const ifd0 = structure.ifds[0];
  const isDng = findEntry(ifd0, dngTags.dngVersion) !== undefined;
  const file: TiffFile = {
    structure,
    headerLength: structure.bigTiff ? 16 : 8,
    isDng,
    imageIfds,
    metadataIfds,
    thumbnailIfds: imageIfds.filter((ifd) => isChainName(ifd.name) && ifd.name !== 'IFD0' && isThumbnailOnly(ifd)),
    brokenIfds: brokenIfdNames(structure),
  };
  const rawKind = detectRaw(file);
  if (rawKind) file.rawKind = rawKind;
  return file;
}

/** An IFD whose only image data is an EXIF-style JPEG thumbnail (0x0201/0x0202), as IFD1 in EXIF. */
function isThumbnailOnly(ifd: Ifd): boolean {
  const has = (tag: number) => ifd.entries.some((entry) => entry.tag === tag);
  return has(tiffTags.thumbnailOffset) && !has(tiffTags.stripOffsets) && !has(tiffTags.tileOffsets) && !has(metadataTags.subIfds);
}

/** The IFD names named by the reader's cycle and unreadable-IFD warnings. */
function brokenIfdNames(structure: TiffStructure): string[] {
  return structure.warnings
    .filter((warning) => warning.code === 'TIFF_IFD_CYCLE' || warning.code === 'TIFF_IFD_UNREADABLE')
    .map((warning) => warning.message.split(' ')[0] ?? '');
}

export function firstNumber(structure: TiffStructure, ifd: Ifd | undefined, tag: number): number | undefined {
  const entry = findEntry(ifd, tag);
  return entry ? readNumbers(structure, entry, 1)[0] : undefined;
}

/**
 * Camera RAW files are TIFF files whose sensor data needs the maker notes to decode: traceless
 * scans them but does not clean them. DNG is the exception: it is self-describing.
 */
function detectRaw(file: TiffFile): string | undefined {
  const { structure } = file;
  const make = makeOf(structure);
  if (structure.data.length >= 10 && structure.data.toString('latin1', 8, 10) === 'CR' && !structure.bigTiff) return 'CR2';
  if (file.isDng) return undefined;
  for (const ifd of file.imageIfds) {
    const compression = firstNumber(structure, ifd, metadataTags.compression);
    const photometric = firstNumber(structure, ifd, metadataTags.photometric);
    const hasCfaTags = ifd.entries.some((entry) => entry.tag === metadataTags.cfaRepeatPatternDim || entry.tag === metadataTags.cfaPattern);
    if ((compression !== undefined && rawCompressions.has(compression)) || (photometric !== undefined && rawPhotometrics.has(photometric)) || hasCfaTags) {
      return rawKindFromMake(make) ?? 'camera RAW';
    }
  }
  return undefined;
}

export function makeOf(structure: TiffStructure): string | undefined {
  const entry = findEntry(structure.ifds[0], 0x010f);
  return entry ? readText(structure, entry) : undefined;
}

/** Reads an offsets/byte-counts pair of arrays and checks every range against the file. */
function pairedRanges(structure: TiffStructure, ifd: Ifd, offsetsTag: number, countsTag: number, what: string): ByteRange[] {
  const offsetsEntry = findEntry(ifd, offsetsTag);
  if (!offsetsEntry) return [];
  const countsEntry = findEntry(ifd, countsTag);
  if (!countsEntry) throw new TracelessError('MALFORMED', `${ifd.name}: ${what} offsets without byte counts`);
  if (!offsetsEntry.readable || !countsEntry.readable) throw new TracelessError('MALFORMED', `${ifd.name}: ${what} offsets or byte counts cannot be read`);
  checkCount(offsetsEntry.count, maxStripsPerIfd, `${ifd.name} ${what} count`);
  if (offsetsEntry.count !== countsEntry.count) {
    throw new TracelessError('MALFORMED', `${ifd.name}: ${offsetsEntry.count} ${what} offsets but ${countsEntry.count} byte counts`);
  }
  const offsets = readNumbers(structure, offsetsEntry, maxStripsPerIfd);
  const counts = readNumbers(structure, countsEntry, maxStripsPerIfd);
  const ranges: ByteRange[] = [];
  offsets.forEach((offset, index) => {
    const length = counts[index]!;
    if (length === 0) return; // an empty strip (sparse tiles) owns nothing
    checkRange(offset, length, structure.data.length, `${ifd.name} ${what} ${index}`);
    ranges.push({ offset, length });
  });
  return ranges;
}

export interface ImageData {
  /** Strips, tiles and an old-style JPEG stream: the pixels. */
  pixels: ByteRange[];
  /** Old-style JPEG quantisation and Huffman tables pointed to by offset (tags 0x0207–0x0209). */
  tables: ByteRange[];
  /** True when the pixel ranges are JPEG streams (which may carry APPn segments of their own). */
  jpeg: boolean;
}

/** Where an image IFD's pixel data lies. Throws MALFORMED/TRUNCATED when it lies outside the file. */
export function imageDataOf(structure: TiffStructure, ifd: Ifd): ImageData {
  const pixels = [
    ...pairedRanges(structure, ifd, tiffTags.stripOffsets, tiffTags.stripByteCounts, 'strip'),
    ...pairedRanges(structure, ifd, tiffTags.tileOffsets, tiffTags.tileByteCounts, 'tile'),
  ];
  const jpegOffset = firstNumber(structure, ifd, tiffTags.thumbnailOffset);
  const jpegLength = firstNumber(structure, ifd, tiffTags.thumbnailLength);
  if (jpegOffset !== undefined && jpegLength !== undefined && jpegLength > 0) {
    checkRange(jpegOffset, jpegLength, structure.data.length, `${ifd.name} JPEG stream`);
    pixels.push({ offset: jpegOffset, length: jpegLength });
  }
  const tables: ByteRange[] = [];
  for (const tag of [metadataTags.jpegQTables, metadataTags.jpegDcTables, metadataTags.jpegAcTables]) {
    const entry = findEntry(ifd, tag);
    if (!entry) continue;
    for (const offset of readNumbers(structure, entry, 64)) {
      const length = tag === metadataTags.jpegQTables ? 64 : huffmanTableLength(structure.data, offset);
      checkRange(offset, length, structure.data.length, `${ifd.name} JPEG table`);
      tables.push({ offset, length });
    }
  }
  const compression = firstNumber(structure, ifd, metadataTags.compression);
  return { pixels, tables, jpeg: compression !== undefined && jpegCompressions.has(compression) };
}

/** An old-style JPEG Huffman table: 16 code-length counts, then that many symbol bytes. */
function huffmanTableLength(data: Buffer, offset: number): number {
  checkRange(offset, 16, data.length, 'JPEG Huffman table');
  let symbols = 0;
  for (let index = 0; index < 16; index++) symbols += data[offset + index]!;
  return 16 + symbols;
}

/** Entries of kept image IFDs whose values a reader needs but which cannot be read: not provably clean. */
export function unreadableKeptEntries(file: TiffFile): string[] {
  const problems: string[] = [];
  for (const ifd of file.imageIfds) {
    for (const entry of ifd.entries) {
      if (keptImageTags.has(entry.tag) && !entry.readable) problems.push(`${ifd.name} tag 0x${hex4(entry.tag)}`);
    }
  }
  return problems;
}

export function hex4(tag: number): string {
  return tag.toString(16).padStart(4, '0');
}

/** The entry's value range when it lies outside the entry itself. */
export function outOfLineValue(entry: IfdEntry): ByteRange | undefined {
  return !entry.inline && entry.readable && entry.valueLength > 0 ? { offset: entry.valueOffset, length: entry.valueLength } : undefined;
}

/** Sorts and merges ranges. */
export function mergeRanges(ranges: ByteRange[]): ByteRange[] {
  const sorted = ranges.filter((range) => range.length > 0).sort((a, b) => a.offset - b.offset);
  const merged: ByteRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, range.offset + range.length - last.offset);
    } else {
      merged.push({ ...range });
    }
  }
  return merged;
}

/** The gaps of `[0, size)` not covered by `owned` (which must be merged). */
export function gapsBetween(owned: ByteRange[], size: number): ByteRange[] {
  const gaps: ByteRange[] = [];
  let cursor = 0;
  for (const range of owned) {
    if (range.offset > cursor) gaps.push({ offset: cursor, length: range.offset - cursor });
    cursor = Math.max(cursor, range.offset + range.length);
  }
  if (cursor < size) gaps.push({ offset: cursor, length: size - cursor });
  return gaps;
}
