/**
 * Place names for coordinates, worked out offline: the nearest town of at least 1,000 inhabitants
 * within 25 km with its state or region (src/report/gazetteer.ts, GeoNames data), the country and,
 * where the border data has one, a region (England, Hawaii, Puerto Rico, Greenland, Tasmania, …):
 * `near Moab, Utah, United States of America (~3 km)`.
 *
 * The borders come from @rapideditor/country-coder, which ships them inside the package (about
 * 1:10M precision, territorial waters included): no network call is ever made. It has no US
 * states or Canadian provinces, only the regions listed in its `territory`/`subterritory`
 * levels, so a point in California is named "United States of America" and one in Honolulu
 * "Hawaii, United States of America".
 * Reference: https://github.com/rapideditor/country-coder (feature levels, ISO 3166-1 codes).
 */
import { createRequire } from 'node:module';
import type { GeoLocation } from '../types.js';
import { featuresAt, type CountryFeature } from './country-index.js';
import { nearestPlace, surroundingDivision } from './gazetteer.js';
import { foldName } from './fold.js';
import { formatDate } from './format.js';

/**
 * `country`: inside a country's borders or territorial waters; `sea`: international waters;
 * `antarctica`: land no country holds; `placeholder`: exactly 0,0, which devices write when they
 * have no fix; `invalid`: not a position on Earth.
 */
export type PlaceKind = 'country' | 'sea' | 'antarctica' | 'placeholder' | 'invalid';

export interface PlaceName {
  /** For people: `England, United Kingdom`, `open sea — no country (international waters)`. */
  text: string;
  kind: PlaceKind;
  country?: string;
  /** ISO 3166-1 alpha-2 of the country (`FR`). */
  countryCode?: string;
  /** ISO 3166-1 numeric of the country (`250`): world-atlas names its shapes by it. */
  countryNumeric?: string;
  region?: string;
  /** The nearest populated place (GeoNames, ≥ 1,000 inhabitants) within `townRadiusKm`, in the same country. */
  town?: string;
  /** Great-circle distance to `town`, in kilometres, to 0.1 km. */
  townDistanceKm?: number;
  /** The state, region or province (GeoNames' first-level division) of `town`, or of the area around a point far from towns. */
  admin1?: string;
}

/** A town this far away or nearer is named: "near X (~N km)". */
export const townRadiusKm = 25;
/** Far from any town, the state is named when every town this near lies in the same one. */
const divisionRadiusKm = 60;

type CountryCoder = typeof import('@rapideditor/country-coder');
let loadedCoder: CountryCoder | undefined;

/**
 * Loaded on first use: its borders take about 60 ms to load, which a scan of files without any
 * location (and every clean) should not pay. Away from borders the prebuilt grid of its answers
 * (src/report/country-index.ts) names the country, so it loads only for a point near one.
 */
function countryCoder(): CountryCoder {
  loadedCoder ??= createRequire(import.meta.url)('@rapideditor/country-coder') as CountryCoder;
  return loadedCoder;
}

/** Within this many degrees of a pole (about 110 km) the pole itself is named. */
const poleMarginDegrees = 1;
/** 0,0 within a millionth of a degree (about 10 cm): nobody stands there by chance. */
const nullIslandDegrees = 1e-6;

/**
 * Territories without a code of their own in country-coder whose towns GeoNames files under another
 * country: Crimea is under Russia in the one and Ukraine in the other.
 */
const gazetteerCountry: Record<string, string> = { Q7835: 'UA' };


/** country-coder's `territory` features that are the country's bulk, not a region worth naming. */
const bulkRegion = /^(Contiguous|Mainland|Metropolitan|Peninsular) /;

/**
 * Recent answers by exact coordinates: one photo's position is named several times (its risk, its
 * GPS finding, its location list, the summary), and the search through the towns around a point
 * is the cost. The answer is a pure function of the two numbers; callers get their own copy.
 */
const recentPlaces = new Map<string, PlaceName>();
const maxRecentPlaces = 256;

export function describePlace(latitude: number, longitude: number): PlaceName {
  const key = `${latitude},${longitude}`;
  let place = recentPlaces.get(key);
  if (!place) {
    place = describeUncached(latitude, longitude);
    if (recentPlaces.size >= maxRecentPlaces) recentPlaces.delete(recentPlaces.keys().next().value!);
    recentPlaces.set(key, place);
  }
  return { ...place };
}

function describeUncached(latitude: number, longitude: number): PlaceName {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    return { text: 'not a valid position on Earth', kind: 'invalid' };
  }
  if (Math.abs(latitude) < nullIslandDegrees && Math.abs(longitude) < nullIslandDegrees) {
    return { text: '0,0: likely a placeholder (no GPS fix), not a real place', kind: 'placeholder' };
  }
  // The prebuilt grid answers wherever no border is near; country-coder (and its borders) loads only near one.
  const features: readonly CountryFeature[] = featuresAt(longitude, latitude) ?? countryCoder().featuresContaining([longitude, latitude]);
  const country = features.find((feature) => feature.properties.level === 'country');
  if (country) {
    const countryName = country.properties.nameEn;
    // The most specific first: country-coder lists the smallest feature first.
    const regionFeature = features.find((feature) => (feature.properties.level === 'subterritory' || feature.properties.level === 'territory') && !bulkRegion.test(feature.properties.nameEn));
    const region = regionFeature?.properties.nameEn;
    // "Denmark" inside "Kingdom of Denmark" says it all by itself.
    const countryText = !region ? countryName : countryName.includes(region) ? region : `${region}, ${countryName}`;
    // Towns in the countries (and territories: Greenland is GL) the point lies in, never across a border.
    const codes = new Set(features.map((feature) => feature.properties.iso1A2 ?? gazetteerCountry[feature.properties.id ?? '']).filter((code): code is string => Boolean(code)));
    const town = nearestPlace(latitude, longitude, townRadiusKm, codes);
    const admin1 = town ? town.admin1 : surroundingDivision(latitude, longitude, divisionRadiusKm, codes);
    // Each name once, whatever its accents: "Reunion" (GeoNames) is "Réunion" (country-coder).
    const seen = new Set(countryText.split(', ').map(foldName));
    const named: string[] = [];
    for (const name of [town?.name, admin1]) {
      if (name && !seen.has(foldName(name))) {
        seen.add(foldName(name));
        named.push(name);
      }
    }
    const words = [...named, countryText].join(', ');
    const text = town ? `near ${words} (~${Math.max(1, Math.round(town.distanceKm))} km)` : words;
    return compact({
      text,
      kind: 'country',
      country: countryName,
      countryCode: country.properties.iso1A2,
      countryNumeric: country.properties.iso1N3,
      region: region && region !== countryName ? region : undefined,
      town: town?.name,
      townDistanceKm: town ? Math.round(town.distanceKm * 10) / 10 : undefined,
      admin1,
    });
  }
  if (latitude <= -90 + poleMarginDegrees) return { text: 'South Pole, Antarctica (no country)', kind: 'antarctica' };
  if (features.some((feature) => feature.properties.iso1A2 === 'AQ')) return { text: 'Antarctica (no country)', kind: 'antarctica' };
  if (latitude >= 90 - poleMarginDegrees) return { text: 'North Pole — open sea, no country (international waters)', kind: 'sea' };
  return { text: 'open sea — no country (international waters)', kind: 'sea' };
}

export function describeLocation(location: Pick<GeoLocation, 'latitude' | 'longitude'>): PlaceName {
  return describePlace(location.latitude, location.longitude);
}

/** `48.85837 N, 2.29448 E`: five decimals (about 1 m), hemisphere letters instead of signs. */
export function formatCoordinates(latitude: number, longitude: number): string {
  return `${Math.abs(latitude).toFixed(5)} ${latitude < 0 ? 'S' : 'N'}, ${Math.abs(longitude).toFixed(5)} ${longitude < 0 ? 'W' : 'E'}`;
}

/** A location's extras for people: altitude, accuracy, the GPS clock. */
export function locationExtras(location: GeoLocation): string[] {
  const extras: string[] = [];
  if (location.altitude !== undefined && Number.isFinite(location.altitude)) extras.push(`altitude ${Math.round(location.altitude)} m`);
  if (location.accuracyMeters !== undefined && Number.isFinite(location.accuracyMeters)) extras.push(`accuracy ~${Math.round(location.accuracyMeters)} m`);
  if (location.gpsTime) extras.push(`GPS time ${formatDate(location.gpsTime) ?? location.gpsTime}`);
  return extras;
}

/**
 * The ~1 km grid (two decimals of a degree) on which reports count distinct places: photos taken
 * around one house fall in one place. -0 and 0 are the same place.
 */
export function roundPlace(latitude: number, longitude: number): { latitude: number; longitude: number; key: string } {
  const roundedLatitude = Math.round(latitude * 100) / 100 + 0;
  const roundedLongitude = Math.round(longitude * 100) / 100 + 0;
  return { latitude: roundedLatitude, longitude: roundedLongitude, key: `${roundedLatitude},${roundedLongitude}` };
}

function compact(place: PlaceName): PlaceName {
  for (const key of Object.keys(place) as (keyof PlaceName)[]) if (place[key] === undefined) delete place[key];
  return place;
}
