/**
 * Walk once: verifying a planned JPEG output does not search the entropy-coded data the input's
 * own walk already searched — and only where that walk vouches for the bytes, never on the plan's word.
 */
import { describe, expect, it } from 'vitest';
import { walkJpeg } from '../../src/formats/jpeg/markers.js';
import { analyseJpeg } from '../../src/formats/jpeg/inspect.js';
import { inspectSource } from '../../src/inspect.js';
import { planJpeg } from '../../src/formats/jpeg/plan.js';
import { BufferSource } from '../../src/io/source.js';
import { PlanSource } from '../../src/io/plan-source.js';
import { renderPlan } from '../../src/io/write.js';
import { PlanBuilder } from '../../src/formats/plan-builder.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertSegments, xmpSegment } from '../fixtures/jpeg.js';
import { CountingSource } from '../helpers/scratch.js';


const options = { mode: 'all' as const, keepOrientation: true, keepDates: false };

describe('JPEG verification walk', () => {
  it('walks a planned output to the same layout as its written bytes, without re-reading the copied image data', async () => {
    for (const progressive of [false, true]) {
      const photo = insertSegments(await basePixelsJpeg(256, 192, { progressive }), [exifSegment(), xmpSegment(), commentSegment()]);
      const input = new CountingSource(new BufferSource(photo, 'in'));
      const plan = planJpeg(input, options);
      const entropyBytes = walkJpeg(new BufferSource(photo)).parts.reduce((sum, part) => sum + (part.type === 'entropy' ? part.length : 0), 0);
      expect(entropyBytes).toBeGreaterThan(1000);
      const output = new PlanSource(plan.pieces, input, 'out');
      input.bytesRead = 0;
      const walked = walkJpeg(output);
      // Only a short read from the last byte of each copied run (to meet the marker after it).
      const runs = plan.pieces.filter((piece) => piece.kind === 'copy').length;
      expect(input.bytesRead).toBeLessThanOrEqual(runs * 256);
      expect(input.bytesRead).toBeLessThan(entropyBytes / 2);
      expect(walked).toEqual(walkJpeg(new BufferSource(renderPlan(plan, input))));
    }
  });

  it('searches copied bytes the input walk did not find to be image data, whatever the plan calls them', async () => {
    const photo = insertSegments(await basePixelsJpeg(64, 48), [commentSegment()]);
    const input = new BufferSource(photo, 'in');
    const layout = walkJpeg(input);
    const entropy = layout.parts.find((part) => part.type === 'entropy')!;
    // A wrong plan: everything from the image data to the end (EOI included) "copied as image".
    const wrong = new PlanBuilder().bytes(photo.subarray(0, entropy.offset)).copyImage(entropy.offset, photo.length - entropy.offset).build();
    const walked = walkJpeg(new PlanSource(wrong.pieces, input, 'out'));
    expect(walked).toEqual(walkJpeg(new BufferSource(renderPlan(wrong, input))));
    // A copy of the image data that ends early and an EOI written by the plan: the end is still found.
    const early = new PlanBuilder()
      .bytes(photo.subarray(0, entropy.offset))
      .copyImage(entropy.offset, entropy.length - 3)
      .bytes(Buffer.from([0xff, 0xd9]))
      .build();
    expect(walkJpeg(new PlanSource(early.pieces, input, 'out'))).toEqual(walkJpeg(new BufferSource(renderPlan(early, input))));
    // A copy typed as samples is never skipped either.
    const samples = new PlanBuilder().bytes(photo.subarray(0, entropy.offset)).copySamples(entropy.offset, photo.length - entropy.offset).build();
    expect(walkJpeg(new PlanSource(samples.pieces, input, 'out'))).toEqual(walkJpeg(new BufferSource(renderPlan(samples, input))));
  });

  it('still finds a marker written right after copied image data that ends in a fill byte', () => {
    // SOI, a minimal SOS, entropy bytes ending in 0xFF, EOI.
    const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8]), sos, Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff]), Buffer.from([0xff, 0xd9])]);
    const input = new BufferSource(photo, 'in');
    const layout = walkJpeg(input);
    const entropy = layout.parts.find((part) => part.type === 'entropy')!;
    const plan = new PlanBuilder().bytes(photo.subarray(0, entropy.offset)).copyImage(entropy.offset, entropy.length).bytes(Buffer.from([0xd9, 0x00])).build();
    // The copied run ends with 0xFF; the written 0xD9 after it makes that byte an EOI marker.
    const walked = walkJpeg(new PlanSource(plan.pieces, input, 'out'));
    expect(walked).toEqual(walkJpeg(new BufferSource(renderPlan(plan, input))));
  });

  it('a best-effort inspection reads the image data once: an undamaged walk answers for the strict one too', async () => {
    const photo = insertSegments(await basePixelsJpeg(256, 192), [exifSegment(), xmpSegment(), commentSegment()]);
    const input = new CountingSource(new BufferSource(photo, 'in'));
    const entropyBytes = walkJpeg(new BufferSource(photo)).parts.reduce((sum, part) => sum + (part.type === 'entropy' ? part.length : 0), 0);
    const report = inspectSource(input, undefined, { bestEffort: true });
    expect(report.findings.length).toBeGreaterThan(0);
    expect(input.bytesRead).toBeLessThan(entropyBytes * 1.5);
    expect(analyseJpeg(input)).toBe(analyseJpeg(input, true));
    // A damaged file's lenient walk never stands in for the strict one, which still refuses it.
    const cut = new BufferSource(photo.subarray(0, photo.length - 100), 'cut');
    expect(analyseJpeg(cut, true).layout.damage?.length).toBeGreaterThan(0);
    expect(() => analyseJpeg(cut)).toThrow(/cut short|without an EOI/);
  });
});
