/**
 * The prebuilt country grid answers exactly as country-coder does, or not at all (near a border).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { featuresAt } from '../../src/report/country-index.js';
import { describePlace } from '../../src/report/places.js';
import { ensureGazetteerIndex } from './gazetteer-index.js';

const coder = createRequire(import.meta.url)('@rapideditor/country-coder') as typeof import('@rapideditor/country-coder');

const propertiesOf = (features: readonly { properties: { id?: string; level?: string; nameEn: string; iso1A2?: string; iso1N3?: string } }[]) =>
  features.map(({ properties: { id, level, nameEn, iso1A2, iso1N3 } }) => ({ id, level, nameEn, iso1A2, iso1N3 }));

beforeAll(() => ensureGazetteerIndex());

describe('country grid', () => {
  it('lists the same features as country-coder, in its order, wherever it answers', () => {
    let seed = 99;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    let answered = 0;
    const points = 4000;
    for (let index = 0; index < points; index++) {
      const longitude = random() * 360 - 180;
      const latitude = random() * 180 - 90;
      const fast = featuresAt(longitude, latitude);
      if (!fast) continue;
      answered += 1;
      expect(propertiesOf(fast), `${latitude},${longitude}`).toEqual(propertiesOf(coder.featuresContaining([longitude, latitude])));
    }
    // Borders cover a few percent of the world: nearly every point is answered from the grid.
    expect(answered).toBeGreaterThan(points * 0.9);
  });

  it('answers for towns away from borders and leaves points on a border to country-coder', () => {
    const moab = featuresAt(-109.55, 38.57);
    expect(moab?.find((feature) => feature.properties.level === 'country')?.properties.iso1A2).toBe('US');
    expect(propertiesOf(featuresAt(2.2945, 48.8584)!)).toEqual(propertiesOf(coder.featuresContaining([2.2945, 48.8584])));
    // Basel sits where France, Germany and Switzerland meet.
    expect(featuresAt(7.5886, 47.5596)).toBeUndefined();
    // Out of range: no answer (describePlace refuses such points itself).
    expect(featuresAt(200, 10)).toBeUndefined();
  });

  it('places near borders are named the same with or without the grid', () => {
    for (const [latitude, longitude] of [[47.5596, 7.5886], [49.0, -123.07], [31.7683, 35.2137], [-0.0001, 0.0002], [37.0, -122.0], [64.1466, -21.9426]] as const) {
      const place = describePlace(latitude, longitude);
      const features = coder.featuresContaining([longitude, latitude]);
      expect(place.countryCode).toBe(features.find((feature) => feature.properties.level === 'country')?.properties.iso1A2);
    }
  });
});
