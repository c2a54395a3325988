/** `traceless scan` in plain words for each kind of file people post: PNG, HEIC, video. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { corpusAvailable, corpusRoot } from '../helpers/corpus.js';
import { exiftoolTags } from '../helpers/exiftool.js';
import { dirtyPng } from '../fixtures/png.js';
import { actionCameraClip, removeScratch } from '../fixtures/mp4.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'traceless-scan-formats-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeScratch();
});

describe('traceless scan per format', () => {
  it('prints the decoded GPS position of a PNG with eXIf', async () => {
    const path = join(work, 'screenshot.png');
    writeFileSync(path, await dirtyPng());
    const run = await runCli('scan', path);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Location: 37\.77493 N, 122\.41942 W — near San Francisco, California, United States of America \(~1 km\) \(altitude 12 m[^)]*\)/);
    expect(run.stdout).toContain('eXIf');
  });

  const iphone = join(corpusRoot, 'MikeKovarik+exifr', 'test', 'fixtures', 'heic-iphone.heic');
  it.skipIf(!corpusAvailable || !existsSync(iphone))('prints the decoded GPS position of an iPhone HEIC, as ExifTool reads it', async () => {
    const run = await runCli('scan', '--json', iphone);
    const report = JSON.parse(run.lines[0]!);
    const tags = exiftoolTags(iphone);
    const latitude = Number(tags['EXIF:GPS:GPSLatitude']) * (tags['EXIF:GPS:GPSLatitudeRef'] === 'S' ? -1 : 1);
    const longitude = Number(tags['EXIF:GPS:GPSLongitude']) * (tags['EXIF:GPS:GPSLongitudeRef'] === 'W' ? -1 : 1);
    expect(report.format.id).toBe('heif');
    expect(report.locations[0].latitude).toBeCloseTo(latitude, 5);
    expect(report.locations[0].longitude).toBeCloseTo(longitude, 5);
    const text = await runCli('scan', iphone);
    expect(text.stdout).toMatch(/Location: \d+\.\d{5} [NS], \d+\.\d{5} [EW]/);
    expect(text.stdout).toContain('Apple');
  });

  it('reports a video’s location, device, dates and telemetry track with its first GPS fix', async () => {
    const path = join(work, 'GOPR0001.MP4');
    writeFileSync(path, actionCameraClip());
    const run = await runCli('scan', path);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Location: 37\.77490 N, 122\.41940 W/);
    expect(run.stdout).toContain('ActionCam 9');
    expect(run.stdout).toContain('SERIAL-C3441324567890');
    expect(run.stdout).toContain('  Taken: 2024-05-01 10:11:12 Z');
    const json = JSON.parse((await runCli('scan', '--json', path)).lines[0]!);
    const telemetry = json.locations.find((location: { where: string }) => /gpmd|GPMF|trak/i.test(location.where));
    expect(telemetry).toBeDefined();
    expect(telemetry.latitude).toBeCloseTo(37.7749, 3);
  });
});
