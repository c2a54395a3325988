/**
 * The HTML report as a person reads it at 760 px wide, in Debian's Chromium (playwright-core):
 * every file given is listed — the ones that could not be read, with why, and the ones traceless
 * does not know — its numbers are the text summary's, and no element overflows horizontally
 * (long file names and hashes wrap; words are not broken mid-word elsewhere).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertSegments } from '../fixtures/jpeg.js';

const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`HTML layout test SKIPPED: ${chromiumPath} is missing`);

describe.skipIf(!haveChromium)('the HTML report at 760 px', () => {
  let work: string;
  let browser: Browser;
  let inputs: string[];
  let textSummary: string;
  let jsonSummary: { files: number; unreadable: number; revealingLocation: number; risk: Record<string, number>; places: unknown[] };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'traceless-html-layout-'));
    const long = `${'a-very-long-file-name-without-any-space-at-all-'.repeat(4)}.jpg`;
    const files: Record<string, Buffer> = {
      'seattle.jpg': insertSegments(await basePixelsJpeg(), [exifSegment({ make: 'Apple', model: 'iPhone 5', dateTimeOriginal: '2012:09:29 16:11:25', bodySerialNumber: 'F2LXK0QJ0D2', gps: { latitude: 47.627, longitude: -122.337 } })]),
      [long]: insertSegments(await basePixelsJpeg(), [commentSegment(`hash ${'0123456789abcdef'.repeat(8)} and ${'word '.repeat(60)}`), exifSegment({ make: 'Canon', model: 'Canon EOS R6', gps: { latitude: 48.85837, longitude: 2.29448 } })]),
      'plain.jpg': await basePixelsJpeg(),
      'notes.jpg': Buffer.from('Dear diary, not a photo at all.\n'),
      'broken.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2]),
    };
    for (const [name, data] of Object.entries(files)) writeFileSync(join(work, name), data);
    // A damaged file is reported as far as it can be read; a named pipe cannot be read at all.
    execFileSync('mkfifo', [join(work, 'pipe.jpg')]);
    inputs = [...Object.keys(files), 'pipe.jpg'].map((name) => join(work, name));
    const html = join(work, 'report.html');
    const run = await runCli('scan', '--quiet', ...inputs, '--html', html);
    textSummary = run.stdout.slice(run.stdout.indexOf('file(s) scanned') - 2);
    const json = await runCli('scan', '--json', ...inputs);
    jsonSummary = JSON.parse(json.lines.at(-1)!).summary;
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists every file given, with its numbers equal to the text summary, and nothing overflows', async () => {
    const page = await browser.newPage({ viewport: { width: 760, height: 900 } });
    await page.goto(pathToFileURL(join(work, 'report.html')).href);
    const names = await page.locator('#files tbody tr .name').allTextContents();
    expect(names.sort()).toEqual([...inputs].sort());
    // The unreadable file is there with why, the damaged one as read in part; the text file is
    // "not checked", never "none".
    const pipe = page.locator('#files tbody tr', { hasText: 'pipe.jpg' });
    expect(await pipe.getAttribute('data-risk')).toBe('unknown');
    expect(await pipe.textContent()).toContain('could not be read');
    expect(await page.locator('#files tbody tr', { hasText: 'broken.jpg' }).getAttribute('data-risk')).toBe('unknown');
    expect(await page.locator('#files tbody tr', { hasText: 'notes.jpg' }).getAttribute('data-risk')).toBe('unknown');
    // One summary for both: files, locations, places and every risk level.
    expect(jsonSummary.files + jsonSummary.unreadable).toBe(inputs.length);
    expect(textSummary).toMatch(new RegExp(`^${inputs.length} file\\(s\\) scanned in [^:]+: ${jsonSummary.revealingLocation} reveal a location, 1 could not be read`));
    expect(await page.locator('[data-count="files"]').textContent()).toBe(String(inputs.length));
    expect(await page.locator('[data-count="location"]').textContent()).toBe(String(jsonSummary.revealingLocation));
    expect(await page.locator('[data-count="places"]').textContent()).toBe(String(jsonSummary.places.length));
    for (const [level, count] of Object.entries(jsonSummary.risk)) {
      expect(await page.locator(`button.level.${level} b`).textContent()).toBe(String(count));
      expect(await page.locator(`#files tbody tr[data-risk="${level}"]`).count()).toBe(count);
    }
    // The places list names towns.
    expect(await page.locator('#places').textContent()).toContain('near Seattle');
    // Open every finding list, then look for anything wider than its box.
    await page.locator('details').evaluateAll((all) => all.forEach((element) => element.setAttribute('open', '')));
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll('body, body *')]
        .filter((element) => element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1 && !(element instanceof SVGElement))
        .map((element) => `${element.tagName.toLowerCase()}.${element.className} ${element.scrollWidth}>${element.clientWidth}`),
    );
    expect(overflowing).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(760);
    await page.close();
  });
});
