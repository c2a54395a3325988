/**
 * ISO 6709:2008 Annex H point strings, as QuickTime writes them in `©xyz` and the
 * `com.apple.quicktime.location.ISO6709` key: `+37.7749-122.4194+012.000/`.
 * Latitude is ±DD, ±DDMM or ±DDMMSS (each with optional decimals), longitude ±DDD, ±DDDMM or
 * ±DDDMMSS, then an optional altitude in metres and an optional `CRS…` before the final `/`.
 */
import type { GeoLocation } from '../../types.js';

const pointPattern = /^\s*([+-])(\d{2}(?:\d{2}){0,2})(\.\d+)?([+-])(\d{3}(?:\d{2}){0,2})(\.\d+)?(?:([+-]\d+(?:\.\d+)?))?(?:CRS[^/]*)?\/?/;

function sexagesimal(sign: string, whole: string, fraction: string | undefined, degreeDigits: number): number {
  const degrees = Number(whole.slice(0, degreeDigits));
  const rest = whole.slice(degreeDigits);
  const decimals = Number(`0${fraction ?? ''}`);
  let value: number;
  if (rest.length === 0) value = degrees + decimals;
  else if (rest.length === 2) value = degrees + (Number(rest) + decimals) / 60;
  else value = degrees + Number(rest.slice(0, 2)) / 60 + (Number(rest.slice(2)) + decimals) / 3600;
  return sign === '-' ? -value : value;
}

/** Decodes a point, or undefined when the text is not one (or names an impossible place). */
export function parseIso6709(text: string, where: string): GeoLocation | undefined {
  const match = pointPattern.exec(text);
  if (!match) return undefined;
  const latitude = sexagesimal(match[1]!, match[2]!, match[3], 2);
  const longitude = sexagesimal(match[4]!, match[5]!, match[6], 3);
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return undefined;
  const location: GeoLocation = { latitude, longitude, where };
  if (match[7] !== undefined) {
    const altitude = Number(match[7]);
    if (Number.isFinite(altitude)) location.altitude = altitude;
  }
  return location;
}
