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
import { isPlausibleFix, type TrackFix } from '../../decode/geo-track.js';

/** camm packet types that carry a position (spec: 5 = position only, 6 = full GPS fix). */
export const cammGpsTypes: ReadonlySet<number> = new Set([5, 6]);
/** Packet header: 2 reserved bytes, then the 16-bit little-endian packet type. */
const cammHeaderBytes = 4;
/** Type 6 `time_gps_epoch` counts seconds from the GPS epoch, 1980-01-06T00:00:00Z. */
const gpsEpochMilliseconds = Date.UTC(1980, 0, 6);

/** One camm packet's fix (type 5: lat, lon, alt doubles; type 6: time, fix type, lat, lon doubles, alt float). */
function cammFix(sample: Buffer, type: number): TrackFix | undefined {
  let fix: TrackFix | undefined;
  if (type === 5 && sample.length >= cammHeaderBytes + 24) {
    fix = { latitude: sample.readDoubleLE(4), longitude: sample.readDoubleLE(12), altitude: sample.readDoubleLE(20) };
  } else if (type === 6 && sample.length >= cammHeaderBytes + 32) {
    // gps_fix_type 0 = no fix: the coordinates are whatever the receiver last had (still a place if not 0,0).
    fix = { latitude: sample.readDoubleLE(16), longitude: sample.readDoubleLE(24), altitude: sample.readFloatLE(32) };
    const seconds = sample.readDoubleLE(4);
    if (Number.isFinite(seconds) && seconds > 0 && seconds < 4e9) fix.time = new Date(gpsEpochMilliseconds + Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z');
  }
  if (!fix || !isPlausibleFix(fix.latitude, fix.longitude)) return undefined;
  if (!Number.isFinite(fix.altitude)) delete fix.altitude;
  return fix;
}

/** The GPS fixes among camm packets (one packet per sample), the first as a location, and the packet types seen. */
export function decodeCamm(samples: readonly Buffer[], where: string): { fix?: GeoLocation; fixes: TrackFix[]; types: Set<number> } {
  const types = new Set<number>();
  const fixes: TrackFix[] = [];
  for (const sample of samples) {
    if (sample.length < cammHeaderBytes) continue;
    const type = sample.readUInt16LE(2);
    types.add(type);
    const fix = cammFix(sample, type);
    if (fix) fixes.push(fix);
  }
  const first = fixes[0];
  if (!first) return { fixes, types };
  const fix: GeoLocation = { latitude: first.latitude, longitude: first.longitude, where };
  if (first.altitude !== undefined) fix.altitude = first.altitude;
  if (first.time) fix.gpsTime = first.time;
  return { fix, fixes, types };
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

/** Every location the `mebx` samples give for one of `locationIds` (items are boxes named by local key id). */
export function decodeMebxFixes(samples: readonly Buffer[], locationIds: ReadonlySet<number>): TrackFix[] {
  const fixes: TrackFix[] = [];
  for (const sample of samples) {
    let offset = 0;
    while (offset + 8 <= sample.length) {
      const size = sample.readUInt32BE(offset);
      if (size < 8 || offset + size > sample.length) break;
      if (locationIds.has(sample.readUInt32BE(offset + 4))) {
        // The item's payload is a `data` box (type, locale, then the value) or, in older files, the bare value.
        const body = sample.subarray(offset + 8, offset + size);
        const text = body.length >= 16 && body.toString('latin1', 4, 8) === 'data' ? body.toString('utf8', 16, Math.min(body.length, body.readUInt32BE(0))) : body.toString('utf8');
        const point = parseIso6709(text);
        if (point && isPlausibleFix(point.latitude, point.longitude)) fixes.push(point);
      }
      offset += size;
    }
  }
  return fixes;
}

/** The first location an `mebx` sample gives for one of `locationIds`. */
export function decodeMebxLocation(samples: readonly Buffer[], locationIds: ReadonlySet<number>, where: string): GeoLocation | undefined {
  const first = decodeMebxFixes(samples, locationIds)[0];
  return first ? { ...first, where } : undefined;
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
