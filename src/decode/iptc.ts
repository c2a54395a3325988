/**
 * Photoshop image resource blocks (IRB, as in JPEG APP13 "Photoshop 3.0") and the IPTC-IIM
 * records inside them.
 * References: Adobe Photoshop File Formats Specification, "Image Resource Blocks";
 * IPTC-NAA Information Interchange Model 4.2, chapter 5 and record 2 dataset list.
 */
import { TracelessError, checkCount } from '../errors.js';
import { limits } from '../limits.js';
import { findCoordinatesInText } from './coordinates.js';
import type { Category, Finding, FindingMeaning } from '../types.js';

export interface ImageResource {
  id: number;
  /** Offset of the whole resource (signature first) in the IRB data, and its length with padding. */
  offset: number;
  length: number;
  dataOffset: number;
  dataLength: number;
}

const irbSignatures = new Set(['8BIM', 'PHUT', 'AgHg', 'DCSR', 'MeSa']);

export const resourceIds = { iptc: 0x0404, iptcDigest: 0x0425, thumbnail: 0x040c, thumbnailOld: 0x0409, xmp: 0x0424, exif1: 0x0422, exif3: 0x0423 } as const;

/** Walks image resource blocks; throws MALFORMED/TRUNCATED when a block runs past the data. */
export function readImageResources(data: Buffer): ImageResource[] {
  const resources: ImageResource[] = [];
  let offset = 0;
  while (offset + 12 <= data.length) {
    const signature = data.toString('latin1', offset, offset + 4);
    if (!irbSignatures.has(signature)) {
      if (data.subarray(offset).every((byte) => byte === 0)) break; // zero padding at the end
      throw new TracelessError('MALFORMED', `Photoshop resource block has an unknown signature at ${offset}`);
    }
    checkCount(resources.length + 1, limits.maxSegmentCount, 'Photoshop resource count');
    const id = data.readUInt16BE(offset + 4);
    const nameLength = data[offset + 6]!;
    const namePadded = (1 + nameLength + 1) & ~1;
    const sizeOffset = offset + 6 + namePadded;
    if (sizeOffset + 4 > data.length) throw new TracelessError('TRUNCATED', 'Photoshop resource header is cut short');
    const dataLength = data.readUInt32BE(sizeOffset);
    const dataOffset = sizeOffset + 4;
    if (dataOffset + dataLength > data.length) throw new TracelessError('TRUNCATED', `Photoshop resource 0x${id.toString(16)} runs past the end of its block`);
    const end = Math.min(data.length, dataOffset + dataLength + (dataLength & 1));
    resources.push({ id, offset, length: end - offset, dataOffset, dataLength });
    offset = end;
  }
  return resources;
}

export interface IptcDataset {
  record: number;
  dataset: number;
  offset: number;
  length: number;
  value: Buffer;
}

export function readIptc(data: Buffer): IptcDataset[] {
  const datasets: IptcDataset[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data[offset] !== 0x1c) {
      if (data.subarray(offset).every((byte) => byte === 0)) break;
      throw new TracelessError('MALFORMED', `IPTC dataset marker missing at ${offset}`);
    }
    checkCount(datasets.length + 1, limits.maxSegmentCount, 'IPTC dataset count');
    if (offset + 5 > data.length) throw new TracelessError('TRUNCATED', 'IPTC dataset header is cut short');
    const record = data[offset + 1]!;
    const dataset = data[offset + 2]!;
    let length = data.readUInt16BE(offset + 3);
    let headerLength = 5;
    if (length & 0x8000) {
      const lengthBytes = length & 0x7fff;
      if (lengthBytes === 0 || lengthBytes > 4 || offset + 5 + lengthBytes > data.length) throw new TracelessError('MALFORMED', 'IPTC extended length is invalid');
      length = data.readUIntBE(offset + 5, lengthBytes);
      headerLength += lengthBytes;
    }
    const valueOffset = offset + headerLength;
    if (valueOffset + length > data.length) throw new TracelessError('TRUNCATED', `IPTC dataset ${record}:${dataset} runs past the end of its block`);
    datasets.push({ record, dataset, offset, length: headerLength + length, value: data.subarray(valueOffset, valueOffset + length) });
    offset = valueOffset + length;
  }
  return datasets;
}

interface DatasetInfo {
  name: string;
  label: string;
  category: Category;
  meaning: FindingMeaning;
}

/** Record 2 datasets worth reporting. */
export const iptcDatasets: ReadonlyMap<number, DatasetInfo> = new Map([
  [5, { name: 'ObjectName', label: 'Title', category: 'other', meaning: 'description' }],
  [25, { name: 'Keywords', label: 'Keywords', category: 'other', meaning: 'description' }],
  [26, { name: 'ContentLocationCode', label: 'Location code', category: 'location', meaning: 'gps-detail' }],
  [27, { name: 'ContentLocationName', label: 'Location', category: 'location', meaning: 'place-name' }],
  [55, { name: 'DateCreated', label: 'Created', category: 'time', meaning: 'taken' }],
  [60, { name: 'TimeCreated', label: 'Time created', category: 'time', meaning: 'taken' }],
  [62, { name: 'DigitalCreationDate', label: 'Digitised', category: 'time', meaning: 'timestamp' }],
  [63, { name: 'DigitalCreationTime', label: 'Time digitised', category: 'time', meaning: 'timestamp' }],
  [65, { name: 'OriginatingProgram', label: 'Software', category: 'device', meaning: 'software' }],
  [80, { name: 'By-line', label: 'Photographer', category: 'owner', meaning: 'owner' }],
  [85, { name: 'By-lineTitle', label: 'Photographer title', category: 'owner', meaning: 'owner' }],
  [90, { name: 'City', label: 'City', category: 'location', meaning: 'place-name' }],
  [92, { name: 'Sub-location', label: 'Sub-location', category: 'location', meaning: 'place-name' }],
  [95, { name: 'Province-State', label: 'State/province', category: 'location', meaning: 'place-name' }],
  [100, { name: 'Country-PrimaryLocationCode', label: 'Country code', category: 'location', meaning: 'place-name' }],
  [101, { name: 'Country-PrimaryLocationName', label: 'Country', category: 'location', meaning: 'place-name' }],
  [105, { name: 'Headline', label: 'Headline', category: 'other', meaning: 'description' }],
  [110, { name: 'Credit', label: 'Credit', category: 'owner', meaning: 'owner' }],
  [115, { name: 'Source', label: 'Source', category: 'owner', meaning: 'owner' }],
  [116, { name: 'CopyrightNotice', label: 'Copyright', category: 'owner', meaning: 'owner' }],
  [118, { name: 'Contact', label: 'Contact', category: 'owner', meaning: 'contact' }],
  [120, { name: 'Caption-Abstract', label: 'Caption', category: 'other', meaning: 'description' }],
  [122, { name: 'Writer-Editor', label: 'Caption writer', category: 'owner', meaning: 'owner' }],
]);

/**
 * Whether a dataset's value has the form IIM 4.2 defines for it (record version: 2 bytes; coded
 * character set: ISO 2022 escape sequences; dates CCYYMMDD; times HHMMSS±HHMM) and, for text,
 * spells no coordinates — so that location mode keeps nothing but the defined fields.
 * Reference: IPTC-NAA IIM 4.2, §1.5 (record 1:90) and chapter 6 (record 2 dataset formats).
 */
export function isDatasetValueWellFormed(record: number, dataset: number, value: Buffer): boolean {
  if (record === 1 && dataset === 90) return value.length <= 12 && /^(?:\x1b[\x20-\x7e]{1,4})+$/.test(value.toString('latin1'));
  if (record === 1 && dataset === 0) return value.length === 2;
  if (record !== 2) return false;
  if (dataset === 0) return value.length === 2;
  const text = value.toString('utf8');
  if (dataset === 55 || dataset === 62) return /^\d{8}$/.test(text);
  if (dataset === 60 || dataset === 63) return /^\d{6}(?:[+-]\d{4})?$/.test(text);
  return findCoordinatesInText(text).length === 0;
}

/** IPTC datasets that name a place (removed by `--only location`). */
export function isLocationDataset(record: number, dataset: number): boolean {
  return record === 2 && iptcDatasets.get(dataset)?.category === 'location';
}

export function decodeIptc(data: Buffer, where: string): Finding[] {
  const findings: Finding[] = [];
  for (const dataset of readIptc(data)) {
    if (dataset.record !== 2) continue;
    const info = iptcDatasets.get(dataset.dataset);
    if (!info) continue;
    const text = dataset.value.toString('utf8').replace(/\0+$/, '').trim();
    if (!text) continue;
    findings.push({ category: info.category, where, tag: info.name, label: info.label, meaning: info.meaning, value: text, text });
  }
  return findings;
}

/** Encodes IPTC datasets back into IIM bytes. */
export function encodeIptc(data: Buffer, datasets: IptcDataset[]): Buffer {
  return Buffer.concat(datasets.map((dataset) => data.subarray(dataset.offset, dataset.offset + dataset.length)));
}

/** Builds one 8BIM resource with an empty name. */
export function encodeImageResource(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.write('8BIM', 0, 'latin1');
  header.writeUInt16BE(id, 4);
  header.writeUInt16BE(0, 6); // empty Pascal name, padded to even
  header.writeUInt32BE(payload.length, 8);
  return Buffer.concat([header, payload, Buffer.alloc(payload.length & 1)]);
}
