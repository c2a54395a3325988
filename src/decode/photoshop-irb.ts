/**
 * Photoshop image resource blocks (JPEG APP13 "Photoshop 3.0", PNG "Raw profile type 8bim",
 * TIFF tag 0x8649) filtered for `--only location`.
 * References: Adobe Photoshop File Formats Specification (2013), "Image Resource Blocks" and
 * "Image resource IDs"; IPTC-NAA Information Interchange Model 4.2 (records 1 and 2);
 * ExifTool's Photoshop tag table for the sizes of the fixed resources.
 *
 * Location mode is an allow-list: a resource is kept only when it is known to hold no place and
 * its content can be re-written from fields we parsed. Everything else — XMP (0x0424), EXIF
 * (0x0422/0x0423), thumbnails (0x0409/0x040C), URLs, captions, paths, unknown or vendor
 * resources, resources under another signature than `8BIM` — is removed and listed.
 */
import { TracelessError } from '../errors.js';
import { findCoordinatesInText } from './coordinates.js';
import { sanitiseIccProfile } from './icc.js';
import { encodeImageResource, encodeIptc, iptcDatasets, isDatasetValueWellFormed, isLocationDataset, readImageResources, readIptc, resourceIds, type IptcDataset } from './iptc.js';

const resourceSignature = '8BIM';

/** Resource IDs this module knows by name (for `removed`). */
const resourceNames: ReadonlyMap<number, string> = new Map([
  [0x03ed, 'resolution'],
  [0x0404, 'IPTC'],
  [0x0406, 'JPEG quality'],
  [0x0409, 'thumbnail (Photoshop 4)'],
  [0x040c, 'thumbnail'],
  [0x040d, 'global lighting angle'],
  [0x040f, 'ICC profile'],
  [0x0411, 'ICC untagged flag'],
  [0x0414, 'document ID seed'],
  [0x0419, 'global altitude'],
  [0x041e, 'URL list'],
  [0x0421, 'version info (software)'],
  [0x0422, 'EXIF'],
  [0x0423, 'EXIF'],
  [0x0424, 'XMP'],
  [0x0425, 'IPTC digest'],
  [0x0bb7, 'clipping path name'],
  [0x2710, 'print flags'],
]);

/** Resources that are fixed-size numbers with no text: kept when their length is exactly this. */
const fixedSizeResources: ReadonlyMap<number, number> = new Map([
  [0x03ed, 16], // ResolutionInfo: hRes 16.16, hResUnit, widthUnit, vRes 16.16, vResUnit, heightUnit
  [0x040d, 4], // global lighting angle, degrees
  [0x0411, 1], // ICC untagged: 1 means "do not colour manage", it changes how colours show
  [0x0419, 4], // global altitude (of the lighting, in degrees — not a place)
]);

/** ICC profile resource: re-written by the ICC sanitiser rather than copied. */
const iccProfileResource = 0x040f;

/**
 * IPTC datasets kept in location mode: the envelope's version and character set, and the
 * application record's version and the datasets traceless reports that are not a place.
 * Unknown datasets (and every location dataset) are removed.
 */
function isKnownNonPlaceDataset(dataset: IptcDataset): boolean {
  if (!isDatasetValueWellFormed(dataset.record, dataset.dataset, dataset.value)) return false;
  if (dataset.record === 1) return dataset.dataset === 0 || dataset.dataset === 90;
  if (dataset.record !== 2 || isLocationDataset(dataset.record, dataset.dataset)) return false;
  return dataset.dataset === 0 || iptcDatasets.has(dataset.dataset);
}

export interface FilteredResources {
  /** The re-written resource blocks (empty when nothing is kept). */
  data: Buffer;
  /** What was removed, in a few words each. */
  removed: string[];
}

/**
 * Keeps only resources known to hold no place, each re-emitted from its parsed fields with an
 * empty name and even padding. Throws MALFORMED/TRUNCATED when the blocks cannot be walked (the
 * caller then removes the whole block).
 */
export function filterImageResourcesForLocation(data: Buffer): FilteredResources {
  const removed: string[] = [];
  const kept: Buffer[] = [];
  const seen = new Set<number>();
  let walked = 0;
  for (const resource of readImageResources(data)) {
    walked = resource.offset + resource.length;
    const label = describeResource(resource.id);
    const signature = data.toString('latin1', resource.offset, resource.offset + 4);
    if (signature !== resourceSignature) {
      removed.push(`${label} under signature '${signature}'`);
      continue;
    }
    // Two resources with one ID: readers disagree on which one counts, so neither is trusted.
    if (seen.has(resource.id)) {
      removed.push(`duplicate ${label}`);
      continue;
    }
    seen.add(resource.id);
    const payload = data.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength);
    const rewritten = rewriteResource(resource.id, payload, label, removed);
    if (rewritten) kept.push(rewritten);
  }
  if (data.length > walked && !data.subarray(walked).every((byte) => byte === 0)) removed.push(`${data.length - walked} bytes after the last resource`);
  return { data: Buffer.concat(kept), removed };
}

function rewriteResource(id: number, payload: Buffer, label: string, removed: string[]): Buffer | undefined {
  const fixedSize = fixedSizeResources.get(id);
  if (fixedSize !== undefined) {
    if (payload.length !== fixedSize) {
      removed.push(`${label} (${payload.length} bytes where ${fixedSize} are defined)`);
      return undefined;
    }
    return encodeImageResource(id, payload);
  }
  if (id === resourceIds.iptc) return rewriteIptc(payload, removed);
  if (id === iccProfileResource) {
    try {
      const sanitised = sanitiseIccProfile(payload, 'Photoshop/ICC');
      removed.push(...sanitised.removed.map((what) => `ICC profile: ${what}`));
      return encodeImageResource(id, sanitised.profile);
    } catch (error) {
      if (!(error instanceof TracelessError)) throw error;
      removed.push(`${label} (unreadable: ${error.message})`);
      return undefined;
    }
  }
  // The IPTC digest (0x0425) would be stale once IPTC changes; XMP, EXIF, thumbnails and every
  // resource not named above can hold a place or cannot be checked: removed.
  removed.push(label);
  return undefined;
}

function rewriteIptc(payload: Buffer, removed: string[]): Buffer | undefined {
  let datasets: IptcDataset[];
  try {
    datasets = readIptc(payload);
  } catch (error) {
    if (!(error instanceof TracelessError)) throw error;
    removed.push(`IPTC (unreadable: ${error.message})`);
    return undefined;
  }
  const keep: IptcDataset[] = [];
  for (const dataset of datasets) {
    const name = dataset.record === 2 ? iptcDatasets.get(dataset.dataset)?.name : undefined;
    const label = `IPTC ${dataset.record}:${dataset.dataset}${name ? ` ${name}` : ''}`;
    if (!isKnownNonPlaceDataset(dataset)) removed.push(label);
    // A caption or keyword can spell the place out ("48.8584, 2.2945"): then it is one.
    else if (findCoordinatesInText(dataset.value.toString('utf8')).length) removed.push(`${label} (spells out coordinates)`);
    else keep.push(dataset);
  }
  const applicationData = keep.some((dataset) => dataset.record === 2 && dataset.dataset !== 0);
  if (!applicationData) {
    if (keep.length) removed.push('IPTC (nothing left but its version and character set)');
    return undefined;
  }
  return encodeImageResource(resourceIds.iptc, encodeIptc(payload, keep));
}

function describeResource(id: number): string {
  const name = resourceNames.get(id);
  return `Photoshop resource 0x${id.toString(16).padStart(4, '0')}${name ? ` (${name})` : ''}`;
}
