/** Risk levels for generated files of each kind, and the rules behind them. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assessRisk, inspectSync, type Inspection, type RiskAssessment } from '../../src/index.js';
import { annotateInspection } from '../../src/report/annotate.js';
import { assembleGif, baseGif, commentExtension, dirtyGif } from '../fixtures/gif.js';
import { encodeAvif, encodeHeic, haveTool } from '../fixtures/heif.js';
import { basePixelsJpeg, exifSegment, insertSegments, phoneJpeg } from '../fixtures/jpeg.js';
import { addToMovie, ffmpegClip, removeScratch, xyzAtom } from '../fixtures/mp4.js';
import { assemblePng, basePng, dirtyPng, textChunk } from '../fixtures/png.js';
import { buildFullTiff } from '../fixtures/tiff.js';
import { dirtyWebp } from '../fixtures/webp.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-risk-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeScratch();
});

function risk(data: Buffer, name: string): RiskAssessment & { codes: string[] } {
  const assessment = assessRisk(inspectSync(data, name));
  return { ...assessment, codes: assessment.reasons.map((reason) => reason.code) };
}

const jpegWith = async (options: Parameters<typeof exifSegment>[0]) => insertSegments(await basePixelsJpeg(), [exifSegment(options)]);

describe('risk levels of generated JPEGs', () => {
  it('high: a phone photo with GPS and serial numbers', async () => {
    const result = risk(await phoneJpeg(), 'phone.jpg');
    expect(result.level).toBe('high');
    expect(result.codes.slice(0, 2)).toEqual(['precise-location', 'serial-number']);
    expect(result.codes).toEqual(expect.arrayContaining(['device-model', 'timestamps', 'owner-name', 'thumbnail', 'software', 'colour-profile']));
    expect(result.reasons[0]!.text).toContain('near San Francisco, California, United States of America');
    expect(result.reasons[1]!.text).toContain('SN-CAMERA-0042-XYZ');
    // Most serious first, always.
    const order = ['high', 'medium', 'low'];
    expect(result.reasons.map((reason) => order.indexOf(reason.level))).toEqual([...result.reasons.map((reason) => order.indexOf(reason.level))].sort());
  });

  it('high: a serial number alone ties photos to one device', async () => {
    const result = risk(await jpegWith({ bodySerialNumber: 'BODY-123' }), 'serial.jpg');
    expect(result).toMatchObject({ level: 'high', codes: ['serial-number'] });
  });

  it('high: a precise location alone', async () => {
    const result = risk(await jpegWith({ gps: { latitude: 35.6762, longitude: 139.6503 } }), 'tokyo.jpg');
    expect(result.level).toBe('high');
    expect(result.codes).toEqual(['precise-location']);
    expect(result.reasons[0]!.text).toContain('Japan');
  });

  it('medium: device model and times, no place, no serial', async () => {
    const result = risk(await jpegWith({ make: 'Canon', model: 'Canon EOS 5D', dateTimeOriginal: '2021:03:04 05:06:07' }), 'model.jpg');
    expect(result.level).toBe('medium');
    expect(result.codes).toEqual(['device-model', 'timestamps']);
    expect(result.reasons[0]!.text).toBe('device: Canon EOS 5D');
    expect(result.reasons[1]!.text).toBe('dates and times: taken 2021-03-04 05:06:07');
  });

  it('medium: an owner name', async () => {
    expect(risk(await jpegWith({ artist: 'Jane Doe' }), 'owner.jpg')).toMatchObject({ level: 'medium', codes: ['owner-name'] });
  });

  it('low: software only, or a colour profile only', async () => {
    expect(risk(await jpegWith({ software: 'GIMP 2.10' }), 'software.jpg')).toMatchObject({ level: 'low', codes: ['software'] });
    // The fixture's profile is not a well-known standard one: its description is reported too
    // (clean re-writes it), still low.
    expect(risk(await basePixelsJpeg(64, 48, { icc: true }), 'icc.jpg')).toMatchObject({ level: 'low', codes: expect.arrayContaining(['colour-profile']) });
  });

  it('low: GPS 0,0 is a placeholder, not a place', async () => {
    const result = risk(await jpegWith({ gps: { latitude: 0, longitude: 0 } }), 'zero.jpg');
    expect(result).toMatchObject({ level: 'low', codes: ['placeholder-location'] });
  });

  it('none: pixels only; orientation alone is not a risk', async () => {
    expect(risk(await basePixelsJpeg(), 'bare.jpg')).toEqual({ level: 'none', reasons: [], codes: [] });
    expect(risk(await jpegWith({ orientation: 6 }), 'rotated.jpg')).toMatchObject({ level: 'none', codes: [] });
  });
});

describe('risk levels of the other formats', () => {
  it('PNG: high with eXIf GPS, medium with only an Author text chunk', async () => {
    expect(risk(await dirtyPng(), 'dirty.png').level).toBe('high');
    expect(risk(assemblePng(await basePng(), { beforeImage: [textChunk('Author', 'Jane Doe')] }), 'author.png')).toMatchObject({ level: 'medium', codes: ['owner-name'] });
  });

  it('WebP: medium with make and model', async () => {
    expect(risk(await dirtyWebp({ exif: { make: 'Nikon', model: 'Z 6' }, xmp: null }), 'model.webp')).toMatchObject({ level: 'medium', codes: ['device-model'] });
  });

  it('GIF: high with XMP GPS, low with a comment only', async () => {
    expect(risk(await dirtyGif(), 'dirty.gif').level).toBe('high');
    expect(risk(assembleGif(await baseGif(), { first: [commentExtension('hello')] }), 'comment.gif')).toMatchObject({ level: 'low', codes: ['free-text'] });
  });

  it('TIFF: high with GPS and serial numbers; sizes are shown by name, not as "N bytes"', () => {
    const result = risk(buildFullTiff(), 'full.tif');
    expect(result.level).toBe('high');
    expect(result.codes).toEqual(expect.arrayContaining(['precise-location', 'serial-number', 'place-names', 'device-model', 'timestamps', 'owner-name', 'software']));
    expect(result.reasons.find((reason) => reason.code === 'software')!.text).not.toMatch(/\d+ bytes/);
  });

  it('MP4: low for a bare ffmpeg clip (encoder name), medium with a creation time, high with ©xyz', () => {
    expect(risk(ffmpegClip(), 'bare.mp4')).toMatchObject({ level: 'low', codes: ['software'] });
    const dated = risk(ffmpegClip({ metadata: { creation_time: '2024-05-01T10:11:12Z' } }), 'dated.mp4');
    expect(dated.level).toBe('medium');
    expect(dated.reasons[0]!.text).toMatch(/^dates and times: taken 2024-05-01 10:11:12 Z/);
    const located = risk(addToMovie(ffmpegClip(), { userData: [xyzAtom('+48.8584+002.2945/')] }), 'paris.mp4');
    expect(located.level).toBe('high');
    expect(located.reasons[0]!.text).toContain('France');
  });

  it.skipIf(!haveTool('heif-enc') || !haveTool('exiftool'))('HEIC and AVIF: high with GPS and a serial number / GPS', async () => {
    const heic = risk(readFileSync(await encodeHeic(work)), 'fixture.heic');
    expect(heic.level).toBe('high');
    expect(heic.codes).toEqual(expect.arrayContaining(['precise-location', 'serial-number', 'device-model', 'owner-name']));
    expect(heic.reasons[0]!.text).toContain('France');
    const avif = risk(readFileSync(await encodeAvif(work)), 'fixture.avif');
    expect(avif.level).toBe('high');
    expect(avif.codes).toEqual(expect.arrayContaining(['precise-location', 'device-model', 'owner-name']));
  });

  it('a file that is not media: not checked (unknown), never "no risk"', () => {
    expect(risk(Buffer.from('hello, world'), 'notes.txt')).toMatchObject({ level: 'unknown', codes: ['not-checked'] });
  });
});

describe('assessRisk is a pure function of an Inspection', () => {
  const base = (extra: Partial<Inspection>): Inspection => ({
    file: 'x.jpg', format: { id: 'jpeg', name: 'JPEG', cleanable: true }, size: 1, blocks: [], findings: [], locations: [], warnings: [], unreadable: [], ...extra,
  });

  it('gives the same answer twice and changes nothing', async () => {
    const inspection = inspectSync(await phoneJpeg(), 'phone.jpg');
    const before = structuredClone(inspection);
    expect(assessRisk(inspection)).toEqual(assessRisk(inspection));
    expect(inspection).toEqual(before);
  });

  it('an approximate location (accuracy worse than 1 km) is medium', () => {
    const inspection = base({ locations: [{ latitude: 48.85, longitude: 2.29, accuracyMeters: 20_000, where: 'X' }] });
    expect(assessRisk(inspection)).toEqual({ level: 'medium', reasons: [{ level: 'medium', code: 'approximate-location', text: 'approximate location: near Paris, Île-de-France, France (~4 km)' }] });
  });

  it('GPS data without a position, and place names without coordinates, are medium', () => {
    const gpsTime = { category: 'location' as const, where: 'APP1/Exif/GPS', tag: 'GPSTimeStamp', label: 'GPS time', value: '17 11 12', text: '17 11 12' };
    expect(assessRisk(base({ findings: [gpsTime] }))).toEqual({ level: 'medium', reasons: [{ level: 'medium', code: 'location-data', text: 'location data without a usable position: GPS time' }] });
    // The decoder says what a finding means; risk reads that, never the tag name.
    const city = { category: 'location' as const, where: 'APP1/XMP', tag: 'photoshop:City', label: 'City', meaning: 'place-name' as const, value: 'Lyon', text: 'Lyon' };
    expect(assessRisk(base({ findings: [gpsTime, city] })).reasons.map((reason) => reason.code)).toEqual(['place-names']);
  });

  it('parts that could not be read make a file "not read in full" (unknown), never "none"; what was found still counts', () => {
    expect(assessRisk(base({ unreadable: ['maker notes'] }))).toMatchObject({ level: 'unknown', incomplete: true, reasons: [{ code: 'unreadable' }] });
    const serial = { category: 'device' as const, where: 'APP1/Exif/ExifIFD', tag: 'BodySerialNumber', label: 'Camera serial number', meaning: 'serial' as const, value: 'X1', text: 'X1' };
    expect(assessRisk(base({ unreadable: ['maker notes'], findings: [serial] }))).toMatchObject({ level: 'high', incomplete: true });
  });

  it('keys on meaning, not on tag names or labels', () => {
    const disguised = { category: 'device' as const, where: 'x', tag: 'Whatever', label: 'Something', meaning: 'serial' as const, value: 'ABC123', text: 'ABC123' };
    expect(assessRisk(base({ findings: [disguised] })).reasons.map((reason) => reason.code)).toEqual(['serial-number']);
    const namedLikeSerial = { category: 'device' as const, where: 'x', tag: 'SerialNumber', label: 'Serial number', meaning: 'device-setting' as const, value: '24/1 105/1', text: '24/1 105/1' };
    expect(assessRisk(base({ findings: [namedLikeSerial] })).reasons.map((reason) => reason.code)).toEqual(['device-details']);
  });

  it('annotateInspection carries place names and the risk, inside findings too', async () => {
    const annotated = annotateInspection(inspectSync(await phoneJpeg(), 'phone.jpg'));
    expect(Object.keys(annotated).slice(0, 4)).toEqual(['file', 'format', 'size', 'risk']);
    expect(annotated.risk.level).toBe('high');
    expect(annotated.locations.map((location) => location.placeName)).toEqual(['near San Francisco, California, United States of America (~1 km)', 'near City of Westminster, England, United Kingdom (~1 km)', 'near Sydney, New South Wales, Australia (~1 km)', 'near Paris, Île-de-France, France (~4 km)']);
    expect(annotated.locations[0]).toMatchObject({ countryCode: 'US', town: 'San Francisco', admin1: 'California' });
    const position = annotated.findings.find((finding) => finding.tag === 'GPSPosition')!;
    expect(position.value).toMatchObject({ placeName: 'near San Francisco, California, United States of America (~1 km)', countryCode: 'US', town: 'San Francisco' });
  });
});
