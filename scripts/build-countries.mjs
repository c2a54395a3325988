// Builds the country index (dist/gazetteer/countries.bin) that src/report/country-index.ts reads:
// which of @rapideditor/country-coder's features (country, territory, region, …) contain each cell
// of a 0.1° grid, for every cell that no border crosses, so that naming the country of a photo
// takes a few small reads instead of loading and indexing the borders (about 100 ms at start-up).
// Cells a border crosses are marked "mixed": there the report asks country-coder itself, so no
// answer ever differs from country-coder's.
//
// Exact, not sampled: every border segment marks every fine cell its bounding box touches (cut
// into pieces shorter than half a cell, each piece's box touching at most 2×2 cells, widened by a
// hair so a segment along a grid line marks both sides). A cell no segment marks lies wholly inside
// or outside every feature; cells joined by an unmarked side share their features, so each
// connected region of unmarked cells is named once, from one of its cells.
//
// Layout (little-endian):
//   header  8 × u32: magic 'TLCC', version (3), sub-cells per degree, blocks, sets, set-entry count, table bytes, features
//   coarse  u16 × (180·360): per 1° cell (row = floor(lat)+90, column = floor(lon)+180) a set index
//           (all its fine cells in one set), 0xFFFF when every fine cell is mixed, or 0x8000 | block
//           when its fine cells differ (then `block` holds them)
//   blocks  u16 × (sub²) per block: the set index of each fine cell (row-major from the cell's
//           south-west corner), 0xFFFF for a mixed one
//   setEnd  u32 per set: end of its entries (the start is the previous end)
//   entries u16 per entry: feature index, in country-coder's order (smallest feature first)
//   featEnd u32 per feature: end of its JSON in `table` (the start is the previous end)
//   table   UTF-8 JSON per feature, back to back: the feature as reports use it,
//           { properties: { id, level, nameEn, iso1A2, iso1N3 } } (fields a feature lacks left out),
//           so that a report parses just the two or three features around its point (the whole
//           table is 34 KB of JSON: ~1 ms of a one-photo scan to decode and parse) and converts nothing
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const coder = require('@rapideditor/country-coder');

const sub = 10;
const columns = 360 * sub;
const rows = 180 * sub;
const mixed = 0xffff;
const hair = 1e-7;

const marked = new Uint8Array(columns * rows);
function markBox(west, south, east, north) {
  const c0 = Math.max(0, Math.floor((west + 180) * sub - hair));
  const c1 = Math.min(columns - 1, Math.floor((east + 180) * sub + hair));
  const r0 = Math.max(0, Math.floor((south + 90) * sub - hair));
  const r1 = Math.min(rows - 1, Math.floor((north + 90) * sub + hair));
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) marked[r * columns + c] = 1;
}
for (const feature of coder.borders.features) {
  const geometry = feature.geometry;
  if (!geometry) continue;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  if (polygons.length === 0 && geometry) throw new Error(`unexpected geometry ${geometry.type}`);
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (let index = 0; index + 1 < ring.length; index++) {
        const [x0, y0] = ring[index];
        const [x1, y1] = ring[index + 1];
        const steps = Math.max(1, Math.ceil((Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) * sub) * 2));
        for (let step = 0; step < steps; step++) {
          const ax = x0 + ((x1 - x0) * step) / steps;
          const ay = y0 + ((y1 - y0) * step) / steps;
          const bx = x0 + ((x1 - x0) * (step + 1)) / steps;
          const by = y0 + ((y1 - y0) * (step + 1)) / steps;
          markBox(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by));
        }
      }
    }
  }
}

// Regions of unmarked cells joined by a side (4-connected; across the antimeridian too), each named once.
const region = new Int32Array(columns * rows).fill(-1);
const setOfRegion = [];
const setIndex = new Map(); // 'id,id,…' → set
const sets = [];
const featureIndex = new Map();
const features = [];
const queue = new Int32Array(columns * rows);
for (let start = 0; start < marked.length; start++) {
  if (marked[start] || region[start] !== -1) continue;
  const label = setOfRegion.length;
  const row = Math.floor(start / columns);
  const column = start % columns;
  const lon = (column + 0.5) / sub - 180;
  const lat = (row + 0.5) / sub - 90;
  const found = coder.featuresContaining([lon, lat]);
  const ids = found.map((feature) => {
    const properties = feature.properties;
    let index = featureIndex.get(properties.id);
    if (index === undefined) {
      index = features.length;
      featureIndex.set(properties.id, index);
      features.push({ properties: { ...(properties.id ? { id: properties.id } : {}), ...(properties.level ? { level: properties.level } : {}), nameEn: properties.nameEn ?? '', ...(properties.iso1A2 ? { iso1A2: properties.iso1A2 } : {}), ...(properties.iso1N3 ? { iso1N3: properties.iso1N3 } : {}) } });
    }
    return index;
  });
  const key = ids.join(',');
  let set = setIndex.get(key);
  if (set === undefined) {
    set = sets.length;
    setIndex.set(key, set);
    sets.push(ids);
  }
  setOfRegion.push(set);
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  region[start] = label;
  while (head < tail) {
    const cell = queue[head++];
    const r = Math.floor(cell / columns);
    const c = cell % columns;
    const neighbours = [r > 0 ? cell - columns : -1, r < rows - 1 ? cell + columns : -1, r * columns + ((c + 1) % columns), r * columns + ((c + columns - 1) % columns)];
    for (const next of neighbours) {
      if (next < 0 || marked[next] || region[next] !== -1) continue;
      region[next] = label;
      queue[tail++] = next;
    }
  }
}
if (sets.length >= 0x8000 || features.length >= 0xffff) throw new Error('too many feature sets for the layout');

const fineSet = (r, c) => (marked[r * columns + c] ? mixed : setOfRegion[region[r * columns + c]]);
const coarse = new Uint16Array(180 * 360);
const blocks = [];
for (let row = 0; row < 180; row++) {
  for (let column = 0; column < 360; column++) {
    const values = new Uint16Array(sub * sub);
    for (let r = 0; r < sub; r++) for (let c = 0; c < sub; c++) values[r * sub + c] = fineSet(row * sub + r, column * sub + c);
    const first = values[0];
    if (values.every((value) => value === first)) coarse[row * 360 + column] = first;
    else {
      if (blocks.length >= 0x7fff) throw new Error('too many blocks for the layout');
      coarse[row * 360 + column] = 0x8000 | blocks.length;
      blocks.push(values);
    }
  }
}

const featureJson = features.map((feature) => Buffer.from(JSON.stringify(feature), 'utf8'));
const featureEnds = Buffer.alloc(features.length * 4);
featureJson.reduce((end, json, index) => featureEnds.writeUInt32LE(end + json.length, index * 4) && end + json.length, 0);
const table = Buffer.concat([featureEnds, ...featureJson]);
const entryCount = sets.reduce((sum, set) => sum + set.length, 0);
const align = (n) => (n + 3) & ~3;
const size = 32 + coarse.byteLength + blocks.length * sub * sub * 2 + sets.length * 4 + align(entryCount * 2) + table.length;
const out = Buffer.alloc(align(size));
let at = 0;
for (const value of [0x43434c54, 3, sub, blocks.length, sets.length, entryCount, table.length, features.length]) at = out.writeUInt32LE(value, at);
for (const value of coarse) at = out.writeUInt16LE(value, at);
for (const block of blocks) for (const value of block) at = out.writeUInt16LE(value, at);
let end = 0;
for (const set of sets) at = out.writeUInt32LE((end += set.length), at);
for (const set of sets) for (const value of set) at = out.writeUInt16LE(value, at);
at = align(at);
table.copy(out, at);

const target = join(root, 'dist', 'gazetteer', 'countries.bin');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, out);
const mixedCells = marked.reduce((sum, value) => sum + value, 0);
console.log(`countries: ${features.length} features in ${sets.length} sets, ${blocks.length} mixed 1° cells, ${((100 * mixedCells) / marked.length).toFixed(1)}% of 0.1° cells on a border, ${(out.length / 1024 / 1024).toFixed(1)} MB → dist/gazetteer/countries.bin`);
