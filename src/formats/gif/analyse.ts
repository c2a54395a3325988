/**
 * Decides, for one GIF, which blocks a reader needs — images, the graphic control extensions
 * that apply to them, the looping extension — and decodes everything else (comments, plain text,
 * XMP, colour profile, other application data, unknown extensions) into findings, so that `scan`
 * lists every block and every stray byte that `clean` takes out. `inspect` and `plan` share it.
 * References: GIF89a sections 23 (graphic control), 24 (comment), 25 (plain text), 26 (application
 * extension); Adobe XMP Specification Part 3 section 1.1.2 (GIF, "XMP DataXMP" and its magic
 * trailer); ICC.1 Annex (ICCRGBG1 application extension); NETSCAPE2.0 looping extension.
 */
import { TracelessError } from '../../errors.js';
import { decodeIptc, readImageResources, resourceIds } from '../../decode/iptc.js';
import { genericFinding, reportXmpPacket } from '../../decode/payload-report.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { BlockKind, Finding } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { extensionLabels, readGifLayout, readSubBlocks, type GifBlock, type GifLayout } from './blocks.js';
import { maxScannedPixels, scanLzw } from './lzw.js';
import {
  colourTableBytes, graphicControlDataBytes, imageDescriptorBytes, loopCountOf, parseGraphicControl, parseImageDescriptor, type GraphicControl, type ImageDescriptor,
} from './fields.js';

/** The 258 bytes that end an XMP DataXMP extension: 0x01, 0xFF down to 0x00, then the terminator. */
export const xmpMagicTrailer = Buffer.from([0x01, ...Array.from({ length: 256 }, (_, index) => 255 - index), 0x00]);
export const xmpAppId = 'XMP DataXMP';
const loopingAppIds = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0']);
const iccAppId = 'ICCRGBG1012';
/** ImageMagick writes IPTC and Photoshop resources as these application extensions. */
const iptcAppIds = new Set(['MGKIPTC0000', 'MGK8BIM0000']);
const maxFindingTextChars = 2000;
/**
 * XMP packets decoded per file beyond the first (each costs about a millisecond): a file repeating
 * thousands of them would otherwise take seconds per pass. The rest are reported undecoded; all
 * are removed whole, so none of their bytes can reach an output.
 */
export const maxDecodedExtraPackets = 16;

type ExtensionBlock = Extract<GifBlock, { type: 'extension' }>;

/** A block kept (re-written from its fields; image data copied). */
export type KeptBlock =
  | {
    type: 'image'; block: GifBlock; descriptor: ImageDescriptor;
    /** The local colour table, its unused entries zeroed (absent: the image uses the global one). */
    localTable?: Buffer;
    /** The LZW minimum code size's offset, and the sub-block payloads the decoder reads (in order). */
    lzwOffset: number;
    /** Undefined when the code stream was not followed: the sub-blocks are copied as they are. */
    lzwPieces?: { offset: number; length: number }[];
  }
  | { type: 'control'; block: GifBlock; control: GraphicControl }
  | { type: 'looping'; block: GifBlock; appId: string; loopCount: number }
  /** The first XMP packet, kept by `--only location` after editing; removed in the default mode. */
  | { type: 'xmp'; block: GifBlock; where: string; packet: string; readable: boolean };

export interface GifRemoval {
  where: string;
  kind: BlockKind;
  bytes: number;
  note: string;
}

export interface GifAnalysis {
  layout: GifLayout;
  /** The 7-byte logical screen descriptor as stored (every field defined). */
  screenDescriptor: Buffer;
  /** The global colour table, entries no image draws with zeroed (empty when there is none). */
  globalTable: Buffer;
  kept: KeptBlock[];
  /** Removed in every mode: blocks, and the slack of kept ones. */
  removals: GifRemoval[];
  report: ContainerReport;
}

class Analyser {
  readonly kept: KeptBlock[] = [];
  readonly removals: GifRemoval[] = [];
  readonly report: ContainerReport;
  private loopingKept = false;
  private xmpKept = false;
  private extraPacketsDecoded = 0;
  private nextGraphics?: (GifBlock | undefined)[];

  /** `into` (best-effort inspection): the report to record into; clean-only refusals are then recorded, not thrown. */
  constructor(private readonly source: ByteSource, private readonly blocks: GifBlock[], private readonly into?: ContainerReport) {
    this.report = into ?? emptyReport();
  }

  remove(block: GifBlock, where: string, kind: BlockKind, note: string, findings: Finding[] = []): void {
    this.removals.push({ where, kind, bytes: block.length, note });
    this.report.blocks.push({ where, kind, offset: block.offset, length: block.length, note });
    this.report.findings.push(...(findings.length > 0 ? findings : [genericFinding(where, where, capitalised(note), block.length)]));
  }

  removeSlack(where: string, offset: number, bytes: number, note: string): void {
    this.removals.push({ where, kind: 'other', bytes, note });
    this.report.blocks.push({ where, kind: 'other', offset, length: bytes, note });
    this.report.findings.push(genericFinding(where, 'Slack', `Hidden data in ${where}: ${note}`, bytes));
  }

  analyse(index: number): void {
    const block = this.blocks[index]!;
    if (block.type === 'image') return this.image(block);
    switch (block.label) {
      case extensionLabels.graphicControl:
        return this.graphicControl(block, index);
      case extensionLabels.plainText:
        return this.plainText(block);
      case extensionLabels.comment:
        return this.comment(block);
      case extensionLabels.application:
        return this.application(block);
      default: {
        const where = `extension 0x${block.label.toString(16).padStart(2, '0')}`;
        return this.remove(block, where, 'other', 'unknown extension', [genericFinding(where, where, `Unknown extension 0x${block.label.toString(16)}`, block.length)]);
      }
    }
  }

  /** The next image or plain text block after `index`, from one backward pass (linear in the block count). */
  private nextGraphic(index: number): GifBlock | undefined {
    if (!this.nextGraphics) {
      this.nextGraphics = new Array<GifBlock | undefined>(this.blocks.length);
      let next: GifBlock | undefined;
      for (let at = this.blocks.length - 1; at >= 0; at--) {
        this.nextGraphics[at] = next;
        const candidate = this.blocks[at]!;
        if (candidate.type === 'image' || candidate.label === extensionLabels.plainText) next = candidate;
      }
    }
    return this.nextGraphics[index];
  }

  /** Global colour table entries drawn with by an image without its own table (unknown: all kept). */
  readonly globalUsed = new Uint8Array(256);
  globalUnknown = false;

  private image(block: GifBlock): void {
    const descriptor = parseImageDescriptor(this.source.read(block.offset, imageDescriptorBytes));
    if (descriptor.reservedBitsSet) this.removeSlack('image descriptor', block.offset + imageDescriptorBytes - 1, 1, 'reserved bits set');
    const packed = descriptor.stored[9]!;
    const tableBytes = colourTableBytes(packed);
    const lzwOffset = block.offset + imageDescriptorBytes + tableBytes;
    const width = descriptor.stored.readUInt16LE(5);
    const height = descriptor.stored.readUInt16LE(7);
    const scan = this.scanImageData(lzwOffset, block.offset + block.length, width * height);
    const kept: Extract<KeptBlock, { type: 'image' }> = { type: 'image', block, descriptor, lzwOffset };
    // The transparent index of this image's graphic control is read by decoders (3 bytes): kept.
    const previous = this.kept[this.kept.length - 1];
    const transparent = previous?.type === 'control' && previous.control.packed & 1 ? previous.control.transparentIndex : undefined;
    if (scan) kept.lzwPieces = scan.pieces;
    if (tableBytes > 0) {
      kept.localTable = Buffer.from(this.source.read(block.offset + imageDescriptorBytes, tableBytes));
      if (scan) this.zeroUnused(kept.localTable, scan.used, 'local colour table', block.offset + imageDescriptorBytes, transparent);
    } else if (scan) {
      scan.used.forEach((flag, index) => (this.globalUsed[index] = this.globalUsed[index]! | flag));
      if (transparent !== undefined) this.globalUsed[transparent] = 1;
    } else {
      this.globalUnknown = true;
    }
    this.kept.push(kept);
  }

  /** Follows the LZW code stream; bytes after its end are reported and left out of the plan. */
  private scanImageData(lzwOffset: number, end: number, pixels: number): { pieces: { offset: number; length: number }[]; used: Uint8Array } | undefined {
    if (pixels > maxScannedPixels || end - lzwOffset > limits.maxMetadataBytes * 4) return undefined;
    const minimumCodeSize = this.source.read(lzwOffset, 1)[0]!;
    const blocks: { offset: number; length: number }[] = [];
    for (let cursor = lzwOffset + 1; cursor < end; ) {
      const size = this.source.read(cursor, 1)[0]!;
      if (size === 0) break;
      blocks.push({ offset: cursor + 1, length: size });
      cursor += 1 + size;
    }
    const data = Buffer.concat(blocks.map((piece) => this.source.read(piece.offset, piece.length)));
    const scan = scanLzw(data, minimumCodeSize, pixels);
    const pieces: { offset: number; length: number }[] = [];
    let remaining = scan.end;
    for (const piece of blocks) {
      if (remaining <= 0) break;
      pieces.push({ offset: piece.offset, length: Math.min(piece.length, remaining) });
      remaining -= piece.length;
    }
    if (scan.end < data.length) {
      this.removeSlack('image data', lzwOffset, data.length - scan.end, 'bytes after the end of the compressed image (read by no decoder)');
      const printableText = data.subarray(scan.end, scan.end + 64 * 1024).toString('latin1').match(/[\x20-\x7e]{4,}/g)?.join(' ');
      if (printableText) this.report.findings.push({ category: 'embedded', where: 'image data', tag: 'HiddenImageData', label: 'Text after the end of the compressed image', value: shortened(printableText), text: shortened(printableText) });
    }
    return { pieces, used: scan.used };
  }

  /** Zeroes the entries of a colour table that no pixel is drawn with (and reports them). */
  zeroUnused(table: Buffer, used: Uint8Array, where: string, offset: number, ...keepIndices: (number | undefined)[]): void {
    const hidden: number[] = [];
    for (let index = 0; index < table.length / 3; index++) {
      if (used[index] || keepIndices.includes(index)) continue;
      if (table[index * 3] || table[index * 3 + 1] || table[index * 3 + 2]) hidden.push(index);
      table.fill(0, index * 3, index * 3 + 3);
    }
    if (hidden.length > 0) this.removeSlack(where, offset, hidden.length * 3, `${hidden.length} colour entries no pixel is drawn with`);
  }

  /**
   * A graphic control extension has one 4-byte sub-block (section 23). A longer first sub-block
   * is read by browsers for its first 4 bytes (the rest ignored), so only those are kept; further
   * sub-blocks are hidden data. A shorter one cannot be read the same way by every decoder, and
   * removing it would change how the next frame is drawn: refused.
   */
  private graphicControl(block: ExtensionBlock, index: number): void {
    const end = block.offset + block.length;
    const firstSize = this.source.read(block.dataOffset, 1)[0]!;
    if (firstSize < graphicControlDataBytes) {
      const refusal = new TracelessError('MALFORMED', `GIF graphic control extension at offset ${block.offset} holds ${firstSize} bytes instead of 4; removing it would change how the next frame is drawn`);
      if (!this.into) throw refusal;
      this.report.unreadable.push(refusal.message);
      return;
    }
    // The control applies to the next graphic block: kept only when that is an image (so it is
    // kept or removed with what it governs; a run of controls shares the fate of their image).
    const next = this.nextGraphic(index);
    if (!next) return this.remove(block, 'graphic control', 'other', 'a graphic control extension that no image follows');
    if (next.type === 'extension' && next.label === extensionLabels.plainText) {
      return this.remove(block, 'graphic control', 'other', 'the graphic control extension of removed plain text');
    }
    const control = parseGraphicControl(this.source.read(block.dataOffset + 1, graphicControlDataBytes));
    const slack: string[] = [];
    if (control.reservedBitsSet) slack.push('reserved bits set');
    if (firstSize > graphicControlDataBytes) slack.push(`${firstSize - graphicControlDataBytes} bytes past its 4 defined bytes`);
    const afterFirst = block.dataOffset + 1 + firstSize;
    if (afterFirst + 1 < end) slack.push(`${end - afterFirst - 1} bytes in further sub-blocks`);
    if (slack.length > 0) this.removeSlack('graphic control', block.dataOffset, Math.max(1, block.length - 8), slack.join(', '));
    this.kept.push({ type: 'control', block, control });
  }

  /** Plain text (section 25) is meant to be drawn, but no common decoder draws it; it is free text, removed. */
  private plainText(block: ExtensionBlock): void {
    const end = block.offset + block.length;
    const findings: Finding[] = [];
    if (this.source.read(block.dataOffset, 1)[0] === 12) {
      const text = decodeText(readSubBlocks(this.source, block.dataOffset + 13, end, limits.maxMetadataBytes));
      const value = shortened(text);
      findings.push({ category: 'other', where: 'plain text', tag: 'PlainText', label: 'Plain text extension (free text; not drawn by common decoders)', value, text: value });
    }
    this.remove(block, 'plain text', 'text', 'plain text extension', findings);
  }

  private comment(block: ExtensionBlock): void {
    const text = decodeText(readSubBlocks(this.source, block.dataOffset, block.offset + block.length, limits.maxMetadataBytes));
    const value = shortened(text);
    this.remove(block, 'comment', 'comment', 'comment', [{ category: 'other', where: 'comment', tag: 'Comment', label: 'Comment', value, text: value }]);
  }

  private application(block: ExtensionBlock): void {
    const appId = block.appId;
    const end = block.offset + block.length;
    if (appId === undefined) return this.remove(block, 'application (no identifier)', 'vendor', 'application data without an 11-byte identifier');
    const where = `application ${printable(appId)}`;
    const afterId = block.dataOffset + 12;
    if (loopingAppIds.has(appId)) return this.looping(block, where, appId, afterId, end);
    if (appId === xmpAppId) return this.xmp(block, afterId, end);
    if (appId === iccAppId) {
      return this.remove(block, where, 'icc', 'colour profile (ICC application extension; browsers and most decoders ignore it)', [
        { category: 'other', where, tag: 'ICCProfile', label: 'Colour profile (ICC application extension), removed', value: block.length, text: `${block.length} bytes` },
      ]);
    }
    const findings: Finding[] = [];
    let kind: BlockKind = 'vendor';
    if (iptcAppIds.has(appId)) {
      kind = 'iptc';
      try {
        findings.push(...decodeIptcOrIrb(readSubBlocks(this.source, afterId, end, limits.maxMetadataBytes), where));
      } catch (error) {
        this.report.unreadable.push(`${where}: ${(error as Error).message}`);
      }
    }
    if (findings.length === 0) findings.push(genericFinding(where, appId, `Application data "${printable(appId)}"`, block.length));
    this.remove(block, where, kind, `application data "${printable(appId)}"`, findings);
  }

  /**
   * NETSCAPE2.0 / ANIMEXTS1.0: the loop count is kept, written back alone; the buffering
   * sub-block and anything else riding along goes, and so does a second looping extension.
   */
  private looping(block: ExtensionBlock, where: string, appId: string, afterId: number, end: number): void {
    const subBlocks: Buffer[] = [];
    let cursor = afterId;
    while (cursor < end) {
      const size = this.source.read(cursor, 1)[0]!;
      if (size === 0) break;
      subBlocks.push(Buffer.from(this.source.read(cursor + 1, size)));
      cursor += 1 + size;
    }
    const loopCount = loopCountOf(subBlocks);
    if (loopCount === undefined) return this.remove(block, where, 'other', 'an animation looping extension without a loop count');
    if (this.loopingKept) return this.remove(block, where, 'other', 'a second animation looping extension');
    this.loopingKept = true;
    const keptBytes = 3 + 11 + 5;
    if (block.length > keptBytes) this.removeSlack(where, afterId, block.length - keptBytes, 'data beside the loop count');
    this.kept.push({ type: 'looping', block, appId, loopCount });
  }

  private xmp(block: ExtensionBlock, afterId: number, end: number): void {
    const where = 'XMP';
    if (end - afterId > limits.maxMetadataBytes) {
      const note = `XMP of ${end - afterId} bytes (too large to decode)`;
      this.report.unreadable.push(`XMP at ${block.offset}: ${end - afterId} bytes, too large to decode`);
      if (this.xmpKept) return this.remove(block, where, 'xmp', `a second ${note}`);
      this.xmpKept = true;
      this.report.findings.push(genericFinding(where, 'XMP', 'XMP metadata (not decoded)', end - afterId));
      this.report.blocks.push({ where, kind: 'xmp', offset: block.offset, length: block.length, note });
      this.kept.push({ type: 'xmp', block, where, packet: '', readable: false });
      return;
    }
    if (this.xmpKept && this.extraPacketsDecoded >= maxDecodedExtraPackets) {
      return this.remove(block, where, 'xmp', 'a further XMP packet (not decoded: too many in one file)');
    }
    // XMP is stored raw, not as sub-blocks; the magic trailer makes sub-block readers skip it.
    const raw = this.source.read(afterId, end - afterId);
    const hasTrailer = raw.length >= xmpMagicTrailer.length && raw.subarray(raw.length - xmpMagicTrailer.length).equals(xmpMagicTrailer);
    const packetBytes = hasTrailer ? raw.subarray(0, raw.length - xmpMagicTrailer.length) : raw.subarray(0, Math.max(0, raw.length - 1));
    const packet = packetBytes.toString('utf8');
    const decoded = reportXmpPacket(packet, where, packetBytes.length);
    if (!hasTrailer) decoded.warnings.push({ code: 'GIF_XMP_NO_MAGIC_TRAILER', message: 'GIF XMP extension lacks its magic trailer', severity: 'info' });
    if (this.xmpKept) {
      this.extraPacketsDecoded++;
      mergeReport(this.report, { ...decoded, findings: [] });
      return this.remove(block, where, 'xmp', 'a second XMP packet', decoded.findings);
    }
    this.xmpKept = true;
    mergeReport(this.report, decoded);
    this.report.blocks.push({ where, kind: 'xmp', offset: block.offset, length: block.length, note: 'XMP' });
    this.kept.push({ type: 'xmp', block, where, packet, readable: true });
  }
}

/** `into` (best-effort inspection, never a plan): read leniently, recording into this report. */
export function analyseGif(source: ByteSource, into?: ContainerReport): GifAnalysis {
  const layout = readGifLayout(source, into?.unreadable);
  const analyser = new Analyser(source, layout.blocks, into);
  layout.blocks.forEach((_, index) => analyser.analyse(index));
  const { report } = analyser;
  if (layout.trailingBytes > 0) {
    analyser.removals.push({ where: 'after trailer', kind: 'trailer', bytes: layout.trailingBytes, note: 'data after the end of the image' });
    report.blocks.push({ where: 'after trailer', kind: 'trailer', offset: layout.trailerOffset + 1, length: layout.trailingBytes, note: 'data after the end of the image' });
    report.findings.push({ category: 'embedded', where: 'after trailer', tag: 'Trailer', label: 'Data after the end of the image', value: layout.trailingBytes, text: `${layout.trailingBytes} bytes` });
  }
  const screenDescriptor = Buffer.from(source.read(6, 7));
  const globalTable = Buffer.from(source.read(13, layout.headLength - 13));
  // The background colour (screen descriptor byte 5) indexes the global table: kept.
  if (!analyser.globalUnknown && globalTable.length > 0) analyser.zeroUnused(globalTable, analyser.globalUsed, 'global colour table', 13, screenDescriptor[5]);
  return { layout, screenDescriptor, globalTable, kept: analyser.kept, removals: analyser.removals, report };
}

/** GIF text is 7-bit ASCII by the spec; UTF-8 is common in practice, Latin-1 otherwise. */
function decodeText(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
}

function shortened(text: string): string {
  return text.length > maxFindingTextChars ? `${text.slice(0, maxFindingTextChars)}…` : text;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function decodeIptcOrIrb(data: Buffer, where: string): Finding[] {
  if (data.toString('latin1', 0, 4) !== '8BIM') return decodeIptc(data, where);
  return readImageResources(data)
    .filter((resource) => resource.id === resourceIds.iptc)
    .flatMap((resource) => decodeIptc(data.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength), where));
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
