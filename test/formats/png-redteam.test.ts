/**
 * PNG red-team: fixed-size rendering chunks whose fields are free numbers (cHRM, mDCV, fcTL) and
 * chunks no decoder needs (hIST) used to carry a sentinel through both modes.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer } from '../../src/clean.js';
import { inspectSync } from '../../src/index.js';
import { assemblePng, basePng, chunkData, craftedApng, exifChunk, indexedPng, iTxtChunk, pngChunk, pngSignature, textChunk } from '../fixtures/png.js';
import { expectCleanedInBothModes, expectSentinelGone, sentinelBytes } from '../helpers/sentinel.js';

const secret = sentinelBytes;

async function samePixels(input: Buffer): Promise<void> {
  const outcomes = expectSentinelGone(input);
  expectCleanedInBothModes(outcomes);
  const before = await sharp(input).raw().toBuffer();
  for (const outcome of outcomes) expect((await sharp(outcome.data!).raw().toBuffer()).equals(before), `${outcome.mode}: pixels`).toBe(true);
}

describe('PNG red-team: free numbers in kept chunks', () => {
  let base: Buffer;
  beforeAll(async () => {
    base = await basePng();
  });

  it('cHRM whose 32 bytes spell the sentinel', async () => {
    const data = Buffer.alloc(32);
    secret.copy(data, 0);
    await samePixels(assemblePng(base, { beforeImage: [pngChunk('cHRM', data)] }));
  });

  it('mDCV whose 24 bytes spell the sentinel', async () => {
    const data = Buffer.alloc(24);
    secret.copy(data, 0);
    await samePixels(assemblePng(base, { beforeImage: [pngChunk('mDCV', data)] }));
  });

  it('hIST of an indexed image spelling the sentinel', async () => {
    const indexed = await indexedPng();
    const entries = chunkData(indexed, 'PLTE')!.length / 3;
    const hist = Buffer.alloc(entries * 2);
    secret.copy(hist, 0, 0, Math.min(hist.length, secret.length));
    if (hist.length < secret.length) return; // palette too small to hold it
    await samePixels(assemblePng(indexed, { beforeImage: [pngChunk('hIST', hist)] }));
  });

  it('fcTL whose size and delay fields spell the sentinel', () => {
    const apng = craftedApng();
    const at = apng.indexOf(Buffer.from('fcTL'));
    const input = Buffer.from(apng);
    // width, height, x, y, delay: bytes 4..23 of the data.
    secret.copy(input, at + 4 + 4, 0, 20);
    // fix CRC
    const length = input.readUInt32BE(at - 4);
    input.writeUInt32BE(crc32(input.subarray(at, at + 4 + length)), at + 4 + length);
    expectSentinelGone(input, secret.toString('latin1', 0, 20));
  });
});

function crc32(data: Buffer): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** An 8-bit indexed 4×3 image (Paeth-filtered rows) drawing with entries 0–2 of a 256-entry palette. */
function indexed8(palette: Buffer, transparency?: Buffer, interlace = 0): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(3, 4);
  header[8] = 8;
  header[9] = 3;
  header[12] = interlace;
  const rows = interlace
    ? Buffer.from([0, 0, 0, 1, 0, 2, 1, 0, 1, 2, 0, 2, 1, 0, 1, 0, 2, 1])
    : Buffer.from([0, 0, 1, 2, 0, 4, 1, 1, 1, 1, 2, 0, 0, 0, 0]);
  return Buffer.concat([
    pngSignature, pngChunk('IHDR', header), pngChunk('PLTE', palette), ...(transparency ? [pngChunk('tRNS', transparency)] : []),
    pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG red-team: palette entries no pixel is drawn with', () => {
  const palette = Buffer.alloc(768);
  palette.set([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  secret.copy(palette, 30);
  const transparency = Buffer.alloc(256, 255);
  transparency[1] = 128;
  secret.copy(transparency, 100);

  it('PLTE entries past the used ones spell the sentinel', async () => {
    await samePixels(indexed8(palette));
  });

  it('tRNS entries for unused indices spell the sentinel', async () => {
    await samePixels(indexed8(Buffer.concat([palette.subarray(0, 9), Buffer.alloc(759)]), transparency));
  });

  it('an interlaced indexed image keeps the entries its passes use', async () => {
    await samePixels(indexed8(palette, transparency, 1));
  });

  it('a real indexed image keeps its palette byte for byte', async () => {
    const indexed = await indexedPng();
    for (const outcome of expectSentinelGone(indexed)) expect(chunkData(outcome.data!, 'PLTE')!.equals(chunkData(indexed, 'PLTE')!)).toBe(true);
  });
});

describe('PNG red-team: location mode and text that spells a place', () => {
  const texts: [string, string][] = [
    ['Comment', `Shot at 48°51'30.1"N 2°17'40.2"E`],
    ['Comment', 'N48.8584 E2.2945'],
    ['Description', '48.8584N, 2.2945E'],
    ['Title', 'geo:48.8584,2.2945'],
    ['Comment', 'https://maps.google.com/?q=48.8584,2.2945'],
    ['Comment', '48.858400 2.294500'],
    ['Comment', '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.5N" exif:GPSLongitude="2,17.6E"/></rdf:RDF></x:xmpmeta>'],
  ];
  for (const [keyword, text] of texts) {
    it(`${keyword} "${text.slice(0, 40)}" under a harmless keyword is removed (tEXt and iTXt), and scan calls it a place`, async () => {
      const base = await basePng();
      for (const chunk of [textChunk(keyword, text), iTxtChunk(keyword, text)]) {
        const input = assemblePng(base, { beforeImage: [chunk] });
        expect(inspectSync(input).findings.some((finding) => finding.category === 'location')).toBe(true);
        const tail = Buffer.from(text.slice(-8), 'utf8');
        for (const outcome of expectSentinelGone(input)) expect(outcome.data!.includes(tail), outcome.mode).toBe(false);
      }
    });
  }

  it('a harmless comment is still kept by location mode', async () => {
    const input = assemblePng(await basePng(), { beforeImage: [textChunk('Comment', 'Taken with love, version 2.1')] });
    const location = cleanBuffer(input, { only: 'location' }).data!;
    expect(location.includes(Buffer.from('Taken with love'))).toBe(true);
  });
});

describe('PNG red-team: location mode and EXIF text tags that spell a place', () => {
  for (const [tag, options] of [
    ['Software', { software: 'at 48.8584N, 2.2945E' }],
    ['Artist', { artist: `48°51'30.1"N 2°17'40.2"E` }],
  ] as const) {
    it(`eXIf ${tag} spelling coordinates does not survive location mode`, async () => {
      const input = assemblePng(await basePng(), { beforeImage: [exifChunk(options)] });
      const out = cleanBuffer(input, { only: 'location' }).data!;
      expect(out.toString('latin1')).not.toMatch(/48\.8584|48°51/);
    });
  }
});
