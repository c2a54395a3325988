/**
 * Photoshop APP13 ("Photoshop 3.0\0" + image resource blocks) in location mode: an allow-list.
 * Only resources known to hold no place are kept, each re-written from its parsed fields with an
 * empty name: ResolutionInfo (0x03ED, 16 fixed bytes) and IPTC-IIM (0x0404) reduced to the
 * record-2 datasets traceless knows and that name no place (plus the record version and the
 * coded character set). XMP (0x0424), EXIF (0x0422/0x0423), thumbnails (0x0409/0x040C), the
 * IPTC digest (stale once IPTC changes) and every unknown resource are removed.
 * References: Adobe Photoshop File Formats Specification, "Image Resource Blocks" and "Image
 * resource IDs"; IPTC-NAA IIM 4.2 §1.5 (dataset structure) and record 1:90, record 2 dataset list.
 */
import { encodeImageResource, iptcDatasets, isDatasetValueWellFormed, isLocationDataset, readImageResources, readIptc, type IptcDataset } from '../../decode/iptc.js';

const resolutionInfo = 0x03ed;
const resolutionInfoBytes = 16;
const iptcResource = 0x0404;
const envelopeRecord = 1;
const applicationRecord = 2;
const codedCharacterSet = 90;
const recordVersion = 0;
/** A dataset length above this needs the extended form; such long values are not kept. */
const maxStandardLength = 0x7fff;

export interface PhotoshopEdit {
  /** The re-written resources (without the identifier); empty when nothing is kept. */
  data: Buffer;
  /** What was taken out, for people. */
  notes: string[];
}

function keepsDataset(dataset: IptcDataset): boolean {
  if (dataset.length - dataset.value.length !== 5 || dataset.value.length > maxStandardLength) return false;
  if (!isDatasetValueWellFormed(dataset.record, dataset.dataset, dataset.value)) return false;
  if (dataset.record === envelopeRecord) return dataset.dataset === codedCharacterSet;
  if (dataset.record !== applicationRecord) return false;
  if (dataset.dataset === recordVersion) return true;
  return iptcDatasets.has(dataset.dataset) && !isLocationDataset(dataset.record, dataset.dataset);
}

function encodeDataset(dataset: IptcDataset): Buffer {
  const header = Buffer.from([0x1c, dataset.record, dataset.dataset, dataset.value.length >> 8, dataset.value.length & 0xff]);
  return Buffer.concat([header, dataset.value]);
}

/** Throws the IRB reader's MALFORMED/TRUNCATED errors; the caller then drops the segment whole. */
export function keepPlacelessResources(resources: Buffer): PhotoshopEdit {
  const kept: Buffer[] = [];
  const dropped = new Map<string, number>();
  const drop = (what: string) => dropped.set(what, (dropped.get(what) ?? 0) + 1);
  for (const resource of readImageResources(resources)) {
    const data = resources.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength);
    if (resource.id === resolutionInfo && data.length === resolutionInfoBytes) {
      kept.push(encodeImageResource(resource.id, Buffer.from(data)));
    } else if (resource.id === iptcResource) {
      const datasets = readIptc(data);
      const keep = datasets.filter(keepsDataset);
      if (keep.length < datasets.length) drop(`${datasets.length - keep.length} IPTC dataset(s) that may name a place or are unknown`);
      if (keep.some((dataset) => dataset.record === applicationRecord && dataset.dataset !== recordVersion)) kept.push(encodeImageResource(iptcResource, Buffer.concat(keep.map(encodeDataset))));
    } else {
      drop(`resource 0x${resource.id.toString(16).padStart(4, '0')}`);
    }
  }
  const notes = [...dropped.entries()].map(([what, count]) => (count > 1 ? `${what} ×${count}` : what));
  return { data: Buffer.concat(kept), notes };
}
