/**
 * AVI (scan only): RIFF `AVI ` (and `AVIX` continuation) chunks. INFO text, the `IDIT` date,
 * XMP (`_PMX`), stream names and vendor chunks are reported; the `movi` media data is skipped.
 * References: Microsoft "AVI RIFF File Reference"; RIFF INFO list (Microsoft Multimedia
 * Programming Interface, 1991); ExifTool RIFF.pm (IDIT, _PMX, Nikon `ncdt`, Pentax `hydt`).
 */
import { checkCount, TracelessError } from '../../errors.js';
import { limits } from '../../limits.js';
import { formatBytes } from '../../decode/exif.js';
import type { ByteSource } from '../../io/source.js';
import type { Category } from '../../types.js';
import type { ContainerReport } from '../types.js';
import { addExif, addFinding, addXmp, cleanText, guarded, maxScanBytes, readAtMost } from './common.js';

export function isAvi(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'AVI ';
}

const infoTags: Readonly<Record<string, { tag: string; label: string; category: Category }>> = {
  IART: { tag: 'Artist', label: 'Artist', category: 'owner' },
  ICOP: { tag: 'Copyright', label: 'Copyright', category: 'owner' },
  ICRD: { tag: 'DateCreated', label: 'Created', category: 'time' },
  ICMT: { tag: 'Comment', label: 'Comment', category: 'other' },
  INAM: { tag: 'Title', label: 'Title', category: 'other' },
  ISFT: { tag: 'Software', label: 'Software', category: 'device' },
  ISRC: { tag: 'Source', label: 'Source', category: 'owner' },
  IKEY: { tag: 'Keywords', label: 'Keywords', category: 'other' },
  IENG: { tag: 'Engineer', label: 'Engineer', category: 'owner' },
  ITCH: { tag: 'Technician', label: 'Technician', category: 'owner' },
  ISBJ: { tag: 'Subject', label: 'Subject', category: 'other' },
  IPRD: { tag: 'Product', label: 'Product', category: 'other' },
  IDIT: { tag: 'DateTimeOriginal', label: 'Taken', category: 'time' },
  ISMP: { tag: 'TimeCode', label: 'Time code', category: 'time' },
};

/** LIST types a walker knows; others are vendor data (Nikon `ncdt`, Pentax `hydt`, …). */
const knownLists = new Set(['hdrl', 'strl', 'movi', 'INFO', 'odml', 'rec ']);
const knownChunks = new Set(['avih', 'strh', 'strf', 'indx', 'idx1', 'JUNK', 'JUNQ', 'dmlh', 'vprp', 'ix00', 'ix01', 'PAD ']);

interface Walk {
  count: number;
}

export function readAvi(source: ByteSource, report: ContainerReport): void {
  const walk: Walk = { count: 0 };
  let offset = 0;
  // Files over 1 GB continue in further RIFF `AVIX` chunks.
  while (offset + 12 <= source.size) {
    const head = source.read(offset, 12);
    if (head.toString('latin1', 0, 4) !== 'RIFF') break;
    const size = head.readUInt32LE(4);
    const end = Math.min(source.size, offset + 8 + size);
    readChunks(source, offset + 12, end, 'AVI', report, walk, 0);
    offset = offset + 8 + size + (size & 1);
  }
}

function readChunks(source: ByteSource, start: number, end: number, path: string, report: ContainerReport, walk: Walk, depth: number): void {
  if (depth > 8) throw new TracelessError('LIMIT_EXCEEDED', 'AVI lists nested too deeply');
  let offset = start;
  while (offset + 8 <= end) {
    checkCount(++walk.count, limits.maxSegmentCount, 'AVI chunk count');
    const head = source.read(offset, 8);
    const id = head.toString('latin1', 0, 4);
    const size = head.readUInt32LE(4);
    const bodyStart = offset + 8;
    if (bodyStart + size > end) {
      report.unreadable.push(`${path}/${printable(id)}: chunk runs past its list (the file may be cut short)`);
      return;
    }
    const where = `${path}/${printable(id)}`;
    if (id === 'LIST' && size >= 4) {
      const type = source.read(bodyStart, 4).toString('latin1');
      const listWhere = `${path}/LIST(${printable(type)})`;
      if (type === 'movi' || type === 'rec ') {
        // media data: skipped
      } else if (type === 'INFO') {
        readChunks(source, bodyStart + 4, bodyStart + size, listWhere, report, walk, depth + 1);
      } else if (knownLists.has(type)) {
        readChunks(source, bodyStart + 4, bodyStart + size, listWhere, report, walk, depth + 1);
      } else {
        vendorData(source, bodyStart + 4, size - 4, listWhere, report);
      }
    } else if (infoTags[id]) {
      const info = infoTags[id]!;
      const text = cleanText(readAtMost(source, bodyStart, Math.min(size, 64 * 1024)), 'utf8');
      if (text) addFinding(report, info.category, where, info.tag, info.label, text);
    } else if (id === '_PMX') {
      addXmp(report, readAtMost(source, bodyStart, Math.min(size, maxScanBytes)), where);
    } else if (id === 'strn') {
      const text = cleanText(readAtMost(source, bodyStart, Math.min(size, 4096)), 'utf8');
      if (text) addFinding(report, 'other', where, 'StreamName', 'Stream name', text);
    } else if (id === 'strd') {
      vendorData(source, bodyStart, size, where, report);
    } else if (!knownChunks.has(id) && !/^\d\d(dc|db|wb|pc|tx)$/.test(id)) {
      vendorData(source, bodyStart, size, where, report);
    }
    offset = bodyStart + size + (size & 1);
  }
}

/** Vendor chunks: an EXIF structure inside is decoded; otherwise they are reported as unread. */
function vendorData(source: ByteSource, start: number, length: number, where: string, report: ContainerReport): void {
  guarded(report, where, () => {
    const body = readAtMost(source, start, Math.min(length, maxScanBytes));
    addFinding(report, 'device', where, 'VendorData', 'Camera or vendor data', formatBytes(length));
    const tiff = [body.indexOf('MM\0*', 0, 'latin1'), body.indexOf('II*\0', 0, 'latin1')].filter((at) => at !== -1).sort((a, b) => a - b)[0];
    if (tiff !== undefined && body.indexOf('Exif\0\0', 0, 'latin1') === tiff - 6) addExif(report, body.subarray(tiff), `${where}/EXIF`);
    else report.unreadable.push(`${where}: camera or vendor data is not decoded by traceless (it can hold maker notes and serial numbers)`);
  });
}

function printable(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, '?');
}
