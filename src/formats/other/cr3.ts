/**
 * Canon CR3 (scan only): an ISO base media file whose `moov` holds a Canon `uuid` box with the
 * EXIF directories as separate TIFF structures: CMT1 (IFD0), CMT2 (Exif IFD), CMT3 (maker notes),
 * CMT4 (GPS IFD); a THMB thumbnail; XMP in a top-level `uuid`; a PRVW preview JPEG.
 * References: ISO/IEC 14496-12 §4.2; ExifTool Canon::uuid and QuickTime tables ("CR3" notes);
 * lclevy/canon_cr3 format description.
 */
import type { ByteSource } from '../../io/source.js';
import { boxEnd, BoxBudget, payloadSize, payloadStart, readBoxes, readChildren, type Box } from '../isobmff/boxes.js';
import type { ContainerReport } from '../types.js';
import { decodeCanonMakerNoteTiff } from '../../decode/makernotes/index.js';
import { addExif, addFinding, addJpeg, addXmp, guarded, maxScanBytes, readAtMost } from './common.js';

const canonUuid = '85c0b687820f11e08111f4ce462b6a48';
const xmpUuid = 'be7acfcb97a942e89c71999491e3afac';
const previewUuid = 'eaf42b5e1c984b88b9fbb7dc406e4d16';

export function isCr3(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp' && head.toString('latin1', 8, 12) === 'crx ';
}

function payload(source: ByteSource, box: Box): Buffer {
  return readAtMost(source, payloadStart(box), Math.min(payloadSize(box), maxScanBytes));
}

export function readCr3(source: ByteSource, report: ContainerReport): void {
  // Scan-only: never cleaned, so a box cut short by the end of the file is read as far as it goes.
  const budget = new BoxBudget(true, report.unreadable);
  const top = readBoxes(source, 0, source.size, budget);
  for (const box of top) {
    if (box.type === 'moov') {
      for (const child of readChildren(source, box, budget, 1)) {
        if (child.type === 'mvhd') guarded(report, 'CR3/moov/mvhd', () => addMovieTime(source, child, report));
        if (child.type === 'uuid' && child.uuid === canonUuid) readCanonBox(source, child, budget, report);
      }
    }
    if (box.type === 'uuid' && box.uuid === xmpUuid) addXmp(report, payload(source, box), 'CR3/uuid(XMP)');
    if (box.type === 'uuid' && box.uuid === previewUuid) {
      guarded(report, 'CR3/uuid(PRVW)', () => {
        const body = payload(source, box);
        const start = body.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
        if (start !== -1) addJpeg(report, body.subarray(start), 'CR3/PRVW');
      });
    }
  }
  report.unreadable.push('CR3 raw image tracks are not read by traceless; CR3 files cannot be cleaned');
}

function readCanonBox(source: ByteSource, box: Box, budget: BoxBudget, report: ContainerReport): void {
  for (const child of readChildren(source, box, budget, 2)) {
    const where = `CR3/moov/uuid/${child.type}`;
    const body = () => payload(source, child);
    switch (child.type) {
      case 'CMT1':
      case 'CMT2':
        addExif(report, body(), where);
        break;
      case 'CMT4':
        // The GPS IFD stored as the first IFD of its own TIFF structure.
        addExif(report, body(), where, (structure) => {
          if (structure.ifds[0]) structure.ifds[0].name = 'GPS';
        });
        break;
      case 'CMT3':
        addFinding(report, 'device', where, 'MakerNote', 'Maker notes (camera-private data)', `${payloadSize(child)} bytes`);
        guarded(report, where, () => {
          // The owner, serial numbers and world-time city of the Canon table (src/decode/makernotes/canon.ts).
          const decoded = decodeCanonMakerNoteTiff(body(), where);
          if (!decoded) return void report.unreadable.push(`${where}: the Canon maker-note table cannot be read`);
          report.findings.push(...decoded.findings);
          report.locations.push(...decoded.locations);
          report.warnings.push(...decoded.warnings);
        });
        break;
      case 'THMB':
        guarded(report, where, () => {
          const data = body();
          const start = data.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
          addFinding(report, 'thumbnail', where, 'ThumbnailImage', 'Embedded thumbnail', `${boxEnd(child) - child.offset} bytes`);
          if (start !== -1) addJpeg(report, data.subarray(start), where);
        });
        break;
      default:
        break;
    }
  }
}

/** `mvhd` creation time: seconds since 1904-01-01 (32-bit in version 0, 64-bit in version 1). */
function addMovieTime(source: ByteSource, box: Box, report: ContainerReport): void {
  const data = readAtMost(source, payloadStart(box), 32);
  const version = data[0];
  const seconds = version === 1 ? Number(data.readBigUInt64BE(4)) : data.readUInt32BE(4);
  if (seconds === 0) return;
  const date = new Date(Date.UTC(1904, 0, 1) + seconds * 1000);
  if (!Number.isNaN(date.getTime())) addFinding(report, 'time', 'CR3/moov/mvhd', 'CreateDate', 'Created', date.toISOString());
}
