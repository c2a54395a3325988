/**
 * The clean plan for Matroska/WebM: every element keeps its place and length, so SeekHead and
 * Cues offsets stay valid and a 4 GB file streams through at copy speed.
 * References: RFC 9559 (Matroska) §5.1 (elements), §6.2 (unknown-size Segment/Cluster), §25
 * (SeekHead and Cues positions are relative to the Segment data); RFC 8794 (EBML) §11.3.2 (Void:
 * "used to void data", the way Matroska is edited in place); https://www.matroska.org/technical/elements.html.
 *
 * - Headers of kept masters, and kept leaves, are written by traceless from parsed values (IDs,
 *   size integers at their original width, numbers, validated codes); strings are zero-padded
 *   to their length (RFC 8794 §7.4 allows it).
 * - Removed elements become a `Void` of the same total length with zero data. Every element is at
 *   least two bytes, so a Void always fits; a single stray byte at the end of a master is folded
 *   into the Void before it, or the file is refused.
 * - SimpleBlocks and BlockGroups (the coded frames, with their block headers) are copied byte for
 *   byte as samples; a BlockGroup holding anything but block parts is re-written part by part.
 */
import { TracelessError, internalError } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import type { BlockKind } from '../../types.js';
import { PlanBuilder } from '../plan-builder.js';
import type { CleanPlan, PlanOptions } from '../types.js';
import { WalkBudget, elementAt, encodeId, maxHeaderLength, writeHeader, endOf, idLengthOf, readHeader, readUnsigned, voidId, voidSizeWidth, writeUnsigned, type ElementHeader } from './ebml.js';
import { blockGroupChildren, clusterChildren, elementName, elementTypes, ids } from './elements.js';
import { actionFor, tagKeptWithoutLocation, seekTargetKept, segmentAction, stringRules, type PolicyOptions } from './policy.js';

/** Kept text longer than this is voided instead (no real name, code or title is this long). */
const maxKeptTextBytes = 64 * 1024;
/** Bytes of written structure gathered before they become one plan piece. */
const flushBytes = 64 * 1024;
/** Window for checking that a Void's data is already zero. */
const zeroCheckWindow = 1024 * 1024;

/** Gathers written bytes into few pieces; a Void's header is held back so a stray byte can join it. */
class Emitter {
  /** Written bytes gathered here, then handed to the builder as one piece. */
  private chunk = Buffer.alloc(flushBytes);
  private used = 0;
  /** A Void not yet written: its total length (header + zeros). */
  private heldVoid = 0;

  constructor(readonly builder: PlanBuilder) {}

  bytes(data: Buffer): void {
    this.releaseVoid();
    this.append(data);
  }

  /** An element header written from its parsed ID and size, at the size VINT's original width. */
  header(id: number, size: number | undefined, sizeLength: number): void {
    this.releaseVoid();
    if (this.used + maxHeaderLength > this.chunk.length) this.flush();
    this.used += writeHeader(this.chunk, this.used, id, size, sizeLength);
  }

  samples(offset: number, length: number): void {
    this.releaseVoid();
    this.flush();
    this.builder.copySamples(offset, length);
  }

  /** A Void of `total` bytes. */
  void(total: number): void {
    this.releaseVoid();
    this.heldVoid = total;
  }

  /** Folds one stray byte into the Void just written; false when the last thing written was not a Void. */
  extendVoid(): boolean {
    if (this.heldVoid === 0) return false;
    this.heldVoid += 1;
    return true;
  }

  /** Zeros inside written structure (short runs join the chunk, long ones are a zeros piece). */
  zeros(length: number): void {
    this.releaseVoid();
    if (length <= 256) {
      if (this.used + length > this.chunk.length) this.flush();
      this.chunk.fill(0, this.used, this.used + length);
      this.used += length;
      return;
    }
    this.flush();
    this.builder.zeros(length);
  }

  finish(): void {
    this.releaseVoid();
    this.flush();
  }

  private append(data: Buffer): void {
    if (this.used + data.length > this.chunk.length) this.flush();
    if (data.length > this.chunk.length) {
      this.builder.bytes(Buffer.from(data));
      return;
    }
    data.copy(this.chunk, this.used);
    this.used += data.length;
  }

  private releaseVoid(): void {
    if (this.heldVoid === 0) return;
    const total = this.heldVoid;
    this.heldVoid = 0;
    // ID 0xEC and the narrowest size VINT that makes the total exact (see voidHeader).
    const width = voidSizeWidth(total);
    this.header(voidId, total - 1 - width, width);
    this.zeros(total - 1 - width);
  }

  private flush(): void {
    if (this.used === 0) return;
    this.builder.bytes(Buffer.from(this.chunk.subarray(0, this.used)));
    this.used = 0;
  }
}

interface Removal {
  kind: BlockKind;
  bytes: number;
  count: number;
}

const textIds: ReadonlySet<number> = new Set([ids.tags, ids.title, ids.name, ids.chapterDisplay, ids.editionDisplay, ids.simpleTag]);

/** What a removed element is, for the report. */
function kindOf(id: number): BlockKind {
  if (id === ids.dateUtc) return 'timestamp';
  if (id === ids.attachments) return 'thumbnail';
  if (id === ids.muxingApp || id === ids.writingApp || id === ids.codecName) return 'vendor';
  if (textIds.has(id)) return 'text';
  return 'other';
}

class MatroskaCleaner {
  private readonly emit: Emitter;
  private readonly budget = new WalkBudget(limits.maxBoxCount);
  /** TrackEntry elements met so far (limits.maxTrackCount). */
  private trackEntries = 0;
  private readonly removals = new Map<string, Removal>();

  constructor(
    private readonly source: ByteSource,
    private readonly options: PolicyOptions,
    builder: PlanBuilder,
  ) {
    this.emit = new Emitter(builder);
  }

  run(): void {
    const size = this.source.size;
    let offset = 0;
    while (offset < size) {
      if (!elementAt(this.source, offset, size)) {
        this.stray(offset, size, 'trailing bytes', true);
        break;
      }
      this.budget.step();
      const header = readHeader(this.source, offset, size);
      if (header.id === ids.ebml) {
        if (header.size === undefined) throw new TracelessError('MALFORMED', 'the EBML header has an unknown size');
        this.master(header, 'EBML', 1);
        offset = endOf(header);
      } else if (header.id === ids.segment) {
        offset = this.segment(header);
      } else {
        if (header.size === undefined) throw new TracelessError('MALFORMED', `top-level element 0x${header.id.toString(16)} has an unknown size`);
        this.voidElement(header, elementName(header.id), 'other', header.id === ids.void);
        offset = endOf(header);
      }
    }
    this.emit.finish();
    for (const [where, removal] of this.removals) {
      this.emit.builder.remove(where, removal.kind, removal.bytes, removal.count > 1 ? `${removal.count} elements` : undefined);
    }
  }

  private record(where: string, kind: BlockKind, bytes: number): void {
    const removal = this.removals.get(where) ?? { kind, bytes: 0, count: 0 };
    removal.bytes += bytes;
    removal.count += 1;
    this.removals.set(where, removal);
  }

  /** The Segment; returns where the next top-level element starts. */
  private segment(header: ElementHeader): number {
    const end = header.size === undefined ? this.source.size : endOf(header);
    this.emit.header(header.id, header.size, header.sizeLength);
    let offset = header.dataOffset;
    while (offset < end) {
      if (!elementAt(this.source, offset, end)) {
        this.stray(offset, end, 'Segment/trailing bytes', false);
        return end;
      }
      this.budget.step();
      const child = readHeader(this.source, offset, end);
      // A live stream's unknown-size Segment ends where the next EBML stream starts.
      if (header.size === undefined && (child.id === ids.ebml || child.id === ids.segment)) return offset;
      if (child.id === ids.cluster) {
        offset = this.cluster(child, end);
        continue;
      }
      if (child.size === undefined) throw new TracelessError('MALFORMED', `Matroska ${elementName(child.id)} has an unknown size`);
      const where = `Segment/${elementName(child.id)}`;
      if (segmentAction(child.id, this.options) === 'master') this.master(child, where, 1);
      else if (child.id === ids.void) this.voidElement(child, where, 'other', true);
      else this.voidElement(child, where, kindOf(child.id));
      offset = endOf(child);
    }
    return end;
  }

  /** A Cluster: block elements copied as samples, timing re-written, anything else voided. */
  private cluster(header: ElementHeader, segmentEnd: number): number {
    this.emit.header(header.id, header.size, header.sizeLength);
    const end = header.size === undefined ? segmentEnd : endOf(header);
    let offset = header.dataOffset;
    while (offset < end) {
      if (header.size === undefined) {
        // An unknown-size Cluster ends at the first element that cannot be its child (RFC 9559 §6.2).
        if (!elementAt(this.source, offset, end)) return offset;
        const peek = readHeader(this.source, offset, end);
        if (!clusterChildren.has(peek.id)) return offset;
      }
      this.budget.step();
      const child = readHeader(this.source, offset, end);
      if (child.size === undefined) throw new TracelessError('MALFORMED', 'a Cluster child has an unknown size');
      const childEnd = endOf(child);
      if (child.id === ids.simpleBlock) this.emit.samples(child.offset, childEnd - child.offset);
      else if (child.id === ids.blockGroup) this.blockGroup(child);
      else if (child.id === ids.timestamp || child.id === ids.position || child.id === ids.prevSize) this.leaf(child, 'Segment/Cluster');
      else if (child.id === ids.void) this.voidElement(child, 'Segment/Cluster/Void', 'other', true);
      else this.voidElement(child, `Segment/Cluster/${elementName(child.id)}`, 'other');
      offset = childEnd;
    }
    return end;
  }

  private blockGroup(header: ElementHeader): void {
    const end = endOf(header);
    const parts: ElementHeader[] = [];
    for (let offset = header.dataOffset; offset < end; ) {
      this.budget.step();
      const part = readHeader(this.source, offset, end);
      if (part.size === undefined) throw new TracelessError('MALFORMED', `Matroska ${elementName(part.id)} in a BlockGroup has an unknown size`);
      parts.push(part);
      offset = endOf(part);
    }
    if (parts.every((part) => blockGroupChildren.has(part.id))) {
      this.emit.samples(header.offset, end - header.offset);
      return;
    }
    this.emit.header(header.id, header.size, header.sizeLength);
    for (const part of parts) {
      if (blockGroupChildren.has(part.id)) this.emit.samples(part.offset, endOf(part) - part.offset);
      else this.voidElement(part, `Segment/Cluster/BlockGroup/${elementName(part.id)}`, 'other', part.id === ids.void);
    }
  }

  /** A master re-written by the keep-list: header from parsed fields, then each child. */
  private master(header: ElementHeader, where: string, depth: number): void {
    WalkBudget.depth(depth);
    if (this.dropWhole(header)) {
      this.voidElement(header, where, header.id === ids.simpleTag ? 'text' : 'other');
      return;
    }
    const end = endOf(header);
    this.emit.header(header.id, header.size, header.sizeLength);
    let offset = header.dataOffset;
    while (offset < end) {
      if (!elementAt(this.source, offset, end)) {
        this.stray(offset, end, `${where}/trailing bytes`, false);
        return;
      }
      this.budget.step();
      const child = readHeader(this.source, offset, end);
      if (child.size === undefined) throw new TracelessError('MALFORMED', `Matroska ${elementName(child.id)} in ${where} has an unknown size`);
      // Counted over the whole file: a crafted one repeats Tracks itself, which may occur once.
      if (child.id === ids.trackEntry && ++this.trackEntries > limits.maxTrackCount) throw new TracelessError('LIMIT_EXCEEDED', `Matroska file holds more than the maximum of ${limits.maxTrackCount} tracks`);
      const childWhere = () => `${where}/${elementName(child.id)}`;
      const action = actionFor(header.id, child.id, this.options);
      const type = elementTypes.get(child.id);
      if (action === 'master' && type === 'master') this.master(child, childWhere(), depth + 1);
      else if (action === 'keep' && type !== undefined && type !== 'master') this.leaf(child, where);
      else if (action === 'samples') {
        this.emit.header(child.id, child.size, child.sizeLength);
        this.emit.samples(child.dataOffset, child.size);
      } else if (action === 'empty') this.emptyString(child, childWhere());
      else if (child.id === ids.void) this.voidElement(child, childWhere(), 'other', true);
      else this.voidElement(child, childWhere(), kindOf(child.id));
      offset = endOf(child);
    }
  }

  /** Masters removed as a whole after a look inside: seek entries to removed elements, tags naming a place. */
  private dropWhole(header: ElementHeader): boolean {
    if (header.id === ids.seek) {
      const target = this.firstChild(header, ids.seekId);
      return target === undefined || !seekTargetKept(this.seekTarget(target) ?? -1, this.options);
    }
    if (header.id === ids.simpleTag) {
      const name = this.firstChild(header, ids.tagName);
      return name === undefined || !tagKeptWithoutLocation(this.text(name, 'utf8') ?? '');
    }
    return false;
  }

  private firstChild(header: ElementHeader, id: number): ElementHeader | undefined {
    for (let offset = header.dataOffset; offset < endOf(header); ) {
      if (!elementAt(this.source, offset, endOf(header))) return undefined;
      const child = readHeader(this.source, offset, endOf(header));
      if (child.size === undefined) return undefined;
      if (child.id === id) return child;
      offset = endOf(child);
    }
    return undefined;
  }

  /** The ID a SeekID holds, when it is one. */
  private seekTarget(header: ElementHeader): number | undefined {
    if (header.size === undefined || header.size < 1 || header.size > 4) return undefined;
    const bytes = this.source.read(header.dataOffset, header.size);
    // The ID's own marker bit must give the length the SeekID has (RFC 8794 §5).
    return idLengthOf(bytes[0]!) === header.size ? bytes.readUIntBE(0, header.size) : undefined;
  }

  /** Text of a string element up to its first NUL, when it is short enough to keep. */
  private text(header: ElementHeader, encoding: 'latin1' | 'utf8'): string | undefined {
    if (header.size === undefined || header.size > maxKeptTextBytes) return undefined;
    const bytes = this.source.read(header.dataOffset, header.size);
    const nul = bytes.indexOf(0);
    return bytes.toString(encoding, 0, nul === -1 ? bytes.length : nul);
  }

  /** A kept leaf re-written from its parsed value at its own length; voided when the value does not parse. */
  private leaf(header: ElementHeader, parentWhere: string): void {
    const where = () => `${parentWhere}/${elementName(header.id)}`;
    const size = header.size!;
    const original = size <= maxKeptTextBytes ? this.source.read(header.dataOffset, size) : undefined;
    const value = original && this.encodeValue(header, original);
    if (!value) {
      this.voidElement(header, where(), 'other');
      return;
    }
    this.emit.header(header.id, size, header.sizeLength);
    this.emit.bytes(value);
    // Bytes after a string's end, a non-canonical float: what differs was not part of the value.
    if (!value.equals(original!)) this.record(`${where()} (bytes after its value)`, 'other', size);
  }

  private encodeValue(header: ElementHeader, original: Buffer): Buffer | undefined {
    const size = original.length;
    switch (elementTypes.get(header.id)) {
      case 'uint':
      case 'int':
        if (size > 8) return undefined;
        // Up to six bytes fit a double exactly; wider ones go through bigint.
        if (size === 0) return Buffer.alloc(0);
        if (size <= 6) {
          const out = Buffer.allocUnsafe(size);
          out.writeUIntBE(original.readUIntBE(0, size), 0, size);
          return out;
        }
        return writeUnsigned(readUnsigned(original), size);
      case 'date': {
        if (size !== 8 && size !== 0) return undefined;
        const out = Buffer.alloc(size);
        if (size === 8) out.writeBigInt64BE(original.readBigInt64BE(0));
        return out;
      }
      case 'float': {
        const out = Buffer.alloc(size);
        if (size === 4) out.writeFloatBE(original.readFloatBE(0));
        else if (size === 8) out.writeDoubleBE(original.readDoubleBE(0));
        else if (size !== 0) return undefined;
        return out;
      }
      case 'string': {
        const text = this.text(header, 'latin1') ?? '';
        const rule = stringRules.get(header.id);
        if (rule && !rule.test(text)) return undefined;
        if (!/^[\x20-\x7e]*$/.test(text)) return undefined;
        const out = Buffer.alloc(size);
        out.write(text, 'latin1');
        return out;
      }
      case 'utf8': {
        const text = (this.text(header, 'utf8') ?? '').replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '');
        const encoded = Buffer.from(text, 'utf8');
        if (encoded.length > size) return undefined;
        const out = Buffer.alloc(size);
        encoded.copy(out);
        return out;
      }
      case 'binary': {
        if (header.id !== ids.seekId) return undefined;
        const target = this.seekTarget(header);
        return target === undefined ? undefined : encodeId(target);
      }
      default:
        return undefined;
    }
  }

  /** A mandatory string (MuxingApp, WritingApp) written empty: its header, then zeros. */
  private emptyString(header: ElementHeader, where: string): void {
    const size = header.size!;
    this.emit.header(header.id, size, header.sizeLength);
    this.emit.zeros(size);
    if (!this.isZero(header.dataOffset, size)) this.record(where, kindOf(header.id), size);
  }

  /** Replaces an element by a Void of the same total length. An already-zero Void is not a removal. */
  private voidElement(header: ElementHeader, where: string, kind: BlockKind, isVoid = false): void {
    const total = endOf(header) - header.offset;
    this.emit.void(total);
    if (!isVoid || !this.isZero(header.dataOffset, header.size!)) this.record(where, kind, total);
  }

  /** Bytes at `[offset, end)` that cannot start an element: a Void when two or more, else folded into the Void before. */
  private stray(offset: number, end: number, where: string, topLevel: boolean): void {
    const length = end - offset;
    const zero = this.isZero(offset, length);
    if (length >= 2) this.emit.void(length);
    else if (!this.emit.extendVoid()) {
      if (!topLevel) throw new TracelessError('MALFORMED', `a stray byte in ${where.replace(/\/trailing bytes$/, '')} that cannot be removed without moving data`);
      this.emit.zeros(length);
    }
    // A Void traceless wrote reads back as an element, so only non-zero bytes are a removal.
    if (!zero) this.record(where, 'other', length);
  }

  private isZero(offset: number, length: number): boolean {
    const whole = this.source.wholeBuffer;
    if (whole && offset + length <= whole.length) {
      for (let at = offset; at < offset + length; at++) if (whole[at] !== 0) return false;
      return true;
    }
    for (let at = offset; at < offset + length; at += zeroCheckWindow) {
      const window = this.source.read(at, Math.min(zeroCheckWindow, offset + length - at));
      for (const byte of window) if (byte !== 0) return false;
    }
    return true;
  }
}

export function buildMatroskaPlan(source: ByteSource, options: PlanOptions): CleanPlan {
  const builder = new PlanBuilder();
  new MatroskaCleaner(source, { mode: options.mode, keepDates: options.keepDates }, builder).run();
  if (builder.outputLength !== source.size) throw internalError(`the Matroska plan writes ${builder.outputLength} bytes for ${source.size}`);
  builder.keep('track and codec set-up, timing, seek and cue positions (re-written from parsed values)');
  if (options.mode === 'location') builder.keep('the date, software names and tags that name no place (ENCODER, DATE_*, DURATION, …)');
  return builder.build();
}
