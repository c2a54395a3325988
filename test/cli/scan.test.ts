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
  it('says where the photo was taken, in plain words: the risk with one line of why, then what matters', async () => {
    const run = await runCli('scan', photo);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^HIGH RISK .*IMG_1234\.jpg \(JPEG, [^)]+\): reveals a precise location, a serial number, /);
    expect(lines.filter((line) => line.startsWith('  Location: '))).toEqual([
      '  Location: 37.77493 N, 122.41942 W — near San Francisco, California, United States of America (~1 km) (altitude 12 m, GPS time 2024-05-01 17:11:12 Z), taken 2024-05-01 10:11:12 [APP1/Exif/GPS]',
      // The fixture's maker note holds a last fix written as text.
      '  Location: 51.50070 N, 0.12460 W — near City of Westminster, England, United Kingdom (~1 km), taken 2024-05-01 10:11:12 [APP1/Exif/ExifIFD/MakerNote]',
      '  Location: 33.86880 S, 151.20930 E — near Sydney, New South Wales, Australia (~1 km) [APP1/Exif/IFD1/thumbnail/APP1/Exif/GPS]',
      '  Location: 48.85837 N, 2.29448 E — near Paris, Île-de-France, France (~4 km), taken 2024-05-01 10:11:12 [APP1/XMP]',
    ]);
    expect(lines).toContain('  Device: TestCam Inc. TestCam Pro 9');
    expect(lines.find((line) => line.startsWith('  Serial numbers: '))).toContain('SN-CAMERA-0042-XYZ (Camera serial number)');
    expect(lines).toContain('  Taken: 2024-05-01 10:11:12');
    expect(lines.at(-2)).toMatch(/^ {2}\d+ more details \(--details\)$/);
    // Where first, then the device, people, time, embedded pictures.
    const order = ['  Location: ', '  Device: ', '  Serial numbers: ', '  People: ', '  Taken: ', '  Embedded: '].map((start) => lines.findIndex((line) => line.startsWith(start)));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('--details lists every finding as found, by category, with its place in the file', async () => {
    const run = await runCli('scan', '--details', photo);
    expect(run.code).toBe(0);
    const order = ['Location details:', '  Device:\n', 'Time:', 'Owner:', 'Thumbnails:'].map((heading) => run.stdout.indexOf(heading));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.stdout).toContain('Camera serial number: SN-CAMERA-0042-XYZ');
    expect(run.stdout).not.toContain('more details (--details)');
  });

  it('--summary prints one line per file and the totals; --quiet only the files that reveal something', async () => {
    const bare = join(work, 'bare-summary.jpg');
    writeFileSync(bare, await basePixelsJpeg());
    const summary = await runCli('scan', '--summary', photo, bare);
    expect(summary.code).toBe(0);
    // One line per file (in the order the workers finish them), then the totals.
    const lines = summary.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2).sort()).toEqual([expect.stringMatching(/^HIGH RISK .*IMG_1234\.jpg/), expect.stringMatching(/^NO RISK FOUND .*bare-summary\.jpg/)]);
    expect(lines[2]).toMatch(/^2 file\(s\) scanned/);
    const quiet = await runCli('scan', '--quiet', photo, bare);
    expect(quiet.stdout).toMatch(/^HIGH RISK .*IMG_1234\.jpg/);
    expect(quiet.stdout).not.toMatch(/^NO RISK FOUND/m);
    expect(quiet.stdout).toContain('2 file(s) scanned');
  });

  it('removes control characters from strings found in files', async () => {
    const hostile = join(work, 'hostile.jpg');
    writeFileSync(hostile, insertSegments(await basePixelsJpeg(), [commentSegment('evil\u001b[31mRED\u0007\u202Egnp.exe'), exifSegment({ make: 'Bad\u001b]0;title\u0007Make', gps: { latitude: 1, longitude: 2 } })]));
    const run = await runCli('scan', '--details', hostile);
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
    expect(summary.risk).toEqual({ high: 2, medium: 0, unknown: 0, low: 0, none: 0 });
    expect(report.findings.find((finding: { tag: string }) => finding.tag === 'Make').meaning).toBe('make');
    expect(summary.places[0]).toEqual({ latitude: 37.77, longitude: -122.42, placeName: 'near San Francisco, California, United States of America (~1 km)', countryCode: 'US', files: 2 });
    expect(report.format.id).toBe('jpeg');
    expect(report.risk.level).toBe('high');
    expect(report.risk.reasons[0]).toMatchObject({ level: 'high', code: 'precise-location' });
    expect(report.locations[0].latitude).toBeCloseTo(37.774929, 5);
    expect(report.locations[0]).toMatchObject({ placeName: 'near San Francisco, California, United States of America (~1 km)', countryCode: 'US', town: 'San Francisco', admin1: 'California' });
    expect(report.findings.find((finding: { tag: string }) => finding.tag === 'Make').category).toBe('device');
  });

  it('groups files by risk level in the summary and names the distinct places', async () => {
    const bare = join(work, 'bare.jpg');
    writeFileSync(bare, await basePixelsJpeg());
    const run = await runCli('scan', photo, bare);
    expect(run.code).toBe(0);
    const summary = run.stdout.slice(run.stdout.indexOf('2 file(s) scanned')).split('\n');
    expect(summary.slice(1, 4)).toEqual(['  Risk: 1 high, 0 medium, 0 not checked, 0 low, 1 none', `    high: ${photo}`, `    none: ${bare}`]);
    expect(summary).toContain('  4 distinct place(s) (rounded to ~1 km):');
    expect(summary).toContain('    37.77,-122.42 near San Francisco, California, United States of America (~1 km) (1 file(s))');
    expect(summary).toContain('    -33.87,151.21 near Sydney, New South Wales, Australia (~1 km) (1 file(s))');
    expect(run.stdout).toMatch(/^NO RISK FOUND .*bare\.jpg \(JPEG, [^)]+\): nothing revealing found$/m);
  });

  it('says plainly when a file is not a photo or video', async () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'hello');
    const run = await runCli('scan', text);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NOT CHECKED .*notes\.txt \(unknown, 5 bytes\): not a photo or video traceless knows/);
    expect(run.stdout).not.toContain('NO RISK');
  });

  it('exits 2 for a missing file; a damaged one is reported as far as it can be read (exit 0)', async () => {
    const missing = await runCli('scan', join(work, 'missing.jpg'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.jpg');
    const broken = join(work, 'broken.jpg');
    writeFileSync(broken, Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2]));
    const run = await runCli('scan', broken);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('broken.jpg');
    expect(run.stdout).toMatch(/Could not read: .*declares 65535 bytes but the file ends/);
    const json = await runCli('scan', '--json', broken);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.lines[0]!).unreadable.join('\n')).toContain('declares 65535 bytes');
  });
});
