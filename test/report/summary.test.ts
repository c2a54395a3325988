import { describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/inspect.js';
import { assessRisk, type RiskAssessment } from '../../src/report/risk.js';
import { summariseScans } from '../../src/report/summary.js';
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
});
