/**
 * The built CLI is two bundles (scripts/bundle.mjs): `cli.cjs` with what a JPEG needs, and
 * `cli-late.cjs` with the other containers and the HTML report, loaded on first use. A JPEG scan
 * never loads the late one; a PNG or `--html` does, gets the same answers as the compiled modules,
 * and errors thrown in late code keep their code (one TracelessError class for both bundles).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { phoneJpeg } from '../fixtures/jpeg.js';
import { dirtyPng } from '../fixtures/png.js';
import { buildFullTiff } from '../fixtures/tiff.js';
import { runBuiltWithPreload, runCli } from '../helpers/cli.js';
import { scratchFolder } from '../helpers/scratch.js';

const root = join(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'bundle', 'cli-late.cjs'));
const files = scratchFolder('traceless-bundle-split-', '.bin');

/** A preload that reports each late bundle the process opens (to read it), on stderr. */
const watchLate =
  "const fs = require('node:fs'); const open = fs.openSync;\n" +
  "fs.openSync = function (file, ...rest) { if (String(file).endsWith('-late.cjs')) fs.writeSync(2, 'LATE BUNDLE LOADED\\n'); return open.call(this, file, ...rest); };\n";

function runBuilt(...args: string[]) {
  const result = runBuiltWithPreload(files.path(), watchLate, args);
  return { ...result, late: result.stderr.includes('LATE BUNDLE LOADED') };
}

describe.skipIf(!built)('the split bundle', () => {
  it('scans a JPEG without loading the late bundle, with the same report as the compiled modules', async () => {
    const photo = files.save(await phoneJpeg());
    const run = runBuilt('scan', photo, '--json');
    expect(run.late).toBe(false);
    const compiled = await runCli('scan', photo, '--json');
    expect(run.code).toBe(compiled.code);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(compiled.stdout));
    expect(JSON.parse(run.stdout).locations.length).toBeGreaterThan(0);
  });

  it('loads the late bundle for a PNG, a TIFF and an HTML report, and reports as the compiled modules do', async () => {
    const png = files.save(await dirtyPng());
    for (const file of [png, files.save(buildFullTiff())]) {
      const run = runBuilt('scan', file, '--json');
      expect(run.late).toBe(true);
      expect(run.stderr.replace('LATE BUNDLE LOADED\n', '')).toBe('');
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse((await runCli('scan', file, '--json')).stdout));
    }
    const report = join(files.path(), 'report.html');
    const html = runBuilt('scan', png, '--html', report);
    expect(html.late).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('<html');
  });

  it('keeps the error code of a file refused inside the late bundle (never INTERNAL)', async () => {
    const png = await dirtyPng();
    // A chunk length that runs past the end of the file.
    const broken = Buffer.concat([png.subarray(0, 33), Buffer.from([0x7f, 0xff, 0xff, 0xff]), Buffer.from('tEXtnothing')]);
    const path = files.save(broken);
    const run = runBuilt('clean', path, '-o', join(files.path(), 'out'), '--json');
    expect(run.late).toBe(true);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).not.toContain('INTERNAL');
    const compiled = await runCli('clean', path, '-o', join(files.path(), 'out-compiled'), '--json');
    expect(run.code).toBe(compiled.code);
    const code = (output: string) => (JSON.parse(output.split('\n')[0]!) as { error?: { code?: string } }).error?.code;
    expect(code(run.stdout)).toMatch(/^(MALFORMED|TRUNCATED)$/);
    expect(code(run.stdout)).toBe(code(compiled.stdout));
  });
});
