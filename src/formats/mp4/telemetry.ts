/**
 * Decoders for timed metadata samples: Google Camera Motion Metadata `camm`
 * (https://developers.google.com/streetview/publish/camm-spec: little-endian packets, type 5 =
 * latitude/longitude/altitude doubles, type 6 = full GPS fix), Apple `mebx` (keys declared in the
 * sample entry, samples are boxes named by local key id), QuickTime `tmcd` timecode
 * (QuickTime File Format, "Timecode sample description") and text/subtitle samples that spell
 * out coordinates (e.g. DJI: `GPS (8.5432, 47.3769, 12)`).
 */
import type { GeoLocation } from '../../types.js';
import type { ByteSource } from '../../io/source.js';
import { BoxBudget, payloadSize, payloadStart, readBoxes, type Box } from '../isobmff/boxes.js';
import { parseIso6709 } from './iso6709.js';

/** The first GPS fix among camm packets, or undefined. */
export function decodeCamm(samples: readonly Buffer[], where: string): { fix?: GeoLocation; types: Set<number> } {
  const types = new Set<number>();
  let fix: GeoLocation | undefined;
  for (const sample of samples) {
    if (sample.length < 4) continue;
    const type = sample.readUInt16LE(2);
    types.add(type);
    if (fix) continue;
    let latitude: number | undefined;
    let longitude: number | undefined;
    let altitude: number | undefined;
    if (type === 5 && sample.length >= 28) {
      latitude = sample.readDoubleLE(4);
      longitude = sample.readDoubleLE(12);
      altitude = sample.readDoubleLE(20);
    } else if (type === 6 && sample.length >= 36) {
      latitude = sample.readDoubleLE(16);
      longitude = sample.readDoubleLE(24);
      altitude = sample.readFloatLE(32);
    }
    if (latitude !== undefined && longitude !== undefined && Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 && !(latitude === 0 && longitude === 0)) {
      fix = { latitude, longitude, where };
      if (altitude !== undefined && Number.isFinite(altitude)) fix.altitude = altitude;
    }
  }
  return fix ? { fix, types } : { types };
}

export interface MebxKey {
  localId: number;
  name: string;
}

/** Keys declared in an `mebx` sample entry (`keys` box of boxes named by local id, each with `keyd`). */
export function readMebxKeys(source: ByteSource, entry: Box, budget: BoxBudget): MebxKey[] {
  const keys: MebxKey[] = [];
  // Sample entry: 6 reserved bytes, 2-byte data reference index, then boxes.
  const children = readBoxes(source, payloadStart(entry) + 8, entry.offset + entry.size, budget, `'mebx'`);
  const table = children.find((child) => child.type === 'keys');
  if (!table) return keys;
  for (const key of readBoxes(source, payloadStart(table), table.offset + table.size, budget, `'mebx' keys`)) {
    const localId = source.read(key.offset + 4, 4).readUInt32BE(0);
    const declaration = readBoxes(source, payloadStart(key), key.offset + key.size, budget, `'mebx' key`).find((child) => child.type === 'keyd');
    if (!declaration || payloadSize(declaration) < 4) continue;
    const name = source.read(payloadStart(declaration) + 4, payloadSize(declaration) - 4).toString('utf8');
    keys.push({ localId, name });
  }
  return keys;
}

/** The first location an `mebx` sample gives for one of `locationIds`. */
export function decodeMebxLocation(samples: readonly Buffer[], locationIds: ReadonlySet<number>, where: string): GeoLocation | undefined {
  for (const sample of samples) {
    let offset = 0;
    while (offset + 8 <= sample.length) {
      const size = sample.readUInt32BE(offset);
      if (size < 8 || offset + size > sample.length) break;
      if (locationIds.has(sample.readUInt32BE(offset + 4))) {
        const location = parseIso6709(sample.toString('utf8', offset + 8, offset + size), where);
        if (location) return location;
      }
      offset += size;
    }
  }
  return undefined;
}

export interface Timecode {
  framesPerSecond: number;
  text: string;
}

/** `tmcd` sample entry (flags, timescale, frame duration, frames per second) and its first sample (frame number). */
export function decodeTimecode(entry: Buffer, sample: Buffer): Timecode | undefined {
  // Entry payload after the 8-byte box header: reserved(6) dataRef(2) reserved(4) flags(4) timescale(4) frameDuration(4) frames(1).
  if (entry.length < 8 + 25 || sample.length < 4) return undefined;
  const frames = entry[8 + 24]!;
  const frameNumber = sample.readUInt32BE(0);
  if (frames === 0 || frameNumber === 0) return undefined;
  const totalSeconds = Math.floor(frameNumber / frames);
  const pad = (value: number) => String(value).padStart(2, '0');
  const text = `${pad(Math.floor(totalSeconds / 3600) % 24)}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}:${pad(frameNumber % frames)}`;
  return { framesPerSecond: frames, text };
}

const coordinatePatterns: { pattern: RegExp; order: 'latlon' | 'lonlat' }[] = [
  { pattern: /lat(?:itude)?\s*[:=]?\s*([-+]?\d{1,2}\.\d+)[\s\S]{0,40}?lon(?:g|gt)?(?:itude|titude)?\s*[:=]?\s*([-+]?\d{1,3}\.\d+)/i, order: 'latlon' },
  { pattern: /GPS\s*\(\s*([-+]?\d{1,3}\.\d+)\s*,\s*([-+]?\d{1,3}\.\d+)/i, order: 'lonlat' },
  { pattern: /([-+]?\d{1,2}\.\d{4,})\s*[,;/ ]\s*([-+]?\d{1,3}\.\d{4,})/, order: 'latlon' },
];

/** Coordinates spelled out in subtitle text, as a location when they read as one. */
export function findTextCoordinates(text: string, where: string): { match: string; location?: GeoLocation } | undefined {
  const iso = /[+-]\d{2}(?:\d{2}){0,2}\.\d+[+-]\d{3}(?:\d{2}){0,2}\.\d+/.exec(text);
  if (iso) {
    const location = parseIso6709(iso[0], where);
    if (location) return { match: iso[0], location };
  }
  for (const { pattern, order } of coordinatePatterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    const first = Number(match[1]);
    const second = Number(match[2]);
    const [latitude, longitude] = order === 'latlon' ? [first, second] : [second, first];
    const result: { match: string; location?: GeoLocation } = { match: match[0] };
    if (Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 && !(latitude === 0 && longitude === 0)) result.location = { latitude, longitude, where };
    return result;
  }
  return undefined;
}

/** The text of a `tx3g`/`text` sample (16-bit length, then text), or the raw bytes for other formats. */
export function subtitleText(sample: Buffer, format: string): string {
  if ((format === 'tx3g' || format === 'text') && sample.length >= 2) {
    const length = sample.readUInt16BE(0);
    return sample.toString('utf8', 2, Math.min(sample.length, 2 + length));
  }
  return sample.toString('utf8');
}
