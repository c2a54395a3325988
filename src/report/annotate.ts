/**
 * What the reports add to an Inspection: a place name for every location and a risk level for the
 * file. `inspect` stays pure (bytes in, findings out); the CLI and the HTML report call this.
 * The shape is documented in docs/inspection.schema.json.
 */
import type { Finding, GeoLocation, Inspection } from '../types.js';
import { withMeaning } from './meaning.js';
import { describeLocation, type PlaceName } from './places.js';
import { assessRisk, type RiskAssessment } from './risk.js';

export interface NamedLocation extends GeoLocation {
  /** `England, United Kingdom`, `open sea — no country (international waters)`, … */
  placeName: string;
  /** ISO 3166-1 alpha-2 of the country, when the place is in one. */
  countryCode?: string;
  /** The nearest town of at least 1,000 inhabitants within 25 km (GeoNames), in the same country. */
  town?: string;
  /** Distance to the town's centre point, in km (to 0.1). */
  townDistanceKm?: number;
  /** The town's state, region or province; far from towns, the one all towns around lie in. */
  admin1?: string;
}

export interface ReportedInspection extends Omit<Inspection, 'locations'> {
  locations: NamedLocation[];
  risk: RiskAssessment;
}

export function nameLocation(location: GeoLocation, place: PlaceName = describeLocation(location)): NamedLocation {
  const named: NamedLocation = { ...location, placeName: place.text };
  if (place.countryCode) named.countryCode = place.countryCode;
  if (place.town !== undefined) named.town = place.town;
  if (place.townDistanceKm !== undefined) named.townDistanceKm = place.townDistanceKm;
  if (place.admin1 !== undefined) named.admin1 = place.admin1;
  return named;
}

function isGeoLocation(value: Finding['value']): value is GeoLocation {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as GeoLocation).latitude === 'number' && typeof (value as GeoLocation).longitude === 'number';
}

/** The inspection with place names on every location (also inside findings) and its risk. */
export function annotateInspection(inspection: Inspection, risk: RiskAssessment = assessRisk(inspection)): ReportedInspection {
  // Risk right after the file's name, format and size: the first thing a reader of the JSON sees.
  const { file, format, size, ...rest } = inspection;
  return {
    file,
    format,
    size,
    risk,
    ...rest,
    findings: inspection.findings.map((finding) => withMeaning(isGeoLocation(finding.value) ? { ...finding, value: nameLocation(finding.value) } : finding)),
    locations: inspection.locations.map((location) => nameLocation(location)),
  };
}
