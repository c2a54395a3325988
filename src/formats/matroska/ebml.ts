/**
 * EBML reader and writer: element headers (variable-size integer IDs and sizes), unknown-size
 * elements, bounds checks and a depth limit; plus the encoders a clean needs (size integers of a
 * chosen width, `Void` elements of an exact total size).
 * References: IETF RFC 8794 (EBML) §4 (VINT), §5 (element ID), §6 (element data size, unknown
 * size = all VINT_DATA bits set), §11.3.2 (Void); RFC 9559 (Matroska) §6.2 (unknown-size
 * Segment and Cluster, as live WebM recorders write them).
 *
 * Headers are read through `ByteSource` windows (never a whole element), so walking a 4 GB file
 * reads a few bytes per element.
 */
import { TracelessError, checkCount, checkRange, internalError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';

/** Longest element ID the Matroska profile allows (EBMLMaxIDLength, RFC 9559 §5.1.1). */
export const maxIdLength = 4;
/** Longest size integer (EBMLMaxSizeLength, RFC 9559 §5.1.1). */
export const maxSizeLength = 8;
/** The most bytes an element header takes. */
export const maxHeaderLength = maxIdLength + maxSizeLength;
/** Nesting deeper than this is refused (real files nest about 8 deep: Chapters/EditionEntry/ChapterAtom/…). */
export const maxDepth = 24;
/** ID of the EBML `Void` element (RFC 8794 §11.3.2). */
export const voidId = 0xec;

export interface ElementHeader {
  /** ID with its marker bit kept, as the specifications write them (`0x1A45DFA3`). */
  id: number;
  /** Where the header starts. */
  offset: number;
  headerLength: number;
  /** Width of the size integer (kept when the element is re-written, so nothing moves). */
  sizeLength: number;
  /** Where the data starts. */
  dataOffset: number;
  /** Data size, or undefined for an unknown size (all VINT_DATA bits set). */
  size: number | undefined;
}

/** Byte length of an ID from its first byte (1–4), or 0 when the byte cannot start one. */
export function idLengthOf(first: number): number {
  if (first >= 0x80) return 1;
  if (first >= 0x40) return 2;
  if (first >= 0x20) return 3;
  if (first >= 0x10) return 4;
  return 0;
}

/** Byte length of a size VINT from its first byte (1–8), or 0 for 0x00. */
function sizeLengthOf(first: number): number {
  return first === 0 ? 0 : Math.clz32(first) - 23;
}

/** Whether `bytes` at `offset` can start an element header (a valid ID byte). */
export function startsElement(bytes: Buffer, offset: number): boolean {
  const first = bytes[offset];
  return first !== undefined && idLengthOf(first) > 0 && first !== 0xff;
}

/** Whether an element header of at least two bytes can start at `offset`, before `end`. */
export function elementAt(source: ByteSource, offset: number, end: number): boolean {
  if (end - offset < 2) return false;
  const whole = source.wholeBuffer;
  return whole ? offset + 2 <= whole.length && startsElement(whole, offset) : startsElement(source.read(offset, 2), 0);
}

/**
 * Reads the header at `offset`, which must end by `limit` and its data (when the size is known) by
 * `dataLimit` (the same unless a caller reads what it can of an element cut short).
 * Throws MALFORMED for an invalid ID or size integer, TRUNCATED for one that runs past `limit`.
 */
export function readHeader(source: ByteSource, offset: number, limit: number, dataLimit = limit): ElementHeader {
  if (offset >= limit) throw new TracelessError('TRUNCATED', `EBML element header at ${offset} is past the end of its parent`);
  const available = Math.min(maxHeaderLength, limit - offset);
  // Millions of headers in a long video: read in place when the file is in memory (no view per header).
  const whole = source.wholeBuffer;
  const bytes = whole ?? source.read(offset, available);
  const base = whole ? offset : 0;
  if (whole) checkRange(offset, available, whole.length, source.name);
  const idLength = idLengthOf(bytes[base]!);
  if (idLength === 0) throw new TracelessError('MALFORMED', `invalid EBML element ID at ${offset}`);
  if (idLength >= available) throw new TracelessError('TRUNCATED', `EBML element header at ${offset} is cut short`);
  const id = bytes.readUIntBE(base, idLength);
  // All VINT_DATA bits set is reserved for IDs (RFC 8794 §5). All clear is too, but Matroska's
  // own ChapterDisplay is 0x80, so that one is accepted.
  const idData = id - 2 ** (7 * idLength);
  if (idData === 2 ** (7 * idLength) - 1) throw new TracelessError('MALFORMED', `reserved EBML element ID 0x${id.toString(16)} at ${offset}`);
  const sizeLength = sizeLengthOf(bytes[base + idLength]!);
  if (sizeLength === 0) throw new TracelessError('MALFORMED', `invalid EBML size at ${offset}`);
  if (idLength + sizeLength > available) throw new TracelessError('TRUNCATED', `EBML element header at ${offset} is cut short`);
  let size = bytes[base + idLength]! & (0xff >> sizeLength);
  let allOnes = size === 0xff >> sizeLength;
  for (let index = 1; index < sizeLength; index++) {
    const byte = bytes[base + idLength + index]!;
    size = size * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  if (!allOnes && !Number.isSafeInteger(size)) throw new TracelessError('LIMIT_EXCEEDED', `EBML element at ${offset} claims ${size} bytes`);
  const headerLength = idLength + sizeLength;
  const header: ElementHeader = { id, offset, headerLength, sizeLength, dataOffset: offset + headerLength, size: allOnes ? undefined : size };
  if (header.size !== undefined && header.dataOffset + header.size > dataLimit) {
    throw new TracelessError('TRUNCATED', `EBML element 0x${id.toString(16)} at ${offset} runs past its parent (${header.size} bytes)`);
  }
  return header;
}

/** End of an element of known size. */
export function endOf(header: ElementHeader): number {
  if (header.size === undefined) throw internalError('the end of an unknown-size EBML element');
  return header.dataOffset + header.size;
}

/** Counts elements walked and checks nesting: one per file, shared by every walk over it. */
export class WalkBudget {
  count = 0;
  constructor(private readonly maximum: number) {}
  step(): void {
    checkCount(++this.count, this.maximum, 'Matroska elements');
  }
  static depth(depth: number): void {
    if (depth > maxDepth) throw new TracelessError('LIMIT_EXCEEDED', `Matroska elements nested more than ${maxDepth} deep`);
  }
}

/** Children of `[start, end)`, each of known size (an unknown size inside an ordinary master is malformed). */
export function* children(source: ByteSource, start: number, end: number, budget: WalkBudget): Generator<ElementHeader> {
  let offset = start;
  while (offset < end) {
    budget.step();
    const header = readHeader(source, offset, end);
    if (header.size === undefined) throw new TracelessError('MALFORMED', `Matroska element 0x${header.id.toString(16)} at ${offset} has an unknown size where one is required`);
    yield header;
    offset = endOf(header);
  }
}

/** The ID's bytes (its length follows from its marker bit). */
export function encodeId(id: number): Buffer {
  if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) throw internalError(`an EBML ID of ${id}`);
  const length = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  const bytes = Buffer.alloc(length);
  bytes.writeUIntBE(id, 0, length);
  return bytes;
}

/** Largest size a VINT of `width` bytes holds (all ones is reserved for "unknown"). */
export function maxSizeFor(width: number): number {
  return maxSizes[width] ?? 2 ** (7 * width) - 2;
}
const maxSizes = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((width) => 2 ** (7 * width) - 2);

/** A size VINT of exactly `width` bytes; `undefined` writes the unknown size (all data bits set). */
export function encodeSize(size: number | undefined, width: number): Buffer {
  if (!Number.isInteger(width) || width < 1 || width > maxSizeLength) throw internalError(`an EBML size of width ${width}`);
  const bytes = Buffer.alloc(width);
  if (size === undefined) {
    bytes.fill(0xff, 1);
    bytes[0] = 0xff >> (width - 1);
    return bytes;
  }
  if (!Number.isSafeInteger(size) || size < 0 || size > maxSizeFor(width)) throw internalError(`an EBML size of ${size} in ${width} bytes`);
  let rest = size;
  for (let index = width - 1; index >= 0; index--) {
    bytes[index] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes[0]! |= 0x80 >> (width - 1);
  return bytes;
}

/** Bytes an ID takes (its marker bit says; for a valid ID this is the same as its value's width). */
export function idWidth(id: number): number {
  if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) throw internalError(`an EBML ID of ${id}`);
  return id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
}

/**
 * Writes an element header (ID, then a size VINT of `sizeLength` bytes) into `target` at `at`
 * without allocating (a long video has millions); returns its length.
 */
export function writeHeader(target: Buffer, at: number, id: number, size: number | undefined, sizeLength: number): number {
  const width = idWidth(id);
  target.writeUIntBE(id, at, width);
  if (!Number.isInteger(sizeLength) || sizeLength < 1 || sizeLength > maxSizeLength) throw internalError(`an EBML size of width ${sizeLength}`);
  const start = at + width;
  if (size === undefined) {
    target[start] = 0xff >> (sizeLength - 1);
    target.fill(0xff, start + 1, start + sizeLength);
    return width + sizeLength;
  }
  if (!Number.isSafeInteger(size) || size < 0 || size > maxSizeFor(sizeLength)) throw internalError(`an EBML size of ${size} in ${sizeLength} bytes`);
  let rest = size;
  for (let index = sizeLength - 1; index >= 0; index--) {
    target[start + index] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  target[start] = target[start]! | (0x80 >> (sizeLength - 1));
  return width + sizeLength;
}

/** An element header: ID and a size VINT of `sizeLength` bytes. */
export function encodeHeader(id: number, size: number | undefined, sizeLength: number): Buffer {
  const idBytes = encodeId(id);
  const header = Buffer.allocUnsafe(idBytes.length + sizeLength);
  idBytes.copy(header);
  encodeSize(size, sizeLength).copy(header, idBytes.length);
  return header;
}

/**
 * The header of a `Void` element whose total length (header and zero data) is exactly `total`:
 * ID 0xEC, then the narrowest size VINT that makes the sum exact. Every EBML element is at least
 * two bytes (one ID byte, one size byte), so any element can become a Void of its own length; a
 * single stray byte cannot, and callers widen a neighbour's size VINT instead.
 */
export function voidHeader(total: number): Buffer {
  const width = voidSizeWidth(total);
  return encodeHeader(voidId, total - 1 - width, width);
}

/** Width of the size VINT of a Void whose total length is `total` (the narrowest that fits). */
export function voidSizeWidth(total: number): number {
  if (!Number.isSafeInteger(total) || total < 2) throw internalError(`a Void element of ${total} bytes`);
  for (let width = 1; width <= maxSizeLength; width++) {
    const data = total - 1 - width;
    if (data < 0) break;
    if (data <= maxSizeFor(width)) return width;
  }
  throw internalError(`a Void element of ${total} bytes`);
}

/** Big-endian unsigned integer of 0–8 bytes (RFC 8794 §7.2), as a bigint. */
export function readUnsigned(bytes: Buffer): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** `value` in exactly `width` big-endian bytes. */
export function writeUnsigned(value: bigint, width: number): Buffer {
  const bytes = Buffer.alloc(width);
  let rest = value;
  for (let index = width - 1; index >= 0; index--) {
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw internalError(`an unsigned integer wider than ${width} bytes`);
  return bytes;
}
