import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracelessError, cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { BufferSource } from '../../src/io/source.js';
import { mp4 } from '../../src/formats/mp4/index.js';
import { analyseMp4 } from '../../src/formats/mp4/walk.js';
import { parseIso6709 } from '../../src/formats/mp4/iso6709.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';
import {
  actionCameraClip,
  addToMovie,
  appleKeysMeta,
  assetBox,
  box,
  cammGpsPacket,
  dataAtom,
  fullBox,
  ffmpegClip,
  ffprobeErrors,
  gpmfGpsSample,
  growFirstFragment,
  listBoxes,
  lociBox,
  mebxKeys,
  mebxSample,
  packetDigests,
  removeScratch,
  streamTypes,
  textAtom,
  u32,
  widenMediaData,
  writePaddedClip,
  xmpPacket,
  xmpUuidBox,
  xyzAtom,
} from '../fixtures/mp4.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'traceless-mp4-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeScratch();
});

let fileCounter = 0;
function save(data: Buffer, extension = 'mp4'): string {
  const path = join(work, `file-${++fileCounter}.${extension}`);
  writeFileSync(path, data);
  return path;
}

/** Cleans bytes and checks what every clean must give: verified, same length, A/V packets unchanged, ffprobe happy, idempotent. */
function cleanAndCheck(input: Buffer, options: Parameters<typeof cleanBuffer>[1] = {}, extension = 'mp4'): { out: Buffer; path: string; removed: string[] } {
  const { result, data } = cleanBuffer(input, options);
  expect(result.error).toBeNull();
  expect(result.status).toBe('cleaned');
  expect(result.verification?.ok).toBe(true);
  const out = data!;
  expect(out.length).toBe(input.length);
  const inPath = save(input, extension);
  const outPath = save(out, extension);
  expect(packetDigests(outPath)).toEqual(packetDigests(inPath));
  expect(ffprobeErrors(outPath)).toBe('');
  const again = cleanBuffer(out, options);
  expect(again.result.status).toBe('already-clean');
  expect(again.data!.equals(out)).toBe(true);
  return { out, path: outPath, removed: result.removed.map((removal) => removal.where) };
}

const gpsTags = (tags: Record<string, unknown>) => Object.keys(tags).filter((key) => /GPS|Location|Coordinates|Latitude|Longitude/i.test(key));

// The streaming test runs first, while this worker's peak memory is still low.
describe('MP4 streaming (large files)', () => {
  // 160 MB, not 300: the residue check (src/plan-check.ts) searches every output byte once per removed value.
  it('cleans a 160 MB sparse file through cleanSync with bounded memory', { timeout: 180_000 }, () => {
    const clip = actionCameraClip();
    const padding = 160 * 1024 * 1024;
    const path = join(work, 'large.mp4');
    const size = writePaddedClip(clip, padding, path);
    expect(statSync(path).size).toBe(size);
    const before = process.resourceUsage().maxRSS * 1024;
    const output = join(work, 'large.clean.mp4');
    const result = cleanSync(path, output);
    const after = process.resourceUsage().maxRSS * 1024;
    expect(result.error).toBeNull();
    expect(result.status).toBe('cleaned');
    expect(result.verification?.ok).toBe(true);
    expect(statSync(output).size).toBe(size);
    // Peak memory grew by far less than the file's size (reading it whole would take 300 MB).
    expect(after - before).toBeLessThan(100 * 1024 * 1024);
    expect(result.removed.some((removal) => removal.kind === 'telemetry')).toBe(true);
    expect(inspectSync(output).findings.filter((finding) => !finding.retained)).toEqual([]);
    expect(packetDigests(output)).toEqual(packetDigests(path));
    rmSync(path);
    rmSync(output);
  });
});

describe('MP4 sniff', () => {
  it('claims movie brands and QuickTime files without ftyp, not HEIF or CR3', () => {
    const ftyp = (major: string, ...compatible: string[]) => box('ftyp', Buffer.from(major, 'latin1'), Buffer.alloc(4), ...compatible.map((brand) => Buffer.from(brand, 'latin1')));
    expect(mp4.sniff(ftyp('isom', 'iso2', 'avc1', 'mp41'))).toBe(true);
    expect(mp4.sniff(ftyp('qt  ', 'qt  '))).toBe(true);
    expect(mp4.sniff(ftyp('3gp5', '3gp5', 'isom'))).toBe(true);
    expect(mp4.sniff(ftyp('M4V ', 'M4V ', 'M4A ', 'mp42'))).toBe(true);
    expect(mp4.sniff(ftyp('XAVC', 'XAVC', 'mp42', 'iso2'))).toBe(true);
    expect(mp4.sniff(ftyp('heic', 'mif1', 'heic'))).toBe(false);
    expect(mp4.sniff(ftyp('avif', 'avif', 'mif1', 'miaf'))).toBe(false);
    expect(mp4.sniff(ftyp('crx ', 'crx ', 'isom'))).toBe(false);
    expect(mp4.sniff(Buffer.concat([box('moov', box('mvhd', Buffer.alloc(100)))]))).toBe(true);
    expect(mp4.sniff(Buffer.concat([box('wide'), Buffer.from([0, 0, 0, 16]), Buffer.from('mdat', 'latin1')]))).toBe(true);
    expect(mp4.sniff(Buffer.from('free text that is not a movie at all', 'latin1'))).toBe(false);
    expect(mp4.sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(false);
    for (const container of ['mp4', 'mov', '3gp'] as const) {
      expect(inspectSync(ffmpegClip({ container })).format.id).toBe('mp4');
    }
  });
});

describe('ISO 6709', () => {
  it('decodes degrees, degrees-minutes and degrees-minutes-seconds with altitude', () => {
    expect(parseIso6709('+37.7749-122.4194+012.000/', 'x')).toMatchObject({ latitude: 37.7749, longitude: -122.4194, altitude: 12 });
    const dm = parseIso6709('+3746.494-12225.164/', 'x')!;
    expect(dm.latitude).toBeCloseTo(37.77490, 4);
    expect(dm.longitude).toBeCloseTo(-122.41940, 4);
    const dms = parseIso6709('-334540.5+1511230.1CRSWGS_84/', 'x')!;
    expect(dms.latitude).toBeCloseTo(-(33 + 45 / 60 + 40.5 / 3600), 6);
    expect(dms.longitude).toBeCloseTo(151 + 12 / 60 + 30.1 / 3600, 6);
    expect(parseIso6709('+95.0000+010.0000/', 'x')).toBeUndefined();
    expect(parseIso6709('hello', 'x')).toBeUndefined();
  });
});

describe('MP4 inspect', () => {
  it('decodes ffmpeg metadata keys, loci and container times', () => {
    const clip = ffmpegClip({ container: 'mov', metadataTags: true, metadata: { location: '+37.7749-122.4194/', make: 'Acme Optics', model: 'Cam-1', creation_time: '2024-05-01T10:00:00Z' } });
    const report = inspectSync(clip);
    expect(report.format).toMatchObject({ id: 'mp4', name: 'MP4/MOV', cleanable: true });
    const keys = report.locations.find((location) => location.where === 'moov/udta/meta/ilst')!;
    expect(keys.latitude).toBeCloseTo(37.7749, 4);
    expect(keys.longitude).toBeCloseTo(-122.4194, 4);
    const loci = report.locations.find((location) => location.where === 'moov/udta/loci')!;
    expect(loci.latitude).toBeCloseTo(37.7749, 3);
    expect(loci.longitude).toBeCloseTo(-122.4194, 3);
    const text = (category: string) => report.findings.filter((finding) => finding.category === category).map((finding) => `${finding.where} ${finding.tag}=${finding.text}`);
    expect(text('device')).toEqual(expect.arrayContaining(['moov/udta/meta/ilst make=Acme Optics', 'moov/udta/meta/ilst model=Cam-1']));
    expect(text('time')).toEqual(expect.arrayContaining(['moov/mvhd CreateDate=2024-05-01T10:00:00Z', 'moov/trak[1]/tkhd TrackCreateDate=2024-05-01T10:00:00Z', 'moov/trak[2]/mdia/mdhd MediaCreateDate=2024-05-01T10:00:00Z']));
  });

  it('decodes ©xyz, device atoms and the first GPS fix of a GoPro GPMF track', () => {
    const report = inspectSync(actionCameraClip());
    const xyz = report.locations.find((location) => location.where === 'moov/udta/©xyz')!;
    expect(xyz).toMatchObject({ latitude: 37.7749, longitude: -122.4194, altitude: 12 });
    const gpmf = report.locations.find((location) => location.where === 'moov/trak[3]')!;
    expect(gpmf.latitude).toBeCloseTo(37.7749, 6);
    expect(gpmf.longitude).toBeCloseTo(-122.4194, 6);
    expect(gpmf.altitude).toBeCloseTo(12.5, 3);
    expect(gpmf.gpsTime).toBe('2024-05-01T10:11:12Z');
    const tags = report.findings.map((finding) => `${finding.where} ${finding.tag}=${finding.text}`);
    expect(tags).toEqual(expect.arrayContaining(['moov/udta/©mak ©mak=ActionCam Inc', 'moov/udta/©mod ©mod=ActionCam 9', 'moov/udta/FIRM FIRM=HD9.01.01.60.00', 'moov/udta/CAME CAME=SERIAL-C3441324567890']));
    expect(report.blocks.some((block) => block.kind === 'telemetry' && block.where === 'moov/trak[3]')).toBe(true);
  });

  it('decodes Apple keys, camm and mebx tracks, XMP in uuid, 3GPP assets and subtitle coordinates', () => {
    const clip = appleClip();
    const report = inspectSync(clip);
    const at = (where: string) => report.locations.find((location) => location.where === where);
    expect(at('moov/meta/ilst')).toMatchObject({ latitude: 48.8584, longitude: 2.2945, altitude: 35 });
    expect(at('moov/trak[3]')).toMatchObject({ latitude: 51.5, longitude: -0.12, altitude: 30 });
    expect(at('moov/trak[4]')).toMatchObject({ latitude: 48.8584, longitude: 2.2945 });
    expect(at('moov/uuid/XMP')?.latitude).toBeCloseTo(48.8583, 3);
    const tags = report.findings.map((finding) => `${finding.category} ${finding.tag}=${finding.text}`);
    expect(tags).toEqual(
      expect.arrayContaining([
        'device com.apple.quicktime.make=Apple',
        'device com.apple.quicktime.model=iPhone 15 Pro',
        'device com.apple.quicktime.camera.lens_model=iPhone 15 Pro back camera 6.86mm f/1.78',
        'other com.apple.quicktime.content.identifier=A1B2C3D4-LIVE-PHOTO',
        'time com.apple.quicktime.creationdate=2024-05-01T12:11:12+0200',
        'owner auth=Jane Doe',
        'location photoshop:City=Paris',
      ]),
    );
    const subtitles = inspectSync(ffmpegClip({ subtitles: '1\n00:00:00,000 --> 00:00:01,000\nF/2.8, ISO 100, GPS (8.5432, 47.3769, 12), H 30m\n' }));
    expect(subtitles.locations[0]).toMatchObject({ latitude: 47.3769, longitude: 8.5432 });
  });
});

/** An iPhone-like clip: Apple keys, a camm GPS track, an mebx location track, XMP, 3GPP author, leftovers in `free`. */
function appleClip(): Buffer {
  return addToMovie(ffmpegClip({ metadata: { creation_time: '2024-05-01T10:11:12Z' } }), {
    userData: [assetBox('auth', 'Jane Doe'), textAtom('©day', '2024-05-01T12:11:12+0200')],
    movieBoxes: [
      appleKeysMeta({
        'com.apple.quicktime.location.ISO6709': '+48.8584+002.2945+035.000/',
        'com.apple.quicktime.location.accuracy.horizontal': '4.7',
        'com.apple.quicktime.make': 'Apple',
        'com.apple.quicktime.model': 'iPhone 15 Pro',
        'com.apple.quicktime.software': '17.4.1',
        'com.apple.quicktime.creationdate': '2024-05-01T12:11:12+0200',
        'com.apple.quicktime.content.identifier': 'A1B2C3D4-LIVE-PHOTO',
        'com.apple.quicktime.camera.lens_model': 'iPhone 15 Pro back camera 6.86mm f/1.78',
      }),
      xmpUuidBox(xmpPacket({ latitude: '48,51.5N', longitude: '2,17.7E', city: 'Paris', make: 'Apple' })),
    ],
    tracks: [
      { trackId: 11, handler: 'camm', format: 'camm', samples: [cammGpsPacket({ latitude: 51.5, longitude: -0.12, altitude: 30 }), cammGpsPacket({ latitude: 51.5001, longitude: -0.1201, altitude: 31 })] },
      { trackId: 12, handler: 'meta', format: 'mebx', entryExtra: mebxKeys('com.apple.quicktime.location.ISO6709'), samples: [mebxSample('+48.8584+002.2945+035.000/')] },
    ],
    topLevel: [box('free', Buffer.from('leftover: +48.8584+002.2945/ iPhone 15 Pro', 'latin1'))],
  });
}

describe('MP4 clean (everything)', () => {
  it('removes user data, times, the GPMF track and its samples; ExifTool -ee finds nothing', () => {
    const input = actionCameraClip();
    const { out, path, removed } = cleanAndCheck(input);
    expect(removed).toEqual(expect.arrayContaining(['moov/udta', 'moov/mvhd', 'moov/trak[3]', 'moov/trak[1]/tkhd']));
    expect(sensitiveTags(exiftoolTags(path))).toEqual([]);
    expect(gpsTags(exiftoolTags(path))).toEqual([]);
    for (const secret of ['ActionCam', 'SERIAL-C3441324567890', 'HD9.01', '+37.7749', 'GPS5', 'DEVC', 'Lavf']) {
      expect(out.includes(Buffer.from(secret, 'latin1')), secret).toBe(false);
    }
    // Telemetry samples are zeroed in place: the GPMF sample bytes are gone, the mdat keeps its size.
    expect(out.includes(gpmfGpsSample([{ latitude: 37.7749, longitude: -122.4194, altitude: 12.5 }]).subarray(0, 16))).toBe(false);
    expect(listBoxes(out).map((entry) => `${entry.type}:${entry.size}`)).toEqual(listBoxes(input).map((entry) => `${entry.type}:${entry.size}`));
    // Audio and video tracks remain, with their sample tables byte for byte.
    const report = inspectSync(out);
    expect(report.findings.filter((finding) => !finding.retained)).toEqual([]);
    expect(report.locations).toEqual([]);
  });

  it('cleans fast-start and moov-after-mdat layouts alike', () => {
    for (const faststart of [false, true]) {
      const clip = ffmpegClip({ faststart, metadata: { location: '+37.7749-122.4194/', creation_time: '2024-05-01T10:00:00Z', title: 'Secret title' } });
      const order = listBoxes(clip).map((entry) => entry.type).filter((type) => type === 'moov' || type === 'mdat');
      expect(order).toEqual(faststart ? ['moov', 'mdat'] : ['mdat', 'moov']);
      const { out, path } = cleanAndCheck(clip);
      expect(sensitiveTags(exiftoolTags(path))).toEqual([]);
      expect(out.includes(Buffer.from('Secret title'))).toBe(false);
    }
  });

  it('handles co64 chunk offsets and 64-bit box sizes', () => {
    const co64 = actionCameraClip({ co64: true });
    expect(co64.includes(Buffer.from('co64', 'latin1'))).toBe(true);
    const { path } = cleanAndCheck(co64);
    expect(gpsTags(exiftoolTags(path))).toEqual([]);
    const wide = widenMediaData(ffmpegClip({ container: 'mov', metadata: { make: 'WideCam', location: '+37.7749-122.4194/' } }));
    const mdat = listBoxes(wide).find((entry) => entry.type === 'mdat')!;
    expect(mdat.headerSize).toBe(16);
    const cleaned = cleanAndCheck(wide, {}, 'mov');
    expect(sensitiveTags(exiftoolTags(cleaned.path))).toEqual([]);
    expect(cleaned.out.includes(Buffer.from('WideCam'))).toBe(false);
  });

  it('removes Apple keys, XMP, camm and mebx tracks, 3GPP assets and zeroes leftovers in free boxes', () => {
    const input = appleClip();
    const before = exiftoolTags(save(input));
    expect(gpsTags(before).length).toBeGreaterThan(0);
    const { out, path, removed } = cleanAndCheck(input);
    expect(removed).toEqual(expect.arrayContaining(['free', 'moov/meta', 'moov/uuid/XMP', 'moov/trak[3]', 'moov/trak[4]']));
    expect(sensitiveTags(exiftoolTags(path))).toEqual([]);
    for (const secret of ['A1B2C3D4-LIVE-PHOTO', 'iPhone', 'Paris', 'Jane Doe', '+48.8584', 'leftover']) {
      expect(out.includes(Buffer.from(secret, 'latin1')), secret).toBe(false);
    }
    const camm = cammGpsPacket({ latitude: 51.5, longitude: -0.12, altitude: 30 });
    expect(out.includes(camm.subarray(4))).toBe(false);
  });

  it('removes subtitle tracks that spell out coordinates and keeps ordinary subtitles', () => {
    const gps = ffmpegClip({ subtitles: '1\n00:00:00,000 --> 00:00:01,000\n[latitude: 47.376900] [longitude: 8.543200] [altitude: 12.0]\n' });
    const cleaned = cleanAndCheck(gps);
    expect(cleaned.removed).toContain('moov/trak[3]');
    expect(cleaned.out.includes(Buffer.from('47.3769'))).toBe(false);
    const plain = ffmpegClip({ subtitles: '1\n00:00:00,000 --> 00:00:01,000\nHello from the harbour\n' });
    const { out } = cleanAndCheck(plain);
    expect(out.includes(Buffer.from('Hello from the harbour'))).toBe(true);
    expect(streamTypes(save(out))).toEqual(['video', 'audio', 'subtitle']);
  });

  it('zeroes QuickTime vendor codes and maker handler names but keeps the tracks playable', () => {
    const mov = ffmpegClip({ container: 'mov', metadata: { make: 'Acme', creation_time: '2024-05-01T10:00:00Z' } });
    expect(mov.includes(Buffer.from('FFMP'))).toBe(true);
    const { out, removed } = cleanAndCheck(mov, {}, 'mov');
    expect(removed).toContain('moov/trak[1]/stsd/avc1');
    expect(out.includes(Buffer.from('FFMP'))).toBe(false);
  });

  it('cleans a QuickTime file without ftyp', () => {
    const mov = Buffer.from(ffmpegClip({ container: 'mov', metadata: { location: '+37.7749-122.4194/' } }));
    mov.write('free', 4, 'latin1'); // the ftyp becomes a free box: the file now starts like an old QuickTime movie
    expect(mp4.sniff(mov.subarray(0, 64))).toBe(true);
    const { out, removed } = cleanAndCheck(mov, {}, 'mov');
    expect(removed).toContain('free');
    expect(out.includes(Buffer.from('qt  ', 'latin1'))).toBe(false);
  });

  it('keeps container times with keepDates', () => {
    const clip = ffmpegClip({ metadata: { creation_time: '2024-05-01T10:00:00Z', location: '+37.7749-122.4194/' } });
    const { path } = cleanAndCheck(clip, { keepDates: true });
    const tags = exiftoolTags(path);
    expect(tags['QuickTime:CreateDate']).toBe('2024:05:01 10:00:00');
    expect(gpsTags(tags)).toEqual([]);
    expect(inspectSync(readFileSync(path)).findings.filter((finding) => !finding.retained).every((finding) => finding.category === 'time')).toBe(true);
  });

  it('cleans fragmented files (metadata in moov) and copies the fragments', () => {
    const fragmented = ffmpegClip({ fragmented: true, metadata: { location: '+37.7749-122.4194/', creation_time: '2024-05-01T10:00:00Z' } });
    expect(listBoxes(fragmented).some((entry) => entry.type === 'moof')).toBe(true);
    const { path } = cleanAndCheck(fragmented);
    expect(sensitiveTags(exiftoolTags(path))).toEqual([]);
  });

  it('removes a telemetry track from a fragmented file (its samples zeroed), packets unchanged', () => {
    const fragmented = ffmpegClip({ fragmented: true });
    const withTrack = addToMovie(fragmented.subarray(0, listBoxes(fragmented).find((entry) => entry.type === 'moov')!.offset + listBoxes(fragmented).find((entry) => entry.type === 'moov')!.size), {
      tracks: [{ trackId: 9, handler: 'meta', format: 'gpmd', samples: [gpmfGpsSample([{ latitude: 1.5, longitude: 2.5, altitude: 3 }])] }],
    });
    // Inspecting names the telemetry track.
    expect(inspectSync(withTrack).findings.some((finding) => finding.meaning === 'telemetry-track' && finding.category === 'location')).toBe(true);
    const { removed, path } = cleanAndCheck(withTrack);
    expect(removed.some((where) => /trak\[3\]/.test(where))).toBe(true);
    expect(inspectSync(readFileSync(path)).findings.some((finding) => finding.tag === 'gpmd')).toBe(false);
  });
});

describe('MP4 clean (location only)', () => {
  it('removes ©xyz, loci, Apple location keys, XMP location and GPS tracks, and keeps the rest', () => {
    const input = addToMovie(actionCameraClip(), {
      movieBoxes: [appleKeysMeta({ 'com.apple.quicktime.location.ISO6709': '+48.8584+002.2945+035.000/', 'com.apple.quicktime.make': 'Apple' }), xmpUuidBox(xmpPacket({ latitude: '48,51.5N', longitude: '2,17.7E', city: 'Paris', make: 'Apple' }))],
    });
    const { out, path, removed } = cleanAndCheck(input, { only: 'location' });
    expect(removed).toEqual(expect.arrayContaining(['moov/udta/©xyz', 'moov/udta/loci', 'moov/meta/ilst', 'moov/uuid/XMP', 'moov/trak[3]']));
    const tags = exiftoolTags(path);
    expect(gpsTags(tags)).toEqual([]);
    expect(tags['QuickTime:UserData:Make']).toBe('ActionCam Inc');
    expect(tags['QuickTime:Keys:Make']).toBe('Apple');
    expect(tags['QuickTime:CreateDate']).toBe('2024:05:01 10:11:12');
    const report = inspectSync(out);
    expect(report.locations).toEqual([]);
    expect(report.findings.some((finding) => finding.tag === 'dc:title' && finding.text === 'Holiday clip')).toBe(true);
    expect(report.findings.some((finding) => finding.tag === 'tiff:Make')).toBe(true);
    expect(out.includes(Buffer.from('Paris'))).toBe(false);
    expect(out.includes(Buffer.from('+48.8584'))).toBe(false);
  });
});

describe('MP4 clean (location only): kept items are written again from their values', () => {
  /** An iTunes-style `udta/meta` (handler mdir) holding the given items. */
  const itunesMeta = (...items: Buffer[]) => box('udta', fullBox('meta', 0, 0, fullBox('hdlr', 0, 0, u32(0), Buffer.from('mdir', 'latin1'), Buffer.alloc(12), Buffer.alloc(1)), box('ilst', ...items)));
  const hidden = 'HIDDEN-BEYOND-THE-VALUE';

  it('keeps the text of an item and nothing the item carries beside it', () => {
    const input = addToMovie(actionCameraClip(), {
      movieBoxes: [
        itunesMeta(
          // Text, a NUL and binary after it inside the value; an unknown atom after the data atom.
          box('\xa9too', dataAtom(Buffer.concat([Buffer.from('Lavf59.27.100\0\0\0\x1czqzq', 'latin1'), Buffer.from(hidden)])), box('zqzq', Buffer.from(`${hidden}-2`))),
          box('\xa9nam', dataAtom('Holiday clip')),
          // Text with a control character in it cannot be checked: the item goes.
          box('\xa9cmt', dataAtom(`note\x07${hidden}-3`)),
        ),
      ],
    });
    const { out, path, removed } = cleanAndCheck(input, { only: 'location' });
    expect(removed).toContain('moov/udta/meta/ilst');
    for (const suffix of ['', '-2', '-3']) expect(out.includes(Buffer.from(`${hidden}${suffix}`))).toBe(false);
    const tags = exiftoolTags(path);
    expect(tags['QuickTime:ItemList:Encoder'] ?? tags['QuickTime:Encoder']).toBe('Lavf59.27.100');
    expect(tags['QuickTime:ItemList:Title'] ?? tags['QuickTime:Title']).toBe('Holiday clip');
    // Cleaning the output again changes nothing.
    const again = cleanBuffer(out, { only: 'location' });
    expect(again.result.status).toBe('already-clean');
    expect(again.data!.equals(out)).toBe(true);
  });

  it('leaves an item that is only its value as it was', () => {
    const ilst = box('ilst', box('\xa9nam', dataAtom('Holiday clip')), box('\xa9day', dataAtom('2024')));
    const input = addToMovie(actionCameraClip(), { movieBoxes: [box('udta', fullBox('meta', 0, 0, fullBox('hdlr', 0, 0, u32(0), Buffer.from('mdir', 'latin1'), Buffer.alloc(12), Buffer.alloc(1)), ilst))] });
    const { out } = cleanAndCheck(input, { only: 'location' });
    expect(out.indexOf(ilst)).toBe(input.indexOf(ilst));
  });
});

describe('MP4 refusals', () => {
  it('refuses truncated files and writes nothing', () => {
    for (const faststart of [false, true]) {
      const clip = actionCameraClip();
      const input = faststart ? ffmpegClip({ faststart: true, metadata: { location: '+37.7749-122.4194/' } }) : clip;
      for (const fraction of [0.2, 0.5, 0.9, 0.999]) {
        const cut = input.subarray(0, Math.floor(input.length * fraction));
        const dir = mkdtempSync(join(work, 'cut-'));
        const inPath = join(dir, 'cut.mp4');
        writeFileSync(inPath, cut);
        const output = join(dir, 'out.mp4');
        const result = cleanSync(inPath, output);
        expect(result.status, `${fraction}`).toBe('refused');
        expect(['TRUNCATED', 'MALFORMED']).toContain(result.error?.code);
        expect(existsSync(output)).toBe(false);
        expect(readdirSync(dir)).toEqual(['cut.mp4']);
      }
    }
  });

  it('refuses a file without a movie box, and a zeroed region that holds kept samples', () => {
    const noMoov = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0isom', 'latin1')), box('mdat', Buffer.alloc(100, 1))]);
    expect(cleanBuffer(noMoov).result.error?.code).toBe('MALFORMED');
    // A clip whose video samples sit inside an unknown top-level box (the box would be blanked).
    const clip = Buffer.from(ffmpegClip({}));
    const mdat = listBoxes(clip).find((entry) => entry.type === 'mdat')!;
    clip.write('junk', mdat.offset + 4, 'latin1');
    const { result } = cleanBuffer(clip);
    expect(result.status).toBe('refused');
    expect(result.error?.message).toMatch(/lie outside the media data/);
  });

  it('removes metadata inside a movie fragment; refuses reference movies whose media lives elsewhere', () => {
    const fragmented = ffmpegClip({ fragmented: true });
    const withMetadata = growFirstFragment(fragmented, box('udta', textAtom('©xyz', '+37.7749-122.4194/')));
    const { removed, out } = cleanAndCheck(withMetadata);
    expect(removed.some((where) => where.startsWith('moof/udta'))).toBe(true);
    expect(out.includes(Buffer.from('+37.7749-122.4194/'))).toBe(false);
    // A data reference without the self-contained flag: the samples are in another file.
    const clip = Buffer.from(ffmpegClip({}));
    const url = clip.indexOf(Buffer.from('url ', 'latin1'));
    expect(clip.readUInt32BE(url + 4)).toBe(1);
    clip.writeUInt32BE(0, url + 4);
    expect(inspectSync(clip).findings.some((finding) => finding.tag === 'DataReference' && finding.category === 'owner')).toBe(true);
    const reference = cleanBuffer(clip).result;
    expect(reference.status).toBe('refused');
    expect(reference.error?.message).toMatch(/reference movie/);
  });

  it('lets only TracelessError out of the walker for random bytes, truncations and mutations', () => {
    const base = actionCameraClip();
    const moov = listBoxes(base).find((entry) => entry.type === 'moov')!;
    const onlyTracelessErrors = (bytes: Buffer) => {
      for (const mode of ['all', 'location'] as const) {
        try {
          analyseMp4(new BufferSource(bytes), { mode, keepDates: false, keepOrientation: true });
        } catch (error) {
          if (!(error instanceof TracelessError)) throw error;
        }
      }
      // The public entry points never throw, and never return output that does not verify.
      const { result, data } = cleanBuffer(bytes);
      if (data) expect(result.verification?.ok).toBe(true);
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => onlyTracelessErrors(Buffer.from(bytes))), { numRuns: 300 });
    fc.assert(fc.property(fc.integer({ min: 0, max: base.length }), (length) => onlyTracelessErrors(base.subarray(0, length))), { numRuns: 150 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: moov.offset, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (changes) => {
        const mutated = Buffer.from(base);
        for (const [offset, value] of changes) mutated[offset] = value;
        onlyTracelessErrors(mutated);
      }),
      { numRuns: 300 },
    );
  });
});

describe('MP4 box layouts', () => {
  it('reports 3GPP loci from a 3GP file and removes it', () => {
    const clip = ffmpegClip({ container: '3gp', metadata: { location: '+37.7749-122.4194/' } });
    expect(inspectSync(clip).locations[0]?.latitude).toBeCloseTo(37.7749, 3);
    const { path } = cleanAndCheck(clip, {}, '3gp');
    expect(gpsTags(exiftoolTags(path))).toEqual([]);
  });

  it('reads ©xyz and loci boxes built by hand', () => {
    const clip = addToMovie(ffmpegClip({}), { userData: [xyzAtom('-33.8568+151.2153+005.5/'), lociBox(-33.8568, 151.2153, 5.5, 'Opera')] });
    const report = inspectSync(clip);
    expect(report.locations.find((location) => location.where === 'moov/udta/©xyz')).toMatchObject({ latitude: -33.8568, longitude: 151.2153, altitude: 5.5 });
    const loci = report.locations.find((location) => location.where === 'moov/udta/loci')!;
    expect(loci.latitude).toBeCloseTo(-33.8568, 4);
    expect(loci.longitude).toBeCloseTo(151.2153, 4);
    expect(report.findings.find((finding) => finding.tag === 'loci')?.text).toContain('Opera');
  });
});
