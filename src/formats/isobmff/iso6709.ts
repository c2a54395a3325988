/**
 * ISO 6709:2008 Annex H point strings, as QuickTime writes them in `©xyz`, the
 * `com.apple.quicktime.location.ISO6709` key and 3GPP/Android `©xyz`: `+37.7749-122.4194+012.000/`.
 * References: ISO 6709:2008 Annex H ("text string representation"); ExifTool
 * Image::ExifTool::QuickTime::ConvertISO6709 (what the most-used reader accepts).
 *
 * Forms read (each with optional decimals on its last component):
 *   ±DD.DD±DDD.DD · ±DDMM.MM±DDDMM.MM · ±DDMMSS.SS±DDDMMSS.SS (the digit count says which),
 * then an optional altitude (±metres), an optional `CRS…` identifier and the closing `/`.
 * Android writes longitude without its leading zeros (`+51.5932-0.2431/`), which is not Annex H
 * but which ExifTool reads as decimal degrees (51°35' N, 0°14' W): read the same way, so every
 * place a reader would find is found here too. A few spaces between the parts (seen in
 * hand-edited and some Matroska/XMP values) are allowed.
 *
 * The one parser for every ISO 6709 user: `©xyz`, `com.apple.quicktime.location.ISO6709` (item
 * lists, `mebx` timed metadata, HEIF `moov`), timed text and the text decoders.
 */
import type { GeoLocation } from '../../types.js';

export interface Iso6709Point {
  latitude: number;
  longitude: number;
  /** Metres, when the string carries one. */
  altitude?: number;
}

/**
 * Annex H: the integer digit counts (2/4/6 latitude, 3/5/7 longitude) name the form. The longitude
 * may not run on into more digits, so `+0021740.2` is read whole, never as `+002`.
 */
const annexHPoint = /^\s*([+-])(\d{2}|\d{4}|\d{6})(\.\d*)?\s{0,4}([+-])(\d{3}|\d{5}|\d{7})(\.\d*)?(?![\d.])/;
/** Decimal degrees with fewer integer digits (Android's `+51.5932-0.2431/`), as ExifTool reads them. */
const loosePoint = /^\s*([+-]\d{1,2}(?:\.\d*)?)\s{0,4}([+-]\d{1,3}(?:\.\d*)?)(?![\d.])/;
/** After the point: altitude, coordinate reference system, end. */
const tail = /^\s{0,4}([+-]\d+(?:\.\d*)?)?\s{0,4}(?:CRS[A-Za-z0-9_:.-]*)?\s*\/?/;

const latitudeDegreeDigits = 2;
const longitudeDegreeDigits = 3;

/** Degrees from Annex H sexagesimal digits: DD[D], DD[D]MM or DD[D]MMSS, decimals on the last part. */
function sexagesimal(sign: string, whole: string, fraction: string | undefined, degreeDigits: number): number {
  const decimals = fraction && fraction.length > 1 ? Number(`0${fraction}`) : 0;
  const degrees = Number(whole.slice(0, degreeDigits));
  const rest = whole.slice(degreeDigits);
  let value: number;
  if (rest.length === 0) value = degrees + decimals;
  else if (rest.length === 2) value = degrees + (Number(rest) + decimals) / 60;
  else value = degrees + Number(rest.slice(0, 2)) / 60 + (Number(rest.slice(2)) + decimals) / 3600;
  return sign === '-' ? -value : value;
}

function readPoint(text: string): { point: Iso6709Point; rest: string } | undefined {
  const annex = annexHPoint.exec(text);
  if (annex) {
    return {
      point: { latitude: sexagesimal(annex[1]!, annex[2]!, annex[3], latitudeDegreeDigits), longitude: sexagesimal(annex[4]!, annex[5]!, annex[6], longitudeDegreeDigits) },
      rest: text.slice(annex[0].length),
    };
  }
  const loose = loosePoint.exec(text);
  if (!loose) return undefined;
  return { point: { latitude: Number(loose[1]), longitude: Number(loose[2]) }, rest: text.slice(loose[0].length) };
}

/** Decodes a point, or undefined when the text is not one (or names an impossible place). */
export function parseIso6709(text: string): Iso6709Point | undefined;
/** The same, as a GeoLocation found at `where` (the shape `src/formats/mp4/iso6709.ts` returns). */
export function parseIso6709(text: string, where: string): GeoLocation | undefined;
export function parseIso6709(text: string, where?: string): Iso6709Point | GeoLocation | undefined {
  const read = readPoint(text);
  if (!read) return undefined;
  const { latitude, longitude } = read.point;
  if (!(Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return undefined;
  const point: Iso6709Point | GeoLocation = where === undefined ? { latitude, longitude } : { latitude, longitude, where };
  const altitude = tail.exec(read.rest)?.[1];
  if (altitude !== undefined && Number.isFinite(Number(altitude))) point.altitude = Number(altitude);
  return point;
}
