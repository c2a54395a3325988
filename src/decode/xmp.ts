/**
 * XMP packets: what they reveal, and the packet re-written without what a cleaner removes.
 * References: ISO 16684-1 (XMP Part 1) §6–7 (data model, RDF/XML); IPTC Photo Metadata Standard
 * 2023.2 (Iptc4xmpCore/Iptc4xmpExt); PLUS LDF; MWG 2.0 regions; Google Camera XMP (GCamera,
 * Container).
 *
 * The packet is read in full by an XML parser (`xmp-model.ts`, saxes) into properties named by
 * namespace URI and local name; a packet that cannot be read in full, or whose encoding is
 * ambiguous, is reported as unreadable and removed whole by every cleaner — never half-read.
 * Edits re-write the packet from the parsed model (`xmp-write.ts`), never by cutting text.
 */
import type { Category, Finding, FindingMeaning, GeoLocation } from '../types.js';
import { formatLocation } from './exif.js';
import { decodeXmpBytes, unreadableText } from './xmp-encoding.js';
import { parseXmp, type XmpName, type XmpNode, type XmpPacketModel, type XmpValue } from './xmp-model.js';
import { namespaces as ns, qualifiedName } from './xmp-namespaces.js';
import { isDevelopSetting, isHarmlessSetting, isPlaceLocalName, isPlaceProperty, keepForLocationMode, withFilteredValue } from './xmp-policy.js';
import { writeXmpPacket } from './xmp-write.js';

export type { XmpNode, XmpPacketModel } from './xmp-model.js';

export interface XmpProperty {
  /** Qualified name with the standard prefix of its namespace, e.g. `exif:GPSLatitude`, `photoshop:City`. */
  name: string;
  /** Namespace URI and local name: what identifies the property. */
  uri: string;
  local: string;
  value: string;
  /**
   * Kept for compatibility with the old text-range API: the model has no text positions, so both
   * are the index of the top-level property in the packet.
   */
  start: number;
  end: number;
  /** The top-level property this one sits under (itself when top-level). */
  topLevel: string;
  topLevelStart?: number;
}

/** Every leaf value of the packet (array items and struct fields included), or [] when unreadable. */
export function readXmpProperties(packet: string): XmpProperty[] {
  const parsed = parseXmp(packet);
  return parsed.ok ? leavesOf(parsed.model) : [];
}

function leavesOf(model: XmpPacketModel): XmpProperty[] {
  const leaves: XmpProperty[] = [];
  model.properties.forEach((property, index) => {
    const topLevel = qualifiedName(property.name);
    const visit = (name: XmpName, value: XmpValue) => {
      switch (value.kind) {
        case 'simple':
        case 'uri':
          leaves.push({ name: qualifiedName(name), uri: name.uri, local: name.local, value: (value.kind === 'simple' ? value.text : value.uri).trim(), start: index, end: index, topLevel, topLevelStart: index });
          return;
        case 'array':
          for (const item of value.items) visit(name, item.value);
          return;
        case 'struct':
          if (value.fields.length === 0) leaves.push({ name: qualifiedName(name), uri: name.uri, local: name.local, value: '', start: index, end: index, topLevel, topLevelStart: index });
          for (const field of value.fields) visit(field.name, field.value);
      }
    };
    visit(property.name, property.value);
  });
  return leaves;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** Properties that reveal a place (GPS, named places, addresses), by qualified or local name. */
export function isLocationProperty(name: string): boolean {
  return isPlaceLocalName(localName(name)) || /^(drone-dji|Camera):/.test(name);
}

const embeddedNamespaces = new Set<string>([ns.GCamera, ns.Container, ns.Item, ns.GDepth, ns.GImage]);
const deviceNamespaces = new Set<string>([ns['drone-dji'], ns.Camera]);

function categorise(name: XmpName, top: XmpName): Category | 'setting' {
  const local = name.local;
  if (isPlaceProperty(name) || isPlaceProperty(top)) return 'location';
  if ((top.uri === ns.xmp && top.local === 'Thumbnails') || name.uri === ns.xmpGImg) return 'thumbnail';
  if (embeddedNamespaces.has(name.uri) || /MicroVideo|MotionPhoto/i.test(local) || (top.uri === ns.xmpMM && top.local === 'Pantry')) return 'embedded';
  if (/OwnerName/i.test(local)) return 'owner';
  if (isHarmlessSetting(top) && isHarmlessSetting(name)) return 'setting';
  if (/Serial|^Make$|^Model$|^Lens|CreatorTool|Software|softwareAgent|^Firmware|CameraModel|DroneModel|ProductName|DeviceName|^ImageNumber$|ShutterCount|LensProfile/i.test(local) || deviceNamespaces.has(name.uri)) return 'device';
  if (/Date$|DateTime|^CreateDate|^ModifyDate|^MetadataDate|TimeStamp|DateCreated|TimeCreated|^when$|timestamp/i.test(local)) return 'time';
  if (/^(creator|rights|Credit|Owner|Artist|Author|Copyright|UsageTerms|Marked|WebStatement|AuthorsPosition|CaptionWriter|Contributor|publisher|Contact|Ci(Email|Tel|Url)|PersonInImage)/i.test(local)) return 'owner';
  if (name.uri === ns.plus || top.uri === ns.plus) return 'owner';
  if (top.uri === ns['mwg-rs'] && local === 'Name') return 'owner';
  if (top.uri === ns.Iptc4xmpCore && top.local === 'CreatorContactInfo') return 'owner';
  return 'other';
}

/** Values that are numbers, rationals or codes, not names: `24/1 105/1 0/0 0/0`, `-12.5`, a hash. */
const notAName = /^(?:[-+]?[\d.]+(?:\/[\d.]+)?[\s,;]*)+$|^[0-9a-f]{16,}$/i;

/**
 * What an XMP property means (the closed vocabulary of `Finding.meaning`), decided here by the
 * decoder from the property's namespace and name so reports never read tag names.
 */
function xmpMeaning(category: Category, name: XmpName, top: XmpName, text: string): FindingMeaning {
  const local = name.local;
  switch (category) {
    case 'location':
      if (name.uri === ns['drone-dji'] || name.uri === ns.Camera || /GPS|Gps|Latitude|Longitude|Longtitude|Altitude|Coordinates|^Geo/.test(local)) return 'gps-detail';
      return notAName.test(text) ? 'gps-detail' : 'place-name';
    case 'thumbnail':
      return 'thumbnail';
    case 'embedded':
      return 'embedded-data';
    case 'owner':
      return /^Ci(Email|Tel|Url)/.test(local) ? 'contact' : 'owner';
    case 'time':
      if (/^(DateTimeOriginal|DateCreated)$/.test(local)) return 'taken';
      if (/^(ModifyDate|MetadataDate)$/.test(local)) return 'modified';
      return 'timestamp';
    case 'device':
      if (/Serial/i.test(local)) return 'serial';
      if (/^(LensInfo|LensSpecification)$/.test(local) || notAName.test(text)) return 'device-setting';
      if (/^Lens/i.test(local)) return 'lens';
      if (/^Make$/.test(local)) return 'make';
      if (/^Model$|CameraModel|DroneModel|ProductName|DeviceName/i.test(local)) return 'model';
      if (/CreatorTool|Software|softwareAgent|^Firmware/i.test(local)) return 'software';
      return 'device-setting';
    default:
      if (/^(DocumentID|InstanceID|OriginalDocumentID|ImageUniqueID|documentID|instanceID)$/.test(local) || top.local === 'DerivedFrom') return 'identifier';
      if (/^(title|description|subject|Headline|Keywords|hierarchicalSubject|TagsList|UserComment|ImageDescription|Label|Instructions)$/i.test(local)) return 'description';
      return 'other';
  }
}

const labels: Record<string, string> = {
  City: 'City', State: 'State/province', Country: 'Country', CountryCode: 'Country code', Sublocation: 'Sub-location',
  Location: 'Location', Make: 'Camera make', Model: 'Camera model', SerialNumber: 'Camera serial number',
  LensSerialNumber: 'Lens serial number', CreatorTool: 'Software', creator: 'Creator', rights: 'Rights',
  CreateDate: 'Created', ModifyDate: 'Modified', DateTimeOriginal: 'Taken', DateCreated: 'Created', MetadataDate: 'Metadata modified',
  CiAdrCity: 'Creator address: city', CiAdrCtry: 'Creator address: country', CiAdrExtadr: 'Creator address: street',
  CiAdrPcode: 'Creator address: postcode', CiAdrRegion: 'Creator address: region', CiEmailWork: 'Creator e-mail',
  CiTelWork: 'Creator telephone', CiUrlWork: 'Creator web site', ImageNumber: 'Shutter count (image number)',
  PreservedFileName: 'Original file name', RawFileName: 'Original raw file name', hierarchicalSubject: 'Keywords (hierarchy, may name places)',
  TagsList: 'Tags (may name places)', LicensorName: 'Licensor name', CopyrightOwnerName: 'Copyright owner', ImageCreatorName: 'Image creator',
  PersonInImage: 'Person in the picture', Thumbnails: 'XMP thumbnail', OwnerName: 'Camera owner', CameraOwnerName: 'Camera owner',
};

function xmpLabel(name: XmpName, top: XmpName): string {
  if (top.uri === ns['mwg-rs'] && name.local === 'Name') return 'Person in a face region';
  return labels[name.local] ?? labels[top.local] ?? qualifiedName(name);
}

/** A packet with more findings than this is summarised past it (scan stays readable). */
const maxFindingsPerPacket = 500;

export interface DecodedXmp {
  findings: Finding[];
  locations: GeoLocation[];
  properties: XmpProperty[];
  /** Why the packet could not be read in full (empty when it was). */
  unreadable: string[];
}

/** Findings for one packet. `where` is e.g. `APP1/XMP`. */
export function decodeXmp(packet: string, where: string): DecodedXmp {
  const parsed = parseXmp(packet);
  if (!parsed.ok) {
    const bytes = Buffer.byteLength(packet);
    // Category `location`: what could not be read may hold a place, so every location-mode check
    // treats the packet as holding one and removes it whole.
    const finding: Finding = { category: 'location', where, tag: 'XMP', label: 'XMP packet traceless cannot read in full (it may hold a place)', meaning: 'embedded-data', value: bytes, text: parsed.reason };
    return { findings: [finding], locations: [], properties: [], unreadable: [`${where}: XMP cannot be read in full (${parsed.reason})`] };
  }
  const properties = leavesOf(parsed.model);
  const findings: Finding[] = [];
  const locations: GeoLocation[] = [];
  const byName = new Map<string, string>();
  for (const property of properties) if (!byName.has(property.local.toLowerCase())) byName.set(property.local.toLowerCase(), property.value);
  const location = xmpLocation(byName, where);
  if (location) {
    locations.push(location);
    findings.push({ category: 'location', where, tag: 'GPSPosition', label: 'GPS position', meaning: 'gps-position', value: location, text: formatLocation(location) });
  }
  const seen = new Set<string>();
  let settings = 0;
  let unlisted = 0;
  // The items of an array share their name: one decision per name under its top-level property
  // (ten pattern tests each), not one per item — a packet may hold tens of thousands of items.
  const categories = new Map<XmpName, Map<XmpName, Category | 'setting'>>();
  const categoryOf = (name: XmpName, top: XmpName): Category | 'setting' => {
    let byTop = categories.get(name);
    if (!byTop) categories.set(name, (byTop = new Map()));
    let category = byTop.get(top);
    if (category === undefined) byTop.set(top, (category = categorise(name, top)));
    return category;
  };
  const visit = (top: XmpName, name: XmpName, value: XmpValue) => {
    if (value.kind === 'array') return value.items.forEach((item) => visit(top, name, item.value));
    if (value.kind === 'struct') return value.fields.forEach((field) => visit(top, field.name, field.value));
    const text = (value.kind === 'simple' ? value.text : value.uri).trim();
    const category = categoryOf(name, top);
    if (category === 'setting') return void settings++;
    const tag = qualifiedName(name);
    const key = `${tag}=${text}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (location && /^(GPSLatitude|GPSLongitude|GpsLatitude|GpsLongitude|GpsLongtitude)$/.test(name.local)) return;
    if (findings.length >= maxFindingsPerPacket) return void unlisted++;
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    findings.push({ category, where, tag, label: xmpLabel(name, top), meaning: xmpMeaning(category, name, top, text), value: shown, text: shown });
  };
  for (const property of parsed.model.properties) visit(property.name, property.name, property.value);
  // Retained: these are what an XMP sidecar keeps on purpose (see `xmp-policy.ts`); elsewhere they
  // go with the packet in the default mode, and they hold nothing personal in any case.
  if (settings > 0) findings.push({ category: 'other', where, tag: 'XMP settings', label: 'Develop and exposure settings', meaning: 'device-setting', value: settings, text: `${settings} value(s)`, retained: true });
  if (unlisted > 0) findings.push({ category: 'other', where, tag: 'XMP', label: 'More XMP properties', meaning: 'other', value: unlisted, text: `${unlisted} more value(s)` });
  return { findings, locations, properties, unreadable: [] };
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

/** The outcome of re-writing a packet: the new text and the qualified names removed, or why it could not be read. */
export type XmpEdit = { ok: true; text: string; removed: string[]; model: XmpPacketModel } | { ok: false; reason: string };

/**
 * Re-writes `packet` from its parsed model, keeping each top-level property as `keep` returns it
 * (possibly with fewer fields) and removing it when `keep` returns undefined. When nothing is
 * removed and the packet is already in the form traceless writes (apart from white-space padding
 * before the trailer), the packet itself is returned, so cleaning twice changes nothing.
 */
export function editXmpPacket(packet: string, keep: (property: XmpNode) => XmpNode | undefined): XmpEdit {
  const parsed = parseXmp(packet);
  if (!parsed.ok) return parsed;
  const kept: XmpNode[] = [];
  const removed: string[] = [];
  const before = new Map<XmpNode, string>();
  for (const property of parsed.model.properties) {
    const result = keep(property);
    if (!result) removed.push(qualifiedName(property.name));
    else {
      kept.push(result);
      before.set(result, property === result ? '' : writeXmpPacket({ properties: [property] }));
    }
  }
  // A property kept with fewer fields counts as removed in part.
  for (const [result, original] of before) {
    if (original !== '' && original !== writeXmpPacket({ properties: [result] })) removed.push(`${qualifiedName(result.name)} (part)`);
  }
  const model: XmpPacketModel = { properties: kept };
  // Bytes seen through latin1 show the UTF-8 BOM as three characters: write it back the same way.
  const begin = parsed.model.begin === '\u00ef\u00bb\u00bf' ? parsed.model.begin : '\ufeff';
  const text = writeXmpPacket(model, begin);
  if (removed.length === 0 && normalisePadding(text) === normalisePadding(packet)) return { ok: true, text: packet, removed, model };
  return { ok: true, text, removed, model };
}

function normalisePadding(text: string): string {
  return text.replace(/\0+$/, '').replace(/[ \t\r\n]*(<\?xpacket end=)/, '\n$1').trimEnd();
}

/**
 * Removes every property for which `shouldRemove(qualifiedName)` is true — and, because every
 * caller edits for `--only location`, every property the location allow-list does not know —
 * returning the packet re-written from what is left. Struct fields are tested by their own names.
 * Returns '' when the packet cannot be read in full, or when the re-written packet would be longer
 * than the original (same-length editors could not fit it): the caller then drops the whole
 * packet (an empty packet is what every caller writes for "nothing left"). New callers should use
 * `editXmpForLocation`, which says what it removed and why a packet is unreadable.
 */
export function removeXmpProperties(packet: string, shouldRemove: (name: string) => boolean): string {
  const edit = editXmpPacket(packet, (property) => {
    if (shouldRemove(qualifiedName(property.name))) return undefined;
    const kept = keepForLocationMode(property);
    return kept && withoutFields(kept, (field) => shouldRemove(qualifiedName(field.name)));
  });
  if (!edit.ok) return '';
  // Callers that edit in place pad the result back to the packet's length: a re-written packet
  // longer than the original (a compact packet without padding) cannot be, so it goes whole.
  const longer = edit.text.length > packet.length || Buffer.byteLength(edit.text, 'utf8') > Buffer.byteLength(packet, 'utf8');
  return longer ? '' : edit.text;
}

/** The location-mode edit of a packet (the allow-list in `xmp-policy.ts`), with what it removed. */
export function editXmpForLocation(packet: string): XmpEdit {
  return editXmpPacket(packet, keepForLocationMode);
}

function withoutFields(node: XmpNode, drop: (field: XmpNode) => boolean): XmpNode {
  return withFilteredValue(node, (field) => !drop(field));
}

/**
 * Decodes an XMP packet's bytes (UTF-8, UTF-16 or UTF-32 by BOM or by how `<` is spelled). Bytes
 * whose encoding is ambiguous or invalid come back as text that every function here reports as
 * unreadable (and that no XML parser accepts), so callers remove the packet whole.
 */
export function xmpText(bytes: Buffer): string {
  const decoded = decodeXmpBytes(bytes);
  return 'problem' in decoded ? unreadableText(decoded.problem) : decoded.text;
}
