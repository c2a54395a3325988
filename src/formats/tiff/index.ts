/**
 * TIFF, BigTIFF and DNG (cleanable), and TIFF-based camera RAW files (scan only).
 * References: TIFF 6.0 (Adobe, 1992); BigTIFF (Aware Systems); Adobe DNG Specification 1.7.1;
 * ExifTool's TIFF-based RAW notes (CR2 "CR" marker, ORF "IIRO"/"IIRS"/"MMOR", RW2 "IIU\0",
 * Phase One IIQ "IIII" at byte 8). See structure.ts, inspect.ts, plan.ts.
 *
 * Camera RAW files whose header says so are taken by `rawTiff` before `tiff` sees them. Others
 * (NEF, ARW, PEF, SRW, …) start like any TIFF: `tiff` recognises them by their sensor data
 * (CFA photometric, vendor compression) and its plan refuses them with a plain message.
 */
import { reportFor, type FormatHandler } from '../types.js';
import { inspectTiffData } from './inspect.js';
import { planTiff } from './plan.js';
import { loadTiffBytes } from './structure.js';

/** Classic (`II*\0`, `MM\0*`) or BigTIFF (`II+\0`, `MM\0+`) header. */
export function isTiffHead(head: Buffer): boolean {
  if (head.length < 8) return false;
  const order = head.toString('latin1', 0, 2);
  if (order === 'II') return head[3] === 0 && (head[2] === 42 || head[2] === 43);
  if (order === 'MM') return head[2] === 0 && (head[3] === 42 || head[3] === 43);
  return false;
}

/** The RAW kind when the first bytes name a TIFF-based camera RAW, else undefined. */
export function rawTiffKind(head: Buffer): string | undefined {
  if (head.length < 16) return undefined;
  const first4 = head.toString('latin1', 0, 4);
  if (first4 === 'IIRO' || first4 === 'IIRS' || first4 === 'MMOR') return 'ORF';
  if (first4 === 'IIU\0') return 'RW2';
  if (first4 === 'II*\0' && head.toString('latin1', 8, 10) === 'CR') return 'CR2';
  if (first4 === 'II*\0' && head.toString('latin1', 8, 12) === 'IIII') return 'IIQ';
  if (first4 === 'MM\0*' && head.toString('latin1', 8, 12) === 'MMMM') return 'IIQ';
  return undefined;
}

export const tiff: FormatHandler = {
  id: 'tiff',
  name: 'TIFF/DNG',
  extensions: ['tif', 'tiff', 'dng', 'btf', 'tf8'],
  cleanable: true,
  sniff: (head) => isTiffHead(head) && rawTiffKind(head) === undefined,
  inspect: (source, options) => inspectTiffData(loadTiffBytes(source), options?.bestEffort ? { into: reportFor(options) } : {}),
  plan: planTiff,
};

/**
 * ORF and RW2 use their own magic number in place of 42 but are TIFF otherwise: the inspector
 * reads a copy whose magic is put back to 42.
 */
function asPlainTiff(data: Buffer): Buffer {
  const kind = rawTiffKind(data.subarray(0, 16));
  if (kind !== 'ORF' && kind !== 'RW2') return data;
  const copy = Buffer.from(data);
  if (copy[0] === 0x49) copy.writeUInt16LE(42, 2);
  else copy.writeUInt16BE(42, 2);
  return copy;
}

export const rawTiff: FormatHandler = {
  id: 'raw-tiff',
  name: 'camera RAW (CR2/ORF/RW2/IIQ)',
  extensions: ['cr2', 'orf', 'rw2', 'rwl', 'iiq'],
  cleanable: false,
  sniff: (head) => rawTiffKind(head) !== undefined,
  inspect: (source, options) => {
    const data = loadTiffBytes(source);
    const report = inspectTiffData(asPlainTiff(data), options?.bestEffort ? { raw: true, into: reportFor(options) } : { raw: true });
    const kind = rawTiffKind(data.subarray(0, 16)) ?? 'camera RAW';
    if (!report.warnings.some((warning) => warning.code === 'TIFF_CAMERA_RAW')) {
      report.warnings.push({ code: 'TIFF_CAMERA_RAW', message: `camera RAW file (${kind}): traceless can scan it but not clean it`, severity: 'info' });
    }
    return report;
  },
};

