/**
 * Coordinates spelled out in text: subtitle and timed-text samples (tx3g, WebVTT, SRT), dashcam
 * and drone overlays. A track whose text holds one is telemetry and goes in both modes.
 * References: NMEA 0183 sentences RMC/GGA/GLL (field layout); DJI flight SRT formats (see
 * src/formats/sidecar/srt.ts); ISO 6709 Annex H (the `+DD.DD+DDD.DD` form); the notations the
 * keep-list issue lists (decimal pairs, N/S/E/W before or after, degrees-minutes-seconds).
 *
 * How: small regular expressions find single components (a number with a hemisphere letter, a
 * degree sign, or a `lat`/`lon` label), then neighbouring components are paired when their axes
 * fit and only separators lie between them. Forms that carry both numbers at once (NMEA, DJI
 * `GPS(lon,lat,alt)`, ISO 6709) are read whole. Every quantifier that can repeat is bounded or
 * stops at a class the next token cannot start with, so the scan is linear in the text.
 */

export interface TextCoordinates {
  latitude: number;
  longitude: number;
  /** The text the pair was read from. */
  text: string;
}

type Axis = 'lat' | 'lon' | 'any';
type Kind = 'bare' | 'hemisphere' | 'degrees' | 'label';

interface Component {
  start: number;
  end: number;
  value: number;
  axis: Axis;
  kind: Kind;
  /** For `degrees`: whether minutes were written (a lone `45°` is too often an angle). */
  hasMinutes?: boolean;
  /** For `bare`: whether the decimals are all zeros (`1.000` reads as a count, not a place). */
  zeroFraction?: boolean;
}

interface Span {
  start: number;
  end: number;
  latitude: number;
  longitude: number;
}

/** Spaces inside a coordinate, bounded so that no scan can backtrack far. */
const blank = '[ \\t]{0,4}';
/** A magnitude; signs are `[-+−]` (the Unicode minus U+2212 is what typesetting tools write). */
const number = '(\\d{1,3}(?:\\.\\d+)?)';

/** `N48.8584`, `S 33.8688`, `N:48.8584`: a hemisphere letter, then the number. */
const hemisphereBefore = new RegExp(`(?<![A-Za-z])([NSEW])${blank}[:=]?${blank}(\\d{1,3}\\.\\d{2,})(?![\\d.°º˚])`, 'g');
/** `48.8584N`, `2.2945 E`: the number, then the letter. */
const hemisphereAfter = new RegExp(`(?<![\\d.])(\\d{1,3}\\.\\d{2,})${blank}([NSEW])(?![A-Za-z])`, 'g');
/** A degrees value with optional minutes and seconds: `48°51'30.1"`, `48° 51.502'`, `48.8584°`. */
const degreesValue = `([-+−]?)${number}${blank}[°º˚](?:${blank}${number}${blank}['′’´](?:${blank}${number}${blank}(?:"|″|”|''|′′))?)?`;
/** `N 48° 51' 30.1"`: the letter first (then no letter after: the next one belongs to the longitude). */
const degreesLetterFirst = new RegExp(`(?<![A-Za-z])([NSEW])${blank}${degreesValue}`, 'g');
/** `48°51'30.1"N`, `-33°52′08″`, `48.8584°N`: a letter after, or a sign, or nothing. */
const degreesLetterAfter = new RegExp(`${degreesValue}(?:${blank}([NSEW])(?![A-Za-z]))?`, 'g');
/** `lat 48.8584`, `[latitude: 22.5432]`, `Lng=2.2945 E`, DJI's `longtitude`. */
const labelled = new RegExp(`(?<![A-Za-z])(lat(?:itude)?|lon(?:g(?:t?itude)?)?|lng)(?![A-Za-z])${blank}[:=]?${blank}([-+−]?)${number}(?:${blank}°)?(?:${blank}([NSEW])(?![A-Za-z]))?`, 'gi');
/**
 * `48.8584, 2.2945` and `-33.8688 151.2093`: at least three decimals, signed or not; never right
 * after a colon, where it is the seconds of a timestamp (`00:01:02.345`).
 */
const bare = /(?<![\d.:])([-+\u2212]?)(\d{1,3})\.(\d{3,})(?![\d.])/g;

/** Forms holding a whole pair. */
const isoPair = /(?<![\d.])([+-]\d{1,2}\.\d{2,})([+-]\d{1,3}\.\d{2,})(?![\d.])/g;
const djiPair = new RegExp(`GPS${blank}\\(${blank}([-+]?\\d{1,3}(?:\\.\\d+)?)${blank},${blank}([-+]?\\d{1,3}(?:\\.\\d+)?)`, 'gi');
/** NMEA: `$GPRMC`, `$GNGGA`, `$GPGLL` … one sentence, up to its end of line. */
const nmeaSentence = /\$(?:GP|GN|GL|GA|GB)(RMC|GGA|GLL),([^\r\n$]{0,120})/g;
/** Where latitude, its hemisphere, longitude, its hemisphere sit in each NMEA sentence's fields. */
const nmeaFields: Record<string, number> = { RMC: 2, GGA: 1, GLL: 0 };

const anyDigit = /[0-9]/;

/** Only separators may lie between the two halves of a pair. */
const separatorGap = /^[\s,;/|()[\]]{0,12}$/;
/** Between two labelled halves, a short run of words (`Lat: 48.1 (fix ok) Lon: 2.3`) is fine too. */
const labelGap = /^[^\d\r\n]{0,40}$/;
const maxGapLength = 40;

function signed(sign: string | undefined, hemisphere: string | undefined, value: number): number {
  const negative = sign === '-' || sign === '−' || hemisphere === 'S' || hemisphere === 'W' || hemisphere === 's' || hemisphere === 'w';
  return negative ? -value : value;
}

function axisOf(hemisphere: string | undefined): Axis {
  if (!hemisphere) return 'any';
  return /[NS]/i.test(hemisphere) ? 'lat' : 'lon';
}

function collectComponents(text: string): Component[] {
  const components: Component[] = [];
  for (const match of text.matchAll(hemisphereBefore)) {
    components.push({ start: match.index, end: match.index + match[0].length, value: signed(undefined, match[1], Number(match[2])), axis: axisOf(match[1]), kind: 'hemisphere' });
  }
  for (const match of text.matchAll(hemisphereAfter)) {
    components.push({ start: match.index, end: match.index + match[0].length, value: signed(undefined, match[2], Number(match[1])), axis: axisOf(match[2]), kind: 'hemisphere' });
  }
  const pushDegrees = (match: RegExpMatchArray, hemisphere: string | undefined, sign: string | undefined, whole: string, minutes: string | undefined, seconds: string | undefined) => {
    const minuteValue = minutes === undefined ? 0 : Number(minutes);
    const secondValue = seconds === undefined ? 0 : Number(seconds);
    if (minuteValue > 60 || secondValue > 60) return; // 60 itself: a writer rounding 59.996
    const value = Number(whole) + minuteValue / 60 + secondValue / 3600;
    components.push({ start: match.index!, end: match.index! + match[0].length, value: signed(sign, hemisphere, value), axis: axisOf(hemisphere), kind: 'degrees', hasMinutes: minutes !== undefined });
  };
  for (const match of text.matchAll(degreesLetterFirst)) pushDegrees(match, match[1], match[2], match[3]!, match[4], match[5]);
  for (const match of text.matchAll(degreesLetterAfter)) pushDegrees(match, match[5], match[1], match[2]!, match[3], match[4]);
  for (const match of text.matchAll(labelled)) {
    const [, label, sign, value, hemisphere] = match;
    const axis: Axis = /^lat/i.test(label!) ? 'lat' : 'lon';
    if (hemisphere && axisOf(hemisphere) !== axis) continue;
    components.push({ start: match.index, end: match.index + match[0].length, value: signed(sign, hemisphere, Number(value)), axis, kind: 'label' });
  }
  for (const match of text.matchAll(bare)) {
    components.push({ start: match.index, end: match.index + match[0].length, value: signed(match[1], undefined, Number(`${match[2]}.${match[3]}`)), axis: 'any', kind: 'bare', zeroFraction: /^0+$/.test(match[3]!) });
  }
  // One reading per stretch of text: the earliest component wins, the longest at equal starts.
  components.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Component[] = [];
  for (const component of components) {
    const last = kept[kept.length - 1];
    if (last && component.start < last.end) continue;
    kept.push(component);
  }
  return kept;
}

/** Whether two neighbouring components read as one coordinate pair; which one is the latitude. */
function pairOf(first: Component, second: Component, gap: string): [latitude: number, longitude: number] | undefined {
  if (gap.length > maxGapLength) return undefined;
  const gapFits = separatorGap.test(gap) || (first.kind === 'label' && second.kind === 'label' && labelGap.test(gap));
  if (!gapFits) return undefined;
  if (first.kind === 'bare' || second.kind === 'bare') {
    // Bare numbers pair only with bare numbers, or with a half that names its axis.
    if (first.kind === 'bare' && second.kind === 'bare' && first.zeroFraction && second.zeroFraction) return undefined;
    if (first.kind !== second.kind && first.axis === 'any' && second.axis === 'any') return undefined;
  }
  if (first.kind === 'degrees' && second.kind === 'degrees' && first.axis === 'any' && second.axis === 'any' && !(first.hasMinutes && second.hasMinutes)) return undefined;
  if (first.kind === 'degrees' && second.axis === 'any' && second.kind !== 'degrees') return undefined;
  if (first.axis === 'lon' && second.axis !== 'lon') return [second.value, first.value];
  if (second.axis === 'lat' && first.axis !== 'lat') return [second.value, first.value];
  if (first.axis === second.axis && first.axis !== 'any') return undefined;
  return [first.value, second.value];
}

function isPlace(latitude: number, longitude: number): boolean {
  return Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 && !(latitude === 0 && longitude === 0);
}

/** NMEA `ddmm.mmmm` / `dddmm.mmmm` to degrees. */
function nmeaDegrees(field: string | undefined, degreeDigits: number, hemisphere: string | undefined): number | undefined {
  if (!field || !/^\d+(?:\.\d+)?$/.test(field) || !hemisphere || !/^[NSEW]$/.test(hemisphere)) return undefined;
  const whole = field.split('.')[0]!;
  if (whole.length !== degreeDigits + 2) return undefined;
  const minutes = Number(field.slice(degreeDigits));
  if (minutes >= 60) return undefined;
  return signed(undefined, hemisphere, Number(field.slice(0, degreeDigits)) + minutes / 60);
}

function wholePairs(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(isoPair)) {
    spans.push({ start: match.index, end: match.index + match[0].length, latitude: Number(match[1]), longitude: Number(match[2]) });
  }
  for (const match of text.matchAll(djiPair)) {
    spans.push({ start: match.index, end: match.index + match[0].length, latitude: Number(match[2]), longitude: Number(match[1]) });
  }
  for (const match of text.matchAll(nmeaSentence)) {
    // A field ends at a comma; the last one read may run on into other text (`…,E more words`) or a
    // checksum (`…,E*6C`): only its first token counts.
    const fields = match[2]!.split(',').map((field) => field.trim().split(/[\s*]/)[0]!);
    const at = nmeaFields[match[1]!]!;
    const latitude = nmeaDegrees(fields[at], 2, fields[at + 1]);
    const longitude = nmeaDegrees(fields[at + 2], 3, fields[at + 3]);
    if (latitude !== undefined && longitude !== undefined) spans.push({ start: match.index, end: match.index + match[0].length, latitude, longitude });
  }
  return spans;
}

/** Components outside every whole-pair span (both lists sorted by start: one sweep). */
function unclaimed(components: Component[], spans: Span[]): Component[] {
  const out: Component[] = [];
  let spanIndex = 0;
  let reach = -1; // the furthest end of the spans starting before the current component
  for (const component of components) {
    while (spanIndex < spans.length && spans[spanIndex]!.start < component.end) reach = Math.max(reach, spans[spanIndex++]!.end);
    if (reach > component.start) continue;
    out.push(component);
  }
  return out;
}

/**
 * Every coordinate pair spelled out in `text`, in text order. Timestamps (`00:01:02,345`), frame
 * counters, version numbers and lone numbers are not pairs; see the module comment for the forms.
 */
export function findCoordinatesInText(text: string): TextCoordinates[] {
  // Every form has digits (\d is 0-9 here): most free text has none, and needs none of the scans below.
  if (!anyDigit.test(text)) return [];
  const spans = wholePairs(text).sort((a, b) => a.start - b.start);
  const components = unclaimed(collectComponents(text), spans);
  for (let index = 0; index + 1 < components.length; index++) {
    const first = components[index]!;
    const second = components[index + 1]!;
    const pair = pairOf(first, second, text.slice(first.end, second.start));
    if (!pair) continue;
    spans.push({ start: first.start, end: second.end, latitude: pair[0], longitude: pair[1] });
    index++;
  }
  return spans
    .filter((span) => isPlace(span.latitude, span.longitude))
    .sort((a, b) => a.start - b.start)
    .map((span) => ({ latitude: span.latitude, longitude: span.longitude, text: text.slice(span.start, span.end) }));
}
