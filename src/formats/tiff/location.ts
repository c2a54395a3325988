/**
 * Location-only edits of TIFF metadata payloads, made in place at the same length so that no
 * other offset in the file moves:
 * - XMP (tag 700): location properties removed, the packet padded back to its length with spaces
 *   (XMP Part 1 §7.3.2 allows whitespace padding before the `<?xpacket end` trailer);
 * - IPTC-IIM (tag 33723, or resource 0x0404 in Photoshop data): location datasets dropped and the
 *   record filled up with zero bytes, which IIM readers treat as the end of the data.
 * Each edit is checked by decoding the result again: when a place is still readable the edit
 * says so (`undefined`), and the caller removes the whole value instead.
 */
import { decodeIptc, encodeIptc, isLocationDataset, readImageResources, readIptc, resourceIds } from '../../decode/iptc.js';
import { decodeXmp, isLocationProperty, removeXmpProperties, xmpText } from '../../decode/xmp.js';
import { describeImageResources } from './payloads.js';

export type InPlaceEdit = { changed: false } | { changed: true; data: Buffer } | undefined;

/** True when the packet is UTF-8 (the only encoding that can be edited byte for byte here). */
function isUtf8Packet(bytes: Buffer): boolean {
  return bytes.length < 2 || (bytes[0] !== 0 && bytes[1] !== 0 && !(bytes[0] === 0xfe && bytes[1] === 0xff) && !(bytes[0] === 0xff && bytes[1] === 0xfe));
}

export function editXmpInPlace(bytes: Buffer): InPlaceEdit {
  if (!isUtf8Packet(bytes)) return hasXmpLocation(bytes) ? undefined : { changed: false };
  // latin1 maps bytes to characters one to one, so the kept parts come back byte for byte.
  const packet = bytes.toString('latin1');
  const edited = removeXmpProperties(packet, isLocationProperty);
  if (edited === packet) return hasXmpLocation(bytes) ? undefined : { changed: false };
  const padding = ' '.repeat(packet.length - edited.length);
  const trailer = edited.lastIndexOf('<?xpacket end');
  const padded = trailer === -1 ? edited + padding : edited.slice(0, trailer) + padding + edited.slice(trailer);
  const data = Buffer.from(padded, 'latin1');
  if (data.length !== bytes.length || hasXmpLocation(data)) return undefined;
  return { changed: true, data };
}

function hasXmpLocation(bytes: Buffer): boolean {
  const decoded = decodeXmp(xmpText(bytes), 'XMP');
  return decoded.locations.length > 0 || decoded.findings.some((finding) => finding.category === 'location') || decoded.properties.some((property) => isLocationProperty(property.name));
}

export function editIptcInPlace(bytes: Buffer): InPlaceEdit {
  let datasets;
  try {
    datasets = readIptc(bytes);
  } catch {
    return undefined;
  }
  const kept = datasets.filter((dataset) => !isLocationDataset(dataset.record, dataset.dataset));
  if (kept.length === datasets.length) return { changed: false };
  const rebuilt = encodeIptc(bytes, kept);
  const data = Buffer.alloc(bytes.length);
  rebuilt.copy(data);
  if (decodeIptc(data, 'IPTC').some((finding) => finding.category === 'location')) return undefined;
  return { changed: true, data };
}

/** Photoshop image resources: IPTC and XMP resources edited in place; EXIF copies cannot be. */
export function editImageResourcesInPlace(bytes: Buffer): InPlaceEdit {
  let resources;
  try {
    resources = readImageResources(bytes);
  } catch {
    return undefined;
  }
  const data = Buffer.from(bytes);
  let changed = false;
  for (const resource of resources) {
    const body = data.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength);
    const edit = resource.id === resourceIds.iptc ? editIptcInPlace(body) : resource.id === resourceIds.xmp ? editXmpInPlace(body) : { changed: false as const };
    if (edit === undefined) return undefined;
    if (edit.changed) {
      edit.data.copy(body);
      changed = true;
    }
  }
  try {
    const again = describeImageResources(data, 'Photoshop');
    if (again.locations.length > 0 || again.findings.some((finding) => finding.category === 'location')) return undefined;
  } catch {
    return undefined;
  }
  return changed ? { changed: true, data } : { changed: false };
}
