/**
 * A bounded reader of TIFF structures: the IFD trees inside EXIF payloads (JPEG APP1, PNG eXIf,
 * WebP EXIF, HEIF Exif items) and whole TIFF/DNG files, classic and BigTIFF.
 *
 * References: TIFF 6.0 (Adobe, 1992) sections 2 and 13; BigTIFF (Aware Systems);
 * CIPA DC-008 Exif 2.32 / 3.0 section 4.6 (Exif, GPS and Interoperability IFDs).
 *
 * It records where every entry and every out-of-line value sits, so that cleaners can remove
 * entries and zero their values in place without moving anything else. Cycles, overlapping
 * offsets and absurd counts are caught: reading never loops or allocates without bound.
 */
import { TracelessError, checkCount } from '../errors.js';
import { limits } from '../limits.js';
import type { Warning } from '../types.js';

/** Bytes per value, by TIFF field type. */
export const tiffTypeSizes: Readonly<Record<number, number>> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8,
};

export const ifdPointerTags = {
  exif: 0x8769,
  gps: 0x8825,
  interop: 0xa005,
  subIfds: 0x014a,
} as const;

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Offset (from the start of the TIFF data) of the 12- or 20-byte entry itself. */
  entryOffset: number;
  /** Offset of the value bytes: inside the entry when `inline`, elsewhere otherwise. */
  valueOffset: number;
  valueLength: number;
  inline: boolean;
  /** False when the type is unknown or the value runs past the data: the value cannot be read. */
  readable: boolean;
}

export interface Ifd {
  /** `IFD0`, `IFD1`, `ExifIFD`, `GPS`, `InteropIFD`, `SubIFD0`, … */
  name: string;
  offset: number;
  entries: IfdEntry[];
  /** Offset of the 4- or 8-byte link to the next IFD. */
  nextLinkOffset: number;
  nextIfdOffset: number;
  /** Total bytes of the IFD table: count field, entries and next link. */
  tableLength: number;
  parent?: string;
  /**
   * Offset of the IFD that points here. Names repeat in a multi-page file (each page's `ExifIFD`,
   * `GPS`), so relations between IFDs go by offset, never by name.
   */
  parentOffset?: number;
}

export interface TiffStructure {
  data: Buffer;
  littleEndian: boolean;
  bigTiff: boolean;
  ifds: Ifd[];
  warnings: Warning[];
}

/** Reads an unsigned integer of `bytes` (2, 4 or 8) at `offset`. */
export function readUint(data: Buffer, offset: number, bytes: number, littleEndian: boolean): number {
  if (offset < 0 || offset + bytes > data.length) {
    throw new TracelessError('TRUNCATED', `TIFF value at ${offset} runs past the end of the data`);
  }
  switch (bytes) {
    case 1:
      return data[offset]!;
    case 2:
      return littleEndian ? data.readUInt16LE(offset) : data.readUInt16BE(offset);
    case 4:
      return littleEndian ? data.readUInt32LE(offset) : data.readUInt32BE(offset);
    default: {
      const value = littleEndian ? data.readBigUInt64LE(offset) : data.readBigUInt64BE(offset);
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new TracelessError('MALFORMED', `TIFF 64-bit value ${value} is out of range`);
      }
      return Number(value);
    }
  }
}

/** True when the data starts with a TIFF header (`II*\0`, `MM\0*`, or BigTIFF's `+`). */
export function isTiffHeader(data: Buffer): boolean {
  if (data.length < 8) return false;
  const order = data.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return false;
  const magic = readUint(data, 2, 2, order === 'II');
  return magic === 42 || magic === 43;
}

/**
 * Parses the IFD tree of `data` (which starts with the TIFF header). Problems that leave the rest
 * readable become warnings; a broken header throws.
 */
export function parseTiff(data: Buffer): TiffStructure {
  if (!isTiffHeader(data)) throw new TracelessError('MALFORMED', 'TIFF header missing or invalid');
  const littleEndian = data[0] === 0x49;
  const magic = readUint(data, 2, 2, littleEndian);
  const bigTiff = magic === 43;
  let firstIfd: number;
  if (bigTiff) {
    if (readUint(data, 4, 2, littleEndian) !== 8) throw new TracelessError('MALFORMED', 'BigTIFF offset size is not 8');
    if (data.length < 16) throw new TracelessError('TRUNCATED', 'BigTIFF header is cut short');
    firstIfd = readUint(data, 8, 8, littleEndian);
  } else {
    firstIfd = readUint(data, 4, 4, littleEndian);
  }
  const structure: TiffStructure = { data, littleEndian, bigTiff, ifds: [], warnings: [] };
  const visited = new Set<number>();
  const queue: { offset: number; name: string; parent?: string; parentOffset?: number }[] = [{ offset: firstIfd, name: 'IFD0' }];
  let chainIndex = 0;
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (next.offset === 0) continue;
    if (visited.has(next.offset)) {
      structure.warnings.push({ code: 'TIFF_IFD_CYCLE', message: `${next.name} points back to an IFD already read`, severity: 'warning' });
      continue;
    }
    visited.add(next.offset);
    checkCount(structure.ifds.length + 1, limits.maxIfdCount, 'TIFF IFD count');
    let ifd: Ifd;
    try {
      ifd = readIfd(structure, next.offset, next.name);
    } catch (error) {
      if (next.name === 'IFD0') throw error;
      structure.warnings.push({
        code: 'TIFF_IFD_UNREADABLE',
        message: `${next.name} at offset ${next.offset} cannot be read (${(error as Error).message})`,
        severity: 'warning',
      });
      continue;
    }
    if (next.parent !== undefined) ifd.parent = next.parent;
    if (next.parentOffset !== undefined) ifd.parentOffset = next.parentOffset;
    structure.ifds.push(ifd);
    for (const entry of ifd.entries) {
      const child = childIfdName(entry.tag, ifd.name);
      if (!child || !entry.readable) continue;
      const offsets = readNumbers(structure, entry);
      offsets.forEach((offset, index) => {
        queue.push({ offset, name: entry.tag === ifdPointerTags.subIfds ? `${ifd.name === 'IFD0' ? '' : ifd.name + '/'}SubIFD${index}` : child, parent: ifd.name, parentOffset: ifd.offset });
      });
    }
    if (isChainIfd(ifd.name) && ifd.nextIfdOffset !== 0) {
      chainIndex += 1;
      queue.push({ offset: ifd.nextIfdOffset, name: `IFD${chainIndex}` });
    }
  }
  return structure;
}

function isChainIfd(name: string): boolean {
  return /^IFD\d+$/.test(name);
}

function childIfdName(tag: number, parentName: string): string | undefined {
  switch (tag) {
    case ifdPointerTags.exif:
      return parentName === 'IFD0' || parentName.startsWith('IFD') ? 'ExifIFD' : `${parentName}/ExifIFD`;
    case ifdPointerTags.gps:
      return 'GPS';
    case ifdPointerTags.interop:
      return 'InteropIFD';
    case ifdPointerTags.subIfds:
      return 'SubIFD';
    default:
      return undefined;
  }
}

function readIfd(structure: TiffStructure, offset: number, name: string): Ifd {
  const { data, littleEndian, bigTiff } = structure;
  const countBytes = bigTiff ? 8 : 2;
  const entryBytes = bigTiff ? 20 : 12;
  const linkBytes = bigTiff ? 8 : 4;
  const count = readUint(data, offset, countBytes, littleEndian);
  checkCount(count, limits.maxIfdEntryCount, `${name} entry count`);
  const tableLength = countBytes + count * entryBytes + linkBytes;
  if (offset + tableLength > data.length) {
    throw new TracelessError('TRUNCATED', `${name} table (${count} entries) runs past the end of the data`);
  }
  const entries: IfdEntry[] = [];
  for (let index = 0; index < count; index++) {
    const entryOffset = offset + countBytes + index * entryBytes;
    const tag = readUint(data, entryOffset, 2, littleEndian);
    const type = readUint(data, entryOffset + 2, 2, littleEndian);
    const valueCount = readUint(data, entryOffset + 4, bigTiff ? 8 : 4, littleEndian);
    const inlineOffset = entryOffset + (bigTiff ? 12 : 8);
    // Types 16–18 (8-byte integers and offsets) exist only in BigTIFF; in a classic TIFF they are
    // unknown types, whose values are not read.
    const typeSize = !bigTiff && type >= 16 ? undefined : tiffTypeSizes[type];
    const valueLength = typeSize === undefined ? 0 : typeSize * valueCount;
    const inline = typeSize !== undefined && valueLength <= linkBytes;
    let valueOffset = inlineOffset;
    let readable = typeSize !== undefined && Number.isSafeInteger(valueLength);
    if (readable && !inline) {
      valueOffset = readUint(data, inlineOffset, linkBytes, littleEndian);
      if (valueOffset + valueLength > data.length) {
        readable = false;
        structure.warnings.push({
          code: 'TIFF_VALUE_OUT_OF_RANGE',
          message: `${name} tag 0x${tag.toString(16).padStart(4, '0')}: value of ${valueLength} bytes at ${valueOffset} lies outside the data`,
          severity: 'warning',
        });
      }
    }
    entries.push({ tag, type, count: valueCount, entryOffset, valueOffset, valueLength: readable ? valueLength : 0, inline, readable });
  }
  const nextLinkOffset = offset + countBytes + count * entryBytes;
  const nextIfdOffset = readUint(data, nextLinkOffset, linkBytes, littleEndian);
  return { name, offset, entries, nextLinkOffset, nextIfdOffset, tableLength };
}

/** The numeric values of an entry (integers; rationals as numerator/denominator quotients). */
export function readNumbers(structure: TiffStructure, entry: IfdEntry, maxValues = 4096): number[] {
  if (!entry.readable) return [];
  const { data, littleEndian } = structure;
  const size = tiffTypeSizes[entry.type] ?? 0;
  const values: number[] = [];
  const count = Math.min(entry.count, maxValues);
  for (let index = 0; index < count; index++) {
    const at = entry.valueOffset + index * size;
    switch (entry.type) {
      case 1: case 2: case 7:
        values.push(data[at]!);
        break;
      case 6:
        values.push(data.readInt8(at));
        break;
      case 3:
        values.push(readUint(data, at, 2, littleEndian));
        break;
      case 8:
        values.push(littleEndian ? data.readInt16LE(at) : data.readInt16BE(at));
        break;
      case 4: case 13:
        values.push(readUint(data, at, 4, littleEndian));
        break;
      case 9:
        values.push(littleEndian ? data.readInt32LE(at) : data.readInt32BE(at));
        break;
      case 5: case 10: {
        const signed = entry.type === 10;
        const numerator = signed ? (littleEndian ? data.readInt32LE(at) : data.readInt32BE(at)) : readUint(data, at, 4, littleEndian);
        const denominator = signed ? (littleEndian ? data.readInt32LE(at + 4) : data.readInt32BE(at + 4)) : readUint(data, at + 4, 4, littleEndian);
        values.push(denominator === 0 ? NaN : numerator / denominator);
        break;
      }
      case 11:
        values.push(littleEndian ? data.readFloatLE(at) : data.readFloatBE(at));
        break;
      case 12:
        values.push(littleEndian ? data.readDoubleLE(at) : data.readDoubleBE(at));
        break;
      case 16: case 18:
        values.push(readUint(data, at, 8, littleEndian));
        break;
      case 17: {
        const big = littleEndian ? data.readBigInt64LE(at) : data.readBigInt64BE(at);
        values.push(Number(big));
        break;
      }
      default:
        return values;
    }
  }
  return values;
}

/** The raw value bytes of an entry. */
export function readBytes(structure: TiffStructure, entry: IfdEntry): Buffer {
  if (!entry.readable) return Buffer.alloc(0);
  return structure.data.subarray(entry.valueOffset, entry.valueOffset + entry.valueLength);
}

/** An ASCII/UTF-8 value with trailing NULs and padding removed. */
export function readText(structure: TiffStructure, entry: IfdEntry): string {
  const bytes = readBytes(structure, entry);
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end === -1 ? bytes.length : end).trim();
}

export function findIfd(structure: TiffStructure, name: string): Ifd | undefined {
  return structure.ifds.find((ifd) => ifd.name === name);
}

export function findEntry(ifd: Ifd | undefined, tag: number): IfdEntry | undefined {
  return ifd?.entries.find((entry) => entry.tag === tag);
}
