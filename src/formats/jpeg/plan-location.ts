/**
 * `--only location` for JPEG metadata segments: an allow-list. EXIF is kept minus what may name a
 * place (src/decode/location-edit.ts decides which entries), with its thumbnail cleaned by this
 * same JPEG cleaner; XMP minus its location properties; a Photoshop block reduced to the
 * resources known to hold no place (photoshop.ts). Each kept block is written again by traceless.
 * Everything else — comments (free text can spell a place), Extended XMP, MPF, FlashPix, JFXX
 * and vendor blocks — cannot be shown to hold no place, so it goes.
 * References: CIPA DC-008 Exif 2.32 §4.5.4, §4.6.6 (GPS IFD); Adobe XMP Part 3 §1.1.3.
 */
import { BufferSource } from '../../io/source.js';
import { decodeExif } from '../../decode/exif.js';
import { readUint, type TiffStructure } from '../../decode/tiff.js';
import { writeUint } from '../../decode/tiff-edit.js';
import { isLocationProperty, removeXmpProperties, xmpText } from '../../decode/xmp.js';
import { removeExifLocation, removeXmpLocation } from '../../decode/location-edit.js';
import { PlanSource } from '../../io/plan-source.js';
import { payloadOf, type ClassifiedSegment } from './inspect.js';
import { buildSegment, planJpegImage, tryParseTiff, type JpegPlanContext } from './plan.js';
import { keepPlacelessResources } from './photoshop.js';
import { identifiers } from './segments.js';

const exifIdentifier = 'Exif\0\0';
const jpegInterchangeFormatLength = 0x0202;

export function planLocationSegment(context: JpegPlanContext, segment: ClassifiedSegment): void {
  const { plan } = context;
  const { kind, where } = segment.info;
  switch (kind) {
    case 'exif':
      return planExif(context, segment);
    case 'xmp':
      return planXmp(context, segment);
    case 'photoshop':
      return planPhotoshop(context, segment);
    default:
      plan.remove(where, kind === 'image' ? 'other' : kind, segment.length, kind === 'comment' ? 'comment (free text may name a place)' : kind === 'xmp-extended' ? 'extended XMP (cannot be edited safely)' : segment.info.identifier || undefined);
  }
}

function planExif(context: JpegPlanContext, segment: ClassifiedSegment): void {
  const { source, plan } = context;
  const tiff = Buffer.from(payloadOf(source, segment));
  const structure = tryParseTiff(tiff);
  const notes: string[] = [];
  let safe = structure !== undefined;
  if (structure) {
    for (const thumbnail of decodeExif(structure, { where: segment.info.where }).thumbnails) {
      const outcome = cleanThumbnailInPlace(structure, thumbnail.ifd, thumbnail.offset, thumbnail.length);
      if (outcome === 'failed') safe = false;
      if (outcome === 'cleaned') notes.push(`${thumbnail.ifd} thumbnail's own metadata`);
    }
  }
  // GPS IFD and records that may hold a place; the edit is re-decoded and declared unsafe if a
  // location is still readable.
  const edit = safe ? removeExifLocation(structure!.data) : undefined;
  if (!edit || !edit.safe) {
    plan.remove(segment.info.where, 'exif', segment.length, `EXIF removed whole: ${edit?.note ?? 'its thumbnail or structure cannot be cleaned'}`);
    context.writeOrientation(structure);
    return;
  }
  if (edit.changed && edit.note) notes.push(edit.note);
  plan.keep('EXIF without location');
  context.emit(segment, buildSegment(segment.marker, exifIdentifier, edit.data), notes.length ? `removed ${notes.join(', ')}; the rest of EXIF kept` : 'EXIF re-written', 'exif');
}

/**
 * Cleans an EXIF thumbnail with the JPEG cleaner (everything removed but the picture) and writes
 * it at the same offset, its length entry updated and the freed tail zeroed, so nothing else in
 * the EXIF block moves. `failed` when the thumbnail cannot be cleaned (the caller drops the EXIF).
 */
function cleanThumbnailInPlace(structure: TiffStructure, ifdName: string, offset: number, length: number): 'unchanged' | 'cleaned' | 'failed' {
  const data = structure.data;
  if (offset < 0 || length <= 0 || offset + length > data.length) return 'failed';
  const original = Buffer.from(data.subarray(offset, offset + length));
  let cleaned: Buffer;
  try {
    const source = new BufferSource(original);
    const thumbnailPlan = planJpegImage(source, { mode: 'all', keepOrientation: false, keepDates: false }).build();
    const output = new PlanSource(thumbnailPlan.pieces, source, 'thumbnail');
    cleaned = output.read(0, output.size);
  } catch {
    return 'failed';
  }
  if (cleaned.equals(original)) return 'unchanged';
  if (cleaned.length > original.length) return 'failed';
  cleaned.copy(data, offset);
  data.fill(0, offset + cleaned.length, offset + length);
  const ifd = structure.ifds.find((candidate) => candidate.name === ifdName);
  const lengthEntry = ifd?.entries.find((entry) => entry.tag === jpegInterchangeFormatLength);
  if (!lengthEntry || !lengthEntry.inline) return 'failed';
  const size = lengthEntry.type === 3 ? 2 : 4;
  if (readUint(data, lengthEntry.valueOffset, size, structure.littleEndian) !== length) return 'failed';
  writeUint(data, lengthEntry.valueOffset, size, cleaned.length, structure.littleEndian);
  return 'cleaned';
}

function planXmp(context: JpegPlanContext, segment: ClassifiedSegment): void {
  const { source, plan } = context;
  const packet = xmpText(payloadOf(source, segment));
  const edited = removeXmpProperties(packet, (name) => isLocationProperty(name) || name === 'xmpNote:HasExtendedXMP');
  // The edit is read back: anything location-bearing still readable means the packet goes whole.
  const check = removeXmpLocation(edited);
  if (!check.safe || check.changed) {
    plan.remove(segment.info.where, 'xmp', segment.length, 'XMP removed whole: its location properties could not be removed');
    return;
  }
  plan.keep('XMP without location');
  context.emit(segment, buildSegment(segment.marker, identifiers.xmp, Buffer.from(edited, 'utf8')), edited === packet ? 'XMP re-written' : 'location properties (GPS, city, state, country, sub-location)', 'xmp');
}

function planPhotoshop(context: JpegPlanContext, segment: ClassifiedSegment): void {
  const { source, plan } = context;
  let edit;
  try {
    edit = keepPlacelessResources(payloadOf(source, segment));
  } catch (error) {
    plan.remove(segment.info.where, 'photoshop', segment.length, `Photoshop block removed whole: ${(error as Error).message}`);
    return;
  }
  if (edit.data.length === 0) {
    plan.remove(segment.info.where, 'photoshop', segment.length, `Photoshop block: ${edit.notes.join(', ') || 'nothing known to hold no place'}`);
    return;
  }
  plan.keep('IPTC without location');
  context.emit(segment, buildSegment(segment.marker, identifiers.photoshop, edit.data), edit.notes.join(', ') || 'Photoshop block re-written', 'photoshop');
}
