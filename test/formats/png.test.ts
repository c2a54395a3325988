import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrientationTiff } from '../../src/decode/tiff-edit.js';
import { TracelessError } from '../../src/errors.js';
import { png } from '../../src/formats/png/index.js';
import { BufferSource } from '../../src/io/source.js';
import { cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { buildExifTiff } from '../fixtures/exif.js';
import {
  assemblePng, basePng, dirtyPng, exifChunk, exiftoolAvailable, exiftoolTags, fixtureXmp, iTxtChunk, leakingTags, pngChunk, splitPng,
  textChunk, zTxtChunk,
} from '../fixtures/png.js';

const planOptions = { mode: 'all', keepOrientation: true, keepDates: false } as const;

function clean(input: Buffer, options: Parameters<typeof cleanBuffer>[1] = {}): Buffer {
  const { result, data } = cleanBuffer(input, options);
  expect(result.error).toBeNull();
  expect(data).not.toBeNull();
  return data!;
}

function chunkTypes(file: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 8; offset < file.length; ) {
    const length = file.readUInt32BE(offset);
    types.push(file.toString('latin1', offset + 4, offset + 8));
    offset += 12 + length;
  }
  return types;
}

async function pixels(file: Buffer): Promise<Buffer> {
  return sharp(file).raw().toBuffer();
}

describe('PNG', () => {
  let dirty: Buffer;
  let work: string;
  beforeAll(async () => {
    dirty = await dirtyPng();
    work = mkdtempSync(join(tmpdir(), 'traceless-png-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is sniffed from its signature', async () => {
    expect(png.sniff(await basePng())).toBe(true);
    expect(png.sniff(Buffer.from('GIF89a'))).toBe(false);
    expect(inspectSync(dirty).format.id).toBe('png');
  });

  describe('inspect', () => {
    it('decodes eXIf GPS into a location', () => {
      const report = inspectSync(dirty);
      const exifLocation = report.locations.find((location) => location.where === 'eXIf/GPS');
      expect(exifLocation?.latitude).toBeCloseTo(37.774929, 5);
      expect(exifLocation?.longitude).toBeCloseTo(-122.419416, 5);
      expect(report.locations[0]?.where).toBe('eXIf/GPS');
      expect(report.findings.find((finding) => finding.tag === 'BodySerialNumber')?.value).toBe('SN-CAMERA-0042-XYZ');
      expect(report.findings.find((finding) => finding.tag === 'Orientation')?.retained).toBe(true);
    });

    it('decodes XMP, raw EXIF profiles, text, time and unknown chunks', () => {
      const report = inspectSync(dirty);
      const byTag = (tag: string) => report.findings.find((finding) => finding.tag === tag);
      expect(byTag('photoshop:City')).toMatchObject({ category: 'location', value: 'Paris', where: 'iTXt/XML:com.adobe.xmp' });
      expect(byTag('dc:creator')?.value).toBe('Xmp Creator Person');
      expect(byTag('Author')).toMatchObject({ category: 'owner', value: 'Jane Q. Photographer', where: 'tEXt/Author' });
      expect(byTag('parameters')?.value).toContain('a photo of a cat');
      expect(byTag('ModifyDate')).toMatchObject({ category: 'time', value: '2024-05-01T10:11:12Z' });
      expect(byTag('C2PA')?.where).toBe('caBX');
      expect(byTag('prVt')?.where).toBe('prVt');
      expect(byTag('Trailer')?.value).toBe(20);
      const raw = report.locations.find((location) => location.where === 'zTXt/Raw profile type exif/GPS');
      expect(raw?.latitude).toBeCloseTo(-33.8688, 4);
      expect(raw?.longitude).toBeCloseTo(151.2093, 4);
      const xmpLocation = report.locations.find((location) => location.where === 'iTXt/XML:com.adobe.xmp');
      expect(xmpLocation?.latitude).toBeCloseTo(48.85667, 4);
      expect(report.blocks.map((block) => block.kind)).toEqual(expect.arrayContaining(['exif', 'xmp', 'text', 'comment', 'timestamp', 'c2pa', 'trailer']));
      expect(report.unreadable).toEqual([]);
    });

    it('reports a zTXt that would inflate past the limit as unreadable, and still cleans it away', async () => {
      const bomb = Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(Buffer.alloc(20 * 1024 * 1024, 0x41))]);
      const file = assemblePng(await basePng(), { beforeImage: [pngChunk('zTXt', bomb)] });
      const report = inspectSync(file);
      expect(report.unreadable.join(' ')).toMatch(/expands to more than/);
      const cleaned = clean(file);
      expect(chunkTypes(cleaned)).not.toContain('zTXt');
      expect(clean(file, { only: 'location' }).includes(Buffer.from('zTXt'))).toBe(false);
    });
  });

  describe('clean (all)', () => {
    let cleaned: Buffer;
    beforeAll(() => {
      cleaned = clean(dirty);
    });

    it('leaves only the orientation, written as a minimal eXIf before the image data', () => {
      const types = chunkTypes(cleaned);
      expect(types).toEqual(['IHDR', 'pHYs', 'gAMA', 'eXIf', 'IDAT', 'IEND']);
      const report = inspectSync(cleaned);
      expect(report.findings.filter((finding) => !finding.retained)).toEqual([]);
      expect(report.findings.find((finding) => finding.tag === 'Orientation')?.value).toBe(6);
      expect(report.locations).toEqual([]);
      expect(cleaned.includes(Buffer.from('TRAILING SECRET'))).toBe(false);
      expect(cleaned.includes(Buffer.from('Jane'))).toBe(false);
    });

    it.skipIf(!exiftoolAvailable)('re-inspects clean with ExifTool too', () => {
      const tags = exiftoolTags(cleaned);
      expect(leakingTags(tags)).toEqual([]);
      expect(tags['IFD0:Orientation']).toBe('Rotate 90 CW');
      expect(JSON.stringify(tags)).not.toMatch(/Warning/);
    });

    it('keeps the pixels identical', async () => {
      expect((await pixels(cleaned)).equals(await pixels(dirty))).toBe(true);
    });

    it('is idempotent: cleaning twice equals cleaning once', () => {
      const { result, data } = cleanBuffer(cleaned);
      expect(result.status).toBe('already-clean');
      expect(data!.equals(cleaned)).toBe(true);
      expect(png.plan!(new BufferSource(cleaned), planOptions).removed).toEqual([]);
    });

    it('moves a late eXIf orientation in front of the image data', async () => {
      const late = clean(await dirtyPng({ exifAfterImage: true }));
      expect(chunkTypes(late)).toEqual(['IHDR', 'pHYs', 'gAMA', 'eXIf', 'IDAT', 'IEND']);
    });

    it('writes no eXIf when orientation is not kept, or is already upright', async () => {
      expect(chunkTypes(clean(dirty, { keepOrientation: false }))).toEqual(['IHDR', 'pHYs', 'gAMA', 'IDAT', 'IEND']);
      const upright = assemblePng(await basePng(), { beforeImage: [exifChunk({ make: 'X', orientation: 1 })] });
      expect(chunkTypes(clean(upright))).toEqual(['IHDR', 'pHYs', 'IDAT', 'IEND']);
    });

    it('plans nothing for a file whose only eXIf is already the minimal orientation block', async () => {
      const minimal = assemblePng(await basePng(), { beforeImage: [pngChunk('eXIf', buildOrientationTiff(8))] });
      expect(png.plan!(new BufferSource(minimal), planOptions).removed).toEqual([]);
      const { result, data } = cleanBuffer(minimal);
      expect(result.status).toBe('already-clean');
      expect(data!.equals(minimal)).toBe(true);
      // Without orientation it goes.
      expect(png.plan!(new BufferSource(minimal), { ...planOptions, keepOrientation: false }).removed.map((removal) => removal.where)).toEqual(['eXIf']);
    });

    it('keeps the colour profile and APNG frames byte for byte', async () => {
      const withIcc = await sharp(await basePng()).withIccProfile('p3').png().toBuffer();
      const file = assemblePng(withIcc, { beforeImage: [textChunk('Software', 'Editor 1.0')] });
      const out = clean(file);
      expect(chunkTypes(out)).toContain('iCCP');
      expect(inspectSync(out).findings.find((finding) => finding.tag === 'ICCProfile')?.retained).toBe(true);
      expect((await pixels(out)).equals(await pixels(file))).toBe(true);
    });
  });

  describe('APNG', () => {
    it('keeps acTL/fcTL/fdAT and every frame', () => {
      let apng: Buffer;
      try {
        apng = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=32x24:rate=4', '-t', '1', '-plays', '0', '-f', 'apng', '-']);
      } catch {
        console.warn('ffmpeg is not available: APNG test skipped');
        return;
      }
      const file = assemblePng(apng, { beforeImage: [exifChunk()], afterImage: [textChunk('Comment', 'animated secret')] });
      const out = clean(file);
      // The orientation goes before the first frame control chunk, never between fcTL and IDAT.
      const types = chunkTypes(out);
      expect(types.indexOf('eXIf')).toBe(types.indexOf('fcTL') - 1);
      expect(cleanBuffer(out).result.status).toBe('already-clean');
      expect(chunkTypes(out).filter((type) => type === 'fdAT').length).toBe(chunkTypes(apng).filter((type) => type === 'fdAT').length);
      expect(chunkTypes(out)).toContain('acTL');
      expect(out.includes(Buffer.from('animated secret'))).toBe(false);
      const frames = (data: Buffer) => {
        const path = join(work, `apng-${crc32(data)}.png`);
        writeFileSync(path, data);
        return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'framemd5', '-']).toString().split('\n').filter((line) => line && !line.startsWith('#'));
      };
      expect(frames(out)).toEqual(frames(apng));
      expect(frames(out).length).toBeGreaterThan(1);
    });
  });

  describe('clean (location only)', () => {
    let cleaned: Buffer;
    beforeAll(() => {
      cleaned = clean(dirty, { only: 'location' });
    });

    it('removes every location and keeps the rest', () => {
      const report = inspectSync(cleaned);
      expect(report.locations).toEqual([]);
      expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
      const tags = report.findings.map((finding) => `${finding.where}:${finding.tag}`);
      expect(tags).toEqual(expect.arrayContaining(['tEXt/Author:Author', 'tEXt/Comment:Comment', 'iTXt/XML:com.adobe.xmp:dc:creator', 'iTXt/XML:com.adobe.xmp:dc:title', 'eXIf/IFD0:Make', 'eXIf/ExifIFD:BodySerialNumber', 'tIME:ModifyDate', 'iTXt/parameters:parameters']));
      expect(cleaned.includes(Buffer.from('Paris'))).toBe(false);
      expect(cleaned.includes(Buffer.from('TRAILING SECRET'))).toBe(false);
      const types = chunkTypes(cleaned);
      expect(types).not.toContain('caBX');
      expect(types).not.toContain('prVt');
    });

    it('re-encodes the edited iTXt with a correct CRC', () => {
      const xmp = splitPng(cleaned).head.find((chunk) => chunk.toString('latin1', 4, 8) === 'iTXt')!;
      const length = xmp.readUInt32BE(0);
      expect(xmp.readUInt32BE(8 + length)).toBe(crc32(xmp.subarray(4, 8 + length)) >>> 0);
      expect(xmp.toString('utf8')).toContain('Holiday title');
      expect(xmp.toString('utf8')).not.toContain('GPSLatitude');
    });

    it.skipIf(!exiftoolAvailable)('has no location for ExifTool, but keeps the rest', () => {
      const tags = exiftoolTags(cleaned);
      expect(leakingTags(tags, 'location')).toEqual([]);
      // Both EXIF blocks stay without GPS (eXIf, and the raw profile since the keep-list work);
      // ExifTool shows the last IFD0:Make it read.
      expect(['TestCam Inc.', 'RawProfileCam']).toContain(tags['IFD0:Make']);
      expect(tags['XMP-dc:Creator']).toBe('Xmp Creator Person');
      expect(tags['PNG:Author']).toBe('Jane Q. Photographer');
    });

    it('keeps the pixels and is idempotent', async () => {
      expect((await pixels(cleaned)).equals(await pixels(dirty))).toBe(true);
      const { result, data } = cleanBuffer(cleaned, { only: 'location' });
      expect(result.status).toBe('already-clean');
      expect(data!.equals(cleaned)).toBe(true);
    });

    it('drops a text chunk whose keyword names a place', async () => {
      const file = assemblePng(await basePng(), { beforeImage: [textChunk('GPS', '51.5,-0.12'), zTxtChunk('Title', 'kept title'), iTxtChunk('XML:com.adobe.xmp', fixtureXmp, true)] });
      const out = clean(file, { only: 'location' });
      expect(out.includes(Buffer.from('51.5,-0.12'))).toBe(false);
      expect(inspectSync(out).findings.find((finding) => finding.tag === 'Title')?.value).toBe('kept title');
      expect(inspectSync(out).findings.filter((finding) => finding.category === 'location')).toEqual([]);
    });
  });

  describe('refuses damaged files and writes nothing', () => {
    let base: Buffer;
    beforeAll(async () => {
      base = assemblePng(await basePng(), { beforeImage: [exifChunk()] });
    });

    const refusals: [string, (file: Buffer) => Buffer, string][] = [
      ['truncated inside IDAT', (file) => file.subarray(0, file.length - 20), 'TRUNCATED'],
      ['missing IEND', (file) => file.subarray(0, file.length - 12), 'TRUNCATED'],
      ['a length past 2^31-1', (file) => {
        const copy = Buffer.from(file);
        copy.writeUInt32BE(0xfffffff0, 8 + 25); // the chunk after IHDR
        return copy;
      }, 'MALFORMED'],
      ['a damaged IDAT', (file) => {
        const copy = Buffer.from(file);
        const at = copy.indexOf(Buffer.from('IDAT')) + 6;
        copy[at] = copy[at]! ^ 0xff;
        return copy;
      }, 'MALFORMED'],
      ['an unknown critical chunk', (file) => {
        const parts = splitPng(file);
        return Buffer.concat([parts.signature, ...parts.head, pngChunk('ABCD', Buffer.from('x')), ...parts.image, parts.iend]);
      }, 'UNSUPPORTED_FORMAT'],
      ['IHDR not first', (file) => {
        const parts = splitPng(file);
        return Buffer.concat([parts.signature, textChunk('a', 'b'), ...parts.head, ...parts.image, parts.iend]);
      }, 'MALFORMED'],
      ['garbage after the signature', (file) => Buffer.concat([file.subarray(0, 8), Buffer.from('this is not a chunk at all, just text')]), 'MALFORMED'],
    ];

    for (const [name, damage, code] of refusals) {
      it(name, () => {
        const input = join(work, `${name.replace(/\W+/g, '-')}.png`);
        const outDir = mkdtempSync(join(work, 'out-'));
        writeFileSync(input, damage(base));
        const result = cleanSync(input, join(outDir, 'clean.png'));
        expect(result.status).toBe('refused');
        expect(result.error?.code).toBe(code);
        expect(readdirSync(outDir)).toEqual([]);
        expect(() => png.inspect(new BufferSource(damage(base)))).toThrow(TracelessError);
      });
    }

    it('drops (and does not refuse) a metadata chunk with a bad CRC', () => {
      const bad = Buffer.from(textChunk('Comment', 'damaged'));
      bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
      const parts = splitPng(base);
      const file = Buffer.concat([parts.signature, ...parts.head, bad, ...parts.image, parts.iend]);
      expect(inspectSync(file).warnings.map((warning) => warning.code)).toContain('PNG_BAD_CRC');
      const out = clean(file, { only: 'location' });
      expect(out.includes(Buffer.from('damaged'))).toBe(false);
    });
  });

  describe('only TracelessError escapes the parser', () => {
    const mustOnlyThrowTraceless = (data: Buffer) => {
      for (const run of [() => png.inspect(new BufferSource(data)), () => png.plan!(new BufferSource(data), planOptions), () => png.plan!(new BufferSource(data), { ...planOptions, mode: 'location' })]) {
        try {
          run();
        } catch (error) {
          if (!(error instanceof TracelessError)) throw error;
        }
      }
    };
    let valid: Buffer;
    beforeAll(async () => {
      valid = await dirtyPng();
    });

    it('on random bytes after a PNG signature', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => mustOnlyThrowTraceless(Buffer.concat([dirty.subarray(0, 8), Buffer.from(bytes)]))), { numRuns: 300 });
    });

    it('on truncations and byte flips of a valid file', () => {
      fc.assert(
        fc.property(fc.nat(valid.length), fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, flips) => {
          const data = Buffer.from(valid.subarray(0, cut));
          for (const [at, value] of flips) if (at < data.length) data[at] = value;
          mustOnlyThrowTraceless(data);
        }),
        { numRuns: 300 },
      );
    });

    it('on random EXIF, text and XMP payloads inside valid chunks', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'caBX'), (bytes, type) => {
          const tiff = buildExifTiff();
          const payload = type === 'eXIf' ? Buffer.concat([tiff.subarray(0, 8 + (bytes[0] ?? 0)), Buffer.from(bytes)]) : Buffer.from(bytes);
          mustOnlyThrowTraceless(assemblePng(valid, { beforeImage: [pngChunk(type, payload)] }));
        }),
        { numRuns: 200 },
      );
    });
  });
});
