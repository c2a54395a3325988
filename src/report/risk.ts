/**
 * Risk at a glance: one level per file, with the reasons, so people see first what matters.
 *
 * - `high`: a precise location (it can show where someone lives), or a serial number (it ties
 *   every photo to one device, and so to one person, across accounts and years);
 * - `medium`: device make and model, dates and times, owner names, place names without
 *   coordinates, an approximate location, thumbnails and embedded data (they can show what was
 *   cropped or edited away), parts that could not be read (they may hold anything);
 * - `low`: software and firmware, colour profiles and other data kept on purpose, free text;
 * - `none`: nothing revealing found.
 *
 * A pure function of an Inspection: the same file always gets the same level.
 */
import type { Finding, Inspection } from '../types.js';
import { deviceOf } from './device.js';
import { describeLocation } from './places.js';
import { takenTime } from './when.js';

export type RiskLevel = 'high' | 'medium' | 'low' | 'none';

/** Most serious first. */
export const riskLevels: readonly RiskLevel[] = ['high', 'medium', 'low', 'none'];

export type RiskCode =
  | 'precise-location' | 'serial-number'
  | 'approximate-location' | 'place-names' | 'location-data' | 'device-model' | 'device-details' | 'timestamps' | 'owner-name'
  | 'thumbnail' | 'embedded-data' | 'unreadable'
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
}

/** Coarser than this (metres) is "approximate": a town, not a house. */
export const preciseWithinMeters = 1000;

const serialPattern = /serial/i;
const softwarePattern = /software|firmware|creatortool|editing|printim|producer|generator|encoder|compressor|writing ?app/i;
const modelPattern = /(^|[:.])(make|model|lensmake|lensmodel|lensinfo|uniquecameramodel|localizedcameramodel|cameramodel(name)?|dronemodel|productname|devicename)$/i;
const colourProfilePattern = /icc|colou?r profile/i;
/** Kept on purpose and about the picture itself, not the person: not worth a reason. */
const harmlessKept = /orientation|rotation|mirror|preview|plain ?text|thumbnail/i;

const examplesShown = 3;

function examples(values: readonly string[]): string {
  const distinct = [...new Set(values.map((value) => value.trim()).filter(Boolean))];
  const shown = distinct.slice(0, examplesShown).join(', ');
  return distinct.length > examplesShown ? `${shown} and ${distinct.length - examplesShown} more` : shown;
}

/** The value when it is words; the label when it is a size or a long blob. */
function shown(finding: Finding): string {
  const isSize = typeof finding.value === 'number' || /^\d+(\.\d+)? (bytes|KB|MB|GB)$/.test(finding.text);
  return isSize || finding.text.length > 80 ? finding.label : finding.text;
}

function localTag(finding: Finding): string {
  return finding.tag.split(/[:.]/).pop() ?? finding.tag;
}

function locationReasons(inspection: Inspection): RiskReason[] {
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
  const locationFindings = inspection.findings.filter((finding) => finding.category === 'location' && !finding.retained);
  const isPosition = (finding: Finding) => typeof finding.value === 'object' && finding.value !== null && !Array.isArray(finding.value);
  const named = locationFindings.filter((finding) => !/^GPS/i.test(localTag(finding)) && !isPosition(finding));
  if (named.length) reasons.push({ level: 'medium', code: 'place-names', text: `place names: ${examples(named.map(shown))}` });
  if (!precise.length && !approximate.length && !named.length && (invalid || (!placeholder && locationFindings.some((finding) => !isPosition(finding))))) {
    reasons.push({ level: 'medium', code: 'location-data', text: `location data without a usable position: ${examples(locationFindings.map((finding) => finding.label))}` });
  }
  if (placeholder) reasons.push({ level: 'low', code: 'placeholder-location', text: 'GPS position 0,0: probably a placeholder written without a fix, not a real place' });
  return reasons;
}

function deviceReasons(inspection: Inspection, findings: readonly Finding[]): RiskReason[] {
  const reasons: RiskReason[] = [];
  const device = findings.filter((finding) => finding.category === 'device');
  const serials = findings.filter((finding) => serialPattern.test(finding.tag) || serialPattern.test(finding.label));
  if (serials.length) reasons.push({ level: 'high', code: 'serial-number', text: `serial number ties your photos to one device: ${examples(serials.map(shown))}` });
  const models = device.filter((finding) => !serialPattern.test(finding.tag) && !serialPattern.test(finding.label) && modelPattern.test(finding.tag));
  if (models.length) {
    const lenses = models.filter((finding) => /lens/i.test(finding.tag)).map((finding) => finding.text);
    reasons.push({ level: 'medium', code: 'device-model', text: `device: ${examples([deviceOf(inspection) ?? models[0]!.text, ...lenses])}` });
  }
  const rest = device.filter((finding) => !serials.includes(finding) && !models.includes(finding));
  const software = rest.filter((finding) => softwarePattern.test(finding.tag) || softwarePattern.test(finding.label));
  const details = rest.filter((finding) => !software.includes(finding));
  if (details.length) reasons.push({ level: 'medium', code: 'device-details', text: `device details: ${examples(details.map((finding) => finding.label))}` });
  if (software.length) reasons.push({ level: 'low', code: 'software', text: `software: ${examples(software.map(shown))}` });
  return reasons;
}

export function assessRisk(inspection: Inspection): RiskAssessment {
  const findings = inspection.findings.filter((finding) => !finding.retained);
  const reasons: RiskReason[] = [...locationReasons(inspection), ...deviceReasons(inspection, findings)];
  const times = findings.filter((finding) => finding.category === 'time');
  if (times.length) {
    const taken = takenTime(inspection);
    const text = taken ? `taken ${taken}${times.length > 1 ? ` (and ${times.length - 1} more date(s) and time(s))` : ''}` : examples(times.map((finding) => `${finding.label} ${finding.text}`));
    reasons.push({ level: 'medium', code: 'timestamps', text: `dates and times: ${text}` });
  }
  const owners = findings.filter((finding) => finding.category === 'owner');
  if (owners.length) reasons.push({ level: 'medium', code: 'owner-name', text: `owner name: ${examples(owners.map(shown))}` });
  if (findings.some((finding) => finding.category === 'thumbnail')) {
    reasons.push({ level: 'medium', code: 'thumbnail', text: 'embedded thumbnail or preview: it can show what was cropped or edited away' });
  }
  const embedded = findings.filter((finding) => finding.category === 'embedded');
  if (embedded.length) reasons.push({ level: 'medium', code: 'embedded-data', text: `embedded data: ${examples(embedded.map((finding) => finding.label))}` });
  if (inspection.unreadable.length && inspection.format.id !== 'unknown') {
    reasons.push({ level: 'medium', code: 'unreadable', text: `parts traceless could not read (they may hold more): ${examples(inspection.unreadable)}` });
  }
  const other = findings.filter((finding) => finding.category === 'other' && !serialPattern.test(finding.tag) && !serialPattern.test(finding.label));
  if (other.length) reasons.push({ level: 'low', code: 'free-text', text: `other data: ${examples(other.map((finding) => finding.label))}` });
  const kept = inspection.findings.filter((finding) => finding.retained);
  if (kept.some((finding) => colourProfilePattern.test(finding.tag) || colourProfilePattern.test(finding.label))) {
    reasons.push({ level: 'low', code: 'colour-profile', text: 'colour profile (kept by clean: it changes how colours display; it can hint at the device)' });
  }
  const keptData = kept.filter((finding) => !colourProfilePattern.test(finding.tag) && !colourProfilePattern.test(finding.label) && !harmlessKept.test(`${finding.tag} ${finding.label}`));
  if (keptData.length) reasons.push({ level: 'low', code: 'kept-data', text: `kept by clean on purpose: ${examples(keptData.map((finding) => finding.label))}` });
  reasons.sort((a, b) => riskLevels.indexOf(a.level) - riskLevels.indexOf(b.level));
  return { level: reasons[0]?.level ?? 'none', reasons };
}
