/**
 * When a photo or video was taken, for people: `2019-07-14 14:03 +02:00`, from the capture time a
 * file records (EXIF DateTimeOriginal with OffsetTimeOriginal, XMP/IPTC DateCreated, QuickTime
 * creation dates) — not from modification or GPS clocks, which say something else.
 * Reference: CIPA DC-008 (Exif 3.0) 4.6.6 (DateTimeOriginal, OffsetTimeOriginal).
 */
import type { Finding, GeoLocation, Inspection } from '../types.js';
import { formatDate } from './format.js';
import { meaningOf } from './meaning.js';

/**
 * Lower is better: the moment of capture (`taken`) first, then other creation times that usually
 * equal it (`timestamp`). Modification times say something else.
 */
function captureRank(finding: Finding): number | undefined {
  const meaning = meaningOf(finding);
  if (meaning === 'taken') return 0;
  if (meaning === 'timestamp') return 2;
  return undefined;
}

/** EXIF keeps the offset of a time in a tag of its own (CIPA DC-008 4.6.6): these pairs, by the decoder's tag names. */
const offsetTagFor: Record<string, string> = { DateTimeOriginal: 'OffsetTimeOriginal', CreateDate: 'OffsetTimeDigitized', DateTime: 'OffsetTime' };

/** Thumbnails and images stored after the main one carry their own metadata: never borrow theirs. */
const nestedPart = /(^|\/)(thumbnail|trailer|image\d+)(\/|$)/i;

/** The container a finding sits in: `APP1/Exif/ExifIFD` and `APP1/Exif/GPS` share `APP1/Exif`. */
function scopeOf(where: string): string {
  const cut = where.lastIndexOf('/');
  return cut < 0 ? where : where.slice(0, cut);
}

/** `2019:07:14 14:03:22` (+ `+02:00`) → `2019-07-14 14:03:22 +02:00`; undefined when it is not a date. */
export function formatCaptureTime(value: string, offset?: string): string | undefined {
  return formatDate(value, offset);
}

function render(inspection: Inspection, finding: Finding): string | undefined {
  const local = finding.tag.split(/[:.]/).pop() ?? finding.tag;
  const offsetTag = offsetTagFor[local];
  const offset = offsetTag ? inspection.findings.find((other) => other.tag === offsetTag && scopeOf(other.where) === scopeOf(finding.where))?.text : undefined;
  return formatCaptureTime(finding.text, offset);
}

function best(inspection: Inspection, candidates: readonly Finding[]): string | undefined {
  const ranked = candidates
    .map((finding) => ({ finding, rank: captureRank(finding) }))
    .filter((entry): entry is { finding: Finding; rank: number } => entry.rank !== undefined)
    .sort((a, b) => a.rank - b.rank);
  for (const { finding } of ranked) {
    const text = render(inspection, finding);
    if (text) return text;
  }
  return undefined;
}

/** When the file itself was taken (its main image or movie), if it says. */
export function takenTime(inspection: Inspection): string | undefined {
  return best(inspection, inspection.findings.filter((finding) => finding.category === 'time' && !nestedPart.test(finding.where)));
}

/**
 * When the picture that carries this location was taken: a time from the same metadata block
 * first; the file's own time for a location of the main image; nothing for a thumbnail's.
 */
export function takenTimeFor(inspection: Inspection, location: GeoLocation): string | undefined {
  const times = inspection.findings.filter((finding) => finding.category === 'time' || captureRank(finding) !== undefined);
  const sameBlock = best(inspection, times.filter((finding) => scopeOf(finding.where) === scopeOf(location.where) || finding.where === location.where));
  if (sameBlock) return sameBlock;
  return nestedPart.test(location.where) ? undefined : takenTime(inspection);
}
