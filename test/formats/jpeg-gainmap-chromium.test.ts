/**
 * HDR photos render the same in Chromium after `clean` (issue 15), measured in Debian's Chromium
 * (headless, driven by playwright-core). Each gain-map JPEG built by code is drawn as the original,
 * as the clean copy and as the `--drop-extra-images` copy, and the screenshots compared.
 *
 * HDR headroom cannot be forced in a headless screenshot (`--force-color-profile=scrgb-linear` or
 * `hdr10` change nothing in the captured 8-bit pixels, tried), so the fixtures are HDR-base photos
 * (ISO 21496-1 base headroom above the alternate's, `hdrgm:BaseRenditionIsHDR="True"`): on the SDR
 * screen of the test Chromium must apply the gain map to show them. That makes the gain map
 * visible: the clean copy must render exactly as the original, and differently from the copy
 * without its gain map — so the test fails if Chromium no longer finds or applies it. SDR-base
 * photos (the usual kind) are compared too; they render the same with or without the gain map on
 * an SDR screen, which is all a headless test can show for them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer } from '../../src/index.js';
import { appleGainMapJpeg, multiPictureJpeg, type MultiPictureOptions } from '../fixtures/gain-map.js';

const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`gain-map Chromium test SKIPPED: ${chromiumPath} is missing (apt-get install chromium; .ci/run does it)`);

/**
 * `applied`: whether this Chromium applies the gain map to the original at all. It does not for a
 * gain map located by the GContainer directory alone (no MPF index): the original shows as its
 * base image, and so does the copy — the test then checks only that they are the same.
 */
const cases: [string, MultiPictureOptions, boolean][] = [
  ['Ultra HDR (hdrgm XMP, GContainer, MPF, ISO 21496-1)', { kind: 'ultrahdr', hdrBase: true }, true],
  ['hdrgm XMP and MPF, no ISO 21496-1', { kind: 'hdrgm', hdrBase: true }, true],
  ['hdrgm XMP located by GContainer alone, no MPF', { kind: 'hdrgm', hdrBase: true, noMpf: true }, false],
  ['ISO 21496-1 and MPF, no XMP', { kind: 'iso', hdrBase: true }, true],
];

describe.skipIf(!haveChromium)('gain-map JPEGs in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
    page = await browser.newPage({ viewport: { width: 128, height: 96 } });
  }, 60_000);
  afterAll(async () => browser?.close());

  async function render(jpeg: Buffer): Promise<Buffer> {
    await page.setContent(`<!doctype html><body style="margin:0;background:#000"><img id="photo" src="data:image/jpeg;base64,${jpeg.toString('base64')}"></body>`);
    await page.waitForFunction(() => {
      const image = document.getElementById('photo') as HTMLImageElement;
      return image.complete && image.naturalWidth > 0;
    });
    return page.screenshot({ clip: { x: 0, y: 0, width: 64, height: 48 } });
  }

  it.each(cases)('%s: the clean copy renders as the original', async (_name, options, applied) => {
    const { file } = await multiPictureJpeg(options);
    const copy = cleanBuffer(file);
    const small = cleanBuffer(file, { dropExtraImages: true });
    expect(copy.data, JSON.stringify(copy.result.error)).not.toBeNull();
    expect(small.data, JSON.stringify(small.result.error)).not.toBeNull();
    const original = await render(file);
    expect((await render(copy.data!)).equals(original)).toBe(true);
    // The gain map is what makes the difference: without it Chromium shows the HDR base as is.
    expect((await render(small.data!)).equals(original)).toBe(!applied);
  }, 60_000);

  it.each(['ultrahdr', 'iso', 'mpo', 'apple'] as const)('%s with an SDR base renders as the original', async (kind) => {
    const { file } = kind === 'apple' ? await appleGainMapJpeg() : await multiPictureJpeg({ kind });
    const copy = cleanBuffer(file);
    expect(copy.data, JSON.stringify(copy.result.error)).not.toBeNull();
    expect((await render(copy.data!)).equals(await render(file))).toBe(true);
  }, 60_000);
});
