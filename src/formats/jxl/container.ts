/**
 * JPEG XL: the ISO/IEC 18181-2 container walked box by box; metadata boxes reported and cut.
 *
 * Kept, written by traceless: the signature box, `ftyp` (brand `jxl `, minor version 0,
 * compatible `jxl `), the level box `jxll` (its one byte re-written) and the frame index `jxli`
 * (re-written from its parsed entries). Copied as image data: the codestream, in one `jxlc` box or
 * in `jxlp` parts (their 4-byte part index written by traceless). Removed: `Exif`, `xml `, `jumb`
 * (C2PA and other JUMBF), `brob` (Brotli-compressed boxes, decompressed under a 16 MB cap only to
 * learn and report what they hold), `jbrd` (JPEG reconstruction data, which can carry the original
 * JPEG's APPn and COM segments) and every unknown box.
 *
 * Nothing needs to stay in place: a JPEG XL container holds no absolute file offsets. `jxli`
 * stores frame offsets in the codestream (the first from the codestream's start, each next one
 * from the previous frame), not in the file, so cutting boxes before or between codestream parts
 * leaves it valid. A bare codestream (`FF 0A`) has no boxes and so no metadata boxes; its
 * orientation lives in the codestream header, which is image data and stays.
 *
 * References: ISO/IEC 18181-2:2024 sections 3 (box structure), 9 (boxes: `JXL `, `ftyp`, `jxll`,
 * `jxli`, `jxlc`, `jxlp`, `Exif`, `xml `, `jumb`, `brob`, `jbrd`); libjxl lib/jxl/decode.cc (box
 * handling: Exif's 4-byte TIFF header offset, brob's inner type, jxlp's part index).
 */
import { formatBytes } from '../../decode/exif.js';
import { genericFinding, reportExifPayload, reportXmpPacket } from '../../decode/payload-report.js';
import { TracelessError, asTracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { BlockKind } from '../../types.js';
import { BoxBudget, payloadSize, payloadStart, printable, readBoxes, type Box } from '../isobmff/boxes.js';
import { PlanBuilder } from '../plan-builder.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { zlib } from '../../io/builtins.js';

export const jxlSignature = Buffer.from('0000000c4a584c200d0a870a', 'hex');
export const codestreamSignature = Buffer.from([0xff, 0x0a]);
/** Decompressed `brob` boxes are limited to this size. */
export const maxBrotliBytes = 16 * 1024 * 1024;
const jxlpIndexBytes = 4;
const jxlpLastPart = 0x80000000;
/**
 * Metadata boxes decoded per file (an EXIF decode or a Brotli decompression costs up to
 * milliseconds): a file repeating thousands of them would otherwise take seconds. Boxes past this
 * are reported undecoded and removed all the same.
 */
export const maxDecodedBoxes = 32;
/** Frames listed in one `jxli` box that are re-written (a real file has one per keyframe). */
const maxFrameIndexEntries = 1_000_000;

export function isJxl(head: Buffer): boolean {
  return (head.length >= 2 && head.subarray(0, 2).equals(codestreamSignature)) || (head.length >= 12 && head.subarray(0, 12).equals(jxlSignature));
}

export interface JxlWalk {
  report: ContainerReport;
  plan: PlanBuilder;
}

/**
 * `forScan`: a file cut short is read as far as it goes and the problem said in `unreadable`
 * (a clean refuses it).
 */
export function walkJxl(source: ByteSource, forScan = false): JxlWalk {
  if (!forScan) return walk(source, false);
  try {
    return walk(source, false);
  } catch (error) {
    const { report, plan } = walk(source, true);
    report.unreadable.push(`JPEG XL structure: ${asTracelessError(error).message}`);
    return { report, plan };
  }
}

/** `lenient`: for a scan's second try, nothing refused, every box read that can be. */
function walk(source: ByteSource, lenient: boolean): JxlWalk {
  const report = emptyReport();
  const plan = new PlanBuilder();
  const head = source.read(0, Math.min(source.size, 12));
  if (head.subarray(0, 2).equals(codestreamSignature)) {
    report.warnings.push({ code: 'JXL_BARE_CODESTREAM', message: 'bare JPEG XL codestream: no metadata boxes (it has no container to hold EXIF or XMP)', severity: 'info' });
    // Where a bare codestream ends only a decoder of its frame headers and TOC can tell, so it is
    // copied whole: bytes appended after it would stay (said in `kept`).
    plan.copyImage(0, source.size).keep('bare codestream: no metadata boxes');
    plan.keep('bare codestream copied whole (bytes appended after its end are not told apart)');
    return { report, plan };
  }
  if (!head.equals(jxlSignature)) throw new TracelessError('UNSUPPORTED_FORMAT', 'not a JPEG XL file (signature missing)');
  const boxes = lenient ? boxesAsFarAsTheyGo(source) : readBoxes(source, 0, source.size, new BoxBudget(), 'file');
  const [, ftyp] = boxes;
  if (!lenient && (!ftyp || ftyp.type !== 'ftyp' || payloadSize(ftyp) < 8 || source.read(payloadStart(ftyp), 4).toString('latin1') !== 'jxl ')) {
    throw new TracelessError('MALFORMED', 'JPEG XL: the signature box is not followed by an `ftyp` box of brand `jxl `');
  }
  plan.bytes(jxlSignature).bytes(box('ftyp', Buffer.from('jxl \0\0\0\0jxl ', 'latin1')));
  plan.keep('JPEG XL container (signature and file type written by traceless)');
  if (ftyp?.type === 'ftyp' && (payloadSize(ftyp) !== 12 || !source.read(payloadStart(ftyp) + 4, 8).equals(Buffer.from('\0\0\0\0jxl ', 'latin1')))) {
    removed(report, plan, 'ftyp', 'other', ftyp, 'file type box re-written (other version or brands dropped)', false);
  }
  let codestream: 'jxlc' | 'jxlp' | undefined;
  let lastPartSeen = false;
  let level = false;
  let frameIndex = false;
  let decoded = 0;
  for (const item of boxes.slice(ftyp?.type === 'ftyp' ? 2 : 1)) {
    const where = `JXL/${printable(item.type).trim() || '?'}`;
    try {
    switch (item.type) {
      case 'jxlc':
        if (codestream && !lenient) throw new TracelessError('MALFORMED', `JPEG XL: a \`jxlc\` box after ${codestream === 'jxlc' ? 'another one' : '`jxlp` parts'}`);
        codestream = 'jxlc';
        plan.bytes(boxHeader('jxlc', payloadSize(item))).copyImage(payloadStart(item), payloadSize(item));
        break;
      case 'jxlp': {
        if (codestream === 'jxlc') throw new TracelessError('MALFORMED', 'JPEG XL: `jxlp` parts beside a `jxlc` box');
        if (lastPartSeen) throw new TracelessError('MALFORMED', 'JPEG XL: a `jxlp` part after the part marked last');
        if (payloadSize(item) < jxlpIndexBytes) throw new TracelessError('MALFORMED', `JPEG XL: \`jxlp\` box at ${item.offset} is too short for its part index`);
        codestream = 'jxlp';
        const index = source.read(payloadStart(item), jxlpIndexBytes).readUInt32BE(0);
        lastPartSeen = (index & jxlpLastPart) !== 0;
        const written = Buffer.alloc(jxlpIndexBytes);
        written.writeUInt32BE(index >>> 0);
        plan.bytes(Buffer.concat([boxHeader('jxlp', payloadSize(item)), written])).copyImage(payloadStart(item) + jxlpIndexBytes, payloadSize(item) - jxlpIndexBytes);
        break;
      }
      case 'jxll': {
        const value = payloadSize(item) >= 1 ? source.read(payloadStart(item), 1)[0]! : undefined;
        if (level || codestream || (value !== 5 && value !== 10)) {
          removed(report, plan, where, 'other', item, level ? 'a second level box' : codestream ? 'a level box after the codestream (readers ignore it)' : 'a level box with a level other than 5 or 10');
          break;
        }
        level = true;
        plan.bytes(box('jxll', Buffer.from([value])));
        plan.keep(`codestream level ${value}`);
        if (payloadSize(item) !== 1) removed(report, plan, where, 'other', item, 'bytes after the level', false);
        break;
      }
      case 'jxli': {
        const rewritten = frameIndex ? undefined : rewriteFrameIndex(source, item);
        if (!rewritten) {
          removed(report, plan, where, 'other', item, frameIndex ? 'a second frame index' : 'a frame index traceless cannot read (it is optional: readers seek without it)');
          break;
        }
        frameIndex = true;
        plan.bytes(box('jxli', rewritten));
        plan.keep('frame index');
        if (rewritten.length !== payloadSize(item)) removed(report, plan, where, 'other', item, 'bytes after the frame index entries', false);
        break;
      }
      default:
        if (++decoded <= maxDecodedBoxes) describe(source, item, where, report);
        else report.findings.push(genericFinding(where, printable(item.type), `Box "${printable(item.type)}" (one metadata box too many to decode)`, payloadSize(item)));
        removed(report, plan, where, kindOf(item.type), item, noteOf(item.type));
    }
    } catch (error) {
      if (!lenient) throw error;
    }
  }
  if (lenient) return { report, plan };
  if (!codestream) throw new TracelessError('MALFORMED', 'JPEG XL: the container holds no codestream (`jxlc` or `jxlp`)');
  if (codestream === 'jxlp' && !lastPartSeen) throw new TracelessError('TRUNCATED', 'JPEG XL: no `jxlp` part is marked last (the file is cut short)');
  return { report, plan };
}

/** Records a removal; `block` false for the slack of a kept box (its finding says so). */
function removed(report: ContainerReport, plan: PlanBuilder, where: string, kind: BlockKind, item: Box, note: string, block = true): void {
  plan.remove(where, kind, item.size, note);
  report.blocks.push({ where, kind, offset: item.offset, length: item.size, note });
  if (!block) report.findings.push({ category: 'other', where, tag: 'Slack', label: `Hidden data in ${where}: ${note}`, value: item.size, text: formatBytes(item.size) });
}

function kindOf(type: string): BlockKind {
  if (type === 'Exif') return 'exif';
  if (type === 'xml ') return 'xmp';
  if (type === 'jumb') return 'c2pa';
  return 'other';
}

function noteOf(type: string): string {
  switch (type) {
    case 'Exif': return 'EXIF metadata';
    case 'xml ': return 'XMP metadata';
    case 'jumb': return 'JUMBF box (C2PA content credentials or other data)';
    case 'brob': return 'Brotli-compressed metadata box';
    case 'jbrd': return 'JPEG reconstruction data (the image decodes the same; the original JPEG file can no longer be rebuilt byte for byte)';
    default: return `unknown box "${printable(type)}"`;
  }
}

function payloadOf(source: ByteSource, item: Box): Buffer | undefined {
  return payloadSize(item) <= limits.maxMetadataBytes ? source.read(payloadStart(item), payloadSize(item)) : undefined;
}

/** Decodes what a removed box holds into the report. */
function describe(source: ByteSource, item: Box, where: string, report: ContainerReport): void {
  try {
    const body = payloadOf(source, item);
    if (!body) {
      report.findings.push(genericFinding(where, printable(item.type), `Box "${printable(item.type)}" (too large to decode)`, payloadSize(item)));
      return;
    }
    if (item.type === 'brob') return describeBrotli(body, where, report);
    describePayload(item.type, body, where, report);
  } catch (error) {
    report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
  }
}

function describePayload(type: string, body: Buffer, where: string, report: ContainerReport): void {
  switch (type) {
    case 'Exif': {
      // A 4-byte big-endian offset from after itself to the TIFF header comes first.
      const offset = body.length >= 4 ? body.readUInt32BE(0) : 0;
      if (body.length < 4 || 4 + offset > body.length) {
        report.unreadable.push(`${where}: EXIF box whose TIFF header offset points past its end`);
        report.findings.push(genericFinding(where, 'EXIF', 'EXIF data (unreadable)', body.length));
        return;
      }
      mergeReport(report, reportExifPayload(body.subarray(4 + offset), where).report);
      return;
    }
    case 'xml ':
      mergeReport(report, reportXmpPacket(body.toString('utf8'), where, body.length));
      return;
    case 'jumb':
      report.findings.push({ category: 'embedded', where, tag: 'JUMBF', label: 'JUMBF box (C2PA content credentials or other data)', value: body.length, text: formatBytes(body.length) });
      return;
    case 'jbrd':
      report.findings.push({ category: 'embedded', where, tag: 'JPEGReconstruction', label: 'JPEG reconstruction data', value: body.length, text: formatBytes(body.length) });
      report.unreadable.push(`${where}: JPEG reconstruction data is not decoded by traceless; it can hold the original JPEG's APPn and COM segments`);
      return;
    default:
      report.findings.push(genericFinding(where, printable(type), `Unknown box "${printable(type)}"`, body.length));
  }
}

function describeBrotli(body: Buffer, where: string, report: ContainerReport): void {
  if (body.length < 4) {
    report.findings.push(genericFinding(where, 'brob', 'Compressed box too short for its type', body.length));
    return;
  }
  const inner = body.toString('latin1', 0, 4);
  const innerWhere = `${where}(${printable(inner).trim() || '?'})`;
  let data: Buffer;
  try {
    data = zlib().brotliDecompressSync(body.subarray(4), { maxOutputLength: maxBrotliBytes });
  } catch (error) {
    const code = (error as { code?: string }).code;
    report.findings.push(genericFinding(innerWhere, 'brob', `Compressed "${printable(inner)}" box (not decompressed)`, body.length));
    report.unreadable.push(`${innerWhere}: compressed box ${code === 'ERR_BUFFER_TOO_LARGE' ? `larger than ${formatBytes(maxBrotliBytes)} once decompressed` : 'that does not decompress'}; clean removes it`);
    return;
  }
  describePayload(inner, data, innerWhere, report);
}

function boxHeader(type: string, payloadLength: number): Buffer {
  if (8 + payloadLength <= 0xffffffff) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + payloadLength);
    header.write(type, 4, 'latin1');
    return header;
  }
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(16 + payloadLength), 8);
  return header;
}

function box(type: string, payload: Buffer): Buffer {
  return Buffer.concat([boxHeader(type, payload.length), payload]);
}

/** An 18181-2 Varint (7 bits a byte, least significant first; at most 63 bits). */
function readVarint(data: Buffer, cursor: { at: number }): bigint | undefined {
  let value = 0n;
  for (let shift = 0n; shift < 63n; shift += 7n) {
    if (cursor.at >= data.length) return undefined;
    const byte = data[cursor.at++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return value;
  }
  return undefined;
}

function writeVarint(value: bigint): Buffer {
  const bytes: number[] = [];
  do {
    const low = Number(value & 0x7fn);
    value >>= 7n;
    bytes.push(value > 0n ? low | 0x80 : low);
  } while (value > 0n);
  return Buffer.from(bytes);
}

/**
 * `jxli`: NF (Varint), TNUM and TDEN (32-bit), then NF entries of OFFi, Ti, Fi (Varints): offsets
 * in the codestream, ticks and frame counts. Re-written from the parsed values; undefined when the
 * box does not parse.
 */
function rewriteFrameIndex(source: ByteSource, item: Box): Buffer | undefined {
  const body = payloadOf(source, item);
  if (!body) return undefined;
  const cursor = { at: 0 };
  const count = readVarint(body, cursor);
  if (count === undefined || count > BigInt(maxFrameIndexEntries) || cursor.at + 8 > body.length) return undefined;
  const ticks = Buffer.alloc(8);
  ticks.writeUInt32BE(body.readUInt32BE(cursor.at), 0); // TNUM
  ticks.writeUInt32BE(body.readUInt32BE(cursor.at + 4), 4); // TDEN
  cursor.at += 8;
  const parts: Buffer[] = [writeVarint(count), ticks];
  for (let index = 0n; index < count * 3n; index++) {
    const value = readVarint(body, cursor);
    if (value === undefined) return undefined;
    parts.push(writeVarint(value));
  }
  return Buffer.concat(parts);
}

/** For a scan of a file that does not walk cleanly: boxes one at a time, the last one cut to the file. */
function boxesAsFarAsTheyGo(source: ByteSource): Box[] {
  const boxes: Box[] = [];
  const budget = new BoxBudget();
  for (let offset = 0; offset + 8 <= source.size;) {
    budget.take();
    const header = source.read(offset, 8);
    let size = header.readUInt32BE(0);
    let headerSize = 8;
    if (size === 1 && offset + 16 <= source.size) {
      size = Number(source.read(offset + 8, 8).readBigUInt64BE(0));
      headerSize = 16;
    } else if (size === 0) size = source.size - offset;
    if (size < headerSize) break;
    boxes.push({ type: header.toString('latin1', 4, 8), offset, headerSize, size: Math.min(size, source.size - offset) });
    offset += size;
  }
  return boxes;
}
