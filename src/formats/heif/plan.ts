/**
 * Plans the clean copy of a HEIF/AVIF file as typed pieces (README "Keep-list down to the byte").
 *
 * The output is written, not copied: `ftyp` with registered brands only; `meta` rebuilt from the
 * parsed model (empty handler name, one self-contained data reference, item infos without names,
 * `iloc`/`iref`/`iprp` for kept items only, properties re-emitted field by field, `idat` holding only
 * kept items' data, known entity groups); each `mdat` keeps its size and place so that no image byte
 * moves inside it, but only bytes a kept item (or a sample of an image sequence) references are
 * copied — as image/sample data — and every other byte is zero; `moov` rebuilt by `moov.ts`.
 * Every other top-level box (`free`, `skip`, `uuid`, `udta`, Samsung `sefd`/`mpvd`, unknown ones)
 * is removed. Item offsets follow the bytes they point at.
 *
 * What is kept and what goes is decided in `decide.ts`; this module only lays the output out.
 * References: ISO/IEC 23008-12:2022; ISO/IEC 14496-12:2022 sections 4.3 (ftyp), 8.11 (meta and its
 * boxes); ExifTool's QuickTime writer notes (iloc and stco/co64 must follow moved data).
 */
import { TracelessError, internalError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { CleanPlan, Piece, PlanOptions } from '../types.js';
import { PlanBuilder, pieceLength } from '../plan-builder.js';
import { payloadSize, payloadStart, printable, type Box } from '../isobmff/boxes.js';
import { Writer, makeBox, makeFullBox } from './cursor.js';
import { analyse, type Analysis } from './analyse.js';
import { decide, knownGroupTypes, type Decisions, type KeptItem } from './decide.js';
import { overlaps, type ByteRange } from './items.js';
import type { HeifMeta } from './meta.js';
import { chunkRanges, moovRemovals, writeMoov } from './moov.js';
import { describeMetadataBox, metadataMetaChildren, metadataTopBoxes, readBrands } from './structure.js';
import { registeredBrands } from './brands.js';

export function planHeif(source: ByteSource, options: PlanOptions): CleanPlan {
  const analysis = analyse(source);
  const decisions = decide(source, analysis, options);
  const builder = new PlanBuilder();
  for (const removal of decisions.removed) builder.remove(removal.where, removal.kind, removal.bytes, removal.note);
  const layout = layOut(source, analysis, decisions, options, builder);
  for (const piece of layout) builder.append([piece]);
  for (const word of keptWords(source, analysis, decisions)) builder.keep(word);
  return builder.build();
}

// ---------------------------------------------------------------------------------------------
// What each top-level box becomes.

/** Where a kept item's bytes go in the output, before offsets are known. */
interface Placement {
  item: KeptItem;
  /** Input file ranges the item's output bytes occupy (in mdat), in the item's byte order. */
  fileRanges: ByteRange[];
  /** For idat items: ranges relative to the new idat payload. */
  idatRanges?: ByteRange[];
}

/** A kept span of an mdat payload: copied input bytes, or bytes traceless wrote. */
interface Span extends ByteRange {
  data?: Buffer;
  content: 'image' | 'samples';
}

type OutputBox =
  | { box: Box; kind: 'drop' }
  | { box: Box; kind: 'bytes'; build: (map: MapOffset | null) => Buffer }
  | { box: Box; kind: 'meta'; build: (map: MapOffset | null) => Piece[] }
  | { box: Box; kind: 'mdat'; spans: Span[] };

type MapOffset = (offset: number, what: string) => number;

function layOut(source: ByteSource, analysis: Analysis, decisions: Decisions, options: PlanOptions, builder: PlanBuilder): Piece[] {
  const mdats = analysis.file.top.filter(({ role }) => role === 'mdat').map(({ box }) => box);
  const placements = placeItems(source, analysis, decisions, mdats);
  const spans = mdatSpans(source, analysis, placements, mdats, builder);
  const zeroDates = options.mode !== 'location' && !options.keepDates;
  if (analysis.moov) for (const removal of moovRemovals(analysis.moov, zeroDates)) builder.remove(removal.where, removal.kind, removal.bytes, removal.note);

  const outputs: OutputBox[] = analysis.file.top.map(({ box, role }): OutputBox => {
    switch (role) {
      case 'ftyp':
        return { box, kind: 'bytes', build: () => writeFileType(source, box, builder) };
      case 'meta':
        return { box, kind: 'meta', build: (map) => buildMeta(source, analysis, decisions, placements, map) };
      case 'moov':
        return { box, kind: 'bytes', build: (map) => writeMoov(source, analysis.moov!, { zeroDates, mapOffset: map ? (offset) => map(offset, 'a chunk of the image sequence') : (offset) => offset }) };
      case 'mdat':
        return { box, kind: 'mdat', spans: spans.get(box)! };
      case 'trailer':
        builder.remove('end of file', 'trailer', box.size, `${box.size} byte(s) after the last box removed`);
        return { box, kind: 'drop' };
      default: {
        const { kind, label } = describeMetadataBox(box, metadataTopBoxes);
        builder.remove(box.type === 'uuid' ? `uuid(${box.uuid})` : printable(box.type), kind, box.size, `${label} removed`);
        return { box, kind: 'drop' };
      }
    }
  });
  for (const extra of analysis.metaExtras) {
    const { kind, label } = describeMetadataBox(extra.box, metadataMetaChildren);
    builder.remove(`meta/${printable(extra.box.type)}`, kind, extra.box.size, `${label} removed`);
  }

  // Pass 1: sizes (never dependent on offset values), hence where every mdat payload lands.
  const mdatHeader = (box: Box) => (payloadSize(box) + 8 > 0xffffffff ? 16 : 8);
  const sizes = outputs.map((output) => {
    switch (output.kind) {
      case 'drop':
        return 0;
      case 'mdat':
        return mdatHeader(output.box) + payloadSize(output.box);
      case 'meta':
        return output.build(null).reduce((sum, piece) => sum + pieceLength(piece), 0);
      default:
        return output.build(null).length;
    }
  });
  const newPayloadStart = new Map<Box, number>();
  let at = 0;
  outputs.forEach((output, index) => {
    if (output.kind === 'mdat') newPayloadStart.set(output.box, at + mdatHeader(output.box));
    at += sizes[index]!;
  });
  const map: MapOffset = (offset, what) => {
    const mdat = mdats.find((box) => offset >= payloadStart(box) && offset < box.offset + box.size);
    if (!mdat) throw new TracelessError('UNSUPPORTED_FORMAT', `${what} lies at ${offset}, outside every mdat box; traceless cannot keep it`);
    return newPayloadStart.get(mdat)! + (offset - payloadStart(mdat));
  };

  // Pass 2: the pieces.
  const pieces: Piece[] = [];
  outputs.forEach((output, index) => {
    if (output.kind === 'drop') return;
    if (output.kind === 'mdat') {
      pieces.push({ kind: 'bytes', data: mdatBoxHeader(payloadSize(output.box)) }, ...spanPieces(output.box, output.spans));
      return;
    }
    const built: Piece[] = output.kind === 'meta' ? output.build(map) : [{ kind: 'bytes', data: output.build(map) }];
    if (built.reduce((sum, piece) => sum + pieceLength(piece), 0) !== sizes[index]) throw internalError(`the rebuilt ${output.box.type} box changed size between passes`);
    pieces.push(...built);
  });
  return pieces;
}

function mdatBoxHeader(payloadBytes: number): Buffer {
  if (payloadBytes + 8 <= 0xffffffff) return new Writer().uint(4, payloadBytes + 8).raw(Buffer.from('mdat', 'latin1')).toBuffer();
  return new Writer().uint(4, 1).raw(Buffer.from('mdat', 'latin1')).uint(8, payloadBytes + 16).toBuffer();
}

/** The payload of an mdat: kept spans where they were, zeros everywhere else. */
function spanPieces(mdat: Box, spans: readonly Span[]): Piece[] {
  const pieces: Piece[] = [];
  let at = payloadStart(mdat);
  for (const span of spans) {
    if (span.offset > at) pieces.push({ kind: 'zeros', length: span.offset - at });
    if (span.data) pieces.push({ kind: 'bytes', data: span.data });
    else pieces.push({ kind: 'copy', offset: span.offset, length: span.length, content: span.content });
    at = span.offset + span.length;
  }
  const end = mdat.offset + mdat.size;
  if (end > at) pieces.push({ kind: 'zeros', length: end - at });
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// ftyp

function writeFileType(source: ByteSource, box: Box, builder: PlanBuilder): Buffer {
  const brands = readBrands(source, box);
  const compatible = brands.slice(1).filter((brand) => registeredBrands.has(brand));
  let major = brands[0]!;
  const dropped = brands.slice(1).filter((brand) => !registeredBrands.has(brand));
  if (!registeredBrands.has(major)) {
    dropped.unshift(major);
    const replacement = compatible.find((brand) => registeredBrands.has(brand));
    if (!replacement) throw new TracelessError('UNSUPPORTED_FORMAT', `ftyp names no registered HEIF/AVIF brand traceless can keep`);
    major = replacement;
  }
  const extra = payloadSize(box) % 4;
  if (dropped.length > 0 || extra !== 0) {
    // Runs once per build pass: record the removal on the first only.
    if (!builder.removed.some((removal) => removal.where === 'ftyp')) {
      builder.remove('ftyp', 'other', dropped.length * 4 + extra, `unregistered brand(s) removed${dropped.length ? `: ${dropped.map(printable).join(', ')}` : ''}`);
    }
  }
  const writer = new Writer().raw(Buffer.from(major, 'latin1')).uint(4, 0);
  for (const brand of compatible) writer.raw(Buffer.from(brand, 'latin1'));
  return makeBox('ftyp', writer.toBuffer());
}

// ---------------------------------------------------------------------------------------------
// Item data: where each kept item's bytes lie, and the kept spans of every mdat.

function placeItems(source: ByteSource, analysis: Analysis, decisions: Decisions, mdats: readonly Box[]): Map<number, Placement> {
  const placements = new Map<number, Placement>();
  let idatAt = 0;
  for (const kept of decisions.kept.values()) {
    const place = kept.item.place;
    if (!place || kept.data.kind === 'none') continue;
    let fileRanges: ByteRange[];
    switch (kept.data.kind) {
      case 'copy':
        fileRanges = place.ranges.filter((range) => range.length > 0);
        break;
      case 'ranges':
        fileRanges = kept.data.ranges.flatMap((range) => sliceRanges(place.ranges, range.offset, range.length));
        break;
      case 'bytes':
        fileRanges = sliceRanges(place.ranges, 0, kept.data.data.length);
        break;
    }
    const placement: Placement = { item: kept, fileRanges };
    if (place.inIdat) {
      placement.idatRanges = fileRanges.map((range) => {
        const relative = { offset: idatAt, length: range.length };
        idatAt += range.length;
        return relative;
      });
    } else {
      for (const range of fileRanges) {
        if (!mdats.some((mdat) => range.offset >= payloadStart(mdat) && range.offset + range.length <= mdat.offset + mdat.size)) {
          throw new TracelessError('UNSUPPORTED_FORMAT', `the data of ${kept.item.where} lies at ${range.offset} outside every mdat box; traceless cannot keep it`);
        }
      }
    }
    placements.set(kept.item.id, placement);
  }
  void source;
  void analysis;
  return placements;
}

/** The file ranges of bytes [offset, offset+length) of an item made of `ranges` (in order). */
function sliceRanges(ranges: readonly ByteRange[], offset: number, length: number): ByteRange[] {
  const result: ByteRange[] = [];
  let itemAt = 0;
  const end = offset + length;
  for (const range of ranges) {
    const start = Math.max(offset, itemAt);
    const stop = Math.min(end, itemAt + range.length);
    if (stop > start) result.push({ offset: range.offset + (start - itemAt), length: stop - start });
    itemAt += range.length;
  }
  if (Math.min(end, itemAt) - offset !== length) throw internalError(`an item slice of ${length} bytes at ${offset} runs past the item`);
  return result;
}

/** Bytes [from, from+length) of the data a placement writes, as spans at their file ranges. */
function placementSpans(placement: Placement): Span[] {
  const data = placement.item.data;
  const spans: Span[] = [];
  let at = 0;
  for (const range of placement.fileRanges) {
    if (data.kind === 'bytes') spans.push({ ...range, data: data.data.subarray(at, at + range.length), content: 'image' });
    else spans.push({ ...range, content: 'image' });
    at += range.length;
  }
  return spans;
}

function mdatSpans(source: ByteSource, analysis: Analysis, placements: Map<number, Placement>, mdats: readonly Box[], builder: PlanBuilder): Map<Box, Span[]> {
  const all: Span[] = [];
  for (const placement of placements.values()) if (!placement.idatRanges) all.push(...placementSpans(placement));
  if (analysis.moov) for (const range of chunkRanges(source, analysis.moov)) all.push({ ...range, content: 'samples' });
  // Bytes of removed items that a kept item shares cannot be removed without harming it.
  const removedRanges: { range: ByteRange; where: string }[] = [];
  for (const item of analysis.items) {
    if (placements.has(item.id) || !item.place || item.place.inIdat) continue;
    for (const range of item.place.ranges) removedRanges.push({ range, where: item.where });
  }
  const result = new Map<Box, Span[]>();
  for (const mdat of mdats) {
    const start = payloadStart(mdat);
    const end = mdat.offset + mdat.size;
    const inside = all.filter((span) => span.offset >= start && span.offset + span.length <= end && span.length > 0).sort((a, b) => a.offset - b.offset || b.length - a.length);
    const merged: Span[] = [];
    for (const span of inside) {
      const last = merged[merged.length - 1];
      if (last && span.offset < last.offset + last.length) {
        // Two copies may share bytes (tiles reused, a sample that is also an item); written bytes may not.
        if (last.data || span.data) throw new TracelessError('UNSUPPORTED_FORMAT', `bytes at ${span.offset} in mdat belong to two items, one of which traceless re-writes; it cannot keep both`);
        last.length = Math.max(last.length, span.offset + span.length - last.offset);
        continue;
      }
      merged.push({ ...span });
    }
    for (const { range, where } of removedRanges) {
      if (merged.some((span) => overlaps(span, range))) {
        throw new TracelessError('UNSUPPORTED_FORMAT', `the bytes of ${where} at ${range.offset} are shared with a kept image; traceless cannot remove them without harming it`);
      }
    }
    // Bytes no kept item references and no removed item owned: zeroed, and said so when not already zero.
    let unreferenced = 0;
    let at = start;
    const owned = removedRanges.map(({ range }) => range);
    const countGap = (from: number, to: number) => {
      for (let offset = from; offset < to; ) {
        const length = Math.min(to - offset, 1024 * 1024);
        const bytes = source.read(offset, length);
        for (let index = 0; index < bytes.length; index++) {
          if (bytes[index] !== 0 && !owned.some((range) => offset + index >= range.offset && offset + index < range.offset + range.length)) unreferenced++;
        }
        offset += length;
      }
    };
    for (const span of merged) {
      countGap(at, span.offset);
      at = span.offset + span.length;
    }
    countGap(at, end);
    if (unreferenced > 0) builder.remove(`mdat@${mdat.offset}`, 'other', unreferenced, `${unreferenced} byte(s) that no kept item references zeroed`);
    result.set(mdat, merged);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// meta

function buildMeta(source: ByteSource, analysis: Analysis, decisions: Decisions, placements: Map<number, Placement>, map: MapOffset | null): Piece[] {
  const meta = analysis.file.meta!;
  const kept = [...decisions.kept.values()].sort((a, b) => a.item.id - b.item.id);
  const keptIds = new Set(kept.map((entry) => entry.item.id));
  const children: Piece[] = [];
  const add = (data: Buffer) => children.push({ kind: 'bytes', data });
  // hdlr: 'pict' with an empty name and zero reserved fields.
  add(makeFullBox('hdlr', 0, 0, Buffer.concat([Buffer.alloc(4), Buffer.from('pict', 'latin1'), Buffer.alloc(12), Buffer.from([0])])));
  if (meta.dataReferenceDetails.length > 0 || meta.children.some((child) => child.type === 'dinf')) {
    // One entry, flag 1 ("the data is in this file"), no URL.
    add(makeBox('dinf', makeFullBox('dref', 0, 0, Buffer.concat([new Writer().uint(4, 1).toBuffer(), makeFullBox('url ', 0, 1, Buffer.alloc(0))]))));
  }
  if (meta.primaryItemId !== undefined) {
    const wide = meta.primaryItemId > 0xffff;
    add(makeFullBox('pitm', wide ? 1 : 0, 0, new Writer().uint(wide ? 4 : 2, meta.primaryItemId).toBuffer()));
  }
  add(writeItemInfos(kept));
  add(writeItemLocations(source, meta, kept, placements, map));
  const references = keptReferences(meta, keptIds);
  if (references.length > 0) add(writeReferences(references));
  if (decisions.properties.length > 0 || decisions.associations.size > 0) add(writeProperties(decisions, keptIds));
  const idat = idatPieces(placements);
  if (idat.length > 0 || meta.idat) {
    const length = idat.reduce((sum, piece) => sum + pieceLength(piece), 0);
    children.push({ kind: 'bytes', data: new Writer().uint(4, 8 + length).raw(Buffer.from('idat', 'latin1')).toBuffer() }, ...idat);
  }
  const groups = writeGroups(meta, keptIds);
  if (groups) add(groups);
  const length = children.reduce((sum, piece) => sum + pieceLength(piece), 0);
  return [{ kind: 'bytes', data: new Writer().uint(4, 12 + length).raw(Buffer.from('meta', 'latin1')).uint(4, 0).toBuffer() }, ...children];
}

function writeItemInfos(kept: readonly KeptItem[]): Buffer {
  const entries = kept.map(({ item }) => {
    const info = item.info;
    const wide = info.id > 0xffff;
    const writer = new Writer().uint(wide ? 4 : 2, info.id).uint(2, 0).raw(Buffer.from(info.type, 'latin1')).uint(1, 0);
    // A kept mime item is plain XMP (location mode): its content type, no encoding.
    if (info.type === 'mime') writer.raw(Buffer.from('application/rdf+xml\0', 'latin1'));
    return makeFullBox('infe', wide ? 3 : 2, info.hidden ? 1 : 0, writer.toBuffer());
  });
  const wide = entries.length > 0xffff;
  return makeFullBox('iinf', wide ? 1 : 0, 0, Buffer.concat([new Writer().uint(wide ? 4 : 2, entries.length).toBuffer(), ...entries]));
}

/** iloc version 1 (2 with 32-bit item IDs), no base offsets, offsets and lengths sized for the file. */
function writeItemLocations(source: ByteSource, meta: HeifMeta, kept: readonly KeptItem[], placements: Map<number, Placement>, map: MapOffset | null): Buffer {
  const fieldBytes = source.size + 0x10000 > 0xffffffff ? 8 : 4;
  const input = meta.iloc;
  const referencing = kept.filter(({ item }) => item.location?.constructionMethod === 2);
  const indexSize = referencing.length > 0 ? (input?.indexSize ?? 0) : 0;
  const wide = kept.some(({ item }) => item.id > 0xffff);
  const version = wide ? 2 : 1;
  const writer = new Writer().uint(1, (fieldBytes << 4) | fieldBytes).uint(1, indexSize).uint(wide ? 4 : 2, 0);
  let count = 0;
  for (const { item } of kept) {
    const location = item.location;
    if (!location) continue;
    const placement = placements.get(item.id);
    let method = 0;
    let extents: { index: number; offset: number; length: number }[];
    if (location.constructionMethod === 2) {
      method = 2;
      // Offsets into the referenced items' data, which is kept as it was.
      extents = location.extents.map((extent) => ({ index: extent.index, offset: location.baseOffset + extent.offset, length: extent.length }));
    } else if (placement?.idatRanges) {
      method = 1;
      extents = placement.idatRanges.map((range) => ({ index: 0, offset: range.offset, length: range.length }));
    } else {
      extents = (placement?.fileRanges ?? []).map((range) => ({ index: 0, offset: map ? map(range.offset, `the data of ${item.where}`) : 0, length: range.length }));
    }
    writer.uint(wide ? 4 : 2, item.id).uint(2, method).uint(2, 0).uint(2, extents.length);
    for (const extent of extents) writer.uint(indexSize, extent.index).uint(fieldBytes, extent.offset).uint(fieldBytes, extent.length);
    count++;
  }
  const payload = writer.toBuffer();
  payload.writeUIntBE(count, 2, wide ? 4 : 2);
  return makeFullBox('iloc', version, 0, payload);
}

function idatPieces(placements: Map<number, Placement>): Piece[] {
  const pieces: Piece[] = [];
  const first = (placement: Placement) => placement.idatRanges![0]?.offset ?? 0;
  const inIdat = [...placements.values()].filter((placement) => placement.idatRanges).sort((a, b) => first(a) - first(b));
  for (const placement of inIdat) {
    for (const span of placementSpans(placement)) {
      if (span.data) pieces.push({ kind: 'bytes', data: span.data });
      else pieces.push({ kind: 'copy', offset: span.offset, length: span.length, content: 'image' });
    }
  }
  return pieces;
}

function keptReferences(meta: HeifMeta, keptIds: ReadonlySet<number>): { type: string; fromId: number; toIds: number[] }[] {
  const result: { type: string; fromId: number; toIds: number[] }[] = [];
  for (const reference of meta.iref?.references ?? []) {
    if (!keptIds.has(reference.fromId)) continue;
    const toIds = reference.toIds.filter((id) => keptIds.has(id));
    if (toIds.length > 0) result.push({ type: reference.type, fromId: reference.fromId, toIds });
  }
  return result;
}

function writeReferences(references: readonly { type: string; fromId: number; toIds: number[] }[]): Buffer {
  const wide = references.some((reference) => reference.fromId > 0xffff || reference.toIds.some((id) => id > 0xffff));
  const idBytes = wide ? 4 : 2;
  const boxes = references.map((reference) => {
    const writer = new Writer().uint(idBytes, reference.fromId).uint(2, reference.toIds.length);
    for (const id of reference.toIds) writer.uint(idBytes, id);
    return makeBox(reference.type, writer.toBuffer());
  });
  return makeFullBox('iref', wide ? 1 : 0, 0, Buffer.concat(boxes));
}

function writeProperties(decisions: Decisions, keptIds: ReadonlySet<number>): Buffer {
  const ipco = makeBox('ipco', Buffer.concat(decisions.properties.map((entry) => entry.property.data)));
  const wideIndex = decisions.properties.length > 0x7f;
  const ids = [...decisions.associations.keys()].filter((id) => keptIds.has(id)).sort((a, b) => a - b);
  const wideIds = ids.some((id) => id > 0xffff);
  const writer = new Writer().uint(4, ids.length);
  for (const id of ids) {
    const list = decisions.associations.get(id)!;
    if (list.length > 0xff) throw new TracelessError('UNSUPPORTED_FORMAT', `item ${id} has more than 255 properties`);
    writer.uint(wideIds ? 4 : 2, id).uint(1, list.length);
    for (const association of list) {
      if (wideIndex) writer.uint(2, (association.essential ? 0x8000 : 0) | association.index);
      else writer.uint(1, (association.essential ? 0x80 : 0) | association.index);
    }
  }
  const ipma = makeFullBox('ipma', wideIds ? 1 : 0, wideIndex ? 1 : 0, writer.toBuffer());
  return makeBox('iprp', Buffer.concat([ipco, ipma]));
}

function writeGroups(meta: HeifMeta, keptIds: ReadonlySet<number>): Buffer | undefined {
  const boxes: Buffer[] = [];
  for (const group of meta.groups) {
    if (!knownGroupTypes.has(group.type)) continue;
    const ids = group.entityIds.filter((id) => keptIds.has(id));
    if (ids.length === 0) continue;
    const writer = new Writer().uint(4, group.groupId).uint(4, ids.length);
    for (const id of ids) writer.uint(4, id);
    boxes.push(makeFullBox(group.type, 0, 0, writer.toBuffer()));
  }
  return boxes.length > 0 ? makeBox('grpl', Buffer.concat(boxes)) : undefined;
}

function keptWords(source: ByteSource, analysis: Analysis, decisions: Decisions): string[] {
  const words: string[] = [];
  const types = decisions.properties.map((entry) => entry.property.data.toString('latin1', 4, 8));
  if (types.includes('irot') || types.includes('imir')) words.push('orientation (irot/imir item properties)');
  const colours = decisions.properties.filter((entry) => entry.property.data.toString('latin1', 4, 8) === 'colr').map((entry) => entry.property.data.toString('latin1', 8, 12));
  if (colours.some((type) => type === 'prof' || type === 'rICC')) words.push('ICC colour profile (colr item property)');
  else if (colours.length > 0) words.push('colour information (colr item property)');
  const keptIds = new Set(decisions.kept.keys());
  const references = analysis.file.meta ? keptReferences(analysis.file.meta, keptIds) : [];
  const thumbnails = references.filter((reference) => reference.type === 'thmb').length;
  if (thumbnails > 0) words.push(`${thumbnails} thumbnail image(s) of the same picture`);
  const auxiliary = references.filter((reference) => reference.type === 'auxl').length;
  if (auxiliary > 0) words.push(`${auxiliary} auxiliary image(s) (depth, alpha or HDR gain map)`);
  void source;
  return words;
}
