/**
 * The meaning of a finding, as its decoder set it. Decoders that predate the vocabulary leave it
 * unset; their findings get the plainest meaning their category allows (never a name: an unknown
 * location field is a GPS detail, an unknown device field a setting), so no report reads labels or
 * tag names to guess.
 */
import type { Category, Finding, FindingMeaning, GeoLocation } from '../types.js';

const byCategory: Record<Category, FindingMeaning> = {
  location: 'gps-detail',
  device: 'device-setting',
  time: 'timestamp',
  owner: 'owner',
  thumbnail: 'thumbnail',
  embedded: 'embedded-data',
  other: 'other',
};

export function isGeoLocation(value: Finding['value']): value is GeoLocation {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as GeoLocation).latitude === 'number' && typeof (value as GeoLocation).longitude === 'number';
}

export function meaningOf(finding: Finding): FindingMeaning {
  if (finding.meaning) return finding.meaning;
  if (isGeoLocation(finding.value)) return 'gps-position';
  return byCategory[finding.category];
}

export function hasMeaning(finding: Finding, ...meanings: FindingMeaning[]): boolean {
  return meanings.includes(meaningOf(finding));
}

/** The finding with its meaning filled in (for the JSON report: every finding says what it means). */
export function withMeaning(finding: Finding): Finding {
  return finding.meaning ? finding : { ...finding, meaning: meaningOf(finding) };
}
