/**
 * AVI (issue 14): metadata chunks become JUNK of the same size, the media data and its indexes are
 * untouched in place. Judged by ffmpeg (packets identical), ffprobe (no tags) and ExifTool `-ee`
 * (nothing sensitive), plus sentinels hidden in every place a chunk can hide them.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import { TracelessError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/source.js';
import { avi } from '../../src/formats/avi/index.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { packetDigests } from '../fixtures/mp4.js';
import { aviScratch, ffmpegAvi, handBuiltAvi, inPlaceOfJunk, openDmlAvi, removeAviScratch, riffChunk, riffList, u32le } from '../fixtures/avi.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';
import { containsSentinel, expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';
import { assertOnlyTracelessErrors } from '../helpers/mutated-seeds.js';

let counter = 0;
function write(data: Buffer): string {
  const path = join(aviScratch(), `case-${++counter}.avi`);
  writeFileSync(path, data);
  return path;
}

function ffprobeTags(path: string): Record<string, string> {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags:stream_tags', '-of', 'json', path], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { format?: { tags?: Record<string, string> }; streams?: { tags?: Record<string, string> }[] };
  return Object.assign({}, parsed.format?.tags ?? {}, ...(parsed.streams ?? []).map((stream) => stream.tags ?? {}));
}

const metadata = { title: 'Avi Secret Title', artist: 'Avi Secret Artist', comment: 'Avi Secret Comment', creation_time: '2024-05-01T10:11:12Z' };
const nmea = '$GPRMC,101112,A,3746.4940,N,12225.1640,W,0.0,0.0,010524,,,A*00\r\n';

/** The law for one AVI: same size, packets identical, nothing ffprobe or ExifTool call sensitive, idempotent. */
function expectCleanAvi(input: Buffer, output: Buffer): void {
  expect(output.length).toBe(input.length);
  const before = write(input);
  const after = write(output);
  expect(packetDigests(after)).toEqual(packetDigests(before));
  expect(ffprobeTags(after)).toEqual({});
  expect(sensitiveTags(exiftoolTags(after))).toEqual([]);
  expect(cleanBuffer(output).result.status, 'second clean').toBe('already-clean');
}

describe('AVI', () => {
  let mjpeg: Buffer;
  let mpeg4: Buffer;
  beforeAll(() => {
    mjpeg = ffmpegAvi({ codec: 'mjpeg', metadata });
    mpeg4 = ffmpegAvi({ codec: 'mpeg4', metadata });
  });
  afterAll(() => removeAviScratch());

  for (const codec of ['mjpeg', 'mpeg4'] as const) {
    it(`${codec}: ffmpeg's INFO tags are reported, then removed as JUNK with the packets untouched`, () => {
      const input = codec === 'mjpeg' ? mjpeg : mpeg4;
      const inspection = inspectSync(input);
      const values = inspection.findings.map((finding) => finding.value);
      expect(values).toEqual(expect.arrayContaining([metadata.title, metadata.artist, metadata.comment]));
      expect(inspection.findings.find((finding) => finding.tag === 'Software')?.where).toBe('AVI/LIST(INFO)/ISFT');
      const { result, data } = cleanBuffer(input);
      expect(result.status).toBe('cleaned');
      expect(result.removed.map((removal) => removal.where)).toContain('AVI/LIST(INFO)');
      expect(data!.includes('Avi Secret')).toBe(false);
      expect(data!.includes('LIST')).toBe(true);
      expect(data!.indexOf('INFO', 0, 'latin1')).toBe(-1);
      expectCleanAvi(input, data!);
    });
  }

  it('strd (EXIF), strn, IDIT, ISMP, XMP and unknown chunks hidden in place of JUNK: reported, voided, packets identical', () => {
    const exif = Buffer.concat([Buffer.from('AVIF', 'latin1'), Buffer.alloc(4), Buffer.from('Exif\0\0', 'latin1'), buildExifTiff(), sentinelBytes]);
    const xmp = Buffer.from(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${sentinel}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`);
    const strl = [riffChunk('strd', exif), riffChunk('strn', Buffer.from(`${sentinel} cam\0`)), riffChunk('zzzz', Buffer.from(`odd${sentinel}`))];
    const hdrl = [riffChunk('IDIT', Buffer.from('Wed May 01 10:11:12 2024\n\0')), riffChunk('ISMP', Buffer.from('10:11:12:05\0')), riffChunk('gps0', Buffer.from(nmea))];
    let file = inPlaceOfJunk(mjpeg, strl, 0);
    file = inPlaceOfJunk(file, [riffChunk('_PMX', xmp)], 1);
    file = inPlaceOfJunk(file, hdrl, 2);
    const inspection = inspectSync(file);
    const tags = inspection.findings.map((finding) => finding.tag);
    expect(tags).toEqual(expect.arrayContaining(['Make', 'BodySerialNumber', 'StreamName', 'DateTimeOriginal', 'TimeCode', 'GPSTrack', 'dc:creator']));
    expect(inspection.findings.find((finding) => finding.tag === 'Make')?.value).toBe(defaultExif.make);
    expect(inspection.locations.some((location) => Math.abs(location.latitude - 37.7749) < 1e-3 && Math.abs(location.longitude + 122.4194) < 1e-3)).toBe(true);
    const outcomes = expectSentinelGone(file);
    expectCleanedInBothModes(outcomes);
    const out = outcomes[0]!.data!;
    expect(outcomes[0]!.result.removed.map((removal) => removal.where)).toEqual(expect.arrayContaining([
      'AVI/LIST(hdrl)/LIST(strl)/strd', 'AVI/LIST(hdrl)/LIST(strl)/strn', 'AVI/LIST(hdrl)/LIST(strl)/zzzz', 'AVI/LIST(hdrl)/IDIT', 'AVI/LIST(hdrl)/ISMP', 'AVI/LIST(hdrl)/gps0',
    ]));
    for (const text of [defaultExif.make, 'GPRMC', '10:11:12:05', 'May 01']) expect(out.includes(text), text).toBe(false);
    expectCleanAvi(file, out);
  });

  it('hand-built: reserved header fields, filler holding data, non-zero pad bytes and trailing data are zeroed or cut', () => {
    const avih = Buffer.concat([u32le(100000), u32le(1000), u32le(0), u32le(0x10), u32le(2), u32le(0), u32le(1), u32le(0), u32le(64), u32le(48), sentinelBytes.subarray(0, 16)]);
    const file = handBuiltAvi({
      avih,
      hdrl: [riffChunk('JUNK', Buffer.from(`leftover ${sentinel}`))],
      top: [riffChunk('JUNK', Buffer.alloc(5), 0x41), riffList('ncdt', riffChunk('nctg', Buffer.from(`Nikon ${sentinel}`)))],
      frames: [Buffer.from('odd-frame'), Buffer.from('even-frame')],
      trailing: Buffer.from(`trailer ${sentinel}`),
    });
    expect(inspectSync(file).findings.length).toBeGreaterThan(0);
    const outcomes = expectSentinelGone(file, sentinel.slice(0, 16));
    expectCleanedInBothModes(outcomes);
    const out = outcomes[0]!.data!;
    expect(out.length).toBe(file.length - `trailer ${sentinel}`.length);
    expect(out.includes('Nikon')).toBe(false);
    expect(out.includes('odd-frame\x0000dc\x0a\0\0\0even-frame', 0, 'latin1')).toBe(true);
    expect(cleanBuffer(out).result.status).toBe('already-clean');
  });

  it('idx1 entries that name no stream are zeroed; the rest are re-written as they were', () => {
    const file = handBuiltAvi();
    const at = file.indexOf('idx1', 0, 'latin1');
    const crafted = Buffer.from(file);
    sentinelBytes.copy(crafted, at + 8 + 16, 0, 4); // the second entry's ckid
    const { data, result } = cleanBuffer(crafted);
    expect(result.removed.some((removal) => removal.where === 'AVI/idx1')).toBe(true);
    expect(data!.subarray(at + 8, at + 24)).toEqual(file.subarray(at + 8, at + 24));
    expect(data!.subarray(at + 24, at + 40)).toEqual(Buffer.alloc(16));
  });

  it('an OpenDML file (super index, ix00 standard index, AVIX continuation): indexes re-written, unused entries zeroed', () => {
    const { file, superIndex, firstLength } = openDmlAvi(sentinelBytes);
    const { data, result } = cleanBuffer(file);
    expect(result.status).toBe('cleaned');
    expect(data!.length).toBe(file.length);
    expect(containsSentinel(data!, sentinel.slice(0, 16))).toBe(false);
    const ix = data!.indexOf('ix00', firstLength, 'latin1');
    expect(data!.subarray(ix, ix + 40)).toEqual(file.subarray(ix, ix + 40));
    const indx = data!.indexOf('indx', 0, 'latin1');
    expect(data!.subarray(indx + 8 + 24, indx + 8 + 40)).toEqual(superIndex.subarray(24, 40));
    expect(data!.subarray(indx + 8 + 40, indx + 8 + 56)).toEqual(Buffer.alloc(16));
    expect(data!.readUInt32LE(data!.indexOf('dmlh', 0, 'latin1') + 8)).toBe(2);
    expect(cleanBuffer(data!).result.status).toBe('already-clean');
  });

  it('scan reads a file cut short and says so; clean refuses it without an internal error', () => {
    const cut = mjpeg.subarray(0, Math.floor(mjpeg.length * 0.6));
    const inspection = inspectSync(cut);
    expect(inspection.findings.map((finding) => finding.value)).toEqual(expect.arrayContaining([metadata.title, metadata.artist]));
    expect(inspection.unreadable).toEqual(expect.arrayContaining([expect.stringContaining('the file is cut short')]));
    const { result, data } = cleanBuffer(cut);
    expect(data).toBeNull();
    expect(result.error?.code).toBe('TRUNCATED');
  });

  it('never lets anything but TracelessError out of inspect or plan, on mutated or cut files (property test)', () => {
    const seeds = [handBuiltAvi({ hdrl: [riffChunk('IDIT', Buffer.from('2024\0'))], top: [riffList('INFO', riffChunk('IART', Buffer.from('me\0')))] }), mjpeg.subarray(0, 6000)];
    assertOnlyTracelessErrors(seeds, (input) => [() => avi.inspect(new BufferSource(input)), () => avi.plan!(new BufferSource(input), { mode: 'all', keepOrientation: true, keepDates: false })]);
  });
});
