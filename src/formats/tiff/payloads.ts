/**
 * Decodes the metadata payloads a TIFF IFD can hold as tag values: XMP (tag 700), IPTC-IIM
 * (33723), Photoshop image resources (34377), GeoTIFF georeferencing, and the DNG/TIFF text tags
 * that the shared EXIF tag table does not list.
 * References: Adobe XMP Specification Part 3 §1.1.4 (XMP in TIFF); IPTC-IIM 4.2; Adobe Photoshop
 * File Formats Specification (image resources); GeoTIFF 1.1 (OGC 19-008r4) §7.1 (GeoKeyDirectory).
 */
import { iccProfileFindings } from '../../decode/payload-report.js';
import { asTracelessError } from '../../errors.js';
import { decodeExif, formatBytes } from '../../decode/exif.js';
import { imageTags } from '../../decode/exif-tags.js';
import { decodeIptc, readImageResources, resourceIds } from '../../decode/iptc.js';
import { findEntry, parseTiff, readBytes, readNumbers, readText, type Ifd, type IfdEntry, type TiffStructure } from '../../decode/tiff.js';
import { decodeXmp, xmpText } from '../../decode/xmp.js';
import type { BlockKind, Finding, GeoLocation } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { extraTags, geoTiffTags, keptImageTags, metadataTags } from './tags.js';
import { hex4 } from './structure.js';

/** The block kind a tag's value is reported and removed as. */
export function blockKindOf(tag: number): BlockKind {
  switch (tag) {
    case metadataTags.xmp:
      return 'xmp';
    case metadataTags.iptc:
      return 'iptc';
    case metadataTags.photoshop:
      return 'photoshop';
    case metadataTags.icc:
      return 'icc';
    case metadataTags.makerNote:
    case metadataTags.dngPrivateData:
    case 0xc4a5: // PrintIM
      return 'vendor';
    default:
      return 'other';
  }
}

/** Decodes one payload-carrying entry of an image IFD. `where` is e.g. `TIFF/IFD0`. */
export function describePayload(structure: TiffStructure, entry: IfdEntry, where: string): ContainerReport {
  const report = emptyReport();
  const bytes = readBytes(structure, entry);
  try {
    switch (entry.tag) {
      case metadataTags.xmp: {
        const decoded = decodeXmp(xmpText(bytes), `${where}/XMP`);
        report.findings.push(...decoded.findings);
        report.locations.push(...decoded.locations);
        break;
      }
      case metadataTags.iptc:
        report.findings.push(...decodeIptc(bytes, `${where}/IPTC`));
        break;
      case metadataTags.photoshop:
        mergeReport(report, describeImageResources(bytes, `${where}/Photoshop`));
        break;
      case metadataTags.icc:
        report.findings.push(...iccProfileFindings(bytes, `${where}/ICC_Profile`));
        break;
      default:
        break;
    }
  } catch (error) {
    report.unreadable.push(`${where} tag 0x${hex4(entry.tag)}: ${asTracelessError(error).message}`);
  }
  return report;
}

/** Photoshop image resources: IPTC, XMP, EXIF copies and thumbnails. */
export function describeImageResources(data: Buffer, where: string): ContainerReport {
  const report = emptyReport();
  for (const resource of readImageResources(data)) {
    const body = data.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength);
    switch (resource.id) {
      case resourceIds.iptc:
        report.findings.push(...decodeIptc(body, `${where}/IPTC`));
        break;
      case resourceIds.xmp: {
        const decoded = decodeXmp(xmpText(body), `${where}/XMP`);
        report.findings.push(...decoded.findings);
        report.locations.push(...decoded.locations);
        break;
      }
      case resourceIds.exif1:
      case resourceIds.exif3:
        mergeReport(report, decodeExif(parseTiff(body), { where: `${where}/EXIF` }));
        break;
      case resourceIds.thumbnail:
      case resourceIds.thumbnailOld:
        report.findings.push({ category: 'thumbnail', where, tag: 'PhotoshopThumbnail', label: 'Embedded thumbnail', value: body.length, text: `Photoshop preview of ${formatBytes(body.length)}` });
        break;
      default:
        break;
    }
  }
  return report;
}

/** One finding for a text tag that only the TIFF/DNG inspector knows about. */
export function describeExtraTag(structure: TiffStructure, entry: IfdEntry, where: string): Finding | undefined {
  const info = extraTags.get(entry.tag);
  if (!info || !entry.readable) return undefined;
  const numbers = () => readNumbers(structure, entry, 8).map((number) => (Number.isFinite(number) ? String(Math.round(number * 1e4) / 1e4) : '?')).join(' ');
  const value = entry.type === 2 ? readText(structure, entry) : entry.type === 1 || entry.type === 7 ? formatBytes(entry.valueLength) : numbers();
  if (value === '') return undefined;
  return { category: info.category, where, tag: info.name, label: info.label, meaning: info.meaning, value, text: value };
}

/** Exif, GPS and Interoperability IFD pointers: their IFDs get findings of their own. */
const ifdPointers: ReadonlySet<number> = new Set([0x8769, 0x8825, 0xa005]);

/** Tags of an image IFD that a clean removes but that no finding names. */
export function unnamedRemovedTags(ifd: Ifd): number[] {
  return ifd.entries
    .map((entry) => entry.tag)
    .filter((tag) => !keptImageTags.has(tag) && !imageTags.has(tag) && !extraTags.has(tag) && !geoTiffTags.has(tag) && !ifdPointers.has(tag));
}

const geoKeys = { modelType: 1024, citation: 1026, geographicType: 2048, geogCitation: 2049, projectedType: 3072, pcsCitation: 3073 } as const;

/**
 * GeoTIFF georeferencing: one location finding for the IFD, with a decoded position when the
 * model is geographic (longitude/latitude in degrees). Projected positions are reported as text:
 * converting them needs a projection library.
 */
export function describeGeoTiff(structure: TiffStructure, ifd: Ifd, where: string): { findings: Finding[]; locations: GeoLocation[] } {
  const present = ifd.entries.filter((entry) => geoTiffTags.has(entry.tag));
  if (present.length === 0) return { findings: [], locations: [] };
  const keys = readGeoKeys(structure, ifd);
  const ascii = findEntry(ifd, 0x87b1);
  const asciiText = ascii ? readBytes(structure, ascii).toString('latin1') : '';
  const citation = (key: number) => {
    const entry = keys.get(key);
    if (!entry || entry.location !== 0x87b1) return undefined;
    return asciiText.slice(entry.value, entry.value + entry.count).replace(/[|\0]+$/, '').trim() || undefined;
  };
  const tiePoint = findEntry(ifd, 0x8482);
  const transform = findEntry(ifd, 0x85d8);
  const tie = tiePoint ? readNumbers(structure, tiePoint, 6) : [];
  const matrix = transform ? readNumbers(structure, transform, 16) : [];
  // Model coordinates of raster point (0, 0).
  const origin = tie.length >= 6 ? [tie[3]!, tie[4]!] : matrix.length >= 8 ? [matrix[3]!, matrix[7]!] : undefined;
  const parts: string[] = [];
  const system = citation(geoKeys.pcsCitation) ?? citation(geoKeys.citation) ?? citation(geoKeys.geogCitation);
  if (system) parts.push(system);
  if (origin) parts.push(`image corner at ${origin.map((value) => Math.round(value * 1e6) / 1e6).join(', ')}`);
  const findings: Finding[] = [];
  const locations: GeoLocation[] = [];
  const modelType = keys.get(geoKeys.modelType)?.location === 0 ? keys.get(geoKeys.modelType)!.value : undefined;
  if (modelType === 2 && origin && Math.abs(origin[1]!) <= 90 && Math.abs(origin[0]!) <= 180) {
    const location: GeoLocation = { latitude: origin[1]!, longitude: origin[0]!, where: `${where}/GeoTIFF` };
    locations.push(location);
  }
  const text = parts.length ? parts.join('; ') : `${present.length} GeoTIFF tag(s)`;
  findings.push({ category: 'location', where: `${where}/GeoTIFF`, tag: 'GeoTIFF', label: 'Map position (GeoTIFF)', meaning: 'gps-detail', value: text, text });
  return { findings, locations };
}

interface GeoKey {
  location: number;
  count: number;
  value: number;
}

function readGeoKeys(structure: TiffStructure, ifd: Ifd): Map<number, GeoKey> {
  const keys = new Map<number, GeoKey>();
  const directory = findEntry(ifd, 0x87af);
  if (!directory) return keys;
  const values = readNumbers(structure, directory, 4 + 4 * 512);
  const count = Math.min(values[3] ?? 0, Math.floor((values.length - 4) / 4));
  for (let index = 0; index < count; index++) {
    const at = 4 + index * 4;
    keys.set(values[at]!, { location: values[at + 1]!, count: values[at + 2]!, value: values[at + 3]! });
  }
  return keys;
}
