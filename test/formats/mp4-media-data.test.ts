/**
 * src/formats/mp4/media-data.ts `anyNonZero`: whether unreferenced media data holds anything. Read
 * from a file through one small reused buffer, from memory as it is, and from a planned output
 * without rendering the runs the plan writes as zeros — the same answers every way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyNonZero, mergeRanges } from '../../src/formats/mp4/media-data.js';
import { PlanBuilder } from '../../src/formats/plan-builder.js';
import { BufferSource, FileSource } from '../../src/io/source.js';
import { PlanSource } from '../../src/io/plan-source.js';
import { CountingSource, scratchFolder } from '../helpers/scratch.js';

const files = scratchFolder('traceless-media-data-', '.bin');

describe('anyNonZero', () => {
  const size = 300_000;
  const cases: { name: string; nonZeroAt: number[]; ranges: { offset: number; length: number }[]; expected: boolean }[] = [
    { name: 'all zero', nonZeroAt: [], ranges: [{ offset: 0, length: size }], expected: false },
    { name: 'one byte at the very end', nonZeroAt: [size - 1], ranges: [{ offset: 0, length: size }], expected: true },
    { name: 'one byte just past a 64 KB read', nonZeroAt: [65_536], ranges: [{ offset: 1, length: 70_000 }], expected: true },
    { name: 'a byte outside every range', nonZeroAt: [200_000], ranges: [{ offset: 0, length: 199_999 }, { offset: 200_001, length: 50_000 }], expected: false },
    { name: 'a byte in the second range', nonZeroAt: [250_000], ranges: [{ offset: 0, length: 1000 }, { offset: 200_001, length: 60_000 }], expected: true },
  ];

  it.each(cases)('answers the same for a file, a buffer and a copy plan: $name', ({ nonZeroAt, ranges, expected }) => {
    const bytes = Buffer.alloc(size);
    for (const at of nonZeroAt) bytes[at] = 7;
    expect(anyNonZero(new BufferSource(bytes), ranges)).toBe(expected);
    const file = new FileSource(files.save(bytes), 4096);
    try {
      expect(anyNonZero(file, ranges)).toBe(expected);
    } finally {
      file.close();
    }
    const copied = new PlanSource(new PlanBuilder().copyImage(0, size).build().pieces, new BufferSource(bytes), 'out');
    expect(anyNonZero(copied, ranges)).toBe(expected);
  });

  it('steps over the runs a plan writes as zeros without reading the input behind them', () => {
    const input = Buffer.alloc(10_000_000, 0xaa);
    const counted = new CountingSource(new BufferSource(input));
    const plan = new PlanBuilder().bytes(Buffer.from([0, 0])).zeros(9_000_000).copyImage(9_000_002, 100).build();
    const output = new PlanSource(plan.pieces, counted, 'out');
    expect(anyNonZero(output, [{ offset: 2, length: 9_000_000 }])).toBe(false);
    expect(counted.bytesRead).toBe(0);
    expect(anyNonZero(output, [{ offset: 2, length: 9_000_050 }])).toBe(true);
  });
});

describe('mergeRanges', () => {
  /** The obvious way: sort by offset, then join each range to the last when it overlaps or touches it. */
  const byHand = (ranges: { offset: number; length: number }[]) => {
    const merged: { offset: number; length: number }[] = [];
    for (const range of ranges.filter((candidate) => candidate.length > 0).sort((a, b) => a.offset - b.offset)) {
      const last = merged[merged.length - 1];
      if (last && range.offset <= last.offset + last.length) last.length = Math.max(last.length, range.offset + range.length - last.offset);
      else merged.push({ offset: range.offset, length: range.length });
    }
    return merged;
  };

  it('joins overlapping and touching ranges, drops empty ones, in offset order', () => {
    expect(mergeRanges([{ offset: 10, length: 5 }, { offset: 0, length: 10 }, { offset: 30, length: 0 }, { offset: 12, length: 1 }, { offset: 20, length: 4 }])).toEqual([
      { offset: 0, length: 15 },
      { offset: 20, length: 4 },
    ]);
    expect(mergeRanges([])).toEqual([]);
  });

  it('gives what sorting and joining by hand gives, for any ranges (repeats included)', () => {
    const range = fc.record({ offset: fc.integer({ min: 0, max: 200 }), length: fc.integer({ min: 0, max: 40 }) });
    fc.assert(fc.property(fc.array(range, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (ranges, copies) => {
      const repeated = Array.from({ length: copies }, () => ranges).flat();
      expect(mergeRanges(repeated)).toEqual(byHand(repeated));
    }), { numRuns: 500 });
  });
});
