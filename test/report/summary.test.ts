import { describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/inspect.js';
import { assessRisk, type RiskAssessment } from '../../src/report/risk.js';
import { digestScan, summariseDigests, summariseScans } from '../../src/report/summary.js';
import type { Inspection } from '../../src/types.js';
import { basePixelsJpeg, phoneJpeg } from '../fixtures/jpeg.js';

describe('summariseScans', () => {
  it('takes the risk the caller already assessed, once per file, and counts as it does itself', async () => {
    const phone = { ...inspectSync(await phoneJpeg(), 'phone.jpg'), file: 'phone.jpg' };
    const bare = { ...inspectSync(await basePixelsJpeg(), 'bare.jpg'), file: 'bare.jpg' };
    const inspections = [phone, bare];
    const asked: Inspection[] = [];
    const riskOf = (inspection: Inspection): RiskAssessment => {
      asked.push(inspection);
      return assessRisk(inspection);
    };
    const given = summariseScans(inspections, [], 1.5, riskOf);
    expect(asked).toEqual(inspections);
    expect({ ...given, seconds: 0 }).toEqual({ ...summariseScans(inspections, [], 1.5), seconds: 0 });
    expect(given.filesByRisk.high).toEqual(['phone.jpg']);
    expect(given.files).toBe(2);
  });

  it('counts files by the level riskOf gives', async () => {
    const phone = { ...inspectSync(await phoneJpeg(), 'phone.jpg'), file: 'phone.jpg' };
    const summary = summariseScans([phone], [{ file: 'gone.jpg', reason: 'cannot be opened' }], 0, () => ({ level: 'low', reasons: [] }));
    expect(summary.risk).toEqual({ high: 0, medium: 0, unknown: 1, low: 1, none: 0 });
    expect(summary.filesByRisk.low).toEqual(['phone.jpg']);
    expect(summary.filesByRisk.unknown).toEqual(['gone.jpg']);
  });

  it('is the same from digests made where each file was read (worker threads) as from whole inspections', async () => {
    const phone = { ...inspectSync(await phoneJpeg(), 'a/IMG_1.jpg'), file: 'a/IMG_1.jpg' };
    // The same position in a second file: one place, two files, named once.
    const again = { ...inspectSync(await phoneJpeg(), 'a/IMG_2.jpg'), file: 'a/IMG_2.jpg' };
    const bare = { ...inspectSync(await basePixelsJpeg(), 'a/IMG_3.jpg'), file: 'a/IMG_3.jpg' };
    // A Live Photo paired by name: a still and a MOV with the same stem.
    const still = { ...bare, file: 'a/IMG_4.jpg' };
    const video = { ...bare, file: 'a/IMG_4.MOV' };
    const inspections = [phone, again, bare, still, video];
    const errors = [{ file: 'a/gone.jpg', reason: 'cannot be opened' }];
    const fromDigests = summariseDigests(inspections.map((inspection) => digestScan(inspection, assessRisk(inspection))), errors, 2);
    expect(fromDigests).toEqual(summariseScans(inspections, errors, 2));
    expect(fromDigests.places.length).toBeGreaterThan(0);
    expect(fromDigests.places[0]!.files).toBe(2);
    // The JSON summary line keeps its key order.
    expect(Object.keys(fromDigests.places.find((place) => place.countryCode)!)).toEqual(['latitude', 'longitude', 'placeName', 'files', 'countryCode']);
    expect(fromDigests.livePhotoPairs).toEqual([['a/IMG_4.jpg', 'a/IMG_4.MOV']]);
    expect(fromDigests.filesByRisk.high).toEqual(['a/IMG_1.jpg', 'a/IMG_2.jpg']);
  });

  it('a digest is a few strings, not the findings', async () => {
    const phone = { ...inspectSync(await phoneJpeg(), 'phone.jpg'), file: 'phone.jpg' };
    const digest = digestScan(phone);
    expect(Object.keys(digest).sort()).toEqual(['device', 'file', 'identifiers', 'incomplete', 'level', 'places', 'revealsLocation']);
    expect(digest).toMatchObject({ file: 'phone.jpg', level: 'high', incomplete: false, revealsLocation: true });
    expect(JSON.stringify(digest).length).toBeLessThan(JSON.stringify(phone).length / 4);
  });
});
