/**
 * In-place edits of TIFF structures: remove IFD entries and zero every byte they owned, without
 * moving anything else (so strip/tile offsets, MakerNote-relative offsets and the next-IFD links
 * of everything kept stay valid). Also builds the minimal EXIF block that keeps a photo upright.
 * Reference: TIFF 6.0 section 2 (IFD layout); CIPA DC-008 section 4.6.2.
 */
import { findIfd, ifdPointerTags, readUint, tiffTypeSizes, type Ifd, type IfdEntry, type TiffStructure } from './tiff.js';

interface Range {
  start: number;
  end: number;
}

/** Byte ranges owned by entries that stay, so that zeroing never corrupts a kept value. */
function keptValueRanges(structure: TiffStructure, removed: Set<IfdEntry>, removedIfds: Set<Ifd>): Range[] {
  const ranges: Range[] = [];
  for (const ifd of structure.ifds) {
    if (removedIfds.has(ifd)) continue;
    ranges.push({ start: ifd.offset, end: ifd.offset + ifd.tableLength });
    for (const entry of ifd.entries) {
      if (removed.has(entry) || entry.inline || !entry.readable) continue;
      ranges.push({ start: entry.valueOffset, end: entry.valueOffset + entry.valueLength });
    }
  }
  return ranges;
}

/** Zeroes `[start, end)` except where it overlaps a kept range. */
function zeroOutside(data: Buffer, start: number, end: number, kept: Range[]): void {
  const cuts = kept.filter((range) => range.end > start && range.start < end).sort((a, b) => a.start - b.start);
  let cursor = start;
  for (const cut of cuts) {
    if (cut.start > cursor) data.fill(0, cursor, Math.min(cut.start, end));
    cursor = Math.max(cursor, cut.end);
  }
  if (cursor < end) data.fill(0, cursor, end);
}

export interface TiffRemoval {
  /** IFD name and tag number of each removed entry. */
  entries: { ifd: string; tag: number; bytes: number }[];
  /** Whole IFDs whose tables and values were zeroed. */
  ifds: string[];
}

/**
 * Removes the entries selected by `shouldRemove` from every IFD, and whole IFDs named in
 * `removeIfds` (together with the pointer entry that leads to them). Works on `structure.data`
 * in place: call it on a copy. Returns what it removed.
 */
export function removeTiffEntries(
  structure: TiffStructure,
  shouldRemove: (ifd: Ifd, entry: IfdEntry) => boolean,
  removeIfds: ReadonlySet<string> = new Set(),
): TiffRemoval {
  const { data, littleEndian, bigTiff } = structure;
  const removedEntries = new Set<IfdEntry>();
  const removedIfds = new Set<Ifd>(structure.ifds.filter((ifd) => removeIfds.has(ifd.name) || isUnder(structure, ifd, removeIfds)));
  const result: TiffRemoval = { entries: [], ifds: [...removedIfds].map((ifd) => ifd.name) };
  for (const ifd of structure.ifds) {
    if (removedIfds.has(ifd)) continue;
    for (const entry of ifd.entries) {
      const pointsToRemovedIfd = pointerTarget(ifd, entry) !== undefined && removeIfds.has(pointerTarget(ifd, entry)!);
      if (pointsToRemovedIfd || shouldRemove(ifd, entry)) removedEntries.add(entry);
    }
  }
  const kept = keptValueRanges(structure, removedEntries, removedIfds);
  // Zero removed IFDs wholesale: their tables and every value they point to.
  for (const ifd of removedIfds) {
    for (const entry of ifd.entries) {
      if (!entry.inline && entry.readable) zeroOutside(data, entry.valueOffset, entry.valueOffset + entry.valueLength, kept);
    }
    zeroOutside(data, ifd.offset, ifd.offset + ifd.tableLength, kept);
  }
  const countBytes = bigTiff ? 8 : 2;
  const entryBytes = bigTiff ? 20 : 12;
  const linkBytes = bigTiff ? 8 : 4;
  for (const ifd of structure.ifds) {
    if (removedIfds.has(ifd)) continue;
    const keptEntries = ifd.entries.filter((entry) => !removedEntries.has(entry));
    if (keptEntries.length === ifd.entries.length) continue;
    for (const entry of ifd.entries) {
      if (!removedEntries.has(entry)) continue;
      result.entries.push({ ifd: ifd.name, tag: entry.tag, bytes: entry.valueLength });
      if (!entry.inline && entry.readable) zeroOutside(data, entry.valueOffset, entry.valueOffset + entry.valueLength, kept);
    }
    // Rewrite the table: kept entries packed from the start, then the next link, then zeros.
    const table = Buffer.alloc(ifd.tableLength);
    writeUint(table, 0, countBytes, keptEntries.length, littleEndian);
    keptEntries.forEach((entry, index) => {
      data.copy(table, countBytes + index * entryBytes, entry.entryOffset, entry.entryOffset + entryBytes);
    });
    data.copy(table, countBytes + keptEntries.length * entryBytes, ifd.nextLinkOffset, ifd.nextLinkOffset + linkBytes);
    table.copy(data, ifd.offset);
  }
  return result;
}

function isUnder(structure: TiffStructure, ifd: Ifd, names: ReadonlySet<string>): boolean {
  let parent = ifd.parent;
  let guard = 0;
  while (parent !== undefined && guard++ < 64) {
    if (names.has(parent)) return true;
    parent = findIfd(structure, parent)?.parent;
  }
  return false;
}

function pointerTarget(ifd: Ifd, entry: IfdEntry): string | undefined {
  if (entry.tag === ifdPointerTags.gps) return 'GPS';
  if (entry.tag === ifdPointerTags.exif) return 'ExifIFD';
  if (entry.tag === ifdPointerTags.interop) return 'InteropIFD';
  return ifd ? undefined : undefined;
}

export function writeUint(data: Buffer, offset: number, bytes: number, value: number, littleEndian: boolean): void {
  if (bytes === 2) littleEndian ? data.writeUInt16LE(value, offset) : data.writeUInt16BE(value, offset);
  else if (bytes === 4) littleEndian ? data.writeUInt32LE(value, offset) : data.writeUInt32BE(value, offset);
  else littleEndian ? data.writeBigUInt64LE(BigInt(value), offset) : data.writeBigUInt64BE(BigInt(value), offset);
}

/** A big-endian TIFF structure holding only IFD0 with one Orientation entry (26 bytes). */
export function buildOrientationTiff(orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x0112, 10);
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt32BE(0, 22); // no next IFD
  return tiff;
}

/** True when the structure is exactly what `buildOrientationTiff` writes (so it is kept as is). */
export function isOrientationOnlyTiff(structure: TiffStructure): boolean {
  if (structure.ifds.length !== 1) return false;
  const ifd = structure.ifds[0]!;
  if (ifd.entries.length !== 1 || ifd.nextIfdOffset !== 0) return false;
  const entry = ifd.entries[0]!;
  if (entry.tag !== 0x0112 || entry.type !== 3 || entry.count !== 1) return false;
  // Nothing may hide in the bytes around the table.
  const used = 8 + ifd.tableLength;
  return ifd.offset === 8 && structure.data.length === used;
}

/**
 * The orientation recorded in IFD0, if any. Out-of-range values (0 is common) are returned as
 * they are: keeping them is harmless (readers treat them as upright) and keeps the file faithful.
 */
export function orientationOf(structure: TiffStructure): number | undefined {
  const entry = structure.ifds[0]?.entries.find((candidate) => candidate.tag === 0x0112);
  if (!entry || !entry.readable || entry.type !== 3) return undefined;
  const value = readUint(structure.data, entry.valueOffset, 2, structure.littleEndian);
  return value;
}

export { tiffTypeSizes };
