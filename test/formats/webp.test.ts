import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracelessError } from '../../src/errors.js';
import { webp } from '../../src/formats/webp/index.js';
import { BufferSource } from '../../src/io/source.js';
import { cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { exiftoolAvailable, exiftoolTags, leakingTags } from '../fixtures/png.js';
import { animatedWebp, assembleWebp, baseWebp, dirtyWebp, iccProfile, riffChunk, splitWebp } from '../fixtures/webp.js';

const planOptions = { mode: 'all', keepOrientation: true, keepDates: false } as const;

function clean(input: Buffer, options: Parameters<typeof cleanBuffer>[1] = {}): Buffer {
  const { result, data } = cleanBuffer(input, options);
  expect(result.error).toBeNull();
  expect(data).not.toBeNull();
  return data!;
}

const fourCCs = (file: Buffer) => splitWebp(file).map((part) => part.fourCC);

async function frames(file: Buffer): Promise<Buffer> {
  return sharp(file, { animated: true }).raw().toBuffer();
}

describe('WebP', () => {
  let dirty: Buffer;
  let work: string;
  beforeAll(async () => {
    dirty = await dirtyWebp({ icc: await iccProfile(), unknown: true, trailing: Buffer.from('TRAILING WEBP SECRET') });
    work = mkdtempSync(join(tmpdir(), 'traceless-webp-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is sniffed from its RIFF header', async () => {
    expect(webp.sniff(await baseWebp())).toBe(true);
    expect(webp.sniff(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBe(false);
    expect(inspectSync(dirty).format.id).toBe('webp');
  });

  describe('inspect', () => {
    it('decodes EXIF (with or without the Exif\\0\\0 prefix) and XMP', async () => {
      for (const exifHeader of [false, true]) {
        const report = inspectSync(await dirtyWebp({ exifHeader }));
        const gps = report.locations.find((location) => location.where === 'EXIF/GPS');
        expect(gps?.latitude).toBeCloseTo(37.774929, 5);
        expect(gps?.longitude).toBeCloseTo(-122.419416, 5);
        expect(report.findings.find((finding) => finding.tag === 'Model')?.value).toBe('TestCam Pro 9');
        const xmp = report.locations.find((location) => location.where === 'XMP');
        expect(xmp?.latitude).toBeCloseTo(52.52, 4);
        expect(report.findings.find((finding) => finding.tag === 'photoshop:Country')?.value).toBe('Germany');
      }
    });

    it('reports ICC as kept, unknown chunks and trailing bytes', () => {
      const report = inspectSync(dirty);
      expect(report.findings.find((finding) => finding.tag === 'ICCProfile')?.retained).toBe(true);
      expect(report.findings.find((finding) => finding.tag === 'ABCD')?.where).toBe('ABCD');
      expect(report.findings.find((finding) => finding.tag === 'Trailer')?.value).toBe(20);
      expect(report.unreadable).toEqual([]);
    });
  });

  describe('clean (all)', () => {
    let cleaned: Buffer;
    beforeAll(() => {
      cleaned = clean(dirty);
    });

    it('drops EXIF, XMP, unknown chunks and trailing bytes; clears the VP8X flags; fixes the RIFF size', () => {
      expect(fourCCs(cleaned)).toEqual(['VP8X', 'ICCP', 'VP8 ']);
      expect(cleaned.readUInt32LE(4)).toBe(cleaned.length - 8);
      const flags = splitWebp(cleaned)[0]!.payload[0]!;
      expect(flags & 0x08).toBe(0);
      expect(flags & 0x04).toBe(0);
      expect(flags & 0x20).toBe(0x20);
      const report = inspectSync(cleaned);
      expect(report.findings.filter((finding) => !finding.retained)).toEqual([]);
      expect(cleaned.includes(Buffer.from('TRAILING'))).toBe(false);
    });

    it('writes no orientation back (browsers ignore EXIF orientation in WebP)', async () => {
      const out = clean(await dirtyWebp({ xmp: null }));
      expect(fourCCs(out)).not.toContain('EXIF');
    });

    it.skipIf(!exiftoolAvailable)('re-inspects clean with ExifTool too', () => {
      const tags = exiftoolTags(cleaned);
      expect(leakingTags(tags)).toEqual([]);
      expect(JSON.stringify(tags)).not.toMatch(/Warning/);
    });

    it('keeps the pixels identical and is idempotent', async () => {
      expect((await frames(cleaned)).equals(await frames(dirty))).toBe(true);
      const { result, data } = cleanBuffer(cleaned);
      expect(result.status).toBe('already-clean');
      expect(data!.equals(cleaned)).toBe(true);
      expect(webp.plan!(new BufferSource(cleaned), planOptions).removed).toEqual([]);
    });

    it('handles lossless, alpha and animated images, including unknown chunks inside frames', async () => {
      for (const base of [await baseWebp({ lossless: true }), await baseWebp({ alpha: true }), await animatedWebp()]) {
        const animated = splitWebp(base).some((part) => part.fourCC === 'ANMF');
        const file = await dirtyWebp({ base, unknownInFrame: animated });
        const out = clean(file);
        expect(fourCCs(out)).not.toContain('EXIF');
        expect(fourCCs(out)).not.toContain('XMP ');
        expect(out.includes(Buffer.from('ZZZZ'))).toBe(false);
        expect(out.readUInt32LE(4)).toBe(out.length - 8);
        expect((await frames(out)).equals(await frames(base))).toBe(true);
        if (animated) {
          expect((await sharp(out, { animated: true }).metadata()).pages).toBe(3);
          expect(inspectSync(file).findings.some((finding) => finding.where === 'ANMF[0]/ZZZZ')).toBe(true);
        }
        expect(cleanBuffer(out).result.status).toBe('already-clean');
      }
    });

    it('is fine with a simple (VP8 only) file, and keeps nothing else', async () => {
      const simple = await baseWebp();
      const { result, data } = cleanBuffer(simple);
      expect(result.status).toBe('already-clean');
      expect(data!.equals(simple)).toBe(true);
      const withExif = assembleWebp([...splitWebp(simple), { fourCC: 'EXIF', payload: Buffer.from('odd') }]);
      const out = clean(withExif);
      expect(out.equals(simple)).toBe(true);
    });

    it('writes a pad byte as zero and a missing final pad back', async () => {
      const parts = splitWebp(await baseWebp({ lossless: true }));
      const odd = Buffer.from('odd!!', 'latin1');
      const file = assembleWebp([...parts, { fourCC: 'ABCD', payload: odd }]);
      const withoutPad = Buffer.from(file.subarray(0, file.length - 1));
      withoutPad.writeUInt32LE(withoutPad.length - 8, 4);
      expect(clean(withoutPad).equals(assembleWebp(parts))).toBe(true);
      // A kept chunk (XMP without a place, in location mode) that is last and lacks its pad gets
      // one. (Only an extended file keeps XMP: a simple-format file's metadata chunks are removed.)
      const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>!';
      expect(Buffer.byteLength(xmp) & 1).toBe(1);
      const padded = await dirtyWebp({ base: await baseWebp({ lossless: true }), exif: null, xmp });
      expect(fourCCs(padded).at(-1)).toBe('XMP ');
      const unpadded = Buffer.from(padded.subarray(0, padded.length - 1));
      unpadded.writeUInt32LE(unpadded.length - 8, 4);
      // (The XMP itself is re-written from its parsed model, so compare with the clean of the padded file.)
      const cleanPadded = clean(padded, { only: 'location' });
      expect(cleanPadded.length % 2).toBe(0);
      expect(clean(unpadded, { only: 'location' }).equals(cleanPadded)).toBe(true);
      // A non-zero pad byte is written as zero.
      const dirtyPad = Buffer.from(padded);
      dirtyPad[dirtyPad.length - 1] = 0x55;
      expect(clean(dirtyPad, { only: 'location' }).equals(cleanPadded)).toBe(true);
      expect(cleanBuffer(dirtyPad, { only: 'location' }).result.removed.map((removal) => removal.note)).toContain('its pad byte is not zero');
      expect(inspectSync(dirtyPad).findings.some((finding) => finding.tag === 'Slack')).toBe(true);
      // In a simple-format file, metadata chunks are not part of the format: removed in both modes.
      const simpleWithXmp = assembleWebp([...parts, { fourCC: 'XMP ', payload: Buffer.from(xmp) }]);
      expect(clean(simpleWithXmp, { only: 'location' }).equals(assembleWebp(parts))).toBe(true);
    });
  });

  describe('clean (location only)', () => {
    let cleaned: Buffer;
    beforeAll(() => {
      cleaned = clean(dirty, { only: 'location' });
    });

    it('removes locations from EXIF and XMP and keeps the rest', () => {
      const report = inspectSync(cleaned);
      expect(report.locations).toEqual([]);
      expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
      expect(report.findings.find((finding) => finding.tag === 'Make')?.value).toBe('TestCam Inc.');
      expect(report.findings.find((finding) => finding.tag === 'dc:creator')?.value).toBe('Webp Creator Person');
      expect(fourCCs(cleaned)).toEqual(['VP8X', 'ICCP', 'VP8 ', 'EXIF', 'XMP ']);
      expect(splitWebp(cleaned)[0]!.payload[0]! & 0x0c).toBe(0x0c);
      expect(cleaned.readUInt32LE(4)).toBe(cleaned.length - 8);
      expect(cleaned.includes(Buffer.from('Germany'))).toBe(false);
    });

    it('edits EXIF behind an Exif\\0\\0 prefix too', async () => {
      const out = clean(await dirtyWebp({ exifHeader: true }), { only: 'location' });
      expect(inspectSync(out).locations).toEqual([]);
      expect(inspectSync(out).findings.find((finding) => finding.tag === 'Model')?.value).toBe('TestCam Pro 9');
    });

    it.skipIf(!exiftoolAvailable)('has no location for ExifTool', () => {
      const tags = exiftoolTags(cleaned);
      expect(leakingTags(tags, 'location')).toEqual([]);
      expect(tags['IFD0:Make']).toBe('TestCam Inc.');
    });

    it('keeps the pixels and is idempotent', async () => {
      expect((await frames(cleaned)).equals(await frames(dirty))).toBe(true);
      const { result, data } = cleanBuffer(cleaned, { only: 'location' });
      expect(result.status).toBe('already-clean');
      expect(data!.equals(cleaned)).toBe(true);
    });
  });

  describe('refuses damaged files and writes nothing', () => {
    let base: Buffer;
    beforeAll(async () => {
      base = await dirtyWebp();
    });
    const refusals: [string, (file: Buffer) => Buffer, string][] = [
      ['truncated', (file) => file.subarray(0, file.length - 30), 'TRUNCATED'],
      ['a chunk size past the RIFF end', (file) => {
        const copy = Buffer.from(file);
        copy.writeUInt32LE(0x7ffffff0, 16); // the VP8X size
        return copy;
      }, 'TRUNCATED'],
      ['a bad FourCC', (file) => {
        const copy = Buffer.from(file);
        copy[12] = 0x01;
        return copy;
      }, 'MALFORMED'],
      ['no image chunk', () => assembleWebp([{ fourCC: 'VP8X', payload: Buffer.alloc(10) }, { fourCC: 'EXIF', payload: Buffer.from('x') }]), 'MALFORMED'],
      ['garbage after the header', (file) => Buffer.concat([file.subarray(0, 12), Buffer.from('garbage garbage garbage')]), 'TRUNCATED'],
    ];
    for (const [name, damage, code] of refusals) {
      it(name, () => {
        const input = join(work, `${name.replace(/\W+/g, '-')}.webp`);
        const outDir = mkdtempSync(join(work, 'out-'));
        writeFileSync(input, damage(base));
        const result = cleanSync(input, join(outDir, 'clean.webp'));
        expect(result.status).toBe('refused');
        expect(result.error?.code).toBe(code);
        expect(readdirSync(outDir)).toEqual([]);
      });
    }
  });

  describe('only TracelessError escapes the parser', () => {
    const mustOnlyThrowTraceless = (data: Buffer) => {
      for (const run of [() => webp.inspect(new BufferSource(data)), () => webp.plan!(new BufferSource(data), planOptions), () => webp.plan!(new BufferSource(data), { ...planOptions, mode: 'location' })]) {
        try {
          run();
        } catch (error) {
          if (!(error instanceof TracelessError)) throw error;
        }
      }
    };
    let valid: Buffer;
    beforeAll(async () => {
      valid = await dirtyWebp({ base: await animatedWebp(), unknownInFrame: true, unknown: true });
    });

    it('on random bytes after a RIFF/WEBP header', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.nat(1024), (bytes, size) => {
        const header = Buffer.from('RIFF\0\0\0\0WEBP', 'latin1');
        header.writeUInt32LE(size, 4);
        mustOnlyThrowTraceless(Buffer.concat([header, Buffer.from(bytes)]));
      }), { numRuns: 300 });
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

    it('on random EXIF and XMP payloads', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('EXIF', 'XMP '), (bytes, fourCC) => {
        mustOnlyThrowTraceless(assembleWebp([...splitWebp(valid), { fourCC, payload: Buffer.concat([Buffer.from('MM\0*\0\0\0\x08', 'latin1'), Buffer.from(bytes)]) }]));
      }), { numRuns: 200 });
    });
  });

  it('fixture sanity: riffChunk pads odd payloads', () => {
    expect(riffChunk('TEST', Buffer.from('abc')).length).toBe(12);
  });
});
