import { describe, expect, it } from 'vitest';
import { sanitize, sanitizeDeep } from '../../src/report/sanitize.js';

const hostile = 'Canon\u001b[31m EOS\u202e\u0000 R5\u200b';

describe('sanitize', () => {
  it('removes controls, bidi overrides and invisible formatting, keeps printable text', () => {
    expect(sanitize(hostile)).toBe('Canon[31m EOS R5');
    expect(sanitize('Zürich — 東京 🙂')).toBe('Zürich — 東京 🙂');
  });

  it('gives back clean text as it is and cuts long text with an ellipsis', () => {
    const clean = 'Apple iPhone 15 Pro';
    expect(sanitize(clean)).toBe(clean);
    expect(sanitize('a'.repeat(12), 10)).toBe(`${'a'.repeat(10)}…`);
    // Cut after removal: the limit counts what is shown.
    expect(sanitize(`${'\u0007'.repeat(20)}abc`, 5)).toBe('abc');
  });

  it('answers the same on repeated calls (no state kept between them)', () => {
    for (let round = 0; round < 3; round++) {
      expect(sanitize('x\u0001y')).toBe('xy');
      expect(sanitize('plain')).toBe('plain');
    }
  });
});

describe('sanitizeDeep', () => {
  it('returns a value with nothing to remove as it is (no copy)', () => {
    const report = { file: 'IMG_1.jpg', findings: [{ label: 'Make', value: 'Canon', list: ['a', 1, null, true] }], size: 12 };
    expect(sanitizeDeep(report)).toBe(report);
  });

  it('cleans every string and key at any depth without touching the input', () => {
    const input = { file: 'a.jpg', findings: [{ label: 'Model', value: hostile }, { label: 'Make', value: 'Canon' }], ['bad\u001bkey']: 1 };
    const output = sanitizeDeep(input);
    expect(output).toEqual({ file: 'a.jpg', findings: [{ label: 'Model', value: 'Canon[31m EOS R5' }, { label: 'Make', value: 'Canon' }], badkey: 1 });
    expect(input.findings[0]!.value).toBe(hostile);
    expect(Object.keys(input)).toContain('bad\u001bkey');
    // What did not change is shared, what did is new.
    expect(output.findings[1]).toBe(input.findings[1]);
    expect(output.findings).not.toBe(input.findings);
    expect(JSON.stringify(output)).not.toMatch(/\\u001b|\u202e|\u200b/);
  });

  it('cleans a string late in an array and keeps the items before it', () => {
    const list = ['one', 'two', 'th\u0000ree', 'four'];
    expect(sanitizeDeep(list)).toEqual(['one', 'two', 'three', 'four']);
    expect(list[2]).toBe('th\u0000ree');
  });

  it('copies objects that are not plain as their own properties, as JSON would list them', () => {
    class Holder {
      value = 'x\u0007';
    }
    expect(sanitizeDeep(new Holder())).toEqual({ value: 'x' });
    expect(sanitizeDeep(Object.assign(Object.create(null), { a: 'b' }))).toEqual({ a: 'b' });
    const buffer = Buffer.from('raw');
    expect(sanitizeDeep(buffer)).toBe(buffer);
  });

  it('cuts very long strings at 10,000 characters and keys at 200', () => {
    const long = 'x'.repeat(10_005);
    const output = sanitizeDeep({ [long.slice(0, 250)]: long });
    const [key, value] = Object.entries(output)[0]!;
    expect(key).toBe(`${'x'.repeat(200)}…`);
    expect(value).toBe(`${'x'.repeat(10_000)}…`);
  });

  it('cleans a change deep inside in one pass (each entry once: 60 levels would never finish if each level cleaned its children twice)', () => {
    let nested: unknown = 'bottom\u001b';
    for (let level = 0; level < 60; level++) nested = { name: `level ${level}`, items: ['a', nested] };
    let output = sanitizeDeep(nested) as { items: unknown[] };
    for (let level = 0; level < 60; level++) output = output.items[1] as { items: unknown[] };
    expect(output).toBe('bottom');
  });
});
