/**
 * Canon maker notes: an IFD at the maker note's start, no header, the EXIF byte order, value
 * offsets from the TIFF header. What identifies a person: the owner name typed into the camera,
 * the body serial number (and the sensor's internal serial), a per-image unique ID, and the
 * world-time city the camera is set to.
 * Reference: ExifTool Canon.pm (Canon::Main 0x0009 OwnerName, 0x000c SerialNumber, 0x0028
 * ImageUniqueID, 0x0035 TimeInfo, 0x0095 LensModel, 0x0096 InternalSerialNumber / SerialInfo);
 * MakerNotes.pm (MakerNoteCanon: Make /^Canon/, offsets from the TIFF header).
 */
import { bytesOf, cleanText, entryOf, numbersOf, openNote, scanTextForCoordinates, textOf, type MakerNoteInput, type NoteIfd, type NoteReport } from './ifd.js';

const tags = { ownerName: 0x0009, serialNumber: 0x000c, imageUniqueId: 0x0028, timeInfo: 0x0035, lensModel: 0x0095, internalSerial: 0x0096 } as const;

/** TimeInfo's TimeZoneCity codes (ExifTool Canon::TimeInfo index 2); 0 and 32766 mean none set. */
const timeZoneCities: readonly string[] = [
  '', 'Chatham Islands', 'Wellington', 'Solomon Islands', 'Sydney', 'Adelaide', 'Tokyo', 'Hong Kong', 'Bangkok', 'Yangon',
  'Dhaka', 'Kathmandu', 'Delhi', 'Karachi', 'Kabul', 'Dubai', 'Tehran', 'Moscow', 'Cairo', 'Paris', 'London', 'Azores',
  'Fernando de Noronha', 'Sao Paulo', 'Newfoundland', 'Santiago', 'Caracas', 'New York', 'Chicago', 'Denver', 'Los Angeles',
  'Anchorage', 'Honolulu', 'Samoa',
];

/** TimeZoneCity: "(not set)". */
const notSetCity = 32766;

export function isCanon(make: string): boolean {
  return /^Canon/i.test(make);
}

export function decodeCanon(input: MakerNoteInput, report: NoteReport): void {
  const ifd = openNote(input, 0, undefined, 'tiff');
  if (!ifd) return report.warn('the Canon maker-note table cannot be read');
  decodeCanonIfd(ifd, input.model, report);
}

/** The Canon table itself (also the CMT3 box of a CR3 file, a TIFF whose IFD0 is this table). */
export function decodeCanonIfd(ifd: NoteIfd, model: string, report: NoteReport): void {
  report.owner('OwnerName', 'Camera owner', textOf(ifd, tags.ownerName));
  const serial = numbersOf(ifd, tags.serialNumber, 1)[0];
  if (serial !== undefined && entryOf(ifd, tags.serialNumber)?.type === 4) report.serial('SerialNumber', 'Camera serial number', formatSerial(serial, model));
  const unique = bytesOf(ifd, tags.imageUniqueId);
  if (unique.length === 16 && unique.some((byte) => byte !== 0)) {
    report.add('identifier', 'device', 'ImageUniqueID', 'Unique image ID', unique.toString('hex'));
  }
  report.add('lens', 'device', 'LensModel', 'Lens model', textOf(ifd, tags.lensModel) ?? '');
  const internal = bytesOf(ifd, tags.internalSerial);
  if (internal.length > 0) {
    // The EOS 5D keeps a binary SerialInfo block here, its text at byte 9.
    const text = /EOS 5D/.test(model) ? cleanText(internal.subarray(9)) : cleanText(internal);
    report.serial('InternalSerialNumber', 'Camera internal serial number', text);
  }
  // TimeInfo: int32s size, time zone (minutes), time-zone city, daylight saving.
  const city = numbersOf(ifd, tags.timeInfo, 4)[2];
  if (city !== undefined && city > 0 && city !== notSetCity) {
    const name = timeZoneCities[city] ?? `world-time city no. ${city}`;
    report.place('TimeZoneCity', 'World-time city', name, '/TimeInfo');
  }
  scanTextForCoordinates(ifd, report, new Map([[tags.ownerName, 'OwnerName']]));
}

/** The serial as Canon prints it (ExifTool: D30 hex+decimal, EOS-1D six digits, others ten). */
function formatSerial(value: number, model: string): string {
  if (/EOS D30\b/.test(model)) return `${(value >>> 16).toString(16).padStart(4, '0')}${String(value & 0xffff).padStart(5, '0')}`;
  if (/EOS-1D/.test(model)) return String(value).padStart(6, '0');
  return String(value).padStart(10, '0');
}
