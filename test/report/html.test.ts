/** The HTML report without a browser: escaping, no URL of any kind, size and speed at scale, thumbnails, the CLI option. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectSync, type Inspection } from '../../src/index.js';
import { buildHtmlReport, escapeHtml, makeThumbnail, renderHtmlReport } from '../../src/report/html/index.js';
import { roundPlace } from '../../src/report/places.js';
import { runCli } from '../helpers/cli.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertSegments, phoneJpeg } from '../fixtures/jpeg.js';
import { ffmpegClip, removeScratch } from '../fixtures/mp4.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-html-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeScratch();
});

const hostile = '<script>alert(1)</script>"\'&\u001b[31m\u202e';

function fakeInspection(index: number, latitude: number, longitude: number): Inspection {
  const location = { latitude, longitude, where: 'APP1/Exif/GPS' };
  return {
    file: `photos/${String(index).padStart(5, '0')}.jpg`,
    format: { id: 'jpeg', name: 'JPEG', cleanable: true },
    size: 1000 + index,
    blocks: [{ where: 'APP1/Exif', kind: 'exif', offset: 2, length: 500 }],
    findings: [
      { category: 'location', where: 'APP1/Exif/GPS', tag: 'GPSPosition', label: 'GPS position', value: location, text: `${latitude}, ${longitude}` },
      { category: 'device', where: 'APP1/Exif/IFD0', tag: 'Make', label: 'Camera make', value: 'Phone Maker', text: 'Phone Maker' },
      { category: 'device', where: 'APP1/Exif/IFD0', tag: 'Model', label: 'Camera model', value: `Model ${index % 7}`, text: `Model ${index % 7}` },
      { category: 'device', where: 'APP1/Exif/ExifIFD', tag: 'BodySerialNumber', label: 'Camera serial number', value: `SN-${index % 3}`, text: `SN-${index % 3}` },
      { category: 'time', where: 'APP1/Exif/ExifIFD', tag: 'DateTimeOriginal', label: 'Taken', value: '2024:05:01 10:11:12', text: '2024:05:01 10:11:12' },
    ],
    locations: [location],
    warnings: [],
    unreadable: [],
  };
}

/** Deterministic pseudo-random numbers, so the large report is the same every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const inlineBlock = (html: string, tag: 'script' | 'style') => html.slice(html.indexOf(`<${tag}>`) + tag.length + 2, html.indexOf(`</${tag}>`));
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

describe('escaping', () => {
  it('escapes the five HTML characters and drops control characters', () => {
    expect(escapeHtml(hostile)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;[31m');
  });

  it('never lets text from a file become markup', async () => {
    const data = insertSegments(await basePixelsJpeg(), [
      commentSegment('</td></tr><img src=x onerror=alert(1)><script>alert(2)</script>'),
      exifSegment({ make: '"><svg onload=alert(3)>', model: "'onmouseover='alert(4)", gps: { latitude: 10, longitude: 10 } }),
    ]);
    const inspection = inspectSync(data, `${hostile}.jpg`);
    const html = renderHtmlReport([{ inspection, thumbnail: 'javascript:alert(5)' }]);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toMatch(/<[^>]+\sonerror=/i);
    expect(html).not.toMatch(/<[^>]+\sonload=/i);
    expect(html).not.toMatch(/<[^>]+\sonmouseover=/i);
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;[31m.jpg');
    expect(html).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202e]/.test(html)).toBe(false);
    // The one table row and its placeholder stand where they should.
    expect(html.match(/<tr data-risk=/g)).toHaveLength(1);
    expect(html).toContain('<div class="ph">JPEG</div>');
  });
});

describe('a page that asks nothing from anywhere', () => {
  it('has no http, https or protocol-relative URL but the SVG namespace, and a CSP that allows only its own blocks', async () => {
    const inspection = inspectSync(await phoneJpeg(), 'phone.jpg');
    const thumbnail = await makeThumbnail(await phoneJpeg(), inspection.format);
    const html = renderHtmlReport([{ inspection, thumbnail }], { generatedAt: new Date(0) });
    const scrubbed = html
      .replace(' xmlns="http://www.w3.org/2000/svg"', '')
      // base64 may contain "//" by chance: data URIs and CSP hashes are not URLs.
      .replace(/data:image\/webp;base64,[A-Za-z0-9+/=]+/g, 'DATA')
      .replace(/'sha256-[A-Za-z0-9+/=]+'/g, 'HASH');
    expect(scrubbed).not.toMatch(/https?:/i);
    expect(scrubbed).not.toContain('//');
    expect(scrubbed).not.toMatch(/\b(src|href)=["'](?!DATA|#)/i);
    expect(scrubbed).not.toMatch(/url\(|@import|<link|<iframe|<object|<embed|srcset/i);
    expect(html.match(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g)).toHaveLength(1);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('img-src data:;');
    expect(csp).toContain(`script-src 'sha256-${sha256(inlineBlock(html, 'script'))}'`);
    expect(csp).toContain(`style-src 'sha256-${sha256(inlineBlock(html, 'style'))}'`);
    expect(html).not.toContain('style="');
  });
});

describe('thousands of files', () => {
  it('3,000 files make one page that stays small and quick, one marker per distinct place', () => {
    const random = seeded(42);
    const inspections = Array.from({ length: 3000 }, (_, index) => {
      // Half the photos at a handful of "home" places, the rest anywhere on land or sea.
      if (index % 2 === 0) return fakeInspection(index, 48.8584 + (index % 5) * 0.1, 2.2945 + (index % 5) * 0.1);
      return fakeInspection(index, random() * 160 - 80, random() * 360 - 180);
    });
    const started = performance.now();
    const html = renderHtmlReport(inspections.map((inspection) => ({ inspection })));
    const milliseconds = performance.now() - started;
    const distinct = new Set(inspections.map((inspection) => roundPlace(inspection.locations[0]!.latitude, inspection.locations[0]!.longitude).key));
    expect(html.match(/<circle class="marker/g)).toHaveLength(distinct.size);
    expect(html.match(/<tr data-risk=/g)).toHaveLength(3000);
    expect(Buffer.byteLength(html)).toBeLessThan(8 * 1024 * 1024);
    expect(milliseconds).toBeLessThan(10_000);
    // The five "home" places carry 300 files each.
    expect(html).toMatch(/near Paris, Île-de-France, France \(~\d+ km\) — 48\.86, 2\.29 — 300 files/);
  });
});

describe('thumbnails', () => {
  it('are small WebP pictures with no metadata at all, turned the right way up', async () => {
    const photo = await phoneJpeg(); // 64×48 with orientation 6 (rotated 90°), GPS, serials, ICC
    const uri = await makeThumbnail(photo, { id: 'jpeg', name: 'JPEG', cleanable: true });
    expect(uri).toMatch(/^data:image\/webp;base64,/);
    const bytes = Buffer.from(uri!.slice(uri!.indexOf(',') + 1), 'base64');
    expect(bytes.length).toBeLessThan(4096);
    const metadata = await sharp(bytes).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 48, height: 64 });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
    const inspection = inspectSync(bytes, 'thumbnail.webp');
    expect(inspection.format.id).toBe('webp');
    expect(inspection.findings).toEqual([]);
    expect(inspection.blocks).toEqual([]);
  });

  it('videos and undecodable pictures get a placeholder', async () => {
    const clip = ffmpegClip();
    const clipInspection = inspectSync(clip, 'clip.mp4');
    expect(await makeThumbnail(clip, clipInspection.format)).toBeNull();
    expect(await makeThumbnail(Buffer.from('not a picture'), { id: 'jpeg', name: 'JPEG', cleanable: true })).toBeNull();
    const path = join(work, 'clip.mp4');
    writeFileSync(path, clip);
    const html = await buildHtmlReport([{ inspection: { ...clipInspection, file: path } }]);
    expect(html).toContain('<div class="ph">MP4/MOV</div>');
  });
});

describe('traceless scan --html', () => {
  it('writes the report atomically, private to its owner, and keeps stdout for results', async () => {
    const photos = join(work, 'photos');
    mkdirSync(photos);
    writeFileSync(join(photos, 'a.jpg'), await phoneJpeg());
    writeFileSync(join(photos, 'b.jpg'), insertSegments(await basePixelsJpeg(), [exifSegment({ make: 'Nikon', model: 'Z 6' })]));
    writeFileSync(join(photos, 'c.jpg'), await basePixelsJpeg());
    const report = join(work, 'report.html');
    const run = await runCli('scan', '--json', photos, '--html', report);
    expect(run.code).toBe(0);
    for (const line of run.lines) JSON.parse(line);
    expect(run.lines).toHaveLength(4);
    expect(run.stderr).toContain(`HTML report written to ${report} (3 file(s))`);
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(statSync(report).mode & 0o777).toBe(0o600);
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<tr data-risk=/g)).toHaveLength(3);
    // Most serious first: the phone photo, then the camera, then the bare picture.
    const order = ['a.jpg', 'b.jpg', 'c.jpg'].map((name) => html.indexOf(`${name}</div>`));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<tr data-risk="high"');
    expect(html).toContain('<tr data-risk="medium"');
    expect(html).toContain('<tr data-risk="none"');
    expect(html.match(/<img alt="" loading="lazy" src="data:image\/webp;base64,/g)).toHaveLength(3);
    const summary = JSON.parse(run.lines[3]!).summary;
    expect(summary.risk).toEqual({ high: 1, medium: 1, unknown: 0, low: 0, none: 1 });
    expect(summary.filesByRisk.high).toEqual([join(photos, 'a.jpg')]);
  });

  it('says so and exits 2 when the report cannot be written', async () => {
    const photo = join(work, 'single.jpg');
    writeFileSync(photo, await phoneJpeg());
    const run = await runCli('scan', photo, '--html', join(work, 'no-such-folder', 'report.html'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write the HTML report|no-such-folder/);
  });
});
