/** bin/load-cached.js: a CommonJS bundle runs with its V8 code cache, and without it when the cache is missing or damaged. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the command-line shim
import { cacheFileFor, loadCached, wrap } from '../../bin/load-cached.js';

type Loaded = { exports: { answer: number; file: string; url: string }; saveCache(): void };
const load = loadCached as (file: string) => Loaded;

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

function bundle(): string {
  folder = mkdtempSync(join(tmpdir(), 'traceless-cache-'));
  const file = join(folder, 'b.cjs');
  writeFileSync(file, "const path = require('node:path');\nexports.answer = [1, 2, 3].reduce((a, b) => a + b * 7, 0);\nexports.file = path.basename(__filename);\n");
  return file;
}

describe('code-cached bundle loader', () => {
  it('runs the bundle with CommonJS bindings and writes the cache once', () => {
    const file = bundle();
    const first = load(file);
    expect(first.exports.answer).toBe(42);
    expect(first.exports.file).toBe('b.cjs');
    expect(existsSync(`${file}.cache`)).toBe(false);
    first.saveCache();
    const cache = readFileSync(`${file}.cache`);
    expect(cache.length).toBeGreaterThan(0);
    const second = load(file);
    expect(second.exports.answer).toBe(42);
    second.saveCache();
    expect(readFileSync(`${file}.cache`).equals(cache)).toBe(true);
  });

  it('runs a bundle stored wrapped (as scripts/bundle.mjs writes them) as it runs the plain one, cache included', () => {
    const file = bundle();
    writeFileSync(file, (wrap as (source: string) => string)(readFileSync(file, 'latin1')), 'latin1');
    const first = load(file);
    expect(first.exports).toEqual({ answer: 42, file: 'b.cjs' });
    first.saveCache();
    expect(readFileSync(`${file}.cache`).length).toBeGreaterThan(0);
  });

  it('runs with a cache cut short, and replaces it', () => {
    const first = bundle();
    load(first).saveCache();
    const whole = readFileSync(`${first}.cache`);
    // Another path: V8 would find the first file's script in its in-process cache and not read the file's.
    const file = join(folder!, 'c.cjs');
    writeFileSync(file, readFileSync(first));
    writeFileSync(`${file}.cache`, whole.subarray(0, whole.length >> 1));
    const loaded = load(file);
    expect(loaded.exports.answer).toBe(42);
    loaded.saveCache();
    expect(readFileSync(`${file}.cache`).length).toBe(whole.length);
  });

  it('runs with a damaged cache and replaces it', () => {
    const file = bundle();
    writeFileSync(`${file}.cache`, Buffer.from('not a code cache'));
    const loaded = load(file);
    expect(loaded.exports.answer).toBe(42);
    loaded.saveCache();
    expect(readFileSync(`${file}.cache`).toString('latin1')).not.toBe('not a code cache');
  });

  it('keeps the caches of runs under the folder-run V8 flags apart (V8 rejects a cache made under other flags)', () => {
    const file = bundle();
    const key = Symbol.for('traceless.v8Flags');
    const global = globalThis as Record<symbol, unknown>;
    const saved = global[key];
    const cacheFile = cacheFileFor as (file: string) => string;
    try {
      delete global[key];
      expect(cacheFile(file)).toBe(`${file}.cache`);
      // The environment is not the mark: a child process would inherit it without the flags.
      process.env.TRACELESS_V8_FLAGS = '--interrupt-budget=200000';
      expect(cacheFile(file)).toBe(`${file}.cache`);
      delete process.env.TRACELESS_V8_FLAGS;
      global[key] = '--interrupt-budget=200000';
      expect(cacheFile(file)).toBe(`${file}.tuned.cache`);
      load(file).saveCache();
      expect(existsSync(`${file}.tuned.cache`)).toBe(true);
      expect(existsSync(`${file}.cache`)).toBe(false);
    } finally {
      if (saved === undefined) delete global[key];
      else global[key] = saved;
    }
  });
});
