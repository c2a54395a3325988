/**
 * Pentax (and Ricoh-made Pentax) maker notes. `AOC\0` + byte order, the IFD at 6, offsets from
 * the TIFF header (ExifTool fixes the base when they do not fit: so do we); `PENTAX \0` + byte
 * order, the IFD at 10, offsets from the maker note's start; `RICOH\0` + byte order (GR III and
 * later), the IFD at 8, offsets from the maker note's start; early Asahi: an IFD at the start.
 * What identifies a person: the body serial number, the internal serial number in CameraInfo, and
 * the world-time cities (home town and destination) the camera is set to.
 * Reference: ExifTool Pentax.pm (Pentax::Main 0x0023 HometownCity, 0x0024 DestinationCity
 * (int16u city codes), 0x0215 CameraInfo (int32u; index 4 InternalSerialNumber), 0x0229
 * SerialNumber); MakerNotes.pm (MakerNotePentax, MakerNotePentax2/3, MakerNotePentax5,
 * MakerNoteRicohPentax).
 */
import { byteOrderMark, numbersOf, openNote, scanTextForCoordinates, startsWith, textOf, type MakerNoteInput, type NoteReport } from './ifd.js';

const tags = { hometownCity: 0x0023, destinationCity: 0x0024, cameraInfo: 0x0215, serialNumber: 0x0229 } as const;

/** Pentax world-time city codes (ExifTool Pentax.pm %pentaxCities). */
const cities: readonly string[] = [
  'Pago Pago', 'Honolulu', 'Anchorage', 'Vancouver', 'San Francisco', 'Los Angeles', 'Calgary', 'Denver', 'Mexico City', 'Chicago',
  'Miami', 'Toronto', 'New York', 'Santiago', 'Caracas', 'Halifax', 'Buenos Aires', 'Sao Paulo', 'Rio de Janeiro', 'Madrid',
  'London', 'Paris', 'Milan', 'Rome', 'Berlin', 'Johannesburg', 'Istanbul', 'Cairo', 'Jerusalem', 'Moscow',
  'Jeddah', 'Tehran', 'Dubai', 'Karachi', 'Kabul', 'Male', 'Delhi', 'Colombo', 'Kathmandu', 'Dacca',
  'Yangon', 'Bangkok', 'Kuala Lumpur', 'Vientiane', 'Singapore', 'Phnom Penh', 'Ho Chi Minh', 'Jakarta', 'Hong Kong', 'Perth',
  'Beijing', 'Shanghai', 'Manila', 'Taipei', 'Seoul', 'Adelaide', 'Tokyo', 'Guam', 'Sydney', 'Noumea',
  'Wellington', 'Auckland', 'Lima', 'Dakar', 'Algiers', 'Helsinki', 'Athens', 'Nairobi', 'Amsterdam', 'Stockholm',
  'Lisbon', 'Copenhagen', 'Warsaw', 'Prague', 'Budapest',
];

export function isPentax(note: Buffer, make: string): boolean {
  return startsWith(note, 'AOC\0') || startsWith(note, 'PENTAX \0') || /^RICOH\0(II|MM)/.test(note.toString('latin1', 0, 8)) || /^Asahi/i.test(make);
}

export function decodePentax(input: MakerNoteInput, report: NoteReport): void {
  const note = input.data.subarray(input.start, input.start + input.length);
  let ifd;
  if (startsWith(note, 'AOC\0')) ifd = openNote(input, 6, byteOrderMark(note, 4), 'tiff');
  else if (startsWith(note, 'PENTAX \0')) ifd = openNote(input, 10, byteOrderMark(note, 8), 'note');
  else if (startsWith(note, 'RICOH\0')) ifd = openNote(input, 8, byteOrderMark(note, 6), 'note');
  else ifd = openNote(input, 0, undefined, 'tiff');
  if (!ifd) return report.warn('the Pentax maker-note table cannot be read');
  const city = (tag: number) => {
    const code = numbersOf(ifd, tag, 1)[0];
    if (code === undefined) return undefined;
    return cities[code] ?? `world-time city no. ${code}`;
  };
  report.place('HometownCity', 'World-time home town', city(tags.hometownCity));
  report.place('DestinationCity', 'World-time destination', city(tags.destinationCity));
  report.serial('SerialNumber', 'Camera serial number', textOf(ifd, tags.serialNumber));
  // CameraInfo: int32u values; the fifth is the internal serial number.
  const cameraInfo = ifd.entries.find((entry) => entry.tag === tags.cameraInfo);
  if (cameraInfo && cameraInfo.valueLength >= 20) {
    const at = cameraInfo.valueOffset + 16;
    const value = ifd.structure.littleEndian ? ifd.structure.data.readUInt32LE(at) : ifd.structure.data.readUInt32BE(at);
    report.serial('InternalSerialNumber', 'Camera internal serial number', value, '/CameraInfo');
  }
  scanTextForCoordinates(ifd, report, new Map());
}
