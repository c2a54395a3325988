/**
 * Leica maker notes, in the types ExifTool tells apart by header and Make. Panasonic-made models
 * (Make `LEICA`, `LEICA\0\0\0`; or `LEICA CAMERA AG\0`, the IFD at 18) write Panasonic's table, read by
 * panasonic.ts. The M8 (`LEICA\0\0\0`, Make `Leica Camera AG`): the IFD at 8, offsets from the IFD's
 * own start; 0x0303 SerialNumber (int32u). The M9, M-E, X and S families (`LEICA\0` + type byte +
 * `\0`): the IFD at 8, offsets from the maker note's start (types 8 and 9: from the TIFF header);
 * 0x0305 SerialNumber (int32u), 0x0500 InternalSerialNumber (text with the manufacture date).
 * Reference: ExifTool Panasonic.pm (Panasonic::Leica2 0x0303, Panasonic::Leica5 0x0305 and
 * 0x0500); MakerNotes.pm (MakerNoteLeica, Leica2, Leica5, Leica8, Leica10).
 */
import { decodePanasonicIfd } from './panasonic.js';
import { numbersOf, openNote, scanTextForCoordinates, startsWith, textOf, type MakerNoteInput, type NoteIfd, type NoteReport } from './ifd.js';

const headerLength = 8;

export function isLeica(note: Buffer): boolean {
  return startsWith(note, 'LEICA');
}

export function decodeLeica(input: MakerNoteInput, report: NoteReport): void {
  const note = input.data.subarray(input.start, input.start + input.length);
  const typeByte = note[6];
  let ifd: NoteIfd | undefined;
  if (startsWith(note, 'LEICA CAMERA AG\0')) {
    ifd = openNote(input, 18, undefined, 'tiff');
    if (ifd) decodePanasonicIfd(ifd, report);
  } else if (startsWith(note, 'LEICA\0\0\0')) {
    if (/^Leica Camera AG/i.test(input.make)) {
      ifd = openNote(input, headerLength, undefined, headerLength);
      if (ifd) serialNumber(ifd, 0x0303, report);
    } else {
      ifd = openNote(input, headerLength, undefined, 'tiff');
      if (ifd) decodePanasonicIfd(ifd, report);
    }
  } else if (note[5] === 0 && note[7] === 0 && typeByte !== undefined) {
    ifd = openNote(input, headerLength, undefined, typeByte === 0x08 || typeByte === 0x09 ? 'tiff' : 'note');
    if (ifd) {
      serialNumber(ifd, 0x0305, report);
      report.serial('InternalSerialNumber', 'Camera internal serial number', textOf(ifd, 0x0500));
    }
  }
  if (!ifd) return report.warn('the Leica maker-note table cannot be read');
  scanTextForCoordinates(ifd, report, new Map());
}

function serialNumber(ifd: NoteIfd, tag: number, report: NoteReport): void {
  const entry = ifd.entries.find((candidate) => candidate.tag === tag);
  if (!entry) return;
  if (entry.type === 2) return report.serial('SerialNumber', 'Camera serial number', textOf(ifd, tag));
  report.serial('SerialNumber', 'Camera serial number', numbersOf(ifd, tag, 1)[0]);
}
