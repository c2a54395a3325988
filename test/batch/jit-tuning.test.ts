/**
 * The CLI tunes V8's tiering for folder runs only (src/batch/jit-tuning.ts): the flags exist in
 * this Node's V8, are set once when worker threads start, and never for a one-photo run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchJitFlags, jitTuningSupported, minimumFilesPerWorkerToTune } from '../../src/batch/jit-tuning.js';
import { phoneJpeg } from '../fixtures/jpeg.js';
import { runBuiltWithPreload } from '../helpers/cli.js';
import { scratchFolder } from '../helpers/scratch.js';

const root = join(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'bundle', 'cli.cjs'));
const files = scratchFolder('traceless-jit-tuning-');

/** A preload that reports every V8 flag the process sets, on stderr (workers run it too, and set none). */
const watchFlags =
  "const v8 = require('node:v8'); const set = v8.setFlagsFromString;\n" +
  "v8.setFlagsFromString = function (flag) { require('node:fs').writeSync(2, 'V8 FLAG ' + flag + '\\n'); return set.call(this, flag); };\n";

function runBuilt(...args: string[]) {
  const result = runBuiltWithPreload(files.path(), watchFlags, args);
  return { ...result, flags: [...result.stderr.matchAll(/^V8 FLAG (.*)$/gm)].map((match) => match[1]) };
}

/** A folder of `count` copies of `photo` (photo-0.jpg …) in the scratch folder. */
function photoFolder(name: string, photo: Buffer, count: number): string {
  const folder = join(files.path(), name);
  mkdirSync(folder);
  for (let index = 0; index < count; index++) writeFileSync(join(folder, `photo-${index}.jpg`), photo);
  return folder;
}

describe('V8 tuning for folder runs', () => {
  it('applies only to the V8 versions it was measured on', () => {
    expect(jitTuningSupported('11.3.244.8-node.33')).toBe(true);
    expect(jitTuningSupported('12.4.254.21-node.33')).toBe(true);
    expect(jitTuningSupported('13.6.233.10-node.29')).toBe(false);
    expect(jitTuningSupported('10.2.154.26-node.26')).toBe(false);
  });

  it.skipIf(!jitTuningSupported())('uses flags this V8 knows (an unknown one would stop node at start)', () => {
    const result = spawnSync(process.execPath, [...batchJitFlags, '-e', 'process.stdout.write("started")'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('started');
    expect(result.status).toBe(0);
  });

  it.skipIf(!built || !jitTuningSupported())('is set once for a folder of enough files per worker, never for one photo or a few', async () => {
    const photo = await phoneJpeg();
    const folder = photoFolder('photos', photo, 2 * minimumFilesPerWorkerToTune);
    const few = photoFolder('few', photo, 2 * minimumFilesPerWorkerToTune - 1);

    const one = runBuilt('scan', join(folder, 'photo-0.jpg'), '--json');
    expect(one.flags).toEqual([]);
    expect(one.code).toBe(0);

    const scan = runBuilt('scan', folder, '--json', '--jobs', '2');
    expect(scan.flags).toEqual([...batchJitFlags]);
    expect(scan.stdout.trim().split('\n')).toHaveLength(2 * minimumFilesPerWorkerToTune + 1); // the reports and the summary

    const clean = runBuilt('clean', folder, '-o', join(files.path(), 'out'), '--jobs', '2', '--json');
    expect(clean.flags).toEqual([...batchJitFlags]);
    expect(clean.code).toBe(0);
    expect(existsSync(join(files.path(), 'out', 'photo-1.jpg'))).toBe(true);

    // Too few files for two workers, or one job (no worker threads): nothing tuned.
    expect(runBuilt('scan', few, '--json', '--jobs', '2').flags).toEqual([]);
    expect(runBuilt('scan', folder, '--json', '--jobs', '1').flags).toEqual([]);
  });

  it.skipIf(!built || !jitTuningSupported())('never makes a run reject and re-write the code caches the build wrote', async () => {
    // V8 rejects a cache made under other flags: tuned runs have caches of their own (bin/load-cached.js).
    const bundles = join(root, 'dist', 'bundle');
    const caches = () => new Map(readdirSync(bundles).filter((name) => name.endsWith('.cache')).map((name) => [name, statSync(join(bundles, name)).mtimeMs]));
    expect([...caches().keys()]).toEqual(expect.arrayContaining(['cli.cjs.cache', 'worker-main.cjs.tuned.cache']));
    const folder = photoFolder('cache-photos', await phoneJpeg(), 2 * minimumFilesPerWorkerToTune);
    const before = caches();
    for (let round = 0; round < 2; round++) {
      const scan = runBuilt('scan', folder, '--json', '--jobs', '2');
      expect(scan.code).toBe(0);
      expect(scan.flags).toEqual([...batchJitFlags]);
      expect(runBuilt('scan', join(folder, 'photo-0.jpg')).code).toBe(0);
      expect(runBuilt('clean', folder, '-o', join(files.path(), `cache-out-${round}`), '--jobs', '2').code).toBe(0);
    }
    // Each cache the build wrote is still the one it wrote (other test files may add caches of their own meanwhile).
    const after = caches();
    for (const [name, written] of before) expect([name, after.get(name)]).toEqual([name, written]);
    // The first bundle loads before any tuning: it never gets a tuned cache.
    expect(after.has('cli.cjs.tuned.cache')).toBe(false);
  });
});
