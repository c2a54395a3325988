/**
 * Location-only cleaning of EXIF and XMP payloads (`--only location`), shared by the containers
 * that keep their metadata blocks in that mode (PNG, WebP, GIF). Each function edits a copy and
 * then re-decodes it: when anything location-bearing is still readable, it says the payload is
 * not safe to keep, and the container drops the whole block instead.
 * References: CIPA DC-008 (Exif 3.0) section 4.6.6 (GPS IFD); ISO 16684-1 (XMP).
 */
import { decodeExif } from './exif.js';
import { parseTiff, type Ifd, type IfdEntry } from './tiff.js';
import { removeTiffEntries } from './tiff-edit.js';
import { decodeXmp, editXmpForLocation, isLocationProperty } from './xmp.js';

/**
 * Entries that may carry a place but cannot be edited in place: embedded XMP, IPTC and Photoshop
 * records (City/Country/GPS), and maker notes (several vendors store GPS or place names there).
 */
const opaqueLocationCarriers = new Set([0x02bc, 0x83bb, 0x8649, 0x927c, 0xc634]);

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
 * Removes the GPS IFD and the opaque carriers listed above from a TIFF/EXIF structure (which
 * starts with the byte-order mark). Everything else keeps its offset.
 */
export function removeExifLocation(tiff: Buffer): LocationEdit<Buffer> {
  let structure;
  try {
    structure = parseTiff(Buffer.from(tiff));
  } catch {
    return { data: tiff, changed: false, safe: false, note: 'EXIF structure unreadable' };
  }
  // An IFD we could not read may be the GPS IFD: its bytes would stay behind unseen.
  if (structure.warnings.some((warning) => warning.code === 'TIFF_IFD_UNREADABLE')) {
    return { data: tiff, changed: false, safe: false, note: 'EXIF structure partly unreadable' };
  }
  const hasGps = structure.ifds.some((ifd) => ifd.name === 'GPS') || structure.ifds.some((ifd) => ifd.entries.some((entry) => entry.tag === 0x8825));
  const carriers = (_ifd: Ifd, entry: IfdEntry) => opaqueLocationCarriers.has(entry.tag);
  const hasCarrier = structure.ifds.some((ifd) => ifd.entries.some((entry) => carriers(ifd, entry)));
  if (!hasGps && !hasCarrier) return checked(tiff, tiff, false, '');
  const removal = removeTiffEntries(structure, carriers, new Set(['GPS']));
  const parts: string[] = [];
  if (hasGps) parts.push('GPS');
  const carrierCount = removal.entries.filter((entry) => opaqueLocationCarriers.has(entry.tag)).length;
  if (carrierCount > 0) parts.push(`${carrierCount} embedded record(s) that may hold a place`);
  return checked(tiff, structure.data, true, parts.join(', '));
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
    // A thumbnail is a whole JPEG which may carry its own EXIF with GPS.
    for (const thumbnail of decoded.thumbnails) {
      const bytes = again.data.subarray(thumbnail.offset, thumbnail.offset + thumbnail.length);
      if (bytes.includes(Buffer.from('Exif\0\0', 'latin1'))) {
        return { data: original, changed: false, safe: false, note: 'thumbnail carries its own EXIF' };
      }
    }
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
