/**
 * The summary of a scan, computed once: the text summary, the JSON summary line and the HTML
 * report show the same numbers because they all come from here.
 */
import { basename, dirname, extname, join } from 'node:path';
import type { Inspection } from '../types.js';
import { deviceOf } from './device.js';
import { hasMeaning } from './meaning.js';
import { describePlace, roundPlace } from './places.js';
import { assessRisk, type RiskAssessment, type RiskLevel } from './risk.js';

/** A file reveals a location when it has a position or any location finding (place names, GPS details, tracks). */
export function revealsLocation(inspection: Inspection): boolean {
  return inspection.locations.length > 0 || inspection.findings.some((finding) => !finding.retained && finding.category === 'location');
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
  /** Files that could not be read at all, with why: not in `files` (files inspected), counted at risk `unknown`. */
  unreadable: number;
  unreadableFiles: ScanError[];
  /** Files read only in part, or of a format traceless does not know: reported, but not checked in full. */
  notReadInFull: string[];
  livePhotoPairs: [string, string][];
  seconds: number;
}


/** A file scan could not read at all, and why. */
export interface ScanError {
  file: string;
  reason: string;
}

/**
 * What the summary needs of one scanned file, computed where the file was read (a worker thread in
 * a folder run), so the thread that prints the reports holds a few strings per file instead of
 * whole inspections. `summariseScans` builds the same digests itself: one code path for the numbers.
 */
export interface ScanDigest {
  file: string;
  level: RiskLevel;
  /** The file was not read in full (its risk says so). */
  incomplete: boolean;
  revealsLocation: boolean;
  /** Its distinct places, rounded (about 1 km), each named from the first exact position there. */
  places: (Omit<SummaryPlace, 'files'> & { key: string })[];
  device?: string;
  /** Identifiers long enough to pair a Live Photo's still with its video. */
  identifiers: string[];
}

/** The digest of one inspection, with its risk (assessed by the caller, once per file). */
export function digestScan(inspection: Inspection, risk: RiskAssessment = assessRisk(inspection)): ScanDigest {
  const places: ScanDigest['places'] = [];
  const seen = new Set<string>();
  for (const location of inspection.locations) {
    const { latitude, longitude, key } = roundPlace(location.latitude, location.longitude);
    if (seen.has(key)) continue;
    seen.add(key);
    const name = describePlace(location.latitude, location.longitude);
    places.push({ key, latitude, longitude, placeName: name.text, ...(name.countryCode ? { countryCode: name.countryCode } : {}) });
  }
  const device = deviceOf(inspection);
  return {
    file: inspection.file,
    level: risk.level,
    incomplete: risk.incomplete === true,
    revealsLocation: revealsLocation(inspection),
    places,
    ...(device ? { device } : {}),
    identifiers: liveIdentifiers(inspection),
  };
}

/** Identifiers long enough to pair a Live Photo (Apple's content identifier and the like). */
function liveIdentifiers(inspection: Inspection): string[] {
  return [...new Set(inspection.findings.filter((finding) => hasMeaning(finding, 'identifier') && finding.text.trim().length >= 8).map((finding) => finding.text.trim()))];
}

/**
 * The one summary of a scan: the text summary, the JSON summary line and the HTML report all
 * show these numbers. `errors` are the files that could not be read at all (a bare count is
 * accepted for older callers); they count as files, at risk `unknown`. `riskOf`: the risk of each
 * inspection, when the caller has already assessed it.
 */
export function summariseScans(inspections: readonly Inspection[], errors: number | readonly ScanError[], seconds: number, riskOf: (inspection: Inspection) => RiskAssessment = assessRisk): ScanSummary {
  return summariseDigests(
    inspections.map((inspection) => digestScan(inspection, riskOf(inspection))),
    errors,
    seconds,
  );
}

/** The summary from each file's digest (in the order the files were scanned) and the files that could not be read. */
export function summariseDigests(digests: readonly ScanDigest[], errors: number | readonly ScanError[], seconds: number): ScanSummary {
  const places = new Map<string, SummaryPlace>();
  const devices = new Map<string, number>();
  const unreadableFiles: ScanError[] = typeof errors === 'number' ? [] : errors.map((error) => ({ file: error.file, reason: error.reason }));
  const unreadable = typeof errors === 'number' ? errors : errors.length;
  const filesByRisk: Record<RiskLevel, string[]> = { high: [], medium: [], unknown: [], low: [], none: [] };
  const notReadInFull: string[] = [];
  let revealingLocation = 0;
  for (const digest of digests) {
    if (digest.revealsLocation) revealingLocation += 1;
    filesByRisk[digest.level].push(digest.file);
    if (digest.incomplete) notReadInFull.push(digest.file);
    for (const { key, latitude, longitude, placeName, countryCode } of digest.places) {
      let place = places.get(key);
      if (!place) {
        place = { latitude, longitude, placeName, files: 0 };
        if (countryCode) place.countryCode = countryCode;
        places.set(key, place);
      }
      place.files += 1;
    }
    if (digest.device) devices.set(digest.device, (devices.get(digest.device) ?? 0) + 1);
  }
  filesByRisk.unknown.push(...unreadableFiles.map((error) => error.file));
  return {
    files: digests.length,
    revealingLocation,
    risk: { high: filesByRisk.high.length, medium: filesByRisk.medium.length, unknown: filesByRisk.unknown.length + (unreadable - unreadableFiles.length), low: filesByRisk.low.length, none: filesByRisk.none.length },
    filesByRisk,
    places: [...places.values()].sort((a, b) => b.files - a.files),
    devices: [...devices.entries()].map(([device, files]) => ({ device, files })).sort((a, b) => b.files - a.files),
    unreadable,
    unreadableFiles,
    notReadInFull,
    livePhotoPairs: pairLivePhotos(digests),
    seconds: Math.round(seconds * 1000) / 1000,
  };
}

/**
 * Live Photos: a still (HEIC/JPEG) and a MOV that share Apple's content identifier, or failing
 * that, the same name in the same folder.
 */
export function livePhotoPairs(inspections: readonly Inspection[]): [string, string][] {
  return pairLivePhotos(inspections.map((inspection) => ({ file: inspection.file, identifiers: liveIdentifiers(inspection) })));
}

function pairLivePhotos(digests: readonly Pick<ScanDigest, 'file' | 'identifiers'>[]): [string, string][] {
  // A pair takes two files (and a one-photo scan need not load the path and pattern code below).
  if (digests.length < 2) return [];
  const byIdentifier = new Map<string, string[]>();
  for (const { file, identifiers } of digests) {
    for (const identifier of identifiers) byIdentifier.set(identifier, [...(byIdentifier.get(identifier) ?? []), file]);
  }
  const pairs: [string, string][] = [];
  const paired = new Set<string>();
  for (const files of byIdentifier.values()) {
    const still = files.find((file) => !/\.mov$/i.test(file));
    const video = files.find((file) => /\.mov$/i.test(file));
    if (still && video && !paired.has(still) && !paired.has(video)) {
      pairs.push([still, video]);
      paired.add(still).add(video);
    }
  }
  const byStem = new Map<string, string[]>();
  for (const { file } of digests) {
    if (paired.has(file)) continue;
    const stem = join(dirname(file), basename(file, extname(file))).toLowerCase();
    byStem.set(stem, [...(byStem.get(stem) ?? []), file]);
  }
  for (const files of byStem.values()) {
    const still = files.find((file) => /\.(heic|heif|jpe?g)$/i.test(file));
    const video = files.find((file) => /\.mov$/i.test(file));
    if (still && video) pairs.push([still, video]);
  }
  return pairs;
}

