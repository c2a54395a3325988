/**
 * Golden text reports: the readable `scan` report of real corpus files and of files built here,
 * compared with the reviewed text in test/report/golden/. A change to the wording is a visible
 * diff. `UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts` rewrites them (read them
 * before committing). Corpus goldens skip with a message when ../shared/corpus is absent; the
 * fixture goldens always run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/inspect.js';
import { assessRisk } from '../../src/report/risk.js';
import { renderHeadline, renderInspection } from '../../src/report/text.js';
import { sanitize } from '../../src/report/sanitize.js';
import type { Finding, Inspection } from '../../src/types.js';
import { corpusAvailable, corpusRoot } from '../helpers/corpus.js';
import { assemblePng, exifChunk } from '../fixtures/png.js';
import { basePixelsJpeg, exifSegment, insertSegments } from '../fixtures/jpeg.js';

const goldenDir = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

/** The report as a person reads it: the default report, then the one-line `--summary` form. */
function report(inspection: Inspection): string {
  const risk = assessRisk(inspection);
  return `${renderInspection(inspection, risk)}\n\n--summary: ${renderHeadline(inspection, risk)}\n`;
}

/** What scan says of a file it cannot read at all. */
function reportOf(input: string | Buffer, name: string): string {
  try {
    const inspection = inspectSync(input, name);
    return report({ ...inspection, file: name });
  } catch (error) {
    return `could not be read: ${sanitize((error as Error).message)}\n`;
  }
}

function compare(name: string, text: string): void {
  const path = join(goldenDir, `${name}.txt`);
  if (update || !existsSync(path)) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, text);
    if (!update) throw new Error(`golden ${name}.txt did not exist: written; review it and run again`);
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}

/** Varied real files: phone JPEG with GPS, iPhone HEIC, DJI TIFF, DNG, iPad MOV, GoPro MP4, PNG, WebP, Canon CR3. */
const corpusFiles: Record<string, string> = {
  'jpeg-pixel-gps': 'MikeKovarik+exifr/test/fixtures/IMG_20180725_163423.jpg',
  'heic-iphone': 'MikeKovarik+exifr/test/fixtures/heic-iphone.heic',
  'tiff-dji-xt2': 'MikeKovarik+exifr/test/fixtures/002.tiff',
  'dng-canon': 'exiftool+exiftool/t/images/DNG.dng',
  'mov-ipad': 'photoprism+photoprism/pkg/media/video/testdata/quicktime-hvc1.mov',
  'mp4-gopro-max': 'gopro+gpmf-parser/samples/max-heromode.mp4',
  'png-exif-gps': 'MikeKovarik+exifr/test/fixtures/png/png_with_exif_and_gps.png',
  'webp-riff': 'exiftool+exiftool/t/images/RIFF.webp',
  'cr3-canon': 'exiftool+exiftool/t/images/CanonRaw.cr3',
};

/** Damaged copies made from corpus files: cut short. */
const damaged: Record<string, { from: string; bytes: number }> = {
  'damaged-cr3-cut': { from: 'exiftool+exiftool/t/images/CanonRaw.cr3', bytes: 2000 },
  'damaged-jpeg-cut': { from: 'MikeKovarik+exifr/test/fixtures/IMG_20180725_163423.jpg', bytes: 30000 },
};

describe('golden reports of corpus files', () => {
  if (!corpusAvailable) console.warn(`golden corpus reports SKIPPED: no corpus at ${corpusRoot}`);
  for (const [name, path] of Object.entries(corpusFiles)) {
    it.skipIf(!corpusAvailable || !existsSync(join(corpusRoot, path)))(name, () => {
      compare(name, reportOf(join(corpusRoot, path), path));
    });
  }
  for (const [name, { from, bytes }] of Object.entries(damaged)) {
    it.skipIf(!corpusAvailable || !existsSync(join(corpusRoot, from)))(name, () => {
      const data = readFileSync(join(corpusRoot, from)).subarray(0, bytes);
      compare(name, reportOf(data, `${from} (first ${bytes} bytes)`));
    });
  }
});

/** An inspection as a video decoder would make it: repeated handler names, many track dates, a GPS track. */
function builtVideo(): Inspection {
  const finding = (partial: Omit<Finding, 'value'> & { value?: Finding['value'] }): Finding => ({ value: partial.text, ...partial });
  const handlers = Array.from({ length: 16 }, (_, index) => finding({ category: 'device', where: `moov/trak[${index + 1}]/mdia/hdlr`, tag: 'HandlerName', label: 'Handler name', meaning: 'software', text: 'Core Media Audio' }));
  const dates = Array.from({ length: 6 }, (_, index) => finding({ category: 'time', where: `moov/trak[${index + 1}]/tkhd`, tag: 'TrackCreateDate', label: 'Track created', meaning: 'timestamp', text: '2019-08-21T10:11:12Z' }));
  const location = {
    latitude: 47.627,
    longitude: -122.337,
    where: 'moov/trak[3]',
    gpsTime: '2019-08-21T10:11:12Z',
    track: { fixes: 412, start: '2019-08-21T10:11:12Z', end: '2019-08-21T10:18:40Z', extent: { south: 47.6201, west: -122.3402, north: 47.6299, east: -122.3301 }, path: [[47.627, -122.337], [47.6299, -122.3301]] as [number, number][] },
  };
  return {
    file: 'dashcam.mp4',
    format: { id: 'mp4', name: 'MP4/MOV', cleanable: true },
    size: 5_432_100,
    blocks: [],
    findings: [
      { category: 'location', where: location.where, tag: 'GPS5', label: 'GPS track (telemetry)', meaning: 'telemetry-track', value: location, text: '412 fixes' },
      finding({ category: 'location', where: 'moov/udta/©xyz', tag: '©xyz', label: 'GPS coordinates', meaning: 'gps-detail', text: '+47.6270-122.3370/' }),
      finding({ category: 'device', where: 'moov/udta/©mak', tag: '©mak', label: 'Camera make', meaning: 'make', text: 'Apple' }),
      finding({ category: 'device', where: 'moov/udta/©mod', tag: '©mod', label: 'Camera model', meaning: 'model', text: 'iPhone 5' }),
      finding({ category: 'device', where: 'moov/udta/LENS', tag: 'LensInfo', label: 'Lens', meaning: 'device-setting', text: '24/1 105/1 0/0 0/0' }),
      finding({ category: 'time', where: 'moov/udta/©day', tag: '©day', label: 'Date', meaning: 'taken', text: '2019-08-21T12:11:12+0200' }),
      ...handlers,
      ...dates,
    ],
    locations: [location],
    warnings: [],
    unreadable: [],
  };
}

describe('golden reports of files built here', () => {
  it('fixture-jpeg-camera: GPS with a date stamp and no time, serials, owner, thumbnail', async () => {
    const thumbnail = await basePixelsJpeg(16, 12);
    const jpeg = insertSegments(await basePixelsJpeg(), [
      exifSegment({ make: 'Apple', model: 'iPhone 5', software: '10.3.3', artist: 'Jane Doe', dateTimeOriginal: '2012:09:29 16:11:25', bodySerialNumber: 'F2LXK0QJ0D2', gps: { latitude: 47.627, longitude: -122.337, altitude: 12, date: '2019:08:21' }, thumbnail }),
    ]);
    compare('fixture-jpeg-camera', reportOf(jpeg, 'IMG_0001.jpg'));
  });

  it('fixture-png-exif: a PNG with EXIF in an eXIf chunk', async () => {
    const png = assemblePng(await (await import('sharp')).default(await basePixelsJpeg()).png().toBuffer(), { beforeImage: [exifChunk({ make: 'Sony', model: 'ILCE-7M3', dateTimeOriginal: '2020:01:02 03:04:05', gps: { latitude: 35.6595, longitude: 139.7005 } })] });
    compare('fixture-png-exif', reportOf(png, 'shibuya.png'));
  });

  it('fixture-not-media: a text file named .jpg is not checked, never "no risk"', () => {
    const text = reportOf(Buffer.from('Dear diary, today I went to the beach.\n'), 'notes.jpg');
    expect(text).not.toContain('NO RISK');
    compare('fixture-not-media', text);
  });

  it('fixture-clean-jpeg: a JPEG with nothing in it', async () => {
    compare('fixture-clean-jpeg', reportOf(await basePixelsJpeg(), 'plain.jpg'));
  });

  it('fixture-video-track: repeats merged with a count, a GPS track, a lens rational never a device', () => {
    const inspection = builtVideo();
    const text = `${report(inspection)}\n--details:\n${renderInspection(inspection, assessRisk(inspection), { details: true })}\n`;
    expect(text).toContain('Core Media Audio ×16');
    expect(text).not.toMatch(/Device: .*24\/1/);
    compare('fixture-video-track', text);
  });
});
