/**
 * Coordinates spelled out in text (subtitle and timed-text samples, dashcam overlays): decimal pairs
 * (`48.858, 2.294`), hemisphere letters before or after (`N48.8584 E2.2945`, `48.8584N, 2.2945E`,
 * `N:48.8584 E:2.2945`), degrees-minutes(-seconds) (`48°51'30.1"N 2°17'40.2"E`, `48°51.502'N`),
 * NMEA fields (`4851.5040,N,00217.6700,E`), labelled values (`lat 48.8584 lon 2.2945`) and ISO 6709
 * (`+48.8584+002.2945/`).
 *
 * A local stand-in with the signature of `src/decode/coordinates.ts` (being written elsewhere), so
 * that one can replace it. Every pattern is linear: bounded repetitions only.
 */

export interface TextCoordinates {
  latitude: number;
  longitude: number;
  /** The matched text. */
  text: string;
}

const number = String.raw`(\d{1,3}(?:[.,]\d+)?)`;
const sep = String.raw`[\s,;/|]{0,4}`;
/** Degrees, optional minutes, optional seconds; the unit marks are optional between whitespace. */
const dms = String.raw`(\d{1,3}(?:\.\d+)?)\s{0,2}[°º˚d]\s{0,2}(?:(\d{1,2}(?:\.\d+)?)\s{0,2}['′’m]\s{0,2}(?:(\d{1,2}(?:\.\d+)?)\s{0,2}(?:["″”s]|''|′′)?)?)?`;

function toNumber(text: string): number {
  return Number(text.replace(',', '.'));
}

function degrees(d: string, m?: string, s?: string): number {
  return toNumber(d) + (m ? toNumber(m) / 60 : 0) + (s ? toNumber(s) / 3600 : 0);
}

function signed(value: number, hemisphere: string): number {
  return /[SW]/i.test(hemisphere) ? -value : value;
}

interface Pattern {
  regex: RegExp;
  read: (match: RegExpExecArray) => [number, number] | undefined;
}

const patterns: Pattern[] = [
  // DJI-style GPS (longitude, latitude[, altitude])
  {
    regex: /GPS\s{0,2}[:=(]\s{0,2}([-+]?\d{1,3}\.\d+)\s{0,2},\s{0,2}([-+]?\d{1,3}\.\d+)/gi,
    read: (m) => [Number(m[2]), Number(m[1])],
  },
  // Hemisphere after: 48°51'30.1"N 2°17'40.2"E, 48.8584N 2.2945E, 48.8584° N, 2.2945° E
  {
    regex: new RegExp(`${dms}\\s{0,2}([NS])${sep}${dms}\\s{0,2}([EW])`, 'gi'),
    read: (m) => [signed(degrees(m[1]!, m[2], m[3]), m[4]!), signed(degrees(m[5]!, m[6], m[7]), m[8]!)],
  },
  {
    regex: new RegExp(`(\\d{1,2}(?:\\.\\d+)?)\\s{0,2}°?\\s{0,2}([NS])${sep}(\\d{1,3}(?:\\.\\d+)?)\\s{0,2}°?\\s{0,2}([EW])`, 'gi'),
    read: (m) => [signed(toNumber(m[1]!), m[2]!), signed(toNumber(m[3]!), m[4]!)],
  },
  // Hemisphere before: N48.8584 E2.2945, N:48.8584 E:2.2945, N 48°51'30" E 2°17'40"
  {
    regex: new RegExp(`\\b([NS])\\s{0,2}[:=]?\\s{0,2}${dms}${sep}([EW])\\s{0,2}[:=]?\\s{0,2}${dms}`, 'gi'),
    read: (m) => [signed(degrees(m[2]!, m[3], m[4]), m[1]!), signed(degrees(m[6]!, m[7], m[8]), m[5]!)],
  },
  {
    regex: new RegExp(`\\b([NS])\\s{0,2}[:=]?\\s{0,2}(\\d{1,2}(?:\\.\\d+)?)${sep}([EW])\\s{0,2}[:=]?\\s{0,2}(\\d{1,3}(?:\\.\\d+)?)`, 'gi'),
    read: (m) => [signed(toNumber(m[2]!), m[1]!), signed(toNumber(m[4]!), m[3]!)],
  },
  // NMEA: ddmm.mmmm,N,dddmm.mmmm,E
  {
    regex: /(\d{2})(\d{2}\.\d+)\s{0,2},\s{0,2}([NS])\s{0,2},\s{0,2}(\d{3})(\d{2}\.\d+)\s{0,2},\s{0,2}([EW])/gi,
    read: (m) => [signed(Number(m[1]) + Number(m[2]) / 60, m[3]!), signed(Number(m[4]) + Number(m[5]) / 60, m[6]!)],
  },
  // Labelled: lat 48.8584 lon 2.2945, Latitude: 48.8584, Longitude: 2.2945
  {
    regex: /lat(?:itude)?\s{0,2}[:=]?\s{0,2}([-+]?\d{1,2}\.\d+)[^\d\-+]{0,40}?lo?ng?(?:itude)?\s{0,2}[:=]?\s{0,2}([-+]?\d{1,3}\.\d+)/gi,
    read: (m) => [Number(m[1]), Number(m[2])],
  },
  // ISO 6709: +48.8584+002.2945/
  {
    regex: /([+-]\d{2}(?:\.\d+)?)([+-]\d{3}(?:\.\d+)?)\/?/g,
    read: (m) => [Number(m[1]), Number(m[2])],
  },
  // Plain decimal pair: 48.858, 2.294 (two decimals at least on each, to leave ordinary numbers alone)
  {
    regex: /(?<![\d.])([-+]?\d{1,2}\.\d{2,})\s{0,2}[,;/ ]\s{0,2}([-+]?\d{1,3}\.\d{2,})(?![\d.])/g,
    read: (m) => [Number(m[1]), Number(m[2])],
  },
];

function plausible(latitude: number, longitude: number): boolean {
  return Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 && !(latitude === 0 && longitude === 0);
}

/** Every coordinate pair spelled out in `text`, in the order of the patterns above. */
export function findCoordinatesInText(text: string): { latitude: number; longitude: number; text: string }[] {
  const found: TextCoordinates[] = [];
  const seen = new Set<string>();
  for (const { regex, read } of patterns) {
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match; match = regex.exec(text)) {
      const pair = read(match);
      if (pair && plausible(pair[0], pair[1]) && !seen.has(match[0])) {
        seen.add(match[0]);
        found.push({ latitude: pair[0], longitude: pair[1], text: match[0] });
      }
      if (match[0].length === 0) regex.lastIndex++;
    }
  }
  return found;
}
