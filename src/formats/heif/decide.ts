/**
 * What a clean copy of a HEIF/AVIF file keeps, judged on the keep-list (README "Keep-list down to
 * the byte"): which items stay (images, and in location mode the Exif/XMP items it can edit),
 * which properties stay and how each is re-written, and everything else that goes — metadata and
 * unknown items, unknown or unused properties, bytes after a property's defined fields, handler
 * and item names, data-reference URLs, unknown boxes. Refuses only where removing something would
 * change a kept picture: an unknown property marked essential, an item a kept image is derived
 * from that is not an image, an image whose JPEG data does not walk.
 *
 * References: ISO/IEC 23008-12:2022 sections 6.4.2 (item references: dimg, thmb, auxl, cdsc, base),
 * 6.5 (properties, essential flag), 6.6 (derived images); ISO/IEC 14496-12:2022 section 8.11.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { BlockKind, Finding } from '../../types.js';
import { removeExifLocation, removeXmpLocation } from '../../decode/location-edit.js';
import type { PlanOptions, PlanRemoval } from '../types.js';
import { payloadSize, payloadStart, printable } from '../isobmff/boxes.js';
import type { AnalysedItem, Analysis } from './analyse.js';
import { emitGrid, emitOverlay } from './derived.js';
import { exifTiffStart, xmpText } from './inspect.js';
import { readItem } from './items.js';
import { cleanJpegItem, type KeptRange } from './jpeg-item.js';
import { emitProperty, readableText, type EmittedProperty } from './property-emit.js';
import { metadataPropertyTypes } from './properties.js';

/** How a kept item's data is written. */
export type KeptData =
  /** Coded image data, copied byte for byte. */
  | { kind: 'copy' }
  /** Parts of the item's bytes (a JPEG item without its APPn/COM segments), copied. */
  | { kind: 'ranges'; ranges: KeptRange[] }
  /** Bytes written by traceless (grid/overlay descriptors, an edited Exif or XMP item). */
  | { kind: 'bytes'; data: Buffer }
  /** No data of its own (construction method 2, or no location). */
  | { kind: 'none' };

export interface KeptItem {
  item: AnalysedItem;
  data: KeptData;
}

export interface KeptProperty {
  /** 1-based index in the input's ipco. */
  oldIndex: number;
  /** 1-based index in the output's ipco. */
  newIndex: number;
  property: EmittedProperty;
}

export interface Decisions {
  removed: PlanRemoval[];
  /** Findings for what the structures hide (names, URLs, slack), so that scan says what clean changes. */
  findings: Finding[];
  kept: Map<number, KeptItem>;
  properties: KeptProperty[];
  /** Associations of kept items, in output indices. */
  associations: Map<number, { index: number; essential: boolean }[]>;
}

/** Entity groups whose layout is only a list of IDs (ISO/IEC 23008-12 section 6.8): re-written; others removed. */
export const knownGroupTypes: ReadonlySet<string> = new Set(['altr', 'ster', 'brst']);

/** Reference types whose `from` item is derived from (needs) its `to` items. */
const dependencyReferences: ReadonlySet<string> = new Set(['dimg', 'iloc', 'base']);

/** Reports a value hidden in a structure the clean copy re-writes without it. */
function hide(decisions: Decisions, where: string, label: string, value: string | number, text: string): void {
  decisions.findings.push({ category: 'other', where, tag: 'HiddenInStructure', label, value, text });
}

function itemKind(item: AnalysedItem): BlockKind {
  if (item.role === 'exif') return 'exif';
  if (item.role === 'xmp') return 'xmp';
  return /c2pa/i.test(item.info.contentType ?? '') ? 'c2pa' : 'other';
}

function itemBytes(item: AnalysedItem): number {
  return (item.place?.ranges ?? []).reduce((sum, range) => sum + range.length, 0);
}

export function decide(source: ByteSource, analysis: Analysis, options: PlanOptions): Decisions {
  const decisions: Decisions = { removed: [], findings: [], kept: new Map(), properties: [], associations: new Map() };
  const meta = analysis.file.meta;
  if (!meta) return decisions;
  const locationOnly = options.mode === 'location';
  const remove = (where: string, kind: BlockKind, bytes: number, note: string) => decisions.removed.push({ where, kind, bytes, note });
  const items = new Map(analysis.items.map((item) => [item.id, item] as const));
  const removedItems = new Map<number, string>();

  // Properties: each judged once, from its own bytes.
  const judged = analysis.properties.map((property) => ({
    property,
    judgement: emitProperty(property.box.type, readPropertyPayload(source, property.box)),
  }));
  const associationsOf = new Map<number, { index: number; essential: boolean }[]>();
  for (const ipma of meta.iprp?.associations ?? []) {
    for (const entry of ipma.entries) {
      const list = associationsOf.get(entry.itemId) ?? [];
      list.push(...entry.associations.filter((association) => association.index !== 0));
      associationsOf.set(entry.itemId, list);
    }
  }
  for (const list of associationsOf.values()) {
    for (const association of list) {
      if (association.index > judged.length) throw new TracelessError('MALFORMED', `meta/iprp/ipma refers to property ${association.index}, but ipco holds ${judged.length}`);
    }
  }

  // Items: images stay; metadata goes (or is edited in location mode); unknown items go.
  for (const item of analysis.items) {
    if (item.info.protectionIndex !== 0) {
      if (item.role === 'image') throw new TracelessError('UNSUPPORTED_FORMAT', `${item.where} is protected (encrypted); traceless cannot clean protected images`);
      removedItems.set(item.id, 'protected item removed');
      continue;
    }
    if (item.role === 'image') continue;
    if (locationOnly && (item.role === 'exif' || item.role === 'xmp') && item.place) {
      const edited = item.role === 'exif' ? editExif(readItem(source, item.place)) : editXmp(readItem(source, item.place), item.info.contentEncoding);
      // The edited payload goes where the old one was: it must not be longer.
      if (edited.data && edited.data.length > itemBytes(item)) edited.note = 'the edited payload is longer than the original';
      else if (edited.data) {
        decisions.kept.set(item.id, { item, data: { kind: 'bytes', data: edited.data } });
        if (edited.note) remove(item.role === 'exif' ? `${item.where}/GPS` : item.where, itemKind(item), itemBytes(item), `removed in place: ${edited.note}`);
        continue;
      }
      delete edited.data;
      removedItems.set(item.id, `${item.role === 'exif' ? 'Exif' : 'XMP'} item removed: ${edited.note}`);
      continue;
    }
    const what = item.role === 'exif' ? 'Exif item' : item.role === 'xmp' ? 'XMP item' : item.role === 'unknown' ? `item of unknown type '${printable(item.info.type)}'` : `metadata item (${item.info.contentType ?? item.info.uriType ?? item.info.type})`;
    removedItems.set(item.id, `${what} removed${item.place ? ' and its bytes zeroed' : ''}`);
  }

  // Auxiliary images of a type traceless does not know go with their auxC (it names what they are).
  for (const item of analysis.items) {
    if (item.role !== 'image') continue;
    for (const association of associationsOf.get(item.id) ?? []) {
      const judgement = judged[association.index - 1]!.judgement;
      if (judgement.kind === 'auxiliary-unknown') {
        removedItems.set(item.id, `auxiliary image of unknown type removed`);
        hide(decisions, `${item.where}/auxC`, 'Auxiliary image type', judgement.urn, `auxiliary image of unknown type "${judgement.urn}"`);
      }
    }
  }

  // Follow the references until nothing more goes: what a removed image needed or described goes too.
  const primary = meta.primaryItemId;
  const references = meta.iref?.references ?? [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const reference of references) {
      if (removedItems.has(reference.fromId)) continue;
      const from = items.get(reference.fromId);
      // A reference from an item iinf does not declare describes nothing that is written: the
      // output keeps references between kept items only (keptReferences), so it simply goes.
      if (!from && reference.fromId !== primary) continue;
      const lost = reference.toIds.filter((id) => removedItems.has(id) || !items.has(id));
      if (lost.length === 0) continue;
      if (dependencyReferences.has(reference.type)) {
        if (reference.fromId === primary || from?.role !== 'image') {
          const target = items.get(lost[0]!);
          throw new TracelessError(
            'UNSUPPORTED_FORMAT',
            `item ${reference.fromId} is derived ('${printable(reference.type)}') from ${target ? target.where : `item ${lost[0]}`}, which traceless cannot keep; removing it would change the picture`,
          );
        }
        removedItems.set(reference.fromId, `image derived from a removed item removed`);
        changed = true;
      } else if (lost.length === reference.toIds.length) {
        removedItems.set(reference.fromId, `${from ? from.where : 'item'} described only removed items: removed`);
        changed = true;
      }
    }
  }
  if (primary !== undefined && removedItems.has(primary)) {
    throw new TracelessError('UNSUPPORTED_FORMAT', `the primary image (item ${primary}) cannot be kept: ${removedItems.get(primary)}`);
  }

  // Kept images: their data, their properties.
  for (const item of analysis.items) {
    if (item.role !== 'image' || removedItems.has(item.id)) continue;
    decisions.kept.set(item.id, { item, data: imageData(source, analysis, item, decisions) });
  }
  for (const [id, note] of removedItems) {
    const item = items.get(id)!;
    decisions.kept.delete(id);
    remove(item.where, itemKind(item), itemBytes(item), note);
  }

  const used = new Map<number, { index: number; essential: boolean }[]>();
  for (const id of decisions.kept.keys()) {
    const item = items.get(id)!;
    const list: { index: number; essential: boolean }[] = [];
    for (const association of associationsOf.get(id) ?? []) {
      const { property, judgement } = judged[association.index - 1]!;
      const type = printable(property.box.type);
      const keepTime = locationOnly && (type === 'crtt' || type === 'mdft');
      const isMetadata = property.role === 'metadata' && !keepTime;
      if (judgement.kind === 'kept' && !isMetadata) {
        list.push(association);
        continue;
      }
      if (association.essential) {
        throw new TracelessError(
          'UNSUPPORTED_FORMAT',
          `${item.where} needs property '${type}' (marked essential in ipma), which traceless cannot re-write (${judgement.kind === 'unknown' ? judgement.reason : 'unknown auxiliary type'}); removing it would change the picture`,
        );
      }
    }
    used.set(id, list);
  }

  // Properties in output order: only those a kept item uses, each once.
  const newIndexOf = new Map<number, number>();
  judged.forEach(({ property, judgement }) => {
    const where = `meta/iprp/ipco/${printable(property.box.type)}`;
    const isUsed = [...used.values()].some((list) => list.some((association) => association.index === property.index));
    if (isUsed && judgement.kind === 'kept') {
      newIndexOf.set(property.index, decisions.properties.length + 1);
      decisions.properties.push({ oldIndex: property.index, newIndex: decisions.properties.length + 1, property: judgement.property });
      if (judgement.property.note) {
        remove(where, 'other', judgement.property.droppedBytes, judgement.property.note);
        hide(decisions, where, 'Bytes hidden in an item property', judgement.property.droppedBytes, judgement.property.hiddenText ? `${judgement.property.note}: "${judgement.property.hiddenText}"` : judgement.property.note);
      }
      return;
    }
    const type = printable(property.box.type);
    if (property.role === 'metadata' && type in metadataPropertyTypes) {
      remove(where, type === 'crtt' || type === 'mdft' ? 'timestamp' : type === 'udes' ? 'text' : 'other', property.box.size, `${metadataPropertyTypes[type]} property removed`);
      return;
    }
    const why = !isUsed ? 'property no kept image uses' : judgement.kind === 'unknown' ? `property traceless does not know (${judgement.reason})` : 'auxiliary type traceless does not know';
    remove(where, 'other', property.box.size, `${why} removed`);
    if (judgement.kind !== 'kept' || !isUsed) {
      const text = readableText(readPropertyPayload(source, property.box));
      hide(decisions, where, 'Item property removed by a clean', property.box.size, text ? `${why}: "${text}"` : why);
    }
  });
  for (const [id, list] of used) {
    decisions.associations.set(id, list.map((association) => ({ index: newIndexOf.get(association.index)!, essential: association.essential })));
  }
  structuralNotes(analysis, decisions, remove);
  return decisions;
}

function readPropertyPayload(source: ByteSource, box: { offset: number; size: number; headerSize: number; type: string }): Buffer {
  return source.read(payloadStart(box), payloadSize(box));
}

/** The data of a kept image: copied, cut (JPEG), or re-written (grid, overlay). */
function imageData(source: ByteSource, analysis: Analysis, item: AnalysedItem, decisions: Decisions): KeptData {
  if (!item.place) return { kind: 'none' };
  const type = item.info.type;
  if (type === 'grid' || type === 'iovl') {
    const bytes = readItem(source, item.place);
    const inputs = (analysis.file.meta?.iref?.references ?? []).filter((reference) => reference.type === 'dimg' && reference.fromId === item.id).reduce((sum, reference) => sum + reference.toIds.length, 0);
    const descriptor = type === 'grid' ? emitGrid(bytes, item.where) : emitOverlay(bytes, inputs, item.where);
    if (descriptor.droppedBytes > 0) {
      const note = `${descriptor.droppedBytes} byte(s) after the ${type} descriptor removed`;
      decisions.removed.push({ where: item.where, kind: 'other', bytes: descriptor.droppedBytes, note });
      hide(decisions, item.where, 'Bytes hidden after a derived-image descriptor', descriptor.droppedBytes, note);
    }
    return { kind: 'bytes', data: descriptor.data };
  }
  if (type === 'iden') {
    if (item.place.ranges.some((range) => range.length > 0)) {
      const bytes = itemBytes(item);
      decisions.removed.push({ where: item.where, kind: 'other', bytes, note: 'data of an identity item (it has none by definition) removed' });
      hide(decisions, item.where, 'Bytes hidden in an identity item', bytes, `${bytes} bytes`);
    }
    return { kind: 'bytes', data: Buffer.alloc(0) };
  }
  if (type === 'jpeg') {
    const bytes = readItem(source, item.place);
    const cleaned = cleanJpegItem(bytes);
    if (cleaned.removedBytes > 0) {
      const note = `${cleaned.removed.join(', ')} removed from the JPEG-coded image (${cleaned.removedBytes} bytes)`;
      decisions.removed.push({ where: item.where, kind: 'other', bytes: cleaned.removedBytes, note });
      hide(decisions, item.where, 'Metadata inside a JPEG-coded image item', cleaned.removedBytes, note);
    }
    return { kind: 'ranges', ranges: cleaned.ranges };
  }
  return { kind: 'copy' };
}

function structuralNotes(analysis: Analysis, decisions: Decisions, remove: (where: string, kind: BlockKind, bytes: number, note: string) => void): void {
  const meta = analysis.file.meta!;
  if (meta.handlerName !== '' || meta.handlerSlack > 0) {
    remove('meta/hdlr', 'text', Buffer.byteLength(meta.handlerName), 'handler name emptied');
    if (meta.handlerName !== '') hide(decisions, 'meta/hdlr', 'Handler name', meta.handlerName, `handler name "${meta.handlerName}"`);
    else hide(decisions, 'meta/hdlr', 'Bytes hidden in the handler box', meta.handlerSlack, `${meta.handlerSlack} non-zero reserved byte(s)`);
  }
  const details = meta.dataReferenceDetails;
  const plain = details.length === 1 && details[0]!.type === 'url ' && details[0]!.selfContained && details[0]!.extraBytes === 0;
  if (meta.dataReferenceDetails.length > 0 && (!plain || meta.dinfExtras > 0)) {
    remove('meta/dinf/dref', 'text', 0, 'data references reduced to one self-contained entry');
    const text = details.map((entry) => entry.text).filter((value) => value !== '').join(' ');
    if (text) hide(decisions, 'meta/dinf/dref', 'Data reference URL', text, `data reference "${text}"`);
    else hide(decisions, 'meta/dinf/dref', 'Extra data references', details.length, `${details.length} data reference(s)`);
  }
  for (const kept of decisions.kept.values()) {
    const name = kept.item.info.name;
    if (name !== '') {
      remove(`${kept.item.where}/name`, 'text', Buffer.byteLength(name), 'item name emptied');
      hide(decisions, kept.item.where, 'Item name', name, `item name "${name}"`);
    }
  }
  for (const group of meta.groups) {
    if (knownGroupTypes.has(group.type)) continue;
    remove(`meta/grpl/${printable(group.type)}`, 'other', 0, `entity group of unknown type '${printable(group.type)}' removed`);
    hide(decisions, `meta/grpl/${printable(group.type)}`, 'Unknown entity group', group.entityIds.length, `entity group '${printable(group.type)}' of ${group.entityIds.length} entities`);
  }
  for (const box of [...meta.iinfExtras, ...(meta.iprp?.extras ?? [])]) {
    remove(`meta/${printable(box.type)}`, 'other', box.size, `unknown '${printable(box.type)}' box removed`);
    hide(decisions, `meta/${printable(box.type)}`, 'Unknown box', box.size, `unknown '${printable(box.type)}' box of ${box.size} bytes`);
  }
}

interface PayloadEdit {
  /** The payload to write, or undefined when the item must go. */
  data?: Buffer;
  note: string;
}

/** Exif prefix: the 4-byte offset to the TIFF header, then (usually) `Exif\0\0` (ISO/IEC 23008-12 annex A.2). */
const exifSignature = Buffer.from('Exif\0\0', 'latin1');

/** Location mode: the Exif item without location, re-emitted as offset field + `Exif\0\0` + TIFF (no bytes before the TIFF header). */
function editExif(payload: Buffer): PayloadEdit {
  const start = exifTiffStart(payload);
  if (start === undefined) return { note: 'no readable TIFF structure' };
  const edit = removeExifLocation(payload.subarray(start));
  if (!edit.safe) return { note: edit.note };
  const prefix = start >= 4 + exifSignature.length ? Buffer.concat([Buffer.from([0, 0, 0, exifSignature.length]), exifSignature]) : Buffer.alloc(4);
  const prefixChanged = !payload.subarray(0, start).equals(prefix);
  return { data: Buffer.concat([prefix, edit.data]), note: [edit.changed ? edit.note : '', prefixChanged ? 'bytes before the TIFF header' : ''].filter(Boolean).join(', ') };
}

function editXmp(payload: Buffer, encoding: string | undefined): PayloadEdit {
  if ((encoding ?? '').trim() !== '') return { note: 'compressed XMP cannot be edited' };
  const packet = xmpText(payload, encoding);
  if (packet === undefined || !Buffer.from(packet, 'utf8').equals(payload)) return { note: 'XMP is not plain UTF-8' };
  const edit = removeXmpLocation(packet);
  if (!edit.safe) return { note: edit.note };
  return { data: Buffer.from(edit.changed ? edit.data : packet, 'utf8'), note: edit.changed ? edit.note : '' };
}
