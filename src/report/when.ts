/**
 * When a photo or video was taken, for people: `2019-07-14 14:03 +02:00`, from the capture time a
 * file records (EXIF DateTimeOriginal with OffsetTimeOriginal, XMP/IPTC DateCreated, QuickTime
 * creation dates) — not from modification or GPS clocks, which say something else.
 * Reference: CIPA DC-008 (Exif 3.0) 4.6.6 (DateTimeOriginal, OffsetTimeOriginal).
 */
import type { Finding, GeoLocation, Inspection } from '../types.js';

/** Lower is better: the moment of capture first, then creation times that usually equal it. */
function captureRank(tag: string): number | undefined {
  const local = tag.split(/[:.]/).pop() ?? tag;
  if (/^DateTimeOriginal$/i.test(local)) return 0;
  if (/^(DateCreated|CreationDate|©day)$/i.test(local)) return 1;
  if (/^(CreateDate|CreationTime|DateTimeDigitized|DateUTC|MediaCreateDate)$/i.test(local)) return 2;
  return undefined;
}

const offsetTagFor: Record<string, string> = { DateTimeOriginal: 'OffsetTimeOriginal', CreateDate: 'OffsetTimeDigitized' };

/** Thumbnails and images stored after the main one carry their own metadata: never borrow theirs. */
const nestedPart = /(^|\/)(thumbnail|trailer|image\d+)(\/|$)/i;

/** The container a finding sits in: `APP1/Exif/ExifIFD` and `APP1/Exif/GPS` share `APP1/Exif`. */
function scopeOf(where: string): string {
  const cut = where.lastIndexOf('/');
  return cut < 0 ? where : where.slice(0, cut);
}

const datePattern = /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const offsetPattern = /^([+-])(\d{2}):?(\d{2})$/;

function formatOffset(offset: string | undefined): string | undefined {
  if (!offset) return undefined;
  if (offset === 'Z') return 'UTC';
  const match = offsetPattern.exec(offset.trim());
  return match ? `${match[1]}${match[2]}:${match[3]}` : undefined;
}

/** `2019:07:14 14:03:22` (+ `+02:00`) → `2019-07-14 14:03 +02:00`; undefined when it is not a date. */
export function formatCaptureTime(value: string, offset?: string): string | undefined {
  const match = datePattern.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day, hours, minutes, , zone] = match;
  if (Number(year) === 0 || Number(month) === 0 || Number(day) === 0 || Number(month) > 12 || Number(day) > 31) return undefined;
  const date = `${year}-${month}-${day}`;
  if (hours === undefined) return date;
  const shownOffset = formatOffset(zone) ?? formatOffset(offset);
  return `${date} ${hours}:${minutes}${shownOffset ? ` ${shownOffset}` : ''}`;
}

function render(inspection: Inspection, finding: Finding): string | undefined {
  const local = finding.tag.split(/[:.]/).pop() ?? finding.tag;
  const offsetTag = offsetTagFor[local];
  const offset = offsetTag ? inspection.findings.find((other) => other.tag === offsetTag && scopeOf(other.where) === scopeOf(finding.where))?.text : undefined;
  return formatCaptureTime(finding.text, offset);
}

function best(inspection: Inspection, candidates: readonly Finding[]): string | undefined {
  const ranked = candidates
    .map((finding) => ({ finding, rank: captureRank(finding.tag) }))
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
  const times = inspection.findings.filter((finding) => finding.category === 'time');
  const sameBlock = best(inspection, times.filter((finding) => scopeOf(finding.where) === scopeOf(location.where) || finding.where === location.where));
  if (sameBlock) return sameBlock;
  return nestedPart.test(location.where) ? undefined : takenTime(inspection);
}
