/** ISO 6709 Annex H points: every form, the Android variant, and a superset of the MP4 parser. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { addToMovie, ffmpegClip, removeScratch, xyzAtom } from '../../fixtures/mp4.js';
import { exiftoolTags } from '../../helpers/exiftool.js';
import { parseIso6709 } from '../../../src/formats/isobmff/iso6709.js';
import { parseIso6709 as parseMp4Iso6709 } from '../../../src/formats/mp4/iso6709.js';

const cases: [string, string, { latitude: number; longitude: number; altitude?: number } | undefined][] = [
  ['decimal degrees with altitude (Apple)', '+37.7749-122.4194+012.000/', { latitude: 37.7749, longitude: -122.4194, altitude: 12 }],
  ['decimal degrees, no altitude', '+48.8584+002.2945/', { latitude: 48.8584, longitude: 2.2945 }],
  ['integer degrees', '+48+002/', { latitude: 48, longitude: 2 }],
  ['degrees and minutes', '+4851.504+00217.670/', { latitude: 48 + 51.504 / 60, longitude: 2 + 17.67 / 60 }],
  ['degrees, minutes, seconds', '+485130.1+0021740.2/', { latitude: 48 + 51 / 60 + 30.1 / 3600, longitude: 2 + 17 / 60 + 40.2 / 3600 }],
  ['degrees, minutes, seconds, whole', '-335208-1511215/', { latitude: -(33 + 52 / 60 + 8 / 3600), longitude: -(151 + 12 / 60 + 15 / 3600) }],
  ['southern and western, altitude below sea level', '-33.8688-070.6693-015.5/', { latitude: -33.8688, longitude: -70.6693, altitude: -15.5 }],
  ['CRS suffix', '+40.20361-075.00417CRSWGS_84/', { latitude: 40.20361, longitude: -75.00417 }],
  ['altitude and CRS', '+40.20361-075.00417+350.517CRSWGS_84/', { latitude: 40.20361, longitude: -75.00417, altitude: 350.517 }],
  ['no closing slash', '+37.7749-122.4194', { latitude: 37.7749, longitude: -122.4194 }],
  ['leading white space', '  +37.7749-122.4194/', { latitude: 37.7749, longitude: -122.4194 }],
  ['spaces between the parts', '+37.7749 -122.4194 +012.0 /', { latitude: 37.7749, longitude: -122.4194, altitude: 12 }],
  ['Android short form with a space', '+51.5932 -0.2431/', { latitude: 51.5932, longitude: -0.2431 }],
  ['Android: longitude without leading zeros', '+51.5932-0.2431/', { latitude: 51.5932, longitude: -0.2431 }],
  ['Android: one-digit latitude, two-digit longitude', '+5.6037-10.1870/', { latitude: 5.6037, longitude: -10.187 }],
  ['Android with altitude', '+48.8584+2.2945+35.2/', { latitude: 48.8584, longitude: 2.2945, altitude: 35.2 }],
  ['decimal point with no digits', '+48.+002./', { latitude: 48, longitude: 2 }],
  ['poles and antimeridian', '+90.0000+180.0000/', { latitude: 90, longitude: 180 }],
  ['latitude past 90', '+91.0000+002.0000/', undefined],
  ['longitude past 180', '+45.0000+181.0000/', undefined],
  ['minutes form past 90', '+9130.000+00000.000/', undefined],
  ['three latitude digits', '+485+0021/', undefined],
  ['no sign', '48.8584+002.2945/', undefined],
  ['text', 'Paris', undefined],
  ['empty', '', undefined],
  ['one number', '+48.8584/', undefined],
];

describe('parseIso6709', () => {
  for (const [name, text, expected] of cases) {
    it(`${name}: ${JSON.stringify(text)}`, () => {
      const point = parseIso6709(text);
      if (expected === undefined) {
        expect(point).toBeUndefined();
        return;
      }
      expect(point).toBeDefined();
      expect(point!.latitude).toBeCloseTo(expected.latitude, 9);
      expect(point!.longitude).toBeCloseTo(expected.longitude, 9);
      expect(point!.altitude).toBe(expected.altitude);
    });
  }

  it('reads a long sexagesimal longitude whole, never as its first three digits', () => {
    // Annex H lets latitude and longitude use different forms, as the MP4 parser does.
    expect(parseIso6709('+4851+0021740/')).toEqual({ latitude: 48 + 51 / 60, longitude: 2 + 17 / 60 + 40 / 3600 });
    expect(parseIso6709('+485130+0021740/')!.longitude).toBeCloseTo(2 + 17 / 60 + 40 / 3600, 9);
  });

  it('returns the MP4 parser’s GeoLocation shape when given where', () => {
    expect(parseIso6709('+37.7749-122.4194+012.000/', 'moov/udta/©xyz')).toEqual({ latitude: 37.7749, longitude: -122.4194, altitude: 12, where: 'moov/udta/©xyz' });
  });

  it('finds every point the MP4 parser finds, at the same place', () => {
    const digits = (count: number) => fc.stringMatching(new RegExp(`^\\d{${count}}$`));
    const fraction = fc.option(fc.stringMatching(/^\.\d{1,6}$/), { nil: '' });
    const point = fc.tuple(
      fc.constantFrom('+', '-'), fc.oneof(digits(2), digits(4), digits(6)), fraction,
      fc.constantFrom('+', '-'), fc.oneof(digits(3), digits(5), digits(7)), fraction,
      fc.option(fc.stringMatching(/^[+-]\d{1,4}(\.\d{1,3})?$/), { nil: '' }), fc.constantFrom('/', 'CRSWGS_84/', ''),
    ).map((parts) => parts.join(''));
    fc.assert(
      fc.property(point, (text) => {
        const theirs = parseMp4Iso6709(text, 'x');
        const ours = parseIso6709(text, 'x');
        if (theirs === undefined) return;
        expect(ours, text).toBeDefined();
        expect(ours!.latitude).toBeCloseTo(theirs.latitude, 9);
        expect(ours!.longitude).toBeCloseTo(theirs.longitude, 9);
        expect(ours!.altitude).toBe(theirs.altitude);
      }),
      { numRuns: 2000, seed: 6709 },
    );
  });

  it('takes linear time on long hostile strings', () => {
    const started = performance.now();
    for (const text of ['+'.repeat(1 << 20), `+48${'.'.repeat(1 << 20)}`, `+48.1+002${'1'.repeat(1 << 20)}`, ' '.repeat(1 << 20)]) parseIso6709(text);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('parseIso6709 against ExifTool', () => {
  const work = mkdtempSync(join(tmpdir(), 'traceless-iso6709-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    removeScratch();
  });

  it('reads ©xyz strings as ExifTool does, the Android form included', () => {
    const clip = ffmpegClip({});
    const strings = ['+37.7749-122.4194+012.000/', '+51.5932-0.2431/', '+5.6037-10.1870/', '-33.8688+151.2093/', '+4851.504+00217.670/', '+40.20361-075.00417CRSWGS_84/'];
    strings.forEach((text, index) => {
      const path = join(work, `xyz-${index}.mp4`);
      writeFileSync(path, addToMovie(clip, { userData: [xyzAtom(text)] }));
      const tags = exiftoolTags(path);
      const latitude = Number(Object.entries(tags).find(([key]) => key.endsWith(':GPSLatitude'))?.[1]);
      const longitude = Number(Object.entries(tags).find(([key]) => key.endsWith(':GPSLongitude'))?.[1]);
      const ours = parseIso6709(text)!;
      expect(ours, text).toBeDefined();
      expect(ours.latitude, text).toBeCloseTo(latitude, 4);
      expect(ours.longitude, text).toBeCloseTo(longitude, 4);
    });
  });
});
