/**
 * Findings for whole metadata payloads as containers hold them (an EXIF block, an XMP packet,
 * an ICC profile), for the walkers that only find where a payload sits (PNG, WebP, GIF).
 * A payload that decodes to nothing personal still gets one finding, so that a report never
 * hides a block that a clean removes.
 */
import { inspectIccProfile } from './icc.js';
import type { ContainerReport } from '../formats/types.js';
import { emptyReport } from '../formats/types.js';
import type { Finding } from '../types.js';
import { decodeExif, formatBytes } from './exif.js';
import { parseTiff, type TiffStructure } from './tiff.js';
import { isOrientationOnlyTiff } from './tiff-edit.js';
import { decodeXmp } from './xmp.js';

const exifHeader = Buffer.from('Exif\0\0', 'latin1');

export interface ExifPayloadReport {
  report: ContainerReport;
  /** False when the TIFF structure could not be parsed at all. */
  readable: boolean;
  /** Where the TIFF header starts: 6 when the payload begins with `Exif\0\0` (some writers add it). */
  tiffOffset: number;
  orientation?: number;
  /** True when the payload is exactly the minimal orientation block traceless writes. */
  orientationOnly: boolean;
  structure?: TiffStructure;
}

/** Decodes an EXIF payload (a TIFF structure, optionally preceded by `Exif\0\0`). */
export function reportExifPayload(payload: Buffer, where: string): ExifPayloadReport {
  const tiffOffset = payload.subarray(0, exifHeader.length).equals(exifHeader) ? exifHeader.length : 0;
  const result: ExifPayloadReport = { report: emptyReport(), readable: false, tiffOffset, orientationOnly: false };
  let structure: TiffStructure;
  try {
    structure = parseTiff(payload.subarray(tiffOffset));
  } catch (error) {
    result.report.unreadable.push(`${where}: EXIF data cannot be read (${(error as Error).message})`);
    result.report.findings.push(genericFinding(where, 'EXIF', 'EXIF data (unreadable)', payload.length));
    return result;
  }
  const decoded = decodeExif(structure, { where });
  result.report = { blocks: decoded.blocks, findings: decoded.findings, locations: decoded.locations, warnings: decoded.warnings, unreadable: decoded.unreadable };
  if (decoded.findings.length === 0) result.report.findings.push(genericFinding(where, 'EXIF', 'EXIF data', payload.length));
  result.readable = true;
  result.structure = structure;
  if (decoded.orientation !== undefined) result.orientation = decoded.orientation;
  result.orientationOnly = tiffOffset === 0 && isOrientationOnlyTiff(structure);
  return result;
}

/** Decodes an XMP packet. */
export function reportXmpPacket(packet: string, where: string, bytes: number): ContainerReport {
  const report = emptyReport();
  const decoded = decodeXmp(packet, where);
  report.findings.push(...decoded.findings);
  report.locations.push(...decoded.locations);
  if (report.findings.length === 0) report.findings.push(genericFinding(where, 'XMP', 'XMP metadata', bytes));
  return report;
}

/** The finding for an ICC colour profile that is kept on purpose. */
export function iccFinding(where: string, bytes: number, name?: string): Finding {
  const described = name ? `"${name}", ${formatBytes(bytes)}` : formatBytes(bytes);
  return { category: 'other', where, tag: 'ICCProfile', label: 'Colour profile (ICC), kept', meaning: 'colour-profile', value: bytes, text: described, retained: true };
}

/**
 * Findings for an ICC profile: the kept profile itself (retained), plus what it carries — its
 * description, copyright, device fields and date — which clean re-writes unless the profile is a
 * well-known standard one (then those are retained too).
 */
export function iccProfileFindings(profile: Buffer, where: string): Finding[] {
  try {
    const { standard, findings } = inspectIccProfile(profile, where);
    return [iccFinding(where, profile.length, standard ?? undefined), ...findings];
  } catch {
    return [{ category: 'other', where, tag: 'ICCProfile', label: 'Colour profile (ICC), unreadable: removed by clean', meaning: 'colour-profile', value: profile.length, text: formatBytes(profile.length) }];
  }
}

export function genericFinding(where: string, tag: string, label: string, bytes: number): Finding {
  return { category: 'other', where, tag, label, meaning: 'embedded-data', value: bytes, text: formatBytes(bytes) };
}
