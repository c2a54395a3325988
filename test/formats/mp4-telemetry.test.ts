/**
 * GPS telemetry in MP4/MOV reported as locations with tracks (first fix, fixes, extent, times) and
 * removed by `clean`: GoPro GPMF (GPS5, GPS9), Google camm (type 6), Apple mebx location keys,
 * Android's short `©xyz`, and dashcam `freeGPS ` blocks in `mdat` (with and without the `gps `
 * index in `moov`). ExifTool (`-ee`) is the independent judge that no GPS is left.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import type { GeoLocation, Inspection } from '../../src/types.js';
import { exiftoolTags } from '../helpers/exiftool.js';
import { addToMovie, box, dashcamClip, ffmpegClip, freeGpsBlock, i32, klv, listBoxes, mebxKeys, packetDigests, removeScratch, shiftChunkOffsets, u32, xyzAtom } from '../fixtures/mp4.js';
import { scratchFolder } from '../helpers/scratch.js';

const { save, path: scratchPath } = scratchFolder('traceless-telemetry-', '.mp4');
afterAll(() => removeScratch());

const gpsKeys = (tags: Record<string, unknown>) => Object.keys(tags).filter((key) => /GPS|Location|Coordinates|Latitude|Longitude/i.test(key) && !/^(File|Composite):/.test(key));

/** The location carrying a track, and the track, from an inspection. */
function trackOf(inspection: Inspection): GeoLocation & { track: NonNullable<GeoLocation['track']> } {
  const location = inspection.locations.find((candidate) => candidate.track);
  expect(location, JSON.stringify(inspection.locations)).toBeDefined();
  return location as GeoLocation & { track: NonNullable<GeoLocation['track']> };
}

/** Cleans and checks: verified, same size, A/V packets unchanged, ExifTool -ee finds no GPS, nothing left for scan. */
function cleanAndJudge(input: Buffer): Buffer {
  const inputPath = save(input);
  expect(gpsKeys(exiftoolTags(inputPath)).length, 'ExifTool reads GPS from the fixture').toBeGreaterThan(0);
  const { result, data } = cleanBuffer(input);
  expect(result.error).toBeNull();
  expect(result.status).toBe('cleaned');
  expect(result.verification?.ok).toBe(true);
  const out = data!;
  expect(out.length).toBe(input.length);
  const outputPath = save(out);
  expect(packetDigests(outputPath)).toEqual(packetDigests(inputPath));
  expect(gpsKeys(exiftoolTags(outputPath))).toEqual([]);
  const again = inspectSync(out);
  expect(again.locations).toEqual([]);
  expect(cleanBuffer(out).result.status).toBe('already-clean');
  return out;
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const nested = (key: string, ...items: Buffer[]) => {
  const body = Buffer.concat(items);
  return klv(key, 0, 1, body.length, body);
};

/** A GPMF payload with a GPS5 stream of `fixes` (1e7 scale), GPSU time and GPSF lock. */
function gps5Payload(fixes: [number, number][], time: string): Buffer {
  const scales = [10_000_000, 10_000_000, 1000, 1000, 100];
  const records = Buffer.concat(fixes.map(([latitude, longitude]) => Buffer.concat([i32(Math.round(latitude * 1e7)), i32(Math.round(longitude * 1e7)), i32(12_000), i32(1200), i32(1300)])));
  return nested('DEVC', klv('DVID', 'L', 4, 1, u32(1)), nested('STRM', klv('GPSF', 'L', 4, 1, u32(3)), klv('GPSU', 'U', 16, 1, latin1(time)), klv('SCAL', 'l', 4, scales.length, Buffer.concat(scales.map(i32))), klv('GPS5', 'l', 20, fixes.length, records)));
}

/** A GPMF payload with a GPS9 stream (HERO11+): per-record days since 2000, seconds of day and fix. */
function gps9Payload(fixes: { latitude: number; longitude: number; days: number; seconds: number }[]): Buffer {
  const scales = [10_000_000, 10_000_000, 1000, 1000, 100, 1, 1000, 100, 1];
  const type = latin1('lllllllSS');
  const records = Buffer.concat(
    fixes.map((fix) => {
      const record = Buffer.alloc(32);
      record.writeInt32BE(Math.round(fix.latitude * 1e7), 0);
      record.writeInt32BE(Math.round(fix.longitude * 1e7), 4);
      record.writeInt32BE(50_000, 8);
      record.writeInt32BE(fix.days, 20);
      record.writeInt32BE(Math.round(fix.seconds * 1000), 24);
      record.writeUInt16BE(150, 28);
      record.writeUInt16BE(3, 30);
      return record;
    }),
  );
  return nested('DEVC', klv('DVID', 'L', 4, 1, u32(1)), nested('STRM', klv('TYPE', 'c', 1, type.length, type), klv('SCAL', 'l', 4, scales.length, Buffer.concat(scales.map(i32))), klv('GPS9', '?', 32, fixes.length, records)));
}

/** camm packet type 6: GPS epoch seconds, fix type, latitude, longitude, altitude (spec layout, little-endian). */
function camm6(latitude: number, longitude: number, gpsSeconds: number): Buffer {
  const packet = Buffer.alloc(60);
  packet.writeUInt16LE(6, 2);
  packet.writeDoubleLE(gpsSeconds, 4);
  packet.writeInt32LE(3, 12);
  packet.writeDoubleLE(latitude, 16);
  packet.writeDoubleLE(longitude, 24);
  packet.writeFloatLE(35, 32);
  packet.writeFloatLE(4, 36);
  return packet;
}

describe('GoPro GPMF', () => {
  it('reports a GPS5 track (first fix, fixes, extent, start and end) and clean removes it', () => {
    const samples = [
      gps5Payload([[47.1, 8.5], [47.1001, 8.5001], [47.1002, 8.5002]], '240501101112.000'),
      gps5Payload([[47.2, 8.6], [47.2001, 8.6001]], '240501101113.000'),
      gps5Payload([[47.3, 8.4]], '240501101114.000'),
    ];
    const input = addToMovie(ffmpegClip(), { tracks: [{ trackId: 9, handler: 'meta', format: 'gpmd', samples }] });
    const inspection = inspectSync(input);
    const location = trackOf(inspection);
    expect(location.latitude).toBeCloseTo(47.1, 6);
    expect(location.longitude).toBeCloseTo(8.5, 6);
    expect(location.track.fixes).toBe(6);
    expect(location.track.start).toBe('2024-05-01T10:11:12Z');
    expect(location.track.end).toBe('2024-05-01T10:11:14Z');
    expect(location.track.extent.south).toBeCloseTo(47.1, 6);
    expect(location.track.extent.north).toBeCloseTo(47.3, 6);
    expect(location.track.extent.west).toBeCloseTo(8.4, 6);
    expect(location.track.extent.east).toBeCloseTo(8.6001, 6);
    expect(location.track.path.length).toBe(6);
    const finding = inspection.findings.find((candidate) => candidate.meaning === 'telemetry-track');
    expect(finding?.category).toBe('location');
    expect(finding?.text).toMatch(/^6 GPS fixes/);
    // The track is never reported as place names.
    expect(inspection.findings.some((candidate) => /place name/i.test(candidate.label))).toBe(false);
    cleanAndJudge(input);
  });

  it('reads GPS9 (HERO11+) with the time of every record', () => {
    const days = Math.round((Date.UTC(2024, 6, 4) - Date.UTC(2000, 0, 1)) / 86_400_000);
    const samples = [gps9Payload([{ latitude: -33.86, longitude: 151.21, days, seconds: 3600 }, { latitude: -33.861, longitude: 151.211, days, seconds: 3600.1 }]), gps9Payload([{ latitude: -33.87, longitude: 151.22, days, seconds: 3601 }])];
    const input = addToMovie(ffmpegClip(), { tracks: [{ trackId: 9, handler: 'meta', format: 'gpmd', samples }] });
    const location = trackOf(inspectSync(input));
    expect(location.latitude).toBeCloseTo(-33.86, 6);
    expect(location.track.fixes).toBe(3);
    expect(location.track.start).toBe('2024-07-04T01:00:00Z');
    expect(location.track.end).toBe('2024-07-04T01:00:01Z');
    expect(location.gpsTime).toBe('2024-07-04T01:00:00Z');
  });

  it('thins a long track to at most 500 path points, keeping count and extent exact', () => {
    const samples: Buffer[] = [];
    for (let second = 0; second < 120; second++) {
      const fixes: [number, number][] = [];
      for (let step = 0; step < 18; step++) fixes.push([10 + (second * 18 + step) * 1e-4, 20]);
      samples.push(gps5Payload(fixes, `240501${String(10 + Math.floor(second / 60)).padStart(2, '0')}${String(second % 60).padStart(2, '0')}00.000`));
    }
    const input = addToMovie(ffmpegClip(), { tracks: [{ trackId: 9, handler: 'meta', format: 'gpmd', samples }] });
    const location = trackOf(inspectSync(input));
    expect(location.track.fixes).toBe(120 * 18);
    expect(location.track.path.length).toBeLessThanOrEqual(500);
    expect(location.track.path.length).toBeGreaterThan(250);
    expect(location.track.path[0]![0]).toBeCloseTo(10, 6);
    expect(location.track.extent.north).toBeCloseTo(10 + (120 * 18 - 1) * 1e-4, 5);
  });
});

describe('Google camm', () => {
  it('reports type 6 packets as a track with GPS times, and clean removes them', () => {
    const gpsSeconds = (Date.UTC(2023, 2, 1, 12, 0, 0) - Date.UTC(1980, 0, 6)) / 1000;
    const samples = [camm6(40.7128, -74.006, gpsSeconds), camm6(40.7138, -74.007, gpsSeconds + 1), camm6(40.7148, -74.008, gpsSeconds + 2)];
    const input = addToMovie(ffmpegClip(), { tracks: [{ trackId: 9, handler: 'camm', format: 'camm', samples }] });
    const location = trackOf(inspectSync(input));
    expect(location.latitude).toBeCloseTo(40.7128, 6);
    expect(location.longitude).toBeCloseTo(-74.006, 6);
    expect(location.altitude).toBeCloseTo(35, 3);
    expect(location.track.fixes).toBe(3);
    expect(location.track.start).toBe('2023-03-01T12:00:00Z');
    expect(location.track.end).toBe('2023-03-01T12:00:02Z');
    cleanAndJudge(input);
  });
});

describe('Apple mebx location', () => {
  it('reads com.apple.quicktime.location.ISO6709 samples as a track', () => {
    const key = 'com.apple.quicktime.location.ISO6709';
    const sample = (text: string) => box(u32(1), Buffer.from(text, 'utf8'));
    const input = addToMovie(ffmpegClip(), { tracks: [{ trackId: 9, handler: 'meta', format: 'mebx', entryExtra: mebxKeys(key), samples: [sample('+48.8584+002.2945+035.000/'), sample('+48.8590+002.2950+036.000/')] }] });
    const location = trackOf(inspectSync(input));
    expect(location.latitude).toBeCloseTo(48.8584, 6);
    expect(location.longitude).toBeCloseTo(2.2945, 6);
    expect(location.track.fixes).toBe(2);
    const { result } = cleanBuffer(input);
    expect(result.verification?.ok).toBe(true);
    expect(inspectSync(cleanBuffer(input).data!).locations).toEqual([]);
  });
});

describe('ISO 6709 in Matroska tags', () => {
  it('reads the LOCATION tag FFmpeg copies from ©xyz as a location', () => {
    const path = join(scratchPath(), 'location.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-metadata', 'location=+51.5932-0.2431/', path]);
    const locations = inspectSync(path).locations;
    expect(locations).toHaveLength(1);
    expect(locations[0]).toMatchObject({ latitude: 51.5932, longitude: -0.2431, where: 'Matroska/Tags/LOCATION' });
  });
});

describe('Android ©xyz', () => {
  it('decodes the short longitude +51.5932-0.2431/ as a location, not a place name', () => {
    const input = addToMovie(ffmpegClip(), { userData: [xyzAtom('+51.5932-0.2431/')] });
    const inspection = inspectSync(input);
    expect(inspection.locations).toHaveLength(1);
    expect(inspection.locations[0]!.latitude).toBeCloseTo(51.5932, 6);
    expect(inspection.locations[0]!.longitude).toBeCloseTo(-0.2431, 6);
    cleanAndJudge(input);
  });
});

/** Protobuf encoding for fixtures: varint keys, length-delimited messages, little-endian doubles. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}
const message = (number: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([varint(number * 8 + 2), varint(body.length), body]);
};
const double = (number: number, value: number) => {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value, 0);
  return Buffer.concat([varint(number * 8 + 1), bytes]);
};
const unsigned = (number: number, value: number) => Buffer.concat([varint(number * 8), varint(value)]);

/** An Osmo Action 4 style `djmd` frame: protocol name at 1-1-1, GPS message at 3-4-2-1 (degrees). */
function djmdFrame(latitude: number, longitude: number, inRadians = false): Buffer {
  const name = Buffer.from('dvtm_ac203.proto', 'latin1');
  const gps = inRadians ? [double(2, (latitude * Math.PI) / 180), double(3, (longitude * Math.PI) / 180)] : [unsigned(1, 1), double(2, latitude), double(3, longitude)];
  return Buffer.concat([message(1, message(1, message(1, name))), message(3, message(4, message(2, message(1, ...gps), unsigned(2, 123_000))))]);
}

describe('DJI djmd', () => {
  it('reads the protobuf GPS of every frame as a track (degrees and radians), and clean removes the track', () => {
    const samples = [djmdFrame(35.6895, 139.6917), djmdFrame(35.69, 139.692), djmdFrame(35.691, 139.693, true)];
    const input = addToMovie(ffmpegClip(), { tracks: [{ trackId: 9, handler: 'meta', format: 'djmd', samples }] });
    const inspection = inspectSync(input);
    const location = trackOf(inspection);
    expect(location.latitude).toBeCloseTo(35.6895, 6);
    expect(location.longitude).toBeCloseTo(139.6917, 6);
    expect(location.track.fixes).toBe(3);
    expect(location.track.extent.north).toBeCloseTo(35.691, 6);
    expect(inspection.findings.find((finding) => finding.tag === 'djmd')?.text).toContain('dvtm_ac203.proto');
    const { result, data } = cleanBuffer(input);
    expect(result.verification?.ok).toBe(true);
    expect(inspectSync(data!).locations).toEqual([]);
    expect(packetDigests(save(data!))).toEqual(packetDigests(save(input)));
  });
});

describe('dashcam freeGPS blocks', () => {
  const start = new Date(Date.UTC(2022, 9, 15, 8, 30, 0));
  const blocks = [0, 1, 2, 3].map((second) => freeGpsBlock(52.52 + second * 1e-3, 13.405 + second * 1e-3, new Date(start.getTime() + second * 1000)));

  it('follows the gps index in moov, reports the track and clean zeroes the blocks in mdat', () => {
    const input = dashcamClip(blocks, true);
    const inspection = inspectSync(input);
    const location = trackOf(inspection);
    expect(location.latitude).toBeCloseTo(52.52, 3);
    expect(location.longitude).toBeCloseTo(13.405, 3);
    expect(location.track.fixes).toBe(4);
    expect(location.track.start).toBe('2022-10-15T08:30:00Z');
    expect(location.track.end).toBe('2022-10-15T08:30:03Z');
    const out = cleanAndJudge(input);
    expect(out.includes(Buffer.from('freeGPS ', 'latin1'))).toBe(false);
  });

  it('finds blocks between the video and audio chunks of one mdat (as Novatek cameras write them)', () => {
    const clip = ffmpegClip({ seconds: 2 });
    const chunkOffsets: number[] = [];
    const collect = (data: Buffer, start: number, end: number) => {
      for (const entry of listBoxes(data, start, end)) {
        if (['moov', 'trak', 'mdia', 'minf', 'stbl'].includes(entry.type)) collect(data, entry.offset + entry.headerSize, entry.offset + entry.size);
        if (entry.type === 'stco') for (let index = 0; index < data.readUInt32BE(entry.offset + 12); index++) chunkOffsets.push(data.readUInt32BE(entry.offset + 16 + 4 * index));
      }
    };
    collect(clip, 0, clip.length);
    const sorted = [...new Set(chunkOffsets)].sort((a, b) => a - b);
    expect(sorted.length).toBeGreaterThan(4);
    // Insert at two chunk boundaries, the later first, so the earlier offsets stay valid.
    const points = [sorted[3]!, sorted[1]!];
    let out = clip;
    points.forEach((at, index) => {
      const block = freeGpsBlock(52.52 + index * 1e-3, 13.405, new Date(Date.UTC(2022, 9, 15, 8, 30, 1 - index)));
      out = Buffer.concat([out.subarray(0, at), block, out.subarray(at)]);
      const mdat = listBoxes(out).find((entry) => entry.type === 'mdat')!;
      out.writeUInt32BE(out.readUInt32BE(mdat.offset) + block.length, mdat.offset);
      out = shiftChunkOffsets(out, at, block.length);
    });
    const location = trackOf(inspectSync(out));
    expect(location.track.fixes).toBe(2);
    expect(location.track.start).toBe('2022-10-15T08:30:00Z');
    const cleaned = cleanAndJudge(out);
    expect(cleaned.includes(Buffer.from('freeGPS ', 'latin1'))).toBe(false);
  });

  it('finds blocks without an index by scanning the media data (location mode too)', () => {
    const input = dashcamClip(blocks, false);
    expect(trackOf(inspectSync(input)).track.fixes).toBe(4);
    cleanAndJudge(input);
    const { result, data } = cleanBuffer(input, { only: 'location' });
    expect(result.verification?.ok).toBe(true);
    expect(data!.includes(Buffer.from('freeGPS ', 'latin1'))).toBe(false);
  });
});
