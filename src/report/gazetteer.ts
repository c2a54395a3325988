/**
 * The nearest populated place to a point, offline: GeoNames' places of at least 1,000 inhabitants
 * (and seats of administrative divisions), each with its country and first-level division (state,
 * region, province). Data © GeoNames (https://www.geonames.org/), CC BY 4.0.
 *
 * `npm run build` packs them into dist/gazetteer/places.bin (scripts/build-gazetteer.mjs, which
 * documents the layout): a 1° grid of places, read with one file read and typed-array views — no
 * JSON, nothing parsed — the first time a report names a place, never for a file without a
 * location. Without the file (a checkout that was never built) no town is named and reports fall
 * back to the country, as before.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

export interface NearbyPlace {
  name: string;
  /** First-level division (state, region, province), when GeoNames names it. */
  admin1?: string;
  /** ISO 3166-1 alpha-2, as GeoNames gives it (Greenland is GL, Puerto Rico PR). */
  countryCode: string;
  distanceKm: number;
}

interface Index {
  cells: Uint32Array;
  positions: Uint16Array;
  divisions: Uint16Array;
  extents: Uint8Array;
  nameEnds: Uint32Array;
  countries: Uint8Array;
  divisionEnds: Uint32Array;
  names: Uint8Array;
  divisionNames: Uint8Array;
}

const gridColumns = 360;
const gridRows = 180;
const earthRadiusKm = 6371.0088;
const magic = 0x5a474c54;

let index: Index | null | undefined;

/** Whether the index has been read (tests check that a scan without a location never reads it). */
export function gazetteerLoaded(): boolean {
  return index !== undefined;
}

/** Where `npm run build` puts the index, seen from src/report, dist/src/report and dist/bundle(/chunks). */
function indexPath(): URL | undefined {
  for (const relative of ['../../gazetteer/places.bin', '../gazetteer/places.bin', '../../dist/gazetteer/places.bin', '../../../gazetteer/places.bin']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(url)) return url;
  }
  return undefined;
}

function load(): Index | null {
  if (index !== undefined) return index;
  const path = indexPath();
  if (!path) return (index = null);
  // Read straight into a fresh buffer: typed-array views need the aligned offsets it starts at.
  const descriptor = openSync(path, 'r');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fstatSync(descriptor).size);
    for (let at = 0; at < bytes.length; ) {
      const read = readSync(descriptor, bytes, at, bytes.length - at, at);
      if (read === 0) return (index = null);
      at += read;
    }
  } finally {
    closeSync(descriptor);
  }
  if (bytes.length < 32) return (index = null);
  const header = new Uint32Array(bytes.buffer, 0, 8);
  if (header[0] !== magic || header[1] !== 2) return (index = null);
  const places = header[2]!;
  const divisionCount = header[3]!;
  const align = (n: number): number => (n + 3) & ~3;
  let at = 32;
  const cells = new Uint32Array(bytes.buffer, at, gridRows * gridColumns + 1);
  at += cells.byteLength;
  const positions = new Uint16Array(bytes.buffer, at, places * 2);
  at += positions.byteLength;
  const divisions = new Uint16Array(bytes.buffer, at, places);
  at += divisions.byteLength;
  const extents = new Uint8Array(bytes.buffer, at, places);
  at = align(at + extents.byteLength);
  const nameEnds = new Uint32Array(bytes.buffer, at, places);
  at += nameEnds.byteLength;
  const countries = new Uint8Array(bytes.buffer, at, divisionCount * 2);
  at = align(at + countries.byteLength);
  const divisionEnds = new Uint32Array(bytes.buffer, at, divisionCount);
  at += divisionEnds.byteLength;
  const names = new Uint8Array(bytes.buffer, at, header[4]!);
  at = align(at + names.byteLength);
  const divisionNames = new Uint8Array(bytes.buffer, at, header[5]!);
  index = { cells, positions, divisions, extents, nameEnds, countries, divisionEnds, names, divisionNames };
  return index;
}

const radians = Math.PI / 180;

/** Great-circle distance in kilometres (haversine, mean Earth radius). */
export function haversineKm(latitude1: number, longitude1: number, latitude2: number, longitude2: number): number {
  const dLat = (latitude2 - latitude1) * radians;
  const dLon = (longitude2 - longitude1) * radians;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(latitude1 * radians) * Math.cos(latitude2 * radians) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(a)));
}

const decoder = new TextDecoder();

function countryOf(data: Index, division: number): string {
  return String.fromCharCode(data.countries[division * 2]!, data.countries[division * 2 + 1]!);
}

function divisionName(data: Index, division: number): string | undefined {
  const start = division === 0 ? 0 : data.divisionEnds[division - 1]!;
  const name = decoder.decode(data.divisionNames.subarray(start, data.divisionEnds[division]!));
  return name || undefined;
}

function placeName(data: Index, place: number): string {
  return decoder.decode(data.names.subarray(place === 0 ? 0 : data.nameEnds[place - 1]!, data.nameEnds[place]!));
}

/**
 * Every place within `radiusKm` of the point whose country is one of `countries` (all countries
 * when not given), calling `visit` with its index and distance.
 */
function forEachWithin(data: Index, latitude: number, longitude: number, radiusKm: number, countries: ReadonlySet<string> | undefined, visit: (place: number, division: number, distanceKm: number) => void): void {
  const radiusDegrees = radiusKm / (earthRadiusKm * radians);
  const south = Math.max(-90, latitude - radiusDegrees);
  const north = Math.min(90, latitude + radiusDegrees);
  const widest = Math.max(Math.abs(south), Math.abs(north));
  const cosine = Math.cos(Math.min(89.9, widest) * radians);
  const lonDegrees = radiusDegrees / cosine;
  const firstRow = Math.max(0, Math.floor(south) + 90);
  const lastRow = Math.min(gridRows - 1, Math.floor(north) + 90);
  const allColumns = lonDegrees >= 180 || north >= 89.9 || south <= -89.9;
  const firstColumn = allColumns ? 0 : Math.floor(longitude - lonDegrees) + 180;
  const lastColumn = allColumns ? gridColumns - 1 : Math.floor(longitude + lonDegrees) + 180;
  for (let row = firstRow; row <= lastRow; row += 1) {
    for (let column = firstColumn; column <= lastColumn; column += 1) {
      const wrapped = ((column % gridColumns) + gridColumns) % gridColumns;
      const cell = row * gridColumns + wrapped;
      const cellLatitude = row - 90;
      const cellLongitude = wrapped - 180;
      for (let place = data.cells[cell]!; place < data.cells[cell + 1]!; place += 1) {
        const division = data.divisions[place]!;
        if (countries && !countries.has(countryOf(data, division))) continue;
        const placeLatitude = cellLatitude + data.positions[place * 2]! / 65536;
        const placeLongitude = cellLongitude + data.positions[place * 2 + 1]! / 65536;
        const distance = haversineKm(latitude, longitude, placeLatitude, placeLongitude);
        if (distance <= radiusKm) visit(place, division, distance);
      }
    }
  }
}

/**
 * The nearest populated place within `radiusKm`, in one of `countries` when given (so that a point
 * just inside one country is not named after the big town across the border). "Nearest" allows
 * for a town's size: a point inside a town's rough radius (from its population) is at 0 from it,
 * and between towns at 0 the one whose centre is nearest wins — so a point in central Paris is near
 * Paris, one in the middle of a suburb near the suburb. `distanceKm` is to the town's centre point.
 */
export function nearestPlace(latitude: number, longitude: number, radiusKm: number, countries?: ReadonlySet<string>): NearbyPlace | undefined {
  const data = load();
  if (!data) return undefined;
  let best = -1;
  let bestDivision = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  let bestOutside = Number.POSITIVE_INFINITY;
  forEachWithin(data, latitude, longitude, radiusKm, countries, (place, division, distance) => {
    const outside = Math.max(0, distance - data.extents[place]! / 10);
    if (outside < bestOutside || (outside === bestOutside && distance < bestDistance)) {
      best = place;
      bestDivision = division;
      bestDistance = distance;
      bestOutside = outside;
    }
  });
  if (best < 0) return undefined;
  const admin1 = divisionName(data, bestDivision);
  return { name: placeName(data, best), ...(admin1 ? { admin1 } : {}), countryCode: countryOf(data, bestDivision), distanceKm: bestDistance };
}

/**
 * The first-level division around a point far from any town: named only when every place within
 * `radiusKm` (in `countries`) lies in the same one, so a point near a state line is not guessed.
 */
export function surroundingDivision(latitude: number, longitude: number, radiusKm: number, countries?: ReadonlySet<string>): string | undefined {
  const data = load();
  if (!data) return undefined;
  const seen = new Set<number>();
  forEachWithin(data, latitude, longitude, radiusKm, countries, (_place, division) => seen.add(division));
  if (seen.size !== 1) return undefined;
  return divisionName(data, [...seen][0]!);
}
