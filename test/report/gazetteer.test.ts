/**
 * The offline gazetteer: the nearest town of at least 1,000 inhabitants, with its state or region
 * and country, read from the binary index `npm run build` makes — lazily and without the network.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { inspectSync } from '../../src/index.js';
import { annotateInspection } from '../../src/report/annotate.js';
import { gazetteerLoaded, haversineKm, nearestPlace } from '../../src/report/gazetteer.js';
import { describePlace } from '../../src/report/places.js';
import { renderInspection } from '../../src/report/text.js';
import { basePixelsJpeg, exifSegment, insertSegments } from '../fixtures/jpeg.js';
import { ensureGazetteerIndex } from './gazetteer-index.js';

beforeAll(() => ensureGazetteerIndex());

const attempts: string[] = [];
beforeEach(() => {
  attempts.length = 0;
  const refuse = (what: string) => () => {
    attempts.push(what);
    throw new Error('network used');
  };
  vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(refuse('socket'));
  vi.spyOn(http, 'request').mockImplementation(refuse('http'));
  vi.spyOn(https, 'request').mockImplementation(refuse('https'));
  vi.spyOn(globalThis, 'fetch').mockImplementation(refuse('fetch'));
  vi.spyOn(dns, 'lookup').mockImplementation(refuse('dns') as unknown as typeof dns.lookup);
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(attempts).toEqual([]);
});

// These run in order: the first two see the module state before anything named a place.
describe('loading', () => {
  it('does not read the index for a file without a location', async () => {
    expect(gazetteerLoaded()).toBe(false);
    const inspection = inspectSync(insertSegments(await basePixelsJpeg(), [exifSegment({ make: 'Cam', model: 'One' })]), 'bare.jpg');
    expect(inspection.locations).toEqual([]);
    renderInspection(inspection);
    annotateInspection(inspection);
    expect(gazetteerLoaded()).toBe(false);
    // Nor for places no town can be near: 0,0, the open sea, the poles, nonsense.
    for (const [latitude, longitude] of [[0, 0], [30, -40], [90, 0], [-90, 0], [91, 0]] as const) describePlace(latitude, longitude);
    expect(gazetteerLoaded()).toBe(false);
  });

  it('reads it the first time a file’s location is named', async () => {
    const inspection = inspectSync(insertSegments(await basePixelsJpeg(), [exifSegment({ gps: { latitude: 47.627, longitude: -122.337 } })]), 'seattle.jpg');
    expect(gazetteerLoaded()).toBe(false);
    const report = renderInspection(inspection);
    expect(gazetteerLoaded()).toBe(true);
    expect(report).toContain('47.62700 N, 122.33700 W — near Seattle, Washington, United States of America (~2 km)');
    expect(annotateInspection(inspection).locations[0]).toMatchObject({ placeName: 'near Seattle, Washington, United States of America (~2 km)', countryCode: 'US', town: 'Seattle', admin1: 'Washington' });
  });
});

describe('known points', () => {
  it('a city centre', () => {
    expect(describePlace(48.85837, 2.29448)).toMatchObject({ kind: 'country', text: 'near Paris, Île-de-France, France (~4 km)', town: 'Paris', admin1: 'Île-de-France', country: 'France', countryCode: 'FR' });
    expect(describePlace(-33.8688, 151.2093)).toMatchObject({ text: 'near Sydney, New South Wales, Australia (~1 km)', town: 'Sydney', admin1: 'New South Wales' });
    expect(describePlace(52.52, 13.405)).toMatchObject({ town: 'Berlin', country: 'Germany' });
    // A big city is named inside its sprawl rather than a district point that happens to be nearer.
    expect(describePlace(35.6762, 139.6503)).toMatchObject({ text: 'near Tokyo, Japan (~4 km)', town: 'Tokyo', admin1: 'Tokyo' });
  });

  it('a small town, with its state', () => {
    const moab = describePlace(38.5733, -109.5498);
    expect(moab).toMatchObject({ text: 'near Moab, Utah, United States of America (~1 km)', town: 'Moab', admin1: 'Utah', countryCode: 'US' });
    expect(moab.townDistanceKm).toBeLessThan(1);
    expect(describePlace(64.1814, -51.6941)).toMatchObject({ text: 'near Nuuk, Sermersooq, Greenland, Kingdom of Denmark (~1 km)', town: 'Nuuk', region: 'Greenland' });
    expect(describePlace(21.3069, -157.8583)).toMatchObject({ text: 'near Honolulu, Hawaii, United States of America (~1 km)', region: 'Hawaii', admin1: 'Hawaii' });
  });

  it('far from any town of 1,000 (Thompson Springs, Utah, has 39): the state and country only', () => {
    const place = describePlace(38.97, -110.71);
    expect(place).toMatchObject({ kind: 'country', text: 'Utah, United States of America', admin1: 'Utah', countryCode: 'US' });
    expect(place.town).toBeUndefined();
    expect(place.townDistanceKm).toBeUndefined();
    // The nearest town is further than 25 km.
    expect(nearestPlace(38.97, -110.71, 25, new Set(['US']))).toBeUndefined();
    expect(nearestPlace(38.97, -110.71, 100, new Set(['US']))?.distanceKm).toBeGreaterThan(25);
  });

  it('a border: the town is on the point’s side of it', () => {
    // San Ysidro, California, a few hundred metres north of the Mexican border: Tijuana is the big
    // town around, but the point is in the United States.
    expect(nearestPlace(32.544, -117.03, 25)?.name).toBe('Tijuana');
    const place = describePlace(32.544, -117.03);
    expect(place).toMatchObject({ countryCode: 'US', admin1: 'California' });
    expect(place.town).toBeDefined();
    expect(place.town).not.toBe('Tijuana');
    expect(place.text).toMatch(/^near .+, California, United States of America \(~\d+ km\)$/);
    const south = describePlace(32.52, -117.03);
    expect(south).toMatchObject({ countryCode: 'MX', town: 'Tijuana', admin1: 'Baja California' });
  });

  it('says each name once, accents or not, and finds the towns of a territory the two data sets file differently', () => {
    // Cilaos, Réunion: GeoNames' division is "Reunion", country-coder's region "Réunion".
    expect(describePlace(-21.1364, 55.4719).text).toBe('near Cilaos, Réunion, France (~1 km)');
    // Crimea: under Russia in country-coder's borders, under Ukraine in GeoNames.
    const crimea = describePlace(44.9521, 34.1024);
    expect(crimea).toMatchObject({ town: 'Simferopol', admin1: 'Crimea', region: 'Crimea' });
    expect(crimea.text).toMatch(/^near Simferopol, Crimea, .+ \(~\d+ km\)$/);
  });

  it('names the division as it is now where a country renumbered its divisions after the place list was made', () => {
    // Xuân Mai, a town of Hanoi: the older place list files it under a code the newer names give to
    // Quang Tri, a province 500 km away.
    expect(describePlace(20.9, 105.58)).toMatchObject({ town: 'Xuân Mai', admin1: 'Hanoi', countryCode: 'VN' });
    // Mysen, Norway: its county code of 2020 (Viken) has no name in the newer table; Østfold again since 2024.
    expect(describePlace(59.5535, 11.3258)).toMatchObject({ text: 'near Mysen, Østfold, Norway (~1 km)', admin1: 'Østfold' });
  });

  it('keeps the sea, the poles and 0,0 as they were', () => {
    expect(describePlace(30, -40)).toEqual({ kind: 'sea', text: 'open sea — no country (international waters)' });
    expect(describePlace(90, 0)).toEqual({ kind: 'sea', text: 'North Pole — open sea, no country (international waters)' });
    expect(describePlace(-90, 0)).toEqual({ kind: 'antarctica', text: 'South Pole, Antarctica (no country)' });
    expect(describePlace(-80, 30)).toEqual({ kind: 'antarctica', text: 'Antarctica (no country)' });
    expect(describePlace(0, 0).kind).toBe('placeholder');
  });

  it('finds towns across the antimeridian and near the poles', () => {
    // Egvekinot, Chukotka, lies at 179.12° W: a point at 179.9° E, across the 180th meridian, finds it.
    expect(nearestPlace(66.32, 179.9, 60)).toMatchObject({ name: 'Egvekinot', countryCode: 'RU' });
    expect(nearestPlace(66.32, 179.9, 60)?.distanceKm).toBeCloseTo(haversineKm(66.32, 179.9, 66.32166, -179.12198), 0);
    // Longyearbyen, Svalbard, at 78° N, where a degree of longitude is 23 km.
    expect(nearestPlace(78.2232, 15.6267, 25)?.name).toBe('Longyearbyen');
  });
});

describe('haversine', () => {
  it('measures great circles', () => {
    expect(haversineKm(0, 0, 0, 1)).toBeCloseTo(111.19, 1);
    expect(haversineKm(48.8566, 2.3522, 51.5074, -0.1278)).toBeCloseTo(343.5, 0);
    expect(haversineKm(0, 179.9, 0, -179.9)).toBeCloseTo(22.24, 1);
  });
});
