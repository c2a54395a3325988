/**
 * The XMP properties a renderer needs to find and apply a gain map, read from a packet's data
 * model and validated (numbers, fixed names and URIs only), and a minimal packet written from them.
 * Nothing else of the packet is kept: this is what traceless writes into an HDR photo's images.
 * References: Adobe "Gain Map Specification" 1.0 (namespace http://ns.adobe.com/hdr-gain-map/1.0/,
 * properties Version, BaseRenditionIsHDR, GainMapMin/Max, Gamma, OffsetSDR/HDR, HDRCapacityMin/Max,
 * each a real or an rdf:Seq of three); Google "Ultra HDR Image Format" v1 (GContainer
 * Container:Directory of Container:Item with Item:Semantic, Item:Mime, Item:Length, Item:Padding);
 * Apple "Applying Apple HDR effect to your photos" (apdi:AuxiliaryImageType
 * urn:com:apple:photo:2020:aux:hdrgainmap, HDRGainMap:HDRGainMapVersion). Readers: Skia
 * src/codec/SkXmp.cpp (getGainmapInfoHDRGM, getContainerGainmapLocation, getGainmapInfoHDRGainMap),
 * which accepts each value as an attribute or as an element, as written here.
 */
import type { XmpItem, XmpName, XmpNode, XmpPacketModel, XmpValue } from './xmp-model.js';
import { namespaces } from './xmp-namespaces.js';
import { writeXmpPacket } from './xmp-write.js';

export const appleGainMapType = 'urn:com:apple:photo:2020:aux:hdrgainmap';

const number = /^[+-]?(\d{1,12}(\.\d{0,12})?|\.\d{1,12})([eE][+-]?\d{1,3})?$/;
const integer = /^\d{1,12}$/;

type Check = (value: XmpValue) => boolean;
const simple = (pattern: RegExp): Check => (value) => value.kind === 'simple' && pattern.test(value.text.trim());
/** A real, or an rdf:Seq of one or three reals (one per colour channel). */
const perChannel: Check = (value) =>
  simple(number)(value) || (value.kind === 'array' && value.form === 'Seq' && (value.items.length === 1 || value.items.length === 3) && value.items.every((item) => item.lang === undefined && simple(number)(item.value)));

/** hdrgm properties, in the order traceless writes them. */
const hdrgmProperties: readonly [string, Check][] = [
  ['Version', simple(/^\d{1,3}\.\d{1,3}$/)],
  ['BaseRenditionIsHDR', simple(/^(True|False)$/)],
  ['GainMapMin', perChannel],
  ['GainMapMax', perChannel],
  ['Gamma', perChannel],
  ['OffsetSDR', perChannel],
  ['OffsetHDR', perChannel],
  ['HDRCapacityMin', simple(number)],
  ['HDRCapacityMax', simple(number)],
];

/** Apple's gain-map image properties, in the order traceless writes them. */
const appleProperties: readonly [string, string, Check][] = [
  [namespaces.apdi, 'AuxiliaryImageType', (value) => value.kind === 'simple' && value.text.trim() === appleGainMapType],
  [namespaces.HDRGainMap, 'HDRGainMapVersion', simple(integer)],
  [namespaces.HDRGainMap, 'HDRGainMapHeadroom', simple(number)],
];

export interface ContainerItem {
  semantic: string;
  mime: string;
  length?: number;
  padding?: number;
}

export interface GainMapXmp {
  /** Validated hdrgm properties (values trimmed), in writing order. */
  hdrgm: XmpNode[];
  /** Apple's gain-map image type and version, when both are there and valid. */
  apple: XmpNode[];
  /** The GContainer directory, when every item in it is valid. */
  directory?: ContainerItem[];
}

function name(uri: string, local: string): XmpName {
  const prefix = Object.entries(namespaces).find(([, value]) => value === uri)![0];
  return { uri, local, prefix };
}

function trimmed(value: XmpValue): XmpValue {
  if (value.kind === 'simple') return { kind: 'simple', text: value.text.trim() };
  if (value.kind === 'array') return { kind: 'array', form: value.form, items: value.items.map((item) => ({ value: trimmed(item.value) })) };
  return value;
}

function find(model: XmpPacketModel, uri: string, local: string): XmpNode | undefined {
  const matches = model.properties.filter((property) => property.name.uri === uri && property.name.local === local);
  // A property given twice is ambiguous: readers disagree on which wins, so neither is kept.
  return matches.length === 1 ? matches[0] : undefined;
}

function field(fields: readonly XmpNode[], uri: string, local: string): XmpValue | undefined {
  const matches = fields.filter((node) => node.name.uri === uri && node.name.local === local);
  return matches.length === 1 ? matches[0]!.value : undefined;
}

function readDirectory(model: XmpPacketModel): ContainerItem[] | undefined {
  const directory = find(model, namespaces.Container, 'Directory');
  if (!directory || directory.value.kind !== 'array' || directory.value.form !== 'Seq' || directory.value.items.length === 0) return undefined;
  const items: ContainerItem[] = [];
  for (const item of directory.value.items) {
    if (item.value.kind !== 'struct') return undefined;
    const inner = field(item.value.fields, namespaces.Container, 'Item');
    if (!inner || inner.kind !== 'struct') return undefined;
    const text = (local: string) => {
      const value = field(inner.fields, namespaces.Item, local);
      return value?.kind === 'simple' ? value.text.trim() : undefined;
    };
    const semantic = text('Semantic');
    const mime = text('Mime');
    const length = text('Length');
    const padding = text('Padding');
    if (!semantic || !/^[A-Za-z]{1,32}$/.test(semantic) || !mime || !/^[a-z]{1,16}\/[a-z0-9.+-]{1,40}$/.test(mime)) return undefined;
    if ((length !== undefined && !integer.test(length)) || (padding !== undefined && !integer.test(padding))) return undefined;
    const parsed: ContainerItem = { semantic, mime };
    if (length !== undefined) parsed.length = Number(length);
    if (padding !== undefined) parsed.padding = Number(padding);
    items.push(parsed);
  }
  return items;
}

/** What of `model` a renderer needs for a gain map; each part empty when absent or invalid. */
export function readGainMapXmp(model: XmpPacketModel): GainMapXmp {
  const hdrgm: XmpNode[] = [];
  for (const [local, check] of hdrgmProperties) {
    const property = find(model, namespaces.hdrgm, local);
    if (property && property.lang === undefined && check(property.value)) hdrgm.push({ name: name(namespaces.hdrgm, local), value: trimmed(property.value) });
  }
  const apple: XmpNode[] = [];
  for (const [uri, local, check] of appleProperties) {
    const property = find(model, uri, local);
    if (property && property.lang === undefined && check(property.value)) apple.push({ name: name(uri, local), value: trimmed(property.value) });
  }
  const result: GainMapXmp = { hdrgm: hasVersion(hdrgm) ? hdrgm : [], apple: apple.length >= 2 && apple[0]!.name.local === 'AuxiliaryImageType' && apple[1]!.name.local === 'HDRGainMapVersion' ? apple : [] };
  const directory = readDirectory(model);
  if (directory) result.directory = directory;
  return result;
}

function hasVersion(hdrgm: readonly XmpNode[]): boolean {
  return hdrgm.some((node) => node.name.local === 'Version');
}

/** True when the packet says "gain map parameters per Adobe/Google" (hdrgm:Version). */
export function hasHdrgm(xmp: GainMapXmp): boolean {
  return hasVersion(xmp.hdrgm);
}

/** The Container:Directory property for `items`. */
function directoryNode(items: readonly ContainerItem[]): XmpNode {
  const text = (local: string, value: string): XmpNode => ({ name: name(namespaces.Item, local), value: { kind: 'simple', text: value } });
  const entries: XmpItem[] = items.map((item) => {
    const fields = [text('Semantic', item.semantic), text('Mime', item.mime)];
    if (item.length !== undefined) fields.push(text('Length', String(item.length)));
    if (item.padding !== undefined) fields.push(text('Padding', String(item.padding)));
    return { value: { kind: 'struct', fields: [{ name: name(namespaces.Container, 'Item'), value: { kind: 'struct', fields } }] } };
  });
  return { name: name(namespaces.Container, 'Directory'), value: { kind: 'array', form: 'Seq', items: entries } };
}

/** The properties of a packet traceless writes with these parts, in a fixed order. */
export function gainMapProperties(xmp: GainMapXmp): XmpNode[] {
  return [...xmp.hdrgm, ...xmp.apple, ...(xmp.directory ? [directoryNode(xmp.directory)] : [])];
}

/** The minimal packet: only the gain-map properties. Empty when there is nothing to write. */
export function writeGainMapXmp(xmp: GainMapXmp): string {
  const properties = gainMapProperties(xmp);
  return properties.length === 0 ? '' : writeXmpPacket({ properties });
}

/** The qualified names a packet written from `xmp` holds (to mark what scan reports as kept). */
export function gainMapTags(xmp: GainMapXmp): Set<string> {
  const tags = new Set<string>();
  const visit = (node: XmpNode) => {
    tags.add(`${node.name.prefix}:${node.name.local}`);
    const value = node.value;
    if (value.kind === 'struct') value.fields.forEach(visit);
    if (value.kind === 'array') for (const item of value.items) if (item.value.kind === 'struct') item.value.fields.forEach(visit);
  };
  gainMapProperties(xmp).forEach(visit);
  return tags;
}
