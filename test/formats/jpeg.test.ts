import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracelessError, cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { BufferSource } from '../../src/io/source.js';
import { walkJpeg } from '../../src/formats/jpeg/markers.js';
import { planJpeg } from '../../src/formats/jpeg/plan.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertSegments, phoneJpeg, secrets, segment, xmpPacket, xmpSegment } from '../fixtures/jpeg.js';

let phone: Buffer;
let work: string;

beforeAll(async () => {
  phone = await phoneJpeg({ extendedXmp: true, trailerImage: true });
  work = mkdtempSync(join(tmpdir(), 'traceless-jpeg-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The entropy-coded data and image segments: what a decoder reads. */
function imageParts(jpeg: Buffer): Buffer[] {
  const layout = walkJpeg(new BufferSource(jpeg));
  return layout.parts
    .filter((part) => part.type === 'entropy' || (part.type === 'segment' && [0xc0, 0xc2, 0xc4, 0xdb, 0xda, 0xdd].includes(part.marker)))
    .map((part) => jpeg.subarray(part.offset, part.offset + part.length));
}

async function pixels(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg, { autoOrient: false }).raw().toBuffer();
}

describe('JPEG inspect', () => {
  it('decodes GPS, device, time, owner, thumbnail and trailer findings', () => {
    const report = inspectSync(phone);
    expect(report.format.id).toBe('jpeg');
    const gps = report.locations.find((location) => location.where === 'APP1/Exif/GPS');
    expect(gps?.latitude).toBeCloseTo(37.774929, 5);
    expect(gps?.longitude).toBeCloseTo(-122.419416, 5);
    expect(gps?.altitude).toBeCloseTo(12, 3);
    expect(gps?.gpsTime).toBe('2024-05-01T17:11:12Z');
    const xmp = report.locations.find((location) => location.where === 'APP1/XMP');
    expect(xmp?.latitude).toBeCloseTo(48.85837, 4);
    // The thumbnail and the trailer image carry their own GPS: both are found.
    expect(report.locations.some((location) => location.where.includes('thumbnail') && location.latitude < -33)).toBe(true);
    expect(report.locations.some((location) => location.where.startsWith('trailer/image1') && Math.abs(location.latitude - 51.5007) < 1e-3)).toBe(true);
    const tags = (category: string) => report.findings.filter((finding) => finding.category === category).map((finding) => `${finding.tag}=${finding.text}`);
    expect(tags('device')).toEqual(expect.arrayContaining(['Make=TestCam Inc.', 'Model=TestCam Pro 9', 'BodySerialNumber=SN-CAMERA-0042-XYZ', 'aux:SerialNumber=XMP-SERIAL-123456']));
    expect(tags('time')).toContain('DateTimeOriginal=2024:05:01 10:11:12');
    expect(tags('owner')).toEqual(expect.arrayContaining(['Artist=Jane Q. Photographer', 'CameraOwnerName=Jane Owner Name', 'By-line=IPTC Byline Person']));
    expect(tags('location')).toEqual(expect.arrayContaining([`City=${secrets.city}`, `photoshop:City=${secrets.city}`, `photoshop:Country=${secrets.country}`]));
    expect(report.findings.some((finding) => finding.category === 'thumbnail')).toBe(true);
    expect(report.findings.some((finding) => finding.tag === 'Trailer' && finding.category === 'embedded')).toBe(true);
    expect(report.findings.some((finding) => finding.where === 'APP1/ExtendedXMP' && finding.text.includes('Extended-Secret-City'))).toBe(true);
    expect(report.findings.find((finding) => finding.tag === 'Orientation')).toMatchObject({ value: 6, retained: true });
  });

  it('reads UTF-16 XMP packets', () => {
    const utf16 = Buffer.from(`\ufeff${xmpPacket()}`, 'utf16le');
    const built = Buffer.concat([Buffer.from([0xff, 0xd8]), segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), utf16])), phone.subarray(2)]);
    const report = inspectSync(built);
    expect(report.findings.some((finding) => finding.where === 'APP1/XMP' && finding.text === secrets.city)).toBe(true);
  });
});

describe('JPEG clean (everything)', () => {
  it('removes every metadata block, keeps ICC and orientation, and copies the image data byte for byte', async () => {
    const { result, data } = cleanBuffer(phone);
    expect(result.status).toBe('cleaned');
    expect(result.verification?.ok).toBe(true);
    const out = data!;
    const report = inspectSync(out);
    expect(report.findings.filter((finding) => !finding.retained)).toEqual([]);
    expect(report.findings.find((finding) => finding.tag === 'Orientation')?.value).toBe(6);
    expect(report.blocks.map((block) => block.kind).sort()).toEqual(['exif', 'icc']);
    expect(imageParts(out)).toEqual(imageParts(phone));
    expect(await pixels(out)).toEqual(await pixels(phone));
    for (const secret of [...Object.values(secrets), 'SN-CAMERA-0042-XYZ', 'TestCam', 'XMP-SERIAL', 'Exif\0\0MM\0*\0\0\0\x08\0\x07']) {
      expect(out.includes(Buffer.from(secret, 'latin1')), secret).toBe(false);
    }
    expect(out.subarray(out.length - 2)).toEqual(Buffer.from([0xff, 0xd9]));
  });

  it('passes ExifTool: no GPS, device, owner, XMP, IPTC, thumbnail or trailer left', () => {
    const input = join(work, 'phone.jpg');
    const output = join(work, 'phone.clean.jpg');
    writeFileSync(input, phone);
    expect(sensitiveTags(exiftoolTags(input)).length).toBeGreaterThan(10);
    const result = cleanSync(input, output);
    expect(result.status).toBe('cleaned');
    const tags = exiftoolTags(output);
    expect(sensitiveTags(tags)).toEqual([]);
    expect(tags['EXIF:IFD0:Orientation']).toBe(6);
    expect(tags['ICC_Profile:ICC-header:ColorSpaceData'] ?? tags['ICC-header:ColorSpaceData'] ?? Object.keys(tags).some((key) => key.startsWith('ICC'))).toBeTruthy();
  });

  it('cleaning twice equals cleaning once', () => {
    const once = cleanBuffer(phone).data!;
    const twice = cleanBuffer(once);
    expect(twice.result.status).toBe('already-clean');
    expect(twice.result.removed).toEqual([]);
    expect(twice.data).toEqual(once);
  });

  it('drops orientation too with keepOrientation false', () => {
    const out = cleanBuffer(phone, { keepOrientation: false }).data!;
    const report = inspectSync(out);
    expect(report.blocks.some((block) => block.kind === 'exif')).toBe(false);
    expect(report.findings.filter((finding) => finding.tag === 'Orientation')).toEqual([]);
  });

  it('writes no orientation block when the photo is already upright', async () => {
    const upright = insertSegments(await basePixelsJpeg(), [exifSegment({ orientation: 1, make: 'UprightCam' })]);
    const out = cleanBuffer(upright).data!;
    expect(inspectSync(out).blocks).toEqual([]);
  });

  it('keeps progressive JPEGs (several scans with tables between them) intact', async () => {
    const progressive = await phoneJpeg({ progressive: true });
    const out = cleanBuffer(progressive).data!;
    expect(imageParts(out)).toEqual(imageParts(progressive));
    expect(await pixels(out)).toEqual(await pixels(progressive));
  });
});

describe('JPEG clean --only location', () => {
  it('removes GPS, XMP and IPTC places, the thumbnail’s GPS and trailers, and keeps the rest', () => {
    const { result, data } = cleanBuffer(phone, { only: 'location' });
    expect(result.status).toBe('cleaned');
    const report = inspectSync(data!);
    expect(report.locations).toEqual([]);
    expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
    const kept = report.findings.map((finding) => `${finding.tag}=${finding.text}`);
    expect(kept).toEqual(expect.arrayContaining(['Make=TestCam Inc.', 'BodySerialNumber=SN-CAMERA-0042-XYZ', 'Artist=Jane Q. Photographer', `dc:creator=${secrets.creator}`, 'By-line=IPTC Byline Person']));
    // Location mode is an allow-list: a comment is free text that may name a place, so it goes.
    expect(kept.some((text) => text.startsWith('Comment='))).toBe(false);
    // The EXIF thumbnail goes too: location mode keeps only EXIF it knows holds no place (a picture can show one).
    expect(report.findings.some((finding) => finding.category === 'thumbnail')).toBe(false);
    expect(report.findings.some((finding) => finding.tag === 'Trailer')).toBe(false);
    expect(report.findings.some((finding) => finding.tag === 'MakerNote')).toBe(false);
    for (const secret of [secrets.city, secrets.country, 'Secret-State', '48,51.5022N', secrets.trailerSerial, 'Extended-Secret-City', secrets.makerNote]) {
      expect(data!.includes(Buffer.from(secret)), secret).toBe(false);
    }
    const again = cleanBuffer(data!, { only: 'location' });
    expect(again.result.status).toBe('already-clean');
    expect(again.data).toEqual(data);
  });

  it('passes ExifTool: no GPS or place names remain', () => {
    const input = join(work, 'loc.jpg');
    const output = join(work, 'loc.clean.jpg');
    writeFileSync(input, phone);
    expect(cleanSync(input, output, { only: 'location' }).status).toBe('cleaned');
    const tags = exiftoolTags(output);
    expect(Object.keys(tags).filter((key) => /GPS|City|Country|Province|Location/i.test(key))).toEqual([]);
    expect(tags['EXIF:IFD0:Make']).toBe('TestCam Inc.');
    expect(tags['EXIF:IFD0:Orientation']).toBe(6);
  });
});

describe('JPEG refusals', () => {
  const refusals: [string, (jpeg: Buffer) => Buffer, string][] = [
    ['truncated inside the image data', (jpeg) => jpeg.subarray(0, jpeg.length - 100), 'TRUNCATED'],
    ['truncated inside a segment', (jpeg) => jpeg.subarray(0, 30), 'TRUNCATED'],
    ['missing SOI', (jpeg) => jpeg.subarray(2), 'UNSUPPORTED_FORMAT'],
    ['missing EOI', (jpeg) => jpeg.subarray(0, jpeg.lastIndexOf(Buffer.from([0xff, 0xd9]))), 'TRUNCATED'],
    ['segment length below 2', (jpeg) => insertSegments(jpeg, [Buffer.from([0xff, 0xe1, 0x00, 0x01])]), 'MALFORMED'],
    ['segment length past the end', (jpeg) => Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1, 0xff, 0xff, 0x45])]), 'TRUNCATED'],
  ];
  for (const [name, mutate, code] of refusals) {
    it(`refuses a JPEG with ${name} and writes nothing`, async () => {
      const base = await basePixelsJpeg();
      const input = join(work, `bad-${name.replace(/\W+/g, '-')}.jpg`);
      const outDir = mkdtempSync(join(work, 'out-'));
      writeFileSync(input, mutate(insertSegments(base, [exifSegment(), commentSegment()])));
      const result = cleanSync(input, join(outDir, 'out.jpg'));
      expect(result.status).toBe('refused');
      expect(result.error?.code).toBe(code);
      expect(result.error?.message).toContain(input);
      expect(readdirSync(outDir)).toEqual([]);
    });
  }

  it('drops an unreadable EXIF block whole in location mode (its location cannot be checked)', async () => {
    const broken = insertSegments(await basePixelsJpeg(), [segment(0xe1, Buffer.from('Exif\0\0XX-not-tiff', 'latin1')), commentSegment('kept comment')]);
    const { result, data } = cleanBuffer(broken, { only: 'location' });
    expect(result.status).toBe('cleaned');
    expect(result.removed.find((removal) => removal.where === 'APP1/Exif')?.note).toContain('EXIF removed whole');
    // The comment goes too: location mode keeps no free text it cannot show to hold no place.
    expect(inspectSync(data!).blocks).toEqual([]);
    expect(cleanBuffer(broken).result.status).toBe('cleaned');
  });
});

describe('JPEG property tests', () => {
  it('only TracelessError escapes inspect and plan, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), (bytes) => {
        const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(bytes)]);
        for (const run of [() => inspectSync(data), () => planJpeg(new BufferSource(data), { mode: 'all', keepOrientation: true, keepDates: false })]) {
          try {
            run();
          } catch (error) {
            expect(error).toBeInstanceOf(TracelessError);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('truncations and byte flips of a real fixture are refused or produce verified output', () => {
    fc.assert(
      fc.property(fc.nat(phone.length - 1), fc.nat(phone.length - 1), fc.integer({ min: 0, max: 255 }), fc.boolean(), (cut, flipAt, flipTo, truncate) => {
        const data = Buffer.from(truncate ? phone.subarray(0, cut) : phone);
        if (!truncate) data[flipAt] = flipTo;
        const { result, data: out } = cleanBuffer(data);
        if (result.status === 'cleaned' || result.status === 'already-clean') {
          expect(result.verification?.ok).toBe(true);
          expect(cleanBuffer(out!).result.status).toBe('already-clean');
        } else {
          // Refused, or failed closed (a plan that did not verify): never an internal error, never bytes.
          expect(result.status === 'refused' || (result.status === 'failed' && result.error?.code === 'VERIFY_FAILED'), JSON.stringify(result.error)).toBe(true);
          expect(out).toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('JPEG outputs on disk', () => {
  it('never leaves a temporary file behind', () => {
    const input = join(work, 'tmpcheck.jpg');
    const outDir = mkdtempSync(join(work, 'tmp-'));
    writeFileSync(input, phone);
    cleanSync(input, join(outDir, 'a.jpg'));
    expect(readdirSync(outDir)).toEqual(['a.jpg']);
    expect(existsSync(join(outDir, 'a.jpg'))).toBe(true);
  });

  it('keeps an XMP-only file honest: a packet in a COM is still reported', () => {
    const jpeg = insertSegments(phone, [xmpSegment(xmpPacket())]);
    expect(inspectSync(jpeg).findings.filter((finding) => finding.where === 'APP1/XMP').length).toBeGreaterThan(3);
  });
});
