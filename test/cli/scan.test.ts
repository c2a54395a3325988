import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertSegments, phoneJpeg } from '../fixtures/jpeg.js';

let work: string;
let photo: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'traceless-scan-'));
  photo = join(work, 'IMG_1234.jpg');
  writeFileSync(photo, await phoneJpeg());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('traceless scan', () => {
  it('says where the photo was taken, in plain words, location first', async () => {
    const run = await runCli('scan', photo);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toContain('IMG_1234.jpg (JPEG');
    expect(lines[0]).toContain('reveals location, device, time, owner, thumbnail');
    expect(lines[1]).toBe('  Location: 37.77493 N, 122.41942 W (altitude 12 m, GPS time 2024-05-01T17:11:12Z) — APP1/Exif/GPS');
    const order = ['Location details:', 'Device:', 'Time:', 'Owner:', 'Thumbnails:'].map((heading) => run.stdout.indexOf(heading));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.stdout).toContain('Camera serial number: SN-CAMERA-0042-XYZ');
  });

  it('removes control characters from strings found in files', async () => {
    const hostile = join(work, 'hostile.jpg');
    writeFileSync(hostile, insertSegments(await basePixelsJpeg(), [commentSegment('evil\u001b[31mRED\u0007\u202Egnp.exe'), exifSegment({ make: 'Bad\u001b]0;title\u0007Make', gps: { latitude: 1, longitude: 2 } })]));
    const run = await runCli('scan', hostile);
    expect(run.stdout).toContain('evil[31mREDgnp.exe');
    expect(run.stdout).toContain('Bad]0;titleMake');
    expect(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/.test(run.stdout)).toBe(false);
    const json = await runCli('scan', '--json', hostile);
    expect(json.stdout).not.toMatch(/\\u001b|\u202e/);
  });

  it('prints one JSON object per file per line with the findings', async () => {
    const run = await runCli('scan', '--json', photo, photo);
    expect(run.code).toBe(0);
    // One line per file, then (for several files) one summary line.
    expect(run.lines).toHaveLength(3);
    const report = JSON.parse(run.lines[0]!);
    const { summary } = JSON.parse(run.lines[2]!);
    expect(summary).toMatchObject({ files: 2, revealingLocation: 2, devices: [{ device: 'TestCam Inc. TestCam Pro 9', files: 2 }] });
    expect(report.format.id).toBe('jpeg');
    expect(report.locations[0].latitude).toBeCloseTo(37.774929, 5);
    expect(report.findings.find((finding: { tag: string }) => finding.tag === 'Make').category).toBe('device');
  });

  it('says plainly when a file is not a photo or video', async () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'hello');
    const run = await runCli('scan', text);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('not a recognised photo or video');
    expect(run.stdout).toContain('Could not read: the whole file');
  });

  it('exits 2 for a missing file and a malformed one', async () => {
    expect((await runCli('scan', join(work, 'missing.jpg'))).code).toBe(2);
    const broken = join(work, 'broken.jpg');
    writeFileSync(broken, Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2]));
    const run = await runCli('scan', broken);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('broken.jpg');
    expect(run.stderr).toContain('declares');
  });
});
