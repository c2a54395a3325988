/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core over
 * a report that `traceless scan --html` makes from generated photos and a video. One marker per
 * distinct place, every file in the table, clicking a marker highlights its rows, and the page
 * makes no request at all. The screenshot is kept in test-artifacts/ (and docs/ for the README).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { exifSegment, insertSegments } from '../fixtures/jpeg.js';
import type { ExifFixtureOptions } from '../fixtures/exif.js';
import { addToMovie, ffmpegClip, removeScratch, xyzAtom } from '../fixtures/mp4.js';
import { assemblePng, exifChunk } from '../fixtures/png.js';
import { dirtyWebp } from '../fixtures/webp.js';

const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`browser test SKIPPED: ${chromiumPath} is missing (apt-get install chromium; .ci/run does it)`);

const root = join(import.meta.dirname, '..', '..');
const artefacts = join(root, 'test-artifacts');
const folder = 'Holiday 2019';

/** A small picture that looks like a photo: sky, sun and hills, in colours of its own. */
async function picture(hue: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},80%,85%)"/></linearGradient></defs>
    <rect width="160" height="120" fill="url(#sky)"/><circle cx="${40 + (hue % 80)}" cy="38" r="16" fill="#ffe27a"/>
    <path d="M0 90 Q40 60 80 85 T160 80 V120 H0 Z" fill="hsl(${(hue + 120) % 360},45%,35%)"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

const camera: ExifFixtureOptions = { make: 'Apple', model: 'iPhone 12', software: '17.4.1', dateTimeOriginal: '2019:07:14 14:03:22', bodySerialNumber: 'F2LXK0QJ0D2' };
const jpeg = async (hue: number, exif: ExifFixtureOptions) => insertSegments(await picture(hue), [exifSegment(exif)]);

/** name → bytes; the places are far apart, except two photos at the same spot in Paris. */
async function photos(): Promise<Record<string, Buffer>> {
  const png = await sharp(await picture(200)).png().toBuffer();
  const webp = await sharp(await picture(30)).webp().toBuffer();
  return {
    'eiffel-tower.jpg': await jpeg(210, { ...camera, gps: { latitude: 48.85837, longitude: 2.29448 } }),
    'eiffel-tower-2.jpg': await jpeg(220, { ...camera, gps: { latitude: 48.8587, longitude: 2.2941 } }),
    'shibuya.png': assemblePng(png, { beforeImage: [exifChunk({ make: 'Sony', model: 'ILCE-7M3', gps: { latitude: 35.6595, longitude: 139.7005 } })] }),
    'opera-house.webp': await dirtyWebp({ base: webp, exif: { make: 'Google', model: 'Pixel 7', gps: { latitude: -33.8568, longitude: 151.2153 } }, xmp: null }),
    'central-park.jpg': await jpeg(140, { make: 'Apple', model: 'iPhone 12', gps: { latitude: 40.7812, longitude: -73.9665 } }),
    'reykjavik.jpg': await jpeg(260, { artist: 'Jane Doe', gps: { latitude: 64.1466, longitude: -21.9426 } }),
    'no-fix.jpg': await jpeg(300, { gps: { latitude: 0, longitude: 0 } }),
    'portrait.jpg': await jpeg(330, { make: 'Canon', model: 'Canon EOS R6', dateTimeOriginal: '2019:07:15 09:30:00' }),
    'scan.jpg': await picture(90),
    '<img src=x onerror=alert(1)> & <b>co.jpg': await jpeg(10, { software: 'Editor 1.0' }),
    'copacabana.mp4': addToMovie(ffmpegClip(), { userData: [xyzAtom('-22.9711-043.1822/')] }),
  };
}

describe.skipIf(!haveChromium)('the HTML report in Chromium', () => {
  let work: string;
  let files: Record<string, Buffer>;
  let reportPath: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const routed: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'traceless-browser-'));
    files = await photos();
    mkdirSync(join(work, folder));
    for (const [name, data] of Object.entries(files)) writeFileSync(join(work, folder, name), data);
    // Relative names in the report, as a person would type them.
    reportPath = join(work, 'report.html');
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const run = await runCli('scan', '--quiet', folder, '--html', 'report.html');
      expect(run.code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    // Every request the page makes is recorded; anything but the report itself is refused.
    const own = pathToFileURL(reportPath).href;
    await context.route('**/*', (route) => {
      if (route.request().url() === own) return route.continue();
      routed.push(route.request().url());
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(own);
    await page.waitForFunction(() => document.getElementById('shown')?.textContent?.startsWith('Showing'));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    removeScratch();
  });

  it('shows one marker per distinct place', async () => {
    const distinct = new Set<string>();
    for (const [name, data] of Object.entries(files)) {
      for (const location of inspectSync(data, name).locations) distinct.add(`${Math.round(location.latitude * 100) / 100 + 0},${Math.round(location.longitude * 100) / 100 + 0}`);
    }
    expect(distinct.size).toBe(7);
    await expect.poll(() => page.locator('#map circle.marker').count()).toBe(distinct.size);
    const ids = await page.locator('#map circle.marker').evaluateAll((markers) => markers.map((marker) => marker.getAttribute('data-place')));
    expect(new Set(ids).size).toBe(distinct.size);
    expect(await page.locator('#map circle.marker.placeholder').count()).toBe(1);
    expect(await page.locator('#map .countries path').count()).toBeGreaterThan(150);
  });

  it('lists every file in the table, text from files shown as text', async () => {
    const names = await page.locator('#files tbody tr .name').allTextContents();
    expect(names).toHaveLength(Object.keys(files).length);
    expect(names.sort()).toEqual(Object.keys(files).map((name) => `${folder}/${name}`).sort());
    expect(await page.locator('#files tbody b, #files tbody img[src="x"]').count()).toBe(0);
    expect(await page.locator('#shown').textContent()).toBe(`Showing ${names.length} of ${names.length} files`);
    const levels = await page.locator('#files tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-risk')));
    expect(levels.slice(0, 7)).toEqual(Array(7).fill('high'));
    expect(levels).toContain('none');
  });

  it('highlights the rows of a place when its marker is clicked, and only those', async () => {
    const paris = page.locator('#map circle.marker[aria-label^="near Paris, Île-de-France, France (~4 km) — 48.86, 2.29"]');
    await paris.click();
    await expect.poll(() => page.locator('#files tbody tr.hl').count()).toBe(2);
    expect((await page.locator('#files tbody tr.hl .name').allTextContents()).sort()).toEqual([`${folder}/eiffel-tower-2.jpg`, `${folder}/eiffel-tower.jpg`]);
    expect(await paris.getAttribute('class')).toContain('selected');
    expect(await page.locator('#selection .what').textContent()).toBe('2 files near Paris, Île-de-France, France (~4 km) — 48.86, 2.29 — 2 files');

    const tokyo = page.locator('#map circle.marker[aria-label*="Japan"]');
    await tokyo.click();
    await expect.poll(() => page.locator('#files tbody tr.hl .name').allTextContents()).toEqual([`${folder}/shibuya.png`]);
    expect(await paris.getAttribute('class')).not.toContain('selected');

    // "only these" narrows the table to the selected place.
    await page.locator('#only-selected').check();
    await expect.poll(() => page.locator('#files tbody tr:not([hidden])').count()).toBe(1);
    await page.locator('#clear-selection').click();
    await expect.poll(() => page.locator('#files tbody tr:not([hidden])').count()).toBe(Object.keys(files).length);
    expect(await page.locator('#files tbody tr.hl').count()).toBe(0);
  });

  it('filters by text and by risk level, and zooms the map', async () => {
    await page.locator('#filter').fill('copacabana');
    await expect.poll(() => page.locator('#shown').textContent()).toBe(`Showing 1 of ${Object.keys(files).length} files`);
    await page.locator('#filter').fill('');
    await page.locator('button.level.high').click();
    await expect.poll(() => page.locator('#files tbody tr:not([hidden])').count()).toBe(Object.keys(files).length - 7);
    await page.locator('button.level.high').click();
    await page.locator('#zoom-in').click();
    expect(Number((await page.locator('#map').getAttribute('viewBox'))!.split(' ')[2])).toBeLessThan(960);
    await page.locator('#zoom-reset').click();
    expect(await page.locator('#map').getAttribute('viewBox')).toBe('0 0 960 470');
  });

  it('makes zero network requests and breaks no rule of its own security policy', async () => {
    const own = pathToFileURL(reportPath).href;
    expect(requests.filter((url) => url !== own && !url.startsWith('data:'))).toEqual([]);
    expect(routed).toEqual([]);
    expect(problems).toEqual([]);
    // Thumbnails are there (data: URIs) for the pictures, placeholders for the video.
    expect(await page.locator('#files td.thumb img').count()).toBe(Object.keys(files).length - 1);
    expect(await page.locator('#files td.thumb .ph').allTextContents()).toEqual(['MP4/MOV']);
  });

  it('saves a screenshot', async () => {
    await page.locator('#map circle.marker[aria-label^="near Paris, Île-de-France, France (~4 km) — 48.86, 2.29"]').click();
    await page.locator('#only-selected').uncheck();
    mkdirSync(artefacts, { recursive: true });
    const screenshot = await page.screenshot({ path: join(artefacts, 'html-report.png') });
    expect(screenshot.length).toBeGreaterThan(10_000);
    // The README's copy is written when missing, or on request, so a test run leaves the tree as it was.
    const docsCopy = join(root, 'docs', 'html-report.png');
    if (!existsSync(docsCopy) || process.env.TRACELESS_UPDATE_SCREENSHOT === '1') {
      await sharp(screenshot).png({ palette: true, quality: 90, effort: 10 }).toFile(docsCopy);
    }
  });
});
