/**
 * The lenient IFD reader every maker-note decoder shares. Maker notes are IFDs in camera makers'
 * private layouts: a vendor header before the table, a byte order of their own, and value offsets
 * counted from the TIFF header, from the maker note's start or from a TIFF header inside the maker
 * note (ExifTool lib/Image/ExifTool/MakerNotes.pm: `Start`, `Base`, `FixBase`). Editors that move
 * a maker note break TIFF-relative offsets, so the base is checked: of the candidate bases, the
 * one under which the most out-of-line values land inside the maker note wins (as ExifTool's
 * FixBase does), the documented one on a tie.
 *
 * Reading is bounded (entry count, value size) and never throws: an entry whose value cannot be
 * read is dropped, a table that runs past the data keeps the entries that fit.
 * Reference: TIFF 6.0 section 2 (IFD layout); CIPA DC-008 (Exif 3.0) 4.6.4 (MakerNote).
 */
import type { Category, Finding, FindingMeaning, GeoLocation, Warning } from '../../types.js';
import { findCoordinatesInText } from '../coordinates.js';
import { isPlausibleFix } from '../geo-track.js';
import { readBytes, readNumbers, tiffTypeSizes, type IfdEntry, type TiffStructure } from '../tiff.js';

/** Most entries read from one maker-note table (real ones hold well under 200). */
export const maxNoteEntries = 512;
/** Most bytes of one value that is read as text. */
const maxTextBytes = 4096;
/** Sub-tables (Olympus Equipment …) read below a maker note's own table. */
export const maxNoteDepth = 2;

export interface NoteIfd {
  /** A TIFF structure over the whole EXIF data, so that tiff.ts readers work on the entries. */
  structure: TiffStructure;
  entries: IfdEntry[];
  /** The base the value offsets were read against (an offset into `structure.data`). */
  base: number;
}

/** Where a maker note sits, and what EXIF says about the camera that wrote it. */
export interface MakerNoteInput {
  /** The whole EXIF/TIFF data (TIFF-relative offsets count from its start). */
  data: Buffer;
  /** The EXIF structure's byte order (a maker note without its own byte-order mark uses it). */
  littleEndian: boolean;
  /** Offset of the maker note's value in `data`, and its length. */
  start: number;
  length: number;
  make: string;
  model: string;
  /** `where` of the maker note, e.g. `APP1/Exif/ExifIFD/MakerNote`. */
  where: string;
  /**
   * Where "offsets from the TIFF header" count from, when that is not the start of `data`: a maker
   * note copied into DNGPrivateData keeps the offsets of the file it came from.
   */
  tiffBase?: number;
}

export interface MakerNoteResult {
  findings: Finding[];
  locations: GeoLocation[];
  warnings: Warning[];
}

/** Collects what a vendor decoder finds (text values arrive cleaned by `cleanText`); labels name the vendor. */
export class NoteReport implements MakerNoteResult {
  findings: Finding[] = [];
  locations: GeoLocation[] = [];
  warnings: Warning[] = [];
  constructor(readonly where: string, readonly vendor: string) {}

  add(meaning: FindingMeaning, category: Category, tag: string, label: string, value: string | number, text = String(value), subWhere = ''): void {
    if (typeof value === 'string' && value === '') return;
    this.findings.push({ category, where: this.where + subWhere, tag, label: `${label} (${this.vendor} maker note)`, meaning, value, text });
  }

  serial(tag: string, label: string, value: string | number | undefined, subWhere = ''): void {
    if (value === undefined || isBlankSerial(value)) return;
    this.add('serial', 'device', tag, label, value, String(value), subWhere);
  }

  place(tag: string, label: string, value: string | undefined, subWhere = ''): void {
    if (!value || /^-*$/.test(value)) return;
    this.add('place-name', 'location', tag, label, value, value, subWhere);
  }

  owner(tag: string, label: string, value: string | undefined, subWhere = ''): void {
    if (!value) return;
    this.add('owner', 'owner', tag, label, value, value, subWhere);
  }

  /** A position: pushed to the locations, and a `gps-position` finding as the GPS IFD decoder makes. */
  position(tag: string, label: string, latitude: number, longitude: number, subWhere = '', text?: string): void {
    // Finite, in range, not the 0,0 of a receiver without a fix (as text coordinates and tracks elsewhere).
    if (!isPlausibleFix(latitude, longitude)) return;
    const location: GeoLocation = { latitude, longitude, where: this.where + subWhere };
    this.locations.push(location);
    const shown = `${Math.abs(latitude).toFixed(5)} ${latitude < 0 ? 'S' : 'N'}, ${Math.abs(longitude).toFixed(5)} ${longitude < 0 ? 'W' : 'E'}`;
    this.findings.push({ category: 'location', where: location.where, tag, label: `${label} (${this.vendor} maker note)`, meaning: 'gps-position', value: location, text: text ? `${shown} (from "${text}")` : shown });
  }

  /** Coordinates spelled out in a text value (a GPS string, a location note): each pair is a position. */
  coordinatesIn(tag: string, value: string, subWhere = ''): boolean {
    const pairs = findCoordinatesInText(value);
    for (const pair of pairs) this.position(tag, 'Coordinates in text', pair.latitude, pair.longitude, subWhere, pair.text);
    return pairs.length > 0;
  }

  warn(message: string): void {
    this.warnings.push({ code: 'MAKERNOTE_PARTLY_UNREADABLE', message: `${this.where}: ${message}`, severity: 'info' });
  }
}

function isBlankSerial(value: string | number): boolean {
  if (typeof value === 'number') return value === 0;
  return /^[\s0-]*$/.test(value);
}

/**
 * Reads the IFD table at `ifdAt` (an offset into `data`). `bases` are the candidate offsets the
 * values count from, the documented one first. Undefined when not even the entry count fits.
 */
export function readNoteIfd(data: Buffer, ifdAt: number, littleEndian: boolean, bases: readonly number[], bounds?: { start: number; end: number }): NoteIfd | undefined {
  if (ifdAt < 0 || ifdAt + 2 > data.length) return undefined;
  const count = littleEndian ? data.readUInt16LE(ifdAt) : data.readUInt16BE(ifdAt);
  if (count === 0 || count > maxNoteEntries) return undefined;
  const fits = Math.min(count, Math.floor((data.length - ifdAt - 2) / 12));
  if (fits <= 0) return undefined;
  const raw: { tag: number; type: number; count: number; entryOffset: number; inline: boolean; pointer: number; length: number }[] = [];
  for (let index = 0; index < fits; index++) {
    const at = ifdAt + 2 + index * 12;
    const tag = littleEndian ? data.readUInt16LE(at) : data.readUInt16BE(at);
    const type = littleEndian ? data.readUInt16LE(at + 2) : data.readUInt16BE(at + 2);
    const valueCount = littleEndian ? data.readUInt32LE(at + 4) : data.readUInt32BE(at + 4);
    const size = type >= 16 ? undefined : tiffTypeSizes[type];
    if (size === undefined) continue; // an unknown type: the table is damaged or private here
    const length = size * valueCount;
    if (!Number.isSafeInteger(length) || length > data.length) continue;
    const pointer = littleEndian ? data.readUInt32LE(at + 8) : data.readUInt32BE(at + 8);
    raw.push({ tag, type, count: valueCount, entryOffset: at, inline: length <= 4, pointer, length });
  }
  const region = bounds ?? { start: 0, end: data.length };
  const inRegion = (base: number) => raw.filter((entry) => !entry.inline && base + entry.pointer >= region.start && base + entry.pointer + entry.length <= region.end).length;
  let base = bases[0] ?? 0;
  let best = inRegion(base);
  for (const candidate of bases.slice(1)) {
    const score = inRegion(candidate);
    if (score > best) {
      best = score;
      base = candidate;
    }
  }
  const entries: IfdEntry[] = [];
  for (const entry of raw) {
    const valueOffset = entry.inline ? entry.entryOffset + 8 : base + entry.pointer;
    if (valueOffset < 0 || valueOffset + entry.length > data.length) continue;
    entries.push({ tag: entry.tag, type: entry.type, count: entry.count, entryOffset: entry.entryOffset, valueOffset, valueLength: entry.length, inline: entry.inline, readable: true });
  }
  const structure: TiffStructure = { data, littleEndian, bigTiff: false, ifds: [], warnings: [] };
  return { structure, entries, base };
}

export function entryOf(ifd: NoteIfd, tag: number): IfdEntry | undefined {
  return ifd.entries.find((entry) => entry.tag === tag);
}

/** The value bytes of a tag (empty when absent). */
export function bytesOf(ifd: NoteIfd, tag: number): Buffer {
  const entry = entryOf(ifd, tag);
  return entry ? readBytes(ifd.structure, entry) : Buffer.alloc(0);
}

/** The numbers of a tag (integers, rationals as quotients). */
export function numbersOf(ifd: NoteIfd, tag: number, max = 64): number[] {
  const entry = entryOf(ifd, tag);
  return entry ? readNumbers(ifd.structure, entry, max) : [];
}

/** A tag's value as text: ASCII, UNDEFINED or BYTE values up to the first NUL, cleaned. Other types: undefined. */
export function textOf(ifd: NoteIfd, tag: number): string | undefined {
  const entry = entryOf(ifd, tag);
  if (!entry || (entry.type !== 2 && entry.type !== 7 && entry.type !== 1)) return undefined;
  return cleanText(readBytes(ifd.structure, entry));
}

/**
 * Hostile bytes to one line of text: up to the first NUL, UTF-8 when valid and Latin-1 otherwise,
 * control characters and 0xFF padding removed, spaces trimmed.
 */
export function cleanText(bytes: Buffer): string {
  let body = bytes.subarray(0, Math.min(bytes.length, maxTextBytes));
  const end = body.indexOf(0);
  if (end !== -1) body = body.subarray(0, end);
  let text = body.toString('utf8');
  if (text.includes('\ufffd')) text = body.toString('latin1');
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u00ff\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').trim();
}

/** Every ASCII value of a table that spells out coordinates becomes a position (GPS strings, notes). */
export function scanTextForCoordinates(ifd: NoteIfd, report: NoteReport, names: ReadonlyMap<number, string>, subWhere = ''): void {
  for (const entry of ifd.entries) {
    if (entry.type !== 2) continue;
    const text = cleanText(readBytes(ifd.structure, entry));
    if (text.length < 5) continue;
    report.coordinatesIn(names.get(entry.tag) ?? `Tag0x${entry.tag.toString(16).padStart(4, '0')}`, text, subWhere);
  }
}

/** The byte order a two-byte mark names, if it names one. */
export function byteOrderMark(data: Buffer, at: number): boolean | undefined {
  if (at + 2 > data.length) return undefined;
  const mark = data.toString('latin1', at, at + 2);
  if (mark === 'II') return true;
  if (mark === 'MM') return false;
  return undefined;
}

/**
 * For maker notes without a byte-order mark: the order under which the entry count at `ifdAt` is
 * plausible, the EXIF order first.
 */
export function guessByteOrder(data: Buffer, ifdAt: number, exifLittleEndian: boolean): boolean {
  if (ifdAt + 2 > data.length) return exifLittleEndian;
  const own = exifLittleEndian ? data.readUInt16LE(ifdAt) : data.readUInt16BE(ifdAt);
  if (own > 0 && own <= maxNoteEntries) return exifLittleEndian;
  const other = exifLittleEndian ? data.readUInt16BE(ifdAt) : data.readUInt16LE(ifdAt);
  return other > 0 && other <= maxNoteEntries ? !exifLittleEndian : exifLittleEndian;
}

/**
 * The maker note's own table: `ifdOffset` counts from the maker note's start; `littleEndian`
 * undefined means "no byte-order mark": guessed from the entry count. `base` names where the
 * vendor's value offsets count from: the TIFF header, the maker note's start, or an offset in the
 * maker note; the other candidates are tried too (a moved maker note).
 */
export function openNote(input: MakerNoteInput, ifdOffset: number, littleEndian: boolean | undefined, base: 'tiff' | 'note' | number): NoteIfd | undefined {
  const ifdAt = input.start + ifdOffset;
  const order = littleEndian ?? guessByteOrder(input.data, ifdAt, input.littleEndian);
  const tiffBase = input.tiffBase ?? 0;
  const documented = base === 'tiff' ? tiffBase : base === 'note' ? input.start : input.start + base;
  const candidates = [documented, tiffBase, input.start].filter((value, index, all) => all.indexOf(value) === index);
  return readNoteIfd(input.data, ifdAt, order, candidates, { start: input.start, end: input.start + input.length });
}

/** A sub-table (an IFD pointed to by a maker-note entry): offsets count from the parent's base. */
export function openSubIfd(parent: NoteIfd, input: MakerNoteInput, entry: IfdEntry): NoteIfd | undefined {
  // Type 13 (IFD) or LONG: the value is an offset; UNDEFINED: the value bytes are the table.
  const at = entry.type === 7 ? entry.valueOffset : parent.base + (readNumbers(parent.structure, entry, 1)[0] ?? -1);
  return readNoteIfd(parent.structure.data, at, parent.structure.littleEndian, [parent.base], { start: input.start, end: input.start + input.length });
}

/** Starts with `prefix` (Latin-1)? */
export function startsWith(note: Buffer, prefix: string): boolean {
  return note.length >= prefix.length && note.toString('latin1', 0, prefix.length) === prefix;
}
