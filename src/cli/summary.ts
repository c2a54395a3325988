/** End-of-run summaries for batch scans and cleans, as text and as one JSON line. */
import { basename, dirname, extname, join } from 'node:path';
import { formatBytes } from '../decode/exif.js';
import type { CleanResult, CleanStatus, Inspection } from '../types.js';
import { deviceOf } from '../report/device.js';
import { describePlace, roundPlace } from '../report/places.js';
import { assessRisk, riskLevels, type RiskLevel } from '../report/risk.js';
import { sanitize } from '../report/sanitize.js';
import { formatDuration } from './progress.js';

export interface Colours {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  bold(text: string): string;
}

export function colours(enabled: boolean): Colours {
  const wrap = (code: number, reset: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[${reset}m` : text);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), bold: wrap(1, 22) };
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colourEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

export interface CleanSummary {
  files: number;
  cleaned: number;
  alreadyClean: number;
  skipped: number;
  refused: number;
  failed: number;
  nonMediaSkipped: number;
  bytesRead: number;
  bytesWritten: number;
  seconds: number;
  dryRun: boolean;
  /** Dry runs: the bytes the outputs would have. */
  wouldWrite?: number;
}

export function summariseCleans(results: readonly CleanResult[], nonMediaSkipped: number, seconds: number, dryRun: boolean): CleanSummary {
  const count = (status: CleanStatus) => results.filter((result) => result.status === status).length;
  return {
    files: results.length,
    cleaned: count('cleaned'),
    alreadyClean: count('already-clean'),
    skipped: count('skipped'),
    refused: count('refused'),
    failed: count('failed'),
    nonMediaSkipped,
    bytesRead: results.reduce((total, result) => total + (result.bytesRead ?? 0), 0),
    bytesWritten: results.reduce((total, result) => total + result.bytesWritten, 0),
    ...(dryRun ? { wouldWrite: results.reduce((total, result) => total + (result.wouldWrite ?? 0), 0) } : {}),
    seconds: Math.round(seconds * 1000) / 1000,
    dryRun,
  };
}

export function renderCleanSummary(summary: CleanSummary, colour: Colours): string {
  if (summary.dryRun) {
    // A dry run wrote nothing: it speaks in the conditional.
    const would = [`would clean ${summary.cleaned} file(s)`, `${summary.alreadyClean} already clean`, `${summary.skipped} would be skipped (output already there)`, `${summary.refused} would be refused`, `${summary.failed} failed`];
    return `Dry run, nothing written: ${would.join(', ')}; would write ${formatBytes(summary.wouldWrite ?? 0)} (checked in ${formatDuration(summary.seconds)})${summary.nonMediaSkipped ? `; ${summary.nonMediaSkipped} non-media file(s) ignored` : ''}`;
  }
  const parts = [
    colour.green(`${summary.cleaned} cleaned`),
    `${summary.alreadyClean} already clean`,
    `${summary.skipped} skipped (output already clean)`,
    (summary.refused ? colour.yellow : (text: string) => text)(`${summary.refused} refused`),
    (summary.failed ? colour.red : (text: string) => text)(`${summary.failed} failed`),
  ];
  const tail = `${formatBytes(summary.bytesWritten)} written in ${formatDuration(summary.seconds)}${summary.nonMediaSkipped ? `; ${summary.nonMediaSkipped} non-media file(s) ignored` : ''}`;
  return `${summary.dryRun ? 'Dry run (nothing written): ' : ''}${parts.join(', ')}; ${tail}`;
}

/** A distinct place of a scan, rounded to two decimals of a degree (about 1 km). */
export interface SummaryPlace {
  latitude: number;
  longitude: number;
  /** Named from the first exact position seen there. */
  placeName: string;
  countryCode?: string;
  files: number;
}

export interface ScanSummary {
  files: number;
  revealingLocation: number;
  /** How many files are at each risk level. */
  risk: Record<RiskLevel, number>;
  /** The files at each risk level, in the order they were scanned. */
  filesByRisk: Record<RiskLevel, string[]>;
  /** Distinct places, rounded to two decimals of a degree (about 1 km), most files first. */
  places: SummaryPlace[];
  devices: { device: string; files: number }[];
  unreadable: number;
  livePhotoPairs: [string, string][];
  seconds: number;
}

export { deviceOf };

export function summariseScans(inspections: readonly Inspection[], unreadable: number, seconds: number): ScanSummary {
  const places = new Map<string, SummaryPlace>();
  const devices = new Map<string, number>();
  const filesByRisk: Record<RiskLevel, string[]> = { high: [], medium: [], low: [], none: [] };
  let revealingLocation = 0;
  for (const inspection of inspections) {
    if (inspection.locations.length || inspection.findings.some((finding) => finding.category === 'location')) revealingLocation += 1;
    filesByRisk[assessRisk(inspection).level].push(inspection.file);
    const seen = new Set<string>();
    for (const location of inspection.locations) {
      const { latitude, longitude, key } = roundPlace(location.latitude, location.longitude);
      if (seen.has(key)) continue;
      seen.add(key);
      let place = places.get(key);
      if (!place) {
        const name = describePlace(location.latitude, location.longitude);
        place = { latitude, longitude, placeName: name.text, files: 0 };
        if (name.countryCode) place.countryCode = name.countryCode;
        places.set(key, place);
      }
      place.files += 1;
    }
    const device = deviceOf(inspection);
    if (device) devices.set(device, (devices.get(device) ?? 0) + 1);
  }
  return {
    files: inspections.length,
    revealingLocation,
    risk: { high: filesByRisk.high.length, medium: filesByRisk.medium.length, low: filesByRisk.low.length, none: filesByRisk.none.length },
    filesByRisk,
    places: [...places.values()].sort((a, b) => b.files - a.files),
    devices: [...devices.entries()].map(([device, files]) => ({ device, files })).sort((a, b) => b.files - a.files),
    unreadable,
    livePhotoPairs: livePhotoPairs(inspections),
    seconds: Math.round(seconds * 1000) / 1000,
  };
}

const contentIdentifierTag = /content.?identifier/i;

/**
 * Live Photos: a still (HEIC/JPEG) and a MOV that share Apple's content identifier, or failing
 * that, the same name in the same folder.
 */
export function livePhotoPairs(inspections: readonly Inspection[]): [string, string][] {
  const byIdentifier = new Map<string, string[]>();
  for (const inspection of inspections) {
    const identifier = inspection.findings.find((finding) => contentIdentifierTag.test(finding.tag))?.text;
    if (!identifier) continue;
    byIdentifier.set(identifier, [...(byIdentifier.get(identifier) ?? []), inspection.file]);
  }
  const pairs: [string, string][] = [];
  const paired = new Set<string>();
  for (const files of byIdentifier.values()) {
    const still = files.find((file) => !/\.mov$/i.test(file));
    const video = files.find((file) => /\.mov$/i.test(file));
    if (still && video) {
      pairs.push([still, video]);
      paired.add(still).add(video);
    }
  }
  const byStem = new Map<string, string[]>();
  for (const inspection of inspections) {
    if (paired.has(inspection.file)) continue;
    const stem = join(dirname(inspection.file), basename(inspection.file, extname(inspection.file))).toLowerCase();
    byStem.set(stem, [...(byStem.get(stem) ?? []), inspection.file]);
  }
  for (const files of byStem.values()) {
    const still = files.find((file) => /\.(heic|heif|jpe?g)$/i.test(file));
    const video = files.find((file) => /\.mov$/i.test(file));
    if (still && video) pairs.push([still, video]);
  }
  return pairs;
}

/** How many names of each risk level, and how many places, the text summary lists before "and N more". */
const filesListedPerLevel = 5;
const placesListed = 10;

export function renderScanSummary(summary: ScanSummary, colour: Colours): string {
  const lines = [
    colour.bold(`${summary.files} file(s) scanned in ${formatDuration(summary.seconds)}: ${summary.revealingLocation} reveal a location${summary.unreadable ? `, ${summary.unreadable} could not be read` : ''}`),
  ];
  const paint: Record<RiskLevel, (text: string) => string> = { high: colour.red, medium: colour.yellow, low: (text) => text, none: colour.green };
  lines.push(`  Risk: ${riskLevels.map((level) => paint[level](`${summary.risk[level]} ${level}`)).join(', ')}`);
  for (const level of riskLevels) {
    const files = summary.filesByRisk[level];
    if (!files.length) continue;
    const shown = files.slice(0, filesListedPerLevel).map((file) => sanitize(file, 120)).join(', ');
    lines.push(`    ${paint[level](level)}: ${shown}${files.length > filesListedPerLevel ? ` and ${files.length - filesListedPerLevel} more` : ''}`);
  }
  if (summary.places.length) {
    lines.push(`  ${summary.places.length} distinct place(s) (rounded to ~1 km):`);
    for (const place of summary.places.slice(0, placesListed)) {
      lines.push(`    ${place.latitude.toFixed(2)},${place.longitude.toFixed(2)} ${sanitize(place.placeName, 120)} (${place.files} file(s))`);
    }
    if (summary.places.length > placesListed) lines.push(`    … and ${summary.places.length - placesListed} more`);
  }
  if (summary.devices.length) lines.push(`  Devices: ${summary.devices.map((entry) => `${sanitize(entry.device, 80)} (${entry.files})`).join('; ')}`);
  for (const [still, video] of summary.livePhotoPairs) lines.push(`  Live Photo: ${sanitize(still)} + ${sanitize(video)} — clean both halves`);
  return lines.join('\n');
}
