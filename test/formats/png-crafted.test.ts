/**
 * PNG crafted files (keep-list issue): a sentinel hidden in the slack of every structure the PNG
 * cleaner keeps must be gone from the output in both modes (or the file refused), structures
 * that are merely malformed or unknown are removed rather than refused, and pixels stay the same.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/index.js';
import { buildExifTiff } from '../fixtures/exif.js';
import { basePixelsJpeg, insertSegments, xmpPacket, xmpSegment } from '../fixtures/jpeg.js';
import {
  assemblePng, basePng, chunkData, chunkDataAll, craftedApng, iccPng, imageResources, indexedPng, iptcDatasets, iTxtChunk, pngChunk, rawProfileText, replaceChunk,
  textChunk, zTxtChunk,
} from '../fixtures/png.js';
import { cleanInBothModes, containsSentinel, expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes, type ModeOutcome } from '../helpers/sentinel.js';

const secret = sentinelBytes;

async function pixels(file: Buffer): Promise<Buffer> {
  return sharp(file).raw().toBuffer();
}

/** Both modes wrote an output with the sentinel gone and the same pixels as the input. */
async function expectCleanWithSamePixels(input: Buffer): Promise<ModeOutcome[]> {
  const outcomes = expectSentinelGone(input);
  expectCleanedInBothModes(outcomes);
  const before = await pixels(input);
  for (const outcome of outcomes) expect((await pixels(outcome.data!)).equals(before), `${outcome.mode}: pixels changed`).toBe(true);
  return outcomes;
}

/** Both modes refused, with the given code, and a message naming the chunk. */
function expectRefused(input: Buffer, chunk: string): void {
  for (const outcome of cleanInBothModes(input)) {
    expect(outcome.data, outcome.mode).toBeNull();
    expect(outcome.result.error?.code).toBe('MALFORMED');
    expect(outcome.result.error?.message).toContain(chunk);
  }
}

/** `scan` of a crafted file reports something that is not kept on purpose (never "nothing revealing"). */
function expectScanReports(input: Buffer): void {
  const findings = inspectSync(input).findings.filter((finding) => !finding.retained);
  expect(findings.length, 'scan reports nothing for a file that clean would change').toBeGreaterThan(0);
}

function chunkTypes(file: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 8; offset + 8 <= file.length; ) {
    types.push(file.toString('latin1', offset + 4, offset + 8));
    offset += 12 + file.readUInt32BE(offset);
  }
  return types;
}

describe('PNG crafted files: sentinel in kept structures', () => {
  let base: Buffer;
  beforeAll(async () => {
    base = await basePng();
  });

  describe('rendering chunks with bytes past their definition are removed, not copied or refused', () => {
    const slack: [string, Buffer][] = [
      ['gAMA', Buffer.from([0, 0, 0xb1, 0x8f])],
      ['cHRM', Buffer.alloc(32, 1)],
      ['sRGB', Buffer.from([0])],
      ['pHYs', Buffer.from([0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1])],
      ['sBIT', Buffer.from([8, 8, 8])],
      ['bKGD', Buffer.from([0, 1, 0, 2, 0, 3])],
      ['cICP', Buffer.from([1, 13, 0, 1])],
      ['mDCV', Buffer.alloc(24, 2)],
      ['cLLI', Buffer.alloc(8, 3)],
    ];
    for (const [type, fields] of slack) {
      it(`${type} with trailing bytes`, async () => {
        const input = assemblePng(base, { beforeImage: [pngChunk(type, Buffer.concat([fields, secret]))] });
        expectScanReports(input);
        const outcomes = await expectCleanWithSamePixels(input);
        // The base image may carry a well-formed chunk of the same type (sharp writes pHYs): that one stays.
        const count = (file: Buffer) => chunkTypes(file).filter((name) => name === type).length;
        for (const outcome of outcomes) {
          expect(count(outcome.data!)).toBe(count(base));
          expect(outcome.result.removed.map((removal) => removal.where)).toContain(type);
        }
      });
    }

    it('keeps a well-formed rendering chunk, written again with the same bytes', async () => {
      const gama = pngChunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f]));
      const input = assemblePng(base, { beforeImage: [gama] });
      for (const outcome of await expectCleanWithSamePixels(input)) expect(outcome.data!.includes(gama)).toBe(true);
    });

    it('a second gAMA (decoders use the first) carrying the sentinel', async () => {
      const input = assemblePng(base, { beforeImage: [pngChunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f])), pngChunk('gAMA', Buffer.concat([Buffer.from([0, 1, 0, 0]), secret]))] });
      expectScanReports(input);
      await expectCleanWithSamePixels(input);
    });

    it('a suggested palette (PLTE) in a truecolour image spelling the sentinel', async () => {
      const palette = Buffer.concat([secret, Buffer.alloc((3 - (secret.length % 3)) % 3)]);
      const input = assemblePng(base, { beforeImage: [pngChunk('PLTE', palette), pngChunk('hIST', Buffer.alloc((palette.length / 3) * 2))] });
      expectScanReports(input);
      await expectCleanWithSamePixels(input);
    });

    it('tRNS in an image with an alpha channel', async () => {
      const rgba = await basePng({ alpha: true });
      const input = assemblePng(rgba, { beforeImage: [pngChunk('tRNS', secret)] });
      expectScanReports(input);
      await expectCleanWithSamePixels(input);
    });

    it('sPLT whose palette name is the sentinel', async () => {
      const splt = Buffer.concat([secret, Buffer.from([0, 8, 255, 0, 0, 255, 0, 1])]);
      const input = assemblePng(base, { beforeImage: [pngChunk('sPLT', splt)] });
      expect(inspectSync(input).findings.some((finding) => finding.where === 'sPLT' && String(finding.value).includes(sentinel))).toBe(true);
      await expectCleanWithSamePixels(input);
    });
  });

  describe('chunks a decoder needs are refused when they break their definition', () => {
    it('tRNS of a truecolour image with trailing bytes', () => {
      expectRefused(assemblePng(base, { beforeImage: [pngChunk('tRNS', Buffer.concat([Buffer.alloc(6), secret]))] }), 'tRNS');
    });

    it('PLTE of an indexed image whose length is not a multiple of 3', async () => {
      const indexed = await indexedPng();
      const palette = chunkData(indexed, 'PLTE')!;
      expectRefused(replaceChunk(indexed, 'PLTE', [pngChunk('PLTE', Buffer.concat([palette, secret.subarray(0, 4)]))]), 'PLTE');
    });

    it('acTL and fcTL with trailing bytes', () => {
      const apng = craftedApng();
      expectRefused(replaceChunk(apng, 'acTL', [pngChunk('acTL', Buffer.concat([chunkData(apng, 'acTL')!, secret]))]), 'acTL');
      const fctl = chunkData(apng, 'fcTL')!;
      const parts = replaceChunk(apng, 'fcTL', []);
      const idat = parts.indexOf(Buffer.from('IDAT')) - 4;
      expectRefused(Buffer.concat([parts.subarray(0, idat), pngChunk('fcTL', Buffer.concat([fctl, secret])), parts.subarray(idat)]), 'fcTL');
    });

    it('an IEND with data', () => {
      const input = replaceChunk(base, 'IEND', [pngChunk('IEND', secret)]);
      expectSentinelGone(input);
      for (const outcome of cleanInBothModes(input)) expect(outcome.data).toBeNull();
    });
  });

  describe('an indexed image and an APNG keep everything they need', () => {
    it('indexed: PLTE kept, a bKGD with slack removed, pixels identical', async () => {
      const indexed = await indexedPng();
      const input = assemblePng(indexed, { beforeImage: [pngChunk('bKGD', Buffer.concat([Buffer.from([0]), secret]))] });
      const outcomes = await expectCleanWithSamePixels(input);
      for (const outcome of outcomes) {
        expect(chunkData(outcome.data!, 'PLTE')!.equals(chunkData(indexed, 'PLTE')!)).toBe(true);
        expect(chunkTypes(outcome.data!)).not.toContain('bKGD');
      }
    });

    it('APNG: frames copied as image data, control chunks re-written, metadata between frames removed', async () => {
      const apng = craftedApng();
      const parts = apng.subarray(0, apng.indexOf(Buffer.from('fdAT')) - 4);
      const input = Buffer.concat([parts, textChunk('Hidden', sentinel), pngChunk('zzZz', secret), apng.subarray(parts.length)]);
      const outcomes = await expectCleanWithSamePixels(input);
      for (const outcome of outcomes) {
        expect(chunkTypes(outcome.data!)).toEqual(chunkTypes(apng));
        expect(outcome.data!.equals(apng)).toBe(true);
      }
    });
  });

  describe('the compressed image: only what the decoder reads is kept', () => {
    /** The base image with its IDAT data replaced by `data`, split into chunks of `size` bytes. */
    const withImageData = (data: Buffer, size = 64) => {
      const chunks: Buffer[] = [];
      for (let at = 0; at < data.length; at += size) chunks.push(pngChunk('IDAT', data.subarray(at, at + size)));
      return Buffer.concat([replaceChunk(base, 'IDAT', []).subarray(0, -12), ...chunks, pngChunk('IEND', Buffer.alloc(0))]);
    };
    const stream = () => Buffer.concat(chunkDataAll(base, 'IDAT'));

    it('bytes after the end of the zlib stream, inside the last IDAT', async () => {
      const input = withImageData(Buffer.concat([stream(), secret]), 1 << 20);
      expectScanReports(input);
      await expectCleanWithSamePixels(input);
    });

    it('bytes after the end of the zlib stream, spread over further IDAT chunks', async () => {
      const input = withImageData(Buffer.concat([stream(), Buffer.alloc(50, 0x20), secret, secret]), 40);
      const outcomes = await expectCleanWithSamePixels(input);
      for (const outcome of outcomes) expect(Buffer.concat(chunkDataAll(outcome.data!, 'IDAT')).equals(stream())).toBe(true);
    });

    it('more compressed rows than the image needs is refused (removing them would mean re-compressing)', async () => {
      const rows = inflateSync(stream());
      const input = withImageData(deflateSync(Buffer.concat([rows, Buffer.from([0]), secret])), 1 << 20);
      expectScanReports(input);
      expectRefused(input, 'more data than the image needs');
    });

    it('interlaced, 1-bit and 16-bit images clean with identical pixels (the size check is exact)', async () => {
      const raw = await sharp(base).raw().toBuffer({ resolveWithObject: true });
      const interlaced = await sharp(raw.data, { raw: raw.info }).png({ progressive: true }).toBuffer();
      expect(chunkData(interlaced, 'IHDR')![12]).toBe(1);
      await expectCleanWithSamePixels(interlaced);
      const oneBit = await sharp(raw.data, { raw: raw.info }).png({ palette: true, colours: 2 }).toBuffer();
      expect(chunkData(oneBit, 'IHDR')![8]).toBe(1);
      await expectCleanWithSamePixels(oneBit);
      const sixteen = await sharp(raw.data, { raw: raw.info }).toColourspace('rgb16').png().toBuffer();
      expect(chunkData(sixteen, 'IHDR')![8]).toBe(16);
      await expectCleanWithSamePixels(sixteen);
    });
  });

  describe('iCCP is written again from its profile', () => {
    let icc: Buffer;
    let profile: Buffer;
    beforeAll(async () => {
      icc = await iccPng();
      const data = chunkData(icc, 'iCCP')!;
      profile = inflateSync(data.subarray(data.indexOf(0) + 2));
    });
    const iccp = (name: string, compressed: Buffer) => pngChunk('iCCP', Buffer.concat([Buffer.from(name, 'latin1'), Buffer.from([0, 0]), compressed]));

    it('a profile name that is the sentinel', async () => {
      const input = replaceChunk(icc, 'iCCP', [iccp(sentinel, deflateSync(profile))]);
      expectScanReports(input);
      for (const outcome of await expectCleanWithSamePixels(input)) expect(chunkTypes(outcome.data!)).toContain('iCCP');
    });

    it('bytes after the compressed profile', async () => {
      await expectCleanWithSamePixels(replaceChunk(icc, 'iCCP', [iccp('icc', Buffer.concat([deflateSync(profile), secret]))]));
    });

    it("bytes after the profile's declared end", async () => {
      await expectCleanWithSamePixels(replaceChunk(icc, 'iCCP', [iccp('icc', deflateSync(Buffer.concat([profile, secret])))]));
    });

    it('bytes between tags that no tag points at', async () => {
      // Grow the profile by a gap before the first tag's data and move every tag offset past it.
      const tagCount = profile.readUInt32BE(128);
      const tableEnd = 132 + tagCount * 12;
      const grown = Buffer.concat([profile.subarray(0, tableEnd), secret, Buffer.alloc((4 - (secret.length % 4)) % 4), profile.subarray(tableEnd)]);
      const shift = grown.length - profile.length;
      grown.writeUInt32BE(grown.length, 0);
      for (let index = 0; index < tagCount; index++) grown.writeUInt32BE(grown.readUInt32BE(132 + index * 12 + 4) + shift, 132 + index * 12 + 4);
      const outcomes = await expectCleanWithSamePixels(replaceChunk(icc, 'iCCP', [iccp('icc', deflateSync(grown))]));
      for (const outcome of outcomes) expect(chunkTypes(outcome.data!)).toContain('iCCP');
    });

    it('is idempotent: the re-written profile cleans to itself', () => {
      for (const outcome of cleanInBothModes(icc)) {
        const again = cleanInBothModes(outcome.data!).find((next) => next.mode === outcome.mode)!;
        expect(again.data!.equals(outcome.data!)).toBe(true);
        expect(again.result.removed).toEqual([]);
      }
    });
  });

  describe('unknown, misnamed and trailing data are removed in both modes', () => {
    it('data after IEND', async () => {
      const input = assemblePng(base, { afterEnd: secret });
      expectScanReports(input);
      await expectCleanWithSamePixels(input);
    });

    for (const type of ['zzZz', 'itXt', 'exIf', 'tEXT', 'dSIG', 'caBX']) {
      it(`an ancillary chunk "${type}"`, async () => {
        const input = assemblePng(base, { beforeImage: [pngChunk(type, Buffer.concat([Buffer.from('k\0', 'latin1'), secret]))] });
        expectScanReports(input);
        for (const outcome of await expectCleanWithSamePixels(input)) expect(chunkTypes(outcome.data!)).not.toContain(type);
      });
    }

    it('an unknown critical chunk is refused: a decoder would fail without it', () => {
      const input = assemblePng(base, { beforeImage: [pngChunk('ZZZZ', secret)] });
      expectSentinelGone(input);
      for (const outcome of cleanInBothModes(input)) expect(outcome.result.error?.code).toBe('UNSUPPORTED_FORMAT');
    });
  });

  describe('location mode keeps only what holds no place, re-written', () => {
    const locationOutput = (input: Buffer) => cleanInBothModes(input).find((outcome) => outcome.mode === 'location')!.data!;

    it('a tEXt Comment with the sentinel after a NUL', async () => {
      await expectCleanWithSamePixels(assemblePng(base, { beforeImage: [textChunk('Comment', `harmless\0${sentinel}`)] }));
    });

    it('an iTXt Title whose translated keyword is the sentinel', async () => {
      const body = Buffer.concat([Buffer.from('Title\0\0\0en\0', 'latin1'), secret, Buffer.from('\0kept title', 'latin1')]);
      const input = assemblePng(base, { beforeImage: [pngChunk('iTXt', body)] });
      expectScanReports(input);
      await expectCleanWithSamePixels(input);
      expect(inspectSync(locationOutput(input)).findings.find((finding) => finding.tag === 'Title')?.value).toBe('kept title');
    });

    it('a zTXt Title with the sentinel after its compressed stream', async () => {
      const body = Buffer.concat([Buffer.from('Title\0\0', 'latin1'), deflateSync(Buffer.from('kept title')), secret]);
      const input = assemblePng(base, { beforeImage: [pngChunk('zTXt', body)] });
      expectScanReports(input);
      await expectCleanWithSamePixels(input);
      expect(inspectSync(locationOutput(input)).findings.find((finding) => finding.tag === 'Title')?.value).toBe('kept title');
    });

    it('a text chunk with an unknown keyword', async () => {
      const input = assemblePng(base, { beforeImage: [textChunk('Secret', sentinel)] });
      await expectCleanWithSamePixels(input);
    });

    it('a tIME with trailing bytes', async () => {
      await expectCleanWithSamePixels(assemblePng(base, { beforeImage: [pngChunk('tIME', Buffer.concat([Buffer.from([0x07, 0xe8, 5, 1, 10, 11, 12]), secret]))] }));
    });

    it('eXIf with the sentinel in bytes no entry points at', async () => {
      const tiff = Buffer.concat([buildExifTiff({ make: 'KeptMake', gps: { latitude: 1, longitude: 2 } }), secret]);
      const input = assemblePng(base, { beforeImage: [pngChunk('eXIf', tiff)] });
      await expectCleanWithSamePixels(input);
      expect(inspectSync(locationOutput(input)).findings.find((finding) => finding.tag === 'Make')?.value).toBe('KeptMake');
    });

    it('eXIf whose thumbnail carries XMP with GPS', async () => {
      const thumbnail = insertSegments(await basePixelsJpeg(16, 12), [xmpSegment(xmpPacket(` photoshop:Headline="${sentinel}"`))]);
      const input = assemblePng(base, { beforeImage: [pngChunk('eXIf', buildExifTiff({ make: 'ThumbCam', thumbnail }))] });
      await expectCleanWithSamePixels(input);
      // The thumbnail goes; the rest of the EXIF stays.
      const kept = inspectSync(locationOutput(input));
      expect(kept.findings.find((finding) => finding.tag === 'Make')?.value).toBe('ThumbCam');
      expect(kept.findings.filter((finding) => finding.category === 'thumbnail')).toEqual([]);
    });

    it('a raw EXIF profile whose thumbnail carries XMP with GPS', async () => {
      const thumbnail = insertSegments(await basePixelsJpeg(16, 12), [xmpSegment(xmpPacket(` photoshop:Headline="${sentinel}"`))]);
      const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), buildExifTiff({ make: 'ThumbCam', thumbnail })]);
      await expectCleanWithSamePixels(assemblePng(base, { beforeImage: [zTxtChunk('Raw profile type exif', rawProfileText('exif', exif))] }));
    });

    it('a raw profile with the sentinel in its header line and after its hex dump', async () => {
      const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), buildExifTiff({ make: 'RawKept' })]);
      const text = rawProfileText('exif', exif).replace(/^\nexif\n/, `\n${sentinel}\n`) + sentinel;
      const input = assemblePng(base, { beforeImage: [textChunk('Raw profile type exif', text)] });
      await expectCleanWithSamePixels(input);
      expect(inspectSync(locationOutput(input)).findings.find((finding) => finding.tag === 'Make')?.value).toBe('RawKept');
    });

    it('a raw 8BIM profile with a place in IPTC, XMP and EXIF resources', async () => {
      const iptc = iptcDatasets([[2, 90, `Paris ${sentinel}`], [2, 5, 'Kept object name'], [2, 200, sentinel]]);
      const irb = imageResources([
        { id: 0x0404, data: iptc },
        { id: 0x0424, data: Buffer.from(xmpPacket(` photoshop:Headline="${sentinel}"`), 'utf8') },
        { id: 0x0422, data: Buffer.concat([buildExifTiff({ gps: { latitude: 3, longitude: 4 } }), secret]) },
        { id: 0x0bb7, data: secret },
      ]);
      const input = assemblePng(base, { beforeImage: [zTxtChunk('Raw profile type 8bim', rawProfileText('8bim', irb))] });
      await expectCleanWithSamePixels(input);
      const kept = inspectSync(locationOutput(input)).findings;
      expect(kept.find((finding) => finding.tag === 'ObjectName')?.value).toBe('Kept object name');
      expect(kept.filter((finding) => finding.category === 'location')).toEqual([]);
    });

    it('a raw IPTC profile with an unknown dataset and a bad character set', async () => {
      const iptc = iptcDatasets([[1, 90, sentinel], [2, 5, 'Kept object name'], [2, 99, sentinel], [2, 101, 'France']]);
      const input = assemblePng(base, { beforeImage: [zTxtChunk('Raw profile type iptc', rawProfileText('iptc', iptc))] });
      await expectCleanWithSamePixels(input);
      expect(locationOutput(input).includes(Buffer.from('France'))).toBe(false);
    });

    it('a raw XMP profile with a place', async () => {
      const packet = xmpPacket().replace('</rdf:RDF>', `<rdf:Description rdf:about="" xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" Iptc4xmpCore:Location="${sentinel}"/></rdf:RDF>`);
      await expectCleanWithSamePixels(assemblePng(base, { beforeImage: [zTxtChunk('Raw profile type xmp', rawProfileText('xmp', Buffer.from(packet, 'utf8')))] }));
    });

    it('XMP iTXt whose language tag and translated keyword hold the sentinel', async () => {
      const packet = xmpPacket();
      const body = Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0', 'latin1'), secret, Buffer.from('\0'), secret, Buffer.from('\0'), Buffer.from(packet, 'utf8')]);
      const input = assemblePng(base, { beforeImage: [pngChunk('iTXt', body)] });
      await expectCleanWithSamePixels(input);
    });

    it('an iTXt text chunk under a harmless keyword that names a place is removed', async () => {
      const input = assemblePng(base, { beforeImage: [iTxtChunk('Comment', 'shot at 48.8584N 2.2945E')] });
      const outcomes = expectSentinelGone(input);
      expectCleanedInBothModes(outcomes);
      expect(containsSentinel(locationOutput(input))).toBe(false);
    });
  });
});
