/**
 * Crafted TIFF/DNG files (keep-list issue 10): a sentinel hidden in the slack of every structure
 * the TIFF cleaner keeps — JPEGTables, text after its NUL, extra values of one-value tags, tags of
 * the wrong type, unknown tags, gaps between IFDs, bytes after the last strip, IFDs nothing
 * follows, DNG free text, GeoTIFF tags, the Exif IFD in location mode — must be gone from the
 * output in both modes (or the file refused), the pixels unchanged, and `scan` must say something.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import { findEntry, parseTiff, readBytes } from '../../src/decode/tiff.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { TiffWriter, buildDng, craftedJpegTiff, ifd0Value, jpegSegment, jpegTablesWith, relayoutTiff, type Entry, type Ifd } from '../fixtures/tiff.js';
import { containsSentinel, expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes, type ModeOutcome } from '../helpers/sentinel.js';

const width = 32;
const height = 16;
let rawPixels: Buffer;
let plainTiff: Buffer;
let jpegTiff: Buffer;
let previewJpeg: Buffer;

beforeAll(async () => {
  rawPixels = Buffer.alloc(width * height * 3);
  for (let index = 0; index < rawPixels.length; index++) rawPixels[index] = (index * 7 + (index >> 5)) & 0xff;
  const image = () => sharp(rawPixels, { raw: { width, height, channels: 3 } });
  plainTiff = await image().tiff({ compression: 'none' }).toBuffer();
  jpegTiff = await image().tiff({ compression: 'jpeg', quality: 90 }).toBuffer();
  previewJpeg = await sharp(rawPixels, { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
});

async function pixelsOf(data: Buffer): Promise<Buffer> {
  return sharp(data).raw().toBuffer();
}

/**
 * Both modes wrote an output, and each decodes to the pixels of `reference` (the file the crafted
 * input was made from: some crafted inputs are too odd for libtiff to open at all).
 */
async function expectSamePixels(input: Buffer, outcomes: readonly ModeOutcome[], reference: Buffer = input): Promise<void> {
  expectCleanedInBothModes(outcomes);
  const before = await pixelsOf(reference);
  for (const outcome of outcomes) {
    expect((await pixelsOf(outcome.data!)).equals(before), `${outcome.mode}: pixels changed`).toBe(true);
    expect(outcome.data!.length).toBe(input.length);
    // Cleaning again changes nothing (the output verifies, and is a fixed point).
    const again = cleanBuffer(outcome.data!, { only: outcome.mode });
    expect(again.result.status, `${outcome.mode}: ${JSON.stringify(again.result.error)}`).toBe('already-clean');
  }
}

/** `scan` does not call the file clean: it names something a clean removes. */
function expectScanReports(input: Buffer): void {
  const findings = inspectSync(input).findings.filter((finding) => !finding.retained);
  expect(findings.length, 'scan found nothing').toBeGreaterThan(0);
}

const w = () => new TiffWriter(true);
const ascii = (text: string) => w().ascii(text);
const exifWithSentinel = () => Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), buildExifTiff({ ...defaultExif, make: sentinel })]);

describe('JPEGTables (tag 347)', () => {
  it('keeps only SOI, DQT, DHT and EOI: an APP1 Exif with GPS and the sentinel goes', async () => {
    const tables = ifd0Value(jpegTiff, 0x015b);
    const crafted = jpegTablesWith(tables, { segments: [jpegSegment(0xe1, exifWithSentinel())] });
    const input = relayoutTiff(jpegTiff, { values: new Map([[0x015b, w().undefinedBytes(crafted)]]) });
    expect(containsSentinel(input)).toBe(true);
    const scan = inspectSync(input);
    expect(scan.locations.length, 'the GPS inside JPEGTables is reported').toBeGreaterThan(0);
    const outcomes = expectSentinelGone(input);
    await expectSamePixels(input, outcomes, jpegTiff);
    for (const outcome of outcomes) {
      const after = parseTiff(outcome.data!);
      const kept = readBytes(after, findEntry(after.ifds[0], 0x015b)!);
      expect(kept.equals(tables), `${outcome.mode}: the tables are written back exactly`).toBe(true);
    }
  });

  it('removes a COM segment, bytes after the tables of a DQT segment, and bytes after EOI', async () => {
    const tables = ifd0Value(jpegTiff, 0x015b);
    for (const extras of [
      { segments: [jpegSegment(0xfe, sentinelBytes)] },
      { dqtSlack: sentinelBytes },
      { afterEoi: sentinelBytes },
      { segments: [jpegSegment(0xed, Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), sentinelBytes]))] },
    ]) {
      const input = relayoutTiff(jpegTiff, { values: new Map([[0x015b, w().undefinedBytes(jpegTablesWith(tables, extras))]]) });
      expectScanReports(input);
      await expectSamePixels(input, expectSentinelGone(input), jpegTiff);
    }
  });

  it('refuses tables it cannot read, since removing them would change the picture', () => {
    const input = relayoutTiff(jpegTiff, { values: new Map([[0x015b, w().undefinedBytes(Buffer.concat([Buffer.from('NOTJPEG-', 'latin1'), sentinelBytes]))]]) });
    for (const outcome of expectSentinelGone(input)) {
      expect(outcome.result.status).toBe('refused');
      expect(outcome.result.error?.message).toContain('JPEGTables');
    }
  });
});

describe('kept image tags', () => {
  it('unknown private tags (text and blobs) go in both modes', async () => {
    const input = relayoutTiff(plainTiff, {
      extra: (writer) => [
        { tag: 0xc800, value: writer.ascii(sentinel) },
        { tag: 0x9999, value: writer.undefinedBytes(Buffer.concat([Buffer.from('vendor', 'latin1'), sentinelBytes])) },
        { tag: 0xfe00, value: writer.bytes(Buffer.from(sentinel, 'utf16le')) },
      ],
    });
    expectScanReports(input);
    await expectSamePixels(input, expectSentinelGone(input));
  });

  it('text after the NUL of a kept ASCII value is cut (location mode keeps Make)', async () => {
    const make = Buffer.from(`CameraCo\0${sentinel}`, 'latin1');
    const input = relayoutTiff(plainTiff, { values: new Map([[0x010f, { type: 2, count: make.length, data: make }]]) });
    expectScanReports(input);
    const outcomes = expectSentinelGone(input);
    await expectSamePixels(input, outcomes, plainTiff);
    const location = outcomes.find((outcome) => outcome.mode === 'location')!;
    expect(location.data!.includes(Buffer.from('CameraCo\0', 'latin1'))).toBe(true);
  });

  it('extra values of a one-value tag, and a kept tag of the wrong type, go', async () => {
    const padded = Buffer.concat([Buffer.alloc(4), sentinelBytes, Buffer.alloc(1)]);
    padded.writeUInt32LE(width, 0);
    const input = relayoutTiff(plainTiff, {
      values: new Map([
        [0x0100, { type: 4, count: padded.length / 4, data: padded }],
        [0x0128, w().ascii(sentinel)], // ResolutionUnit written as text
      ]),
    });
    expectScanReports(input);
    const outcomes = expectSentinelGone(input);
    await expectSamePixels(input, outcomes, plainTiff);
    const after = parseTiff(outcomes[0]!.data!);
    expect(findEntry(after.ifds[0], 0x0100)!.count).toBe(1);
    expect(findEntry(after.ifds[0], 0x0128)).toBeUndefined();
  });

  it('GeoTIFF tags (also a sentinel in GeoAsciiParams) go in both modes', async () => {
    const input = relayoutTiff(plainTiff, {
      extra: (writer) => [
        { tag: 0x830e, value: writer.double(0.001, 0.001, 0) },
        { tag: 0x8482, value: writer.double(0, 0, 0, 2.2945, 48.8584, 0) },
        { tag: 0x87af, value: writer.short(1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326) },
        { tag: 0x87b1, value: writer.ascii(`WGS 84|${sentinel}|`) },
      ],
    });
    expect(inspectSync(input).locations.length).toBeGreaterThan(0);
    const outcomes = expectSentinelGone(input);
    await expectSamePixels(input, outcomes);
    for (const outcome of outcomes) {
      const after = parseTiff(outcome.data!);
      for (const tag of [0x830e, 0x8482, 0x87af, 0x87b1]) expect(findEntry(after.ifds[0], tag), `${outcome.mode} 0x${tag.toString(16)}`).toBeUndefined();
      expect(inspectSync(outcome.data!).locations).toEqual([]);
    }
  });

  it('XMP, IPTC and Photoshop records go whole in both modes', async () => {
    const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="${sentinel}"/></rdf:RDF></x:xmpmeta>`;
    const input = relayoutTiff(plainTiff, { extra: (writer) => [{ tag: 0x02bc, value: writer.bytes(Buffer.from(xmp, 'utf8')) }] });
    expectScanReports(input);
    await expectSamePixels(input, expectSentinelGone(input));
  });
});

describe('strips past what a reader decodes', () => {
  it('a strip beyond the image and bytes past an uncompressed strip are neither copied nor pointed to', async () => {
    for (const strips of [
      (list: Buffer[]) => [...list, Buffer.concat([sentinelBytes, Buffer.alloc(1)])],
      (list: Buffer[]) => [...list.slice(0, -1), Buffer.concat([list[list.length - 1]!, sentinelBytes, Buffer.alloc(1)])],
    ]) {
      const input = relayoutTiff(plainTiff, { strips });
      expectScanReports(input);
      const outcomes = expectSentinelGone(input);
      await expectSamePixels(input, outcomes, plainTiff);
    }
  });
});

describe('bytes nothing kept points to', () => {
  it('a gap between the values and the strips, and bytes after the last strip, become zeros', async () => {
    const input = relayoutTiff(plainTiff, { junk: Buffer.concat([Buffer.alloc(3), sentinelBytes, Buffer.alloc(3)]), trailing: Buffer.concat([Buffer.from('tail:', 'latin1'), Buffer.from(sentinel, 'utf16le')]) });
    expectScanReports(input);
    await expectSamePixels(input, expectSentinelGone(input));
  });

  it('an IFD hanging off the Exif IFD next link (never followed) is zeroed with the Exif IFD', async () => {
    const hidden: Ifd = { entries: [{ tag: 0x010f, value: ascii(sentinel) }] };
    const exif: Ifd = { entries: [{ tag: 0x829a, value: w().rational(0.01) }, { tag: 0x9003, value: ascii('2024:05:01 10:11:12') }], next: hidden };
    const input = relayoutTiff(plainTiff, { extra: () => [{ tag: 0x8769, ifds: [exif] }] });
    await expectSamePixels(input, expectSentinelGone(input));
  });

  it('an IFD1 thumbnail with the sentinel in its own COM goes in both modes', async () => {
    const thumbnail = Buffer.concat([previewJpeg.subarray(0, 2), jpegSegment(0xfe, sentinelBytes), previewJpeg.subarray(2)]);
    const input = relayoutTiff(plainTiff, {
      next: (writer) => ({ entries: [{ tag: 0x0103, value: writer.short(6) }, { tag: 0x0201, blobs: [thumbnail] }, { tag: 0x0202, value: writer.long(thumbnail.length) }] }),
    });
    expectScanReports(input);
    await expectSamePixels(input, expectSentinelGone(input), plainTiff);
  });
});

describe('location mode: the Exif IFD is an allow-list', () => {
  it('keeps exposure and dates, removes unknown Exif tags, UserComment, maker notes and the GPS IFD', async () => {
    const gps: Ifd = { entries: [{ tag: 0x01, value: ascii('N') }, { tag: 0x02, value: w().rational(48, 51, 30) }, { tag: 0x1c, value: ascii(sentinel) }] };
    const exif: Ifd = {
      entries: [
        { tag: 0x829a, value: w().rational(0.01) },
        { tag: 0x9003, value: ascii('2024:05:01 10:11:12') },
        { tag: 0x9286, value: w().undefinedBytes(Buffer.concat([Buffer.from('ASCII\0\0\0', 'latin1'), sentinelBytes])) },
        { tag: 0x927c, value: w().undefinedBytes(sentinelBytes) },
        { tag: 0xa4f0, value: ascii(sentinel) },
        { tag: 0x9400, value: w().rational(21) }, // temperature: kept out too (environment readings)
      ],
    };
    const input = relayoutTiff(plainTiff, { extra: () => [{ tag: 0x8769, ifds: [exif] }, { tag: 0x8825, ifds: [gps] }] });
    const outcomes = expectSentinelGone(input);
    await expectSamePixels(input, outcomes);
    const location = parseTiff(outcomes.find((outcome) => outcome.mode === 'location')!.data!);
    const exifIfd = location.ifds.find((ifd) => ifd.name === 'ExifIFD')!;
    expect(exifIfd.entries.map((entry) => entry.tag)).toEqual([0x829a, 0x9003]);
    expect(location.ifds.some((ifd) => ifd.name === 'GPS')).toBe(false);
  });
});

describe('DNG', () => {
  // ASCII values do not depend on byte order, so a little-endian writer's values fit the big-endian DNG.
  const dngWith = (entries: (writer: TiffWriter) => Entry[]) => buildDng(previewJpeg, { extraIfd0: entries(new TiffWriter(false)) });

  it('empties UniqueCameraModel, the calibration signatures and semantic names; removes profile names', () => {
    const input = dngWith((writer) => [
      { tag: 0xc6f3, value: writer.ascii(`sig-${sentinel}`) },
      { tag: 0xc6f4, value: writer.ascii(`profile-sig-${sentinel}`) },
      { tag: 0xc6f8, value: writer.ascii(`name-${sentinel}`) },
      { tag: 0xc6fe, value: writer.ascii(`copyright-${sentinel}`) },
      { tag: 0xcd2e, value: writer.ascii(`semantic-${sentinel}`) },
    ]);
    expectScanReports(input);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) {
      const after = parseTiff(outcome.data!);
      for (const tag of [0xc614, 0xc6f3, 0xc6f4, 0xcd2e]) {
        const entry = findEntry(after.ifds[0], tag)!;
        expect(readBytes(after, entry), `${outcome.mode} 0x${tag.toString(16)}`).toEqual(Buffer.from([0]));
      }
      for (const tag of [0xc6f8, 0xc6fe]) expect(findEntry(after.ifds[0], tag)).toBeUndefined();
      // The raw data (SubIFD0's strip) is byte for byte the same, where it was.
      const raw = after.ifds.find((ifd) => ifd.name === 'SubIFD0')!;
      const rawStart = readBytes(after, findEntry(raw, 0x0111)!).readUInt32BE(0);
      const rawEnd = rawStart + 16 * 8 * 2;
      expect(outcome.data!.subarray(rawStart, rawEnd).equals(input.subarray(rawStart, rawEnd))).toBe(true);
    }
  });
});

describe('the fuzz seed with data hidden in kept structures', () => {
  it('cleans in both modes without the hidden text, pixels unchanged', async () => {
    const hidden = `${sentinel}-SEED`;
    const input = await craftedJpegTiff(hidden);
    expect(inspectSync(input).locations.length).toBeGreaterThan(0);
    const outcomes = expectSentinelGone(input, hidden);
    expectCleanedInBothModes(outcomes);
    // libtiff only warns about the odd Make of the input: read it leniently as the reference.
    const reference = await sharp(input, { failOn: 'none' }).raw().toBuffer();
    for (const outcome of outcomes) expect((await pixelsOf(outcome.data!)).equals(reference), outcome.mode).toBe(true);
  });
});

describe('broken metadata IFDs', () => {
  it('an Exif IFD pointer to garbage (with the sentinel there) is removed, not refused', async () => {
    const input = relayoutTiff(plainTiff, {
      extra: (writer) => [{ tag: 0x8769, value: writer.long(0) }],
      junk: Buffer.concat([Buffer.from([0xff, 0xff]), sentinelBytes, Buffer.alloc(2)]),
    });
    // Point the Exif IFD at the junk: an entry count of 0xFFFF runs past the end of the file.
    const structure = parseTiff(input);
    const pointer = findEntry(structure.ifds[0], 0x8769)!;
    input.writeUInt32LE(input.indexOf(Buffer.concat([Buffer.from([0xff, 0xff]), sentinelBytes])), pointer.valueOffset);
    expect(parseTiff(input).warnings.some((warning) => warning.code === 'TIFF_IFD_UNREADABLE')).toBe(true);
    await expectSamePixels(input, expectSentinelGone(input), plainTiff);
  });
});
