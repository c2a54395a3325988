/**
 * Samsung "Type 2" maker notes (NX and later compacts): an IFD at the maker note's start, the
 * EXIF byte order, value offsets from the maker note's start (ExifTool fixes the base when they do
 * not fit: so do we). What identifies a person: the place names GPS models (NX100 with the GPS
 * unit) look up, and the body and lens serial numbers.
 * Reference: ExifTool Samsung.pm (Samsung::Type2 0x0030 LocalLocationName — two names separated
 * by NUL+space, ended by a double NUL —, 0x0031 LocationName, 0xa002 SerialNumber, 0xa005
 * InternalLensSerialNumber); MakerNotes.pm (MakerNoteSamsung2: Make SAMSUNG, FixBase).
 */
import { bytesOf, cleanText, openNote, scanTextForCoordinates, textOf, type MakerNoteInput, type NoteReport } from './ifd.js';

const tags = { localLocationName: 0x0030, locationName: 0x0031, serialNumber: 0xa002, lensSerial: 0xa005 } as const;

export function isSamsung(make: string): boolean {
  return /^SAMSUNG$/i.test(make.trim());
}

export function decodeSamsung(input: MakerNoteInput, report: NoteReport): void {
  const ifd = openNote(input, 0, undefined, 'note');
  if (!ifd) return report.warn('the Samsung maker-note table cannot be read');
  const local = bytesOf(ifd, tags.localLocationName);
  if (local.length > 0) {
    const end = local.indexOf(Buffer.from([0, 0]));
    const body = end === -1 ? local : local.subarray(0, end);
    const names: string[] = [];
    for (let from = 0; from <= body.length; ) {
      const nul = body.indexOf(0, from);
      const stop = nul === -1 ? body.length : nul;
      const name = cleanText(body.subarray(from, stop));
      if (name) names.push(name);
      from = stop + 1;
    }
    report.place('LocalLocationName', 'Place name in the local language', names.join(', '));
  }
  report.place('LocationName', 'Place name', textOf(ifd, tags.locationName));
  report.serial('SerialNumber', 'Camera serial number', textOf(ifd, tags.serialNumber));
  report.serial('InternalLensSerialNumber', 'Lens internal serial number', textOf(ifd, tags.lensSerial));
  scanTextForCoordinates(ifd, report, new Map([[tags.locationName, 'LocationName']]));
}
