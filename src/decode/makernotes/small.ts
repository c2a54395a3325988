/**
 * Maker notes whose personal tags are few: Sony, Sigma/Foveon, Casio (type 2) and Ricoh.
 *
 * Sony: `SONY DSC \0\0\0` (also `SONY CAM`, `SONY MOBILE`, `\0\0SONY PIC\0`, `VHAB`), the IFD at
 * 12, offsets from the TIFF header; 0x2031 SerialNumber (digit pairs stored in reverse order).
 * Sony's other serial numbers sit in enciphered blocks (0x9050, 0x2010) and are not read.
 * Sigma: `SIGMA\0\0\0` or `FOVEON\0\0`, the IFD at 10, offsets from the TIFF header; 0x0002
 * SerialNumber. Casio type 2: `QVC\0` or `DCI\0`, the IFD at 6, offsets from the TIFF header;
 * 0x3006 HometownCity (the world-time home city, as text). Ricoh: `Ricoh`/`RICOH` text header, the
 * IFD at 8, offsets from the TIFF header; 0x0005 SerialNumber (16 bytes; the lens unit's for the GXR).
 * Reference: ExifTool Sony.pm (Sony::Main 0x2031), Sigma.pm (Sigma::Main 0x0002), Casio.pm
 * (Casio::Type2 0x3006), Ricoh.pm (Ricoh::Main 0x0005); MakerNotes.pm (MakerNoteSony,
 * MakerNoteSigma, MakerNoteCasio2, MakerNoteRicoh).
 */
import { bytesOf, openNote, scanTextForCoordinates, startsWith, textOf, type MakerNoteInput, type NoteReport } from './ifd.js';

export function isSony(note: Buffer): boolean {
  return /^(SONY (DSC|CAM|MOBILE)|\0\0SONY PIC\0|VHAB {5}\0)/.test(note.toString('latin1', 0, 16));
}

export function decodeSony(input: MakerNoteInput, report: NoteReport): void {
  const ifd = openNote(input, 12, undefined, 'tiff');
  if (!ifd) return report.warn('the Sony maker-note table cannot be read');
  const stored = textOf(ifd, 0x2031);
  if (stored) {
    // ExifTool Sony.pm: the four digit pairs reversed, a leading zero dropped.
    const serial = stored.replace(/(\d{2})(\d{2})(\d{2})(\d{2})/, '$4$3$2$1').replace(/^0/, '');
    report.serial('SerialNumber', 'Camera serial number', serial);
  }
  scanTextForCoordinates(ifd, report, new Map());
}

export function isSigma(note: Buffer): boolean {
  return startsWith(note, 'SIGMA\0') || startsWith(note, 'FOVEON\0');
}

export function decodeSigma(input: MakerNoteInput, report: NoteReport): void {
  const ifd = openNote(input, 10, undefined, 'tiff');
  if (!ifd) return report.warn('the Sigma maker-note table cannot be read');
  report.serial('SerialNumber', 'Camera serial number', textOf(ifd, 0x0002));
  scanTextForCoordinates(ifd, report, new Map());
}

export function isCasio2(note: Buffer): boolean {
  return startsWith(note, 'QVC\0') || startsWith(note, 'DCI\0');
}

export function decodeCasio2(input: MakerNoteInput, report: NoteReport): void {
  const ifd = openNote(input, 6, undefined, 'tiff');
  if (!ifd) return report.warn('the Casio maker-note table cannot be read');
  report.place('HometownCity', 'World-time home town', textOf(ifd, 0x3006));
  scanTextForCoordinates(ifd, report, new Map([[0x3006, 'HometownCity']]));
}

export function isRicoh(note: Buffer, make: string): boolean {
  if (!/^(PENTAX )?RICOH/i.test(make)) return false;
  const head = note.toString('latin1', 0, 8);
  return /^(Ricoh|RICOH| {6})/.test(head) && !/^RICOH\0(II|MM)/.test(head);
}

export function decodeRicoh(input: MakerNoteInput, report: NoteReport): void {
  const ifd = openNote(input, 8, undefined, 'tiff');
  if (!ifd) return report.warn('the Ricoh maker-note table cannot be read');
  const serial = bytesOf(ifd, 0x0005);
  if (serial.length > 0) {
    const text = serial.toString('latin1').replace(/\0+$/, '');
    if (/^[-\w ]+$/.test(text)) report.serial('SerialNumber', 'Camera serial number', text.trim());
    else if (serial.some((byte) => byte !== 0)) report.serial('InternalSerialNumber', 'Camera internal serial number', serial.toString('hex'));
  }
  scanTextForCoordinates(ifd, report, new Map());
}
