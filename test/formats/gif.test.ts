import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracelessError } from '../../src/errors.js';
import { gif } from '../../src/formats/gif/index.js';
import { BufferSource } from '../../src/io/source.js';
import { cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import {
  animatedGif, applicationExtension, assembleGif, baseGif, commentExtension, dirtyGif, gifHeadLength, plainTextExtension, subBlocks, xmpExtension,
} from '../fixtures/gif.js';
import { exiftoolAvailable, exiftoolTags, leakingTags } from '../fixtures/png.js';
import { iccProfile } from '../fixtures/webp.js';

const planOptions = { mode: 'all', keepOrientation: true, keepDates: false } as const;

function clean(input: Buffer, options: Parameters<typeof cleanBuffer>[1] = {}): Buffer {
  const { result, data } = cleanBuffer(input, options);
  expect(result.error).toBeNull();
  expect(data).not.toBeNull();
  return data!;
}

async function frames(file: Buffer): Promise<Buffer> {
  return sharp(file, { animated: true }).raw().toBuffer();
}

/**
 * Every frame decoded by ImageMagick: libnsgif (sharp) rejects the dirty fixture's unknown
 * extension, so the before/after comparison of dirty files uses this independent decoder.
 */
function magickFrames(file: Buffer): Buffer | undefined {
  try {
    return execFileSync('/usr/bin/convert', ['gif:-', '-coalesce', '-depth', '8', 'rgba:-'], { input: file, maxBuffer: 64 * 1024 * 1024 });
  } catch {
    console.warn('ImageMagick is not available: frames compared with sharp only');
    return undefined;
  }
}

describe('GIF', () => {
  let dirty: Buffer;
  let animated: Buffer;
  let icc: Buffer;
  let work: string;
  beforeAll(async () => {
    icc = await iccProfile();
    animated = await animatedGif();
    dirty = await dirtyGif({ base: animated, icc });
    work = mkdtempSync(join(tmpdir(), 'traceless-gif-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is sniffed from its header', async () => {
    expect(gif.sniff(await baseGif())).toBe(true);
    expect(gif.sniff(Buffer.from('GIF90a'))).toBe(false);
    expect(inspectSync(dirty).format.id).toBe('gif');
  });

  describe('inspect', () => {
    it('reports comments, XMP (with its location), IPTC, other application data and trailing bytes', () => {
      const report = inspectSync(dirty);
      const byTag = (tag: string) => report.findings.filter((finding) => finding.tag === tag);
      expect(byTag('Comment').map((finding) => finding.value)).toEqual(['Shot by Jane Q. Photographer', 'second comment']);
      expect(report.locations[0]?.latitude).toBeCloseTo(40.445, 3);
      expect(report.locations[0]?.longitude).toBeCloseTo(-3.70333, 4);
      expect(byTag('photoshop:City')[0]?.value).toBe('Madrid');
      expect(byTag('xmp:CreatorTool')[0]?.category).toBe('device');
      expect(report.findings.some((finding) => finding.value === 'Lisbon' && finding.category === 'location')).toBe(true);
      expect(report.findings.some((finding) => finding.where === 'application FOOBARAP1.0')).toBe(true);
      expect(report.findings.some((finding) => finding.where === 'extension 0x99')).toBe(true);
      expect(byTag('Trailer')[0]?.value).toBe(19);
      // The ICC application extension is removed now (keep-list issue): no longer `retained`.
      expect(byTag('ICCProfile')[0]?.retained).toBeUndefined();
      expect(report.unreadable).toEqual([]);
    });

    it('reports plain text (removed by clean: free text no common decoder draws)', async () => {
      const file = assembleGif(await baseGif(), { first: [plainTextExtension('drawn caption')] });
      const finding = inspectSync(file).findings.find((candidate) => candidate.tag === 'PlainText');
      expect(finding).toMatchObject({ value: 'drawn caption' });
      expect(finding?.retained).toBeUndefined();
    });
  });

  describe('clean (all)', () => {
    let cleaned: Buffer;
    beforeAll(() => {
      cleaned = clean(dirty);
    });

    it('drops comments, XMP, application data, unknown extensions and trailing bytes', () => {
      const report = inspectSync(cleaned);
      expect(report.findings.filter((finding) => !finding.retained)).toEqual([]);
      for (const secret of ['Jane', 'Madrid', 'Lisbon', 'vendor secret', 'unknown extension data', 'TRAILING', 'XMP DataXMP', 'MGKIPTC']) {
        expect(cleaned.includes(Buffer.from(secret)), secret).toBe(false);
      }
      expect(cleaned.includes(Buffer.from('NETSCAPE2.0'))).toBe(true);
      // Every application extension but looping goes, the ICC profile included (keep-list issue).
      expect(cleaned.includes(Buffer.from('ICCRGBG1012'))).toBe(false);
      expect(cleaned[cleaned.length - 1]).toBe(0x3b);
      expect(cleaned.equals(animated)).toBe(true);
    });

    it.skipIf(!exiftoolAvailable)('re-inspects clean with ExifTool too', () => {
      const tags = exiftoolTags(cleaned);
      expect(leakingTags(tags)).toEqual([]);
      expect(tags['GIF:AnimationIterations']).toBe('Infinite');
      expect(JSON.stringify(tags)).not.toMatch(/Warning/);
    });

    it('keeps every frame identical and is idempotent', async () => {
      expect((await frames(cleaned)).equals(await frames(animated))).toBe(true);
      const magick = magickFrames(cleaned);
      if (magick) expect(magick.equals(magickFrames(dirty)!)).toBe(true);
      expect((await sharp(cleaned, { animated: true }).metadata()).pages).toBe(3);
      const { result, data } = cleanBuffer(cleaned);
      expect(result.status).toBe('already-clean');
      expect(data!.equals(cleaned)).toBe(true);
      expect(gif.plan!(new BufferSource(cleaned), planOptions).removed).toEqual([]);
    });

    it('removes plain text extensions with their graphic control, keeping the frames', async () => {
      const base = await baseGif();
      const control = Buffer.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0]);
      const file = assembleGif(base, { first: [control, plainTextExtension('drawn caption'), commentExtension('go away')] });
      const out = clean(file);
      expect(out.includes(Buffer.from('drawn caption'))).toBe(false);
      expect(out.includes(Buffer.from('go away'))).toBe(false);
      // The control belonged to the text: kept, it would apply to the image after it instead.
      expect(out.equals(base)).toBe(true);
    });

    it('writes a graphic control extension back as its 4 defined bytes', async () => {
      const base = await baseGif();
      const control = Buffer.from([0x21, 0xf9, 4, 0xe1, 7, 0, 3, 5, ...Buffer.from('extra'), 0]);
      const out = clean(assembleGif(base, { first: [control] }));
      expect(out.includes(Buffer.from('extra'))).toBe(false);
      expect(out.includes(Buffer.from([0x21, 0xf9, 4, 0x01, 7, 0, 3, 0]))).toBe(true);
      expect(cleanBuffer(out).result.status).toBe('already-clean');
    });

    it('rewrites a looping extension that carries extra data, keeping the loop count', async () => {
      const base = await baseGif();
      const looping = Buffer.concat([Buffer.from([0x21, 0xff, 0x0b]), Buffer.from('NETSCAPE2.0'), Buffer.from([3, 1, 5, 0]), Buffer.from([6]), Buffer.from('hidden'), Buffer.from([0])]);
      const out = clean(assembleGif(base, { first: [looping] }));
      expect(out.includes(Buffer.from('hidden'))).toBe(false);
      expect(out.includes(Buffer.concat([Buffer.from('NETSCAPE2.0'), Buffer.from([3, 1, 5, 0, 0])]))).toBe(true);
      expect(cleanBuffer(out).result.status).toBe('already-clean');
    });
  });

  describe('clean (location only)', () => {
    let cleaned: Buffer;
    beforeAll(() => {
      cleaned = clean(dirty, { only: 'location' });
    });

    it('removes location from XMP, drops what cannot be judged, comments included', () => {
      const report = inspectSync(cleaned);
      expect(report.locations).toEqual([]);
      expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
      // Location mode is an allow-list (keep-list issue): free-text comments may name a place, so they go.
      expect(report.findings.filter((finding) => finding.tag === 'Comment')).toEqual([]);
      expect(report.findings.find((finding) => finding.tag === 'dc:creator')?.value).toBe('Gif Creator Person');
      expect(cleaned.includes(Buffer.from('Madrid'))).toBe(false);
      expect(cleaned.includes(Buffer.from('Lisbon'))).toBe(false);
      expect(cleaned.includes(Buffer.from('vendor secret'))).toBe(false);
      expect(cleaned.includes(Buffer.from('TRAILING'))).toBe(false);
    });

    it.skipIf(!exiftoolAvailable)('has no location for ExifTool, and ExifTool still reads the rewritten XMP', () => {
      const tags = exiftoolTags(cleaned);
      expect(leakingTags(tags, 'location')).toEqual([]);
      expect(tags['XMP-dc:Creator']).toBe('Gif Creator Person');
    });

    it('keeps every frame and is idempotent', async () => {
      expect((await frames(cleaned)).equals(await frames(animated))).toBe(true);
      const magick = magickFrames(cleaned);
      if (magick) expect(magick.equals(magickFrames(dirty)!)).toBe(true);
      const { result, data } = cleanBuffer(cleaned, { only: 'location' });
      expect(result.status).toBe('already-clean');
      expect(data!.equals(cleaned)).toBe(true);
    });
  });

  describe('refuses damaged files and writes nothing', () => {
    let base: Buffer;
    beforeAll(async () => {
      base = await dirtyGif();
    });
    const refusals: [string, (file: Buffer) => Buffer, string][] = [
      ['missing trailer', (file) => file.subarray(0, file.indexOf(Buffer.from('TRAILING GIF')) - 1), 'TRUNCATED'],
      ['truncated inside the image data', (file) => file.subarray(0, Math.floor(file.length / 2)), 'TRUNCATED'],
      ['an unknown block introducer', (file) => {
        const head = gifHeadLength(file);
        return Buffer.concat([file.subarray(0, head), Buffer.from([0x42, 1, 2, 3]), file.subarray(head)]);
      }, 'MALFORMED'],
      ['a graphic control extension shorter than its 4 bytes', (file) => {
        const head = gifHeadLength(file);
        return Buffer.concat([file.subarray(0, head), Buffer.from([0x21, 0xf9, 3, 0, 0, 0, 0]), file.subarray(head)]);
      }, 'MALFORMED'],
      ['garbage after the colour table', (file) => Buffer.concat([file.subarray(0, gifHeadLength(file)), Buffer.from('garbage, not blocks')]), 'MALFORMED'],
    ];
    for (const [name, damage, code] of refusals) {
      it(name, () => {
        const input = join(work, `${name.replace(/\W+/g, '-')}.gif`);
        const outDir = mkdtempSync(join(work, 'out-'));
        writeFileSync(input, damage(base));
        const result = cleanSync(input, join(outDir, 'clean.gif'));
        expect(result.status).toBe('refused');
        expect(result.error?.code).toBe(code);
        expect(readdirSync(outDir)).toEqual([]);
      });
    }
  });

  describe('only TracelessError escapes the parser', () => {
    const mustOnlyThrowTraceless = (data: Buffer) => {
      for (const run of [() => gif.inspect(new BufferSource(data)), () => gif.plan!(new BufferSource(data), planOptions), () => gif.plan!(new BufferSource(data), { ...planOptions, mode: 'location' })]) {
        try {
          run();
        } catch (error) {
          if (!(error instanceof TracelessError)) throw error;
        }
      }
    };

    it('on random bytes after a GIF header', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => mustOnlyThrowTraceless(Buffer.concat([Buffer.from('GIF89a'), Buffer.from(bytes)]))), { numRuns: 300 });
    });

    it('on truncations and byte flips of a valid file', () => {
      fc.assert(
        fc.property(fc.nat(dirty.length), fc.array(fc.tuple(fc.nat(dirty.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, flips) => {
          const data = Buffer.from(dirty.subarray(0, cut));
          for (const [at, value] of flips) if (at < data.length) data[at] = value;
          mustOnlyThrowTraceless(data);
        }),
        { numRuns: 300 },
      );
    });

    it('on random XMP, comment and application payloads', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('xmp', 'comment', 'app', 'raw'), (bytes, kind) => {
        const payload = Buffer.from(bytes);
        const block = kind === 'xmp' ? xmpExtension(payload.toString('latin1'))
          : kind === 'comment' ? Buffer.concat([Buffer.from([0x21, 0xfe]), subBlocks(payload)])
            : kind === 'app' ? applicationExtension('MGKIPTC0000', payload)
              : Buffer.concat([Buffer.from([0x21, 0xff]), payload]);
        mustOnlyThrowTraceless(assembleGif(animated, { first: [block] }));
      }), { numRuns: 200 });
    });
  });
});
