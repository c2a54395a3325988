/**
 * The keep-list of MP4/MOV structure, applied at every depth: every box outside `mdat` is either
 * re-written by traceless from the fields it parsed (header, then exactly its defined fields, then
 * zeros where slack was) or replaced by a `free` box of the same size whose payload is all zeros.
 * Nothing moves, so chunk offsets stay valid.
 *
 * References: ISO/IEC 14496-12:2022 §4.2 (boxes), §8 (the movie, track, media, sample table and
 * fragment boxes), §4.3 (ftyp brands, MP4RA register https://mp4ra.org/registered-types/brands);
 * ISO/IEC 14496-1 §7.2.6 (InitialObjectDescriptor in `iods`); Apple QuickTime File Format.
 *
 * `udta`, `meta` and XMP `uuid` boxes at the levels where the metadata walker (walk.ts) reads them
 * are delegated to it: in location mode it keeps what it knows holds no place. Everywhere else
 * (inside `minf`, `stbl`, a sample entry, a fragment…) they are removed like any unknown box.
 */
import { TracelessError } from '../../errors.js';
import { limits } from '../../limits.js';
import { uint32At, type ByteSource } from '../../io/source.js';
import { formatBytes } from '../../decode/exif.js';
import type { BlockKind, CleanMode } from '../../types.js';
import type { ContainerReport, PlanRemoval } from '../types.js';
import { BoxBudget, payloadSize, payloadStart, printable, readBoxes, readChildren, type Box } from '../isobmff/boxes.js';
import { isAllZero } from './bytes.js';
import { containerBoxes, leafFields, type FieldContext } from './box-fields.js';
import { registeredBrand } from './brands.js';
import { codecConfigurationBoxes, compressorNameLength, compressorNameOffset, decodingCompressorNames, entryStringCount, sampleEntryLayout } from './sample-entry.js';
import { loadSlice } from './slice-source.js';
import { codecConfigurationLength, colourProfileKind, decodesSamples, hasKnownLayout } from './codec-config.js';
import { sanitiseIccProfile } from '../../decode/icc.js';
import { emitProperty } from '../heif/property-emit.js';
import { readDescriptor } from '../isobmff/descriptor.js';

const paddingTypes = new Set(['free', 'skip', 'wide']);
/** Boxes the metadata walker reads (and, in location mode, partly keeps) at these levels. */
const delegatedTypes = new Set(['udta', 'meta', 'uuid']);
const delegatingParents = new Set(['file', 'moov', 'trak', 'mdia']);
/** Top-level boxes the walker judges (previews, producer times). */
const delegatedTopLevel = new Set(['PICT', 'pnot', 'prft']);

/** Which children each kept container may keep; anything else is removed. */
const keptChildren: Record<string, ReadonlySet<string>> = {
  file: new Set(['ftyp', 'styp', 'moov', 'mdat', 'moof', 'mfra', 'sidx', 'pdin']),
  moov: new Set(['mvhd', 'trak', 'mvex', 'iods']),
  trak: new Set(['tkhd', 'mdia', 'edts', 'tref', 'tapt', 'load']),
  edts: new Set(['elst']),
  mdia: new Set(['mdhd', 'hdlr', 'minf']),
  minf: new Set(['vmhd', 'smhd', 'hmhd', 'nmhd', 'sthd', 'gmhd', 'hdlr', 'dinf', 'stbl']),
  gmhd: new Set(['gmin', 'text', 'tmcd']),
  dinf: new Set(['dref']),
  stbl: new Set(['stsd', 'stts', 'ctts', 'cslg', 'stss', 'stps', 'stsh', 'sdtp', 'stsc', 'stsz', 'stz2', 'stco', 'co64', 'sbgp', 'sgpd']),
  mvex: new Set(['mehd', 'trex']),
  moof: new Set(['mfhd', 'traf']),
  traf: new Set(['tfhd', 'tfdt', 'trun', 'sbgp', 'sgpd']),
  mfra: new Set(['tfra', 'mfro']),
  tapt: new Set(['clef', 'prof', 'enof']),
};

/** Fields of `hdlr` before its name: version/flags, pre_defined, handler type, 12 reserved bytes. */
const handlerFieldsLength = 24;
/** QuickTime `gmhd/text`: a 36-byte matrix. */
const textMediaFieldsLength = 36;
/** QuickTime `tcmi`: version/flags, font, face, size, reserved, text and background colours, then a Pascal font name. */
const timecodeMediaFieldsLength = 24;
const selfContained = 0x000001;

/** What a top-level box becomes in the output. */
export type Region = { kind: 'bytes'; data: Buffer } | { kind: 'free'; header: Buffer; zeros: number } | { kind: 'media' };

export interface StructureInput {
  source: ByteSource;
  /** The `moov` box held in memory (file offsets). */
  movie: ByteSource;
  boxes: readonly Box[];
  mode: CleanMode;
  /** Offsets of `trak` boxes the walker removes, and their track IDs. */
  droppedTracks: ReadonlySet<number>;
  droppedTrackIds: ReadonlySet<number>;
  report: ContainerReport;
  budget: BoxBudget;
}

export interface StructureResult {
  regions: Map<number, Region>;
  removed: PlanRemoval[];
  refusals: string[];
}

interface TrackContext extends FieldContext {
  handler: string;
  where: string;
  dropped: boolean;
}

/** Pieces up to this size (box headers, small fields) are copied byte by byte: cheaper than a set() call. */
const smallPieceBytes = 32;

/** An output region under construction: zeros until a kept field is written into it. */
class RegionWriter {
  readonly out: Buffer;
  constructor(
    readonly source: ByteSource,
    readonly base: number,
    size: number,
  ) {
    this.out = Buffer.alloc(size);
  }

  copy(offset: number, length: number): void {
    if (length > 0) this.put(this.source.read(offset, length), offset - this.base);
  }

  write(offset: number, data: Buffer): void {
    this.put(data, offset - this.base);
  }

  /** `data.copy(out, at)`; most pieces are box headers of 8 bytes, for which set() spares a native call. */
  private put(data: Buffer, at: number): void {
    const out = this.out;
    if (at < 0 || at + data.length > out.length) {
      data.copy(out, at);
    } else if (data.length <= smallPieceBytes) {
      for (let index = 0; index < data.length; index++) out[at + index] = data[index]!;
    } else {
      out.set(data, at);
    }
  }
}

/** A box header re-emitted from its parsed fields (same size form, so nothing moves). */
export function boxHeader(source: ByteSource, box: Box, type = box.type): Buffer {
  const sizeField = uint32At(source, box.offset);
  const header = Buffer.alloc(sizeField === 1 ? 16 : 8);
  header.writeUInt32BE(sizeField, 0);
  // As header.write(type, 4, 'latin1') would, without a native call per box.
  for (let index = 0; index < 4 && index < type.length; index++) header[4 + index] = type.charCodeAt(index) & 0xff;
  if (sizeField === 1) header.writeBigUInt64BE(BigInt(box.size), 8);
  return header;
}

export function analyseStructure(input: StructureInput): StructureResult {
  const structure = new Structure(input);
  structure.run();
  return { regions: structure.regions, removed: structure.removed, refusals: structure.refusals };
}

class Structure {
  readonly regions = new Map<number, Region>();
  readonly removed: PlanRemoval[] = [];
  readonly refusals: string[] = [];
  private readonly trackIds = new Set<number>();

  constructor(private readonly input: StructureInput) {}

  private get locationMode(): boolean {
    return this.input.mode === 'location';
  }

  run(): void {
    for (const box of this.input.boxes) this.topLevel(box);
  }

  // ---- reporting ------------------------------------------------------------------------------

  private reportRemoval(where: string, box: Box, label: string, note: string, kind: BlockKind = 'other', bytes = box.size): void {
    this.input.report.findings.push({ category: 'other', where, tag: box.type, label, value: bytes, text: formatBytes(bytes) });
    this.input.report.blocks.push({ where, kind, offset: box.offset, length: box.size, note });
    this.removed.push({ where, kind, bytes, note });
  }

  private refuse(reason: string): void {
    if (!this.refusals.includes(reason)) this.refusals.push(reason);
  }

  // ---- top level ------------------------------------------------------------------------------

  private topLevel(box: Box): void {
    const where = printable(box.type);
    const { source } = this.input;
    if (box.type === 'mdat') {
      this.regions.set(box.offset, { kind: 'media' });
      return;
    }
    if (paddingTypes.has(box.type)) {
      if (!this.zeroFrom(source, payloadStart(box), payloadSize(box))) this.reportRemoval(where, box, 'Leftover bytes in padding', 'leftover bytes in free space zeroed', 'other', payloadSize(box));
      this.regions.set(box.offset, { kind: 'free', header: boxHeader(source, box), zeros: payloadSize(box) });
      return;
    }
    const delegated = delegatedTypes.has(box.type) || delegatedTopLevel.has(box.type);
    if (!delegated && !keptChildren.file!.has(box.type)) {
      this.reportRemoval(where, box, `Unknown box '${printable(box.type)}'`, 'unknown box (its content cannot be checked)');
      this.regions.set(box.offset, { kind: 'free', header: boxHeader(source, box, 'free'), zeros: box.size - boxHeader(source, box).length });
      return;
    }
    if (delegated && !this.keepsDelegated(box)) {
      // The walker reports and removes it; its place becomes zeros.
      this.regions.set(box.offset, { kind: 'free', header: boxHeader(source, box, 'free'), zeros: box.size - boxHeader(source, box).length });
      return;
    }
    const slice = box.type === 'moov' ? this.input.movie : loadSlice(source, box.offset, box.size, limits.maxMetadataBytes, `'${where}' box`);
    const writer = new RegionWriter(slice, box.offset, box.size);
    // A producer reference time is kept with its defined fields only (like any kept leaf).
    if (delegated && box.type !== 'prft') writer.copy(box.offset, box.size);
    else if (box.type === 'ftyp' || box.type === 'styp') this.fileType(writer, box, where);
    else if (box.type === 'moov') this.movie(writer, box);
    else this.kept(writer, box, 'file', undefined, 1, where);
    this.regions.set(box.offset, { kind: 'bytes', data: writer.out });
  }

  /** Delegated boxes the walker keeps (location mode: user data, metadata, XMP; producer times unless dropped). */
  private keepsDelegated(box: Box): boolean {
    if (box.type === 'PICT' || box.type === 'pnot') return false;
    if (box.type === 'prft') return true;
    if (box.type === 'uuid') return this.locationMode && box.uuid === xmpUuid;
    return this.locationMode;
  }

  /** True when `[start, start + length)` of `source` is all zeros (read in bounded chunks). */
  private zeroFrom(source: ByteSource, start: number, length: number): boolean {
    const chunk = 4 * 1024 * 1024;
    for (let done = 0; done < length; done += chunk) {
      if (!isAllZero(source.read(start + done, Math.min(chunk, length - done)))) return false;
    }
    return true;
  }

  /** `ftyp`/`styp`: brands not in the MP4RA register become the major brand (the list keeps its length). */
  private fileType(writer: RegionWriter, box: Box, where: string): void {
    const payload = writer.source.read(payloadStart(box), payloadSize(box));
    if (payload.length < 8) throw new TracelessError('MALFORMED', `${where}: box is too small for its brands`);
    writer.write(box.offset, boxHeader(writer.source, box));
    const brands: string[] = [];
    for (let at = 8; at + 4 <= payload.length; at += 4) brands.push(payload.toString('latin1', at, at + 4));
    const major = payload.toString('latin1', 0, 4);
    const newMajor = registeredBrand(major) ? major : brands.find(registeredBrand) ?? 'isom';
    const unknown = [major, ...brands].filter((brand) => !registeredBrand(brand));
    const out = Buffer.alloc(payload.length);
    out.write(newMajor, 0, 'latin1');
    payload.copy(out, 4, 4, 8); // minor version: a number
    brands.forEach((brand, index) => out.write(registeredBrand(brand) ? brand : newMajor, 8 + index * 4, 'latin1'));
    writer.write(payloadStart(box), out);
    const tail = payload.length - 8 - brands.length * 4;
    if (unknown.length > 0) this.reportRemoval(where, box, `Unregistered brands ${unknown.map((brand) => `'${printable(brand)}'`).join(', ')}`, 'unregistered brands replaced', 'other', unknown.length * 4);
    if (tail > 0 && !isAllZero(payload.subarray(payload.length - tail))) this.reportRemoval(where, box, 'Bytes after the brand list', 'bytes after the brand list zeroed', 'other', tail);
  }

  // ---- moov -----------------------------------------------------------------------------------

  private movie(writer: RegionWriter, moov: Box): void {
    for (const child of readChildren(writer.source, moov, this.input.budget, 1)) {
      if (child.type !== 'trak') continue;
      const tkhd = readChildren(writer.source, child, this.input.budget, 2).find((box) => box.type === 'tkhd');
      if (tkhd && payloadSize(tkhd) >= 16) {
        const version = writer.source.read(payloadStart(tkhd), 1)[0];
        this.trackIds.add(writer.source.read(payloadStart(tkhd) + (version === 1 ? 20 : 12), 4).readUInt32BE(0));
      }
    }
    this.kept(writer, moov, 'file', undefined, 1, 'moov');
  }

  /** A box whose type is on its parent's keep-list. */
  private kept(writer: RegionWriter, box: Box, parent: string, track: TrackContext | undefined, depth: number, where: string): void {
    const source = writer.source;
    if (containerBoxes.has(box.type) || (box.type === 'tmcd' && parent === 'gmhd')) {
      if (box.type === 'traf' && this.droppedFragment(source, box)) {
        writer.write(box.offset, boxHeader(source, box, 'free'));
        this.removed.push({ where, kind: 'telemetry', bytes: box.size, note: 'fragment of a removed track' });
        return;
      }
      writer.write(box.offset, boxHeader(source, box));
      let context = track;
      if (box.type === 'trak') context = this.trackContext(source, box, where, depth);
      if (box.type === 'stbl' && context) context = { ...context, sampleCount: this.sampleCount(source, box, depth) };
      this.children(writer, box, box.type === 'tmcd' ? 'tmcd-media' : box.type, context, depth + 1, where);
      return;
    }
    switch (box.type) {
      case 'hdlr':
        return this.handler(writer, box, where);
      case 'dref':
        return this.dataReferences(writer, box, depth, where);
      case 'stsd':
        return this.sampleDescriptions(writer, box, track, depth, where);
      case 'iods':
        return this.objectDescriptor(writer, box, where);
      case 'tref':
        return this.trackReferences(writer, box, depth, where);
      case 'text':
        return this.fields(writer, box, where, textMediaFieldsLength, 'bytes after its fields');
      case 'tcmi': {
        const payload = source.read(payloadStart(box), payloadSize(box));
        const nameLength = payload.length > timecodeMediaFieldsLength ? payload[timecodeMediaFieldsLength]! : 0;
        return this.fields(writer, box, where, Math.min(payload.length, timecodeMediaFieldsLength + 1 + nameLength), 'bytes after its fields');
      }
    }
    const rule = leafFields.get(box.type);
    if (!rule) throw new TracelessError('INTERNAL', `${where}: kept box '${printable(box.type)}' has no field rule; please report this`);
    const payload = source.read(payloadStart(box), payloadSize(box));
    this.fields(writer, box, where, rule(payload, track ?? {}, where), 'bytes after its fields');
  }

  private children(writer: RegionWriter, parent: Box, parentType: string, track: TrackContext | undefined, depth: number, where: string): void {
    const source = writer.source;
    let tracks = 0;
    for (const child of readChildren(source, parent, this.input.budget, depth)) {
      // Tracks are named as the metadata walker names them (`moov/trak[1]`).
      const name = child.type === 'trak' ? `trak[${++tracks}]` : printable(child.type);
      this.child(writer, child, parentType, track, depth, `${where}/${name}`);
    }
  }

  private child(writer: RegionWriter, box: Box, parentType: string, track: TrackContext | undefined, depth: number, where: string): void {
    const source = writer.source;
    if (paddingTypes.has(box.type)) {
      writer.write(box.offset, boxHeader(source, box));
      if (!isAllZero(source.read(payloadStart(box), payloadSize(box)))) this.reportRemoval(where, box, 'Leftover bytes in padding', 'leftover bytes in free space zeroed', 'other', payloadSize(box));
      return;
    }
    if (delegatedTypes.has(box.type) && delegatingParents.has(parentType)) {
      if (box.type === 'uuid' ? this.locationMode && box.uuid === xmpUuid : this.locationMode) writer.copy(box.offset, box.size);
      else writer.write(box.offset, boxHeader(source, box, 'free'));
      return;
    }
    const allowed = parentType === 'tmcd-media' ? box.type === 'tcmi' : keptChildren[parentType]?.has(box.type);
    if (!allowed) return this.remove(writer, box, where);
    this.kept(writer, box, parentType, track, depth, where);
  }

  /** Replaces a box by a `free` box of zeros and says so. */
  private remove(writer: RegionWriter, box: Box, where: string, label?: string): void {
    writer.write(box.offset, boxHeader(writer.source, box, 'free'));
    const metadata = delegatedTypes.has(box.type);
    this.reportRemoval(where, box, label ?? (metadata ? `Metadata box '${printable(box.type)}' inside the movie structure` : `Unknown box '${printable(box.type)}'`), metadata ? 'metadata where no reader looks for it' : 'unknown box (its content cannot be checked)', metadata ? 'quicktime' : 'other');
  }

  /**
   * Header and the first `length` payload bytes. Slack of 8 bytes or more becomes a `free` box after
   * the shortened box (readers such as FFmpeg size some tables by the box, not by its count, and
   * would read zeros as entries); shorter slack is zeros. Reported when it held anything.
   */
  private fields(writer: RegionWriter, box: Box, where: string, length: number, what: string, shrink = true): void {
    const source = writer.source;
    const slack = payloadSize(box) - length;
    const header = boxHeader(source, box);
    if (shrink && slack >= 8 && header.length === 8) {
      header.writeUInt32BE(8 + length, 0);
      const free = Buffer.alloc(8);
      free.writeUInt32BE(slack, 0);
      free.write('free', 4, 'latin1');
      writer.write(payloadStart(box) + length, free);
    }
    writer.write(box.offset, header);
    writer.copy(payloadStart(box), length);
    if (slack > 0 && !isAllZero(source.read(payloadStart(box) + length, slack))) this.reportRemoval(where, box, `Bytes past the defined fields of '${printable(box.type)}'`, `${what} zeroed`, 'other', slack);
  }

  // ---- tracks ---------------------------------------------------------------------------------

  private trackContext(source: ByteSource, trak: Box, where: string, depth: number): TrackContext {
    let handler = '';
    const mdia = readChildren(source, trak, this.input.budget, depth + 1).find((box) => box.type === 'mdia');
    const hdlr = mdia && readChildren(source, mdia, this.input.budget, depth + 2).find((box) => box.type === 'hdlr');
    if (hdlr && payloadSize(hdlr) >= 12) handler = source.read(payloadStart(hdlr) + 8, 4).toString('latin1');
    return { handler, where, dropped: this.input.droppedTracks.has(trak.offset) };
  }

  private sampleCount(source: ByteSource, stbl: Box, depth: number): number {
    const sizes = readChildren(source, stbl, this.input.budget, depth + 1).find((box) => box.type === 'stsz' || box.type === 'stz2');
    if (!sizes || payloadSize(sizes) < 12) return 0;
    return source.read(payloadStart(sizes) + 8, 4).readUInt32BE(0);
  }

  /** A track fragment of a removed track is removed whole (its samples are zeroed by the plan). */
  private droppedFragment(source: ByteSource, traf: Box): boolean {
    const tfhd = readChildren(source, traf, this.input.budget, 3).find((box) => box.type === 'tfhd');
    if (!tfhd || payloadSize(tfhd) < 8) return false;
    return this.input.droppedTrackIds.has(source.read(payloadStart(tfhd) + 4, 4).readUInt32BE(0));
  }

  /** `hdlr`: type and reserved fields kept, the name emptied (it says which software wrote the file). */
  private handler(writer: RegionWriter, box: Box, where: string): void {
    if (payloadSize(box) < handlerFieldsLength) throw new TracelessError('MALFORMED', `${where}: box is too small for its fields`);
    writer.write(box.offset, boxHeader(writer.source, box));
    writer.copy(payloadStart(box), handlerFieldsLength);
    const nameBytes = payloadSize(box) - handlerFieldsLength;
    if (nameBytes > 0 && !isAllZero(writer.source.read(payloadStart(box) + handlerFieldsLength, nameBytes))) {
      this.removed.push({ where, kind: 'vendor', bytes: nameBytes, note: 'handler name emptied' });
    }
  }

  /** `dref`: self-contained entries only, each reduced to its flags (no URL or alias text). */
  private dataReferences(writer: RegionWriter, dref: Box, depth: number, where: string): void {
    const source = writer.source;
    if (payloadSize(dref) < 8) throw new TracelessError('MALFORMED', `${where}: box is too small for its fields`);
    writer.write(dref.offset, boxHeader(source, dref));
    writer.copy(payloadStart(dref), 8);
    const count = source.read(payloadStart(dref) + 4, 4).readUInt32BE(0);
    const entries = readBoxes(source, payloadStart(dref) + 8, dref.offset + dref.size, this.input.budget, `'dref'`);
    entries.forEach((entry, index) => {
      const entryWhere = `${where}/${printable(entry.type)}`;
      if (paddingTypes.has(entry.type)) return this.child(writer, entry, 'dref', undefined, depth + 1, entryWhere);
      if (index >= count || payloadSize(entry) < 4) return this.remove(writer, entry, entryWhere, 'Data reference past the entry count');
      const flags = source.read(payloadStart(entry), 4).readUInt32BE(0) & 0xffffff;
      // External references are refused by the walker (a reference movie); nothing of them is written.
      if (!(flags & selfContained)) return;
      // Not shortened: a `free` box among the entries would count as one.
      this.fields(writer, entry, entryWhere, 4, 'text of a self-contained data reference', false);
    });
  }

  /** `stsd`: each entry's fixed fields and the codec configurations its samples need. */
  private sampleDescriptions(writer: RegionWriter, stsd: Box, track: TrackContext | undefined, depth: number, where: string): void {
    const source = writer.source;
    if (payloadSize(stsd) < 8) throw new TracelessError('MALFORMED', `${where}: box is too small for its fields`);
    writer.write(stsd.offset, boxHeader(source, stsd));
    writer.copy(payloadStart(stsd), 8);
    const count = source.read(payloadStart(stsd) + 4, 4).readUInt32BE(0);
    const entries = readBoxes(source, payloadStart(stsd) + 8, stsd.offset + stsd.size, this.input.budget, `'stsd'`);
    entries.forEach((entry, index) => {
      const entryWhere = `${where}/${printable(entry.type)}`;
      if (index >= count && paddingTypes.has(entry.type)) return this.child(writer, entry, 'stsd', undefined, depth + 1, entryWhere);
      if (index >= count) return this.remove(writer, entry, entryWhere, 'Sample description past the entry count');
      this.sampleEntry(writer, entry, track, depth + 1, entryWhere);
    });
  }

  private sampleEntry(writer: RegionWriter, entry: Box, track: TrackContext | undefined, depth: number, where: string): void {
    const source = writer.source;
    const handler = track?.handler ?? '';
    const payload = source.read(payloadStart(entry), payloadSize(entry));
    const layout = entry.headerSize === 8 ? sampleEntryLayout(entry.type, handler, payload) : undefined;
    const needed = !track?.dropped && (handler === 'vide' || handler === 'soun');
    if (!layout || payload.length < layout.fieldsLength) {
      if (needed) this.refuse(`${where}: sample description '${printable(entry.type)}' is not one traceless knows, and the ${handler === 'vide' ? 'video' : 'audio'} samples need it`);
      writer.write(entry.offset, boxHeader(source, entry, 'free'));
      return;
    }
    let fieldsEnd = layout.fieldsLength;
    if (layout.family === 'qttext' && payload.length > fieldsEnd) fieldsEnd = Math.min(payload.length, fieldsEnd + 1 + payload[fieldsEnd]!);
    if (layout.family === 'strings') {
      for (let string = 0; string < entryStringCount(entry.type); string++) {
        const end = payload.indexOf(0, fieldsEnd);
        if (end === -1) break;
        fieldsEnd = end + 1;
      }
    }
    writer.write(entry.offset, boxHeader(source, entry));
    writer.copy(payloadStart(entry), fieldsEnd);
    if (layout.family === 'strings' && fieldsEnd > 8) {
      // Namespaces, schema locations and MIME types are free text: only tokens that are known
      // namespace URIs or MIME types are kept; any other token is written as spaces (same length).
      const strings = Buffer.from(payload.subarray(8, fieldsEnd));
      let blanked = 0;
      for (const token of strings.toString('latin1').matchAll(/[^\s\0]+/g)) {
        if (knownEntryToken.test(token[0])) continue;
        strings.fill(0x20, token.index, token.index + token[0].length);
        blanked += token[0].length;
      }
      writer.write(payloadStart(entry) + 8, strings);
      if (blanked > 0) this.removed.push({ where, kind: 'other', bytes: blanked, note: 'text in the sample description strings blanked' });
    }
    if (layout.family === 'visual') {
      const name = payload.subarray(compressorNameOffset, compressorNameOffset + compressorNameLength);
      const text = name.toString('latin1', 1, 1 + Math.min(name[0]!, compressorNameLength - 1));
      if (!decodingCompressorNames.test(text)) {
        writer.write(payloadStart(entry) + compressorNameOffset, Buffer.alloc(compressorNameLength));
        if (!isAllZero(name)) this.removed.push({ where, kind: 'vendor', bytes: compressorNameLength, note: 'compressor name emptied' });
      }
    }
    const childrenStart = payloadStart(entry) + fieldsEnd;
    const rest = entry.offset + entry.size - childrenStart;
    if (rest === 0) return;
    let children: Box[];
    try {
      if (rest < 8) throw new TracelessError('MALFORMED', `${rest} stray bytes`);
      children = readBoxes(source, childrenStart, entry.offset + entry.size, this.input.budget, `'${printable(entry.type)}'`);
    } catch (error) {
      if (error instanceof TracelessError && error.code === 'LIMIT_EXCEEDED') throw error;
      if (needed) this.refuse(`${where}: the codec configuration after the sample description's fields cannot be read, and the samples need it`);
      if (!isAllZero(source.read(childrenStart, rest))) this.removed.push({ where, kind: 'other', bytes: rest, note: 'unreadable bytes after the sample description zeroed' });
      return;
    }
    for (const child of children) {
      const childWhere = `${where}/${printable(child.type)}`;
      if (paddingTypes.has(child.type)) this.child(writer, child, 'entry', track, depth + 1, childWhere);
      else if (codecConfigurationBoxes.has(child.type)) this.codecConfiguration(writer, child, childWhere, needed);
      else if (layout.family === 'metadata' && child.type === 'keys') writer.copy(child.offset, child.size);
      else this.remove(writer, child, childWhere);
    }
  }

  /**
   * A codec configuration or display property of a sample entry: its defined fields, then zeros;
   * an ICC profile re-written by decode/icc (same length or shorter, then zeros); a colour box of
   * an unknown kind removed. A box whose layout traceless does not know is decoder data, kept whole.
   * One whose layout it knows but that does not read that way (counts running past the box, too
   * short, a 64-bit size) is not taken for decoder data: the clean is refused when it is the
   * decoder configuration of samples that need it (removing it would break them), and the box goes
   * otherwise (a display property that does not read is one players ignore).
   */
  private codecConfiguration(writer: RegionWriter, child: Box, where: string, needed: boolean): void {
    const source = writer.source;
    const payload = source.read(payloadStart(child), payloadSize(child));
    if (child.type === 'colr' && child.headerSize === 8 && colourProfileKind(payload)) {
      let profile: Buffer | undefined;
      try {
        profile = sanitiseIccProfile(payload.subarray(4), where).profile;
      } catch {
        profile = undefined;
      }
      if (!profile || profile.length > payload.length - 4) return this.remove(writer, child, where, 'Colour profile traceless cannot re-write');
      writer.write(child.offset, boxHeader(source, child));
      writer.copy(payloadStart(child), 4);
      writer.write(payloadStart(child) + 4, profile);
      if (!profile.equals(payload.subarray(4))) this.reportRemoval(where, child, 'Text and device fields of a colour profile', 'colour profile re-written', 'icc', payload.length - 4);
      return;
    }
    if (child.type === 'colr' && !['nclx', 'nclc'].includes(payload.toString('latin1', 0, 4))) return this.remove(writer, child, where, 'Colour box of an unknown kind');
    if (child.type === 'ftab') return this.fontTable(writer, child, payload, where);
    if (child.type === 'hvcC' || child.type === 'av1C') {
      // Re-written like the HEIF property: SEI units with user data, metadata OBUs other than HDR go.
      // One that cannot be re-written is never kept as read (its parameter-set arrays or OBUs may
      // carry user data): refused when the samples need it, removed otherwise.
      const judged = child.headerSize === 8 ? emitProperty(child.type, payload) : ({ kind: 'unknown', reason: 'a 64-bit box size' } as const);
      if (judged.kind !== 'kept' || judged.property.data.length > child.size) {
        const why = judged.kind === 'unknown' ? judged.reason : judged.kind === 'kept' ? 're-written it would be longer than the box' : 'not a codec configuration';
        if (needed) this.refuse(`${where}: the codec configuration '${child.type}' cannot be re-written (${why}), so traceless cannot tell its decoder data from other bytes, and the samples need it`);
        return this.remove(writer, child, where, 'Codec configuration that does not read');
      }
      const emitted = judged.property.data;
      const gap = child.size - emitted.length;
      if (gap >= 8) {
        // The shorter configuration, then a free box where the rest was (nothing moves).
        writer.write(child.offset, emitted);
        const free = Buffer.alloc(8);
        free.writeUInt32BE(gap, 0);
        free.write('free', 4, 'latin1');
        writer.write(child.offset + emitted.length, free);
      } else {
        writer.write(child.offset, boxHeader(source, child));
        writer.write(payloadStart(child), emitted.subarray(8));
      }
      if (judged.property.droppedBytes > 0) this.reportRemoval(where, child, judged.property.note ?? `Bytes of '${child.type}' that are not decoder data`, judged.property.note ?? 'codec configuration re-written', 'other', judged.property.droppedBytes);
      return;
    }
    const defined = child.headerSize === 8 ? codecConfigurationLength(child.type, payload) : undefined;
    if (defined === undefined) {
      if (!hasKnownLayout(child.type)) return writer.copy(child.offset, child.size);
      if (needed && decodesSamples(child.type)) this.refuse(`${where}: the codec configuration '${printable(child.type)}' does not read as its specification lays it out, so traceless cannot tell its decoder data from other bytes, and the samples need it`);
      return this.remove(writer, child, where, 'Codec configuration that does not read');
    }
    writer.write(child.offset, boxHeader(source, child));
    writer.copy(payloadStart(child), defined);
    if (!isAllZero(payload.subarray(defined))) this.reportRemoval(where, child, `Bytes past the defined fields of '${printable(child.type)}'`, 'bytes past the defined fields zeroed', 'other', payload.length - defined);
  }

  /**
   * `ftab` (3GPP TS 26.245 §5.16): the font table of a text sample entry. Font IDs are kept; a name
   * is free text, kept only when it is a generic family, else written as spaces of the same length
   * (players fall back to their default font); bytes after the entries are zeroed.
   */
  private fontTable(writer: RegionWriter, child: Box, payload: Buffer, where: string): void {
    const source = writer.source;
    if (child.headerSize !== 8 || payload.length < 2) return this.remove(writer, child, where, 'Font table traceless cannot read');
    const count = payload.readUInt16BE(0);
    const out = Buffer.alloc(payload.length);
    out.writeUInt16BE(count, 0);
    let at = 2;
    let changed = false;
    for (let index = 0; index < count; index++) {
      if (at + 3 > payload.length || at + 3 + payload[at + 2]! > payload.length) return this.remove(writer, child, where, 'Font table traceless cannot read');
      payload.copy(out, at, at, at + 3);
      const length = payload[at + 2]!;
      const name = payload.toString('latin1', at + 3, at + 3 + length);
      if (genericFontNames.has(name.toLowerCase())) payload.copy(out, at + 3, at + 3, at + 3 + length);
      else {
        out.fill(0x20, at + 3, at + 3 + length);
        // A name already blank (a cleaned file) is no finding.
        if (!/^ *$/.test(name)) changed = true;
      }
      at += 3 + length;
    }
    if (!isAllZero(payload.subarray(at))) changed = true;
    writer.write(child.offset, boxHeader(source, child));
    writer.write(payloadStart(child), out);
    if (changed) this.reportRemoval(where, child, 'Font names and bytes in the font table', 'font names other than generic families blanked', 'other', payload.length);
  }

  /** `iods` (ISO/IEC 14496-1 §7.2.6.3): re-emitted with its profile levels and ES_ID_Inc references only. */
  private objectDescriptor(writer: RegionWriter, box: Box, where: string): void {
    const source = writer.source;
    const payload = source.read(payloadStart(box), payloadSize(box));
    const descriptor = readDescriptor(payload, 4);
    // Tag 0x10 (MP4_IOD) or 0x02 (IOD); a URL flag would point elsewhere: the box is optional, so it goes.
    if (!descriptor || (descriptor.tag !== 0x10 && descriptor.tag !== 0x02) || descriptor.length < 7 || payload[descriptor.bodyStart]! & 0x20) {
      return this.remove(writer, box, where, 'Object descriptor traceless cannot re-write');
    }
    const parts: Buffer[] = [payload.subarray(descriptor.bodyStart, descriptor.bodyStart + 7)];
    for (let at = descriptor.bodyStart + 7; at < descriptor.bodyStart + descriptor.length; ) {
      const inner = readDescriptor(payload, at);
      if (!inner || inner.bodyStart + inner.length > descriptor.bodyStart + descriptor.length) break;
      if (inner.tag === 0x0e && inner.length === 4) parts.push(Buffer.concat([Buffer.from([0x0e]), encodeDescriptorLength(4, inner.bodyStart - at - 1), payload.subarray(inner.bodyStart, inner.bodyStart + 4)]));
      at = inner.bodyStart + inner.length;
    }
    const body = Buffer.concat(parts);
    const rebuilt = Buffer.concat([payload.subarray(0, 4), Buffer.from([descriptor.tag]), encodeDescriptorLength(body.length, descriptor.bodyStart - 5), body]);
    writer.write(box.offset, boxHeader(source, box));
    writer.write(payloadStart(box), rebuilt);
    const original = payload.subarray(0, rebuilt.length);
    if (!original.equals(rebuilt) || !isAllZero(payload.subarray(rebuilt.length))) this.reportRemoval(where, box, 'Bytes in the object descriptor past its defined fields', 'object descriptor re-written with its defined fields only', 'other', payload.length - rebuilt.length);
  }

  /** `tref`: each reference kept only when every ID names a track of this movie. */
  private trackReferences(writer: RegionWriter, tref: Box, depth: number, where: string): void {
    const source = writer.source;
    writer.write(tref.offset, boxHeader(source, tref));
    for (const reference of readChildren(source, tref, this.input.budget, depth + 1)) {
      const referenceWhere = `${where}/${printable(reference.type)}`;
      if (paddingTypes.has(reference.type)) {
        this.child(writer, reference, 'tref', undefined, depth + 1, referenceWhere);
        continue;
      }
      const ids = source.read(payloadStart(reference), payloadSize(reference));
      let valid = ids.length % 4 === 0 && reference.headerSize === 8 && /^[a-z0-9]{4}$/.test(reference.type);
      for (let at = 0; valid && at < ids.length; at += 4) valid = this.trackIds.has(ids.readUInt32BE(at));
      if (valid) writer.copy(reference.offset, reference.size);
      else this.remove(writer, reference, referenceWhere, 'Track reference to no track of this movie');
    }
  }
}

const xmpUuid = 'be7acfcb97a942e89c71999491e3afac';
/** Tokens of `stpp`/`sbtt`/`stxt`/`mett` strings kept: TTML, SMPTE and EBU namespaces, MIME types, charsets. */
const knownEntryToken = /^(https?:\/\/(www\.)?(w3\.org|smpte-ra\.org|ebu\.ch)\/[\x21-\x7e]*|urn:ebu:[\x21-\x7e]*|(application|text|image|audio|video)\/[a-z0-9.+-]+(;[a-z0-9=.+-]*)?|utf-?8|utf-?16)$/i;
/** Font names in a text track's font table that name no person or place (FFmpeg writes `Serif`). */
const genericFontNames = new Set(['serif', 'sans-serif', 'sans serif', 'sans', 'monospace', 'cursive', 'fantasy', 'arial', 'helvetica', 'times', 'times new roman', 'courier', 'courier new', 'verdana', 'tahoma', 'georgia']);

/** A descriptor length in `bytes` bytes (the same width as the original, so nothing moves). */
function encodeDescriptorLength(length: number, bytes: number): Buffer {
  const out = Buffer.alloc(Math.max(1, Math.min(bytes, 4)));
  for (let index = out.length - 1, value = length; index >= 0; index--, value >>= 7) out[index] = (value & 0x7f) | (index === out.length - 1 ? 0 : 0x80);
  return out;
}
