/**
 * Sorts GIF blocks into what is drawn (images, graphic control, plain text, looping, colour
 * profile) and metadata (comments, XMP, other application data), and decodes the metadata.
 * `inspect` and `plan` share this pass.
 * References: GIF89a sections 23 (graphic control), 24 (comment), 25 (plain text), 26 (application
 * extension); Adobe XMP Specification Part 3 section 1.1.2 (GIF, "XMP DataXMP" and its magic
 * trailer); ICC.1 Annex (ICCRGBG1 application extension); NETSCAPE2.0 looping extension.
 */
import { TracelessError } from '../../errors.js';
import { decodeIptc, readImageResources, resourceIds } from '../../decode/iptc.js';
import { genericFinding, iccFinding, reportXmpPacket } from '../../decode/payload-report.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { BlockKind, Finding } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { extensionLabels, readGifLayout, readSubBlocks, type GifBlock, type GifLayout } from './blocks.js';

/** The 258 bytes that end an XMP DataXMP extension: 0x01, 0xFF down to 0x00, then the terminator. */
export const xmpMagicTrailer = Buffer.from([0x01, ...Array.from({ length: 256 }, (_, index) => 255 - index), 0x00]);
export const xmpAppId = 'XMP DataXMP';
const loopingAppIds = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0']);
const iccAppId = 'ICCRGBG1012';
/** ImageMagick writes IPTC and Photoshop resources as these application extensions. */
const iptcAppIds = new Set(['MGKIPTC0000', 'MGK8BIM0000']);
const maxFindingTextChars = 2000;

export type GifRole = 'image' | 'render' | 'metadata';

export interface AnalysedBlock {
  block: GifBlock;
  role: GifRole;
  where: string;
  kind: BlockKind;
  note: string;
  report: ContainerReport;
  readable: boolean;
  /** For XMP: the packet text. */
  xmp?: string;
  /** For a looping extension with more than the looping sub-blocks: the loop count to write back. */
  loopCount?: number;
  /** True when a looping extension holds only the standard sub-blocks. */
  standardLooping?: boolean;
}

export interface GifAnalysis {
  layout: GifLayout;
  blocks: AnalysedBlock[];
  report: ContainerReport;
}

export function analyseGif(source: ByteSource): GifAnalysis {
  const layout = readGifLayout(source);
  const report = emptyReport();
  const blocks = layout.blocks.map((block) => analyseBlock(source, block));
  for (const analysed of blocks) {
    // Blocks are metadata and kept profiles, not the rendering chunks (gamma, looping, …).
    if (analysed.role === 'metadata' || analysed.report.findings.length > 0) {
      report.blocks.push({ where: analysed.where, kind: analysed.kind, offset: analysed.block.offset, length: analysed.block.length, note: analysed.note });
    }
    mergeReport(report, analysed.report);
  }
  if (layout.trailingBytes > 0) {
    report.blocks.push({ where: 'after trailer', kind: 'trailer', offset: layout.trailerOffset + 1, length: layout.trailingBytes, note: 'data after the end of the image' });
    report.findings.push({ category: 'embedded', where: 'after trailer', tag: 'Trailer', label: 'Data after the end of the image', value: layout.trailingBytes, text: `${layout.trailingBytes} bytes` });
  }
  return { layout, blocks, report };
}

function analyseBlock(source: ByteSource, block: GifBlock): AnalysedBlock {
  const base = { block, report: emptyReport(), readable: true };
  if (block.type === 'image') return { ...base, role: 'image', where: 'image', kind: 'other', note: '' };
  const end = block.offset + block.length;
  switch (block.label) {
    case extensionLabels.graphicControl:
      // Exactly one 4-byte sub-block and the terminator (section 23): anything more would be hidden data.
      if (block.length !== 8 || source.read(block.dataOffset, 1)[0] !== 4) {
        throw new TracelessError('MALFORMED', `GIF graphic control extension at offset ${block.offset} is not 4 bytes`);
      }
      return { ...base, role: 'image', where: 'graphic control', kind: 'other', note: '' };
    case extensionLabels.plainText:
      return analysePlainText(source, base, block, end);
    case extensionLabels.comment: {
      const analysed: AnalysedBlock = { ...base, role: 'metadata', where: 'comment', kind: 'comment', note: 'comment' };
      const text = decodeText(readSubBlocks(source, block.dataOffset, end, limits.maxMetadataBytes));
      const value = text.length > maxFindingTextChars ? `${text.slice(0, maxFindingTextChars)}…` : text;
      analysed.report.findings.push({ category: 'other', where: 'comment', tag: 'Comment', label: 'Comment', value, text: value });
      return analysed;
    }
    case extensionLabels.application:
      return analyseApplication(source, base, block, end);
    default: {
      const where = `extension 0x${block.label.toString(16).padStart(2, '0')}`;
      const analysed: AnalysedBlock = { ...base, role: 'metadata', where, kind: 'other', note: 'unknown extension' };
      analysed.report.findings.push(genericFinding(where, where, `Unknown extension 0x${block.label.toString(16)}`, block.length));
      return analysed;
    }
  }
}

type Base = Pick<AnalysedBlock, 'block' | 'report' | 'readable'>;

/** GIF text is 7-bit ASCII by the spec; UTF-8 is common in practice, Latin-1 otherwise. */
function decodeText(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
}

/** Plain text is drawn onto the canvas (section 25): it is image content, kept, and shown to the user. */
function analysePlainText(source: ByteSource, base: Base, block: Extract<GifBlock, { type: 'extension' }>, end: number): AnalysedBlock {
  if (source.read(block.dataOffset, 1)[0] !== 12) throw new TracelessError('MALFORMED', `GIF plain text extension at offset ${block.offset} has a bad header size`);
  const analysed: AnalysedBlock = { ...base, role: 'render', where: 'plain text', kind: 'text', note: 'text drawn on the image' };
  const text = decodeText(readSubBlocks(source, block.dataOffset + 13, end, limits.maxMetadataBytes));
  const value = text.length > maxFindingTextChars ? `${text.slice(0, maxFindingTextChars)}…` : text;
  analysed.report.findings.push({ category: 'other', where: 'plain text', tag: 'PlainText', label: 'Text drawn on the image (kept: it is image content)', value, text: value, retained: true });
  return analysed;
}

function analyseApplication(source: ByteSource, base: Base, block: Extract<GifBlock, { type: 'extension' }>, end: number): AnalysedBlock {
  const appId = block.appId;
  if (appId === undefined) {
    const analysed: AnalysedBlock = { ...base, role: 'metadata', where: 'application (no identifier)', kind: 'vendor', note: 'application data without an 11-byte identifier' };
    analysed.report.findings.push(genericFinding(analysed.where, 'Application', 'Application data', block.length));
    return analysed;
  }
  const where = `application ${printable(appId)}`;
  const afterId = block.dataOffset + 12;
  if (loopingAppIds.has(appId)) return analyseLooping(source, base, where, afterId, end);
  if (appId === iccAppId) {
    const analysed: AnalysedBlock = { ...base, role: 'render', where, kind: 'icc', note: 'ICC colour profile' };
    analysed.report.findings.push(iccFinding(where, block.length));
    return analysed;
  }
  if (appId === xmpAppId) {
    if (end - afterId > limits.maxMetadataBytes) {
      const analysed: AnalysedBlock = { ...base, role: 'metadata', where: 'XMP', kind: 'xmp', note: 'XMP', readable: false };
      analysed.report.unreadable.push(`XMP at ${block.offset}: ${end - afterId} bytes, too large to decode`);
      analysed.report.findings.push(genericFinding('XMP', 'XMP', 'XMP metadata (not decoded)', end - afterId));
      return analysed;
    }
    // XMP is stored raw, not as sub-blocks; the magic trailer makes sub-block readers skip it.
    const raw = source.read(afterId, end - afterId);
    const packetBytes = raw.length >= xmpMagicTrailer.length && raw.subarray(raw.length - xmpMagicTrailer.length).equals(xmpMagicTrailer)
      ? raw.subarray(0, raw.length - xmpMagicTrailer.length)
      : raw.subarray(0, Math.max(0, raw.length - 1));
    const xmp = packetBytes.toString('utf8');
    const analysed: AnalysedBlock = { ...base, role: 'metadata', where: 'XMP', kind: 'xmp', note: 'XMP', xmp, report: reportXmpPacket(xmp, 'XMP', packetBytes.length) };
    if (packetBytes.length === raw.length - 1) {
      analysed.report.warnings.push({ code: 'GIF_XMP_NO_MAGIC_TRAILER', message: 'GIF XMP extension lacks its magic trailer', severity: 'info' });
    }
    return analysed;
  }
  const analysed: AnalysedBlock = { ...base, role: 'metadata', where, kind: 'vendor', note: `application data "${printable(appId)}"` };
  if (iptcAppIds.has(appId)) {
    analysed.kind = 'iptc';
    try {
      const data = readSubBlocks(source, afterId, end, limits.maxMetadataBytes);
      analysed.report.findings.push(...decodeIptcOrIrb(data, where));
    } catch (error) {
      analysed.readable = false;
      analysed.report.unreadable.push(`${where}: ${(error as Error).message}`);
    }
  }
  if (analysed.report.findings.length === 0) analysed.report.findings.push(genericFinding(where, appId, `Application data "${printable(appId)}"`, block.length));
  return analysed;
}

function decodeIptcOrIrb(data: Buffer, where: string): Finding[] {
  if (data.toString('latin1', 0, 4) !== '8BIM') return decodeIptc(data, where);
  return readImageResources(data)
    .filter((resource) => resource.id === resourceIds.iptc)
    .flatMap((resource) => decodeIptc(data.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength), where));
}

/**
 * NETSCAPE2.0 / ANIMEXTS1.0: sub-block 1 holds the loop count, sub-block 2 a buffer size. Any
 * other sub-block would be data riding along, so such an extension is rewritten with the loop count only.
 */
function analyseLooping(source: ByteSource, base: Base, where: string, afterId: number, end: number): AnalysedBlock {
  const analysed: AnalysedBlock = { ...base, role: 'render', where, kind: 'other', note: 'animation looping', standardLooping: true };
  let cursor = afterId;
  while (cursor < end) {
    const size = source.read(cursor, 1)[0]!;
    if (size === 0) break;
    const sub = source.read(cursor + 1, size);
    if (size === 3 && sub[0] === 1) analysed.loopCount = sub.readUInt16LE(1);
    else if (!(size === 5 && sub[0] === 2)) analysed.standardLooping = false;
    cursor += 1 + size;
  }
  if (!analysed.standardLooping) {
    analysed.report.findings.push(genericFinding(where, 'LoopingExtra', 'Extra data in the animation looping extension', end - afterId));
  }
  return analysed;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
