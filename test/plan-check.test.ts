import { describe, expect, it } from 'vitest';
import { checkPlanPieces, findResidue, residueNeedles } from '../src/plan-check.js';
import { PlanBuilder } from '../src/formats/plan-builder.js';
import { BufferSource } from '../src/io/source.js';
import { PlanSource } from '../src/io/plan-source.js';
import type { Finding, Inspection } from '../src/types.js';

function finding(category: Finding['category'], value: Finding['value'], retained = false): Finding {
  const result: Finding = { category, where: 'test/where', tag: 'Tag', label: 'Label', value, text: String(value) };
  if (retained) result.retained = true;
  return result;
}

function inspection(findings: Finding[]): Inspection {
  return { file: 'x', format: { id: 'jpeg', name: 'JPEG', cleanable: true }, size: 0, blocks: [], findings, locations: [], warnings: [], unreadable: [] };
}

describe('typed pieces', () => {
  it('refuses a copy that is not typed as image or sample data', () => {
    expect(checkPlanPieces([{ kind: 'copy', offset: 0, length: 4 }], 10)).toHaveLength(1);
    expect(checkPlanPieces([{ kind: 'copy', offset: 0, length: 4, content: 'image' }, { kind: 'bytes', data: Buffer.from('ab') }, { kind: 'zeros', length: 3 }], 10)).toEqual([]);
  });

  it('refuses a copy past the end of the input', () => {
    expect(checkPlanPieces([{ kind: 'copy', offset: 8, length: 4, content: 'samples' }], 10)[0]).toMatch(/past the end/);
  });

  it('the builder merges neighbours of the same kind and never merges image with samples', () => {
    const plan = new PlanBuilder().copyImage(0, 4).copyImage(4, 4).copySamples(8, 2).zeros(2).zeros(3).bytes(Buffer.from('x')).build();
    expect(plan.pieces).toEqual([
      { kind: 'copy', offset: 0, length: 8, content: 'image' },
      { kind: 'copy', offset: 8, length: 2, content: 'samples' },
      { kind: 'zeros', length: 5 },
      { kind: 'bytes', data: Buffer.from('x') },
    ]);
  });
});

describe('residue', () => {
  it('searches removed string values, not short or kept ones', () => {
    const needles = residueNeedles(
      inspection([finding('owner', 'Jane Q. Photographer'), finding('device', 'Apple'), finding('device', 'Canon EOS 5D'), finding('device', 'Canon EOS 5D', true), finding('time', '2024:05:01 10:11:12')]),
      'all',
    );
    const values = new Set(needles.map((needle) => needle.value));
    expect(values).toEqual(new Set(['Jane Q. Photographer', '2024:05:01 10:11:12']));
  });

  it('in location mode only location values are searched', () => {
    const needles = residueNeedles(inspection([finding('owner', 'Jane Q. Photographer'), finding('location', 'Springfield-Secret-City')]), 'location');
    expect(new Set(needles.map((needle) => needle.value))).toEqual(new Set(['Springfield-Secret-City']));
  });

  it('finds a value in any encoding, across a piece boundary, and in copied data', () => {
    const needles = residueNeedles(inspection([finding('owner', 'Jane Q. Photographer')]), 'all');
    const utf16 = Buffer.from('Jane Q. Photographer', 'utf16le');
    const input = new BufferSource(Buffer.concat([Buffer.alloc(16), Buffer.from('Jane Q. Photographer'), Buffer.alloc(16)]), 'in');
    // Written bytes holding the UTF-16 value split over two pieces.
    const split = new PlanBuilder().bytes(utf16.subarray(0, 10)).bytes(utf16.subarray(10)).build();
    expect(findResidue(new PlanSource(split.pieces, input, 'out'), needles, split.pieces).map((needle) => needle.encoding)).toEqual(['utf16le']);
    // Image data copied from the input that holds the value.
    const copied = new PlanBuilder().bytes(Buffer.from('head')).copyImage(0, input.size).build();
    expect(findResidue(new PlanSource(copied.pieces, input, 'out'), needles, copied.pieces).map((needle) => needle.encoding)).toEqual(['utf8']);
    // Zeros in its place: nothing found.
    const zeroed = new PlanBuilder().bytes(Buffer.from('head')).zeros(input.size).build();
    expect(findResidue(new PlanSource(zeroed.pieces, input, 'out'), needles, zeroed.pieces)).toEqual([]);
  });
});

describe('residue search (one sampled pass)', () => {
  it('finds every needle at every alignment and length, as a byte-by-byte search would', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8;
    const needles = ['Jane Q.', 'Secret-Street 1', 'Photographer of Note', 'abcdef'].map((value) => ({ value, where: 'w', encoding: 'utf8' as const, bytes: Buffer.from(value) }));
    for (let trial = 0; trial < 200; trial++) {
      const data = Buffer.alloc(200 + (random() % 300));
      for (let index = 0; index < data.length; index++) data[index] = random() & 0xff;
      const needle = needles[trial % needles.length]!;
      const at = random() % (data.length - needle.bytes.length);
      needle.bytes.copy(data, at);
      const expected = needles.filter((candidate) => data.indexOf(candidate.bytes) !== -1);
      const found = findResidue(new BufferSource(data, 'x'), needles);
      expect(new Set(found)).toEqual(new Set(expected));
    }
  });

  it('finds every needle in data large enough for the gram tables (past the small-window search), as a byte-by-byte search would', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8;
    const needles = ['Jane Q.', 'Secret-Street 1', 'Photographer of Note', 'abcdef', 'x'].map((value) => ({ value, where: 'w', encoding: 'utf8' as const, bytes: Buffer.from(value) }));
    for (let trial = 0; trial < 40; trial++) {
      const data = Buffer.alloc(17 * 1024 + (random() % 20000));
      // Bytes other than 'x' (the one-byte needle is planted only when chosen).
      for (let index = 0; index < data.length; index++) data[index] = random() & 0x7f || 1;
      for (let index = 0; index < data.length; index++) if (data[index] === 0x78) data[index] = 0x79;
      const needle = needles[trial % needles.length]!;
      const at = trial % 3 === 0 ? data.length - needle.bytes.length : trial % 3 === 1 ? 0 : random() % (data.length - needle.bytes.length);
      needle.bytes.copy(data, at);
      const expected = needles.filter((candidate) => data.indexOf(candidate.bytes) !== -1);
      const found = findResidue(new BufferSource(data, 'x'), needles);
      expect(new Set(found)).toEqual(new Set(expected));
      expect(found).toContain(needle);
    }
  });

  it('finds a value inside copied data, at either edge of the copy and across it', () => {
    const needles = residueNeedles(inspection([finding('owner', 'Jane Q. Photographer')]), 'all');
    const value = Buffer.from('Jane Q. Photographer');
    for (const split of [0, 1, 5, value.length - 1, value.length]) {
      // The value's first `split` bytes are written by traceless, the rest copied from the input.
      const input = new BufferSource(Buffer.concat([value.subarray(split), Buffer.alloc(64, 0x41)]), 'in');
      const plan = new PlanBuilder().bytes(Buffer.concat([Buffer.from('head'), value.subarray(0, split)])).copyImage(0, input.size).zeros(8).build();
      expect(findResidue(new PlanSource(plan.pieces, input, 'out'), needles, plan.pieces).map((needle) => needle.encoding)).toEqual(['utf8']);
      // Copied data that ends with the value's start, followed by zeros and more copied data holding its end.
      const input2 = new BufferSource(Buffer.concat([Buffer.alloc(32, 0x42), value]), 'in2');
      const plan2 = new PlanBuilder().bytes(Buffer.from('head')).copyImage(0, 32 + split).copyImage(32 + split, value.length - split).build();
      expect(findResidue(new PlanSource(plan2.pieces, input2, 'out'), needles, plan2.pieces).map((needle) => needle.encoding)).toEqual(['utf8']);
    }
  });
});
