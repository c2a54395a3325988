/**
 * Plans the clean copy of a HEIF/AVIF file.
 *
 * How (decided for traceless): metadata items (Exif, XMP, other MIME and URI items) are removed
 * properly — their `infe` entries, `iloc` entries, `iref` references and `ipma` associations go,
 * and `meta` is rebuilt smaller — while the bytes of every removed extent are overwritten with
 * zeros where they lie (in `mdat` or `idat`), so that no byte of the old metadata remains and no
 * image byte moves inside `mdat`. Because `meta` shrinks (and metadata boxes such as `uuid`, `udta`
 * or a Samsung `mpvd` are cut out), every `iloc` offset of a kept item and every `stco`/`co64`
 * chunk offset of an image sequence is moved by the number of bytes removed before it.
 * Image items, their properties (irot, imir, colr with ICC, ispe, hvcC/av1C, pixi, …), thumbnails
 * and auxiliary (depth, alpha, gain-map) images are copied byte for byte.
 *
 * Location mode edits the Exif item in place (GPS IFD removed, same length) and removes location
 * properties from XMP (padded with spaces to the same length); items it cannot edit are removed.
 *
 * References: ISO/IEC 23008-12:2022; ISO/IEC 14496-12:2022 section 8.11.3 (iloc offsets);
 * ExifTool's QuickTime writer notes (iloc and stco/co64 must follow moved data).
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { BlockKind } from '../../types.js';
import { removeExifLocation, removeXmpLocation } from '../../decode/location-edit.js';
import type { CleanPlan, Piece, PlanOptions, PlanRemoval } from '../types.js';
import { payloadSize, payloadStart, printable, type Box } from '../isobmff/boxes.js';
import { makeBox, makeFullBox } from './cursor.js';
import { analyse, type AnalysedItem, type Analysis } from './analyse.js';
import { exifTiffStart, xmpText } from './inspect.js';
import { overlaps, readItem, type ByteRange } from './items.js';
import type { HeifMeta, ItemLocation, ItemReference } from './meta.js';
import { moovRemovals, writeMoov } from './moov.js';
import { metadataPropertyTypes } from './properties.js';
import { describeMetadataBox, metadataMetaChildren, metadataTopBoxes } from './structure.js';
import { writeAssociations, writeItemInfos, writeItemLocations, writeItemReferences } from './write.js';

/** Bytes to overwrite at an absolute offset of the input: zeros when `data` is absent. */
interface Patch extends ByteRange {
  data?: Buffer;
  /** The item the bytes belong to, when they are an item's. */
  itemId?: number;
}

interface Decisions {
  removed: PlanRemoval[];
  kept: string[];
  removedItems: Set<number>;
  removedProperties: Set<number>;
  patches: Patch[];
}

export function planHeif(source: ByteSource, options: PlanOptions): CleanPlan {
  const analysis = analyse(source);
  const decisions = decide(source, analysis, options);
  if (decisions.removed.length === 0) {
    return { pieces: [{ kind: 'copy', offset: 0, length: source.size }], removed: [], kept: decisions.kept };
  }
  checkPatches(analysis, decisions);
  return { pieces: assemble(source, analysis, decisions, options), removed: decisions.removed, kept: decisions.kept };
}

function itemKind(item: AnalysedItem): BlockKind {
  if (item.role === 'exif') return 'exif';
  if (item.role === 'xmp') return 'xmp';
  return /c2pa/i.test(item.info.contentType ?? '') ? 'c2pa' : 'other';
}

function itemBytes(item: AnalysedItem): number {
  return (item.place?.ranges ?? []).reduce((sum, range) => sum + range.length, 0);
}

function decide(source: ByteSource, analysis: Analysis, options: PlanOptions): Decisions {
  const decisions: Decisions = { removed: [], kept: [], removedItems: new Set(), removedProperties: new Set(), patches: [] };
  const locationOnly = options.mode === 'location';
  const removeItem = (item: AnalysedItem, note: string) => {
    if (!item.place && item.location) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `${item.where} is built from other items (construction method 2); traceless cannot remove it safely`);
    }
    decisions.removedItems.add(item.id);
    for (const range of item.place?.ranges ?? []) decisions.patches.push({ ...range, itemId: item.id });
    decisions.removed.push({ where: item.where, kind: itemKind(item), bytes: itemBytes(item), note });
  };

  for (const item of analysis.items) {
    if (item.role === 'image') continue;
    if (!locationOnly) {
      removeItem(item, item.role === 'exif' ? 'Exif item removed and its bytes zeroed' : item.role === 'xmp' ? 'XMP item removed and its bytes zeroed' : `metadata item (${item.info.contentType ?? item.info.uriType ?? item.info.type}) removed`);
      continue;
    }
    if (item.role === 'exif' && item.place) {
      const edit = editExifLocation(readItem(source, item.place));
      if (!edit.safe) removeItem(item, `Exif item removed: ${edit.note}`);
      else if (edit.data) {
        pushEdit(decisions, item, edit.data);
        decisions.removed.push({ where: `${item.where}/GPS`, kind: 'exif', bytes: itemBytes(item), note: `removed in place: ${edit.note}` });
      } else decisions.kept.push('Exif (no location in it)');
    } else if (item.role === 'xmp' && item.place) {
      const edit = editXmpLocation(readItem(source, item.place), item.info.contentEncoding);
      if (!edit.safe) removeItem(item, `XMP item removed: ${edit.note}`);
      else if (edit.data) {
        pushEdit(decisions, item, edit.data);
        decisions.removed.push({ where: item.where, kind: 'xmp', bytes: itemBytes(item), note: 'location properties removed in place' });
      } else decisions.kept.push('XMP (no location in it)');
    } else {
      // Items traceless cannot read could hold a place: they go in this mode too.
      removeItem(item, 'metadata item traceless cannot read for location: removed');
    }
  }

  if (!locationOnly) {
    for (const property of analysis.properties) {
      if (property.role !== 'metadata') continue;
      decisions.removedProperties.add(property.index);
      decisions.removed.push({
        where: `meta/iprp/ipco/${printable(property.box.type)}`,
        kind: property.box.type === 'crtt' || property.box.type === 'mdft' ? 'timestamp' : property.box.type === 'udes' ? 'text' : 'other',
        bytes: property.box.size,
        note: `${metadataPropertyTypes[property.box.type]} property removed`,
      });
    }
  }

  for (const { box, role } of analysis.file.top) {
    if (role === 'metadata') {
      const { kind, label } = describeMetadataBox(box, metadataTopBoxes);
      decisions.removed.push({ where: box.type === 'uuid' ? `uuid(${box.uuid})` : printable(box.type), kind, bytes: box.size, note: `${label} removed` });
    } else if (role === 'padding' && analysis.dirtyPadding.has(box)) {
      decisions.patches.push({ offset: payloadStart(box), length: payloadSize(box) });
      decisions.removed.push({ where: printable(box.type), kind: 'other', bytes: payloadSize(box), note: 'old bytes in unused space zeroed' });
    }
  }
  for (const extra of analysis.metaExtras) {
    const where = `meta/${printable(extra.box.type)}`;
    if (extra.role === 'metadata') {
      const { kind, label } = describeMetadataBox(extra.box, metadataMetaChildren);
      decisions.removed.push({ where, kind, bytes: extra.box.size, note: `${label} removed` });
    } else if (extra.dirty) {
      decisions.patches.push({ offset: payloadStart(extra.box), length: payloadSize(extra.box) });
      decisions.removed.push({ where, kind: 'other', bytes: payloadSize(extra.box), note: 'old bytes in unused space zeroed' });
    }
  }
  if (analysis.moov) {
    for (const removal of moovRemovals(analysis.moov, !locationOnly && !options.keepDates)) decisions.removed.push(removal);
  }
  decisions.kept.push(...keptWords(source, analysis, decisions));
  return decisions;
}

function pushEdit(decisions: Decisions, item: AnalysedItem, payload: Buffer): void {
  let at = 0;
  for (const range of item.place!.ranges) {
    decisions.patches.push({ ...range, data: payload.subarray(at, at + range.length), itemId: item.id });
    at += range.length;
  }
}

interface PayloadEdit {
  safe: boolean;
  /** The new payload (same length) when something changed. */
  data?: Buffer;
  note: string;
}

function editExifLocation(payload: Buffer): PayloadEdit {
  const start = exifTiffStart(payload);
  if (start === undefined) return { safe: false, note: 'no readable TIFF structure' };
  const edit = removeExifLocation(payload.subarray(start));
  if (!edit.safe) return { safe: false, note: edit.note };
  if (!edit.changed) return { safe: true, note: '' };
  const data = Buffer.concat([payload.subarray(0, start), edit.data]);
  if (data.length !== payload.length) return { safe: false, note: 'the edited Exif changed length' };
  return { safe: true, data, note: edit.note };
}

function editXmpLocation(payload: Buffer, encoding: string | undefined): PayloadEdit {
  if ((encoding ?? '').trim() !== '') return { safe: false, note: 'compressed XMP cannot be edited in place' };
  const packet = xmpText(payload, encoding);
  if (packet === undefined || !Buffer.from(packet, 'utf8').equals(payload)) return { safe: false, note: 'XMP is not plain UTF-8' };
  const edit = removeXmpLocation(packet);
  if (!edit.safe) return { safe: false, note: edit.note };
  if (!edit.changed) return { safe: true, note: '' };
  const data = padXmp(edit.data, payload.length);
  return data ? { safe: true, data, note: edit.note } : { safe: false, note: 'the edited XMP does not fit' };
}

/** Pads an XMP packet with spaces (before the closing `<?xpacket end` when there is one) to `length` bytes. */
export function padXmp(packet: string, length: number): Buffer | undefined {
  const bytes = Buffer.byteLength(packet, 'utf8');
  if (bytes > length) return undefined;
  const padding = ' '.repeat(length - bytes);
  const end = packet.lastIndexOf('<?xpacket end');
  const padded = end === -1 ? packet + padding : packet.slice(0, end) + padding + packet.slice(end);
  const data = Buffer.from(padded, 'utf8');
  return data.length === length ? data : undefined;
}

function keptWords(source: ByteSource, analysis: Analysis, decisions: Decisions): string[] {
  const words: string[] = [];
  const kept = analysis.properties.filter((property) => !decisions.removedProperties.has(property.index));
  if (kept.some((property) => property.box.type === 'irot' || property.box.type === 'imir')) words.push('orientation (irot/imir item properties)');
  const colours = kept.filter((property) => property.box.type === 'colr').map((property) => source.read(payloadStart(property.box), Math.min(4, payloadSize(property.box))).toString('latin1'));
  if (colours.some((type) => type === 'prof' || type === 'rICC')) words.push('ICC colour profile (colr item property)');
  else if (colours.length > 0) words.push('colour information (colr item property)');
  const references = analysis.file.meta?.iref?.references ?? [];
  const thumbnails = references.filter((reference) => reference.type === 'thmb').length;
  if (thumbnails > 0) words.push(`${thumbnails} thumbnail image(s) of the same picture`);
  const auxiliary = references.filter((reference) => reference.type === 'auxl').length;
  if (auxiliary > 0) words.push(`${auxiliary} auxiliary image(s) (depth, alpha or HDR gain map)`);
  return words;
}

/** Every byte to overwrite must belong to removed metadata only, and lie where traceless copies bytes. */
function checkPatches(analysis: Analysis, decisions: Decisions): void {
  const keptRanges: { range: ByteRange; id: number }[] = [];
  for (const item of analysis.items) {
    if (decisions.removedItems.has(item.id)) continue;
    for (const range of item.place?.ranges ?? []) keptRanges.push({ range, id: item.id });
  }
  // Where patches may land: payloads copied byte for byte, or boxes dropped whole.
  const writable: ByteRange[] = [];
  const gone: ByteRange[] = [];
  for (const { box, role } of analysis.file.top) {
    if (role === 'mdat' || role === 'padding') writable.push({ offset: payloadStart(box), length: payloadSize(box) });
    if (role === 'metadata') gone.push({ offset: box.offset, length: box.size });
  }
  const meta = analysis.file.meta;
  if (meta?.idat) writable.push({ offset: payloadStart(meta.idat), length: payloadSize(meta.idat) });
  for (const extra of analysis.metaExtras) {
    if (extra.role === 'padding') writable.push({ offset: payloadStart(extra.box), length: payloadSize(extra.box) });
    else gone.push({ offset: extra.box.offset, length: extra.box.size });
  }
  const within = (patch: ByteRange, range: ByteRange) => patch.offset >= range.offset && patch.offset + patch.length <= range.offset + range.length;
  decisions.patches = decisions.patches.filter((patch) => !gone.some((range) => within(patch, range)));
  for (const patch of decisions.patches) {
    if (!writable.some((range) => within(patch, range))) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `metadata bytes at ${patch.offset} (${patch.length} bytes) lie inside a box traceless rebuilds; it cannot remove them safely`);
    }
    const clash = keptRanges.find((kept) => kept.id !== patch.itemId && overlaps(kept.range, patch));
    if (clash) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `metadata bytes at ${patch.offset} are shared with item ${clash.id}, which is kept; traceless cannot remove them without harming it`);
    }
    if (patch.data) {
      const other = decisions.patches.find((candidate) => candidate !== patch && overlaps(candidate, patch));
      if (other) throw new TracelessError('UNSUPPORTED_FORMAT', `metadata bytes at ${patch.offset} belong to two items; traceless cannot edit them in place`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Assembly: rebuilt meta/moov, copied boxes with patches, and the offset map between them.

interface Segment {
  oldStart: number;
  oldEnd: number;
  newStart: number;
}

type OutputBox =
  | { box: Box; kind: 'drop' }
  | { box: Box; kind: 'copy' }
  | { box: Box; kind: 'rebuilt'; build: (mapOffset: MapOffset | null) => Buffer };

type MapOffset = (offset: number, length: number, what: string) => number;

function assemble(source: ByteSource, analysis: Analysis, decisions: Decisions, options: PlanOptions): Piece[] {
  const zeroDates = options.mode !== 'location' && !options.keepDates;
  const outputs: OutputBox[] = analysis.file.top.map(({ box, role }): OutputBox => {
    switch (role) {
      case 'metadata':
        return { box, kind: 'drop' };
      case 'meta':
        return { box, kind: 'rebuilt', build: (map) => buildMeta(source, analysis, decisions, map) };
      case 'moov':
        return {
          box,
          kind: 'rebuilt',
          build: (map) => writeMoov(source, analysis.moov!, { zeroDates, mapOffset: map ? (offset) => map(offset, 1, 'a chunk of the image sequence') : (offset) => offset }),
        };
      default:
        return { box, kind: 'copy' };
    }
  });
  // Pass 1: sizes (they never depend on offset values), hence where every kept box lands.
  const sizes = outputs.map((output) => (output.kind === 'drop' ? 0 : output.kind === 'copy' ? output.box.size : output.build(null).length));
  const segments: Segment[] = [];
  let cursor = 0;
  outputs.forEach((output, index) => {
    if (output.kind === 'copy') {
      const last = segments[segments.length - 1];
      const segment = { oldStart: output.box.offset, oldEnd: output.box.offset + output.box.size, newStart: cursor };
      if (last && last.oldEnd === segment.oldStart && last.newStart + (last.oldEnd - last.oldStart) === segment.newStart) last.oldEnd = segment.oldEnd;
      else segments.push(segment);
    }
    cursor += sizes[index]!;
  });
  const map: MapOffset = (offset, length, what) => {
    const segment = segments.find((candidate) => offset >= candidate.oldStart && offset + Math.max(length, 1) <= candidate.oldEnd);
    if (!segment) throw new TracelessError('UNSUPPORTED_FORMAT', `${what} lies at ${offset} inside a box that traceless rewrites or removes`);
    return segment.newStart + (offset - segment.oldStart);
  };
  // Pass 2: the real bytes.
  const pieces: Piece[] = [];
  outputs.forEach((output, index) => {
    if (output.kind === 'drop') return;
    if (output.kind === 'copy') {
      pieces.push(...copyWithPatches(output.box.offset, output.box.size, decisions.patches));
      return;
    }
    const data = output.build(map);
    if (data.length !== sizes[index]) throw new TracelessError('MALFORMED', `the rebuilt ${output.box.type} box changed size between passes`);
    pieces.push({ kind: 'bytes', data });
  });
  return pieces;
}

/** Pieces for `[offset, offset+length)` of the input with every patch inside it applied. */
function copyWithPatches(offset: number, length: number, patches: readonly Patch[]): Piece[] {
  const end = offset + length;
  const inside = patches.filter((patch) => patch.offset < end && patch.offset + patch.length > offset).sort((a, b) => a.offset - b.offset);
  const pieces: Piece[] = [];
  let at = offset;
  for (const patch of inside) {
    const start = Math.max(patch.offset, at);
    const stop = Math.min(patch.offset + patch.length, end);
    if (stop <= start) continue;
    if (start > at) pieces.push({ kind: 'copy', offset: at, length: start - at });
    if (patch.data) pieces.push({ kind: 'bytes', data: patch.data.subarray(start - patch.offset, stop - patch.offset) });
    else pieces.push({ kind: 'zeros', length: stop - start });
    at = stop;
  }
  if (at < end) pieces.push({ kind: 'copy', offset: at, length: end - at });
  return pieces;
}

/** The bytes of `[offset, offset+length)` with patches applied (for boxes rebuilt in memory). */
function readPatched(source: ByteSource, offset: number, length: number, patches: readonly Patch[]): Buffer {
  const parts = copyWithPatches(offset, length, patches).map((piece) => {
    if (piece.kind === 'copy') return source.read(piece.offset, piece.length);
    if (piece.kind === 'zeros') return Buffer.alloc(piece.length);
    return piece.data;
  });
  return Buffer.concat(parts, length);
}

function rawBox(source: ByteSource, box: Box): Buffer {
  return source.read(box.offset, box.size);
}

function buildMeta(source: ByteSource, analysis: Analysis, decisions: Decisions, map: MapOffset | null): Buffer {
  const meta = analysis.file.meta!;
  const { removedItems, removedProperties, patches } = decisions;
  const parts: Buffer[] = [];
  const dropped = new Set(analysis.metaExtras.filter((extra) => extra.role === 'metadata').map((extra) => extra.box));
  for (const child of meta.children) {
    if (dropped.has(child)) continue;
    switch (child.type) {
      case 'iinf': {
        const iinf = meta.iinf!;
        const entries = [...meta.itemInfos.values()].filter((info) => !removedItems.has(info.id)).map((info) => rawBox(source, info.box));
        parts.push(removedItems.size > 0 ? writeItemInfos(iinf.version, iinf.flags, entries) : rawBox(source, child));
        break;
      }
      case 'iloc':
        parts.push(writeItemLocations(meta.iloc!, meta.iloc!.items.filter((location) => !removedItems.has(location.id)).map((location) => moveLocation(analysis, location, map))));
        break;
      case 'iref': {
        const references = keptReferences(meta, removedItems);
        if (references === undefined) parts.push(rawBox(source, child));
        else if (references.length > 0) parts.push(writeItemReferences(meta.iref!, references));
        break;
      }
      case 'iprp':
        parts.push(buildProperties(source, meta, removedItems, removedProperties) ?? rawBox(source, child));
        break;
      case 'grpl':
        for (const group of meta.groups) {
          if (group.entityIds.some((id) => removedItems.has(id))) {
            throw new TracelessError('UNSUPPORTED_FORMAT', `entity group '${printable(group.type)}' ${group.groupId} includes a metadata item; traceless cannot remove it safely`);
          }
        }
        parts.push(rawBox(source, child));
        break;
      case 'idat':
      case 'free':
      case 'skip':
      case 'wide':
        parts.push(makeBox(child.type, readPatched(source, payloadStart(child), payloadSize(child), patches)));
        break;
      default:
        parts.push(rawBox(source, child));
    }
  }
  return makeFullBox('meta', meta.version, meta.flags, Buffer.concat(parts));
}

/** References without the removed items, or undefined when nothing changes. */
function keptReferences(meta: HeifMeta, removedItems: ReadonlySet<number>): ItemReference[] | undefined {
  const iref = meta.iref;
  if (!iref) return undefined;
  let changed = false;
  const result: ItemReference[] = [];
  for (const reference of iref.references) {
    if (removedItems.has(reference.fromId)) {
      changed = true;
      continue;
    }
    const toIds = reference.toIds.filter((id) => !removedItems.has(id));
    if (toIds.length !== reference.toIds.length) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `item ${reference.fromId} refers ('${printable(reference.type)}') to a metadata item; traceless cannot remove it safely`);
    }
    result.push(reference);
  }
  return changed ? result : undefined;
}

function buildProperties(source: ByteSource, meta: HeifMeta, removedItems: ReadonlySet<number>, removedProperties: ReadonlySet<number>): Buffer | undefined {
  const iprp = meta.iprp;
  if (!iprp) return undefined;
  const touchesItems = iprp.associations.some((ipma) => ipma.entries.some((entry) => removedItems.has(entry.itemId)));
  if (!touchesItems && removedProperties.size === 0) return undefined;
  // Property indices count from 1 in ipco order: later ones move down by the removed ones before them.
  const newIndex = (index: number) => index - [...removedProperties].filter((removed) => removed < index).length;
  const parts: Buffer[] = [];
  for (const child of iprp.children) {
    if (child.type === 'ipco') {
      const kept = iprp.properties.filter((_, position) => !removedProperties.has(position + 1)).map((property) => rawBox(source, property));
      parts.push(makeBox('ipco', Buffer.concat(kept)));
    } else {
      const ipma = iprp.associations.find((candidate) => candidate.box === child)!;
      const entries = ipma.entries
        .filter((entry) => !removedItems.has(entry.itemId))
        .map((entry) => ({
          itemId: entry.itemId,
          associations: entry.associations
            .filter((association) => !removedProperties.has(association.index))
            .map((association) => ({ essential: association.essential, index: association.index === 0 ? 0 : newIndex(association.index) })),
        }));
      parts.push(writeAssociations(ipma, entries));
    }
  }
  return makeBox('iprp', Buffer.concat(parts));
}

/** The location of a kept item in the output: file offsets follow the bytes they point at. */
function moveLocation(analysis: Analysis, location: ItemLocation, map: MapOffset | null): ItemLocation {
  const item = analysis.items.find((candidate) => candidate.id === location.id);
  const place = item?.place;
  if (!map || !place || place.inIdat || location.constructionMethod !== 0 || place.ranges.length === 0) return location;
  const what = `the data of item ${location.id}`;
  const newStarts = place.ranges.map((range) => map(range.offset, range.length, what));
  const iloc = analysis.file.meta!.iloc!;
  const unmovable = () => new TracelessError('UNSUPPORTED_FORMAT', `meta/iloc: the offsets of item ${location.id} cannot be moved within their field sizes`);
  let baseOffset = 0;
  if (iloc.baseOffsetSize > 0) {
    baseOffset = location.baseOffset + (newStarts[0]! - place.ranges[0]!.offset);
    if (baseOffset < 0) throw unmovable();
  }
  const extents = location.extents.map((extent, index) => {
    const offset = newStarts[index]! - baseOffset;
    if (offset < 0 || (iloc.offsetSize === 0 && offset !== 0)) throw unmovable();
    return { ...extent, offset };
  });
  return { ...location, baseOffset, extents };
}
