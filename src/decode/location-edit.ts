/**
 * Location-only cleaning of EXIF and XMP payloads (`--only location`), shared by the containers
 * that keep their metadata blocks in that mode (PNG, WebP, GIF). Each function edits a copy and
 * then re-decodes it: when anything location-bearing is still readable, it says the payload is
 * not safe to keep, and the container drops the whole block instead.
 * References: CIPA DC-008 (Exif 3.0) section 4.6.6 (GPS IFD); ISO 16684-1 (XMP).
 */
import { TracelessError } from '../errors.js';
import { decodeExif } from './exif.js';
import { locationSafeTagsOf } from './exif-tags.js';
import { locationSafeValue } from './exif-shapes.js';
import { parseTiff, type IfdEntry } from './tiff.js';
import { reemitTiff } from './tiff-edit.js';
import { decodeXmp, editXmpForLocation, isLocationProperty, removeXmpProperties } from './xmp.js';

export interface LocationEdit<T> {
  /** The edited payload (the input itself when nothing changed). */
  data: T;
  changed: boolean;
  /** False when location data could not be removed safely: drop the whole block. */
  safe: boolean;
  /** What was taken out, in a few words. */
  note: string;
}

/**
 * Location mode for an EXIF structure (which starts with the byte-order mark), as an allow-list:
 * the structure is written back from its parsed fields at the same length, keeping only IFD0,
 * the Exif IFD and the Interoperability IFD, and in them only the tags of `locationSafeTags`
 * (exif-tags.ts). The GPS IFD, IFD1 and its thumbnail, SubIFDs, maker notes, embedded XMP/IPTC/
 * Photoshop records, map tags and every unknown tag go; every byte no kept structure owns
 * (removed values, slack, gaps) becomes zero. Nothing kept moves, so offsets stay valid.
 */
export function removeExifLocation(tiff: Buffer): LocationEdit<Buffer> {
  let structure;
  try {
    structure = parseTiff(Buffer.from(tiff));
  } catch {
    return { data: tiff, changed: false, safe: false, note: 'EXIF structure unreadable' };
  }
  // An IFD we could not read, or one read twice, cannot be written back as what a reader sees.
  if (structure.warnings.some((warning) => warning.code === 'TIFF_IFD_UNREADABLE' || warning.code === 'TIFF_IFD_CYCLE')) {
    return { data: tiff, changed: false, safe: false, note: 'EXIF structure partly unreadable' };
  }
  const data = structure.data;
  const littleEndian = structure.littleEndian;
  // Each kept entry is written from its defined type and count (exif-shapes.ts): extra values, other types and slack go.
  const shaped = (ifdName: string, entry: IfdEntry) =>
    entry.readable ? locationSafeValue(ifdName.slice(ifdName.lastIndexOf('/') + 1), entry.tag, entry.type, entry.count, data.subarray(entry.valueOffset, entry.valueOffset + entry.valueLength), littleEndian) : undefined;
  let emitted;
  try {
    emitted = reemitTiff(structure, {
      keepIfd: (ifd) => locationSafeTagsOf(ifd.name) !== undefined,
      keepEntry: (ifd, entry) => locationSafeTagsOf(ifd.name)?.has(entry.tag) === true && shaped(ifd.name, entry) !== undefined,
      rewrite: (ifd, entry) => shaped(ifd.name, entry),
    });
  } catch (error) {
    if (error instanceof TracelessError && error.code === 'INTERNAL') throw error;
    return { data: tiff, changed: false, safe: false, note: 'EXIF structures overlap' };
  }
  const changed = !emitted.data.equals(tiff);
  if (!changed) return checked(tiff, tiff, false, '');
  const parts: string[] = [];
  const gone = (name: string) => emitted.removedIfds.some((ifd) => ifd.name.endsWith(name));
  if (gone('GPS')) parts.push('GPS');
  if (emitted.removedIfds.some((ifd) => /^IFD[1-9]/.test(ifd.name))) parts.push('thumbnail');
  const entries = emitted.removedEntries.filter(({ entry }) => entry.tag !== 0x8825).length;
  if (entries > 0) parts.push(`${entries} tag(s) not known to be free of places`);
  if (parts.length === 0) parts.push('unused bytes');
  return checked(tiff, emitted.data, true, parts.join(', '));
}

function checked(original: Buffer, data: Buffer, changed: boolean, note: string): LocationEdit<Buffer> {
  try {
    const again = parseTiff(data);
    // The edit must read back whole, or a second clean would see something else (not idempotent).
    if (again.warnings.some((warning) => warning.code === 'TIFF_IFD_UNREADABLE')) {
      return { data: original, changed: false, safe: false, note: 'EXIF structure partly unreadable after editing' };
    }
    const decoded = decodeExif(again, { where: 'EXIF' });
    const stillThere = decoded.findings.some((finding) => finding.category === 'location') || again.ifds.some((ifd) => ifd.name === 'GPS');
    if (stillThere) return { data: original, changed: false, safe: false, note: 'GPS could not be removed in place' };
    // The allow-list keeps no thumbnail; one still readable would be a JPEG with its own metadata.
    if (decoded.thumbnails.length > 0) return { data: original, changed: false, safe: false, note: 'a thumbnail could not be removed' };
    return { data, changed, safe: true, note };
  } catch {
    return { data: original, changed: false, safe: false, note: 'EXIF structure unreadable after editing' };
  }
}

/**
 * The XMP packet re-written from its parsed properties without anything that may hold a place: the
 * location allow-list of `xmp-policy.ts` (GPS, place names, addresses such as the creator's
 * CiAdr* contact fields, keyword trees and unfamiliar namespaces go). A packet that cannot be read
 * in full is not safe: the container drops it whole.
 */
export function removeXmpLocation(packet: string): LocationEdit<string> {
  const edit = editXmpForLocation(packet);
  if (!edit.ok) return { data: packet, changed: false, safe: false, note: `XMP cannot be read in full: ${edit.reason}` };
  const changed = edit.text !== packet;
  const remaining = decodeXmp(edit.text, 'XMP');
  const stillThere =
    remaining.unreadable.length > 0 ||
    remaining.locations.length > 0 ||
    remaining.findings.some((finding) => finding.category === 'location') ||
    remaining.properties.some((property) => isLocationProperty(property.name) || isLocationProperty(property.topLevel));
  if (stillThere) return { data: packet, changed: false, safe: false, note: 'location properties could not be removed' };
  const note = edit.removed.length > 0 ? `location and unfamiliar properties (${summarise(edit.removed)})` : changed ? 'XMP re-written from its parsed properties' : '';
  return { data: edit.text, changed, safe: true, note };
}

function summarise(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`;
}
