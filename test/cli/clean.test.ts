import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { phoneJpeg } from '../fixtures/jpeg.js';

let work: string;
let photoBytes: Buffer;
let folder: string;
let photo: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'traceless-clean-'));
  photoBytes = await phoneJpeg({ trailerImage: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => {
  folder = mkdtempSync(join(work, 'case-'));
  photo = join(folder, 'IMG_1.jpg');
  writeFileSync(photo, photoBytes);
});

const leaks = (path: string) => inspectSync(path).findings.filter((finding) => !finding.retained);

describe('traceless clean', () => {
  it('writes NAME.clean.EXT beside the original and leaves the original untouched', async () => {
    const run = await runCli('clean', photo);
    expect(run.code).toBe(0);
    const output = join(folder, 'IMG_1.clean.jpg');
    expect(leaks(output)).toEqual([]);
    expect(readFileSync(photo)).toEqual(photoBytes);
    expect(run.stdout).toContain('cleaned');
  });

  it('writes under -o DIR with the same names and reports JSON lines with the contract fields', async () => {
    const out = join(folder, 'out');
    const run = await runCli('clean', photo, '-o', out, '--json');
    expect(run.code).toBe(0);
    const line = JSON.parse(run.lines[0]!);
    expect(Object.keys(line).slice(0, 5)).toEqual(['file', 'output', 'status', 'removed', 'error']);
    expect(line).toMatchObject({ file: photo, output: join(out, 'IMG_1.jpg'), status: 'cleaned', error: null });
    expect(line.removed.map((removal: { where: string }) => removal.where)).toEqual(expect.arrayContaining(['APP1/Exif', 'APP1/XMP', 'APP13/Photoshop', 'COM', 'trailer']));
    expect(leaks(join(out, 'IMG_1.jpg'))).toEqual([]);
  });

  it('does not overwrite an existing output that is not clean, unless --force', async () => {
    const out = join(folder, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'IMG_1.jpg'), photoBytes);
    const refused = await runCli('clean', photo, '-o', out, '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.lines[0]!)).toMatchObject({ status: 'refused', error: { code: 'OUTPUT_EXISTS' } });
    expect(readFileSync(join(out, 'IMG_1.jpg'))).toEqual(photoBytes);
    const forced = await runCli('clean', photo, '-o', out, '--force', '--json');
    expect(forced.code).toBe(0);
    expect(leaks(join(out, 'IMG_1.jpg'))).toEqual([]);
    // A second run finds the clean output and skips it.
    const again = await runCli('clean', photo, '-o', out, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.lines[0]!).status).toBe('skipped');
  });

  it('replaces the original only with --in-place, through a verified temporary file', async () => {
    const run = await runCli('clean', photo, '--in-place');
    expect(run.code).toBe(0);
    expect(leaks(photo)).toEqual([]);
    expect(readdirSync(folder)).toEqual(['IMG_1.jpg']);
  });

  it('keeps other metadata with --only location', async () => {
    const run = await runCli('clean', photo, '--only', 'location', '--json');
    expect(run.code).toBe(0);
    const report = inspectSync(join(folder, 'IMG_1.clean.jpg'));
    expect(report.locations).toEqual([]);
    expect(report.findings.some((finding) => finding.tag === 'Make')).toBe(true);
  });

  it('drops orientation with --drop-orientation', async () => {
    await runCli('clean', photo, '--drop-orientation');
    const findings = inspectSync(join(folder, 'IMG_1.clean.jpg')).findings;
    expect(findings.map((finding) => finding.tag)).toEqual(['ICC_Profile']);
  });

  it('refuses unsupported and malformed files with a clear message, writes nothing, exits 1', async () => {
    const text = join(folder, 'notes.txt');
    writeFileSync(text, 'not an image');
    const truncated = join(folder, 'cut.jpg');
    const single = await phoneJpeg();
    writeFileSync(truncated, single.subarray(0, single.length - 50));
    const run = await runCli('clean', text, truncated, '--json');
    expect(run.code).toBe(1);
    // One line per file, in the order the workers finish them.
    const results = run.lines.map((line) => JSON.parse(line) as { file: string; error: { message: string } });
    const first = results.find((result) => result.file.endsWith('notes.txt'));
    const second = results.find((result) => result.file.endsWith('cut.jpg'))!;
    expect(first).toMatchObject({ status: 'refused', output: null, error: { code: 'UNSUPPORTED_FORMAT' } });
    expect(second).toMatchObject({ status: 'refused', output: null, error: { code: 'TRUNCATED' } });
    expect(second.error.message).toContain('cut.jpg');
    expect(existsSync(join(folder, 'cut.clean.jpg'))).toBe(false);
    expect(existsSync(join(folder, 'notes.clean.txt'))).toBe(false);
    expect(readdirSync(folder).some((name) => name.includes('traceless'))).toBe(false);
  });

  it('exits 2 on bad usage', async () => {
    expect((await runCli('clean')).code).toBe(2);
    expect((await runCli('clean', photo, '--only', 'faces')).code).toBe(2);
    expect((await runCli('clean', photo, '--in-place', '-o', folder)).code).toBe(2);
    expect((await runCli('frobnicate')).code).toBe(2);
  });
});
