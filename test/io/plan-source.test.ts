/** src/io/plan-source.ts: a planned output read as a source, whatever the read pattern. */
import { describe, expect, it } from 'vitest';
import { PlanBuilder } from '../../src/formats/plan-builder.js';
import { renderPlan } from '../../src/io/write.js';
import { BufferSource } from '../../src/io/source.js';
import { PlanSource } from '../../src/io/plan-source.js';
import { CountingSource } from '../helpers/scratch.js';


describe('PlanSource', () => {
  const input = Buffer.from(Array.from({ length: 200_000 }, (_, index) => (index * 7) & 0xff));

  it('serves every read as the rendered output has it, across many small pieces', () => {
    const builder = new PlanBuilder();
    for (let index = 0; index < 3000; index++) {
      builder.bytes(Buffer.from([index & 0xff, 3]));
      builder.copyImage(index * 50, 9);
      if (index % 100 === 0) builder.zeros(5);
    }
    const plan = builder.build();
    const source = new PlanSource(plan.pieces, new BufferSource(input), 'out');
    const rendered = new BufferSource(renderPlan(plan, new BufferSource(input)));
    expect(source.size).toBe(rendered.size);
    for (let offset = 0; offset < source.size; offset += 97) {
      const length = Math.min(source.size - offset, offset % 3 === 0 ? 64 * 1024 : 40);
      expect(source.read(offset, length).equals(rendered.read(offset, length))).toBe(true);
    }
  });

  it('puts each stretch of small pieces together once when a walker reads ahead in fixed windows (no quadratic cost)', () => {
    const builder = new PlanBuilder();
    for (let index = 0; index < 3000; index++) {
      builder.bytes(Buffer.from([1, 2, 3]));
      builder.copyImage(index * 60, 10);
    }
    const plan = builder.build();
    const counted = new CountingSource(new BufferSource(input));
    const source = new PlanSource(plan.pieces, counted, 'out');
    // As GIF's sub-block walker does: a 64 KB window at each block, however small the block.
    for (let offset = 0; offset < source.size; offset += 13) source.read(offset, Math.min(source.size - offset, 64 * 1024));
    // Each copied byte pulled about once (the windows overlap a little), not once per read.
    expect(counted.bytesRead).toBeLessThan(3 * 3000 * 10);
  });

  it('never pulls a large copy of image data into a window', () => {
    const builder = new PlanBuilder();
    for (let index = 0; index < 20; index++) builder.bytes(Buffer.from([index]));
    builder.copyImage(0, 100_000);
    const counted = new CountingSource(new BufferSource(input));
    const source = new PlanSource(builder.build().pieces, counted, 'out');
    source.read(0, 20);
    expect(counted.bytesRead).toBe(0);
  });

  it('says how many bytes from an offset are written as zeros, as the rendered output has them', () => {
    const builder = new PlanBuilder();
    builder.bytes(Buffer.from([9, 9]));
    builder.zeros(1000);
    builder.zeros(24);
    builder.copyImage(100, 50);
    builder.zeros(10);
    const plan = builder.build();
    const source = new PlanSource(plan.pieces, new BufferSource(input), 'out');
    const rendered = renderPlan(plan, new BufferSource(input));
    expect(source.zerosFrom(0)).toBe(0);
    expect(source.zerosFrom(2)).toBe(1024);
    expect(source.zerosFrom(500)).toBe(526);
    expect(source.zerosFrom(1026)).toBe(0);
    expect(source.zerosFrom(1076)).toBe(10);
    expect(source.zerosFrom(source.size)).toBe(0);
    for (let offset = 0; offset < source.size; offset++) {
      const run = source.zerosFrom(offset);
      expect(rendered.subarray(offset, offset + run).every((byte) => byte === 0)).toBe(true);
    }
  });
});
