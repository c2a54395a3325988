/**
 * In-place edits of TIFF structures: remove IFD entries and zero every byte they owned, without
 * moving anything else (so strip/tile offsets, MakerNote-relative offsets and the next-IFD links
 * of everything kept stay valid). Also builds the minimal EXIF block that keeps a photo upright.
 * Reference: TIFF 6.0 section 2 (IFD layout); CIPA DC-008 section 4.6.2.
 */
import { TracelessError, internalError } from '../errors.js';
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
  if (bytes === 1) data.writeUInt8(value, offset);
  else if (bytes === 2) littleEndian ? data.writeUInt16LE(value, offset) : data.writeUInt16BE(value, offset);
  else if (bytes === 4) littleEndian ? data.writeUInt32LE(value, offset) : data.writeUInt32BE(value, offset);
  else if (bytes === 8) littleEndian ? data.writeBigUInt64LE(BigInt(value), offset) : data.writeBigUInt64BE(BigInt(value), offset);
  else throw internalError(`a ${bytes}-byte TIFF integer`);
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

/** A value to write for a kept entry: its type, count and exactly `typeSize × count` bytes. */
export interface EmittedValue {
  type: number;
  count: number;
  data: Buffer;
}

/** What to keep when a TIFF structure is written back from its parsed fields. */
export interface ReemitRules {
  /** Whether an IFD is kept. IFD0 always is; an IFD whose parent goes goes too. */
  keepIfd(ifd: Ifd): boolean;
  /** Whether an entry of a kept IFD is kept (pointer entries also need their target kept). */
  keepEntry(ifd: Ifd, entry: IfdEntry): boolean;
  /**
   * The value to write for a kept entry, when it differs from the parsed one (text emptied,
   * tables cleaned, a scalar cut to its one value). It may be shorter, never longer.
   */
  rewrite?(ifd: Ifd, entry: IfdEntry, value: Buffer): EmittedValue | undefined;
}

export interface ReemittedTiff {
  /** The structure's length; every byte no kept structure owns is zero. */
  data: Buffer;
  /** Ranges written: header, kept IFD tables and kept out-of-line values. */
  written: { offset: number; length: number }[];
  keptIfds: Ifd[];
  removedIfds: Ifd[];
  removedEntries: { ifd: Ifd; entry: IfdEntry }[];
  /** Kept entries whose value was written differently from the input (see `rewrite`). */
  rewrittenEntries: { ifd: Ifd; entry: IfdEntry; before: Buffer; after: EmittedValue }[];
}

const isChainName = (name: string) => /^IFD\d+$/.test(name);
const pointerTags: ReadonlySet<number> = new Set([ifdPointerTags.exif, ifdPointerTags.gps, ifdPointerTags.interop, ifdPointerTags.subIfds]);

/**
 * Writes a TIFF structure back from its parsed fields (keep-list rule "re-emit, don't copy"):
 * the header, the table of every kept IFD (kept entries only, inline values with their unused
 * bytes zeroed, a next link only to a kept chain IFD) and every kept out-of-line value (ASCII
 * values cut after their first NUL) — each at the offset it had, so nothing else moves. Every other
 * byte of the result is zero: removed entries, removed IFDs, slack, unreferenced gaps. The caller
 * adds image data (strips, tiles) on top.
 * Throws MALFORMED when two kept structures overlap with different bytes (they cannot both be
 * written where they are).
 */
export function reemitTiff(structure: TiffStructure, rules: ReemitRules): ReemittedTiff {
  const { data, littleEndian, bigTiff } = structure;
  const countBytes = bigTiff ? 8 : 2;
  const entryBytes = bigTiff ? 20 : 12;
  const linkBytes = bigTiff ? 8 : 4;
  const fieldBytes = linkBytes;
  const byOffset = new Map(structure.ifds.map((ifd) => [ifd.offset, ifd]));
  // Relations go by offset: names repeat across the pages of a multi-page file.
  const keptOffsets = new Set<number>();
  const keptIfds: Ifd[] = [];
  const removedIfds: Ifd[] = [];
  for (const ifd of structure.ifds) {
    const parentKept = ifd.parentOffset === undefined || keptOffsets.has(ifd.parentOffset);
    if (ifd.name === 'IFD0' || (parentKept && rules.keepIfd(ifd))) {
      keptOffsets.add(ifd.offset);
      keptIfds.push(ifd);
    } else {
      removedIfds.push(ifd);
    }
  }
  // An IFD no kept pointer leads to is not kept either (a reader would never reach it).
  for (let changed = true; changed;) {
    changed = false;
    const reachable = new Set<Ifd>();
    for (const ifd of keptIfds) {
      for (const entry of ifd.entries) {
        if (!pointerTags.has(entry.tag) || !entry.readable || !rules.keepEntry(ifd, entry)) continue;
        const size = tiffTypeSizes[entry.type] ?? 4;
        for (let index = 0; index < entry.count; index++) {
          const target = byOffset.get(readUint(data, entry.valueOffset + index * size, size, littleEndian));
          if (target && target.parentOffset === ifd.offset) reachable.add(target);
        }
      }
    }
    for (const ifd of [...keptIfds]) {
      if (isChainName(ifd.name) || reachable.has(ifd)) continue;
      keptIfds.splice(keptIfds.indexOf(ifd), 1);
      keptOffsets.delete(ifd.offset);
      removedIfds.push(ifd);
      changed = true;
    }
  }
  removedIfds.sort((a, b) => structure.ifds.indexOf(a) - structure.ifds.indexOf(b));
  const kept = new Set(keptIfds);
  const chain = keptIfds.filter((ifd) => isChainName(ifd.name)).sort((a, b) => Number(a.name.slice(3)) - Number(b.name.slice(3)));
  const result: ReemittedTiff = { data: Buffer.alloc(data.length), written: [], keptIfds, removedIfds, removedEntries: [], rewrittenEntries: [] };
  const out = result.data;
  const planned: { offset: number; bytes: Buffer }[] = [];
  const tables: { offset: number; bytes: Buffer }[] = [];

  for (const ifd of keptIfds) {
    const entries: { entry: IfdEntry; value: EmittedValue }[] = [];
    for (const entry of ifd.entries) {
      const value = keptValue(ifd, entry);
      if (value) entries.push({ entry, value });
      else result.removedEntries.push({ ifd, entry });
    }
    const table = Buffer.alloc(ifd.tableLength);
    writeUint(table, 0, countBytes, entries.length, littleEndian);
    entries.forEach(({ entry, value }, index) => {
      const at = countBytes + index * entryBytes;
      writeUint(table, at, 2, entry.tag, littleEndian);
      writeUint(table, at + 2, 2, value.type, littleEndian);
      writeUint(table, at + 4, bigTiff ? 8 : 4, value.count, littleEndian);
      const field = at + 4 + (bigTiff ? 8 : 4);
      if (value.data.length <= fieldBytes) {
        value.data.copy(table, field);
      } else {
        writeUint(table, field, fieldBytes, entry.valueOffset, littleEndian);
        planned.push({ offset: entry.valueOffset, bytes: value.data });
      }
    });
    const nextInChain = isChainName(ifd.name) ? chain[chain.indexOf(ifd) + 1] : undefined;
    writeUint(table, countBytes + entries.length * entryBytes, linkBytes, nextInChain?.offset ?? 0, littleEndian);
    tables.push({ offset: ifd.offset, bytes: table });
  }
  const header = Buffer.alloc(bigTiff ? 16 : 8);
  data.copy(header, 0, 0, 2); // byte order mark, checked by parseTiff
  writeUint(header, 2, 2, bigTiff ? 43 : 42, littleEndian);
  if (bigTiff) {
    writeUint(header, 4, 2, 8, littleEndian);
    writeUint(header, 8, 8, keptIfds[0]?.offset ?? 0, littleEndian);
  } else {
    writeUint(header, 4, 4, keptIfds[0]?.offset ?? 0, littleEndian);
  }
  // Values first, then tables, then the header: a later write only ever overlaps an earlier one
  // where the input already overlapped, and the check below refuses when the bytes disagree.
  const writes = [...planned, ...tables, { offset: 0, bytes: header }];
  for (const write of writes) {
    if (write.offset + write.bytes.length > out.length) throw new TracelessError('TRUNCATED', `a TIFF structure at ${write.offset} runs past the end of the data`);
    write.bytes.copy(out, write.offset);
    result.written.push({ offset: write.offset, length: write.bytes.length });
  }
  for (const write of writes) {
    if (!out.subarray(write.offset, write.offset + write.bytes.length).equals(write.bytes)) {
      throw new TracelessError('MALFORMED', `TIFF structures overlap at offset ${write.offset}, so they cannot be re-written where they are`);
    }
  }
  return result;

  function keptValue(ifd: Ifd, entry: IfdEntry): EmittedValue | undefined {
    if (!entry.readable || !rules.keepEntry(ifd, entry)) return undefined;
    const before = data.subarray(entry.valueOffset, entry.valueOffset + entry.valueLength);
    let value: EmittedValue = { type: entry.type, count: entry.count, data: before };
    if (pointerTags.has(entry.tag)) {
      // Only pointers to kept IFDs survive (a SubIFDs list loses the removed ones).
      const size = tiffTypeSizes[entry.type] ?? 4;
      const targets: Buffer[] = [];
      for (let index = 0; index < entry.count; index++) {
        const at = entry.valueOffset + index * size;
        const target = byOffset.get(readUint(data, at, size, littleEndian));
        if (target && kept.has(target) && target.parentOffset === ifd.offset) targets.push(data.subarray(at, at + size));
      }
      if (targets.length === 0) return undefined;
      value = { type: entry.type, count: targets.length, data: Buffer.concat(targets) };
    } else {
      value = rules.rewrite?.(ifd, entry, before) ?? value;
      if (value.type === 2) value = cutAtNul(value);
    }
    const size = tiffTypeSizes[value.type];
    if (size === undefined || value.data.length !== size * value.count) throw internalError(`a re-written TIFF value of ${value.data.length} bytes for ${value.count} values of type ${value.type}`);
    if (value.data.length > entry.valueLength && value.data.length > fieldBytes) throw internalError('a re-written TIFF value grew');
    if (entry.inline && value.data.length > fieldBytes) throw internalError('an inline TIFF value moved out of line');
    if (value.count !== entry.count || value.type !== entry.type || !value.data.equals(before)) {
      result.rewrittenEntries.push({ ifd, entry, before, after: value });
    }
    return value;
  }
}

/** An ASCII value cut after its first NUL: a reader stops there, so what follows is slack. */
function cutAtNul(value: EmittedValue): EmittedValue {
  const end = value.data.indexOf(0);
  if (end === -1 || end === value.data.length - 1) return value;
  return { type: value.type, count: end + 1, data: value.data.subarray(0, end + 1) };
}
