/**
 * What camera maker notes (EXIF tag 0x927C) give away: GPS positions or coordinates written as
 * text, place names, serial numbers and owner names, in each vendor's private layout. The maker
 * note is identified by its header bytes first, then by the EXIF Make (ExifTool MakerNotes.pm
 * tries its conditions in the same spirit). One module per vendor family; they share the lenient
 * reader of ifd.ts. Decoding is best effort: a damaged maker note gives what can be read and a
 * note, never an error. `clean` removes maker notes whole in both modes; this is for the report.
 * Reference: ExifTool lib/Image/ExifTool/MakerNotes.pm and the vendor tag tables named in each module.
 */
import { decodeAppleMakerNote, isAppleMakerNote } from './apple.js';
import type { Finding } from '../../types.js';
import type { ContainerReport } from '../../formats/types.js';
import type { TiffStructure } from '../tiff.js';
import { decodeCanon, decodeCanonIfd, isCanon } from './canon.js';
import { decodeFujifilm, isFujifilm } from './fujifilm.js';
import { cleanText, NoteReport, readNoteIfd, type MakerNoteInput, type MakerNoteResult } from './ifd.js';
import { decodeLeica, isLeica } from './leica.js';
import { decodeNikon, isNikon } from './nikon.js';
import { decodeOlympus, isOlympus } from './olympus.js';
import { decodePanasonic, isPanasonic } from './panasonic.js';
import { decodePentax, isPentax } from './pentax.js';
import { decodeSamsung, isSamsung } from './samsung.js';
import { decodeCasio2, decodeRicoh, decodeSigma, decodeSony, isCasio2, isRicoh, isSigma, isSony } from './small.js';

export type { MakerNoteInput, MakerNoteResult } from './ifd.js';

interface Vendor {
  name: string;
  matches: (note: Buffer, make: string) => boolean;
  decode: (input: MakerNoteInput, report: NoteReport) => void;
}

/**
 * Header checks first (they are exact), Make-only checks last (Canon, Samsung type 2 and Nikon type 1 have no
 * header; Samsung's binary `STMN` type is not an IFD).
 */
const vendors: readonly Vendor[] = [
  { name: 'Nikon', matches: (note) => note.toString('latin1', 0, 6) === 'Nikon\0', decode: decodeNikon },
  { name: 'Olympus', matches: isOlympus, decode: decodeOlympus },
  { name: 'Panasonic', matches: isPanasonic, decode: decodePanasonic },
  { name: 'Leica', matches: isLeica, decode: decodeLeica },
  { name: 'Fujifilm', matches: isFujifilm, decode: decodeFujifilm },
  { name: 'Sony', matches: isSony, decode: decodeSony },
  { name: 'Sigma', matches: isSigma, decode: decodeSigma },
  { name: 'Casio', matches: isCasio2, decode: decodeCasio2 },
  { name: 'Pentax', matches: isPentax, decode: decodePentax },
  { name: 'Ricoh', matches: isRicoh, decode: decodeRicoh },
  { name: 'Canon', matches: (_note, make) => isCanon(make), decode: decodeCanon },
  { name: 'Samsung', matches: (note, make) => isSamsung(make) && !note.toString('latin1', 0, 4).startsWith('STMN'), decode: decodeSamsung },
  { name: 'Nikon', matches: isNikon, decode: decodeNikon },
];

/** The vendor a maker note belongs to, or undefined when traceless does not read its layout. */
export function makerNoteVendor(note: Buffer, make: string): string | undefined {
  if (isAppleMakerNote(note)) return 'Apple';
  return vendors.find((vendor) => vendor.matches(note, make))?.name;
}

/** Decodes one maker note; never throws (a decoder's failure becomes a warning with what was read before it). */
export function decodeMakerNote(input: MakerNoteInput): MakerNoteResult {
  const note = input.data.subarray(input.start, input.start + input.length);
  if (isAppleMakerNote(note)) return { findings: decodeAppleMakerNote(note, input.where), locations: [], warnings: [] };
  const vendor = vendors.find((candidate) => candidate.matches(note, input.make));
  if (!vendor) return scanUnknownNote(note, input);
  const report = new NoteReport(input.where, vendor.name);
  try {
    vendor.decode(input, report);
  } catch (error) {
    report.warn(`the ${vendor.name} maker note is damaged (${(error as Error).message})`);
  }
  return report;
}

/** Longest maker note whose text runs are searched when its layout is unknown. */
const maxScannedBytes = 1 << 20;
/** Shortest run of printable characters that can hold a coordinate pair worth reporting. */
const minTextRun = 8;

/**
 * A maker note in a layout traceless does not know: its runs of printable text are searched for
 * coordinates (a GPS string a vendor wrote as text), which are reported as positions.
 */
function scanUnknownNote(note: Buffer, input: MakerNoteInput): MakerNoteResult {
  const report = new NoteReport(input.where, input.make ? cleanText(Buffer.from(input.make, 'latin1')) : 'unknown vendor');
  const body = note.subarray(0, maxScannedBytes);
  let runStart = -1;
  for (let at = 0; at <= body.length; at++) {
    const byte = at < body.length ? body[at]! : 0;
    const printable = byte >= 0x20 && byte <= 0x7e;
    if (printable && runStart === -1) runStart = at;
    if (!printable && runStart !== -1) {
      if (at - runStart >= minTextRun) report.coordinatesIn('MakerNoteText', body.toString('latin1', runStart, at));
      runStart = -1;
    }
  }
  return report;
}

/** The maker note of every Exif IFD of an EXIF structure, with the Make and Model of its IFD0. */
export function decodeMakerNotes(structure: TiffStructure, where: string): MakerNoteResult {
  const result: MakerNoteResult = { findings: [], locations: [], warnings: [] };
  const ifd0 = structure.ifds.find((ifd) => ifd.name === 'IFD0');
  const text = (tag: number) => {
    const entry = ifd0?.entries.find((candidate) => candidate.tag === tag);
    if (!entry?.readable || entry.type !== 2) return '';
    const bytes = structure.data.subarray(entry.valueOffset, entry.valueOffset + entry.valueLength);
    const end = bytes.indexOf(0);
    return bytes.toString('latin1', 0, end === -1 ? bytes.length : end).trim();
  };
  const make = text(0x010f);
  const model = text(0x0110);
  for (const ifd of structure.ifds) {
    if (!ifd.name.endsWith('ExifIFD')) continue;
    const entry = ifd.entries.find((candidate) => candidate.tag === makerNoteTag);
    if (!entry?.readable || entry.valueLength === 0) continue;
    const decoded = decodeMakerNote({
      data: structure.data, littleEndian: structure.littleEndian, start: entry.valueOffset, length: entry.valueLength,
      make, model, where: `${where}/${ifd.name}/MakerNote`,
    });
    result.findings.push(...decoded.findings);
    result.locations.push(...decoded.locations);
    result.warnings.push(...decoded.warnings);
  }
  const privateData = ifd0?.entries.find((candidate) => candidate.tag === dngPrivateDataTag);
  if (privateData?.readable && privateData.valueLength > 0) {
    const decoded = decodeDngMakerNote(structure.data, privateData.valueOffset, privateData.valueLength, make, model, `${where}/IFD0/DNGPrivateData/MakerNote`);
    result.findings.push(...decoded.findings);
    result.locations.push(...decoded.locations);
    result.warnings.push(...decoded.warnings);
  }
  return result;
}

/**
 * DNGPrivateData written by Adobe's converter: `Adobe\0`, `MakN`, a big-endian length, the
 * original byte order (`II`/`MM`), the maker note's original offset (big-endian), then the maker
 * note itself, whose TIFF-relative offsets still count from the original file's TIFF header.
 * Reference: Adobe DNG Specification 1.7, DNGPrivateData (tag 50740) and "Adobe MakerNote" note.
 */
function decodeDngMakerNote(data: Buffer, start: number, length: number, make: string, model: string, where: string): MakerNoteResult {
  const none: MakerNoteResult = { findings: [], locations: [], warnings: [] };
  const headerBytes = 6 + 4 + 4 + 2 + 4;
  if (length < headerBytes || data.toString('latin1', start, start + 10) !== 'Adobe\0MakN') return none;
  const declared = data.readUInt32BE(start + 10);
  const order = data.toString('latin1', start + 14, start + 16);
  if (order !== 'II' && order !== 'MM') return none;
  const originalOffset = data.readUInt32BE(start + 16);
  const noteStart = start + headerBytes;
  const noteLength = Math.min(declared - 6, length - headerBytes);
  if (noteLength <= 0) return none;
  return decodeMakerNote({ data, littleEndian: order === 'II', start: noteStart, length: noteLength, make, model, where, tiffBase: noteStart - originalOffset });
}

const dngPrivateDataTag = 0xc634;

const makerNoteTag = 0x927c;

/**
 * The CMT3 box of a Canon CR3 file: the Canon maker-note table as IFD0 of a TIFF structure of its
 * own (offsets from that TIFF header). Undefined when no table can be read.
 * Reference: ExifTool Canon.pm (CMT3: Canon::Main processed as TIFF).
 */
export function decodeCanonMakerNoteTiff(tiff: Buffer, where: string, model = ''): MakerNoteResult | undefined {
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const littleEndian = order === 'II';
  const first = littleEndian ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  const ifd = readNoteIfd(tiff, first, littleEndian, [0]);
  if (!ifd) return undefined;
  const report = new NoteReport(where, 'Canon');
  try {
    decodeCanonIfd(ifd, model, report);
  } catch (error) {
    report.warn(`the Canon maker note is damaged (${(error as Error).message})`);
  }
  return report;
}

/**
 * Adds what the maker notes of an EXIF structure give away to `report` (decodeExif calls this).
 * A value the EXIF tags already gave (an owner name or serial stored twice, zero-padded or not) is
 * not listed again. Never throws: the vendor decoders catch their own errors, and a bug of ours
 * here becomes a note rather than the loss of the whole EXIF report.
 */
export function addMakerNotes(structure: TiffStructure, where: string, report: ContainerReport): void {
  let notes: MakerNoteResult;
  try {
    notes = decodeMakerNotes(structure, where);
  } catch (error) {
    report.warnings.push({ code: 'MAKERNOTE_PARTLY_UNREADABLE', message: `${where}: maker note not read (${(error as Error).message})`, severity: 'info' });
    return;
  }
  const key = (item: Finding) => `${item.meaning}\0${String(item.value).replace(/^0+/, '').toLowerCase()}`;
  const known = new Set(report.findings.map(key));
  report.findings.push(...notes.findings.filter((item) => item.meaning === 'gps-position' || !known.has(key(item))));
  report.locations.push(...notes.locations);
  report.warnings.push(...notes.warnings);
}
