/**
 * Best-effort inspection (scan, check, the library's `inspect`): a file cut short or damaged after
 * its metadata still reports that metadata — location and device first — and lists what it could
 * not read, with where and why. The strict inspection `clean` relies on still refuses the same
 * bytes, and `clean` still refuses them. One code-built fixture per format.
 */
import { describe, expect, it, afterAll } from 'vitest';
import { cleanBufferSync as cleanBuffer } from '../src/clean.js';
import { TracelessError } from '../src/errors.js';
import { inspectSync, notCheckedUnknown } from '../src/inspect.js';
import type { Inspection } from '../src/types.js';
import { buildExifTiff } from './fixtures/exif.js';
import { assembleGif, baseGif, gifXmp, xmpExtension } from './fixtures/gif.js';
import { box as heifBox, buildHeif, exifItemPayload, iccProfileFixture, standardHeifFixture, xmpPacket as heifXmp } from './fixtures/heif.js';
import { phoneJpeg, xmpSegment } from './fixtures/jpeg.js';
import { el } from './fixtures/matroska.js';
import { ffmpegClip, listBoxes, removeScratch } from './fixtures/mp4.js';
import { assemblePng, basePng, exifChunk, textChunk } from './fixtures/png.js';
import { scanOnlyBuilders, u32be } from './fixtures/scan-only.js';
import { buildFullTiff } from './fixtures/tiff.js';
import { dirtyWebp, riffChunk } from './fixtures/webp.js';

afterAll(() => removeScratch());

const gps = { latitude: 37.774929, longitude: -122.419416 };

/** Best effort: no throw, the location (±1e-4°) and the camera make are there, and something is unreadable. */
function expectReported(data: Buffer, expected: { latitude: number; longitude: number } | undefined, make: string | undefined, unreadable: RegExp): Inspection {
  const inspection = inspectSync(data);
  if (expected) {
    expect(inspection.locations.length, 'a location').toBeGreaterThan(0);
    expect(inspection.locations.some((location) => Math.abs(location.latitude - expected.latitude) < 1e-4 && Math.abs(location.longitude - expected.longitude) < 1e-4)).toBe(true);
  }
  if (make) expect(inspection.findings.some((finding) => finding.category === 'device' && String(finding.value).includes(make))).toBe(true);
  expect(inspection.unreadable.join('\n')).toMatch(unreadable);
  return inspection;
}

/** The strict inspection (clean's) refuses the bytes with a documented code, and clean writes nothing. */
function expectStrictRefusal(data: Buffer): void {
  let thrown: unknown;
  try {
    inspectSync(data, { bestEffort: false });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TracelessError);
  expect(['TRUNCATED', 'MALFORMED', 'UNSUPPORTED_FORMAT']).toContain((thrown as TracelessError).code);
  const { result, data: written } = cleanBuffer(data);
  expect(written ?? null).toBeNull();
  expect(result.status === 'refused' || result.status === 'failed').toBe(true);
}

describe('best-effort inspection: what comes before the damage is reported', () => {
  it('JPEG cut short inside the image data (no EOI): EXIF GPS and Make/Model are reported', async () => {
    const jpeg = await phoneJpeg({ icc: false });
    const sos = jpeg.lastIndexOf(Buffer.from([0xff, 0xda])); // the main image's (the EXIF thumbnail has its own)
    const cut = jpeg.subarray(0, sos + Math.floor((jpeg.length - sos) / 2));
    const inspection = expectReported(cut, gps, 'TestCam', /image data runs to the end of the file without an EOI marker/);
    expect(inspection.findings.some((finding) => finding.tag === 'Model' && finding.value === 'TestCam Pro 9')).toBe(true);
    expectStrictRefusal(cut);
  });

  it('JPEG cut inside a segment after the EXIF: the EXIF is reported, the cut segment is named', async () => {
    const jpeg = await phoneJpeg({ icc: false });
    const xmp = jpeg.indexOf(Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'));
    const cut = jpeg.subarray(0, xmp + 40);
    expectReported(cut, gps, 'TestCam', /segment 0xFFE1 at byte \d+ declares \d+ bytes but the file ends after/);
    expectStrictRefusal(cut);
  });

  it('JPEG with junk where a marker should be: reading goes on at the next marker (the XMP after it is read)', async () => {
    const jpeg = await phoneJpeg({ icc: false, xmp: false });
    const sos = jpeg.lastIndexOf(Buffer.from([0xff, 0xda])); // the main image's (the EXIF thumbnail has its own)
    const junk = Buffer.from('JUNK BYTES WRITTEN BY A BROKEN TOOL', 'latin1');
    const xmp = xmpSegment(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Make="AfterJunkMake"/></rdf:RDF></x:xmpmeta>`);
    const damaged = Buffer.concat([jpeg.subarray(0, sos), junk, xmp, jpeg.subarray(sos)]);
    const inspection = expectReported(damaged, gps, 'AfterJunkMake', new RegExp(`expected a JPEG marker at byte ${sos}, found 0x4a; reading went on at the next marker, at byte ${sos + junk.length}`));
    expect(inspection.findings.some((finding) => String(finding.value).includes('TestCam'))).toBe(true);
    expectStrictRefusal(damaged);
  });

  it('PNG cut inside IDAT: the eXIf and text chunks before it are reported', async () => {
    const png = assemblePng(await basePng(), { beforeImage: [textChunk('Author', 'Png Author'), exifChunk()] });
    const idat = png.indexOf(Buffer.from('IDAT', 'latin1'));
    const cut = png.subarray(0, idat + 12);
    expectReported(cut, gps, 'TestCam', /PNG chunk IDAT at offset \d+ \(\d+ bytes\) runs past the end of the file/);
    expectStrictRefusal(cut);
  });

  it('PNG whose image data fails its CRC: reading goes on to the next chunk (the eXIf after it)', async () => {
    const png = assemblePng(await basePng(), { afterImage: [exifChunk()] });
    const idat = png.indexOf(Buffer.from('IDAT', 'latin1'));
    const damaged = Buffer.from(png);
    damaged[idat + 6] ^= 0xff; // a byte of the image data: the stored CRC no longer matches
    expectReported(damaged, gps, 'TestCam', /PNG chunk IDAT at offset \d+ fails its CRC check/);
    expectStrictRefusal(damaged);
  });

  it('WebP cut short after its EXIF (the RIFF size says more): EXIF GPS is reported', async () => {
    const webp = await dirtyWebp({ xmp: null });
    const tail = riffChunk('XMP ', Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'.repeat(10)));
    const whole = Buffer.concat([webp, tail]);
    whole.writeUInt32LE(whole.length - 8, 4);
    const cut = whole.subarray(0, webp.length + 20);
    expectReported(cut, gps, 'TestCam', /WebP RIFF header declares \d+ bytes but the file has \d+: the file is cut short/);
    expectStrictRefusal(cut);
  });

  it('GIF cut short inside its image: the XMP before it (GPS, creator tool) is reported', async () => {
    const gif = assembleGif(await baseGif(), { first: [xmpExtension(gifXmp)] });
    const cut = gif.subarray(0, gif.length - 8);
    const inspection = expectReported(cut, { latitude: 40.445, longitude: -3.7033 }, undefined, /GIF .* runs past the end of the file|without its trailer/);
    expect(inspection.findings.some((finding) => String(finding.value).includes('GifMaker 3000'))).toBe(true);
    expectStrictRefusal(cut);
  });

  it('GIF with a graphic control extension clean must refuse (2 bytes, not 4): the XMP is still reported', async () => {
    const shortControl = Buffer.from([0x21, 0xf9, 0x02, 0x00, 0x00, 0x00]);
    const gif = assembleGif(await baseGif(), { first: [xmpExtension(gifXmp), shortControl] });
    expectReported(gif, { latitude: 40.445, longitude: -3.7033 }, undefined, /GIF graphic control extension at offset \d+ holds 2 bytes instead of 4/);
    expectStrictRefusal(gif);
  });

  it('HEIF cut short inside mdat: the Exif item (GPS, Make) before the cut is reported', () => {
    const built = buildHeif(standardHeifFixture({ exifTiff: buildExifTiff(), xmp: heifXmp(), icc: iccProfileFixture() }, {
      // The Exif item first in mdat, the image data after it: the cut falls in the image data.
      items: [
        { id: 3, type: 'Exif', data: exifItemPayload(buildExifTiff()) },
        { id: 1, type: 'hvc1', data: Buffer.alloc(4000, 0x5a) },
        { id: 2, type: 'hvc1', data: Buffer.alloc(500, 0x3c) },
        { id: 4, type: 'mime', contentType: 'application/rdf+xml', data: Buffer.from(heifXmp(), 'utf8') },
      ],
    }));
    const file = built.file;
    const cut = file.subarray(0, file.length - 2000);
    expectReported(cut, gps, 'TestCam', /box 'mdat' at \d+ \(\d+ bytes\) runs past the end of its file at \d+ \(the file is cut short\)/);
    expectStrictRefusal(cut);
  });

  it('HEIF with a fragment box (moof) and an iloc entry for an undescribed item: what clean refuses is listed, the Exif still reported', () => {
    const built = buildHeif(standardHeifFixture({ exifTiff: buildExifTiff(), xmp: heifXmp(), icc: iccProfileFixture() }));
    const file = Buffer.concat([built.file, heifBox('moof', Buffer.alloc(16))]);
    expectReported(file, gps, 'TestCam', /fragmented HEIF sequences \('moof' box\) are not supported: the 'moof' box at \d+ was not read/);
    expectStrictRefusal(file);
  });

  it('MP4 with its moov first, cut short inside mdat: the location and device in moov are reported', () => {
    const clip = ffmpegClip({ faststart: true, metadata: { location: '+37.7749-122.4194/', make: 'ClipMake', model: 'ClipModel' }, metadataTags: true });
    const mdat = listBoxes(clip).find((entry) => entry.type === 'mdat')!;
    const cut = clip.subarray(0, mdat.offset + Math.floor(mdat.size / 2));
    const inspection = expectReported(cut, { latitude: 37.7749, longitude: -122.4194 }, undefined, /box 'mdat' at \d+ \(\d+ bytes\) runs past the end of its file/);
    expect(inspection.findings.some((finding) => String(finding.value).includes('ClipMake'))).toBe(true);
    expectStrictRefusal(cut);
  });

  it('TIFF whose image strips run past the end: IFD0 device tags and the GPS IFD are reported', () => {
    const tiff = buildFullTiff();
    const inspection = inspectSync(tiff);
    const gpsBlock = inspection.blocks.find((block) => block.where.endsWith('GPS'))!;
    const lastMetadata = Math.max(...inspection.blocks.filter((block) => block.kind !== 'trailer' && block.kind !== 'other').map((block) => block.offset + block.length));
    const cutAt = Math.max(gpsBlock.offset + gpsBlock.length, lastMetadata);
    expect(cutAt, 'the fixture keeps its image data after its metadata').toBeLessThan(tiff.length - 16);
    const cut = tiff.subarray(0, cutAt + Math.floor((tiff.length - cutAt) / 2));
    expectReported(cut, gps, undefined, /strip \d+: \d+ bytes at offset \d+ run past the end of the data/);
    expect(inspection.findings.some((finding) => finding.category === 'device')).toBe(true);
  });

  it('CR3 whose mdat is cut short: the Canon EXIF boxes in moov are reported', async () => {
    const jpeg = await phoneJpeg({ icc: false });
    const cr3 = scanOnlyBuilders(jpeg).cr3!();
    const mdat = Buffer.concat([u32be(100_000), Buffer.from('mdat', 'latin1'), Buffer.alloc(5000)]);
    const cut = Buffer.concat([cr3, mdat]);
    const inspection = inspectSync(cut);
    expect(inspection.findings.some((finding) => String(finding.value).includes('CanonSecret'))).toBe(true);
    expect(inspection.locations.length).toBeGreaterThan(0);
    expect(inspection.unreadable.join('\n')).toMatch(/box 'mdat' at \d+ \(100000 bytes\) runs past the end of its file/);
  });

  it('AVI cut short inside its movie data: the INFO list before it is reported', async () => {
    const avi = scanOnlyBuilders(await phoneJpeg({ icc: false })).avi!();
    const cut = avi.subarray(0, avi.length - 10);
    const inspection = inspectSync(cut);
    expect(inspection.findings.some((finding) => String(finding.value).includes('SecretCam firmware'))).toBe(true);
    expect(inspection.unreadable.length).toBeGreaterThan(0);
  });

  it('Matroska cut short inside a cluster after its tags: the location tag is reported', async () => {
    const date = Buffer.alloc(8);
    date.writeBigInt64BE(BigInt(Date.UTC(2024, 4, 1, 10, 11, 12) - Date.UTC(2001, 0, 1)) * 1_000_000n);
    const mkv = Buffer.concat([
      el(0x1a45dfa3, el(0x4282, 'matroska')),
      el(0x18538067,
        el(0x1549a966, el(0x7ba9, 'Mkv Secret Title'), el(0x5741, 'SecretRecorder 2.0'), el(0x4461, date)),
        el(0x1f43b675, Buffer.alloc(32)),
        el(0x1254c367, el(0x7373, el(0x67c8, el(0x45a3, 'LOCATION'), el(0x4487, '+37.7749-122.4194/'))))),
    ]);
    // A cluster that declares 4096 bytes, of which 100 are there.
    const cluster = Buffer.concat([Buffer.from([0x1f, 0x43, 0xb6, 0x75, 0x10, 0x00, 0x10, 0x00]), Buffer.alloc(100)]);
    const segmentAt = mkv.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67]));
    const grown = Buffer.concat([mkv, cluster]);
    // The segment's 4-byte size grows by the cluster's declared size: the file is cut inside it.
    const declared = (grown.readUInt32BE(segmentAt + 4) & 0x0fffffff) + 8 + 4096;
    grown.writeUInt32BE(0x10000000 | declared, segmentAt + 4);
    const inspection = inspectSync(grown);
    expect(inspection.findings.find((finding) => finding.tag === 'LOCATION')).toMatchObject({ category: 'location', value: '+37.7749-122.4194/' });
    expect(inspection.unreadable.join('\n')).toMatch(/cut short/);
  });
});

describe('files traceless does not know', () => {
  it('a text file renamed .jpg is "not checked", never a clean report', () => {
    const inspection = inspectSync(Buffer.from('just some notes, not a photo\n'), 'notes.jpg');
    expect(inspection.format.id).toBe('unknown');
    expect(inspection.unreadable).toEqual([notCheckedUnknown]);
    expect(notCheckedUnknown).toBe('not checked: not a photo or video traceless knows');
  });

  it('the library inspect is best effort by default; { bestEffort: false } throws as clean does', async () => {
    const jpeg = await phoneJpeg({ icc: false });
    const cut = jpeg.subarray(0, jpeg.length - 100);
    expect(inspectSync(cut).locations.length).toBeGreaterThan(0);
    expect(() => inspectSync(cut, { bestEffort: false })).toThrow(TracelessError);
    expect(() => inspectSync(cut, { name: 'cut.jpg', bestEffort: false })).toThrow(/EOI/);
    expect(inspectSync(cut, 'cut.jpg').file).toBe('cut.jpg');
  });

  it('a file that cannot be opened still throws (IO_ERROR), in both modes', () => {
    for (const bestEffort of [true, false]) {
      let thrown: unknown;
      try {
        inspectSync('/nonexistent/traceless/photo.jpg', { bestEffort });
      } catch (error) {
        thrown = error;
      }
      expect((thrown as TracelessError).code).toBe('IO_ERROR');
    }
  });
});
