/**
 * The `moov` box of HEIF/AVIF image sequences (`msf1`, `hevc`, `avis`): the sample tables are kept
 * (chunk offsets are moved when bytes before them move), user data and meta boxes are dropped, and
 * the creation/modification times of the movie, tracks and media are zeroed unless kept on request.
 * Only picture, video, auxiliary-video and sound tracks are accepted: a timed-metadata track could
 * hold a GPS log and is refused.
 *
 * References: ISO/IEC 23008-12:2022 section 7 (image sequences); ISO/IEC 14496-12:2022 sections
 * 8.2.2 (mvhd), 8.3.2 (tkhd), 8.4.2 (mdhd), 8.4.3 (hdlr), 8.7.5 (stco/co64), 8.7.9 (saio), 8.10.1 (udta).
 */
import { TracelessError } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import type { Finding, GeoLocation, MetadataBlock } from '../../types.js';
import { payloadSize, payloadStart, printable, readChildren, type Box, type BoxBudget } from '../isobmff/boxes.js';
import { parseIso6709 } from '../isobmff/iso6709.js';
import { Cursor, makeBox } from './cursor.js';
import { readHandler, readPayload } from './meta.js';
import { isoEpochOffsetSeconds } from './properties.js';

/** The largest time a JavaScript Date holds (ECMA-262: ±100,000,000 days around 1970). */
const maxDateMilliseconds = 8.64e15;
import { isZeroFilled } from './structure.js';
import { emitMoovBox, type EmittedBox } from './moov-emit.js';

type NodeKind = 'container' | 'copy' | 'dates' | 'chunkOffsets' | 'drop' | 'padding';

export interface MoovNode {
  box: Box;
  path: string;
  kind: NodeKind;
  children?: MoovNode[];
  /** For `dates`: the two times as read (seconds since 1904). */
  times?: { creation: number; modification: number; version: number };
  /** For `padding`: whether the payload holds anything but zeros. */
  dirty?: boolean;
  /** For `copy`: the box as a clean copy re-writes it (moov-emit.ts). */
  emitted?: EmittedBox;
}

export interface MoovModel {
  root: MoovNode;
  findings: Finding[];
  blocks: MetadataBlock[];
  locations: GeoLocation[];
}

const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts']);
/** Leaves re-written by moov-emit.ts; any other leaf is removed. */
const copied = new Set(['tref', 'dinf', 'stsd', 'stts', 'ctts', 'cslg', 'stsc', 'stsz', 'stz2', 'stss', 'stsh', 'sdtp', 'elst', 'vmhd', 'nmhd', 'smhd', 'hdlr']);
const acceptedHandlers = new Set(['pict', 'vide', 'auxv', 'soun']);

export function readMoov(source: ByteSource, box: Box, budget: BoxBudget): MoovModel {
  if (box.size > limits.maxMetadataBytes) {
    throw new TracelessError('LIMIT_EXCEEDED', `moov box of ${box.size} bytes is more than the ${limits.maxMetadataBytes}-byte metadata limit`);
  }
  const model: MoovModel = { root: { box, path: 'moov', kind: 'container' }, findings: [], blocks: [], locations: [] };
  model.root.children = readLevel(source, model, box, 'moov', budget, 1);
  return model;
}

function readLevel(source: ByteSource, model: MoovModel, parent: Box, path: string, budget: BoxBudget, depth: number): MoovNode[] {
  const nodes: MoovNode[] = [];
  let trackIndex = 0;
  for (const box of readChildren(source, parent, budget, depth)) {
    const name = box.type === 'trak' ? `trak[${++trackIndex}]` : printable(box.type);
    const childPath = `${path}/${name}`;
    const node: MoovNode = { box, path: childPath, kind: 'copy' };
    if (containers.has(box.type) && box.type !== 'moov') {
      node.kind = 'container';
      node.children = readLevel(source, model, box, childPath, budget, depth + 1);
    } else if (box.type === 'mvhd' || box.type === 'tkhd' || box.type === 'mdhd') {
      node.kind = 'dates';
      node.times = readTimes(readPayload(source, box, childPath), childPath);
      for (const [tag, label, seconds] of [['CreationTime', 'Created', node.times.creation], ['ModificationTime', 'Modified', node.times.modification]] as const) {
        if (seconds === 0) continue;
        // A 64-bit (version 1) time can be far past any date a Date holds: say the raw value then.
        const milliseconds = (seconds - isoEpochOffsetSeconds) * 1000;
        const text = Number.isFinite(milliseconds) && Math.abs(milliseconds) <= maxDateMilliseconds ? new Date(milliseconds).toISOString() : `${seconds} s since 1904 (not a real date)`;
        model.findings.push({ category: 'time', where: childPath, tag, label, value: text, text });
      }
    } else if (box.type === 'stco' || box.type === 'co64') {
      node.kind = 'chunkOffsets';
    } else if (box.type === 'udta' || box.type === 'meta' || box.type === 'uuid') {
      node.kind = 'drop';
      describeDropped(source, model, box, childPath, budget, depth);
    } else if (box.type === 'free' || box.type === 'skip') {
      node.kind = 'padding';
      node.dirty = !isZeroFilled(source, box);
      if (node.dirty) model.blocks.push({ where: childPath, kind: 'other', offset: box.offset, length: box.size, note: 'unused space holding old bytes' });
    } else if (box.type === 'hdlr' && path.endsWith('/mdia')) {
      const handler = readHandler(readPayload(source, box, childPath), childPath);
      if (!acceptedHandlers.has(handler)) {
        throw new TracelessError('UNSUPPORTED_FORMAT', `${childPath}: a '${printable(handler)}' track may hold timed metadata such as a GPS log; traceless does not clean such sequences`);
      }
    }
    if (node.kind === 'copy') {
      // Every kept leaf is re-written from its fields; unknown ones (and those not re-written) go.
      node.emitted = copied.has(box.type) ? emitMoovBox(box.type, readPayload(source, box, childPath), childPath) : { note: `unknown '${printable(box.type)}' box removed` };
      if (!node.emitted.data) node.kind = 'drop';
      if (node.emitted.hidden) {
        model.findings.push({ category: 'other', where: childPath, tag: 'HiddenInStructure', label: 'Text hidden in the sequence structure', value: node.emitted.hidden, text: `${node.emitted.note ?? ''}: "${node.emitted.hidden}"` });
      } else if (!node.emitted.data) {
        model.findings.push({ category: 'other', where: childPath, tag: 'UnknownBox', label: 'Box removed by a clean', value: box.size, text: node.emitted.note ?? `${box.size} bytes` });
      }
    }
    nodes.push(node);
  }
  return nodes;
}

function readTimes(payload: Buffer, path: string): { creation: number; modification: number; version: number } {
  const cursor = new Cursor(payload, path);
  const version = cursor.u8('version');
  cursor.bytes(3, 'flags');
  if (version === 1) return { creation: cursor.u64('creation_time'), modification: cursor.u64('modification_time'), version };
  return { creation: cursor.u32('creation_time'), modification: cursor.u32('modification_time'), version };
}

function describeDropped(source: ByteSource, model: MoovModel, box: Box, path: string, budget: BoxBudget, depth: number): void {
  model.blocks.push({ where: path, kind: 'quicktime', offset: box.offset, length: box.size, note: `${printable(box.type)} box` });
  let children: Box[] = [];
  try {
    children = box.type === 'udta' ? readChildren(source, box, budget, depth + 1) : [];
  } catch {
    // Its bytes go either way; an unreadable udta is reported as a whole below.
  }
  const xyz = children.find((child) => child.type === '\u00a9xyz');
  if (xyz) {
    const text = source.read(payloadStart(xyz), Math.min(payloadSize(xyz), 256)).subarray(4).toString('utf8').replace(/\0+$/, '');
    const location = iso6709(text, `${path}/\u00a9xyz`);
    if (location) {
      model.locations.push(location);
      model.findings.push({ category: 'location', where: location.where, tag: 'GPSCoordinates', label: 'GPS position', value: location, text });
    }
  }
  if (box.type === 'meta') describeKeys(source, model, box, path, budget, depth);
  const names = children.map((child) => printable(child.type)).join(', ');
  model.findings.push({ category: 'other', where: path, tag: box.type, label: box.type === 'udta' ? 'User data' : 'Metadata box', value: box.size, text: names ? `${box.size} bytes holding ${names}` : `${box.size} bytes` });
}

/** Parses an ISO 6709 string (`+37.7749-122.4194+012.000/`, Android's `+51.5932-0.2431/`) into a location. */
function iso6709(text: string, where: string): GeoLocation | undefined {
  return parseIso6709(text, where);
}

/**
 * QuickTime `mdta` metadata (`keys` + `ilst`) in a dropped meta box: only the location key is
 * decoded, so that a scan can say where a sequence was made (the whole box goes either way).
 * Reference: Apple QuickTime File Format, "Metadata" (keys atom, item list atom, data atom).
 */
function describeKeys(source: ByteSource, model: MoovModel, meta: Box, path: string, budget: BoxBudget, depth: number): void {
  try {
    // QuickTime writes meta without the version/flags of an ISO full box: its first child follows at once.
    const quickTimeStyle = payloadSize(meta) >= 8 && source.read(payloadStart(meta) + 4, 4).toString('latin1') === 'hdlr';
    const children = readChildren(source, meta, budget, depth + 1, quickTimeStyle ? 0 : 4);
    const keysBox = children.find((child) => child.type === 'keys');
    const ilst = children.find((child) => child.type === 'ilst');
    if (!keysBox || !ilst) return;
    const keys = new Cursor(readPayload(source, keysBox, `${path}/keys`), `${path}/keys`);
    keys.u32('version/flags');
    const count = keys.u32('entry_count');
    const names: string[] = [];
    for (let index = 0; index < count && keys.remaining >= 8; index++) {
      const size = keys.u32('key_size');
      keys.fourcc('key_namespace');
      names.push(keys.bytes(Math.max(0, size - 8), 'key_value').toString('utf8'));
    }
    for (const entry of readChildren(source, ilst, budget, depth + 2)) {
      const key = names[source.read(entry.offset + 4, 4).readUInt32BE(0) - 1];
      if (!key?.endsWith('location.ISO6709')) continue;
      const data = readChildren(source, entry, budget, depth + 3).find((child) => child.type === 'data');
      if (!data || payloadSize(data) < 8) continue;
      const text = source.read(payloadStart(data) + 8, Math.min(payloadSize(data) - 8, 256)).toString('utf8');
      const location = iso6709(text, `${path}/keys/${key}`);
      if (!location) continue;
      model.locations.push(location);
      model.findings.push({ category: 'location', where: location.where, tag: 'GPSCoordinates', label: 'GPS position', value: location, text });
    }
  } catch {
    // The box is dropped whole; a part we cannot read only means a less detailed scan.
  }
}

export interface MoovWriteOptions {
  zeroDates: boolean;
  /** New file offset of an old one (throws when the offset does not survive). */
  mapOffset: (offset: number) => number;
}

/** The rebuilt moov box. Its size never depends on the mapped offsets. */
export function writeMoov(source: ByteSource, model: MoovModel, options: MoovWriteOptions): Buffer {
  return writeNode(source, model.root, options) ?? Buffer.alloc(0);
}

function writeNode(source: ByteSource, node: MoovNode, options: MoovWriteOptions): Buffer | undefined {
  const { box } = node;
  switch (node.kind) {
    case 'drop':
      return undefined;
    case 'container': {
      const parts = (node.children ?? []).map((child) => writeNode(source, child, options)).filter((part): part is Buffer => part !== undefined);
      return makeBox(box.type, Buffer.concat(parts));
    }
    case 'padding':
      return makeBox(box.type, Buffer.alloc(payloadSize(box)));
    case 'dates': {
      const defined = definedHeaderBytes[box.type]![node.times!.version === 1 ? 1 : 0]!;
      const input = readPayload(source, box, node.path);
      if (input.length < defined) throw new TracelessError('TRUNCATED', `${node.path}: ${input.length} bytes, ${defined} defined`);
      const payload = Buffer.from(input.subarray(0, defined));
      if (options.zeroDates) payload.fill(0, 4, node.times!.version === 1 ? 20 : 12);
      return makeBox(box.type, payload);
    }
    case 'chunkOffsets':
      return makeBox(box.type, rewriteChunkOffsets(readPayload(source, box, node.path), box.type === 'co64', node.path, options.mapOffset));
    case 'copy':
      return node.emitted!.data!;
  }
}

/** Payload bytes of mvhd, tkhd and mdhd (version 0, version 1), ISO/IEC 14496-12 8.2.2, 8.3.2, 8.4.2. */
const definedHeaderBytes: Readonly<Record<string, readonly [number, number]>> = { mvhd: [100, 112], tkhd: [84, 96], mdhd: [24, 36] };

function rewriteChunkOffsets(payload: Buffer, wide: boolean, path: string, mapOffset: (offset: number) => number): Buffer {
  const cursor = new Cursor(payload, path);
  cursor.u32('version/flags');
  const count = cursor.u32('entry_count');
  const entryBytes = wide ? 8 : 4;
  if (count * entryBytes > cursor.remaining) throw new TracelessError('TRUNCATED', `${path}: ${count} chunk offsets run past the box`);
  // Exactly the declared entries: nothing after them is carried over.
  const result = Buffer.from(payload.subarray(0, 8 + count * entryBytes));
  for (let index = 0; index < count; index++) {
    const at = 8 + index * entryBytes;
    const old = wide ? cursor.u64('chunk_offset') : cursor.u32('chunk_offset');
    const mapped = mapOffset(old);
    if (wide) result.writeBigUInt64BE(BigInt(mapped), at);
    else result.writeUInt32BE(mapped, at);
  }
  return result;
}

/** True when cleaning would change something in this moov (beyond moving chunk offsets). */
export function moovRemovals(model: MoovModel, zeroDates: boolean): { where: string; bytes: number; kind: 'quicktime' | 'timestamp' | 'other'; note: string }[] {
  const removals: { where: string; bytes: number; kind: 'quicktime' | 'timestamp' | 'other'; note: string }[] = [];
  const visit = (node: MoovNode) => {
    if (node.kind === 'drop') removals.push({ where: node.path, bytes: node.box.size, kind: 'quicktime', note: node.emitted?.note ?? `${printable(node.box.type)} box dropped` });
    if (node.kind === 'copy' && node.emitted?.note) removals.push({ where: node.path, bytes: 0, kind: 'other', note: node.emitted.note });
    if (node.kind === 'padding' && node.dirty) removals.push({ where: node.path, bytes: payloadSize(node.box), kind: 'other', note: 'old bytes in unused space zeroed' });
    if (node.kind === 'dates' && zeroDates && (node.times!.creation !== 0 || node.times!.modification !== 0)) {
      removals.push({ where: node.path, bytes: node.times!.version === 1 ? 16 : 8, kind: 'timestamp', note: 'creation and modification times zeroed' });
    }
    node.children?.forEach(visit);
  };
  visit(model.root);
  return removals;
}

/**
 * The file ranges of every chunk the sample tables of the sequence reference (stco/co64 offsets,
 * stsc samples per chunk, stsz/stz2 sizes): the only mdat bytes a clean copy keeps for `moov`.
 * Reference: ISO/IEC 14496-12:2022 sections 8.7.3 (stsz, stz2), 8.7.4 (stsc), 8.7.5 (stco, co64).
 */
export function chunkRanges(source: ByteSource, model: MoovModel): { offset: number; length: number }[] {
  const ranges: { offset: number; length: number }[] = [];
  const visit = (node: MoovNode) => {
    if (node.box.type === 'stbl') ranges.push(...tableRanges(source, node));
    else node.children?.forEach(visit);
  };
  visit(model.root);
  return ranges;
}

function tableRanges(source: ByteSource, stbl: MoovNode): { offset: number; length: number }[] {
  const child = (type: string) => stbl.children?.find((node) => node.box.type === type);
  const offsetsNode = child('stco') ?? child('co64');
  const sizesNode = child('stsz') ?? child('stz2');
  const chunksNode = child('stsc');
  if (!offsetsNode && !sizesNode) return [];
  if (!offsetsNode || !sizesNode || !chunksNode) throw new TracelessError('MALFORMED', `${stbl.path}: sample tables without stco, stsz or stsc`);
  const offsets = new Cursor(readPayload(source, offsetsNode.box, offsetsNode.path), offsetsNode.path);
  offsets.u32('version/flags');
  const chunkCount = offsets.u32('entry_count');
  const wide = offsetsNode.box.type === 'co64';
  if (chunkCount * (wide ? 8 : 4) > offsets.remaining) throw new TracelessError('TRUNCATED', `${offsetsNode.path}: ${chunkCount} chunk offsets run past the box`);
  const chunkOffsets: number[] = [];
  for (let index = 0; index < chunkCount; index++) chunkOffsets.push(wide ? offsets.u64('chunk_offset') : offsets.u32('chunk_offset'));
  const sizes = sampleSizes(readPayload(source, sizesNode.box, sizesNode.path), sizesNode.box.type === 'stz2', sizesNode.path);
  const stsc = new Cursor(readPayload(source, chunksNode.box, chunksNode.path), chunksNode.path);
  stsc.u32('version/flags');
  const entryCount = stsc.u32('entry_count');
  if (entryCount * 12 > stsc.remaining) throw new TracelessError('TRUNCATED', `${chunksNode.path}: ${entryCount} entries run past the box`);
  const runs: { firstChunk: number; samplesPerChunk: number }[] = [];
  for (let index = 0; index < entryCount; index++) {
    const firstChunk = stsc.u32('first_chunk');
    const samplesPerChunk = stsc.u32('samples_per_chunk');
    stsc.u32('sample_description_index');
    runs.push({ firstChunk, samplesPerChunk });
  }
  const ranges: { offset: number; length: number }[] = [];
  let sample = 0;
  for (let run = 0; run < runs.length; run++) {
    const { firstChunk, samplesPerChunk } = runs[run]!;
    const lastChunk = run + 1 < runs.length ? runs[run + 1]!.firstChunk - 1 : chunkCount;
    if (firstChunk < 1 || lastChunk > chunkCount || (run + 1 < runs.length && runs[run + 1]!.firstChunk <= firstChunk)) {
      throw new TracelessError('MALFORMED', `${chunksNode.path}: chunk runs out of order`);
    }
    for (let chunk = firstChunk; chunk <= lastChunk; chunk++) {
      if (sample + samplesPerChunk > sizes.length) throw new TracelessError('MALFORMED', `${chunksNode.path}: more samples in chunks than stsz lists`);
      let length = 0;
      for (let index = 0; index < samplesPerChunk; index++) length += sizes[sample++]!;
      const offset = chunkOffsets[chunk - 1]!;
      if (offset + length > source.size) throw new TracelessError('TRUNCATED', `${offsetsNode.path}: chunk ${chunk} runs past the end of the file`);
      if (length > 0) ranges.push({ offset, length });
    }
  }
  return ranges;
}

function sampleSizes(payload: Buffer, compact: boolean, path: string): number[] {
  const cursor = new Cursor(payload, path);
  cursor.u32('version/flags');
  const sizes: number[] = [];
  if (compact) {
    cursor.bytes(3, 'reserved');
    const fieldBits = cursor.u8('field_size');
    const count = cursor.u32('sample_count');
    if (![4, 8, 16].includes(fieldBits) || Math.ceil((count * fieldBits) / 8) > cursor.remaining) throw new TracelessError('MALFORMED', `${path}: ${count} sample sizes of ${fieldBits} bits do not fit`);
    for (let index = 0; index < count; index++) {
      if (fieldBits === 16) sizes.push(cursor.u16('entry_size'));
      else if (fieldBits === 8) sizes.push(cursor.u8('entry_size'));
      else {
        const byte = payload[cursor.position]!;
        sizes.push(index % 2 === 0 ? byte >> 4 : byte & 0x0f);
        if (index % 2 === 1 || index === count - 1) cursor.position++;
      }
    }
    return sizes;
  }
  const uniform = cursor.u32('sample_size');
  const count = cursor.u32('sample_count');
  if (uniform !== 0) {
    if (count > limits.maxMetadataBytes) throw new TracelessError('LIMIT_EXCEEDED', `${path}: ${count} samples`);
    return new Array<number>(count).fill(uniform);
  }
  if (count * 4 > cursor.remaining) throw new TracelessError('TRUNCATED', `${path}: ${count} sample sizes run past the box`);
  for (let index = 0; index < count; index++) sizes.push(cursor.u32('entry_size'));
  return sizes;
}
