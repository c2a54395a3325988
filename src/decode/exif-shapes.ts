/**
 * The defined shape (type and count) of every tag that location mode keeps (exif-tags.ts,
 * `locationSafeTags`), so that a kept entry is written from its defined fields only (keep-list
 * issue 10, "re-emit, don't copy"): a value of another type goes, values past the defined count
 * are cut, text is checked against its defined form where it has one (dates, time zones,
 * sub-seconds, version strings), and free text that spells coordinates goes. Blobs without a
 * defined structure (SourceExposureTimesOfCompositeImage) go.
 * Reference: CIPA DC-008 (Exif 3.0) tables 4, 7, 8, 9 and 11 (type and count columns).
 */
import { findCoordinatesInText } from './coordinates.js';
import { readUint, tiffTypeSizes } from './tiff.js';

export interface ShapedValue {
  type: number;
  count: number;
  data: Buffer;
}

const BYTE = 1, ASCII = 2, SHORT = 3, LONG = 4, RATIONAL = 5, UNDEFINED = 7, SRATIONAL = 10;

interface Shape {
  types: readonly number[];
  /** Most values a reader uses; values past it are cut. */
  max: number;
  /** Fewest values that make sense; fewer: the entry goes. */
  min?: number;
  /** For ASCII: the text (before the first NUL) must match. */
  text?: RegExp;
  /** For UNDEFINED/BYTE: a check of the bytes. */
  check?: (data: Buffer, littleEndian: boolean) => boolean;
}

const one = (...types: number[]): Shape => ({ types, max: 1, min: 1 });
const exactly = (count: number, ...types: number[]): Shape => ({ types, max: count, min: count });
const text = (pattern?: RegExp): Shape => ({ types: [ASCII], max: Infinity, min: 1, text: pattern });

const date = /^(?:[\d ]{4}[:-][\d ]{2}[:-][\d ]{2}(?:[ T][\d ]{2}:[\d ]{2}(?::[\d ]{2})?)?)?\s*$/;
const zone = /^(?:[+-][\d ]{2}:[\d ]{2}|Z|\s*)$/;
const digits = /^\d{0,9}\s*$/;
const freeText = text();
const versionBytes = (data: Buffer) => data.every((byte) => byte >= 0x30 && byte <= 0x39);
const count = (data: Buffer) => data.length;

const imageShapes = new Map<number, Shape>([
  [0x00fe, one(LONG)],
  [0x0100, one(SHORT, LONG)],
  [0x0101, one(SHORT, LONG)],
  [0x0102, { types: [SHORT], max: 4, min: 1 }],
  [0x0103, one(SHORT)],
  [0x0106, one(SHORT)],
  [0x0112, one(SHORT)],
  [0x0115, one(SHORT)],
  [0x011a, one(RATIONAL)],
  [0x011b, one(RATIONAL)],
  [0x011c, one(SHORT)],
  [0x0128, one(SHORT)],
  [0x012d, exactly(768, SHORT)],
  [0x013e, exactly(2, RATIONAL)],
  [0x013f, exactly(6, RATIONAL)],
  [0x0211, exactly(3, RATIONAL)],
  [0x0212, exactly(2, SHORT)],
  [0x0213, one(SHORT)],
  [0x0214, exactly(6, RATIONAL, LONG, SHORT)],
  [0x010f, freeText], [0x0110, freeText], [0x0131, freeText], [0x013b, freeText], [0x013c, freeText], [0x8298, freeText],
  [0x0132, text(date)],
  [0x9c9d, { types: [BYTE], max: Infinity, min: 2 }],
  [0x8769, one(LONG, 13)],
]);

const exifShapes = new Map<number, Shape>([
  [0x829a, one(RATIONAL)], [0x829d, one(RATIONAL)], [0x8822, one(SHORT)], [0x8824, freeText],
  [0x8827, { types: [SHORT], max: 2, min: 1 }],
  [0x8830, one(SHORT)], [0x8831, one(LONG)], [0x8832, one(LONG)], [0x8833, one(LONG)], [0x8834, one(LONG)], [0x8835, one(LONG)],
  [0x9000, { ...exactly(4, UNDEFINED), check: versionBytes }],
  [0x9003, text(date)], [0x9004, text(date)],
  [0x9010, text(zone)], [0x9011, text(zone)], [0x9012, text(zone)],
  [0x9101, { ...exactly(4, UNDEFINED), check: (data) => data.every((byte) => byte <= 6) }],
  [0x9102, one(RATIONAL)],
  [0x9201, one(SRATIONAL)], [0x9202, one(RATIONAL)], [0x9203, one(SRATIONAL)], [0x9204, one(SRATIONAL)], [0x9205, one(RATIONAL)],
  [0x9206, one(RATIONAL)], [0x9207, one(SHORT)], [0x9208, one(SHORT)], [0x9209, one(SHORT)], [0x920a, one(RATIONAL)],
  [0x9214, { types: [SHORT], max: 4, min: 2 }],
  [0x9290, text(digits)], [0x9291, text(digits)], [0x9292, text(digits)],
  [0xa000, { ...exactly(4, UNDEFINED), check: versionBytes }],
  [0xa001, one(SHORT)], [0xa002, one(SHORT, LONG)], [0xa003, one(SHORT, LONG)], [0xa005, one(LONG, 13)],
  [0xa20b, one(RATIONAL)], [0xa20e, one(RATIONAL)], [0xa20f, one(RATIONAL)], [0xa210, one(SHORT)],
  [0xa214, exactly(2, SHORT)], [0xa215, one(RATIONAL)], [0xa217, one(SHORT)],
  [0xa300, one(UNDEFINED)], [0xa301, one(UNDEFINED)],
  [0xa302, { types: [UNDEFINED], max: 4 + 64, min: 5, check: cfaPatternOk }],
  [0xa401, one(SHORT)], [0xa402, one(SHORT)], [0xa403, one(SHORT)], [0xa404, one(RATIONAL)], [0xa405, one(SHORT)],
  [0xa406, one(SHORT)], [0xa407, one(SHORT)], [0xa408, one(SHORT)], [0xa409, one(SHORT)], [0xa40a, one(SHORT)], [0xa40c, one(SHORT)],
  [0xa420, freeText], [0xa430, freeText], [0xa431, freeText],
  [0xa432, exactly(4, RATIONAL)],
  [0xa433, freeText], [0xa434, freeText], [0xa435, freeText],
  [0xa437, freeText], [0xa438, freeText], [0xa439, freeText], [0xa43a, freeText], [0xa43b, freeText], [0xa43c, freeText],
  [0xa460, one(SHORT)], [0xa461, exactly(2, SHORT)],
  [0xa500, one(RATIONAL)],
]);

const interopShapes = new Map<number, Shape>([
  [0x0001, text(/^[A-Z0-9]{0,3}\s*$/)],
  [0x0002, { ...exactly(4, UNDEFINED), check: versionBytes }],
  [0x1000, freeText],
  [0x1001, one(SHORT, LONG)],
  [0x1002, one(SHORT, LONG)],
]);

/** CFAPattern (Exif): two SHORTs (columns, rows) then columns × rows bytes — in either byte order, as readers differ. */
function cfaPatternOk(data: Buffer): boolean {
  if (data.length < 4) return false;
  return [false, true].some((littleEndian) => {
    const columns = readUint(data, 0, 2, littleEndian);
    const rows = readUint(data, 2, 2, littleEndian);
    return columns > 0 && rows > 0 && columns * rows <= 64 && data.length === 4 + columns * rows;
  });
}

function shapesOf(ifdLeaf: string): ReadonlyMap<number, Shape> | undefined {
  if (ifdLeaf === 'ExifIFD') return exifShapes;
  if (ifdLeaf === 'InteropIFD') return interopShapes;
  if (ifdLeaf === 'IFD0') return imageShapes;
  return undefined;
}

/**
 * The value to write for a tag location mode keeps, from its defined fields; undefined when the
 * entry does not have its defined shape (it goes). `value` is the entry's value bytes.
 */
export function locationSafeValue(ifdLeaf: string, tag: number, type: number, valueCount: number, value: Buffer, littleEndian: boolean): ShapedValue | undefined {
  const shape = shapesOf(ifdLeaf)?.get(tag);
  if (!shape || !shape.types.includes(type)) return undefined;
  const size = tiffTypeSizes[type];
  if (size === undefined || value.length !== size * valueCount) return undefined;
  if (type === ASCII) {
    const end = value.indexOf(0);
    const body = value.subarray(0, end === -1 ? value.length : end);
    const string = body.toString('latin1');
    if (shape.text && !shape.text.test(string)) return undefined;
    if (findCoordinatesInText(string).length > 0) return undefined;
    const data = Buffer.concat([body, Buffer.alloc(1)]);
    // A value without its NUL keeps its length (it cannot grow); it is cut after the first NUL otherwise.
    return end === -1 ? { type, count: valueCount, data: value } : { type, count: data.length, data };
  }
  if (tag === 0x9c9d) return xpText(value);
  const kept = Math.min(valueCount, shape.max);
  if (kept < (shape.min ?? 1)) return undefined;
  const data = value.subarray(0, kept * size);
  if (shape.check && !shape.check(data, littleEndian)) return undefined;
  return { type, count: kept, data };
}

/** XP* text: UCS-2 little-endian up to its NUL character; what follows is slack. */
function xpText(value: Buffer): ShapedValue | undefined {
  let end = 0;
  while (end + 1 < value.length && (value[end] !== 0 || value[end + 1] !== 0)) end += 2;
  const body = value.subarray(0, Math.min(end, value.length - (value.length % 2)));
  if (findCoordinatesInText(body.toString('utf16le')).length > 0) return undefined;
  const data = Buffer.concat([body, Buffer.alloc(2)]);
  if (data.length > value.length) return { type: BYTE, count: count(value), data: value };
  return { type: BYTE, count: data.length, data };
}
