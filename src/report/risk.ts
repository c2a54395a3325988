/**
 * Risk at a glance: one level per file, with the reasons, so people see first what matters.
 *
 * - `high`: a precise location (it can show where someone lives), or a serial number (it ties
 *   every photo to one device, and so to one person, across accounts and years);
 * - `medium`: device make and model, dates and times, owner names, place names without
 *   coordinates, an approximate location, thumbnails and embedded data (they can show what was
 *   cropped or edited away), parts that could not be read (they may hold anything);
 * - `unknown`: not checked, or not read in full (a format traceless does not know, a damaged or
 *   truncated file) and nothing above `low` found in what could be read: it cannot be called safe;
 * - `low`: software and firmware, colour profiles and other data kept on purpose, free text;
 * - `none`: nothing revealing found, and the whole file was read.
 *
 * Every decision keys on `Finding.meaning` (set by the decoders), never on labels or tag names.
 *
 * A pure function of an Inspection: the same file always gets the same level.
 */
import type { Finding, Inspection } from '../types.js';
import { hasMeaning, isGeoLocation, meaningOf } from './meaning.js';
import { deviceOf } from './device.js';
import { describeLocation } from './places.js';
import { takenTime } from './when.js';

export type RiskLevel = 'high' | 'medium' | 'unknown' | 'low' | 'none';

/** Most serious first. `unknown` sits above `low`: what could not be read may hold anything. */
export const riskLevels: readonly RiskLevel[] = ['high', 'medium', 'unknown', 'low', 'none'];

export type RiskCode =
  | 'precise-location' | 'serial-number'
  | 'approximate-location' | 'place-names' | 'location-data' | 'device-model' | 'device-details' | 'timestamps' | 'owner-name'
  | 'thumbnail' | 'embedded-data' | 'unreadable' | 'not-checked'
  | 'placeholder-location' | 'software' | 'colour-profile' | 'kept-data' | 'free-text';

export interface RiskReason {
  level: Exclude<RiskLevel, 'none'>;
  /** Stable identifier for scripts. */
  code: RiskCode;
  /** Plain words; may quote text from the file (renderers sanitise). */
  text: string;
}

export interface RiskAssessment {
  level: RiskLevel;
  /** Most serious first. */
  reasons: RiskReason[];
  /**
   * True when the file was not read in full (unknown format, damaged or truncated parts): even a
   * `high` verdict may be missing more. Absent when the whole file was read.
   */
  incomplete?: boolean;
}

/** Coarser than this (metres) is "approximate": a town, not a house. */
export const preciseWithinMeters = 1000;

const examplesShown = 3;

function examples(values: readonly string[]): string {
  const distinct = [...new Set(values.map((value) => value.trim()).filter(Boolean))];
  const shown = distinct.slice(0, examplesShown).join(', ');
  return distinct.length > examplesShown ? `${shown} and ${distinct.length - examplesShown} more` : shown;
}

/** The value when it is words; the label when it is a number, a size or a long blob. */
function shown(finding: Finding): string {
  const isSize = typeof finding.value === 'number' || /^\d+(\.\d+)? (bytes|KB|MB|GB)$/.test(finding.text);
  return isSize || finding.text.length > 80 ? finding.label : finding.text;
}

/** True when the file is of a format traceless does not know. */
export function notChecked(inspection: Inspection): boolean {
  return inspection.format.id === 'unknown';
}

function locationReasons(inspection: Inspection, findings: readonly Finding[]): RiskReason[] {
  const reasons: RiskReason[] = [];
  const precise: string[] = [];
  const approximate: string[] = [];
  let placeholder = false;
  let invalid = false;
  const points = new Set<string>();
  for (const location of inspection.locations) {
    const place = describeLocation(location);
    if (place.kind === 'placeholder') placeholder = true;
    else if (place.kind === 'invalid') invalid = true;
    else if (location.accuracyMeters !== undefined && location.accuracyMeters > preciseWithinMeters) approximate.push(place.text);
    else {
      precise.push(place.text);
      points.add(`${location.latitude.toFixed(4)},${location.longitude.toFixed(4)}`);
    }
  }
  if (precise.length) {
    const count = points.size > 1 ? ` (${points.size} places)` : '';
    reasons.push({ level: 'high', code: 'precise-location', text: `precise location${count}: ${examples(precise)} — it can show where you live or work` });
  }
  if (approximate.length) reasons.push({ level: 'medium', code: 'approximate-location', text: `approximate location: ${examples(approximate)}` });
  const named = findings.filter((finding) => hasMeaning(finding, 'place-name'));
  if (named.length) reasons.push({ level: 'medium', code: 'place-names', text: `place names: ${examples(named.map(shown))}` });
  const locationData = findings.filter((finding) => hasMeaning(finding, 'gps-detail', 'telemetry-track') || (finding.category === 'location' && !isGeoLocation(finding.value) && !hasMeaning(finding, 'place-name')));
  if (!precise.length && !approximate.length && !named.length && (invalid || (!placeholder && locationData.length))) {
    reasons.push({ level: 'medium', code: 'location-data', text: `location data without a usable position: ${examples(locationData.map((finding) => finding.label))}` });
  }
  if (placeholder) reasons.push({ level: 'low', code: 'placeholder-location', text: 'GPS position 0,0: probably a placeholder written without a fix, not a real place' });
  return reasons;
}

function deviceReasons(inspection: Inspection, findings: readonly Finding[]): RiskReason[] {
  const reasons: RiskReason[] = [];
  const serials = findings.filter((finding) => hasMeaning(finding, 'serial'));
  if (serials.length) reasons.push({ level: 'high', code: 'serial-number', text: `serial number ties your photos to one device: ${examples(serials.map(shown))}` });
  const models = findings.filter((finding) => hasMeaning(finding, 'make', 'model', 'lens'));
  if (models.length) {
    const lenses = models.filter((finding) => hasMeaning(finding, 'lens')).map((finding) => finding.text);
    const device = deviceOf(inspection);
    reasons.push({ level: 'medium', code: 'device-model', text: `device: ${examples(device ? [device, ...lenses] : models.map((finding) => finding.text))}` });
  }
  const details = findings.filter((finding) => finding.category === 'device' && hasMeaning(finding, 'device-setting'));
  if (details.length) reasons.push({ level: 'medium', code: 'device-details', text: `device details: ${examples(details.map((finding) => finding.label))}` });
  const software = findings.filter((finding) => hasMeaning(finding, 'software'));
  if (software.length) reasons.push({ level: 'low', code: 'software', text: `software: ${examples(software.map(shown))}` });
  return reasons;
}

export function assessRisk(inspection: Inspection): RiskAssessment {
  const findings = inspection.findings.filter((finding) => !finding.retained);
  const reasons: RiskReason[] = [...locationReasons(inspection, findings), ...deviceReasons(inspection, findings)];
  const times = findings.filter((finding) => hasMeaning(finding, 'taken', 'modified', 'timestamp'));
  if (times.length) {
    const taken = takenTime(inspection);
    const text = taken ? `taken ${taken}${times.length > 1 ? ` (and ${times.length - 1} more date(s) and time(s))` : ''}` : examples(times.map((finding) => `${finding.label} ${finding.text}`));
    reasons.push({ level: 'medium', code: 'timestamps', text: `dates and times: ${text}` });
  }
  const owners = findings.filter((finding) => hasMeaning(finding, 'owner', 'contact'));
  if (owners.length) reasons.push({ level: 'medium', code: 'owner-name', text: `owner name: ${examples(owners.map(shown))}` });
  if (findings.some((finding) => hasMeaning(finding, 'thumbnail', 'embedded-image'))) {
    reasons.push({ level: 'medium', code: 'thumbnail', text: 'embedded thumbnail or preview: it can show what was cropped or edited away' });
  }
  const embedded = findings.filter((finding) => finding.category === 'embedded' && hasMeaning(finding, 'embedded-data'));
  if (embedded.length) reasons.push({ level: 'medium', code: 'embedded-data', text: `embedded data: ${examples(embedded.map((finding) => finding.label))}` });
  const incomplete = notChecked(inspection) || inspection.unreadable.length > 0;
  if (notChecked(inspection)) {
    reasons.push({ level: 'unknown', code: 'not-checked', text: 'not checked: not a photo or video traceless knows' });
  } else if (inspection.unreadable.length) {
    reasons.push({ level: 'unknown', code: 'unreadable', text: `could not be read in full (what was not read may hold more): ${examples(inspection.unreadable)}` });
  }
  const other = findings.filter((finding) => hasMeaning(finding, 'other', 'description', 'identifier') && finding.category !== 'embedded');
  if (other.length) reasons.push({ level: 'low', code: 'free-text', text: `other data: ${examples(other.map((finding) => finding.label))}` });
  const kept = inspection.findings.filter((finding) => finding.retained);
  if (kept.some((finding) => hasMeaning(finding, 'colour-profile'))) {
    reasons.push({ level: 'low', code: 'colour-profile', text: 'colour profile (kept by clean: it changes how colours display; it can hint at the device)' });
  }
  // Kept on purpose and about the picture itself, not the person: not worth a reason.
  const keptData = kept.filter((finding) => !['colour-profile', 'orientation', 'thumbnail', 'embedded-image'].includes(meaningOf(finding)));
  if (keptData.length) reasons.push({ level: 'low', code: 'kept-data', text: `kept by clean on purpose: ${examples(keptData.map((finding) => finding.label))}` });
  reasons.sort((a, b) => riskLevels.indexOf(a.level) - riskLevels.indexOf(b.level));
  const assessment: RiskAssessment = { level: reasons[0]?.level ?? 'none', reasons };
  if (incomplete) assessment.incomplete = true;
  return assessment;
}
