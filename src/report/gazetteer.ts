/**
 * The nearest populated place to a point, offline: GeoNames' places of at least 1,000 inhabitants
 * (and seats of administrative divisions), each with its country and first-level division (state,
 * region, province). Data © GeoNames (https://www.geonames.org/), CC BY 4.0.
 *
 * `npm run build` packs them into dist/gazetteer/places.bin (scripts/build-gazetteer.mjs, which
 * documents the layout): a 1° grid of places. The first time a report names a place, the division
 * names are read (~70 KB of the 3 MB), then only the grid rows and cells a search needs — no JSON,
 * nothing parsed, and never anything for a file without a location. Without the file (a checkout that was never built) no town is named and reports fall
 * back to the country, as before.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NearbyPlace {
  name: string;
  /** First-level division (state, region, province), when GeoNames names it. */
  admin1?: string;
  /** ISO 3166-1 alpha-2, as GeoNames gives it (Greenland is GL, Puerto Rico PR). */
  countryCode: string;
  distanceKm: number;
}

interface Index {
  path: string;
  /** Where the grid (the first place of each cell, and one end entry) starts in the file. */
  cellsAt: number;
  /** Grid rows read so far: 361 entries each, the first place of each cell and of the next row. */
  rows: Map<number, Uint32Array>;
  /** Where the per-place sections start in the file. */
  positionsAt: number;
  divisionsAt: number;
  extentsAt: number;
  nameEndsAt: number;
  namesAt: number;
  countries: Uint8Array;
  divisionEnds: Uint32Array;
  divisionNames: Uint8Array;
}

/** One 1° cell's places, read from the file when a search first needs them. */
interface Cell {
  first: number;
  positions: Uint16Array;
  divisions: Uint16Array;
  extents: Uint8Array;
}

const gridColumns = 360;
/** Positions within a cell are stored in 1/65536 of a degree. */
const positionUnits = 65536;
const gridRows = 180;
const earthRadiusKm = 6371.0088;
const magic = 0x5a474c54;

let index: Index | null | undefined;
const cellCache = new Map<number, Cell>();

/** Whether the index has been read (tests check that a scan without a location never reads it). */
export function gazetteerLoaded(): boolean {
  return index !== undefined;
}

/** Where `npm run build` puts the index, seen from src/report, dist/src/report and dist/bundle(/chunks). */
function indexPath(): string | undefined {
  return builtDataFile('places.bin');
}

/**
 * This module's folder. `import.meta.dirname` (Node ≥ 20.11; the bundle's own folder there, see
 * scripts/bundle.mjs) is a plain path: no URL to parse, so a one-photo scan does not compile Node's
 * URL code for it.
 */
const moduleFolder = (): string => (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));

/** A file of dist/gazetteer/ (built by `npm run build`), wherever this module runs from. */
export function builtDataFile(name: string): string | undefined {
  const folder = moduleFolder();
  for (const relative of [`../../gazetteer/${name}`, `../gazetteer/${name}`, `../../dist/gazetteer/${name}`, `../../../gazetteer/${name}`]) {
    const path = join(folder, relative);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** `length` bytes at `offset`, in a fresh (so aligned) buffer; short only if the file is. */
function readAt(descriptor: number, offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; ) {
    const read = readSync(descriptor, bytes, at, length - at, offset + at);
    if (read === 0) throw new Error('gazetteer index cut short');
    at += read;
  }
  return bytes;
}

/**
 * Reads the header, the grid (which places each cell holds) and the division names: about 0.3 MB
 * of the 3 MB file. The places themselves are read cell by cell, as searches need them.
 */
function load(): Index | null {
  if (index !== undefined) return index;
  const path = indexPath();
  if (!path) return (index = null);
  const descriptor = openSync(path, 'r');
  try {
    const header = new Uint32Array(readAt(descriptor, 0, 32).buffer);
    if (header[0] !== magic || header[1] !== 2) return (index = null);
    const places = header[2]!;
    const divisionCount = header[3]!;
    const align = (n: number): number => (n + 3) & ~3;
    const cellCount = gridRows * gridColumns + 1;
    const positionsAt = 32 + cellCount * 4;
    const divisionsAt = positionsAt + places * 4;
    const extentsAt = divisionsAt + places * 2;
    const nameEndsAt = align(extentsAt + places);
    const countriesAt = nameEndsAt + places * 4;
    const divisionEndsAt = align(countriesAt + divisionCount * 2);
    const namesAt = divisionEndsAt + divisionCount * 4;
    const divisionNamesAt = align(namesAt + header[4]!);
    const countries = readAt(descriptor, countriesAt, divisionCount * 2);
    const divisionEnds = new Uint32Array(readAt(descriptor, divisionEndsAt, divisionCount * 4).buffer);
    const divisionNames = readAt(descriptor, divisionNamesAt, header[5]!);
    index = { path, cellsAt: 32, rows: new Map(), positionsAt, divisionsAt, extentsAt, nameEndsAt, namesAt, countries, divisionEnds, divisionNames };
    return index;
  } catch {
    return (index = null);
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Row `row` of the grid: the index of each cell's first place, and the first of the next row (the
 * grid has one entry more than cells), read on first use: a search needs two or three rows of 180,
 * and reading all of them (260 KB) was most of the first search's cost.
 */
function gridRow(data: Index, descriptor: number, row: number): Uint32Array {
  let entries = data.rows.get(row);
  if (!entries) {
    entries = new Uint32Array(readAt(descriptor, data.cellsAt + row * gridColumns * 4, (gridColumns + 1) * 4).buffer);
    data.rows.set(row, entries);
  }
  return entries;
}

function readCell(data: Index, descriptor: number, row: number, column: number): Cell {
  const cell = row * gridColumns + column;
  let cached = cellCache.get(cell);
  if (!cached) {
    const entries = gridRow(data, descriptor, row);
    const first = entries[column]!;
    const count = entries[column + 1]! - first;
    cached = {
      first,
      positions: new Uint16Array(readAt(descriptor, data.positionsAt + first * 4, count * 4).buffer),
      divisions: new Uint16Array(readAt(descriptor, data.divisionsAt + first * 2, count * 2).buffer),
      extents: readAt(descriptor, data.extentsAt + first, count),
    };
    cellCache.set(cell, cached);
  }
  return cached;
}

/**
 * The index file, open from the first search on: a folder of photos names a place for each, and
 * opening and closing the file twice per photo cost the main thread of a folder scan more than
 * the search itself. One descriptor per process (per worker thread), read-only.
 */
let indexDescriptor: number | undefined;

/** Runs `use` with the index file open (searches read the cells they need from it). */
function withIndex<T>(use: (data: Index, descriptor: number) => T): T | undefined {
  const data = load();
  if (!data) return undefined;
  try {
    indexDescriptor ??= openSync(data.path, 'r');
  } catch {
    return undefined;
  }
  try {
    return use(data, indexDescriptor);
  } catch {
    // A damaged index names no town; the country is still named.
    return undefined;
  }
}

const radians = Math.PI / 180;

/** Great-circle distance in kilometres (haversine, mean Earth radius). */
export function haversineKm(latitude1: number, longitude1: number, latitude2: number, longitude2: number): number {
  const dLat = (latitude2 - latitude1) * radians;
  const dLon = (longitude2 - longitude1) * radians;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(latitude1 * radians) * Math.cos(latitude2 * radians) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * UTF-8 text of `bytes` (the index is written by scripts/build-gazetteer.mjs, valid UTF-8). Node's
 * Buffer decoder, not a TextDecoder: creating one sets up an ICU converter (~1 ms), which this
 * module's first line used to pay at every start of the CLI, location or not.
 */
function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function countryOf(data: Index, division: number): string {
  return String.fromCharCode(data.countries[division * 2]!, data.countries[division * 2 + 1]!);
}

function divisionName(data: Index, division: number): string | undefined {
  const start = division === 0 ? 0 : data.divisionEnds[division - 1]!;
  const name = utf8(data.divisionNames.subarray(start, data.divisionEnds[division]!));
  return name || undefined;
}

function placeName(data: Index, descriptor: number, place: number): string {
  const ends = new DataView(readAt(descriptor, data.nameEndsAt + Math.max(0, place - 1) * 4, place === 0 ? 4 : 8).buffer);
  const start = place === 0 ? 0 : ends.getUint32(0, true);
  const end = ends.getUint32(place === 0 ? 0 : 4, true);
  return utf8(readAt(descriptor, data.namesAt + start, end - start));
}

/**
 * Every place within `radiusKm` of the point whose country is one of `countries` (all countries
 * when not given), calling `visit` with its index, division and distance.
 */
function forEachWithin(data: Index, descriptor: number, latitude: number, longitude: number, radiusKm: number, countries: ReadonlySet<string> | undefined, visit: (place: number, division: number, distanceKm: number, extentKm: number) => void): void {
  const radiusDegrees = radiusKm / (earthRadiusKm * radians);
  const south = Math.max(-90, latitude - radiusDegrees);
  const north = Math.min(90, latitude + radiusDegrees);
  const widest = Math.max(Math.abs(south), Math.abs(north));
  const lonDegrees = radiusDegrees / Math.cos(Math.min(89.9, widest) * radians);
  const firstRow = Math.max(0, Math.floor(south) + 90);
  const lastRow = Math.min(gridRows - 1, Math.floor(north) + 90);
  const allColumns = lonDegrees >= 180 || north >= 89.9 || south <= -89.9;
  const firstColumn = allColumns ? 0 : Math.floor(longitude - lonDegrees) + 180;
  const lastColumn = allColumns ? gridColumns - 1 : Math.floor(longitude + lonDegrees) + 180;
  // Per division: 0 not yet known, 1 in one of `countries`, 2 not.
  const allowed = countries ? new Uint8Array(data.divisionEnds.length) : undefined;
  for (let row = firstRow; row <= lastRow; row += 1) {
    for (let column = firstColumn; column <= lastColumn; column += 1) {
      const wrapped = ((column % gridColumns) + gridColumns) % gridColumns;
      const entries = gridRow(data, descriptor, row);
      if (entries[wrapped] === entries[wrapped + 1]) continue;
      const cell = readCell(data, descriptor, row, wrapped);
      const cellLatitude = row - 90;
      const cellLongitude = wrapped - 180;
      // The search box in the cell's own units (1/65536°, as positions are stored), one unit wider
      // on each side: most places of a 1° cell lie outside a 25 km box and are passed over by
      // comparing small integers, before any arithmetic on fractions of a degree (which allocates
      // in the interpreter a one-photo scan runs in). The exact tests below still decide.
      const latitudeFrom = Math.floor((latitude - radiusDegrees - cellLatitude) * positionUnits) - 1;
      const latitudeTo = Math.ceil((latitude + radiusDegrees - cellLatitude) * positionUnits) + 1;
      // Measured from the unwrapped column, so a cell across the antimeridian gets the right side.
      const pointInCell = longitude - (column - 180);
      const longitudeFrom = allColumns ? -Infinity : Math.floor((pointInCell - lonDegrees) * positionUnits) - 1;
      const longitudeTo = allColumns ? Infinity : Math.ceil((pointInCell + lonDegrees) * positionUnits) + 1;
      for (let at = 0; at < cell.extents.length; at += 1) {
        const latitudeUnits = cell.positions[at * 2]!;
        if (latitudeUnits < latitudeFrom || latitudeUnits > latitudeTo) continue;
        const longitudeUnits = cell.positions[at * 2 + 1]!;
        if (longitudeUnits < longitudeFrom || longitudeUnits > longitudeTo) continue;
        const placeLatitude = cellLatitude + latitudeUnits / positionUnits;
        if (Math.abs(placeLatitude - latitude) > radiusDegrees) continue;
        const placeLongitude = cellLongitude + longitudeUnits / positionUnits;
        const lonGap = Math.abs(placeLongitude - longitude);
        if (!allColumns && Math.min(lonGap, 360 - lonGap) > lonDegrees) continue;
        const division = cell.divisions[at]!;
        if (allowed) {
          let verdict = allowed[division]!;
          if (verdict === 0) allowed[division] = verdict = countries!.has(countryOf(data, division)) ? 1 : 2;
          if (verdict === 2) continue;
        }
        const distance = haversineKm(latitude, longitude, placeLatitude, placeLongitude);
        if (distance <= radiusKm) visit(cell.first + at, division, distance, cell.extents[at]! / 10);
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
  return withIndex((data, descriptor) => {
    let best = -1;
    let bestDivision = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    let bestOutside = Number.POSITIVE_INFINITY;
    forEachWithin(data, descriptor, latitude, longitude, radiusKm, countries, (place, division, distance, extent) => {
      const outside = Math.max(0, distance - extent);
      if (outside < bestOutside || (outside === bestOutside && distance < bestDistance)) {
        best = place;
        bestDivision = division;
        bestDistance = distance;
        bestOutside = outside;
      }
    });
    if (best < 0) return undefined;
    const admin1 = divisionName(data, bestDivision);
    return { name: placeName(data, descriptor, best), ...(admin1 ? { admin1 } : {}), countryCode: countryOf(data, bestDivision), distanceKm: bestDistance };
  });
}

/**
 * The first-level division around a point far from any town: named only when every place within
 * `radiusKm` (in `countries`) lies in the same one, so a point near a state line is not guessed.
 */
export function surroundingDivision(latitude: number, longitude: number, radiusKm: number, countries?: ReadonlySet<string>): string | undefined {
  return withIndex((data, descriptor) => {
    const seen = new Set<number>();
    forEachWithin(data, descriptor, latitude, longitude, radiusKm, countries, (_place, division) => seen.add(division));
    return seen.size === 1 ? divisionName(data, [...seen][0]!) : undefined;
  });
}
