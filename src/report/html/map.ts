/**
 * The report's world map, drawn once at report time as inline SVG: country shapes from
 * world-atlas (Natural Earth 1:110M, shipped in the package), projected with d3-geo's Equal Earth
 * projection, so the page needs no library, tile or font from anywhere. GPS tracks (telemetry,
 * dashcam, timed text) are drawn as lines under the markers.
 * References: https://github.com/topojson/world-atlas, https://d3js.org/d3-geo/projection.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { geoEqualEarth, geoGraticule, geoPath, type GeoProjection } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { escapeHtml } from './escape.js';

export const mapWidth = 960;
export const mapHeight = 470;
const marginPixels = 6;

export interface MapPlace {
  /** Stable id shared by the marker and the table rows (`p0`, `p1`, …). */
  id: string;
  latitude: number;
  longitude: number;
  placeName: string;
  files: number;
  /** 0,0: drawn hollow, it is most likely not a real place. */
  placeholder?: boolean;
  /** ISO 3166-1 numeric of the country the place is in (its shape is shaded). */
  countryNumeric?: string;
}

interface World {
  projection: GeoProjection;
  sphere: string;
  graticule: string;
  countries: { id: string; name: string; d: string }[];
}

let world: World | undefined;

/** Projects the shapes once per process: the same paths serve every report. */
function loadWorld(): World {
  if (world) return world;
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8')) as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const projection = geoEqualEarth().fitExtent([[marginPixels, marginPixels], [mapWidth - marginPixels, mapHeight - marginPixels]], { type: 'Sphere' });
  // One decimal of a pixel is finer than the screen and keeps the paths small.
  const path = geoPath(projection).digits(1);
  const countries = feature(topology, topology.objects.countries).features.map((country) => ({
    id: String(country.id ?? ''),
    name: country.properties?.name ?? '',
    d: path(country) ?? '',
  }));
  world = {
    projection,
    sphere: path({ type: 'Sphere' }) ?? '',
    graticule: path(geoGraticule().step([30, 30])()) ?? '',
    countries: countries.filter((country) => country.d !== ''),
  };
  return world;
}

/** Pixel position of a place on the map, or undefined if it cannot be drawn. */
export function projectPlace(latitude: number, longitude: number): [number, number] | undefined {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  const point = loadWorld().projection([longitude, latitude]);
  return point && Number.isFinite(point[0]) && Number.isFinite(point[1]) ? point : undefined;
}

/** Marker radius in pixels: grows with the square root of the number of files, so area tracks count. */
export function markerRadius(files: number): number {
  return Math.min(14, 3.5 + Math.sqrt(Math.max(files, 1) - 1) * 1.2);
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** A GPS track to draw as a line: its thinned path, [latitude, longitude] pairs. */
export interface MapTrack {
  path: readonly (readonly [number, number])[];
  /** The place id of its first fix, so the line highlights with its marker. */
  placeId?: string;
}

/** Most tracks drawn on one map (each is at most 500 points): past this, markers alone. */
const maxTracksDrawn = 200;

/**
 * A track as SVG polylines: split where it crosses the antimeridian (a jump of more than 180° of
 * longitude), so a line over the Pacific does not cross the whole map. Colours are presentation
 * attributes, which the page's style policy allows (no inline style).
 */
export function renderTrack(track: MapTrack): string {
  const runs: string[][] = [[]];
  let previous: readonly [number, number] | undefined;
  for (const point of track.path) {
    if (previous && Math.abs(point[1] - previous[1]) > 180) runs.push([]);
    previous = point;
    const projected = projectPlace(point[0], point[1]);
    if (!projected) continue;
    // Two decimals of a pixel still show a short track when the map is zoomed in; repeats are dropped.
    const text = `${round2(projected[0])},${round2(projected[1])}`;
    const run = runs[runs.length - 1]!;
    if (run[run.length - 1] !== text) run.push(text);
  }
  const place = track.placeId ? ` data-place="${escapeHtml(track.placeId)}"` : '';
  return runs
    .filter((run) => run.length > 1)
    .map((run) => `<polyline class="track"${place} points="${run.join(' ')}" fill="none" stroke="#c62828" stroke-width="2" stroke-opacity="0.8" stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>`)
    .join('');
}

export function renderMap(places: readonly MapPlace[], tracks: readonly MapTrack[] = []): string {
  const { sphere, graticule, countries } = loadWorld();
  const visited = new Set(places.map((place) => place.countryNumeric).filter((id): id is string => Boolean(id)));
  const shapes = countries.map((country) => `<path${visited.has(country.id) ? ' class="visited"' : ''} d="${country.d}"><title>${escapeHtml(country.name)}</title></path>`).join('');
  // Biggest first, so small markers stay on top and clickable.
  const ordered = [...places].sort((a, b) => b.files - a.files);
  const markers = ordered
    .map((place) => {
      const point = projectPlace(place.latitude, place.longitude);
      if (!point) return '';
      const radius = round1(markerRadius(place.files));
      const label = `${place.placeName} — ${place.latitude.toFixed(2)}, ${place.longitude.toFixed(2)} — ${place.files} file${place.files === 1 ? '' : 's'}`;
      return `<circle class="marker${place.placeholder ? ' placeholder' : ''}" data-place="${place.id}" data-r="${radius}" cx="${round1(point[0])}" cy="${round1(point[1])}" r="${radius}" tabindex="0" role="button" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title></circle>`;
    })
    .join('');
  return `<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${mapWidth} ${mapHeight}" role="img" aria-label="World map of the places found"><path class="sphere" d="${sphere}"/><path class="graticule" d="${graticule}"/><g class="countries">${shapes}</g><g class="tracks">${tracks.slice(0, maxTracksDrawn).map(renderTrack).join('')}</g><g class="markers">${markers}</g></svg>`;
}
