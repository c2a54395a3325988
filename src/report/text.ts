/** Plain-words report of one inspection, location first. */
import { formatBytes } from '../decode/exif.js';
import { categoryOrder, type Category, type CleanResult, type Finding, type GeoLocation, type GeoTrack, type Inspection } from '../types.js';
import { describeLocation, formatCoordinates, locationExtras } from './places.js';
import { assessRisk, type RiskAssessment, type RiskLevel } from './risk.js';
import { sanitize } from './sanitize.js';
import { takenTimeFor } from './when.js';

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

/** What each file's report starts with. */
const levelHeadings: Record<RiskLevel, string> = { high: 'HIGH RISK', medium: 'MEDIUM RISK', low: 'LOW RISK', none: 'NO RISK FOUND' };

/**
 * `37.77493 N, 122.41942 W — United States of America (altitude 12 m), taken 2024-05-01 10:11 [APP1/Exif/GPS]`:
 * coordinates, the place in words, extras, when the picture carrying it was taken, where it sits.
 */
export function renderLocation(inspection: Inspection, location: GeoLocation): string {
  const extras = locationExtras(location);
  const taken = takenTimeFor(inspection, location);
  return `${formatCoordinates(location.latitude, location.longitude)} — ${describeLocation(location).text}${extras.length ? ` (${sanitize(extras.join(', '))})` : ''}${taken ? `, taken ${sanitize(taken)}` : ''} [${sanitize(location.where)}]`;
}

/** `1,234 GPS fixes, 2024-05-01T10:00:00Z to 2024-05-01T10:20:00Z, within 47.10–47.30 N, 8.40–8.60 E`. */
export function renderTrack(track: GeoTrack): string {
  const when = track.start && track.end && track.start !== track.end ? `, ${track.start} to ${track.end}` : track.start ? `, ${track.start}` : '';
  const { south, west, north, east } = track.extent;
  return sanitize(`${track.fixes.toLocaleString('en-US')} GPS fix${track.fixes === 1 ? '' : 'es'}${when}, within ${formatCoordinates(south, west)} to ${formatCoordinates(north, east)}`);
}

export function renderInspection(inspection: Inspection, risk: RiskAssessment = assessRisk(inspection)): string {
  const lines: string[] = [];
  const revealed = revealedCategories(inspection);
  const summary = revealed.length ? `reveals ${revealed.join(', ')}` : inspection.format.id === 'unknown' ? 'not a recognised photo or video' : 'nothing revealing found';
  lines.push(`${levelHeadings[risk.level]} ${sanitize(inspection.file)} (${inspection.format.name}, ${formatBytes(inspection.size)}): ${summary}`);
  for (const reason of risk.reasons) lines.push(`  - ${reason.level}: ${sanitize(reason.text, 300)}`);
  const seenPlaces = new Set<string>();
  for (const location of inspection.locations) {
    const key = `${location.latitude.toFixed(5)},${location.longitude.toFixed(5)}`;
    if (seenPlaces.has(key)) continue;
    seenPlaces.add(key);
    lines.push(`  Location: ${renderLocation(inspection, location)}`);
    if (location.track) lines.push(`    Track: ${renderTrack(location.track)}`);
  }
  const groups = new Map<Category, Finding[]>();
  for (const finding of inspection.findings) {
    if (finding.retained) continue;
    if (finding.tag === 'GPSPosition') continue; // printed above as a Location line
    const list = groups.get(finding.category) ?? [];
    list.push(finding);
    groups.set(finding.category, list);
  }
  for (const category of categoryOrder) {
    const findings = groups.get(category);
    if (!findings?.length) continue;
    lines.push(`  ${headings[category]}:`);
    for (const finding of findings) lines.push(`    ${sanitize(finding.label)}: ${sanitize(finding.text, 200)} (${sanitize(finding.where)})`);
  }
  const retained = inspection.findings.filter((finding) => finding.retained);
  if (retained.length) lines.push(`  Kept by clean on purpose: ${retained.map((finding) => `${sanitize(finding.label)} ${sanitize(finding.text, 80)}`).join('; ')}`);
  for (const part of inspection.unreadable) lines.push(`  Could not read: ${sanitize(part)}`);
  for (const warning of inspection.warnings.filter((item) => item.severity === 'warning')) lines.push(`  Warning: ${sanitize(warning.message)}`);
  return lines.join('\n');
}

export function renderCleanResult(result: CleanResult): string {
  const file = sanitize(result.file);
  switch (result.status) {
    case 'cleaned':
      return `${file}: cleaned -> ${sanitize(result.output ?? '')} (removed ${result.removed.map((removal) => sanitize(removal.where)).join(', ')}${result.kept.length ? `; kept ${result.kept.map((item) => sanitize(item)).join(', ')}` : ''})`;
    case 'already-clean':
      return `${file}: already clean -> ${sanitize(result.output ?? '')}`;
    case 'skipped':
      return `${file}: skipped, ${sanitize(result.output ?? '')} already exists and verifies clean`;
    default:
      return `${file}: ${result.status}: ${sanitize(result.error?.message ?? 'unknown error')}`;
  }
}
