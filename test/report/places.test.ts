/** Place names for known coordinates, worked out offline, and the Location line of the text report. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describePlace, inspectSync } from '../../src/index.js';
import { formatCoordinates, roundPlace } from '../../src/report/places.js';
import { renderInspection, renderLocation } from '../../src/report/text.js';
import { formatCaptureTime, takenTime } from '../../src/report/when.js';
import { basePixelsJpeg, exifSegment, insertSegments } from '../fixtures/jpeg.js';
import { ensureGazetteerIndex } from './gazetteer-index.js';

beforeAll(() => ensureGazetteerIndex());

describe('describePlace, offline', () => {
  const attempts: string[] = [];
  beforeEach(() => {
    attempts.length = 0;
    // Any way out of the process counts as a failure: sockets, HTTP(S), fetch and DNS.
    vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket) {
      attempts.push('socket');
      throw new Error('network used');
    });
    vi.spyOn(http, 'request').mockImplementation(() => {
      attempts.push('http');
      throw new Error('network used');
    });
    vi.spyOn(https, 'request').mockImplementation(() => {
      attempts.push('https');
      throw new Error('network used');
    });
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => {
      attempts.push('fetch');
      throw new Error('network used');
    });
    vi.spyOn(dns, 'lookup').mockImplementation((() => {
      attempts.push('dns');
      throw new Error('network used');
    }) as unknown as typeof dns.lookup);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    expect(attempts).toEqual([]);
  });

  it.each([
    ['Eiffel Tower', 48.85837, 2.29448, 'France', 'FR', 'Paris', 'Île-de-France'],
    ['San Francisco', 37.77493, -122.41942, 'United States of America', 'US', 'San Francisco', 'California'],
    ['Toronto', 43.6532, -79.3832, 'Canada', 'CA', 'Toronto', 'Ontario'],
    ['Sydney', -33.8688, 151.2093, 'Australia', 'AU', 'Sydney', 'New South Wales'],
    ['Tokyo', 35.6762, 139.6503, 'Japan', 'JP', 'Tokyo', 'Tokyo'],
    ['Berlin', 52.52, 13.405, 'Germany', 'DE', 'Berlin', 'State of Berlin'],
    ['São Paulo', -23.5505, -46.6333, 'Brazil', 'BR', 'São Paulo', 'São Paulo'],
    ['Nairobi', -1.2921, 36.8219, 'Kenya', 'KE', 'Nairobi', 'Nairobi County'],
  ])('names the town, state and country of %s', (_name, latitude, longitude, country, code, town, admin1) => {
    const place = describePlace(latitude, longitude);
    expect(place).toMatchObject({ kind: 'country', country, countryCode: code, town, admin1 });
    expect(place.text).toMatch(new RegExp(`^near ${town}, .*${country} \\(~\\d+ km\\)$`));
    expect(place.townDistanceKm).toBeLessThan(10);
    expect(place.region).toBeUndefined();
  });

  it('adds the region where the border data has one, and says each name once', () => {
    expect(describePlace(51.5007, -0.1246)).toMatchObject({ text: 'near City of Westminster, England, United Kingdom (~1 km)', region: 'England', admin1: 'England', countryCode: 'GB' });
    expect(describePlace(55.9533, -3.1883)).toMatchObject({ text: 'near Edinburgh, Scotland, United Kingdom (~1 km)', region: 'Scotland' });
    expect(describePlace(21.3069, -157.8583)).toMatchObject({ text: 'near Honolulu, Hawaii, United States of America (~1 km)', region: 'Hawaii', countryCode: 'US' });
    expect(describePlace(61.2181, -149.9003)).toMatchObject({ text: 'near Anchorage, Alaska, United States of America (~1 km)', region: 'Alaska' });
    expect(describePlace(64.1814, -51.6941)).toMatchObject({ text: 'near Nuuk, Sermersooq, Greenland, Kingdom of Denmark (~1 km)', region: 'Greenland', countryCode: 'DK' });
    // The bulk of a country is not a region worth naming ("Contiguous United States", "Metropolitan France").
    expect(describePlace(40.7128, -74.006).text).toBe('near New York City, New York, United States of America (~1 km)');
    // "Denmark" inside "Kingdom of Denmark" is said once; so is Tokyo the city and Tokyo the prefecture.
    expect(describePlace(55.6761, 12.5683).text).toBe('near Copenhagen, Capital Region, Denmark (~1 km)');
    expect(describePlace(35.6762, 139.6503).text).toBe('near Tokyo, Japan (~4 km)');
  });

  it('says when a place is at sea, in no country', () => {
    for (const [latitude, longitude] of [[30, -40], [-20, -120], [-30, 80]] as const) {
      const place = describePlace(latitude, longitude);
      expect(place.kind).toBe('sea');
      expect(place.text).toBe('open sea — no country (international waters)');
      expect(place.countryCode).toBeUndefined();
    }
  });

  it('names the poles and Antarctica', () => {
    expect(describePlace(90, 0)).toMatchObject({ kind: 'sea', text: 'North Pole — open sea, no country (international waters)' });
    expect(describePlace(89.7, 120)).toMatchObject({ kind: 'sea' });
    expect(describePlace(89.7, 120).text).toMatch(/^North Pole/);
    expect(describePlace(-90, 0)).toMatchObject({ kind: 'antarctica', text: 'South Pole, Antarctica (no country)' });
    expect(describePlace(-80, 30)).toMatchObject({ kind: 'antarctica', text: 'Antarctica (no country)' });
  });

  it('treats 0,0 as a likely placeholder, and only exactly 0,0', () => {
    const zero = describePlace(0, 0);
    expect(zero.kind).toBe('placeholder');
    expect(zero.text).toMatch(/placeholder/);
    expect(zero.text).toMatch(/no GPS fix/);
    expect(describePlace(-0, -0).kind).toBe('placeholder');
    expect(describePlace(0, 0.5).kind).toBe('sea');
    expect(describePlace(0.5, 0).kind).toBe('sea');
  });

  it('refuses what is not a position on Earth', () => {
    for (const [latitude, longitude] of [[91, 0], [0, 181], [Number.NaN, 0], [0, Number.POSITIVE_INFINITY]]) {
      expect(describePlace(latitude!, longitude!)).toEqual({ kind: 'invalid', text: 'not a valid position on Earth' });
    }
  });
});

describe('coordinates and rounding', () => {
  it('prints hemispheres instead of signs', () => {
    expect(formatCoordinates(48.85837, 2.29448)).toBe('48.85837 N, 2.29448 E');
    expect(formatCoordinates(-33.8688, -70.1)).toBe('33.86880 S, 70.10000 W');
  });

  it('rounds to the ~1 km grid and treats -0 as 0', () => {
    expect(roundPlace(48.858371, 2.294481)).toEqual({ latitude: 48.86, longitude: 2.29, key: '48.86,2.29' });
    expect(roundPlace(-0.001, -0.001).key).toBe('0,0');
  });
});

describe('capture time', () => {
  it('formats EXIF, XMP and QuickTime dates the same way', () => {
    expect(formatCaptureTime('2019:07:14 14:03:22', '+02:00')).toBe('2019-07-14 14:03:22 +02:00');
    expect(formatCaptureTime('2019:07:14 14:03:22')).toBe('2019-07-14 14:03:22');
    expect(formatCaptureTime('2019-07-14T14:03:22.123-0530')).toBe('2019-07-14 14:03:22 -05:30');
    expect(formatCaptureTime('2024-05-01T17:11:12.000Z')).toBe('2024-05-01 17:11:12 Z');
    expect(formatCaptureTime('2019:07:14')).toBe('2019-07-14');
    expect(formatCaptureTime('0000:00:00 00:00:00')).toBeUndefined();
    expect(formatCaptureTime('yesterday')).toBeUndefined();
  });
});

describe('the Location line of the text report', () => {
  const work = mkdtempSync(join(tmpdir(), 'traceless-places-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('says the place, the accuracy and when the photo was taken, with its time zone', async () => {
    const path = join(work, 'paris.jpg');
    writeFileSync(path, insertSegments(await basePixelsJpeg(), [exifSegment({ make: 'Cam', dateTimeOriginal: '2019:07:14 14:03:22', gps: { latitude: 48.85837, longitude: 2.29448 } })]));
    // ExifTool, an independent writer, adds the time zone and the accuracy.
    execFileSync('exiftool', ['-q', '-q', '-overwrite_original', '-OffsetTimeOriginal=+02:00', '-GPSHPositioningError=5', path]);
    const inspection = inspectSync(readFileSync(path), 'paris.jpg');
    expect(takenTime(inspection)).toBe('2019-07-14 14:03:22 +02:00');
    expect(renderLocation(inspection, inspection.locations[0]!)).toBe('48.85837 N, 2.29448 E — near Paris, Île-de-France, France (~4 km) (accuracy ~5 m), taken 2019-07-14 14:03:22 +02:00 [APP1/Exif/GPS]');
    const report = renderInspection(inspection).split('\n');
    expect(report[0]).toMatch(/^HIGH RISK paris\.jpg \(JPEG, /);
    expect(report).toContain('  Location: 48.85837 N, 2.29448 E — near Paris, Île-de-France, France (~4 km) (accuracy ~5 m), taken 2019-07-14 14:03:22 +02:00 [APP1/Exif/GPS]');
  });

  it('does not lend the main picture’s time to a thumbnail’s location', async () => {
    const thumbnail = insertSegments(await basePixelsJpeg(16, 12), [exifSegment({ gps: { latitude: -33.8688, longitude: 151.2093 } })]);
    const photo = insertSegments(await basePixelsJpeg(), [exifSegment({ dateTimeOriginal: '2020:01:02 03:04:05', gps: { latitude: 35.6762, longitude: 139.6503 }, thumbnail })]);
    const inspection = inspectSync(photo, 'tokyo.jpg');
    const lines = inspection.locations.map((location) => renderLocation(inspection, location));
    expect(lines).toEqual([
      '35.67620 N, 139.65030 E — near Tokyo, Japan (~4 km), taken 2020-01-02 03:04:05 [APP1/Exif/GPS]',
      '33.86880 S, 151.20930 E — near Sydney, New South Wales, Australia (~1 km) [APP1/Exif/IFD1/thumbnail/APP1/Exif/GPS]',
    ]);
  });
});
