/**
 * Turns a parsed EXIF/TIFF structure into findings: who made the file, with what, when, where.
 * Used for every container that carries an EXIF payload and for TIFF/DNG files themselves.
 */
import type { ContainerReport } from '../formats/types.js';
import { emptyReport } from '../formats/types.js';
import type { Category, Finding, FindingMeaning, GeoLocation } from '../types.js';
import { formatBytes } from '../report/format.js';
import { gpsTagNames, imageTags, tiffTags } from './exif-tags.js';
import { addMakerNotes } from './makernotes/index.js';
import { findEntry, findIfd, ifdPointerTags, readBytes, readNumbers, readText, type IfdEntry, type TiffStructure } from './tiff.js';

export interface ExifDecodeOptions {
  /** Prefix of every `where`, e.g. `APP1/Exif`. */
  where: string;
}

/** A thumbnail or preview image stored inside the EXIF structure. */
export interface EmbeddedImage {
  ifd: string;
  offset: number;
  length: number;
}

export interface ExifDecoded extends ContainerReport {
  orientation?: number;
  thumbnails: EmbeddedImage[];
}

export function decodeExif(structure: TiffStructure, options: ExifDecodeOptions): ExifDecoded {
  const report: ExifDecoded = { ...emptyReport(), thumbnails: [] };
  report.warnings.push(...structure.warnings);
  for (const ifd of structure.ifds) {
    const where = `${options.where}/${ifd.name}`;
    if (ifd.name === 'GPS') {
      decodeGpsIfd(structure, ifd.entries, where, report);
      continue;
    }
    for (const entry of ifd.entries) {
      const info = imageTags.get(entry.tag);
      if (!info) continue;
      if (entry.tag === tiffTags.orientation) {
        const value = readNumbers(structure, entry)[0];
        if (ifd.name === 'IFD0' && value !== undefined) {
          report.orientation = value;
          report.findings.push(finding('other', 'orientation', where, info.name, info.label, value, describeOrientation(value), true));
        }
        continue;
      }
      const value = renderValue(structure, entry, info.render ?? 'text');
      if (value === '') continue;
      report.findings.push(finding(info.category, info.meaning, where, info.name, info.label, value, String(value)));
    }
    const thumbnailOffset = readNumbers(structure, findEntry(ifd, tiffTags.thumbnailOffset) ?? noEntry)[0];
    const thumbnailLength = readNumbers(structure, findEntry(ifd, tiffTags.thumbnailLength) ?? noEntry)[0];
    if (thumbnailOffset !== undefined && thumbnailLength !== undefined && thumbnailLength > 0 && ifd.name !== 'IFD0') {
      if (thumbnailOffset + thumbnailLength <= structure.data.length) {
        report.thumbnails.push({ ifd: ifd.name, offset: thumbnailOffset, length: thumbnailLength });
        report.findings.push(finding('thumbnail', 'thumbnail', where, 'ThumbnailImage', 'Embedded thumbnail', thumbnailLength, `JPEG preview of ${formatBytes(thumbnailLength)}`));
      } else {
        report.warnings.push({ code: 'EXIF_THUMBNAIL_OUT_OF_RANGE', message: `${where}: thumbnail lies outside the EXIF data`, severity: 'warning' });
      }
    }
  }
  // What camera maker notes give away (GPS, place names, serial numbers, owner), in each vendor's layout.
  addMakerNotes(structure, options.where, report);
  return report;
}

const noEntry: IfdEntry = { tag: 0, type: 0, count: 0, entryOffset: 0, valueOffset: 0, valueLength: 0, inline: true, readable: false };

function finding(category: Category, meaning: FindingMeaning, where: string, tag: string, label: string, value: Finding['value'], text: string, retained = false): Finding {
  const result: Finding = { category, where, tag, label, meaning, value, text };
  if (retained) result.retained = true;
  return result;
}

function renderValue(structure: TiffStructure, entry: IfdEntry, render: 'text' | 'bytes' | 'number' | 'date'): string | number {
  if (render === 'bytes') return `${formatBytes(entry.valueLength)}`;
  if (render === 'number') return readNumbers(structure, entry)[0] ?? '';
  if (entry.tag >= 0x9c9b && entry.tag <= 0x9c9f) {
    // Windows XP tags: UTF-16LE in a BYTE array.
    return readBytes(structure, entry).toString('utf16le').replace(/\0+$/, '').trim();
  }
  if (entry.tag === 0x9286) return decodeUserComment(readBytes(structure, entry));
  if (entry.type === 2 || entry.type === 7 || entry.type === 1) return readText(structure, entry);
  const numbers = readNumbers(structure, entry, 16);
  return numbers.join(' ');
}

/** UserComment: an 8-byte character-code prefix, then the text. */
function decodeUserComment(bytes: Buffer): string {
  if (bytes.length <= 8) return '';
  const code = bytes.toString('latin1', 0, 8).replace(/\0/g, '').trim();
  const body = bytes.subarray(8);
  const text = code === 'UNICODE' ? body.toString('utf16le') : body.toString('utf8');
  return text.replace(/\0+$/g, '').trim();
}

export function describeOrientation(value: number): string {
  const names: Record<number, string> = {
    1: 'upright', 2: 'mirrored', 3: 'rotated 180°', 4: 'flipped vertically',
    5: 'mirrored and rotated 90° counter-clockwise', 6: 'rotated 90° clockwise',
    7: 'mirrored and rotated 90° clockwise', 8: 'rotated 90° counter-clockwise',
  };
  return `${value} (${names[value] ?? 'unknown'})`;
}

function decodeGpsIfd(structure: TiffStructure, entries: IfdEntry[], where: string, report: ContainerReport): void {
  const byTag = new Map(entries.map((entry) => [entry.tag, entry] as const));
  const text = (tag: number) => {
    const entry = byTag.get(tag);
    return entry ? readText(structure, entry) : undefined;
  };
  const numbers = (tag: number) => {
    const entry = byTag.get(tag);
    return entry ? readNumbers(structure, entry, 8) : [];
  };
  const latitude = degrees(numbers(0x02), text(0x01), 'S');
  const longitude = degrees(numbers(0x04), text(0x03), 'W');
  let location: GeoLocation | undefined;
  if (latitude !== undefined && longitude !== undefined) {
    location = { latitude, longitude, where };
    const altitude = numbers(0x06)[0];
    if (altitude !== undefined && Number.isFinite(altitude)) {
      const below = (byTag.get(0x05) && numbers(0x05)[0] === 1) || false;
      location.altitude = below ? -altitude : altitude;
    }
    const gpsTime = gpsDateTime(text(0x1d), numbers(0x07));
    if (gpsTime) location.gpsTime = gpsTime;
    const accuracy = numbers(0x1f)[0];
    if (accuracy !== undefined && Number.isFinite(accuracy)) location.accuracyMeters = accuracy;
    report.locations.push(location);
    report.findings.push({ category: 'location', where, tag: 'GPSPosition', label: 'GPS position', meaning: 'gps-position', value: location, text: formatLocation(location) });
  }
  for (const entry of entries) {
    const name = gpsTagNames.get(entry.tag) ?? `GPSTag0x${entry.tag.toString(16).padStart(4, '0')}`;
    if (entry.tag === 0x00) continue; // the version says nothing about a place
    if (location && [0x01, 0x02, 0x03, 0x04, 0x05, 0x06].includes(entry.tag)) continue; // summarised above
    const value = entry.type === 2 || entry.type === 7 ? readText(structure, entry) : readNumbers(structure, entry, 8).map(round).join(' ');
    const meaning: FindingMeaning = entry.tag === gpsAreaInformation ? 'place-name' : 'gps-detail';
    report.findings.push({ category: 'location', where, tag: name, label: gpsLabel(name), meaning, value, text: gpsText(name, value) });
  }
}

const gpsAreaInformation = 0x1c;

/** GPS codes in words (CIPA DC-008 table 8), the code kept in the value. */
const gpsCodeWords: Record<string, Record<string, string>> = {
  GPSStatus: { A: 'measurement active', V: 'measurement void' },
  GPSMeasureMode: { '2': '2-D fix', '3': '3-D fix' },
  GPSSpeedRef: { K: 'km/h', M: 'mph', N: 'knots' },
  GPSTrackRef: { T: 'true north', M: 'magnetic north' },
  GPSImgDirectionRef: { T: 'true north', M: 'magnetic north' },
  GPSDestBearingRef: { T: 'true north', M: 'magnetic north' },
  GPSDestDistanceRef: { K: 'kilometres', M: 'miles', N: 'nautical miles' },
  GPSDifferential: { '0': 'no differential correction', '1': 'differential correction applied' },
  GPSAltitudeRef: { '0': 'above sea level', '1': 'below sea level' },
  GPSLatitudeRef: { N: 'north', S: 'south' },
  GPSLongitudeRef: { E: 'east', W: 'west' },
  GPSDestLatitudeRef: { N: 'north', S: 'south' },
  GPSDestLongitudeRef: { E: 'east', W: 'west' },
};

function gpsText(name: string, value: string | number): string {
  const code = String(value).trim();
  if (code === '') return '(empty)';
  if (name === 'GPSTimeStamp') {
    const [hours, minutes, seconds] = code.split(' ').map(Number);
    if (hours !== undefined && minutes !== undefined && seconds !== undefined && [hours, minutes, seconds].every(Number.isFinite)) {
      return `${pad(hours)}:${pad(minutes)}:${pad(seconds)} UTC`;
    }
  }
  if (name === 'GPSDateStamp' && /^\d{4}:\d{2}:\d{2}$/.test(code)) return code.replace(/:/g, '-');
  const word = gpsCodeWords[name]?.[code.toUpperCase()];
  return word ?? code;
}

function gpsLabel(name: string): string {
  const labels: Record<string, string> = {
    GPSTimeStamp: 'GPS time', GPSDateStamp: 'GPS date', GPSImgDirection: 'Direction the camera faced',
    GPSSpeed: 'Speed', GPSTrack: 'Direction of travel', GPSHPositioningError: 'GPS accuracy (m)',
    GPSProcessingMethod: 'GPS method', GPSAreaInformation: 'Area', GPSDestLatitude: 'Destination latitude',
    GPSDestLongitude: 'Destination longitude', GPSLatitude: 'Latitude', GPSLongitude: 'Longitude', GPSAltitude: 'Altitude',
    GPSStatus: 'GPS status', GPSMeasureMode: 'GPS fix', GPSDOP: 'GPS precision (DOP)', GPSSatellites: 'GPS satellites',
    GPSMapDatum: 'Map datum', GPSSpeedRef: 'Speed unit', GPSTrackRef: 'Direction of travel relative to',
    GPSImgDirectionRef: 'Camera direction relative to', GPSDestBearingRef: 'Destination bearing relative to',
    GPSDestDistanceRef: 'Destination distance unit', GPSDifferential: 'GPS differential correction',
    GPSAltitudeRef: 'Altitude reference', GPSLatitudeRef: 'Latitude hemisphere', GPSLongitudeRef: 'Longitude hemisphere',
    GPSDestBearing: 'Destination bearing', GPSDestDistance: 'Destination distance',
  };
  return labels[name] ?? name.replace(/^GPS/, 'GPS ');
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Degrees/minutes/seconds rationals plus a hemisphere reference → signed decimal degrees. */
export function degrees(parts: number[], reference: string | undefined, negativeRef: string): number | undefined {
  if (parts.length === 0 || parts.some((part) => !Number.isFinite(part))) return undefined;
  const value = (parts[0] ?? 0) + (parts[1] ?? 0) / 60 + (parts[2] ?? 0) / 3600;
  if (!Number.isFinite(value)) return undefined;
  return reference?.toUpperCase().startsWith(negativeRef) ? -value : value;
}

/** The GPS clock as ISO 8601 UTC; a date stamp without a time stamp stays a date (no midnight invented). */
function gpsDateTime(date: string | undefined, time: number[]): string | undefined {
  if (!date || !/^\d{4}[:-]\d{2}[:-]\d{2}/.test(date)) return undefined;
  if (time.length < 3 || time.some((value) => !Number.isFinite(value))) {
    const day = date.slice(0, 10).replace(/:/g, '-');
    return Number.isNaN(Date.parse(day)) ? undefined : day;
  }
  const [hours = 0, minutes = 0, seconds = 0] = time;
  const iso = `${date.slice(0, 10).replace(/:/g, '-')}T${pad(hours)}:${pad(minutes)}:${pad(Math.floor(seconds))}Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

function pad(value: number): string {
  return String(Math.floor(value)).padStart(2, '0');
}

/** `37.77493 N, 122.41942 W (altitude 12 m)` */
export function formatLocation(location: GeoLocation): string {
  const lat = `${Math.abs(location.latitude).toFixed(5)} ${location.latitude < 0 ? 'S' : 'N'}`;
  const lon = `${Math.abs(location.longitude).toFixed(5)} ${location.longitude < 0 ? 'W' : 'E'}`;
  const extras: string[] = [];
  if (location.altitude !== undefined) extras.push(`altitude ${Math.round(location.altitude)} m`);
  if (location.accuracyMeters !== undefined) extras.push(`accuracy ~${Math.round(location.accuracyMeters)} m`);
  if (location.gpsTime) extras.push(`GPS time ${location.gpsTime}`);
  return extras.length ? `${lat}, ${lon} (${extras.join(', ')})` : `${lat}, ${lon}`;
}

/** Moved to the report layer (display helper); re-exported for the decoders' `text`. */
export { formatBytes };

export { findIfd, ifdPointerTags };
