/**
 * FLIR thermal cameras' JPEG APP1 `FLIR\0` segments: chunks of one FFF file (record directory and
 * records), of which the GPS record (type 0x2b) holds where the picture was taken.
 *
 * References: ExifTool lib/Image/ExifTool/FLIR.pm (`ProcessFLIR`: FFF header and record directory;
 * `%FLIR::GPSInfo`) and ExifTool.pm (APP1 `FLIR\0` chunks: byte 6 = chunk number, byte 7 = last
 * chunk number, payload from byte 8, concatenated in chunk order).
 *   FFF header (0x40 bytes): `FFF\0` or `AFF\0`; 0x14 uint32 version 100–199 (its byte order is
 *   the file's: big-endian in JPEG APP1 so far); 0x18 directory offset; 0x1c entry count.
 *   Directory entries (0x20 bytes): 0x00 uint16 record type; 0x0c uint32 offset; 0x10 uint32 length.
 *   GPS record (always little-endian): 0x00 uint32 valid (1); 0x08/0x0a `N`/`S`, `E`/`W`;
 *   0x10/0x18 double signed latitude/longitude; 0x20 float altitude (m).
 */
import type { Finding, GeoLocation } from '../types.js';
import { formatLocation } from './exif.js';
import { isPlausibleFix } from './geo-track.js';

/** APP1 identifier and chunk header length. */
export const flirSignature = Buffer.from('FLIR\0', 'latin1');
const chunkHeaderBytes = 8;
const chunkNumberAt = 6;
const fffHeaderBytes = 0x40;
const directoryEntryBytes = 0x20;
const gpsRecordType = 0x2b;
const maxRecords = 4096;
const gps = { valid: 0x00, latitudeRef: 0x08, longitudeRef: 0x0a, latitude: 0x10, longitude: 0x18, altitude: 0x20, minBytes: 0x24 };

/** Whether an APP1 payload is a FLIR chunk. */
export function isFlirChunk(payload: Buffer): boolean {
  return payload.length >= chunkHeaderBytes && payload.subarray(0, flirSignature.length).equals(flirSignature);
}

/** The FFF data of FLIR APP1 payloads, chunks in their numbered order. */
export function assembleFlir(payloads: readonly Buffer[]): Buffer {
  const chunks = payloads.filter(isFlirChunk).map((payload, index) => ({ number: payload[chunkNumberAt]!, index, data: payload.subarray(chunkHeaderBytes) }));
  chunks.sort((a, b) => a.number - b.number || a.index - b.index);
  return Buffer.concat(chunks.map((chunk) => chunk.data));
}

interface FffRecord {
  type: number;
  offset: number;
  length: number;
}

/** The record directory of an FFF file, or [] when it is not one. */
export function readFffRecords(data: Buffer): FffRecord[] {
  if (data.length < fffHeaderBytes || !/^[AF]FF\0$/.test(data.toString('latin1', 0, 4))) return [];
  const bigEndian = data.readUInt32BE(0x14) >= 100 && data.readUInt32BE(0x14) < 200;
  if (!bigEndian && !(data.readUInt32LE(0x14) >= 100 && data.readUInt32LE(0x14) < 200)) return [];
  const u16 = (offset: number) => (bigEndian ? data.readUInt16BE(offset) : data.readUInt16LE(offset));
  const u32 = (offset: number) => (bigEndian ? data.readUInt32BE(offset) : data.readUInt32LE(offset));
  const directory = u32(0x18);
  const count = Math.min(u32(0x1c), maxRecords);
  const records: FffRecord[] = [];
  for (let index = 0; index < count; index++) {
    const entry = directory + index * directoryEntryBytes;
    if (entry + directoryEntryBytes > data.length) break;
    const type = u16(entry);
    if (type === 0) continue;
    const offset = u32(entry + 0x0c);
    const length = u32(entry + 0x10);
    if (offset + length <= data.length) records.push({ type, offset, length });
  }
  return records;
}

/** The GPS position of a FLIR GPS record, when it says it is valid. */
function gpsOf(record: Buffer, where: string): GeoLocation | undefined {
  if (record.length < gps.minBytes || record.readUInt32LE(gps.valid) !== 1) return undefined;
  let latitude = record.readDoubleLE(gps.latitude);
  let longitude = record.readDoubleLE(gps.longitude);
  // The doubles are signed; a reference letter that disagrees is trusted over a missing sign.
  if (record.toString('latin1', gps.latitudeRef, gps.latitudeRef + 1) === 'S' && latitude > 0) latitude = -latitude;
  if (record.toString('latin1', gps.longitudeRef, gps.longitudeRef + 1) === 'W' && longitude > 0) longitude = -longitude;
  if (!isPlausibleFix(latitude, longitude)) return undefined;
  const location: GeoLocation = { latitude, longitude, where };
  const altitude = record.readFloatLE(gps.altitude);
  if (Number.isFinite(altitude) && altitude !== -1) location.altitude = altitude;
  return location;
}

/** Findings and locations of FLIR APP1 chunks: the GPS record, and the record types found. */
export function decodeFlir(payloads: readonly Buffer[], where: string): { findings: Finding[]; locations: GeoLocation[] } {
  const data = assembleFlir(payloads);
  const findings: Finding[] = [];
  const locations: GeoLocation[] = [];
  const records = readFffRecords(data);
  for (const record of records) {
    if (record.type !== gpsRecordType) continue;
    const location = gpsOf(data.subarray(record.offset, record.offset + record.length), `${where}/GPSInfo`);
    if (!location) continue;
    locations.push(location);
    findings.push({ category: 'location', where: location.where, tag: 'GPSPosition', label: 'GPS position (FLIR camera record)', meaning: 'gps-position', value: location, text: formatLocation(location) });
  }
  if (records.length > 0) {
    findings.push({ category: 'embedded', where, tag: 'FLIR', label: 'FLIR thermal camera data', meaning: 'embedded-data', value: data.length, text: `${records.length} FLIR records (thermal data, camera and GPS information)` });
  }
  return { findings, locations };
}
