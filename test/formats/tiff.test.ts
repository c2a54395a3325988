import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, cleanSync, detectFormat, inspectSync } from '../../src/index.js';
import { TracelessError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/source.js';
import { parseTiff, findEntry, readBytes } from '../../src/decode/tiff.js';
import { rawTiff, tiff } from '../../src/formats/tiff/index.js';
import type { Inspection } from '../../src/types.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { TiffWriter, buildDng, buildFullTiff, gpsPosition, imageSize, rgbPixels, secrets, withExifApp1 } from '../fixtures/tiff.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-tiff-'));
let counter = 0;

function exiftool(data: Buffer): Record<string, unknown> {
  const path = join(work, `probe-${counter++}.tif`);
  writeFileSync(path, data);
  const output = execFileSync('exiftool', ['-j', '-a', '-G1', '-ee', '-u', path], { encoding: 'utf8' });
  return (JSON.parse(output) as Record<string, unknown>[])[0]!;
}

/** ExifTool keys that reveal something a full clean must remove. */
function leakingKeys(meta: Record<string, unknown>): string[] {
  return Object.entries(meta)
    .filter(([key, value]) => {
      const [group = '', tag = ''] = key.split(':');
      if (['System', 'File', 'ExifTool', 'Composite'].includes(group) || group.startsWith('ICC') || key === 'SourceFile') return false;
      if (/^(XMP|IPTC|Photoshop|MakerNotes|GPS|PrintIM|GeoTiff)/.test(group)) return true;
      if (typeof value === 'string' && value.trim() === '') return false; // a blanked value (UniqueCameraModel)
      return /GPS|Make$|Model$|Serial|DateTime|CreateDate|ModifyDate|Artist|Copyright|Software|HostComputer|Owner|Description|DocumentName|XP|RawFileName|RawDataUniqueID|Thumbnail(Image|Offset|Length)/i.test(tag);
    })
    .map(([key]) => key);
}

async function pixelsOf(data: Buffer): Promise<Buffer> {
  return sharp(data).raw().toBuffer();
}

function containsText(data: Buffer, text: string): boolean {
  return data.includes(Buffer.from(text, 'latin1')) || data.includes(Buffer.from(text, 'utf16le'));
}

function cleanOf(data: Buffer, options: Parameters<typeof cleanBuffer>[1] = {}): Buffer {
  const { result, data: output } = cleanBuffer(data, options);
  expect(result.error, JSON.stringify(result.error)).toBeNull();
  expect(output).not.toBeNull();
  return output!;
}

const unretained = (inspection: Inspection) => inspection.findings.filter((finding) => !finding.retained);

let plainJpeg: Buffer;
let exifJpeg: Buffer;
let icc: Buffer;

beforeAll(async () => {
  plainJpeg = await sharp(rgbPixels(16, 8, 3), { raw: { width: 16, height: 8, channels: 3 } }).jpeg().toBuffer();
  exifJpeg = withExifApp1(plainJpeg, buildExifTiff());
  const withProfile = await sharp(rgbPixels(8, 8), { raw: { width: 8, height: 8, channels: 3 } }).withIccProfile('srgb').jpeg().toBuffer();
  const marker = withProfile.indexOf(Buffer.from('ICC_PROFILE\0', 'latin1'));
  const length = withProfile.readUInt16BE(marker - 2);
  icc = Buffer.from(withProfile.subarray(marker + 14, marker - 2 + length));
});

describe('TIFF sniffing', () => {
  it('recognises classic, big-endian and BigTIFF headers, and hands RAW magic to the RAW handler', () => {
    expect(detectFormat(buildFullTiff())?.id).toBe('tiff');
    expect(detectFormat(buildFullTiff({ littleEndian: false }))?.id).toBe('tiff');
    expect(detectFormat(buildFullTiff({ bigTiff: true }))?.id).toBe('tiff');
    const cr2 = Buffer.concat([Buffer.from('II*\0\x10\0\0\0CR\x02\0\0\0\0\0', 'latin1'), Buffer.alloc(48)]);
    expect(detectFormat(cr2)?.id).toBe('raw-tiff');
    for (const magic of ['IIRO', 'IIRS', 'MMOR', 'IIU\0']) {
      expect(detectFormat(Buffer.concat([Buffer.from(magic, 'latin1'), Buffer.alloc(60)]))?.id).toBe('raw-tiff');
    }
    expect(tiff.sniff(Buffer.from('II*\0', 'latin1'))).toBe(false);
    expect(tiff.sniff(Buffer.from('II\0*\0\0\0\0', 'latin1'))).toBe(false);
  });
});

describe('TIFF inspect', () => {
  it('decodes GPS, device, owner, time, XMP, IPTC and the thumbnail', () => {
    const file = buildFullTiff({ thumbnail: exifJpeg });
    const inspection = inspectSync(file);
    expect(inspection.format.id).toBe('tiff');
    expect(inspection.unreadable).toEqual([]);
    const gps = inspection.locations.find((location) => location.where === 'TIFF/GPS');
    expect(gps?.latitude).toBeCloseTo(gpsPosition.latitude, 4);
    expect(gps?.longitude).toBeCloseTo(gpsPosition.longitude, 4);
    const byTag = (tag: string) => inspection.findings.filter((finding) => finding.tag === tag).map((finding) => finding.value);
    expect(byTag('Make')).toContain(secrets.make);
    expect(byTag('Model')).toContain(secrets.model);
    expect(byTag('BodySerialNumber')).toContain('BODY-SERIAL-555444');
    expect(byTag('Artist')).toContain(secrets.artist);
    expect(byTag('XPAuthor')).toContain(secrets.xpAuthor);
    expect(byTag('photoshop:City')).toContain(secrets.xmpCity);
    expect(byTag('City')).toContain(secrets.iptcCity);
    expect(byTag('ThumbnailImage').length).toBe(1);
    // The thumbnail's own EXIF is read too: its GPS and make are reported.
    expect(inspection.findings.some((finding) => finding.where.includes('IFD1/JPEG') && finding.tag === 'Make' && finding.value === defaultExif.make)).toBe(true);
    expect(inspection.findings.find((finding) => finding.tag === 'Orientation')?.retained).toBe(true);
    expect(inspection.findings.some((finding) => finding.tag === 'UnreferencedData')).toBe(true);
  });

  it('decodes a geographic GeoTIFF position', () => {
    const inspection = inspectSync(buildFullTiff({ geoTiff: true }));
    const geo = inspection.locations.find((location) => location.where.endsWith('GeoTIFF'));
    expect(geo?.latitude).toBeCloseTo(gpsPosition.latitude, 5);
    expect(geo?.longitude).toBeCloseTo(gpsPosition.longitude, 5);
  });
});

describe('TIFF clean (all)', () => {
  const variants = [
    { name: 'little-endian', options: {} },
    { name: 'big-endian', options: { littleEndian: false } },
    { name: 'BigTIFF', options: { bigTiff: true } },
  ];
  for (const variant of variants) {
    it(`${variant.name}: removes everything but the image, in place`, async () => {
      const input = buildFullTiff({ ...variant.options, thumbnail: exifJpeg, icc, geoTiff: true });
      const output = cleanOf(input);
      expect(output.length).toBe(input.length);
      const again = inspectSync(output);
      expect(unretained(again)).toEqual([]);
      expect(again.locations).toEqual([]);
      expect(again.unreadable).toEqual([]);
      expect(again.findings.find((finding) => finding.tag === 'Orientation')?.value).toBe(6);
      expect(again.findings.some((finding) => finding.tag === 'ICCProfile' && finding.retained)).toBe(true);
      for (const text of [...Object.values(secrets), 'BODY-SERIAL-555444', 'LENS-SERIAL-777888', 'MAKERNOTE-SECRET', defaultExif.make, defaultExif.bodySerialNumber]) {
        expect(containsText(output, text), text).toBe(false);
      }
      expect(await pixelsOf(output)).toEqual(rgbPixels(imageSize.width, imageSize.height));
      const meta = exiftool(output);
      expect(leakingKeys(meta)).toEqual([]);
      expect(meta['IFD0:Orientation']).toBeDefined();
      expect(meta['ICC_Profile:ProfileDescription']).toBeDefined();
      // Cleaning twice is cleaning once.
      const { result, data } = cleanBuffer(output);
      expect(result.status).toBe('already-clean');
      expect(data!.equals(output)).toBe(true);
    });
  }

  it('reports what it removed and kept, and keeps orientation only on request', () => {
    const input = buildFullTiff({ thumbnail: exifJpeg });
    const { result } = cleanBuffer(input);
    expect(result.status).toBe('cleaned');
    const where = result.removed.map((removal) => removal.where);
    expect(where).toEqual(expect.arrayContaining(['TIFF/GPS', 'TIFF/ExifIFD', 'TIFF/IFD1', 'TIFF/IFD0/Make', 'TIFF/IFD0/XMP', 'TIFF/IFD0/IPTC-NAA', 'TIFF/unreferenced']));
    expect(result.kept).toContain('orientation 6');
    const { data } = cleanBuffer(input, { keepOrientation: false });
    expect(inspectSync(data!).findings).toEqual([]);
  });

  it('keeps pixels of a JPEG-compressed TIFF written by sharp', async () => {
    const written = await sharp(rgbPixels(32, 16, 9), { raw: { width: 32, height: 16, channels: 3 } }).tiff({ compression: 'jpeg' }).toBuffer();
    const output = cleanOf(written);
    expect(output.length).toBe(written.length);
    expect(await pixelsOf(output)).toEqual(await pixelsOf(written));
    expect(cleanBuffer(output).result.status).toBe('already-clean');
  });

  it('zeroes APPn metadata inside JPEG strips without changing the picture', async () => {
    const w = new TiffWriter(true);
    const strip = withExifApp1(plainJpeg);
    const file = w.build({
      entries: [
        { tag: 0x0100, value: w.short(16) }, { tag: 0x0101, value: w.short(8) }, { tag: 0x0102, value: w.short(8, 8, 8) },
        { tag: 0x0103, value: w.short(7) }, { tag: 0x0106, value: w.short(6) }, { tag: 0x0111, blobs: [strip] },
        { tag: 0x0115, value: w.short(3) }, { tag: 0x0116, value: w.short(8) }, { tag: 0x0117, blobCounts: [strip] },
      ],
    });
    const inspection = inspectSync(file);
    expect(inspection.locations.length).toBe(1);
    const output = cleanOf(file);
    expect(containsText(output, defaultExif.make)).toBe(false);
    expect(inspectSync(output).findings).toEqual([]);
    const start = file.indexOf(strip);
    expect(await sharp(output.subarray(start, start + strip.length)).raw().toBuffer()).toEqual(await sharp(strip).raw().toBuffer());
  });
});

describe('DNG', () => {
  // Behaviour change (keep-list issue): DNG previews (IFD0's and SubIFD1's) are removed, like
  // thumbnails; only the raw data a converter develops stays byte for byte.
  it('blanks UniqueCameraModel, removes DNG private tags and previews, keeps the raw data', async () => {
    const previewJpeg = withExifApp1(plainJpeg);
    const input = buildDng(previewJpeg);
    const scan = inspectSync(input);
    expect(scan.findings.find((finding) => finding.tag === 'UniqueCameraModel')?.text).toContain('empties this text');
    expect(scan.findings.some((finding) => finding.tag === 'CameraSerialNumber' && finding.value === secrets.cameraSerial)).toBe(true);
    expect(scan.findings.filter((finding) => finding.tag === 'PreviewImage' && !finding.retained)).toHaveLength(2);
    expect(scan.locations.length).toBeGreaterThan(0); // XMP and the preview's own EXIF
    const { result, data } = cleanBuffer(input);
    expect(result.status).toBe('cleaned');
    expect(result.kept.join(' ')).toContain('UniqueCameraModel');
    const output = data!;
    expect(output.length).toBe(input.length);
    expect(unretained(inspectSync(output))).toEqual([]);
    for (const text of [...Object.values(secrets), 'ORIGINAL-RAW-FILE-DATA', defaultExif.make]) expect(containsText(output, text), text).toBe(false);
    const before = parseTiff(input);
    const after = parseTiff(output);
    expect(after.ifds.map((ifd) => ifd.name)).toEqual(['IFD0', 'SubIFD0']);
    expect(findEntry(after.ifds[0], 0x0111)).toBeUndefined();
    // The raw strip is byte for byte the same, where it was.
    const rawOffsets = readBytes(before, findEntry(before.ifds.find((ifd) => ifd.name === 'SubIFD0'), 0x0111)!);
    expect(readBytes(after, findEntry(after.ifds[1], 0x0111)!)).toEqual(rawOffsets);
    const rawStart = rawOffsets.readUInt32BE(0);
    const rawLength = 16 * 8 * 2;
    expect(output.subarray(rawStart, rawStart + rawLength)).toEqual(input.subarray(rawStart, rawStart + rawLength));
    expect(output.includes(previewJpeg.subarray(100, 200))).toBe(false);
    const ucm = findEntry(after.ifds[0], 0xc614)!;
    expect(ucm.count).toBe(1);
    expect(ucm.inline).toBe(true);
    expect(readBytes(after, ucm)).toEqual(Buffer.from([0]));
    const meta = exiftool(output);
    expect(meta['IFD0:UniqueCameraModel']).toBe('');
    expect(meta['IFD0:DNGVersion']).toBeDefined();
    expect(leakingKeys(meta)).toEqual([]);
    expect(cleanBuffer(output).result.status).toBe('already-clean');
  });
});

describe('TIFF clean (location only)', () => {
  // Location mode is an allow-list (keep-list issue, point 5): XMP, IPTC and Photoshop records are
  // removed whole rather than edited (they were edited in place before), the rest that is known to
  // hold no place stays.
  it('removes GPS, GeoTIFF, XMP, IPTC and thumbnails, keeping device, owner and dates', () => {
    const input = buildFullTiff({ geoTiff: true, thumbnail: exifJpeg });
    const output = cleanOf(input, { only: 'location' });
    expect(output.length).toBe(input.length);
    const again = inspectSync(output);
    expect(again.findings.filter((finding) => finding.category === 'location')).toEqual([]);
    expect(again.locations).toEqual([]);
    const values = again.findings.map((finding) => finding.value);
    expect(values).toEqual(expect.arrayContaining([secrets.make, secrets.artist]));
    for (const text of [secrets.xmpCity, secrets.iptcCity, secrets.iptcByline]) expect(containsText(output, text), text).toBe(false);
    const structure = parseTiff(output);
    expect(findEntry(structure.ifds[0], 0x02bc)).toBeUndefined();
    expect(findEntry(structure.ifds[0], 0x83bb)).toBeUndefined();
    const meta = exiftool(output);
    expect(Object.keys(meta).filter((key) => /GPS|City|GeoTiff|IPTC|XMP/.test(key))).toEqual([]);
    expect(meta['IFD0:Make']).toBe(secrets.make);
    const { result, data } = cleanBuffer(output, { only: 'location' });
    expect(result.status).toBe('already-clean');
    expect(data!.equals(output)).toBe(true);
  });
});

describe('camera RAW', () => {
  function nefLike(): Buffer {
    const w = new TiffWriter(true);
    const data = Buffer.alloc(64, 7);
    const raw = { entries: [
      { tag: 0x0100, value: w.short(4) }, { tag: 0x0101, value: w.short(4) }, { tag: 0x0102, value: w.short(16) },
      { tag: 0x0103, value: w.short(34713) }, { tag: 0x0106, value: w.short(32803) }, { tag: 0x0111, blobs: [data] }, { tag: 0x0117, blobCounts: [data] },
    ] };
    return w.build({ entries: [
      { tag: 0x010f, value: w.ascii('NIKON CORPORATION') }, { tag: 0x0110, value: w.ascii('NIKON D70') }, { tag: 0x014a, ifds: [raw] },
    ] });
  }

  it('scans a NEF but refuses to clean it, writing nothing', () => {
    const file = nefLike();
    const inspection = inspectSync(file);
    expect(inspection.findings.find((finding) => finding.tag === 'Make')?.value).toBe('NIKON CORPORATION');
    const input = join(work, 'camera.nef');
    const output = join(work, 'camera.clean.nef');
    writeFileSync(input, file);
    const result = cleanSync(input, output);
    expect(result.status).toBe('refused');
    expect(result.error?.code).toBe('UNSUPPORTED_FORMAT');
    expect(result.error?.message).toContain('camera RAW files (NEF) can be scanned but not cleaned');
    expect(existsSync(output)).toBe(false);
  });

  it('reads CR2 and RW2 through the RAW handler, and refuses to clean them', () => {
    const w = new TiffWriter(true);
    const ifd0 = () => ({ entries: [{ tag: 0x010f, value: w.ascii('Canon') }, { tag: 0x0110, value: w.ascii('Canon EOS 350D DIGITAL') }] });
    const cr2 = w.build(ifd0(), undefined, Buffer.from('CR\x02\0\0\0\0\0', 'latin1'));
    expect(detectFormat(cr2)?.id).toBe('raw-tiff');
    const inspection = inspectSync(cr2);
    expect(inspection.format.cleanable).toBe(false);
    expect(inspection.findings.find((finding) => finding.tag === 'Model')?.value).toBe('Canon EOS 350D DIGITAL');
    const rw2 = w.build(ifd0());
    rw2.write('IIU\0', 0, 'latin1');
    const report = rawTiff.inspect(new BufferSource(rw2));
    expect(report.findings.find((finding) => finding.tag === 'Make')?.value).toBe('Canon');
    for (const file of [cr2, rw2]) {
      const { result, data } = cleanBuffer(file);
      expect(result.status).toBe('refused');
      expect(result.error?.code).toBe('UNSUPPORTED_FORMAT');
      expect(data).toBeNull();
    }
  });
});

describe('malformed TIFF', () => {
  function refusedWithoutOutput(data: Buffer, code?: string): void {
    const input = join(work, `bad-${counter++}.tif`);
    const output = join(work, `bad-${counter++}.clean.tif`);
    writeFileSync(input, data);
    const result = cleanSync(input, output);
    expect(result.status, JSON.stringify(result.error)).toBe('refused');
    if (code) expect(result.error?.code).toBe(code);
    expect(existsSync(output)).toBe(false);
  }

  it('refuses a cyclic IFD chain', () => {
    const w = new TiffWriter(true);
    const pixels = rgbPixels(2, 2);
    const second = { entries: [{ tag: 0x0100, value: w.short(2) }, { tag: 0x0101, value: w.short(2) }, { tag: 0x0111, blobs: [pixels] }, { tag: 0x0117, blobCounts: [pixels] }] } as Parameters<TiffWriter['build']>[0];
    const first = { entries: [{ tag: 0x0100, value: w.short(2) }, { tag: 0x0101, value: w.short(2) }, { tag: 0x0111, blobs: [pixels] }, { tag: 0x0117, blobCounts: [pixels] }], next: second };
    second.next = first;
    refusedWithoutOutput(w.build(first), 'MALFORMED');
  });

  it('refuses strips past the end, a missing IFD0, and a truncated file', () => {
    const good = buildFullTiff();
    const structure = parseTiff(Buffer.from(good));
    const stripOffsets = findEntry(structure.ifds[0], 0x0111)!;
    const pastEnd = Buffer.from(good);
    pastEnd.writeUInt32LE(good.length + 100, stripOffsets.valueOffset);
    refusedWithoutOutput(pastEnd, 'TRUNCATED');
    const noIfd = Buffer.from(good);
    noIfd.writeUInt32LE(good.length + 8, 4);
    refusedWithoutOutput(noIfd);
    refusedWithoutOutput(good.subarray(0, good.length - 40));
    refusedWithoutOutput(good.subarray(0, 30));
  });

  it('lets only TracelessError escape inspect and plan (property test)', () => {
    const seeds = [buildFullTiff({ thumbnail: exifJpeg }), buildFullTiff({ bigTiff: true, geoTiff: true }), buildDng(withExifApp1(plainJpeg))];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.constantFrom<'all' | 'location'>('all', 'location'),
        (seed, edits, cut, mode) => {
          const data = Buffer.from(seed);
          for (const [position, value] of edits) data[position % data.length] = value;
          const mutated = cut === undefined ? data : data.subarray(0, cut % data.length);
          for (const run of [
            () => tiff.inspect(new BufferSource(mutated)),
            () => tiff.plan!(new BufferSource(mutated), { mode, keepOrientation: true, keepDates: false }),
            () => rawTiff.inspect(new BufferSource(mutated)),
          ]) {
            try {
              run();
            } catch (error) {
              if (!(error instanceof TracelessError)) throw error;
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('lets only TracelessError escape on random bytes behind a TIFF header (property test)', () => {
    const headers = ['II*\0', 'MM\0*', 'II+\0\x08\0\0\0', 'IIRO', 'IIU\0', 'II*\0\x10\0\0\0CR\x02\0'].map((text) => Buffer.from(text, 'latin1'));
    fc.assert(
      fc.property(fc.constantFrom(...headers), fc.uint8Array({ minLength: 0, maxLength: 600 }), (header, body) => {
        const data = Buffer.concat([header, Buffer.from(body)]);
        for (const handler of [tiff, rawTiff]) {
          for (const run of [() => handler.inspect(new BufferSource(data)), () => handler.plan?.(new BufferSource(data), { mode: 'all', keepOrientation: true, keepDates: false })]) {
            try {
              run();
            } catch (error) {
              if (!(error instanceof TracelessError)) throw error;
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never leaves a finding behind when a mutated file is cleaned', () => {
    const seed = buildFullTiff({ thumbnail: exifJpeg, icc });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const data = Buffer.from(seed);
        for (const [position, value] of edits) data[position % data.length] = value;
        const { result, data: output } = cleanBuffer(data);
        if (output) {
          expect(result.verification?.ok).toBe(true);
          expect(cleanBuffer(output).result.status).toBe('already-clean');
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('fixtures', () => {
  it('build a TIFF that sharp reads at the expected size', async () => {
    const meta = await sharp(buildFullTiff()).metadata();
    expect([meta.width, meta.height]).toEqual([imageSize.width, imageSize.height]);
  });
});
