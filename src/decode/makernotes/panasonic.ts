/**
 * Panasonic (Lumix) maker notes: `Panasonic\0\0\0`, the IFD at 12, value offsets from the TIFF
 * header. GPS and travel models store the place names they look up; "baby/pet" modes store a name;
 * the body, lens and accessory carry serial numbers.
 * Reference: ExifTool Panasonic.pm (Panasonic::Main 0x0025 InternalSerialNumber, 0x0052
 * LensSerialNumber, 0x0054 AccessorySerialNumber, 0x0065 Title, 0x0066 BabyName (or pet name),
 * 0x0067 Location, 0x0069 Country, 0x006b State, 0x006d City, 0x006f Landmark, 0x0080 City2);
 * MakerNotes.pm (MakerNotePanasonic: Start +12, offsets from the TIFF header).
 */
import { openNote, scanTextForCoordinates, startsWith, textOf, type MakerNoteInput, type NoteIfd, type NoteReport } from './ifd.js';

const places: readonly [number, string, string][] = [
  [0x0067, 'Location', 'Place'],
  [0x0069, 'Country', 'Country'],
  [0x006b, 'State', 'State or province'],
  [0x006d, 'City', 'City'],
  [0x006f, 'Landmark', 'Landmark'],
  [0x0080, 'City2', 'City, town or village'],
];

const serials: readonly [number, string, string][] = [
  [0x0025, 'InternalSerialNumber', 'Camera internal serial number'],
  [0x0052, 'LensSerialNumber', 'Lens serial number'],
  [0x0054, 'AccessorySerialNumber', 'Accessory serial number'],
];

export function isPanasonic(note: Buffer): boolean {
  return startsWith(note, 'Panasonic\0');
}

export function decodePanasonic(input: MakerNoteInput, report: NoteReport): void {
  const ifd = openNote(input, 12, undefined, 'tiff');
  if (!ifd) return report.warn('the Panasonic maker-note table cannot be read');
  decodePanasonicIfd(ifd, report);
}

/** The Panasonic table (also what Panasonic-made Leica cameras write). */
export function decodePanasonicIfd(ifd: NoteIfd, report: NoteReport): void {
  for (const [tag, name, label] of places) report.place(name, label, textOf(ifd, tag));
  for (const [tag, name, label] of serials) report.serial(name, label, textOf(ifd, tag));
  report.owner('BabyName', 'Baby or pet name', textOf(ifd, 0x0066));
  report.add('description', 'other', 'Title', 'Title', textOf(ifd, 0x0065) ?? '');
  scanTextForCoordinates(ifd, report, new Map(places.map(([tag, name]) => [tag, name])));
}
