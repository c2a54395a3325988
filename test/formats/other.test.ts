import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanSync, detectFormat, inspectSync } from '../../src/index.js';
import { TracelessError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/source.js';
import { scanOnlyFormats, mpegTs } from '../../src/formats/other/index.js';
import type { Inspection } from '../../src/types.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { rgbPixels, withExifApp1 } from '../fixtures/tiff.js';
import { box, scanOnlyBuilders, u32le } from '../fixtures/scan-only.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-other-'));
let counter = 0;

let exifJpeg: Buffer;
beforeAll(async () => {
  const plain = await sharp(rgbPixels(16, 8), { raw: { width: 16, height: 8, channels: 3 } }).jpeg().toBuffer();
  exifJpeg = withExifApp1(plain, buildExifTiff());
});

/** Hand-built files, one per scan-only format (shared with the fuzz seeds). */
const builderIds = Object.keys(scanOnlyBuilders(Buffer.alloc(0)));
const builders: Record<string, () => Buffer> = Object.fromEntries(builderIds.map((id) => [id, () => scanOnlyBuilders(exifJpeg)[id]!()]));

function refusedWithoutOutput(data: Buffer): void {
  const input = join(work, `in-${counter++}`);
  const output = join(work, `out-${counter++}`);
  writeFileSync(input, data);
  const result = cleanSync(input, output);
  expect(result.status).toBe('refused');
  expect(result.error?.code).toBe('UNSUPPORTED_FORMAT');
  expect(result.error?.message).toContain('can be scanned but not cleaned');
  expect(existsSync(output)).toBe(false);
}

/** Formats these builders cover that have since become cleanable (AVI, JPEG XL: test/formats/avi.test.ts, jxl.test.ts). */
const scanOnlyIds = new Set([...scanOnlyFormats, mpegTs].map((format) => format.id));

const valueOf = (inspection: Inspection, tag: string) => inspection.findings.find((finding) => finding.tag === tag)?.value;

describe('scan-only formats', () => {
  it('has a builder for every scan-only handler', () => {
    expect(Object.keys(builders).filter((id) => scanOnlyIds.has(id)).sort()).toEqual([...scanOnlyIds].sort());
    for (const format of [...scanOnlyFormats, mpegTs]) {
      expect(format.cleanable).toBe(false);
      expect(format.plan).toBeUndefined();
    }
  });

  for (const [id, build] of Object.entries(builders).filter(([id]) => scanOnlyIds.has(id))) {
    it(`${id}: is detected from its bytes, scanned, and refused by clean with nothing written`, () => {
      const data = build();
      expect(detectFormat(data.subarray(0, 64))?.id).toBe(id);
      const inspection = inspectSync(data);
      expect(inspection.format).toEqual({ id, name: expect.any(String), cleanable: false });
      expect(inspection.findings.length).toBeGreaterThan(0);
      refusedWithoutOutput(data);
    });
  }

  it('decodes what each format carries', () => {
    const scan = (id: string) => inspectSync(builders[id]!());
    const cr3 = scan('cr3');
    expect(valueOf(cr3, 'Make')).toBe('CanonSecret');
    expect(cr3.locations.some((location) => location.where.endsWith('CMT4/GPS') && Math.abs(location.latitude - 37.774929) < 1e-4)).toBe(true);
    expect(cr3.unreadable).toEqual([expect.stringContaining('CR3 raw image tracks')]);
    expect(valueOf(scan('raf'), 'Make')).toBe(defaultExif.make);
    expect(scan('raf').locations.length).toBeGreaterThan(0);
    expect(valueOf(scan('mrw'), 'BodySerialNumber')).toBe(defaultExif.bodySerialNumber);
    const x3f = scan('x3f');
    expect(valueOf(x3f, 'SerialNumber')).toBe('SERIAL-X3F-42');
    expect(valueOf(x3f, 'DateTimeOriginal')).toBe('2001-01-01T00:36:35.000Z');
    expect(valueOf(scan('crw'), 'Model')).toBe('EOS D30 Secret');
    const jxl = scan('jxl');
    expect(valueOf(jxl, 'Make')).toBe(defaultExif.make);
    expect(valueOf(jxl, 'photoshop:City')).toBe('XmpSecretCity');
    const jp2 = scan('jp2');
    expect(valueOf(jp2, 'Comment')).toBe('Secret note');
    expect(jp2.locations.length).toBeGreaterThan(0);
    expect(valueOf(scan('psd'), 'City')).toBe('PsdSecretCity');
    const avi = scan('avi');
    expect(valueOf(avi, 'Artist')).toBe('Avi Secret Artist');
    expect(valueOf(avi, 'DateTimeOriginal')).toBe('2024/05/01 10:11:12');
    expect(avi.locations.length).toBeGreaterThan(0);
    const pdf = scan('pdf');
    expect(valueOf(pdf, 'Author')).toBe('Pdf Secret Author');
    expect(valueOf(pdf, 'Producer')).toBe('SecretProd');
    expect(valueOf(pdf, 'CreationDate')).toBe('2024-05-01 10:11:12 +02:00');
    expect(pdf.locations.length).toBeGreaterThan(0);
    const ts = scan('mpeg-ts');
    expect(valueOf(ts, 'Make')).toBe('Canon');
    expect(valueOf(ts, 'DateTimeOriginal')).toBe('2024-05-01 10:11:12+01:00');
    expect(ts.locations[0]?.latitude).toBeCloseTo(37.7749, 3);
    expect(ts.locations[0]?.longitude).toBeCloseTo(-122.4194, 3);
  });

  it('a bare JPEG XL codestream is recognised and holds no metadata', () => {
    const data = Buffer.from([0xff, 0x0a, 0xfa, 0x7f, 0x01, 0x90, 0x08, 0x06]);
    expect(detectFormat(data)?.id).toBe('jxl');
    expect(inspectSync(data).findings).toEqual([]);
    expect(inspectSync(data).warnings.map((warning) => warning.code)).toEqual(['JXL_BARE_CODESTREAM']);
  });

  it('does not take files that belong to other handlers', () => {
    const webp = Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(100), Buffer.from('WEBPVP8 ', 'latin1'), Buffer.alloc(48)]);
    expect(detectFormat(webp)?.id).not.toBe('avi');
    const mp4 = box('ftyp', Buffer.from('isom\0\0\0\0isommp41', 'latin1'));
    expect(detectFormat(Buffer.concat([mp4, Buffer.alloc(40)]))?.id).not.toBe('cr3');
    const heic = box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'latin1'));
    expect(detectFormat(Buffer.concat([heic, Buffer.alloc(40)]))?.id).not.toBe('cr3');
    expect(detectFormat(Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(58)]))?.id).toBe('gif');
    expect(detectFormat(Buffer.concat([Buffer.from('G\0\0\x10', 'latin1'), Buffer.alloc(60)]))?.id).toBe('mpeg-ts');
  });

  it('never lets anything but TracelessError out, on garbage after each signature (property test)', () => {
    const seeds = Object.values(builders).map((build) => build());
    const handlers = [...scanOnlyFormats, mpegTs];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 16 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.uint8Array({ maxLength: 256 }),
        (index, edits, cut, tail) => {
          const data = Buffer.concat([seeds[index]!, Buffer.from(tail)]);
          for (const [position, value] of edits) data[position % data.length] = value;
          const mutated = cut === undefined ? data : data.subarray(0, cut % (data.length + 1));
          for (const handler of handlers) {
            try {
              handler.inspect(new BufferSource(mutated));
            } catch (error) {
              if (!(error instanceof TracelessError)) throw error;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
