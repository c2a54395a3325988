/** The end-of-run summaries (src/cli/summary.ts): readable for big folders, counted without keeping every result. */
import { describe, expect, it } from 'vitest';
import { CleanTally, colours, renderScanSummary } from '../../src/cli/summary.js';
import type { ScanSummary } from '../../src/report/summary.js';
import type { CleanResult, CleanStatus } from '../../src/types.js';

const plain = colours(false);

function scanSummary(devices: number): ScanSummary {
  return {
    files: devices,
    revealingLocation: 0,
    risk: { high: 0, medium: devices, unknown: 0, low: 0, none: 0 },
    filesByRisk: { high: [], medium: Array.from({ length: devices }, (_, index) => `IMG_${index}.jpg`), unknown: [], low: [], none: [] },
    places: [],
    devices: Array.from({ length: devices }, (_, index) => ({ device: `Maker Model ${index}`, files: 1 })),
    unreadable: 0,
    unreadableFiles: [],
    notReadInFull: [],
    livePhotoPairs: [],
    seconds: 1,
  };
}

describe('renderScanSummary', () => {
  it('names the first ten devices and counts the rest', () => {
    const text = renderScanSummary(scanSummary(64), plain);
    const line = text.split('\n').find((row) => row.includes('device(s)'))!;
    expect(line).toMatch(/^ {2}64 device\(s\): Maker Model 0 \(1\); .*Maker Model 9 \(1\) and 54 more$/);
    expect(line).not.toContain('Maker Model 10 ');
    expect(renderScanSummary(scanSummary(3), plain)).toMatch(/^ {2}3 device\(s\): Maker Model 0 \(1\); Maker Model 1 \(1\); Maker Model 2 \(1\)$/m);
  });
});

describe('CleanTally', () => {
  const result = (status: CleanStatus, bytes: number): CleanResult =>
    ({ file: 'x.jpg', output: null, status, format: { id: 'jpeg', name: 'JPEG', cleanable: true }, removed: [], kept: [], verification: null, error: null, bytesRead: bytes * 2, bytesWritten: status === 'cleaned' ? bytes : 0 });

  it('counts every status, the bytes and the time as results come in', () => {
    const results = [result('cleaned', 100), result('cleaned', 50), result('already-clean', 10), result('skipped', 5), result('refused', 1), result('failed', 2)];
    const tally = new CleanTally();
    for (const each of results) tally.add(each);
    const summary = tally.summary(3, 1.23456, false);
    expect(summary.wouldWrite).toBeUndefined();
    expect(tally.summary(3, 1, true)).toMatchObject({ dryRun: true, wouldWrite: 0 });
    expect(summary).toMatchObject({ files: 6, cleaned: 2, alreadyClean: 1, skipped: 1, refused: 1, failed: 1, nonMediaSkipped: 3, bytesWritten: 150, bytesRead: 336, seconds: 1.235 });
  });
});
