/**
 * GoPro Metadata Format (GPMF): https://github.com/gopro/gpmf-parser (README "GPMF Deeper Dive").
 * A KLV stream: 4-character key, 1-byte type (0 = nested), 1-byte structure size, 2-byte repeat
 * count (big-endian), then structureSize × repeat bytes padded to a multiple of 4.
 * GPS5 = latitude, longitude, altitude, 2D speed, 3D speed as int32 divided by SCAL, with the
 * payload's time in GPSU (`yymmddhhmmss.sss`) and its lock in GPSF (0 none, 2 2D, 3 3D);
 * GPS9 (HERO11+) adds days since 2000, seconds of day, DOP and fix per record, layout in TYPE.
 */
import type { GeoLocation } from '../../types.js';
import { isPlausibleFix, type TrackFix } from '../../decode/geo-track.js';

export interface KlvItem {
  key: string;
  type: string;
  structSize: number;
  repeat: number;
  dataStart: number;
  dataLength: number;
}

const maxNesting = 8;
const maxItems = 200_000;

/** The items of one nesting level in `[start, end)`; stops quietly at the first impossible header. */
export function readKlv(data: Buffer, start = 0, end = data.length): KlvItem[] {
  const items: KlvItem[] = [];
  let offset = start;
  while (offset + 8 <= end && items.length < maxItems) {
    const key = data.toString('latin1', offset, offset + 4);
    if (key === '\0\0\0\0') break;
    const type = String.fromCharCode(data[offset + 4]!);
    const structSize = data[offset + 5]!;
    const repeat = data.readUInt16BE(offset + 6);
    const dataLength = structSize * repeat;
    const padded = (dataLength + 3) & ~3;
    if (offset + 8 + padded > end) break;
    items.push({ key, type, structSize, repeat, dataStart: offset + 8, dataLength });
    offset += 8 + padded;
  }
  return items;
}

/** Every item in the stream, nested levels included (bounded depth). */
export function flattenKlv(data: Buffer, start = 0, end = data.length, depth = 0): KlvItem[][] {
  const levels: KlvItem[][] = [];
  const items = readKlv(data, start, end);
  levels.push(items);
  if (depth >= maxNesting) return levels;
  for (const item of items) {
    if (item.type === '\0') levels.push(...flattenKlv(data, item.dataStart, item.dataStart + item.dataLength, depth + 1));
  }
  return levels;
}

function numbersOf(data: Buffer, item: KlvItem, typeCode = item.type): number[] {
  const width: Record<string, number> = { b: 1, B: 1, s: 2, S: 2, l: 4, L: 4, f: 4, d: 8, j: 8, J: 8 };
  const size = width[typeCode];
  if (!size) return [];
  const values: number[] = [];
  for (let offset = item.dataStart; offset + size <= item.dataStart + item.dataLength && values.length < 4096; offset += size) {
    switch (typeCode) {
      case 'b': values.push(data.readInt8(offset)); break;
      case 'B': values.push(data[offset]!); break;
      case 's': values.push(data.readInt16BE(offset)); break;
      case 'S': values.push(data.readUInt16BE(offset)); break;
      case 'l': values.push(data.readInt32BE(offset)); break;
      case 'L': values.push(data.readUInt32BE(offset)); break;
      case 'f': values.push(data.readFloatBE(offset)); break;
      case 'd': values.push(data.readDoubleBE(offset)); break;
      case 'j': values.push(Number(data.readBigInt64BE(offset))); break;
      case 'J': values.push(Number(data.readBigUInt64BE(offset))); break;
    }
  }
  return values;
}

export function textOf(data: Buffer, item: KlvItem): string {
  return data.toString('latin1', item.dataStart, item.dataStart + item.dataLength).replace(/\0+$/, '').trim();
}

/** `yymmddhhmmss.sss` (GPSU) → ISO 8601 UTC. */
function gpsTime(text: string): string | undefined {
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  const iso = `20${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

export interface GpmfFix extends TrackFix {
  /** False when the receiver said it had no lock (GPSF 0, or GPS9's fix field 0). */
  locked: boolean;
}

export interface GpmfGps {
  /** The first fix with a non-zero position, when there is one. */
  fix?: GeoLocation;
  /** Every fix with a non-zero position in this payload, in order. */
  fixes: GpmfFix[];
  /** True when the stream carries a GPS5/GPS9 stream at all (even without a fix). */
  hasGpsStream: boolean;
}

/** Byte widths of the GPMF value types a GPS layout (`TYPE`) may use. */
const typeWidths: Record<string, number> = { b: 1, B: 1, s: 2, S: 2, l: 4, L: 4, f: 4, d: 8, j: 8, J: 8 };
/** GPS9 fields (HERO11+, gpmf-parser README): lat, lon, alt, 2D speed, 3D speed, days since 2000, seconds of day, DOP, fix. */
const gps9 = { days: 5, seconds: 6, fix: 8 };
const gps9Epoch = Date.UTC(2000, 0, 1);

function readNumber(data: Buffer, offset: number, code: string): number {
  switch (code) {
    case 'b': return data.readInt8(offset);
    case 'B': return data[offset]!;
    case 's': return data.readInt16BE(offset);
    case 'S': return data.readUInt16BE(offset);
    case 'l': return data.readInt32BE(offset);
    case 'L': return data.readUInt32BE(offset);
    case 'f': return data.readFloatBE(offset);
    case 'd': return data.readDoubleBE(offset);
    case 'j': return Number(data.readBigInt64BE(offset));
    default: return Number(data.readBigUInt64BE(offset));
  }
}

/** Most GPS records read from one payload (GoPro writes 18 a second, one payload a second). */
const maxRecordsPerPayload = 1024;

/** Every GPS fix in one GPMF payload (a telemetry sample): GPS5 (time from GPSU, lock from GPSF) or GPS9 (time and lock per record). */
export function decodeGpmfGps(data: Buffer, where: string): GpmfGps {
  const result: GpmfGps = { hasGpsStream: false, fixes: [] };
  for (const level of flattenKlv(data)) {
    const gps = level.find((item) => item.key === 'GPS5' || item.key === 'GPS9');
    if (!gps) continue;
    result.hasGpsStream = true;
    const scaleItem = level.find((item) => item.key === 'SCAL');
    const scales = scaleItem ? numbersOf(data, scaleItem) : [];
    const typeItem = level.find((item) => item.key === 'TYPE');
    const layout = gps.key === 'GPS9' ? (typeItem ? textOf(data, typeItem) : 'lllllllSS') : 'l'.repeat(Math.max(3, Math.floor(gps.structSize / 4)));
    const offsets: number[] = [];
    let width = 0;
    for (const code of layout) {
      const size = typeWidths[code];
      if (!size) break;
      offsets.push(width);
      width += size;
    }
    if (offsets.length < 3 || width > gps.structSize) continue;
    const scale = (index: number) => scales[Math.min(index, scales.length - 1)] || 1;
    const value = (record: number, index: number) => readNumber(data, gps.dataStart + record * gps.structSize + offsets[index]!, layout[index]!) / scale(index);
    const timeItem = level.find((item) => item.key === 'GPSU');
    const payloadTime = timeItem ? gpsTime(textOf(data, timeItem)) : undefined;
    const fixItem = level.find((item) => item.key === 'GPSF');
    const payloadLocked = fixItem ? (numbersOf(data, fixItem)[0] ?? 0) > 0 : true;
    const records = Math.min(gps.repeat, maxRecordsPerPayload, Math.floor(gps.dataLength / gps.structSize));
    for (let record = 0; record < records; record++) {
      const latitude = value(record, 0);
      const longitude = value(record, 1);
      if (!isPlausibleFix(latitude, longitude)) continue;
      const fix: GpmfFix = { latitude, longitude, altitude: value(record, 2), locked: payloadLocked };
      if (gps.key === 'GPS9' && offsets.length > gps9.fix) {
        const milliseconds = gps9Epoch + value(record, gps9.days) * 86_400_000 + value(record, gps9.seconds) * 1000;
        if (Number.isFinite(milliseconds) && value(record, gps9.days) > 0) fix.time = new Date(Math.round(milliseconds)).toISOString().replace('.000Z', 'Z');
        fix.locked = value(record, gps9.fix) > 0;
      } else if (record === 0 && payloadTime) {
        // GPSU is the time of the payload's first record; the others follow at the sensor rate.
        fix.time = payloadTime;
      }
      result.fixes.push(fix);
    }
  }
  const first = result.fixes.find((fix) => fix.locked) ?? result.fixes[0];
  if (first) {
    const fix: GeoLocation = { latitude: first.latitude, longitude: first.longitude, where };
    if (first.altitude !== undefined) fix.altitude = first.altitude;
    if (first.time) fix.gpsTime = first.time;
    result.fix = fix;
  }
  return result;
}

export interface GpmfDevice {
  key: string;
  label: string;
  text: string;
}

const deviceKeys: Record<string, string> = {
  CASN: 'Camera serial number',
  MINF: 'Camera model',
  DVNM: 'Device name',
  FMWR: 'Firmware version',
  LINF: 'Lens serial number',
  MUID: 'Media unique ID',
};

/** Device facts in GoPro's global-settings GPMF (the `GPMF` atom in `udta`). */
export function decodeGpmfDevice(data: Buffer): GpmfDevice[] {
  const found: GpmfDevice[] = [];
  for (const level of flattenKlv(data)) {
    for (const item of level) {
      const label = deviceKeys[item.key];
      if (!label) continue;
      const text = item.type === 'c' ? textOf(data, item) : numbersOf(data, item).map((value) => value.toString(16).padStart(8, '0')).join('');
      if (text) found.push({ key: item.key, label, text });
    }
  }
  return found;
}
