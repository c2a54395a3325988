/**
 * GoPro Metadata Format (GPMF): https://github.com/gopro/gpmf-parser (README "GPMF Deeper Dive").
 * A KLV stream: 4-character key, 1-byte type (0 = nested), 1-byte structure size, 2-byte repeat
 * count (big-endian), then structureSize × repeat bytes padded to a multiple of 4.
 * GPS5 = latitude, longitude, altitude, 2D speed, 3D speed as int32 divided by SCAL;
 * GPS9 (HERO11+) adds days, seconds, DOP and fix, with its layout in TYPE.
 */
import type { GeoLocation } from '../../types.js';

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

export interface GpmfGps {
  /** The first fix with a non-zero position, when there is one. */
  fix?: GeoLocation;
  /** True when the stream carries a GPS5/GPS9 stream at all (even without a fix). */
  hasGpsStream: boolean;
}

/** Finds the first GPS fix in one GPMF payload (a telemetry sample). */
export function decodeGpmfGps(data: Buffer, where: string): GpmfGps {
  const result: GpmfGps = { hasGpsStream: false };
  for (const level of flattenKlv(data)) {
    const gps = level.find((item) => item.key === 'GPS5' || item.key === 'GPS9');
    if (!gps) continue;
    result.hasGpsStream = true;
    const scaleItem = level.find((item) => item.key === 'SCAL');
    const scales = scaleItem ? numbersOf(data, scaleItem) : [];
    const typeItem = level.find((item) => item.key === 'TYPE');
    const layout = gps.key === 'GPS9' ? (typeItem ? textOf(data, typeItem) : '') : 'lllll';
    if (!layout.startsWith('lll') || gps.structSize < 12) continue;
    const scale = (index: number) => scales[Math.min(index, scales.length - 1)] || 1;
    for (let record = 0; record < gps.repeat; record++) {
      const offset = gps.dataStart + record * gps.structSize;
      if (offset + 12 > gps.dataStart + gps.dataLength) break;
      const latitude = data.readInt32BE(offset) / scale(0);
      const longitude = data.readInt32BE(offset + 4) / scale(1);
      const altitude = data.readInt32BE(offset + 8) / scale(2);
      if ((latitude === 0 && longitude === 0) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) continue;
      const fix: GeoLocation = { latitude, longitude, altitude, where };
      const timeItem = level.find((item) => item.key === 'GPSU');
      const time = timeItem ? gpsTime(textOf(data, timeItem)) : undefined;
      if (time) fix.gpsTime = time;
      result.fix = fix;
      return result;
    }
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
