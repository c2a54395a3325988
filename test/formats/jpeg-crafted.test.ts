/**
 * Crafted JPEGs (keep-list issue 10): a sentinel hidden in the slack of every structure the JPEG
 * cleaner keeps — thumbnails and bytes past the defined fields of JFIF/Adobe, tables no scan uses,
 * bytes after a frame/scan header or restart interval, extra ICC chunks, DNL/JPGn/reserved markers,
 * data after EOI, Photoshop resources in location mode — must not survive a clean in either mode,
 * `scan` must report it, and the picture must decode to the same pixels.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import { containsSentinel, expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';
import {
  adobeSegment,
  appendToSegment,
  basePixelsJpeg,
  commentSegment,
  exifSegment,
  huffmanTable,
  iccChunk,
  imageResource,
  insertBefore,
  insertBeforeNth,
  insertSegments,
  iptcRecord,
  jfifSegment,
  jfxxSegment,
  photoshopSegment,
  quantTable,
  removeSegments,
  segment,
  xmpPacket,
} from '../fixtures/jpeg.js';

const SOF0 = 0xc0;
const SOF2 = 0xc2;
const DHT = 0xc4;
const DQT = 0xdb;
const SOS = 0xda;
const EOI = 0xd9;
const APP0 = 0xe0;
const APP2 = 0xe2;

let base: Buffer;
let progressive: Buffer;
let withIcc: Buffer;
let basePixels: Buffer;

async function pixels(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg, { autoOrient: false }).raw().toBuffer();
}

beforeAll(async () => {
  base = await basePixelsJpeg(64, 48);
  progressive = await basePixelsJpeg(64, 48, { progressive: true });
  withIcc = await basePixelsJpeg(64, 48, { icc: true });
  basePixels = await pixels(base);
});

/** The whole law for one crafted file: scan reports it, both modes clean it, the sentinel is gone, pixels are the same, a second clean changes nothing. */
async function expectRemovedLosslessly(input: Buffer, reference: Buffer | (() => Promise<Buffer>) = () => Promise.resolve(basePixels)): Promise<void> {
  expect(containsSentinel(input), 'the fixture must hold the sentinel').toBe(true);
  const report = inspectSync(input);
  expect(report.findings.filter((finding) => !finding.retained).length, 'scan must report what the file hides').toBeGreaterThan(0);
  const outcomes = expectSentinelGone(input);
  expectCleanedInBothModes(outcomes);
  const expected = typeof reference === 'function' ? await reference() : reference;
  for (const outcome of outcomes) {
    expect(outcome.result.verification?.ok, `${outcome.mode}: ${JSON.stringify(outcome.result.verification?.problems)}`).toBe(true);
    expect(await pixels(outcome.data!), `${outcome.mode}: pixels changed`).toEqual(expected);
    const again = cleanBuffer(outcome.data!, { only: outcome.mode });
    expect(again.result.status, `${outcome.mode}: a second clean must change nothing`).toBe('already-clean');
    expect(again.data).toEqual(outcome.data);
  }
}

describe('JPEG crafted: colour segments re-written from their fields', () => {
  it('removes a JFIF thumbnail and writes the 16-byte JFIF segment', async () => {
    const thumbnail = Buffer.alloc(3 * 4 * 2, 0x20);
    sentinelBytes.copy(thumbnail);
    const input = insertSegments(removeSegments(base, APP0), []);
    const crafted = Buffer.concat([input.subarray(0, 2), jfifSegment({ width: 4, height: 2, thumbnail }), input.subarray(2)]);
    await expectRemovedLosslessly(crafted);
    expect(inspectSync(crafted).findings.some((finding) => finding.category === 'thumbnail' && finding.where === 'APP0/JFIF')).toBe(true);
    const out = cleanBuffer(crafted).data!;
    const jfifAt = out.indexOf(Buffer.from('JFIF\0', 'latin1'));
    expect(out.readUInt16BE(jfifAt - 2)).toBe(16);
    expect([out[jfifAt + 12], out[jfifAt + 13]]).toEqual([0, 0]);
  });

  it('removes bytes after the JFIF fields', async () => {
    const input = removeSegments(base, APP0);
    await expectRemovedLosslessly(Buffer.concat([input.subarray(0, 2), jfifSegment({ trailing: sentinelBytes }), input.subarray(2)]));
  });

  it('removes a second JFIF segment', async () => {
    await expectRemovedLosslessly(insertSegments(base, [jfifSegment({ trailing: sentinelBytes })]));
  });

  it('removes a JFXX thumbnail that carries its own EXIF GPS, in both modes', async () => {
    const thumbnail = insertSegments(await basePixelsJpeg(16, 12), [exifSegment({ gps: { latitude: -33.8688, longitude: 151.2093 }, make: sentinel })]);
    const crafted = insertSegments(base, [jfxxSegment(thumbnail)]);
    await expectRemovedLosslessly(crafted);
    for (const mode of ['all', 'location'] as const) {
      const out = cleanBuffer(crafted, { only: mode }).data!;
      expect(inspectSync(out).locations).toEqual([]);
      expect(out.includes(Buffer.from('JFXX', 'latin1'))).toBe(false);
    }
  });

  it('keeps APP14 Adobe as its 12 defined bytes, without what follows them', async () => {
    const crafted = insertSegments(base, [adobeSegment(sentinelBytes)]);
    await expectRemovedLosslessly(crafted);
    const out = cleanBuffer(crafted).data!;
    const at = out.indexOf(Buffer.from('Adobe', 'latin1'));
    expect(at).toBeGreaterThan(0);
    expect(out.readUInt16BE(at - 2)).toBe(14);
    expect(cleanBuffer(crafted).result.kept).toContain('Adobe colour transform (APP14)');
  });

  it('keeps only the last of several Adobe segments (the one decoders apply)', async () => {
    const crafted = insertSegments(base, [segment(0xee, Buffer.concat([Buffer.from('Adobe', 'latin1'), sentinelBytes])), adobeSegment()]);
    await expectRemovedLosslessly(crafted);
    const out = cleanBuffer(crafted).data!;
    expect(out.indexOf(Buffer.from('Adobe', 'latin1'))).toBe(out.lastIndexOf(Buffer.from('Adobe', 'latin1')));
  });
});

describe('JPEG crafted: ICC profile re-assembled', () => {
  const profileOf = (jpeg: Buffer): Buffer => {
    const at = jpeg.indexOf(Buffer.from('ICC_PROFILE\0', 'latin1'));
    const length = jpeg.readUInt16BE(at - 2);
    return jpeg.subarray(at + 14, at - 2 + length);
  };
  const withIccPixels = () => pixels(withIcc);
  // The profile a clean of the sentinel-free file writes (re-written by decode/icc unless standard).
  const cleanProfile = () => profileOf(cleanBuffer(withIcc).data!);

  it('removes an extra chunk numbered past the count', async () => {
    const crafted = insertBefore(withIcc, SOF0, [iccChunk(2, 1, sentinelBytes)]);
    await expectRemovedLosslessly(crafted, withIccPixels);
    expect(profileOf(cleanBuffer(crafted).data!)).toEqual(cleanProfile());
  });

  it('removes a repeated chunk and a chunk with another count', async () => {
    const crafted = insertBefore(withIcc, SOF0, [iccChunk(1, 1, Buffer.concat([sentinelBytes, profileOf(withIcc)])), iccChunk(1, 2, sentinelBytes)]);
    await expectRemovedLosslessly(crafted, withIccPixels);
    expect(profileOf(cleanBuffer(crafted).data!)).toEqual(cleanProfile());
  });

  it('removes bytes after the profile’s declared size', async () => {
    const crafted = appendToSegment(withIcc, APP2, sentinelBytes);
    await expectRemovedLosslessly(crafted, withIccPixels);
    expect(profileOf(cleanBuffer(crafted).data!)).toEqual(cleanProfile());
  });

  it('keeps a profile split over several chunks, in sequence, whatever order they came in', async () => {
    const profile = profileOf(withIcc);
    const half = profile.length >> 1;
    const split = removeSegments(withIcc, APP2);
    const crafted = insertBefore(split, SOF0, [iccChunk(2, 2, profile.subarray(half)), iccChunk(1, 2, profile.subarray(0, half)), iccChunk(2, 2, sentinelBytes)]);
    await expectRemovedLosslessly(crafted, withIccPixels);
    const out = cleanBuffer(crafted).data!;
    expect(cleanBuffer(crafted).result.kept).toContain('ICC colour profile');
    expect(inspectSync(out).findings.find((finding) => finding.tag === 'ICC_Profile')?.retained).toBe(true);
  });
});

describe('JPEG crafted: tables, frame and scan headers', () => {
  it('removes a quantisation table no component uses', async () => {
    await expectRemovedLosslessly(insertBefore(base, SOF0, [segment(DQT, quantTable(3, sentinel))]));
  });

  it('removes a quantisation table redefined before any scan used it', async () => {
    // Slot 0 defined with the sentinel first, then the real table 0 (from the file) overrides it.
    await expectRemovedLosslessly(insertBefore(base, DQT, [segment(DQT, quantTable(0, sentinel))]));
  });

  it('removes bytes after the last whole quantisation table', async () => {
    await expectRemovedLosslessly(appendToSegment(base, DQT, sentinelBytes));
  });

  it('removes a Huffman table no scan uses', async () => {
    await expectRemovedLosslessly(insertBefore(base, SOS, [segment(DHT, huffmanTable(1, 3, sentinelBytes))]));
  });

  it('removes bytes after the last whole Huffman table', async () => {
    // A table header whose codes run past the segment: not a table, so trailing bytes.
    const counts = Buffer.alloc(16);
    counts[15] = 200;
    await expectRemovedLosslessly(appendToSegment(base, DHT, Buffer.concat([Buffer.from([0x13]), counts, sentinelBytes])));
  });

  it('removes an unused Huffman table between the scans of a progressive JPEG', async () => {
    const crafted = insertBeforeNth(progressive, SOS, 3, [segment(DHT, huffmanTable(1, 3, sentinelBytes))]);
    await expectRemovedLosslessly(crafted, () => pixels(progressive));
  });

  it('keeps every table a progressive JPEG redefines between scans', async () => {
    const out = cleanBuffer(progressive).data!;
    expect(await pixels(out)).toEqual(await pixels(progressive));
    expect(out.equals(progressive) || cleanBuffer(progressive).result.status === 'cleaned').toBe(true);
  });

  it('removes bytes after the frame header’s defined fields', async () => {
    await expectRemovedLosslessly(appendToSegment(base, SOF0, sentinelBytes));
  });

  it('removes bytes after the scan header’s defined fields', async () => {
    await expectRemovedLosslessly(appendToSegment(base, SOS, sentinelBytes));
  });

  it('removes bytes after the restart interval, and a restart interval no scan uses', async () => {
    const dri = segment(0xdd, Buffer.concat([Buffer.from([0, 0]), sentinelBytes]));
    await expectRemovedLosslessly(insertBefore(base, SOS, [dri]));
    const late = insertBefore(base, EOI, [segment(0xdd, Buffer.concat([Buffer.from([0, 4]), sentinelBytes]))]);
    await expectRemovedLosslessly(late);
  });

  it('removes a DNL segment with a payload', async () => {
    await expectRemovedLosslessly(insertBefore(base, EOI, [segment(0xdc, Buffer.concat([Buffer.from([0, 48]), sentinelBytes]))]));
  });

  it('refuses a frame whose height would come from a DNL segment, saying why', () => {
    const zeroHeight = Buffer.from(base);
    const at = zeroHeight.indexOf(Buffer.from([0xff, SOF0]));
    zeroHeight.writeUInt16BE(0, at + 5);
    const { result, data } = cleanBuffer(insertBefore(zeroHeight, EOI, [segment(0xdc, Buffer.from([0, 48]))]));
    expect(data).toBeNull();
    expect(result.error?.code).toBe('UNSUPPORTED_FORMAT');
    expect(result.error?.message).toMatch(/DNL/);
  });

  it('removes JPGn, reserved and stray markers', async () => {
    await expectRemovedLosslessly(insertBefore(base, SOF0, [segment(0xf0, sentinelBytes), segment(0x4f, sentinelBytes), segment(0xc8, sentinelBytes), Buffer.from([0xff, 0xd3])]));
  });

  it('refuses a table of a class or slot the standard does not have', () => {
    const outcomes = expectSentinelGone(insertBefore(base, SOF0, [segment(DHT, Buffer.concat([Buffer.from([0x27]), Buffer.alloc(16), sentinelBytes]))]));
    for (const outcome of outcomes) expect(outcome.result.error?.code).toBe('MALFORMED');
  });
});

describe('JPEG crafted: metadata segments and trailers', () => {
  it('removes a comment in both modes (free text may name a place)', async () => {
    await expectRemovedLosslessly(insertSegments(base, [commentSegment(`${sentinel} 48.8584, 2.2945`)]));
  });

  it('removes unknown APPn segments and data after EOI', async () => {
    await expectRemovedLosslessly(insertSegments(base, [segment(0xe9, Buffer.concat([Buffer.from('Vendor\0', 'latin1'), sentinelBytes]))]));
    await expectRemovedLosslessly(Buffer.concat([base, sentinelBytes]));
  });

  it('removes Extended XMP, MPF and FlashPix blocks in both modes', async () => {
    const extended = segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xmp/extension/\0', 'latin1'), Buffer.alloc(40, 0x30), sentinelBytes]));
    await expectRemovedLosslessly(insertSegments(base, [extended, segment(APP2, Buffer.concat([Buffer.from('MPF\0', 'latin1'), sentinelBytes])), segment(APP2, Buffer.concat([Buffer.from('FPXR\0', 'latin1'), sentinelBytes]))]));
  });

  it('location mode keeps only place-free Photoshop resources, re-written without their names', async () => {
    const iptc = Buffer.concat([iptcRecord(2, 0, Buffer.from([0, 4])), iptcRecord(2, 120, 'A caption that stays'), iptcRecord(2, 90, 'Secret City'), iptcRecord(2, 200, sentinel)]);
    const resolution = Buffer.from([0, 72, 0, 0, 0, 1, 0, 1, 0, 72, 0, 0, 0, 1, 0, 1]);
    const crafted = insertSegments(base, [
      photoshopSegment([
        imageResource(0x03ed, resolution, sentinel),
        imageResource(0x0404, iptc),
        imageResource(0x0424, Buffer.from(xmpPacket(), 'utf8')),
        imageResource(0x0422, Buffer.concat([Buffer.from('MM\0*', 'latin1'), sentinelBytes])),
        imageResource(0x040c, sentinelBytes),
        imageResource(0x0fa0, sentinelBytes),
      ]),
    ]);
    await expectRemovedLosslessly(crafted);
    const out = cleanBuffer(crafted, { only: 'location' }).data!;
    const report = inspectSync(out);
    expect(report.findings.map((finding) => `${finding.tag}=${finding.text}`)).toContain('Caption-Abstract=A caption that stays');
    expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
    expect(report.locations).toEqual([]);
    expect(out.includes(Buffer.from('Secret City'))).toBe(false);
  });

  it('location mode removes a Photoshop block it cannot read', async () => {
    await expectRemovedLosslessly(insertSegments(base, [photoshopSegment([Buffer.from('NOPE', 'latin1'), sentinelBytes])]));
  });

  it('location mode cleans an EXIF thumbnail with the JPEG cleaner (its own comment and GPS go)', async () => {
    const thumbnail = insertSegments(await basePixelsJpeg(16, 12), [commentSegment(sentinel), exifSegment({ gps: { latitude: 1.5, longitude: 2.5 }, make: 'ThumbMake' })]);
    const crafted = insertSegments(base, [exifSegment({ orientation: 1, make: 'KeptMake', thumbnail })]);
    await expectRemovedLosslessly(crafted);
    const out = cleanBuffer(crafted, { only: 'location' }).data!;
    const report = inspectSync(out);
    expect(report.findings.some((finding) => finding.tag === 'Make' && finding.text === 'KeptMake')).toBe(true);
    expect(report.locations).toEqual([]);
  });

  it('re-writes a little-endian orientation block as it is (a second clean changes nothing)', async () => {
    const tiff = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
    const input = insertSegments(base, [segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]))]);
    const { result, data } = cleanBuffer(input);
    expect(result.status).toBe('already-clean');
    expect(data).toEqual(input);
  });
});

/** libjpeg-turbo's own tools, as independent coders and decoders. */
const jpegtranAvailable = existsSync('/usr/bin/jpegtran') && existsSync('/usr/bin/djpeg');
const jpegtran = (input: Buffer, args: string[]) => execFileSync('jpegtran', args, { input, maxBuffer: 64 * 1024 * 1024 });
const djpeg = (input: Buffer) => execFileSync('djpeg', ['-ppm'], { input, maxBuffer: 64 * 1024 * 1024 });

describe.skipIf(!jpegtranAvailable)('JPEG crafted: other coding processes (jpegtran, djpeg)', () => {
  it('arithmetic coding: Huffman tables have no use and go, the conditioning and pixels stay', () => {
    const arithmetic = jpegtran(base, ['-arithmetic']);
    const crafted = insertBefore(arithmetic, SOS, [segment(DHT, huffmanTable(0, 0, sentinelBytes))]);
    const outcomes = expectSentinelGone(crafted);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) {
      expect(djpeg(outcome.data!)).toEqual(djpeg(arithmetic));
      expect(cleanBuffer(outcome.data!, { only: outcome.mode }).result.status).toBe('already-clean');
    }
  });

  it('restart intervals: DRI and the RST markers in the image data are kept', () => {
    const restarts = jpegtran(base, ['-restart', '1']);
    const { result, data } = cleanBuffer(restarts);
    expect(result.status).toBe('already-clean');
    expect(data).toEqual(restarts);
    const crafted = insertBefore(restarts, SOS, [segment(DQT, quantTable(2, sentinel))]);
    const outcomes = expectSentinelGone(crafted);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) expect(djpeg(outcome.data!)).toEqual(djpeg(restarts));
  });

  it('a progressive file from jpegtran keeps every scan’s tables and its pixels', () => {
    const progressiveScans = jpegtran(base, ['-progressive']);
    const crafted = insertBeforeNth(progressiveScans, SOS, 1, [segment(DHT, huffmanTable(0, 3, sentinelBytes)), segment(DQT, quantTable(3, sentinel))]);
    const outcomes = expectSentinelGone(crafted);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) expect(djpeg(outcome.data!)).toEqual(djpeg(progressiveScans));
  });
});
