/**
 * Matroska/WebM: scan and lossless in-place clean (src/formats/matroska/). Judged by ExifTool
 * (`-ee`), ffprobe (`-show_format -show_streams -show_chapters`) and ffmpeg `framemd5` packets.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracelessError, cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { BufferSource } from '../../src/io/source.js';
import { readHeader, voidHeader } from '../../src/formats/matroska/ebml.js';
import { matroska } from '../../src/formats/matroska/index.js';
import type { CleanOptions } from '../../src/types.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';
import { containsSentinel, expectCleanedInBothModes, expectSentinelGone, sentinel } from '../helpers/sentinel.js';
import { craftedMatroska, ebmlHeader, el, ffmpegMatroska, removeMatroskaScratch, simpleBlock, uint, vint } from '../fixtures/matroska.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'traceless-mkv-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeMatroskaScratch();
});

let saved = 0;
function save(data: Buffer, extension: string): string {
  const path = join(work, `file-${++saved}.${extension}`);
  writeFileSync(path, data);
  return path;
}

/** One line per audio/video packet (attached pictures, `0:V` excludes them, are not packets). */
function packets(path: string): string[] {
  const out = execFileSync('ffmpeg', ['-v', 'quiet', '-i', path, '-map', '0:V?', '-map', '0:a?', '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\n').filter((line) => line && !line.startsWith('#'));
}

function ffprobe(path: string): string {
  return execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-show_chapters', path], { encoding: 'utf8' });
}

/** Cleans, checks size, packets and idempotence; returns the output and its saved path. */
function cleanAndCheck(input: Buffer, options: CleanOptions = {}, extension = 'mkv'): { out: Buffer; path: string; removed: string[] } {
  const { result, data } = cleanBuffer(input, options);
  expect(result.error, JSON.stringify(result.error)).toBeNull();
  expect(result.verification?.ok, JSON.stringify(result.verification?.problems)).toBe(true);
  const out = data!;
  expect(out.length).toBe(input.length);
  const path = save(out, extension);
  const packetsBefore = packets(save(input, extension));
  expect(packetsBefore.length).toBeGreaterThan(0);
  expect(packets(path)).toEqual(packetsBefore);
  const again = cleanBuffer(out, options);
  expect(again.result.status).toBe('already-clean');
  expect(again.data!.equals(out)).toBe(true);
  return { out, path, removed: result.removed.map((removal) => removal.where) };
}

/** A clip with everything ffmpeg can write: title, location, recording date, comment, track name, chapters, a cover. */
const secrets = { title: 'Mkv Secret Title', location: '+48.8584+002.2945/', date_recorded: '2024-05-01T10:11:12', comment: 'Mkv Secret Comment', artist: 'Mkv Secret Artist' };

// The streaming test runs first, while this worker's peak memory is still low.
describe('Matroska streaming (large files)', () => {
  it('cleans a 300 MB sparse live-layout file (unknown-size Segment and Cluster) with bounded memory', { timeout: 180_000 }, () => {
    const blockBytes = 100 * 1024 * 1024;
    const blocks = 3;
    const head = Buffer.concat([
      ebmlHeader('webm'),
      Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      el(0x1549a966, uint(0x2ad7b1, 1_000_000, 3), el(0x7ba9, `${sentinel} title`), el(0x4d80, 'SecretMuxer 1.0'), el(0x5741, 'SecretWriter 2.0')),
      el(0x1654ae6b, el(0xae, uint(0xd7, 1), uint(0x73c5, 1), uint(0x83, 1), el(0x86, 'V_MS/VFW/FOURCC'), el(0x536e, `${sentinel} track`))),
      Buffer.from([0x1f, 0x43, 0xb6, 0x75, 0xff]),
      uint(0xe7, 0),
    ]);
    const tail = el(0x1254c367, el(0x7373, el(0x67c8, el(0x45a3, 'RECORDING_LOCATION'), el(0x4487, '+48.8584+002.2945/')), el(0x67c8, el(0x45a3, 'COMMENT'), el(0x4487, `${sentinel} comment`))));
    const path = join(work, 'large.webm');
    const fd = openSync(path, 'w');
    let offset = 0;
    const put = (data: Buffer) => {
      writeSync(fd, data, 0, data.length, offset);
      offset += data.length;
    };
    put(head);
    for (let index = 0; index < blocks; index++) {
      // A SimpleBlock header (ID, 4-byte size, track 1, time, keyframe flag); its data is a hole.
      put(Buffer.concat([Buffer.from([0xa3]), vint(blockBytes + 4), Buffer.from([0x81, 0, index, 0x80])]));
      offset += blockBytes;
    }
    put(tail);
    closeSync(fd);
    const size = offset;
    expect(statSync(path).size).toBe(size);
    expect(inspectSync(path).locations[0]?.latitude).toBeCloseTo(48.8584, 3);
    const before = process.resourceUsage().maxRSS * 1024;
    const output = join(work, 'large.clean.webm');
    const result = cleanSync(path, output);
    const after = process.resourceUsage().maxRSS * 1024;
    expect(result.error).toBeNull();
    expect(result.status).toBe('cleaned');
    expect(result.verification?.ok, JSON.stringify(result.verification?.problems)).toBe(true);
    expect(statSync(output).size).toBe(size);
    expect(after - before).toBeLessThan(100 * 1024 * 1024);
    expect(result.removed.map((removal) => removal.where)).toEqual(expect.arrayContaining(['Segment/Tags', 'Segment/Info/Title', 'Segment/Tracks/TrackEntry/Name']));
    expect(inspectSync(output).findings).toEqual([]);
    rmSync(path);
    rmSync(output);
  });
});

describe('Matroska sniff and scan', () => {
  it('claims EBML files and reports Info, Tags (with the place), tracks, chapters and attachments', () => {
    expect(matroska.sniff(ebmlHeader())).toBe(true);
    expect(matroska.sniff(Buffer.from('RIFF'))).toBe(false);
    const clip = ffmpegMatroska({ metadata: secrets, trackName: 'Mkv Secret Track', chapters: ['Mkv Secret Chapter'], attachment: true });
    const report = inspectSync(clip);
    const value = (tag: string) => report.findings.find((finding) => finding.tag === tag)?.value;
    expect(value('Title')).toBe('Mkv Secret Title');
    expect(value('MuxingApp')).toMatch(/^Lavf/);
    expect(value('TrackName')).toBe('Mkv Secret Track');
    expect(value('ChapString')).toBe('Mkv Secret Chapter');
    expect(value('COMMENT')).toBe('Mkv Secret Comment');
    expect(value('AttachedFile')).toMatch(/\.jpg \(image\/jpeg, /);
    expect(report.findings.find((finding) => finding.tag === 'LOCATION')?.category).toBe('location');
    expect(report.locations[0]?.latitude).toBeCloseTo(48.8584, 3);
    expect(report.locations[0]?.longitude).toBeCloseTo(2.2945, 3);
    expect(report.unreadable).toEqual([]);
  });

  it('reads DateUTC and RECORDING_LOCATION from a hand-built file', () => {
    const report = inspectSync(craftedMatroska({ secret: sentinel }));
    expect(report.findings.find((finding) => finding.tag === 'DateUTC')?.value).toBe('2024-05-01T10:11:12.000Z');
    expect(report.findings.find((finding) => finding.tag === 'RECORDING_LOCATION')?.category).toBe('location');
    expect(report.locations).toHaveLength(1);
  });
});

describe('Matroska clean (ffmpeg files)', () => {
  it('x264/Opus .mkv: tags, title, apps, track name, chapter titles and the cover are gone; packets and chapter times kept', () => {
    const clip = ffmpegMatroska({ metadata: secrets, trackName: 'Mkv Secret Track', chapters: ['Mkv Secret Chapter One', 'Mkv Secret Chapter Two'], attachment: true });
    const { out, path, removed } = cleanAndCheck(clip);
    expect(removed).toEqual(expect.arrayContaining(['Segment/Tags', 'Segment/Attachments', 'Segment/Info/Title', 'Segment/Info/MuxingApp', 'Segment/Info/WritingApp', 'Segment/Tracks/TrackEntry/Name']));
    const tags = exiftoolTags(path);
    expect(sensitiveTags(tags)).toEqual([]);
    expect(JSON.stringify(tags)).not.toMatch(/Secret|Lavf|Lavc|48\.85|cover/);
    const probe = ffprobe(path);
    expect(probe).not.toMatch(/Secret|Lavf|Lavc|48\.85|LOCATION|COMMENT|attached_pic=1|mimetype/);
    expect(probe.match(/\[CHAPTER\]/g)).toHaveLength(2);
    expect(probe).toMatch(/end_time=0\.500000/);
    for (const text of ['Mkv Secret', 'Lavf', 'Lavc', '+48.8584']) expect(out.includes(Buffer.from(text))).toBe(false);
    expect(inspectSync(out).findings).toEqual([]);
  });

  it('VP8/Opus .webm and a live-recorder .webm (unknown sizes)', () => {
    for (const live of [false, true]) {
      const clip = ffmpegMatroska({ container: 'webm', live, metadata: { title: 'Webm Secret Title', comment: 'Webm Secret Comment' } });
      const { out, path } = cleanAndCheck(clip, {}, 'webm');
      expect(ffprobe(path)).not.toMatch(/Secret|Lavf|Lavc/);
      expect(out.includes(Buffer.from('Webm Secret'))).toBe(false);
      expect(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', path], { encoding: 'utf8' })).toMatch(/webm/);
    }
  });

  it('--only location keeps the allow-list (date, software, ENCODER/DATE_* tags) and removes the place and free text', () => {
    const clip = ffmpegMatroska({ metadata: secrets, trackName: 'Mkv Secret Track', chapters: ['Mkv Secret Chapter'] });
    const { out, path, removed } = cleanAndCheck(clip, { only: 'location' });
    expect(removed).toEqual(expect.arrayContaining(['Segment/Tags/Tag/SimpleTag', 'Segment/Info/Title', 'Segment/Tracks/TrackEntry/Name']));
    const report = inspectSync(out);
    expect(report.locations).toEqual([]);
    const tags = report.findings.map((finding) => finding.tag);
    expect(tags).toEqual(expect.arrayContaining(['MuxingApp', 'WritingApp', 'ENCODER', 'DATE_RECORDED']));
    expect(tags).not.toContain('Title');
    expect(tags).not.toContain('COMMENT');
    expect(tags).not.toContain('ChapString');
    const probe = ffprobe(path);
    expect(probe).not.toMatch(/48\.85|LOCATION|Secret (Title|Comment|Track|Chapter)/);
    expect(probe).toMatch(/ENCODER=Lavf/);
  });

  it('keeps DateUTC with keepDates', () => {
    const crafted = craftedMatroska({ secret: sentinel });
    const { result, data } = cleanBuffer(crafted, { keepDates: true });
    expect(result.verification?.ok, JSON.stringify(result.verification?.problems)).toBe(true);
    expect(inspectSync(data!).findings.map((finding) => finding.tag)).toEqual(['DateUTC']);
  });
});

describe('Matroska crafted files (a sentinel in every voided place)', () => {
  it('removes the sentinel from Info, Tracks, Tags, Chapters, Attachments, unknown elements, Voids and CRC slots', () => {
    const input = craftedMatroska({
      secret: sentinel,
      value: 'Plain Value Text',
      trackExtra: [el(0xec, sentinel), el(0x7e7e, sentinel)],
      clusterExtra: [el(0xec, `${sentinel} cluster void`), el(0xa0, el(0xa1, Buffer.from([0x81, 0, 90, 0]), Buffer.alloc(8, 0x44)), el(0x5e5e, `${sentinel} in a block group`)), el(0xbf, Buffer.from('CRC!'))],
      extra: [el(0x1c53bb6b, el(0xbb, uint(0xb3, 0), el(0xb7, uint(0xf7, 1), uint(0xf1, 0), el(0x6b6b, sentinel))))],
      trailer: el(0x5d5d, `${sentinel} after the segment`),
    });
    expect(containsSentinel(input)).toBe(true);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    const all = outcomes.find((outcome) => outcome.mode === 'all')!;
    const path = save(all.data!, 'mkv');
    expect(packets(path)).toEqual(packets(save(input, 'mkv')));
    expect(JSON.stringify(exiftoolTags(path))).not.toContain('SENTINEL');
    expect(all.result.removed.map((removal) => removal.where)).toEqual(expect.arrayContaining(['Segment/Cluster/Void', 'Segment/Cluster/Crc32', 'Segment/Cluster/BlockGroup/0x5E5E', 'Segment/Info/0x5F5F', 'Segment/Cues/CuePoint/CueTrackPositions/0x6B6B', '0x5D5D']));
    // A Language with bytes after its code keeps the code only.
    expect(all.data!.includes(Buffer.from('eng\0\0\0\0\0\0\0'))).toBe(true);
    // With the sentinel in the values too, the default clean removes it everywhere.
    const everywhere = cleanBuffer(craftedMatroska({ secret: sentinel }));
    expect(everywhere.result.verification?.ok).toBe(true);
    expect(containsSentinel(everywhere.data!)).toBe(false);
  });

  it('a stray byte at the end of a voided run is folded into its Void; after a kept element it refuses', () => {
    const stray = (afterVoid: boolean) => {
      const info = afterVoid ? [uint(0x2ad7b1, 1_000_000, 3), el(0x7ba9, `${sentinel} title`)] : [el(0x7ba9, `${sentinel} title`), uint(0x2ad7b1, 1_000_000, 3)];
      const body = Buffer.concat([...info, Buffer.from([0x00])]);
      const infoElement = Buffer.concat([Buffer.from([0x15, 0x49, 0xa9, 0x66]), vint(body.length), body]);
      return Buffer.concat([ebmlHeader(), el(0x18538067, infoElement, el(0x1654ae6b, el(0xae, uint(0xd7, 1), uint(0x83, 1), el(0x86, 'V_MS/VFW/FOURCC'))), el(0x1f43b675, uint(0xe7, 0), simpleBlock(0, Buffer.alloc(16, 7))))]);
    };
    const folded = cleanBuffer(stray(true));
    expect(folded.result.verification?.ok, JSON.stringify(folded.result)).toBe(true);
    expect(containsSentinel(folded.data!)).toBe(false);
    const refused = cleanBuffer(stray(false));
    expect(refused.data).toBeNull();
    expect(refused.result.error?.code).toBe('MALFORMED');
  });

  it('writes a Void of every total length from 2 bytes up, each reading back at exactly that length', () => {
    for (const total of [2, 3, 100, 127, 128, 129, 130, 16_383, 16_384, 16_385, 2_097_152, 300 * 1024 * 1024]) {
      const header = voidHeader(total);
      const probe = Buffer.concat([header, Buffer.alloc(Math.min(total - header.length, 16))]);
      const source = new BufferSource(Buffer.concat([probe, Buffer.alloc(Math.max(0, total - probe.length))]));
      const read = readHeader(source, 0, total);
      expect(read.id).toBe(0xec);
      expect(read.headerLength + read.size!).toBe(total);
    }
    expect(() => voidHeader(1)).toThrow(TracelessError);
  });

  it('a recording cut short is scanned up to the cut (and refused by clean)', () => {
    const whole = craftedMatroska({ secret: sentinel });
    // The second occurrence of the Cluster ID (the first is its SeekHead entry).
    const clusterId = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);
    const cut = whole.subarray(0, whole.indexOf(clusterId, whole.indexOf(clusterId) + 4) + 20);
    const report = inspectSync(cut);
    expect(report.findings.find((finding) => finding.tag === 'Title')?.value).toBe(`${sentinel} title`);
    expect(report.unreadable.join(' ')).toMatch(/cut short/);
    expect(cleanBuffer(cut).result.error?.code).toBe('TRUNCATED');
  });

  it('refuses more elements than the limit, and nesting deeper than 24, with LIMIT_EXCEEDED', () => {
    const voids = Buffer.alloc(2 * 1_000_001);
    for (let offset = 0; offset < voids.length; offset += 2) voids[offset] = 0xec, voids[offset + 1] = 0x80;
    const many = Buffer.concat([ebmlHeader(), Buffer.from([0x18, 0x53, 0x80, 0x67]), vint(voids.length, 8), voids]);
    expect(cleanBuffer(many).result.error?.code).toBe('LIMIT_EXCEEDED');
    let atom = el(0xb6, uint(0x73c4, 1), uint(0x91, 0));
    for (let depth = 0; depth < 30; depth++) atom = el(0xb6, uint(0x73c4, depth + 2), uint(0x91, 0), atom);
    const deep = Buffer.concat([ebmlHeader(), el(0x18538067, el(0x1043a770, el(0x45b9, atom)))]);
    expect(cleanBuffer(deep).result.error?.code).toBe('LIMIT_EXCEEDED');
  });

  it('truncated and mutated files raise only TracelessError, and any output verifies', { timeout: 120_000 }, () => {
    const base = craftedMatroska({ secret: sentinel });
    const onlyTracelessErrors = (bytes: Buffer) => {
      for (const mode of ['all', 'location'] as const) {
        try {
          matroska.plan!(new BufferSource(bytes), { mode, keepDates: false, keepOrientation: true });
        } catch (error) {
          if (!(error instanceof TracelessError)) throw error;
          expect(error.code).not.toBe('INTERNAL');
        }
      }
      matroska.inspect(new BufferSource(bytes));
      const { result, data } = cleanBuffer(bytes);
      if (data) expect(result.verification?.ok).toBe(true);
      else expect(result.error?.code).not.toBe('INTERNAL');
    };
    for (let length = 0; length <= base.length; length += 7) onlyTracelessErrors(base.subarray(0, length));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => onlyTracelessErrors(Buffer.concat([ebmlHeader(), Buffer.from(bytes)]))), { numRuns: 200 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (changes) => {
        const mutated = Buffer.from(base);
        for (const [offset, value] of changes) mutated[offset] = value;
        onlyTracelessErrors(mutated);
      }),
      { numRuns: 300 },
    );
  });
});
