/**
 * The documented maximums of src/limits.ts, each exceeded by a crafted file: traceless refuses
 * with LIMIT_EXCEEDED and a message that names the limit, and writes nothing. Files of hundreds of
 * megabytes are sparse (a hole costs no disk) and are refused before their bulk is read. A last
 * group shows that the streaming paths have no size limit of their own: a file larger than the
 * in-memory threshold is cleaned through windows, with memory bounded.
 */
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, cleanSync, inspectSync, limits, TracelessError } from '../src/index.js';
import { removeXmpProperties } from '../src/decode/xmp.js';
import { box, ftyp } from './fixtures/heif.js';
import { basePixelsJpeg, insertSegments, segment } from './fixtures/jpeg.js';
import { basePng, pngChunk } from './fixtures/png.js';
import { TiffWriter, rgbPixels } from './fixtures/tiff.js';
import { actionCameraClip, ffmpegClip, listBoxes, removeScratch, u32 } from './fixtures/mp4.js';
import { craftedMatroska, el, uint } from './fixtures/matroska.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-limits-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeScratch();
});

const mb = 1024 * 1024;

/**
 * The error a strict inspection (what `clean` relies on) throws for `input` (fails the test when it
 * does not throw). The best-effort inspection of scan and check does not throw: it says the limit
 * stopped it, as an unreadable part.
 */
function inspectError(input: Buffer | string): TracelessError {
  let refusal: TracelessError | undefined;
  try {
    inspectSync(input, { bestEffort: false });
  } catch (error) {
    expect(error).toBeInstanceOf(TracelessError);
    refusal = error as TracelessError;
  }
  if (!refusal) throw new Error('inspect did not refuse the file');
  expect(inspectSync(input).unreadable.join('\n')).toContain(refusal.message);
  return refusal;
}

/** Cleaning refuses with LIMIT_EXCEEDED, returns no bytes, and leaves no file behind. */
function refusedWithLimit(input: Buffer, message: RegExp): void {
  const { result, data } = cleanBuffer(input);
  expect(data).toBeNull();
  expect(result.status).toBe('refused');
  expect(result.error?.code).toBe('LIMIT_EXCEEDED');
  expect(result.error?.message).toMatch(message);
  const dir = mkdtempSync(join(work, 'out-'));
  expect(cleanSync(input, join(dir, 'out.bin')).error?.code).toBe('LIMIT_EXCEEDED');
  expect(readdirSync(dir)).toEqual([]);
}

/** Writes a sparse file of `size` bytes: the given pieces at their offsets, holes elsewhere. */
function sparseFile(name: string, size: number, pieces: [number, Buffer][]): string {
  const path = join(work, name);
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const [offset, bytes] of pieces) writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
  expect(statSync(path).size).toBe(size);
  return path;
}

const u32be = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};

let jpeg: Buffer;
let png: Buffer;
beforeAll(async () => {
  jpeg = await basePixelsJpeg(16, 12);
  png = await basePng({ width: 8, height: 6 });
});

describe(`maxSegmentCount (${limits.maxSegmentCount} segments, chunks or blocks per file)`, () => {
  const over = limits.maxSegmentCount + 1;

  it('JPEG: one more segment than the maximum', () => {
    // COM segments holding nothing: 4 bytes each.
    const comments = Buffer.alloc(over * 4);
    for (let index = 0; index < over; index++) comments.writeUInt32BE(0xfffe0002, index * 4);
    const input = insertSegments(jpeg, [comments]);
    expect(inspectError(input).code).toBe('LIMIT_EXCEEDED');
    refusedWithLimit(input, /JPEG segment count: 100001 is more than the maximum of 100000/);
  });

  it('PNG: one more chunk than the maximum', () => {
    const empty = pngChunk('prVt', Buffer.alloc(0));
    const idat = png.indexOf('IDAT', 8, 'latin1') - 4;
    const input = Buffer.concat([png.subarray(0, idat), Buffer.concat(Array.from({ length: over }, () => empty)), png.subarray(idat)]);
    expect(inspectError(input).code).toBe('LIMIT_EXCEEDED');
    refusedWithLimit(input, /PNG chunk count: \d+ is more than the maximum of 100000/);
  });

  it('GIF: one more block than the maximum', () => {
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0, 0, 0, 0])]);
    const emptyComment = Buffer.from([0x21, 0xfe, 0x00]);
    const image = Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x4c, 0x01, 0x00]);
    const input = Buffer.concat([gif, Buffer.concat(Array.from({ length: over }, () => emptyComment)), image, Buffer.from([0x3b])]);
    expect(inspectError(input).code).toBe('LIMIT_EXCEEDED');
    refusedWithLimit(input, /GIF block count: \d+ is more than the maximum of 100000/);
  });

  it('WebP: one more RIFF chunk than the maximum', () => {
    const vp8l = Buffer.from('2f000000' + '00', 'hex'); // never decoded: the walk stops first
    const empty = Buffer.from('ZZZZ\0\0\0\0', 'latin1');
    const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), Buffer.from('VP8L', 'latin1'), Buffer.from([vp8l.length, 0, 0, 0]), vp8l, Buffer.alloc(vp8l.length & 1), Buffer.concat(Array.from({ length: over }, () => empty))]);
    const header = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(4)]);
    header.writeUInt32LE(body.length, 4);
    const input = Buffer.concat([header, body]);
    expect(inspectError(input).code).toBe('LIMIT_EXCEEDED');
    refusedWithLimit(input, /chunk count: \d+ is more than the maximum of 100000/);
  });
});

describe(`maxIfdEntryCount (${limits.maxIfdEntryCount} entries in one IFD) and maxIfdCount (${limits.maxIfdCount} IFDs)`, () => {
  function tiffWith(entryCount: number, chainLength: number): Buffer {
    // Little-endian TIFF: IFD0 with `entryCount` entries (ImageWidth repeated, inline values),
    // then `chainLength` more IFDs of one entry each linked by their next-IFD offsets.
    const ifd0Bytes = 2 + entryCount * 12 + 4;
    const chainBytes = 2 + 12 + 4;
    const out = Buffer.alloc(8 + ifd0Bytes + chainLength * chainBytes);
    out.write('II*\0', 0, 'latin1');
    out.writeUInt32LE(8, 4);
    out.writeUInt16LE(entryCount, 8);
    for (let index = 0; index < entryCount; index++) {
      const at = 10 + index * 12;
      out.writeUInt16LE(0x0100, at);
      out.writeUInt16LE(3, at + 2);
      out.writeUInt32LE(1, at + 4);
      out.writeUInt16LE(1, at + 8);
    }
    out.writeUInt32LE(chainLength > 0 ? 8 + ifd0Bytes : 0, 8 + ifd0Bytes - 4);
    for (let index = 0; index < chainLength; index++) {
      const at = 8 + ifd0Bytes + index * chainBytes;
      out.writeUInt16LE(1, at);
      out.writeUInt16LE(0x0131, at + 2);
      out.writeUInt16LE(2, at + 4);
      out.writeUInt32LE(4, at + 6);
      out.write('abc\0', at + 10, 'latin1');
      out.writeUInt32LE(index + 1 < chainLength ? at + chainBytes : 0, at + 14);
    }
    return out;
  }

  it('an IFD with one more entry than the maximum', () => {
    const input = tiffWith(limits.maxIfdEntryCount + 1, 0);
    expect(inspectError(input).code).toBe('LIMIT_EXCEEDED');
    refusedWithLimit(input, /IFD0 entry count: 4097 is more than the maximum of 4096/);
    // At the maximum the same layout is read (and refused later for other reasons, not the limit).
    expect(cleanBuffer(tiffWith(limits.maxIfdEntryCount, 0)).result.error?.code).not.toBe('LIMIT_EXCEEDED');
  });

  it('a chain of IFDs one longer than the maximum', () => {
    const input = tiffWith(1, limits.maxIfdCount);
    expect(inspectError(input).code).toBe('LIMIT_EXCEEDED');
    refusedWithLimit(input, /TIFF IFD count: 513 is more than the maximum of 512/);
  });

  it('an EXIF block in a JPEG with too many IFD entries is reported unreadable and dropped whole', () => {
    const tiff = tiffWith(limits.maxIfdEntryCount + 1, 0);
    const exif = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]));
    const report = inspectSync(insertSegments(jpeg, [exif]));
    expect(report.unreadable.join('\n')).toMatch(/entry count: 4097 is more than the maximum of 4096/);
    const { result } = cleanBuffer(insertSegments(jpeg, [exif]));
    expect(result.status).toBe('cleaned');
    expect(result.removed.map((removal) => removal.where)).toContain('APP1/Exif');
  });
});

describe(`maxBoxCount (${limits.maxBoxCount} boxes) and maxBoxDepth (${limits.maxBoxDepth} levels)`, () => {
  it('an MP4 with one more box than the maximum', () => {
    const freeBoxes = Buffer.alloc((limits.maxBoxCount + 1) * 8);
    for (let offset = 0; offset < freeBoxes.length; offset += 8) {
      freeBoxes.writeUInt32BE(8, offset);
      freeBoxes.write('free', offset + 4, 'latin1');
    }
    const input = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0isom', 'latin1')), freeBoxes, box('moov', box('mvhd', Buffer.alloc(100)))]);
    expect(inspectError(input).code).toBe('LIMIT_EXCEEDED');
    refusedWithLimit(input, /box count: 1000001 is more than the maximum of 1000000/);
  });

  it('an image sequence whose tracks nest deeper than the maximum', () => {
    let nested = box('trak', box('tkhd', Buffer.alloc(84)));
    for (let level = 0; level < limits.maxBoxDepth + 2; level++) nested = box('trak', nested);
    const input = Buffer.concat([ftyp('avis', 'avis', 'msf1', 'miaf'), box('moov', box('mvhd', Buffer.alloc(100)), nested), box('mdat', Buffer.alloc(16))]);
    const error = inspectError(input);
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/boxes nested deeper than 32 levels/);
    refusedWithLimit(input, /boxes nested deeper than 32 levels/);
  });
});

describe(`maxTrackCount (${limits.maxTrackCount} tracks in one movie)`, () => {
  it('an MP4 with one more track than the maximum: refused, and scan still reads the movie around the tracks', () => {
    const clip = actionCameraClip();
    const moov = listBoxes(clip).find((entry) => entry.type === 'moov')!;
    expect(moov.offset + moov.size).toBe(clip.length);
    const children = listBoxes(clip, moov.offset + 8, moov.offset + moov.size);
    const trak = children.find((entry) => entry.type === 'trak')!;
    const copies = Array.from({ length: limits.maxTrackCount + 1 }, () => clip.subarray(trak.offset, trak.offset + trak.size));
    const body = Buffer.concat([...children.map((entry) => clip.subarray(entry.offset, entry.offset + entry.size)), ...copies]);
    const grown = Buffer.concat([clip.subarray(0, moov.offset), u32(8 + body.length), Buffer.from('moov', 'latin1'), body]);
    const { result, data } = cleanBuffer(grown);
    expect(data).toBeNull();
    expect(result.error?.code).toBe('LIMIT_EXCEEDED');
    expect(result.error?.message).toMatch(/tracks, more than the maximum of 256/);
    const report = inspectSync(grown);
    expect(report.unreadable.some((line) => /tracks after the first 256 were not read/.test(line))).toBe(true);
    // What the movie holds besides the tracks is still reported (the clip's udta location).
    expect(report.locations.length).toBeGreaterThan(0);
  });

  it('a Matroska file with one more track than the maximum (Tracks repeated): refused, and scan reports the rest', () => {
    // The fixture has one track; a Tracks element per further track, as a crafted file repeats them.
    const extra = Array.from({ length: limits.maxTrackCount }, (_, index) => el(0x1654ae6b, el(0xae, uint(0xd7, (index % 200) + 2), uint(0x83, 1), el(0x86, 'V_MS/VFW/FOURCC'))));
    const file = craftedMatroska({ secret: 'LIMIT-TRACKS-SECRET', extra });
    const { result, data } = cleanBuffer(file);
    expect(data).toBeNull();
    expect(result.error?.code).toBe('LIMIT_EXCEEDED');
    expect(result.error?.message).toMatch(/more than the maximum of 256 tracks/);
    const report = inspectSync(file);
    expect(report.unreadable.filter((line) => /maximum of 256 tracks/.test(line))).toHaveLength(1);
    expect(report.findings.some((finding) => /title/.test(String(finding.text)))).toBe(true);
    // One track fewer is read and cleaned.
    expect(cleanBuffer(craftedMatroska({ secret: 'LIMIT-TRACKS-SECRET', extra: extra.slice(1) })).result.error).toBeNull();
  });
});

describe(`maxMetadataBytes (${limits.maxMetadataBytes / mb} MB decoded in memory)`, () => {
  const over = limits.maxMetadataBytes + 1024;

  it('PNG: a text chunk larger than the maximum is dropped without being decoded (sparse file)', () => {
    const idat = png.indexOf('IDAT', 8, 'latin1') - 4;
    const head = Buffer.concat([png.subarray(0, idat), u32be(over), Buffer.from('iTXt', 'latin1')]);
    const crcAt = head.length + over;
    const tail = Buffer.concat([u32be(0), png.subarray(idat)]);
    const path = sparseFile('big.png', crcAt + tail.length, [[0, head], [crcAt, tail]]);
    // PNG metadata chunks need no decoding to be removed: the scan says it was not decoded, and
    // the clean drops the chunk whole (its bytes are never read into memory).
    expect(inspectSync(path).unreadable).toEqual([`iTXt at ${idat}: ${over} bytes, too large to decode`]);
    const output = join(work, 'big.clean.png');
    const result = cleanSync(path, output);
    expect(result.status).toBe('cleaned');
    expect(result.verification?.ok).toBe(true);
    expect(statSync(output).size).toBe(png.length);
    rmSync(path);
  });

  it('HEIF: a meta box larger than the maximum (sparse file)', () => {
    const head = Buffer.concat([ftyp('heic', 'mif1', 'heic'), u32be(over), Buffer.from('meta', 'latin1')]);
    const path = sparseFile('big.heic', head.length - 8 + over, [[0, head]]);
    const error = inspectError(path);
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/meta box of \d+ bytes is more than the 268435456-byte metadata limit/);
  });

  it('MP4: a moov box, and a top-level XMP box, larger than the maximum (sparse files)', () => {
    const fileType = box('ftyp', Buffer.from('isom\0\0\0\0isom', 'latin1'));
    const moovHead = Buffer.concat([fileType, u32be(over), Buffer.from('moov', 'latin1')]);
    const moovPath = sparseFile('big-moov.mp4', fileType.length + over, [[0, moovHead]]);
    const moovError = inspectError(moovPath);
    expect(moovError.code).toBe('LIMIT_EXCEEDED');
    expect(moovError.message).toMatch(/'moov' box/);

    const clip = ffmpegClip();
    const xmpUuid = Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex');
    const uuidHead = Buffer.concat([u32be(over), Buffer.from('uuid', 'latin1'), xmpUuid, Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/">', 'latin1')]);
    const uuidPath = sparseFile('big-xmp.mp4', clip.length + over, [[0, clip], [clip.length, uuidHead]]);
    const uuidError = inspectError(uuidPath);
    expect(uuidError.code).toBe('LIMIT_EXCEEDED');
    expect(uuidError.message).toMatch(/top-level 'uuid' box of \d+ bytes is more than the 268435456-byte metadata limit/);
    const output = join(work, 'big-xmp.clean.mp4');
    expect(cleanSync(uuidPath, output).error?.code).toBe('LIMIT_EXCEEDED');
    expect(existsSync(output)).toBe(false);
  });

  it('TIFF: a file larger than the maximum (TIFF values may sit anywhere, so TIFF is read whole)', () => {
    const w = new TiffWriter(true);
    const tiff = w.build({ entries: [{ tag: 0x0100, value: w.short(2) }, { tag: 0x0101, value: w.short(2) }, { tag: 0x0111, blobs: [rgbPixels(2, 2)] }, { tag: 0x0117, blobCounts: [rgbPixels(2, 2)] }] });
    const path = sparseFile('big.tif', over, [[0, tiff]]);
    const error = inspectError(path);
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/TIFF files larger than 256 MB are not read/);
  });

  it('XMP sidecar larger than the maximum (sparse file)', () => {
    const path = sparseFile('big.xmp', over, [[0, Buffer.from('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">', 'latin1')]]);
    const error = inspectError(path);
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/XMP sidecar of \d+ bytes is larger than 268435456/);
  });

  it('JPEG: Extended XMP chunks adding up to more than the maximum are not reassembled (sparse file)', () => {
    // 65,533-byte APP1 segments: identifier, GUID, total length and offset, then holes.
    const identifier = Buffer.from('http://ns.adobe.com/xmp/extension/\0', 'latin1');
    const payloadBytes = 0xffff - 2;
    const segmentBytes = 2 + 2 + payloadBytes;
    const count = Math.ceil(over / payloadBytes);
    const pieces: [number, Buffer][] = [[0, jpeg.subarray(0, 2)]];
    for (let index = 0; index < count; index++) {
      const header = Buffer.concat([Buffer.from([0xff, 0xe1, 0xff, 0xff]), identifier, Buffer.from('0123456789ABCDEF0123456789ABCDEF', 'latin1'), u32be(over), u32be(index * 100)]);
      pieces.push([2 + index * segmentBytes, header]);
    }
    const rest = 2 + count * segmentBytes;
    pieces.push([rest, jpeg.subarray(2)]);
    const path = sparseFile('big.jpg', rest + jpeg.length - 2, pieces);
    const report = inspectSync(path);
    expect(report.unreadable.filter((line) => /Extended XMP/.test(line))).toHaveLength(1);
    expect(report.unreadable.join('\n')).toMatch(/Extended XMP of \d+ bytes is more than the 268435456-byte metadata limit; not decoded/);
  });
});

describe(`maxXmpDepth (${limits.maxXmpDepth} nested XMP elements)`, () => {
  const packet = (depth: number) =>
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="">${'<dc:subject>'.repeat(depth)}deep${'</dc:subject>'.repeat(depth)}</rdf:Description></rdf:RDF></x:xmpmeta>`;

  it('an XMP sidecar nested one level deeper than the maximum', () => {
    expect(() => inspectSync(Buffer.from(packet(limits.maxXmpDepth - 3), 'utf8'))).not.toThrow();
    const input = Buffer.from(packet(limits.maxXmpDepth), 'utf8');
    const error = inspectError(input);
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/XMP elements nested deeper than 64 levels/);
    refusedWithLimit(input, /XMP elements nested deeper than 64 levels/);
  });

  it('removing properties stays linear in the packet size, even with unclosed elements', () => {
    // Found by the fuzzer: many properties under an element that is never closed made each
    // removal scan to the end of the packet (18 s for 2 MB before the fix).
    const unit = ' photoshop:City="X">\n <dc:title><rdf:Alt><rdf:li xml:lang="x-default">A title</rdf:li></rdf:Alt></dc:title>\n</rdf:Description>\n';
    const text = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description rdf:about=""${unit.repeat(20_000)}</rdf:RDF></x:xmpmeta>`;
    const started = performance.now();
    const edited = removeXmpProperties(text, (name) => name === 'dc:title');
    expect(performance.now() - started).toBeLessThan(1500);
    expect(edited.length).toBeLessThan(text.length);
  });
});

describe(`files larger than the in-memory threshold (${limits.maxInMemoryFileBytes / mb} MB) stream: no size limit of their own`, () => {
  it('a 150 MB JPEG (sparse entropy-coded data) is cleaned through windows with bounded memory', () => {
    const app1 = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), new TiffWriter(false).build({ entries: [{ tag: 0x010f, value: new TiffWriter(false).ascii('BigMake') }] })]));
    const small = insertSegments(jpeg, [app1]);
    const eoi = small.length - 2;
    const padding = 150 * mb;
    const path = sparseFile('big-stream.jpg', small.length + padding, [[0, small.subarray(0, eoi)], [eoi + padding, small.subarray(eoi)]]);
    const before = process.resourceUsage().maxRSS * 1024;
    const output = join(work, 'big-stream.clean.jpg');
    const result = cleanSync(path, output);
    const after = process.resourceUsage().maxRSS * 1024;
    expect(result.error).toBeNull();
    expect(result.status).toBe('cleaned');
    expect(result.verification?.ok).toBe(true);
    expect(statSync(output).size).toBe(statSync(path).size - app1.length);
    expect(after - before).toBeLessThan(100 * mb);
    rmSync(path);
    rmSync(output);
  });

});
