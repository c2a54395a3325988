/**
 * Nikon maker notes. Type 3 (every Nikon since the D100): `Nikon\0`, a version, then a complete
 * TIFF header at offset 10 whose offsets count from itself. Type 2 (early Coolpix): `Nikon\0\x01`,
 * the IFD at 8, little-endian, offsets from the EXIF TIFF header. Type 1 (D1, E-series): no
 * header. What identifies a person: the body serial number, the place name GPS models look up
 * (LocationInfo: country code and point-of-interest name), and the barometric altitude.
 * Reference: ExifTool Nikon.pm (Nikon::Main 0x001d SerialNumber, 0x0039 LocationInfo, 0x00a0
 * SerialNumber, 0x00c3 BarometerInfo; Nikon::LocationInfo: version undef[4], TextEncoding at 4
 * (1 UTF-8, 2 UTF-16), CountryCode undef[3] at 5, POILevel at 8, Location undef[70] at 9;
 * Nikon::BarometerInfo: version undef[4], Altitude int32s at 6, metres); MakerNotes.pm
 * (MakerNoteNikon Start +18 Base +10; MakerNoteNikon2 Start +8 little-endian; MakerNoteNikon3).
 */
import { byteOrderMark, bytesOf, cleanText, openNote, readNoteIfd, scanTextForCoordinates, startsWith, textOf, type MakerNoteInput, type NoteIfd, type NoteReport } from './ifd.js';

const tags = { serialNumber: 0x001d, locationInfo: 0x0039, serialNumberText: 0x00a0, barometerInfo: 0x00c3 } as const;
/** Type 3: the embedded TIFF header's offset in the maker note. */
const type3TiffHeader = 10;

export function isNikon(note: Buffer, make: string): boolean {
  return startsWith(note, 'Nikon\0') || /^NIKON/i.test(make);
}

export function decodeNikon(input: MakerNoteInput, report: NoteReport): void {
  const note = input.data.subarray(input.start, input.start + input.length);
  let ifd: NoteIfd | undefined;
  if (startsWith(note, 'Nikon\0\x02') || (startsWith(note, 'Nikon\0') && byteOrderMark(note, type3TiffHeader) !== undefined)) {
    const littleEndian = byteOrderMark(note, type3TiffHeader);
    if (littleEndian === undefined || note.length < type3TiffHeader + 8) return report.warn('the Nikon maker note has no TIFF header');
    const first = littleEndian ? note.readUInt32LE(type3TiffHeader + 4) : note.readUInt32BE(type3TiffHeader + 4);
    const base = input.start + type3TiffHeader;
    ifd = readNoteIfd(input.data, base + first, littleEndian, [base], { start: input.start, end: input.start + input.length });
  } else if (startsWith(note, 'Nikon\0\x01')) {
    ifd = openNote(input, 8, true, 'tiff');
  } else {
    ifd = openNote(input, 0, undefined, 'tiff');
  }
  if (!ifd) return report.warn('the Nikon maker-note table cannot be read');
  report.serial('SerialNumber', 'Camera serial number', textOf(ifd, tags.serialNumber));
  // Old bodies write `NO= 30012345` here.
  report.serial('SerialNumber', 'Camera serial number', textOf(ifd, tags.serialNumberText)?.replace(/^NO=\s*/, ''));
  decodeLocationInfo(bytesOf(ifd, tags.locationInfo), report);
  const barometer = bytesOf(ifd, tags.barometerInfo);
  if (barometer.length >= 10 && /^\d{4}$/.test(barometer.toString('latin1', 0, 4))) {
    const metres = ifd.structure.littleEndian ? barometer.readInt32LE(6) : barometer.readInt32BE(6);
    if (Math.abs(metres) < 20000) report.add('gps-detail', 'location', 'Altitude', 'Barometric altitude', metres, `${metres} m`, '/BarometerInfo');
  }
  scanTextForCoordinates(ifd, report, new Map([[tags.serialNumber, 'SerialNumber']]));
}

function decodeLocationInfo(data: Buffer, report: NoteReport): void {
  if (data.length < 9) return;
  const encoding = data[4];
  const country = cleanText(data.subarray(5, 8));
  if (/^[A-Za-z]{2,3}$/.test(country)) report.place('CountryCode', 'Country code', country, '/LocationInfo');
  const raw = data.subarray(9, Math.min(data.length, 9 + 70));
  let place: string;
  if (encoding === 2) {
    // UTF-16 big-endian (ExifTool decodes it with "MM"): swapped to little-endian, cut at the first NUL character.
    const even = raw.subarray(0, raw.length - (raw.length % 2));
    const swapped = Buffer.from(even);
    swapped.swap16();
    let text = swapped.toString('utf16le');
    const end = text.indexOf('\0');
    if (end !== -1) text = text.slice(0, end);
    place = cleanText(Buffer.from(text, 'utf8'));
  } else {
    place = cleanText(raw);
  }
  if (place) {
    report.place('Location', 'Place name looked up by the camera', place, '/LocationInfo');
    report.coordinatesIn('Location', place, '/LocationInfo');
  }
}
