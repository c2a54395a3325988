/**
 * Reads the `meta` box of a HEIF/AVIF file into a model: handler, primary item, item infos,
 * item locations, item references, item properties and their associations, `idat` and entity
 * groups. Only reading here; `write.ts` serialises the boxes back.
 *
 * References: ISO/IEC 23008-12:2022 (HEIF) sections 6 and 9; ISO/IEC 14496-12:2022 sections 8.11.1
 * (meta), 8.11.3 (iloc), 8.11.6 (iinf/infe), 8.11.12 (iref), 8.11.14 (iprp/ipco/ipma), 8.11.11 (idat),
 * 8.15.3 (grpl); MIAF (ISO/IEC 23000-22); AVIF 1.1 (AOMedia).
 */
import { TracelessError, checkCount } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import { BoxBudget, payloadSize, payloadStart, printable, readChildren, type Box } from '../isobmff/boxes.js';
import { Cursor } from './cursor.js';

/** One entry of `iinf`. */
export interface ItemInfo {
  id: number;
  /** Four-character item type (`hvc1`, `Exif`, `mime`, …); `mime` for version 0/1 entries. */
  type: string;
  name: string;
  contentType?: string;
  contentEncoding?: string;
  uriType?: string;
  hidden: boolean;
  /** Non-zero for a protected (encrypted) item. */
  protectionIndex: number;
  box: Box;
}

export interface Extent {
  /** Only with iloc version 1/2 and index_size > 0 (construction method 2). */
  index: number;
  offset: number;
  length: number;
}

export interface ItemLocation {
  id: number;
  /** 0 = file offset, 1 = inside `idat`, 2 = item reference. */
  constructionMethod: number;
  dataReferenceIndex: number;
  baseOffset: number;
  extents: Extent[];
}

export interface ItemLocations {
  box: Box;
  version: number;
  flags: number;
  offsetSize: number;
  lengthSize: number;
  baseOffsetSize: number;
  indexSize: number;
  items: ItemLocation[];
}

export interface ItemReference {
  type: string;
  fromId: number;
  toIds: number[];
}

export interface ItemReferences {
  box: Box;
  version: number;
  flags: number;
  references: ItemReference[];
}

export interface PropertyAssociation {
  essential: boolean;
  /** 1-based index into `ipco`; 0 means "no property". */
  index: number;
}

export interface Associations {
  box: Box;
  version: number;
  flags: number;
  entries: { itemId: number; associations: PropertyAssociation[] }[];
}

export interface ItemProperties {
  box: Box;
  ipco: Box;
  properties: Box[];
  /** Every `ipma` box (several are allowed, with distinct version/flags). */
  associations: Associations[];
  /** Children of `iprp` in file order. */
  children: Box[];
  /** Children of `iprp` other than ipco/ipma (removed by a clean). */
  extras: Box[];
}

/** One `dref` entry: its type, whether it says "this same file", and any bytes after its flags (a URL or URN). */
export interface DataReference {
  type: string;
  selfContained: boolean;
  text: string;
  extraBytes: number;
}

export interface EntityGroup {
  type: string;
  groupId: number;
  entityIds: number[];
}

export interface HeifMeta {
  box: Box;
  version: number;
  flags: number;
  children: Box[];
  handler: string;
  /** The `hdlr` name field (empty in a clean file) and whether the header's reserved fields were zero. */
  handlerName: string;
  handlerSlack: number;
  primaryItemId?: number;
  itemInfos: Map<number, ItemInfo>;
  iinf?: { box: Box; version: number; flags: number; declaredCount: number };
  iloc?: ItemLocations;
  iref?: ItemReferences;
  iprp?: ItemProperties;
  idat?: Box;
  /** 1-based `dref` entries: true when the entry says "the data is in this same file". */
  dataReferences: boolean[];
  /** The same entries in detail; `dinf` also counts children other than one `dref`. */
  dataReferenceDetails: DataReference[];
  dinfExtras: number;
  /** Non-infe children of iinf (removed by a clean). */
  iinfExtras: Box[];
  groups: EntityGroup[];
}

/** Bytes of a small box payload (the parts of `meta` are small; `idat` is bounded by the limit). */
export function readPayload(source: ByteSource, box: Box, context: string): Buffer {
  const size = payloadSize(box);
  if (size > limits.maxMetadataBytes) {
    throw new TracelessError('LIMIT_EXCEEDED', `${context}: ${size} bytes is more than the ${limits.maxMetadataBytes}-byte metadata limit`);
  }
  return source.read(payloadStart(box), size);
}

function fullBoxHeader(cursor: Cursor): { version: number; flags: number } {
  const version = cursor.u8('version');
  const flags = (cursor.u8('flags') << 16) | (cursor.u8('flags') << 8) | cursor.u8('flags');
  return { version, flags };
}

const onlyOnce = new Set(['hdlr', 'pitm', 'iinf', 'iloc', 'iref', 'iprp', 'idat', 'dinf', 'grpl']);

export function readMeta(source: ByteSource, box: Box, budget: BoxBudget): HeifMeta {
  // meta is rebuilt in memory when cleaning, so it is held to the metadata limit.
  if (box.size > limits.maxMetadataBytes) {
    throw new TracelessError('LIMIT_EXCEEDED', `meta box of ${box.size} bytes is more than the ${limits.maxMetadataBytes}-byte metadata limit`);
  }
  const head = new Cursor(source.read(payloadStart(box), Math.min(4, payloadSize(box))), 'meta');
  const { version, flags } = fullBoxHeader(head);
  if (version !== 0) throw new TracelessError('UNSUPPORTED_FORMAT', `meta box version ${version} is not one traceless knows`);
  const children = readChildren(source, box, budget, 1, 4);
  const meta: HeifMeta = {
    box, version, flags, children, handler: '', handlerName: '', handlerSlack: 0, itemInfos: new Map(), dataReferences: [],
    dataReferenceDetails: [], dinfExtras: 0, iinfExtras: [], groups: [],
  };
  const seen = new Set<string>();
  for (const child of children) {
    if (onlyOnce.has(child.type)) {
      if (seen.has(child.type)) {
        const repeated = new TracelessError('MALFORMED', `meta holds more than one '${child.type}' box`);
        // Lenient (best-effort inspection): the first one is read, the repeat is said to be unread.
        if (!budget.lenient) throw repeated;
        budget.damage.push(`${repeated.message}; the second was not read`);
        continue;
      }
      seen.add(child.type);
    }
    if (!budget.lenient) {
      readMetaChild(source, child, budget, meta);
      continue;
    }
    // Lenient: a child that cannot be read is said so; the others (the items' list and places, which
    // find the Exif and XMP) are still read.
    try {
      readMetaChild(source, child, budget, meta);
    } catch (error) {
      if (!(error instanceof TracelessError) || error.code === 'INTERNAL') throw error;
      budget.damage.push(`meta/${printable(child.type)}: ${error.message}`);
    }
  }
  return meta;
}

/** Reads one child of `meta` into the model. */
function readMetaChild(source: ByteSource, child: Box, budget: BoxBudget, meta: HeifMeta): void {
  switch (child.type) {
    case 'hdlr': {
      const payload = readPayload(source, child, 'meta/hdlr');
      meta.handler = readHandler(payload, 'meta/hdlr');
      const fields = readHandlerFields(payload);
      meta.handlerName = fields.name;
      meta.handlerSlack = fields.slack;
      break;
    }
    case 'pitm': {
      const cursor = new Cursor(readPayload(source, child, 'meta/pitm'), 'meta/pitm');
      const header = fullBoxHeader(cursor);
      meta.primaryItemId = header.version === 0 ? cursor.u16('item_ID') : cursor.u32('item_ID');
      break;
    }
    case 'iinf':
      readItemInfos(source, child, budget, meta);
      break;
    case 'iloc':
      meta.iloc = readItemLocations(readPayload(source, child, 'meta/iloc'), child);
      break;
    case 'iref':
      meta.iref = readItemReferences(readPayload(source, child, 'meta/iref'), child);
      break;
    case 'iprp':
      meta.iprp = readItemProperties(source, child, budget);
      break;
    case 'idat':
      meta.idat = child;
      break;
    case 'dinf': {
      const read = readDataReferences(source, child, budget);
      meta.dataReferenceDetails = read.entries;
      meta.dataReferences = read.entries.map((entry) => entry.selfContained);
      meta.dinfExtras = read.extras;
      break;
    }
    case 'grpl':
      meta.groups = readGroups(source, child, budget);
      break;
    default:
      // Other children (free, xml, uuid, …) are judged by the caller.
      break;
  }
}

/** hdlr layout: version/flags 4, pre_defined 4, handler_type 4, reserved 12, then the name. */
const handlerNameOffset = 24;

/**
 * The name of an `hdlr` payload (up to its NUL or the box end) and the count of non-zero bytes in
 * its pre_defined/reserved fields and after the name: what a re-written hdlr leaves out.
 */
export function readHandlerFields(payload: Buffer): { name: string; slack: number } {
  if (payload.length < handlerNameOffset) return { name: '', slack: 0 };
  let slack = 0;
  for (const at of [4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]) if (payload[at] !== 0) slack++;
  const end = payload.indexOf(0, handlerNameOffset);
  const stop = end === -1 ? payload.length : end;
  const name = payload.toString('utf8', handlerNameOffset, stop);
  for (let at = stop + 1; at < payload.length; at++) if (payload[at] !== 0) slack++;
  return { name, slack };
}

/** The handler type of an `hdlr` payload (`pict` for HEIF images). */
export function readHandler(payload: Buffer, context: string): string {
  const cursor = new Cursor(payload, context);
  fullBoxHeader(cursor);
  cursor.u32('pre_defined');
  return cursor.fourcc('handler_type');
}

function readItemInfos(source: ByteSource, box: Box, budget: BoxBudget, meta: HeifMeta): void {
  const head = new Cursor(source.read(payloadStart(box), Math.min(8, payloadSize(box))), 'meta/iinf');
  const { version, flags } = fullBoxHeader(head);
  const declaredCount = version === 0 ? head.u16('entry_count') : head.u32('entry_count');
  checkCount(declaredCount, limits.maxBoxCount, 'meta/iinf entry count');
  meta.iinf = { box, version, flags, declaredCount };
  const entries = readChildren(source, box, budget, 2, version === 0 ? 6 : 8);
  for (const entry of entries) {
    if (entry.type !== 'infe') {
      // Not an item description: nothing reads it, so a clean removes it.
      meta.iinfExtras.push(entry);
      continue;
    }
    const info = readItemInfo(readPayload(source, entry, 'meta/iinf/infe'), entry);
    if (meta.itemInfos.has(info.id)) throw new TracelessError('MALFORMED', `meta/iinf describes item ${info.id} twice`);
    meta.itemInfos.set(info.id, info);
  }
}

function readItemInfo(payload: Buffer, box: Box): ItemInfo {
  const cursor = new Cursor(payload, 'meta/iinf/infe');
  const { version, flags } = fullBoxHeader(cursor);
  const hidden = (flags & 1) === 1;
  if (version <= 1) {
    // Version 0/1 entries predate item types: they describe MIME items only.
    const id = cursor.u16('item_ID');
    const protectionIndex = cursor.u16('item_protection_index');
    const name = cursor.cstring();
    const contentType = cursor.cstring();
    const info: ItemInfo = { id, type: 'mime', name, contentType, hidden, protectionIndex, box };
    if (cursor.remaining > 0) info.contentEncoding = cursor.cstring();
    return info;
  }
  if (version > 3) throw new TracelessError('UNSUPPORTED_FORMAT', `meta/iinf/infe version ${version} is not one traceless knows`);
  const id = version === 2 ? cursor.u16('item_ID') : cursor.u32('item_ID');
  const protectionIndex = cursor.u16('item_protection_index');
  const type = cursor.fourcc('item_type');
  const name = cursor.remaining > 0 ? cursor.cstring() : '';
  const info: ItemInfo = { id, type, name, hidden, protectionIndex, box };
  if (type === 'mime') {
    info.contentType = cursor.remaining > 0 ? cursor.cstring() : '';
    if (cursor.remaining > 0) info.contentEncoding = cursor.cstring();
  } else if (type === 'uri ') {
    info.uriType = cursor.remaining > 0 ? cursor.cstring() : '';
  }
  return info;
}

export function readItemLocations(payload: Buffer, box: Box): ItemLocations {
  const cursor = new Cursor(payload, 'meta/iloc');
  const { version, flags } = fullBoxHeader(cursor);
  if (version > 2) throw new TracelessError('UNSUPPORTED_FORMAT', `meta/iloc version ${version} is not one traceless knows`);
  const sizes = cursor.u8('offset_size/length_size');
  const more = cursor.u8('base_offset_size/index_size');
  const offsetSize = sizes >> 4;
  const lengthSize = sizes & 0x0f;
  const baseOffsetSize = more >> 4;
  const indexSize = version === 0 ? 0 : more & 0x0f;
  for (const [name, size] of [['offset_size', offsetSize], ['length_size', lengthSize], ['base_offset_size', baseOffsetSize], ['index_size', indexSize]] as const) {
    if (size !== 0 && size !== 4 && size !== 8) throw new TracelessError('MALFORMED', `meta/iloc: ${name} ${size} is not 0, 4 or 8`);
  }
  const count = version < 2 ? cursor.u16('item_count') : cursor.u32('item_count');
  // Each item takes at least 6 bytes, so a count the box cannot hold is caught before the loop.
  if (count * 6 > cursor.remaining) throw new TracelessError('TRUNCATED', `meta/iloc: ${count} items cannot fit in ${cursor.remaining} bytes`);
  const items: ItemLocation[] = [];
  const ids = new Set<number>();
  for (let index = 0; index < count; index++) {
    const id = version < 2 ? cursor.u16('item_ID') : cursor.u32('item_ID');
    if (ids.has(id)) throw new TracelessError('MALFORMED', `meta/iloc locates item ${id} twice`);
    ids.add(id);
    const constructionMethod = version === 0 ? 0 : cursor.u16('construction_method') & 0x0f;
    if (constructionMethod > 2) throw new TracelessError('MALFORMED', `meta/iloc: item ${id} has unknown construction method ${constructionMethod}`);
    const dataReferenceIndex = cursor.u16('data_reference_index');
    const baseOffset = cursor.uint(baseOffsetSize, 'base_offset');
    const extentCount = cursor.u16('extent_count');
    const extentBytes = (indexSize + offsetSize + lengthSize) * extentCount;
    if (extentBytes > cursor.remaining) throw new TracelessError('TRUNCATED', `meta/iloc: item ${id} lists ${extentCount} extents that run past the box`);
    const extents: Extent[] = [];
    for (let e = 0; e < extentCount; e++) {
      const extentIndex = cursor.uint(indexSize, 'extent_index');
      const offset = cursor.uint(offsetSize, 'extent_offset');
      const length = cursor.uint(lengthSize, 'extent_length');
      extents.push({ index: extentIndex, offset, length });
    }
    items.push({ id, constructionMethod, dataReferenceIndex, baseOffset, extents });
  }
  return { box, version, flags, offsetSize, lengthSize, baseOffsetSize, indexSize, items };
}

export function readItemReferences(payload: Buffer, box: Box): ItemReferences {
  const cursor = new Cursor(payload, 'meta/iref');
  const { version, flags } = fullBoxHeader(cursor);
  if (version > 1) throw new TracelessError('UNSUPPORTED_FORMAT', `meta/iref version ${version} is not one traceless knows`);
  const idBytes = version === 0 ? 2 : 4;
  const references: ItemReference[] = [];
  while (cursor.remaining > 0) {
    const start = cursor.position;
    const size = cursor.u32('reference box size');
    const type = cursor.fourcc('reference type');
    if (size < 8 || size > cursor.remaining + 8) {
      throw new TracelessError('MALFORMED', `meta/iref: reference box '${printable(type)}' has an impossible size ${size}`);
    }
    const inner = new Cursor(payload.subarray(cursor.position, start + size), `meta/iref/${printable(type)}`);
    const fromId = inner.uint(idBytes, 'from_item_ID');
    const count = inner.u16('reference_count');
    if (count * idBytes > inner.remaining) throw new TracelessError('TRUNCATED', `meta/iref/${printable(type)}: ${count} references run past the box`);
    const toIds: number[] = [];
    for (let index = 0; index < count; index++) toIds.push(inner.uint(idBytes, 'to_item_ID'));
    if (inner.remaining !== 0) throw new TracelessError('MALFORMED', `meta/iref/${printable(type)}: ${inner.remaining} unexplained bytes after the references`);
    checkCount(references.length + 1, limits.maxBoxCount, 'meta/iref reference count');
    references.push({ type, fromId, toIds });
    cursor.position = start + size;
  }
  return { box, version, flags, references };
}

function readItemProperties(source: ByteSource, box: Box, budget: BoxBudget): ItemProperties {
  const children = readChildren(source, box, budget, 2);
  let ipco: Box | undefined;
  const associations: Associations[] = [];
  const extras: Box[] = [];
  for (const child of children) {
    if (child.type === 'ipco') {
      if (ipco) throw new TracelessError('MALFORMED', 'meta/iprp holds more than one ipco box');
      ipco = child;
    } else if (child.type === 'ipma') {
      associations.push(readAssociations(readPayload(source, child, 'meta/iprp/ipma'), child));
    } else {
      // Neither properties nor associations: no reader uses it, a clean removes it.
      extras.push(child);
    }
  }
  if (!ipco) throw new TracelessError('MALFORMED', 'meta/iprp has no ipco box');
  const properties = readChildren(source, ipco, budget, 3);
  return { box, ipco, properties, associations, children, extras };
}

export function readAssociations(payload: Buffer, box: Box): Associations {
  const cursor = new Cursor(payload, 'meta/iprp/ipma');
  const { version, flags } = fullBoxHeader(cursor);
  if (version > 1) throw new TracelessError('UNSUPPORTED_FORMAT', `meta/iprp/ipma version ${version} is not one traceless knows`);
  const count = cursor.u32('entry_count');
  if (count * 3 > cursor.remaining) throw new TracelessError('TRUNCATED', `meta/iprp/ipma: ${count} entries cannot fit in the box`);
  const wide = (flags & 1) === 1;
  const entries: Associations['entries'] = [];
  for (let index = 0; index < count; index++) {
    const itemId = version < 1 ? cursor.u16('item_ID') : cursor.u32('item_ID');
    const associationCount = cursor.u8('association_count');
    const list: PropertyAssociation[] = [];
    for (let a = 0; a < associationCount; a++) {
      if (wide) {
        const value = cursor.u16('property_index');
        list.push({ essential: (value & 0x8000) !== 0, index: value & 0x7fff });
      } else {
        const value = cursor.u8('property_index');
        list.push({ essential: (value & 0x80) !== 0, index: value & 0x7f });
      }
    }
    entries.push({ itemId, associations: list });
  }
  return { box, version, flags, entries };
}

function readDataReferences(source: ByteSource, dinf: Box, budget: BoxBudget): { entries: DataReference[]; extras: number } {
  const entries: DataReference[] = [];
  let extras = 0;
  let seenDref = false;
  for (const child of readChildren(source, dinf, budget, 2)) {
    if (child.type !== 'dref' || seenDref) {
      extras++;
      continue;
    }
    seenDref = true;
    for (const entry of readChildren(source, child, budget, 3, 8)) {
      const payload = readPayload(source, entry, 'meta/dinf/dref');
      const flags = payload.length >= 4 ? payload.readUInt32BE(0) & 0xffffff : 0;
      const rest = payload.subarray(Math.min(4, payload.length));
      entries.push({
        type: entry.type,
        selfContained: (entry.type === 'url ' || entry.type === 'urn ') && (flags & 1) === 1,
        text: rest.toString('utf8').replace(/\0+/g, ' ').trim(),
        extraBytes: rest.length,
      });
    }
  }
  return { entries, extras };
}

function readGroups(source: ByteSource, grpl: Box, budget: BoxBudget): EntityGroup[] {
  const groups: EntityGroup[] = [];
  for (const child of readChildren(source, grpl, budget, 2)) {
    const cursor = new Cursor(readPayload(source, child, `meta/grpl/${printable(child.type)}`), `meta/grpl/${printable(child.type)}`);
    fullBoxHeader(cursor);
    const groupId = cursor.u32('group_id');
    const count = cursor.u32('num_entities_in_group');
    if (count * 4 > cursor.remaining) throw new TracelessError('TRUNCATED', `meta/grpl/${printable(child.type)}: ${count} entities run past the box`);
    const entityIds: number[] = [];
    for (let index = 0; index < count; index++) entityIds.push(cursor.u32('entity_id'));
    groups.push({ type: child.type, groupId, entityIds });
  }
  return groups;
}
