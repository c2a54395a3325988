/**
 * The text report of one inspection. By default it says what matters in plain words — the risk
 * with one line of why, then where, which device, whose, when, embedded pictures and data — and
 * how many more details `--details` would show; `--details` lists every finding (repeats merged
 * with a count). Everything keys on `Finding.meaning`, never on labels or tag names.
 */
import { categoryOrder, type Category, type CleanResult, type Finding, type GeoLocation, type GeoTrack, type Inspection, type Removal } from '../types.js';
import { formatBytes, formatDate } from './format.js';
import { hasMeaning, isGeoLocation } from './meaning.js';
import { describeLocation, formatCoordinates, locationExtras } from './places.js';
import { assessRisk, notChecked, type RiskAssessment, type RiskCode, type RiskLevel } from './risk.js';
import { sanitize } from './sanitize.js';
import { takenTime, takenTimeFor } from './when.js';

export interface TextReportOptions {
  /** Every finding, as found (repeats merged with a count). */
  details?: boolean;
}

const headings: Record<Category, string> = {
  location: 'Location details',
  device: 'Device',
  time: 'Time',
  owner: 'Owner',
  thumbnail: 'Thumbnails',
  embedded: 'Embedded data',
  other: 'Other',
};

/** Categories a file reveals, ignoring what is kept on purpose. */
export function revealedCategories(inspection: Inspection): Category[] {
  const present = new Set(inspection.findings.filter((finding) => !finding.retained).map((finding) => finding.category));
  return categoryOrder.filter((category) => present.has(category));
}

const levelHeadings: Record<RiskLevel, string> = { high: 'HIGH RISK', medium: 'MEDIUM RISK', unknown: 'NOT READ IN FULL', low: 'LOW RISK', none: 'NO RISK FOUND' };

/** What each file's report starts with: `NOT CHECKED` for a file of a format traceless does not know. */
export function levelHeading(inspection: Inspection, risk: RiskAssessment): string {
  return risk.level === 'unknown' && notChecked(inspection) ? 'NOT CHECKED' : levelHeadings[risk.level];
}

/** Each reason in a few words, for the one line of why. */
const reasonWords: Record<RiskCode, string> = {
  'precise-location': 'a precise location',
  'serial-number': 'a serial number',
  'approximate-location': 'an approximate location',
  'place-names': 'place names',
  'location-data': 'location data',
  'device-model': 'the device',
  'device-details': 'device details',
  timestamps: 'dates and times',
  'owner-name': 'names of people',
  thumbnail: 'a thumbnail or preview',
  'embedded-data': 'embedded data',
  unreadable: 'parts that could not be read',
  'not-checked': 'nothing: not a photo or video traceless knows',
  'placeholder-location': 'a placeholder position (0,0)',
  software: 'the software',
  'colour-profile': 'a colour profile',
  'kept-data': 'data kept on purpose',
  'free-text': 'other data',
};

/** The one line of why: what the file reveals, most serious first. */
export function whyLine(inspection: Inspection, risk: RiskAssessment): string {
  if (notChecked(inspection)) return 'not a photo or video traceless knows, so nothing in it was checked';
  const serious = risk.reasons.filter((reason) => reason.level === 'high' || reason.level === 'medium').map((reason) => reasonWords[reason.code]);
  const minor = risk.reasons.filter((reason) => reason.level === 'low').map((reason) => reasonWords[reason.code]);
  const parts: string[] = [];
  if (serious.length) parts.push(`reveals ${listWords(serious)}`);
  else if (minor.length) parts.push(`only ${listWords(minor)}`);
  else parts.push(risk.incomplete ? 'nothing revealing found in the parts read' : 'nothing revealing found');
  if (risk.incomplete) parts.push(`could not be read in full (${inspection.unreadable.length} part${inspection.unreadable.length === 1 ? '' : 's'})`);
  return parts.join('; ');
}

function listWords(words: readonly string[]): string {
  const distinct = [...new Set(words)];
  return distinct.length <= 1 ? (distinct[0] ?? '') : `${distinct.slice(0, -1).join(', ')} and ${distinct[distinct.length - 1]}`;
}

/** The headline: level, file, format and size, and the one line of why. */
export function renderHeadline(inspection: Inspection, risk: RiskAssessment = assessRisk(inspection)): string {
  return `${levelHeading(inspection, risk)} ${sanitize(inspection.file)} (${sanitize(inspection.format.name)}, ${formatBytes(inspection.size)}): ${sanitize(whyLine(inspection, risk), 300)}`;
}

/**
 * `37.77493 N, 122.41942 W — United States of America (altitude 12 m), taken 2024-05-01 10:11:12 [APP1/Exif/GPS]`:
 * coordinates, the place in words, extras, when the picture carrying it was taken, where it sits.
 */
export function renderLocation(inspection: Inspection, location: GeoLocation): string {
  const extras = locationExtras(location);
  const taken = takenTimeFor(inspection, location);
  return `${formatCoordinates(location.latitude, location.longitude)} — ${describeLocation(location).text}${extras.length ? ` (${sanitize(extras.join(', '))})` : ''}${taken ? `, taken ${sanitize(taken)}` : ''} [${sanitize(location.where)}]`;
}

/** `GPS track: 412 fixes, 2019-08-21 10:11:12 Z → 2019-08-21 10:18:40 Z, extent 47.60–47.63 N, 122.34–122.30 W` */
export function renderTrack(track: GeoTrack): string {
  const time = (value: string | undefined) => (value ? (formatDate(value) ?? value) : undefined);
  const start = time(track.start);
  const end = time(track.end);
  const span = start && end ? `, ${start} → ${end}` : start ? `, from ${start}` : '';
  const { south, north, west, east } = track.extent;
  const lat = (value: number) => `${Math.abs(value).toFixed(4)} ${value < 0 ? 'S' : 'N'}`;
  const lon = (value: number) => `${Math.abs(value).toFixed(4)} ${value < 0 ? 'W' : 'E'}`;
  return `${track.fixes} fix${track.fixes === 1 ? '' : 'es'}${sanitize(span)}, extent ${lat(south)} to ${lat(north)}, ${lon(west)} to ${lon(east)}`;
}

/** A finding's value for people: dates in the one date format, everything else as decoded. */
export function findingText(finding: Finding): string {
  if (hasMeaning(finding, 'taken', 'modified', 'timestamp')) return formatDate(finding.text) ?? finding.text;
  return finding.text;
}

/** Distinct values with a count: `Core Media Audio ×16`. */
function merged(values: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].map(([value, count]) => (count > 1 ? `${value} ×${count}` : value));
}

const notAName = /^(?:[-+]?[\d.]+(?:\/[\d.]+)?[\s,;/]*)+$|^[0-9a-f]{16,}$/i;

export function renderInspection(inspection: Inspection, risk: RiskAssessment = assessRisk(inspection), options: TextReportOptions = {}): string {
  const lines = [`${renderHeadline(inspection, risk)}`];
  const shown = new Set<Finding>();
  const live = inspection.findings.filter((finding) => !finding.retained);
  const take = (predicate: (finding: Finding) => boolean) => {
    const found = live.filter(predicate);
    for (const finding of found) shown.add(finding);
    return found;
  };

  // Where: every distinct position, its place, accuracy, time and track.
  const seenPlaces = new Set<string>();
  for (const location of inspection.locations) {
    const key = `${location.latitude.toFixed(5)},${location.longitude.toFixed(5)}`;
    if (seenPlaces.has(key)) continue;
    seenPlaces.add(key);
    lines.push(`  Location: ${renderLocation(inspection, location)}`);
    if (location.track) lines.push(`  GPS track: ${renderTrack(location.track)}`);
  }
  take((finding) => isGeoLocation(finding.value));
  const places = take((finding) => hasMeaning(finding, 'place-name')).filter((finding) => !notAName.test(finding.text.trim()));
  if (places.length) lines.push(`  Place names: ${merged(places.map((finding) => `${sanitize(finding.text, 120)} (${sanitize(finding.label, 60)})`)).join('; ')}`);

  // Device: make and model (with the lens), then serial numbers.
  const makeModel = take((finding) => hasMeaning(finding, 'make', 'model')).filter((finding) => !notAName.test(finding.text.trim()));
  const lenses = take((finding) => hasMeaning(finding, 'lens')).filter((finding) => !notAName.test(finding.text.trim()));
  if (makeModel.length || lenses.length) {
    const make = makeModel.find((finding) => hasMeaning(finding, 'make'))?.text.trim();
    const model = makeModel.find((finding) => hasMeaning(finding, 'model'))?.text.trim();
    const device = make && model ? (model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`) : make || model;
    // The most telling lens name: a lens make alone (`Apple`) says less than the model beside it.
    const lens = [...new Set(lenses.map((finding) => finding.text.trim()))].sort((a, b) => b.length - a.length)[0];
    lines.push(`  Device: ${[device && sanitize(device, 120), lens && `lens ${sanitize(lens, 120)}`].filter(Boolean).join(', ')}`);
  }
  const serials = take((finding) => hasMeaning(finding, 'serial'));
  if (serials.length) lines.push(`  Serial numbers: ${merged(serials.map((finding) => `${sanitize(finding.text, 80)} (${sanitize(finding.label, 60)})`)).join('; ')}`);

  // Whose and when.
  const owners = take((finding) => hasMeaning(finding, 'owner', 'contact'));
  if (owners.length) lines.push(`  People: ${merged(owners.map((finding) => `${sanitize(finding.text, 120)} (${sanitize(finding.label, 60)})`)).join('; ')}`);
  const taken = takenTime(inspection);
  if (taken) {
    lines.push(`  Taken: ${sanitize(taken)}`);
    take((finding) => hasMeaning(finding, 'taken'));
  }

  // Embedded pictures and data.
  const embedded = take((finding) => hasMeaning(finding, 'thumbnail', 'embedded-image') || (finding.category === 'embedded' && hasMeaning(finding, 'embedded-data')));
  if (embedded.length) lines.push(`  Embedded: ${merged(embedded.map((finding) => `${sanitize(finding.label, 80)}${finding.text.length > 40 ? '' : ` (${sanitize(finding.text, 40)})`}`)).join('; ')}`);

  if (!notChecked(inspection)) for (const part of inspection.unreadable) lines.push(`  Could not read: ${sanitize(part)}`);
  for (const warning of inspection.warnings.filter((item) => item.severity === 'warning')) lines.push(`  Warning: ${sanitize(warning.message)}`);

  if (options.details) {
    lines.push(...detailLines(inspection));
  } else {
    const more = inspection.findings.filter((finding) => !shown.has(finding)).length;
    if (more > 0) lines.push(`  ${more} more detail${more === 1 ? '' : 's'} (--details)`);
  }
  return lines.join('\n');
}

/** Every finding by category, repeats (same label and value) merged with a count. */
function detailLines(inspection: Inspection): string[] {
  const lines: string[] = [];
  const groups = new Map<Category, Finding[]>();
  for (const finding of inspection.findings) {
    if (finding.retained || isGeoLocation(finding.value)) continue; // positions are the Location lines
    const list = groups.get(finding.category) ?? [];
    list.push(finding);
    groups.set(finding.category, list);
  }
  for (const category of categoryOrder) {
    const findings = groups.get(category);
    if (!findings?.length) continue;
    lines.push(`  ${headings[category]}:`);
    const merged = new Map<string, { finding: Finding; count: number }>();
    for (const finding of findings) {
      const key = `${finding.label}\u0000${findingText(finding)}`;
      const entry = merged.get(key);
      if (entry) entry.count += 1;
      else merged.set(key, { finding, count: 1 });
    }
    for (const { finding, count } of merged.values()) {
      lines.push(`    ${sanitize(finding.label)}: ${sanitize(findingText(finding), 200)}${count > 1 ? ` ×${count}` : ''} (${sanitize(finding.where)}${count > 1 ? ', …' : ''})`);
    }
  }
  const retained = inspection.findings.filter((finding) => finding.retained);
  if (retained.length) lines.push(`  Kept by clean on purpose: ${merged(retained.map((finding) => `${sanitize(finding.label)} ${sanitize(finding.text, 80)}`)).join('; ')}`);
  return lines;
}

/** Plain words for what a clean removed, by kind of block. */
const removedWords: Record<Removal['kind'], string> = {
  exif: 'EXIF', xmp: 'XMP', 'xmp-extended': 'extended XMP', iptc: 'IPTC', photoshop: 'Photoshop resources', icc: 'colour profile',
  comment: 'comment', text: 'text', thumbnail: 'thumbnail', trailer: 'data after the image', mpf: 'multi-picture index',
  flashpix: 'FlashPix data', vendor: 'vendor data', jfif: 'JFIF header', adobe: 'Adobe header', timestamp: 'timestamp',
  c2pa: 'content credentials (C2PA)', quicktime: 'QuickTime metadata', telemetry: 'telemetry', other: 'other metadata',
};

/** `EXIF, XMP ×23, thumbnail`: what a clean removed, each kind once with a count. */
export function describeRemovals(removed: readonly Removal[]): string {
  return merged(removed.map((removal) => removedWords[removal.kind] ?? removal.kind)).join(', ');
}

export function renderCleanResult(result: CleanResult): string {
  const file = sanitize(result.file);
  switch (result.status) {
    case 'cleaned':
      return `${file}: cleaned -> ${sanitize(result.output ?? '')} (removed ${sanitize(describeRemovals(result.removed))}${result.kept.length ? `; kept ${merged(result.kept.map((item) => sanitize(item))).join(', ')}` : ''})`;
    case 'already-clean':
      return `${file}: already clean -> ${sanitize(result.output ?? '')}`;
    case 'skipped':
      return `${file}: skipped, ${sanitize(result.output ?? '')} already exists and verifies clean`;
    default:
      return `${file}: ${result.status}: ${sanitize(result.error?.message ?? 'unknown error')}`;
  }
}

