/**
 * Reads XMP packets (RDF/XML) far enough to say what they reveal, and removes properties by name.
 * Reference: Adobe XMP Specification Part 1 (ISO 16684-1) section 7 (RDF serialisation); IPTC
 * Photo Metadata Standard 2023.2 (Iptc4xmpCore/Iptc4xmpExt); Google Camera XMP (GCamera, Container).
 *
 * This is not a general XML parser: it tokenises tags, attributes and text, which is all the
 * serialisations written by cameras and editors use. Anything it cannot follow is reported.
 */
import { TracelessError } from '../errors.js';
import { limits } from '../limits.js';
import type { Category, Finding, GeoLocation } from '../types.js';
import { formatLocation } from './exif.js';

export interface XmpProperty {
  /** Qualified name, e.g. `exif:GPSLatitude`, `photoshop:City`. */
  name: string;
  value: string;
  /** Character range of the whole property in the packet (element or attribute). */
  start: number;
  end: number;
  /** The top-level property this one sits under (itself when top-level). */
  topLevel: string;
  /** Where the element of `topLevel` starts (for elements; attributes leave it out). */
  topLevelStart?: number;
}

const tagPattern = /<(\/?)([A-Za-z_][\w.-]*:[\w.-]+|[A-Za-z_][\w.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g;
const attributePattern = /([^\s=>/]+)\s*=\s*("[^"]*"|'[^']*')/g;

interface OpenElement {
  name: string;
  start: number;
  text: string;
  hasChildren: boolean;
  topLevel: string;
  topLevelStart: number;
}

const containerNames = new Set(['x:xmpmeta', 'x:xapmeta', 'rdf:RDF', 'rdf:Description']);
const skipAttributes = /^(xmlns(:|$)|rdf:about$|rdf:parseType$|xml:lang$|x:xmptk$|rdf:resource$)/;

/** Lists every leaf property of the packet with its text value and position. */
export function readXmpProperties(packet: string): XmpProperty[] {
  const properties: XmpProperty[] = [];
  const stack: OpenElement[] = [];
  let lastIndex = 0;
  tagPattern.lastIndex = 0;
  for (let match = tagPattern.exec(packet); match; match = tagPattern.exec(packet)) {
    const [whole, closing, name, attributes, selfClosing] = match;
    const text = packet.slice(lastIndex, match.index);
    lastIndex = match.index + whole.length;
    if (stack.length > 0 && text.trim()) stack[stack.length - 1]!.text += text;
    if (name === undefined) continue; // processing instruction or comment
    const parent = stack[stack.length - 1];
    if (closing) {
      // Pop to the matching element (tolerates unbalanced input by popping through).
      let index = stack.length - 1;
      while (index >= 0 && stack[index]!.name !== name) index--;
      if (index < 0) continue;
      const element = stack[index]!;
      stack.length = index;
      if (!element.hasChildren && !isStructural(element.name) && element.text.trim()) {
        properties.push({ name: element.name, value: decodeEntities(element.text.trim()), start: element.start, end: lastIndex, topLevel: element.topLevel, topLevelStart: element.topLevelStart });
      } else if (isListItem(element.name) && element.text.trim()) {
        const owner = [...stack].reverse().find((open) => !isStructural(open.name));
        if (owner) properties.push({ name: owner.name, value: decodeEntities(element.text.trim()), start: element.start, end: lastIndex, topLevel: owner.topLevel, topLevelStart: owner.topLevelStart });
      }
      continue;
    }
    if (parent) parent.hasChildren = true;
    const isTopLevel = parent?.name === 'rdf:Description';
    const topLevel = isTopLevel || !parent ? name : parent.topLevel;
    const topLevelStart = isTopLevel || !parent ? match.index : parent.topLevelStart;
    // Attributes are properties too (`exif:GPSLatitude="..."` on rdf:Description or a struct).
    attributePattern.lastIndex = 0;
    const attributesStart = match.index + 1 + name.length;
    for (let attribute = attributePattern.exec(attributes ?? ''); attribute; attribute = attributePattern.exec(attributes ?? '')) {
      const attributeName = attribute[1]!;
      if (skipAttributes.test(attributeName) || !attributeName.includes(':')) continue;
      const start = attributesStart + attribute.index;
      const owner = isStructural(name) ? (name === 'rdf:Description' && !isStructuralOwner(stack) ? attributeName : topLevel) : topLevel;
      properties.push({
        name: attributeName,
        value: decodeEntities(attribute[2]!.slice(1, -1)),
        start,
        end: start + attribute[0].length,
        topLevel: name === 'rdf:Description' && !isStructuralOwner(stack) ? attributeName : owner,
      });
    }
    if (!selfClosing) {
      // Every closing tag and list item looks back through the open elements: a cap on their
      // depth keeps the walk linear in the packet's length (unclosed elements are hostile input).
      if (stack.length >= limits.maxXmpDepth) throw new TracelessError('LIMIT_EXCEEDED', `XMP elements nested deeper than ${limits.maxXmpDepth} levels`);
      stack.push({ name, start: match.index, text: '', hasChildren: false, topLevel, topLevelStart });
    }
  }
  return properties;
}

/** True when the open elements include a property (so an rdf:Description is a struct value). */
function isStructuralOwner(stack: OpenElement[]): boolean {
  return stack.some((open) => !isStructural(open.name));
}

function isStructural(name: string): boolean {
  return containerNames.has(name) || name.startsWith('rdf:') || name === 'x:xmpmeta';
}

function isListItem(name: string): boolean {
  return name === 'rdf:li';
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => safeCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => safeCodePoint(parseInt(dec, 10)))
    .replace(/&amp;/g, '&');
}

function safeCodePoint(code: number): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** Properties that reveal a place (GPS, or named places such as city and country). */
export function isLocationProperty(name: string): boolean {
  const local = localName(name);
  return /GPS|Latitude|Longitude|Altitude|^City$|^State$|^Country|Sublocation|^Location|ProvinceState|WorldRegion|^Province|GpsL|Coordinates|^Geo/i.test(local);
}

function categorise(name: string): Category | undefined {
  const local = localName(name);
  const prefix = name.slice(0, name.indexOf(':'));
  if (isLocationProperty(name)) return 'location';
  if (/^(GCamera|Container|Item|GDepth|GImage|hdrgm|MicroVideo|MotionPhoto|GPano)$/i.test(prefix) || /MicroVideo|MotionPhoto/i.test(local)) return 'embedded';
  if (/Serial|^Make$|^Model$|^Lens|CreatorTool|Software|^Firmware|CameraModel|UniqueCameraModel|OwnerName|DroneModel|ProductName|DeviceName/i.test(local)) {
    return /OwnerName/i.test(local) ? 'owner' : 'device';
  }
  if (/Date$|DateTime|^CreateDate|^ModifyDate|^MetadataDate|TimeStamp|DateCreated|TimeCreated/i.test(local)) return 'time';
  if (/^(creator|rights|Credit|Owner|Artist|Author|CopyrightNotice|UsageTerms|Marked|WebStatement|AuthorsPosition|CaptionWriter|Contributor|publisher|Contact)/i.test(local) || /^CreatorContactInfo$/i.test(local)) return 'owner';
  if (prefix === 'drone-dji' || prefix === 'FLIR' || prefix === 'Camera') return 'device';
  if (/^(description|title|subject|Keywords|Headline|Instructions|Caption|Label|Rating|History|DocumentID|InstanceID|OriginalDocumentID|DerivedFrom|PersonInImage|RegionInfo|Event|Comment|UserComment)$/i.test(local)) return 'other';
  return undefined;
}

/** Findings for one packet. `where` is e.g. `APP1/XMP`. */
export function decodeXmp(packet: string, where: string): { findings: Finding[]; locations: GeoLocation[]; properties: XmpProperty[] } {
  const properties = readXmpProperties(packet);
  const findings: Finding[] = [];
  const locations: GeoLocation[] = [];
  const byName = new Map<string, string>();
  for (const property of properties) if (!byName.has(localName(property.name).toLowerCase())) byName.set(localName(property.name).toLowerCase(), property.value);
  const location = xmpLocation(byName, where);
  if (location) {
    locations.push(location);
    findings.push({ category: 'location', where, tag: 'GPSPosition', label: 'GPS position', value: location, text: formatLocation(location) });
  }
  const seen = new Set<string>();
  for (const property of properties) {
    const category = categorise(property.name) ?? categorise(property.topLevel);
    if (!category) continue;
    const key = `${property.name}=${property.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (location && /^(exif:GPS(Latitude|Longitude)|drone-dji:Gps(Latitude|Longitude|Longtitude))$/i.test(property.name)) continue;
    const value = property.value.length > 200 ? `${property.value.slice(0, 200)}…` : property.value;
    findings.push({ category, where, tag: property.name, label: xmpLabel(property.name), value, text: value });
  }
  return { findings, locations, properties };
}

function xmpLabel(name: string): string {
  const labels: Record<string, string> = {
    City: 'City', State: 'State/province', Country: 'Country', CountryCode: 'Country code', Sublocation: 'Sub-location',
    Location: 'Location', Make: 'Camera make', Model: 'Camera model', SerialNumber: 'Camera serial number',
    LensSerialNumber: 'Lens serial number', CreatorTool: 'Software', creator: 'Creator', rights: 'Rights',
    CreateDate: 'Created', ModifyDate: 'Modified', DateTimeOriginal: 'Taken', DateCreated: 'Created', MetadataDate: 'Metadata modified',
  };
  return labels[localName(name)] ?? name;
}

/** Reads `exif:GPSLatitude` style (`37,46.4958N`) or DJI style (`+37.123456`) coordinates. */
function xmpLocation(values: Map<string, string>, where: string): GeoLocation | undefined {
  const latitude = parseXmpCoordinate(values.get('gpslatitude'));
  const longitude = parseXmpCoordinate(values.get('gpslongitude') ?? values.get('gpslongtitude'));
  if (latitude === undefined || longitude === undefined) return undefined;
  const location: GeoLocation = { latitude, longitude, where };
  const altitude = parseRational(values.get('gpsaltitude') ?? values.get('absolutealtitude'));
  if (altitude !== undefined) location.altitude = values.get('gpsaltituderef') === '1' ? -altitude : altitude;
  return location;
}

export function parseXmpCoordinate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  const dms = /^(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?([NSEW])$/i.exec(trimmed);
  if (dms) {
    const value = Number(dms[1]) + Number(dms[2]) / 60 + (dms[3] ? Number(dms[3]) / 3600 : 0);
    return /[SW]/i.test(dms[4]!) ? -value : value;
  }
  const decimal = Number(trimmed);
  return Number.isFinite(decimal) && trimmed !== '' ? decimal : undefined;
}

function parseRational(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const parts = text.split('/');
  const value = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Removes every top-level property for which `shouldRemove(name)` is true (elements with all
 * their content, and attributes), returning the new packet text.
 */
export function removeXmpProperties(packet: string, shouldRemove: (name: string) => boolean): string {
  const spans: [number, number][] = [];
  const closeSearches = new Map<string, { from: number; at: number }>();
  for (const property of readXmpProperties(packet)) {
    if (shouldRemove(property.topLevel) || shouldRemove(property.name)) {
      spans.push(topLevelSpan(packet, property, closeSearches));
    }
  }
  if (spans.length === 0) return packet;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let result = '';
  let cursor = 0;
  for (const [start, end] of spans) {
    if (end <= cursor) continue;
    if (start >= cursor) result += packet.slice(cursor, start);
    cursor = Math.max(cursor, end);
  }
  return result + packet.slice(cursor);
}

/** The span of the top-level element that holds `property` (or the attribute itself). */
function topLevelSpan(packet: string, property: XmpProperty, closeSearches: Map<string, { from: number; at: number }>): [number, number] {
  if (packet[property.start] !== '<') {
    // An attribute: remove it with the space before it.
    return [property.start - (packet[property.start - 1] === ' ' ? 1 : 0), property.end];
  }
  // The opening tag of the top-level element (for list items and struct fields, their owner's).
  const open = property.topLevelStart ?? packet.lastIndexOf(`<${property.topLevel}`, property.start);
  if (open === -1 || open === property.start) return [property.start, property.end];
  const closeTag = `</${property.topLevel}>`;
  const selfClose = packet.indexOf('>', open);
  if (packet[selfClose - 1] === '/') return [open, selfClose + 1];
  const close = indexOfFrom(packet, closeTag, property.end, closeSearches);
  return close === -1 ? [property.start, property.end] : [open, close + closeTag.length];
}

/**
 * `text.indexOf(needle, from)`, reusing the previous search for the same needle when it already
 * answers this one: many properties under one unclosed top-level element would otherwise each scan
 * to the end of the packet (quadratic time on hostile input).
 */
function indexOfFrom(text: string, needle: string, from: number, searches: Map<string, { from: number; at: number }>): number {
  const previous = searches.get(needle);
  if (previous && from >= previous.from && (previous.at === -1 || from <= previous.at)) return previous.at;
  const at = text.indexOf(needle, from);
  searches.set(needle, { from, at });
  return at;
}

/**
 * Decodes an XMP packet's bytes: UTF-8 normally, but UTF-16/32 (either byte order) occur in the
 * wild (XMP Part 1 §7.1 allows them), detected by BOM or by the zero bytes around `<`.
 */
export function xmpText(bytes: Buffer): string {
  if (bytes.length >= 2) {
    const [a, b] = [bytes[0]!, bytes[1]!];
    if (bytes.length >= 4 && a === 0 && b === 0 && bytes[2] === 0) return utf32(bytes, false);
    if (bytes.length >= 4 && b === 0 && bytes[2] === 0 && bytes[3] === 0) return utf32(bytes, true);
    if ((a === 0xfe && b === 0xff) || (a === 0 && b !== 0)) return swapToLittleEndian(bytes).toString('utf16le').replace(/^\ufeff/, '');
    if ((a === 0xff && b === 0xfe) || (a !== 0 && b === 0)) return bytes.toString('utf16le').replace(/^\ufeff/, '');
  }
  return bytes.toString('utf8');
}

function swapToLittleEndian(bytes: Buffer): Buffer {
  const swapped = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  swapped.swap16();
  return swapped;
}

function utf32(bytes: Buffer, littleEndian: boolean): string {
  let text = '';
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) {
    const code = littleEndian ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset);
    text += safeCodePoint(code);
  }
  return text.replace(/^\ufeff/, '');
}
