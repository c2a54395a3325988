/**
 * Fujifilm maker notes: `FUJIFILM` (or `GENERALE` on GE-made models), then a little-endian offset
 * of the IFD, which is little-endian whatever the EXIF byte order; offsets from the maker note's
 * start. What identifies a person: the internal serial number (body serial and manufacture date).
 * Reference: ExifTool FujiFilm.pm (FujiFilm::Main 0x0010 InternalSerialNumber); MakerNotes.pm
 * (MakerNoteFujiFilm: Base $start, LittleEndian, IFD offset at byte 8).
 */
import { openNote, scanTextForCoordinates, startsWith, textOf, type MakerNoteInput, type NoteReport } from './ifd.js';

const ifdPointerAt = 8;

export function isFujifilm(note: Buffer): boolean {
  return startsWith(note, 'FUJIFILM') || startsWith(note, 'GENERALE');
}

export function decodeFujifilm(input: MakerNoteInput, report: NoteReport): void {
  if (input.length < ifdPointerAt + 4) return report.warn('the Fujifilm maker note is too short');
  const first = input.data.readUInt32LE(input.start + ifdPointerAt);
  const ifd = openNote(input, first, true, 'note');
  if (!ifd) return report.warn('the Fujifilm maker-note table cannot be read');
  report.serial('InternalSerialNumber', 'Camera internal serial number', textOf(ifd, 0x0010));
  scanTextForCoordinates(ifd, report, new Map());
}
