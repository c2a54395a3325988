/**
 * Item properties (`ipco`): which describe how to decode and show an image (kept, re-written field
 * by field in property-emit.ts), and which are descriptive metadata (user description, creation and
 * modification times) — for reports. Anything else is unknown: removed, or refused when essential.
 * References: ISO/IEC 23008-12:2022 section 6.5 (ispe, pasp, colr, pixi, rloc, auxC, clap, irot,
 * imir, lsel, oinf, tols) and its amendments (udes, crtt, mdft, altt, clli, mdcv, cclv, amve, reve);
 * ISO/IEC 14496-15 (hvcC, avcC, vvcC, lhvC); AV1-ISOBMFF and AVIF 1.1 (av1C, a1op, a1lx);
 * ISO/IEC 23001-17 (uncC, cmpd, cpal, cloc, splz, sbpm, snuc, fnch); ISO/IEC 15444-16 (j2kH).
 */
import { iccProfileFindings } from '../../decode/payload-report.js';
import type { ByteSource } from '../../io/source.js';
import type { Finding, MetadataBlock } from '../../types.js';
import { payloadSize, payloadStart, printable, type Box } from '../isobmff/boxes.js';
import { Cursor } from './cursor.js';

/** Properties that say how to decode, crop, rotate or colour an image. */
export const imagePropertyTypes: ReadonlySet<string> = new Set([
  'ispe', 'pasp', 'colr', 'pixi', 'rloc', 'auxC', 'clap', 'irot', 'imir', 'lsel', 'oinf', 'tols', 'iscl',
  'clli', 'mdcv', 'cclv', 'amve', 'reve', 'ccst', 'hvcC', 'avcC', 'vvcC', 'lhvC', 'av1C', 'a1op', 'a1lx',
  'jpgC', 'j2kH', 'jxlC', 'uncC', 'cmpd', 'cpal', 'cpat', 'cloc', 'splz', 'sbpm', 'snuc', 'fnch', 'mskC',
]);

/** Properties that carry descriptive metadata. */
export const metadataPropertyTypes: Readonly<Record<string, string>> = {
  udes: 'user description (title, description, tags)',
  crtt: 'creation time',
  mdft: 'modification time',
  altt: 'accessibility text',
  uuid: 'vendor property',
};

export type PropertyRole = 'image' | 'metadata' | 'unknown';

export function propertyRole(box: Box): PropertyRole | undefined {
  if (imagePropertyTypes.has(box.type)) return 'image';
  if (box.type in metadataPropertyTypes) return 'metadata';
  return undefined;
}

const where = (box: Box) => `meta/iprp/ipco/${printable(box.type)}`;

/** Seconds between 1904-01-01 and 1970-01-01 (the ISOBMFF epoch). */
export const isoEpochOffsetSeconds = 2_082_844_800;

/** Findings (kept or not) and blocks for one property. Reading problems give no finding. */
export function describeProperty(source: ByteSource, box: Box, findings: Finding[], blocks: MetadataBlock[]): void {
  const size = payloadSize(box);
  const read = () => new Cursor(source.read(payloadStart(box), Math.min(size, 64 * 1024)), where(box));
  try {
    switch (box.type) {
      case 'colr': {
        const cursor = read();
        const colourType = cursor.fourcc('colour_type');
        if (colourType === 'prof' || colourType === 'rICC') {
          blocks.push({ where: where(box), kind: 'icc', offset: box.offset, length: box.size, note: 'ICC colour profile (kept)' });
          findings.push(...iccProfileFindings(source.read(payloadStart(box) + 4, size - 4), where(box)));
        }
        break;
      }
      case 'irot': {
        const angle = (read().u8('angle') & 3) * 90;
        findings.push({ category: 'other', where: where(box), tag: 'Rotation', label: 'Orientation', meaning: 'orientation', value: angle, text: angle === 0 ? 'not rotated (irot 0)' : `rotated ${angle}° counter-clockwise (irot)`, retained: true });
        break;
      }
      case 'imir': {
        const axis = read().u8('axis') & 1;
        findings.push({ category: 'other', where: where(box), tag: 'Mirror', label: 'Orientation', meaning: 'orientation', value: axis, text: `mirrored ${axis === 0 ? 'top to bottom' : 'left to right'} (imir)`, retained: true });
        break;
      }
      case 'udes': {
        const cursor = read();
        cursor.u32('version/flags');
        const language = cursor.cstring();
        const parts: [string, string, string][] = [
          ['Name', 'Title', cursor.cstring()],
          ['Description', 'Description', cursor.cstring()],
          ['Tags', 'Keywords', cursor.cstring()],
        ];
        blocks.push({ where: where(box), kind: 'text', offset: box.offset, length: box.size, note: 'user description property' });
        for (const [tag, label, value] of parts) {
          if (value) findings.push({ category: 'other', where: where(box), tag, label, value, text: language ? `${value} (${language})` : value });
        }
        break;
      }
      case 'crtt':
      case 'mdft': {
        const cursor = read();
        cursor.u32('version/flags');
        const microseconds = cursor.u64('time');
        const date = new Date((microseconds / 1e6 - isoEpochOffsetSeconds) * 1000);
        const text = Number.isNaN(date.getTime()) ? String(microseconds) : date.toISOString();
        blocks.push({ where: where(box), kind: 'timestamp', offset: box.offset, length: box.size });
        findings.push({ category: 'time', where: where(box), tag: box.type === 'crtt' ? 'CreationTime' : 'ModificationTime', label: box.type === 'crtt' ? 'Created' : 'Modified', value: text, text });
        break;
      }
      case 'altt':
      case 'uuid':
        blocks.push({ where: where(box), kind: 'other', offset: box.offset, length: box.size, note: metadataPropertyTypes[box.type] });
        findings.push({ category: 'other', where: where(box), tag: box.type, label: `Item property: ${metadataPropertyTypes[box.type]}`, value: size, text: `${size} bytes` });
        break;
      default:
        break;
    }
  } catch {
    // A property we cannot read is still judged by its type; the clean copy handles it by role.
  }
}
