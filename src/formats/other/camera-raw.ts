/**
 * Camera RAW formats that are not TIFF-based (scan only): Fujifilm RAF, Minolta MRW, Sigma X3F,
 * Canon CRW (CIFF).
 * References: ExifTool FujiFilm.pm (RAF header: JPEG preview offset/length at 0x54/0x58),
 * MinoltaRaw.pm (MRW blocks PRD/TTW/WBG/RIF, TTW = a TIFF structure), SigmaRaw.pm (X3F directory
 * `SECd` at the offset stored in the last 4 bytes; `SECp` property lists in UTF-16),
 * CanonRaw.pm (CIFF header "HEAPCCDR").
 */
import type { FindingMeaning } from '../../types.js';
import { checkCount, TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { ContainerReport } from '../types.js';
import { addExif, addFinding, addJpeg, cleanText, guarded, maxScanBytes, readAtMost } from './common.js';

export function isRaf(head: Buffer): boolean {
  return head.length >= 16 && head.toString('latin1', 0, 16) === 'FUJIFILMCCD-RAW ';
}

export function readRaf(source: ByteSource, report: ContainerReport): void {
  const header = source.read(0, Math.min(source.size, 0x6c));
  if (header.length < 0x5c) throw new TracelessError('TRUNCATED', 'RAF header is cut short');
  const camera = cleanText(header.subarray(0x1c, 0x3c));
  if (camera) addFinding(report, 'device', 'RAF/header', 'Model', 'Camera model', camera);
  const jpegOffset = header.readUInt32BE(0x54);
  const jpegLength = header.readUInt32BE(0x58);
  if (jpegLength > 0) {
    guarded(report, 'RAF/JPEG', () => {
      if (jpegOffset + jpegLength > source.size) throw new TracelessError('TRUNCATED', 'the preview JPEG runs past the end of the file');
      addJpeg(report, readAtMost(source, jpegOffset, Math.min(jpegLength, maxScanBytes)), 'RAF/JPEG');
    });
  }
  report.unreadable.push('Fujifilm RAF raw data and its own tag directory are not read by traceless; RAF files cannot be cleaned');
}

export function isMrw(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 0, 4) === '\0MRM';
}

export function readMrw(source: ByteSource, report: ContainerReport): void {
  const dataOffset = 8 + source.read(4, 4).readUInt32BE(0);
  if (dataOffset > source.size) throw new TracelessError('TRUNCATED', 'MRW header block runs past the end of the file');
  let offset = 8;
  for (let count = 0; offset + 8 <= dataOffset; count++) {
    checkCount(count, 1024, 'MRW block count');
    const head = source.read(offset, 8);
    const tag = head.toString('latin1', 1, 4);
    const length = head.readUInt32BE(4);
    const bodyStart = offset + 8;
    if (bodyStart + length > dataOffset) throw new TracelessError('MALFORMED', `MRW block ${tag} runs past the header`);
    if (tag === 'TTW') addExif(report, readAtMost(source, bodyStart, Math.min(length, maxScanBytes)), 'MRW/TTW');
    if (tag === 'PRD') {
      const firmware = cleanText(source.read(bodyStart, Math.min(8, length)));
      if (firmware) addFinding(report, 'device', 'MRW/PRD', 'FirmwareID', 'Camera firmware', firmware);
    }
    offset = bodyStart + length;
  }
  report.unreadable.push('Minolta MRW raw data is not read by traceless; MRW files cannot be cleaned');
}

export function isX3f(head: Buffer): boolean {
  return head.length >= 4 && head.toString('latin1', 0, 4) === 'FOVb';
}

const x3fMeanings: Readonly<Record<string, FindingMeaning>> = { Make: 'make', Model: 'model', CameraName: 'model', SerialNumber: 'serial', FirmwareVersion: 'software', LensModel: 'lens', DateTimeOriginal: 'taken' };
const x3fProperties: Readonly<Record<string, { tag: string; label: string; category: 'device' | 'time' | 'other' | 'owner' }>> = {
  CAMMANUF: { tag: 'Make', label: 'Camera make', category: 'device' },
  CAMMODEL: { tag: 'Model', label: 'Camera model', category: 'device' },
  CAMNAME: { tag: 'CameraName', label: 'Camera name', category: 'device' },
  CAMSERIAL: { tag: 'SerialNumber', label: 'Camera serial number', category: 'device' },
  FIRMVERS: { tag: 'FirmwareVersion', label: 'Camera firmware', category: 'device' },
  LENSMODEL: { tag: 'LensModel', label: 'Lens', category: 'device' },
  TIME: { tag: 'DateTimeOriginal', label: 'Taken', category: 'time' },
};

export function readX3f(source: ByteSource, report: ContainerReport): void {
  if (source.size < 32) throw new TracelessError('TRUNCATED', 'X3F header is cut short');
  const uniqueId = source.read(8, 16).toString('hex');
  addFinding(report, 'device', 'X3F/header', 'ImageUniqueID', 'Unique image ID', uniqueId, 'identifier');
  const directoryOffset = source.read(source.size - 4, 4).readUInt32LE(0);
  if (directoryOffset + 12 > source.size || source.read(directoryOffset, 4).toString('latin1') !== 'SECd') {
    throw new TracelessError('MALFORMED', 'X3F directory (SECd) not found where the file says');
  }
  const count = source.read(directoryOffset + 8, 4).readUInt32LE(0);
  checkCount(count, 1024, 'X3F directory entries');
  for (let index = 0; index < count; index++) {
    const entry = source.read(directoryOffset + 12 + index * 12, 12);
    const [offset, length] = [entry.readUInt32LE(0), entry.readUInt32LE(4)];
    const type = entry.toString('latin1', 8, 12);
    if (offset + length > source.size) throw new TracelessError('TRUNCATED', `X3F section ${type} runs past the end of the file`);
    if (type === 'PROP') guarded(report, 'X3F/PROP', () => readX3fProperties(readAtMost(source, offset, Math.min(length, maxScanBytes)), report));
    if (type === 'IMA2' || type === 'IMAG') {
      guarded(report, `X3F/${type}`, () => {
        const head = source.read(offset, Math.min(length, 28));
        // SECi header: version, type, format (18 = JPEG), columns, rows, row size; then the data.
        if (head.length >= 28 && head.toString('latin1', 0, 4) === 'SECi' && head.readUInt32LE(12) === 18) {
          addJpeg(report, readAtMost(source, offset + 28, Math.min(length - 28, maxScanBytes)), `X3F/${type}`);
        }
      });
    }
  }
  report.unreadable.push('Sigma X3F raw data and calibration (CAMF) are not read by traceless; X3F files cannot be cleaned');
}

function readX3fProperties(section: Buffer, report: ContainerReport): void {
  if (section.toString('latin1', 0, 4) !== 'SECp') throw new TracelessError('MALFORMED', 'X3F property section has no SECp header');
  const count = section.readUInt32LE(8);
  checkCount(count, 4096, 'X3F properties');
  const format = section.readUInt32LE(12);
  if (format !== 0) throw new TracelessError('MALFORMED', `X3F property text format ${format} is not UTF-16`);
  const charsStart = 24 + count * 8;
  const textAt = (charOffset: number): string => {
    const start = charsStart + charOffset * 2;
    if (start >= section.length) return '';
    let end = start;
    while (end + 1 < section.length && (section[end] !== 0 || section[end + 1] !== 0)) end += 2;
    return section.toString('utf16le', start, end);
  };
  for (let index = 0; index < count; index++) {
    const name = textAt(section.readUInt32LE(24 + index * 8));
    const value = textAt(section.readUInt32LE(28 + index * 8)).trim();
    const info = x3fProperties[name];
    if (!info || !value) continue;
    const text = info.tag === 'DateTimeOriginal' && /^\d+$/.test(value) ? new Date(Number(value) * 1000).toISOString() : value;
    addFinding(report, info.category, 'X3F/PROP', info.tag, info.label, text, x3fMeanings[info.tag]);
  }
}

export function isCrw(head: Buffer): boolean {
  return head.length >= 14 && (head.toString('latin1', 0, 2) === 'II' || head.toString('latin1', 0, 2) === 'MM') && head.toString('latin1', 6, 14) === 'HEAPCCDR';
}

export function readCrw(source: ByteSource, report: ContainerReport): void {
  // The CIFF heap stores make and model as one NUL-separated string (record 0x080a).
  const window = readAtMost(source, 0, maxScanBytes);
  const marker = window.indexOf('Canon\0', 0, 'latin1');
  if (marker !== -1) {
    const model = cleanText(window.subarray(marker + 6, marker + 70));
    addFinding(report, 'device', 'CRW', 'Make', 'Camera make', 'Canon');
    if (model) addFinding(report, 'device', 'CRW', 'Model', 'Camera model', model);
  }
  report.unreadable.push('Canon CRW (CIFF) records are not decoded by traceless; CRW files cannot be cleaned');
}
