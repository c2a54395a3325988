/**
 * Olympus / OM System maker notes. `OLYMP\0` or `EPSON\0`: the IFD at 8, offsets from the TIFF
 * header. `OLYMPUS\0` + byte order + version: the IFD at 12, offsets from the maker note's start.
 * `OM SYSTEM\0`: the IFD at 16, offsets from the maker note's start. What identifies a person:
 * the serial numbers of the body, lens, extender and flash (in the Equipment sub-table).
 * Reference: ExifTool Olympus.pm (Olympus::Main 0x0404 and 0x101a SerialNumber, 0x2010
 * Equipment; Olympus::Equipment 0x0101 SerialNumber, 0x0102 InternalSerialNumber, 0x0202
 * LensSerialNumber, 0x0302 ExtenderSerialNumber, 0x1003 FlashSerialNumber); MakerNotes.pm
 * (MakerNoteOlympus, MakerNoteOlympus2, MakerNoteOlympus3).
 */
import { byteOrderMark, entryOf, openNote, openSubIfd, scanTextForCoordinates, startsWith, textOf, type MakerNoteInput, type NoteReport } from './ifd.js';

const equipmentTag = 0x2010;
const equipmentSerials: readonly [number, string, string][] = [
  [0x0101, 'SerialNumber', 'Camera serial number'],
  [0x0102, 'InternalSerialNumber', 'Camera internal serial number'],
  [0x0202, 'LensSerialNumber', 'Lens serial number'],
  [0x0302, 'ExtenderSerialNumber', 'Extender serial number'],
  [0x1003, 'FlashSerialNumber', 'Flash serial number'],
];

export function isOlympus(note: Buffer): boolean {
  return startsWith(note, 'OLYMP\0') || startsWith(note, 'EPSON\0') || startsWith(note, 'OLYMPUS\0') || startsWith(note, 'OM SYSTEM\0');
}

export function decodeOlympus(input: MakerNoteInput, report: NoteReport): void {
  const note = input.data.subarray(input.start, input.start + input.length);
  let ifd;
  if (startsWith(note, 'OLYMPUS\0')) ifd = openNote(input, 12, byteOrderMark(note, 8), 'note');
  else if (startsWith(note, 'OM SYSTEM\0')) ifd = openNote(input, 16, byteOrderMark(note, 12), 'note');
  else ifd = openNote(input, 8, undefined, 'tiff');
  if (!ifd) return report.warn('the Olympus maker-note table cannot be read');
  report.serial('SerialNumber', 'Camera serial number', textOf(ifd, 0x0404));
  report.serial('SerialNumber', 'Camera serial number', textOf(ifd, 0x101a));
  const pointer = entryOf(ifd, equipmentTag);
  const equipment = pointer ? openSubIfd(ifd, input, pointer) : undefined;
  if (equipment) {
    for (const [tag, name, label] of equipmentSerials) report.serial(name, label, textOf(equipment, tag), '/Equipment');
  }
  scanTextForCoordinates(ifd, report, new Map());
}
