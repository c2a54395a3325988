/**
 * Samsung's JPEG trailer: records after the image's EOI (motion photo video, depth maps, dual-shot
 * images, the capture time, the mobile network's country) with a directory at the very end.
 *
 * Reference: ExifTool lib/Image/ExifTool/Samsung.pm (`ProcessSamsung`, `%Samsung::Trailer`).
 * Layout (little-endian): the trailer ends with `uint32 length, "SEFT"`; the `length` bytes before
 * them are the directory: `"SEFH"`, uint32 version, uint32 count, then count × 12-byte entries
 * (uint16 0, uint16 type, uint32 distance back from the directory's start to the record, uint32
 * record size). A record is `uint16 0, uint16 type, uint32 name length, name, data`.
 * Records decoded: 0x0a01 `Image_UTC_Data` (capture time, milliseconds since 1970, as text) and
 * 0x0aa1 `MCC_Data` (mobile country code: the country the phone's network was in).
 */
import type { Finding, GeoLocation } from '../types.js';
import { mobileCountryCodes } from './mobile-country-codes.js';

const tailBytes = 8;
const directoryHeaderBytes = 12;
const entryBytes = 12;
const recordHeaderBytes = 8;
const maxEntries = 1024;
const recordTypes = { captureTime: 0x0a01, countryCode: 0x0aa1 };

export interface SamsungRecord {
  type: number;
  name: string;
  /** Offset of the record's data in the trailer bytes, and its length. */
  dataOffset: number;
  dataLength: number;
}

/** The records of a Samsung trailer ending at the end of `bytes`, or [] when there is none. */
export function readSamsungTrailer(bytes: Buffer): SamsungRecord[] {
  if (bytes.length < tailBytes + directoryHeaderBytes || bytes.toString('latin1', bytes.length - 4) !== 'SEFT') return [];
  const directoryLength = bytes.readUInt32LE(bytes.length - tailBytes);
  const directory = bytes.length - tailBytes - directoryLength;
  if (directoryLength < directoryHeaderBytes || directory < 0 || bytes.toString('latin1', directory, directory + 4) !== 'SEFH') return [];
  const count = Math.min(bytes.readUInt32LE(directory + 8), maxEntries);
  const records: SamsungRecord[] = [];
  for (let index = 0; index < count; index++) {
    const entry = directory + directoryHeaderBytes + index * entryBytes;
    if (entry + entryBytes > directory + directoryLength) break;
    const type = bytes.readUInt16LE(entry + 2);
    const back = bytes.readUInt32LE(entry + 4);
    const size = bytes.readUInt32LE(entry + 8);
    const start = directory - back;
    if (back > directory || size < recordHeaderBytes || size > back) continue;
    const nameLength = bytes.readUInt32LE(start + 4);
    if (recordHeaderBytes + nameLength > size) continue;
    const name = bytes.toString('latin1', start + recordHeaderBytes, start + recordHeaderBytes + nameLength).replace(/[^\x20-\x7e]/g, '?');
    records.push({ type, name, dataOffset: start + recordHeaderBytes + nameLength, dataLength: size - recordHeaderBytes - nameLength });
  }
  return records;
}

/** What a Samsung trailer reveals: the capture time, the network's country, and the records it holds. */
export function decodeSamsungTrailer(bytes: Buffer, where: string): { findings: Finding[]; locations: GeoLocation[] } {
  const findings: Finding[] = [];
  const records = readSamsungTrailer(bytes);
  for (const record of records) {
    const text = bytes.toString('latin1', record.dataOffset, record.dataOffset + Math.min(record.dataLength, 64)).replace(/\0+$/, '').trim();
    const recordWhere = `${where}/${record.name || `0x${record.type.toString(16).padStart(4, '0')}`}`;
    if (record.type === recordTypes.captureTime && /^\d{10,14}$/.test(text)) {
      const time = new Date(Number(text));
      if (!Number.isNaN(time.getTime())) {
        const iso = time.toISOString().replace('.000Z', 'Z');
        findings.push({ category: 'time', where: recordWhere, tag: 'TimeStamp', label: 'Time taken (Samsung trailer, UTC)', meaning: 'taken', value: iso, text: iso });
      }
    } else if (record.type === recordTypes.countryCode && /^\d{3}$/.test(text)) {
      const country = mobileCountryCodes.get(Number(text));
      const shown = country ? `${country} (mobile country code ${text})` : `mobile country code ${text}`;
      findings.push({ category: 'location', where: recordWhere, tag: 'MCCData', label: 'Country of the mobile network', meaning: 'place-name', value: text, text: shown });
    }
  }
  if (records.length > 0) {
    const names = [...new Set(records.map((record) => record.name).filter(Boolean))];
    findings.push({ category: 'embedded', where, tag: 'SamsungTrailer', label: 'Samsung trailer records', meaning: 'embedded-data', value: records.length, text: `${records.length} records${names.length ? `: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}` : ''}` });
  }
  return { findings, locations: [] };
}
