/**
 * Red-team TIFF (keep-list issue 10): sentinels in the values of tags a TIFF clean keeps —
 * location mode's EXIF allow-list (extra values, other types) and the image IFD's own metadata.
 */
import { describe, it } from 'vitest';
import { expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';
import { TiffWriter, rgbPixels, type Entry } from '../fixtures/tiff.js';

const padded = (bytes: number) => { const b = Buffer.alloc(bytes); sentinelBytes.copy(b, 0); return b; };

function tiffWith(w: TiffWriter, ifd0: Entry[], exif: Entry[]): Buffer {
  const pixels = rgbPixels(16, 8);
  return w.build({
    entries: [
      { tag: 0x0100, value: w.short(16) },
      { tag: 0x0101, value: w.short(8) },
      { tag: 0x0102, value: w.short(8, 8, 8) },
      { tag: 0x0103, value: w.short(1) },
      { tag: 0x0106, value: w.short(2) },
      { tag: 0x010f, value: w.ascii('Canon') },
      { tag: 0x0111, blobs: [pixels] },
      { tag: 0x0115, value: w.short(3) },
      { tag: 0x0116, value: w.short(8) },
      { tag: 0x0117, blobCounts: [pixels] },
      ...ifd0,
      { tag: 0x8769, ifds: [{ entries: [{ tag: 0x9003, value: w.ascii('2020:01:01 10:00:00') }, ...exif] }] },
    ].sort((a, b) => a.tag - b.tag),
  });
}

describe('TIFF red team: kept values with more than their defined fields', () => {
  for (const littleEndian of [true, false]) {
    const w = new TiffWriter(littleEndian);
    const cases: [string, Entry[], Entry[]][] = [
      ['ExposureTime with extra values', [], [{ tag: 0x829a, value: { type: 5, count: 4, data: Buffer.concat([Buffer.alloc(8, 1), padded(24)]) } }]],
      ['ExifVersion as a long blob', [], [{ tag: 0x9000, value: { type: 7, count: 40, data: Buffer.concat([Buffer.from('0232'), padded(36)]) } }]],
      ['Artist with text after its NUL', [{ tag: 0x013b, value: w.ascii(`Ann\0${sentinel}`) }], []],
      ['XPAuthor with bytes after its NUL', [{ tag: 0x9c9d, value: { type: 1, count: 40, data: Buffer.concat([Buffer.from('Ann\0', 'utf16le'), padded(32)]) } }], []],
      ['DateTime as UNDEFINED', [{ tag: 0x0132, value: { type: 7, count: 32, data: padded(32) } }], []],
      ['DateTime spelling coordinates', [{ tag: 0x0132, value: w.ascii(`48.8584, 2.2945 ${sentinel}`) }], []],
      ['WhitePoint with extra values', [{ tag: 0x013e, value: { type: 5, count: 6, data: Buffer.concat([Buffer.alloc(16, 1), padded(32)]) } }], []],
    ];
    for (const [name, ifd0, exif] of cases) {
      it(`${name} (${littleEndian ? 'II' : 'MM'})`, () => {
        expectCleanedInBothModes(expectSentinelGone(tiffWith(w, ifd0, exif)));
      });
    }
  }
});

describe('TIFF red team: per-bit-depth tables with extra values', () => {
  const w = new TiffWriter(true);
  const table = (values: number) => { const b = Buffer.alloc(values * 2, 1); sentinelBytes.copy(b, b.length - 64); return b; };
  it('TransferFunction past 3 × 2^BitsPerSample values', () => {
    expectCleanedInBothModes(expectSentinelGone(tiffWith(w, [{ tag: 0x012d, value: { type: 3, count: 3 * 256 + 32, data: table(3 * 256 + 32) } }], [])));
  });
});

describe('TIFF red team: DNG rendering tags with extra values', () => {
  const w = new TiffWriter(true);
  const extra = (head: number, total: number) => { const b = Buffer.alloc(total, 1); sentinelBytes.copy(b, head); return b; };
  const cases: [string, Entry][] = [
    ['BaselineExposure', { tag: 0xc62a, value: { type: 10, count: 6, data: extra(8, 48) } }],
    ['ColorMatrix1 past 3 × 3', { tag: 0xc621, value: { type: 10, count: 12, data: extra(72, 96) } }],
    ['AsShotNeutral past 3', { tag: 0xc628, value: { type: 5, count: 7, data: extra(24, 56) } }],
    ['CalibrationIlluminant1', { tag: 0xc65a, value: { type: 3, count: 16, data: extra(2, 32) } }],
  ];
  for (const [name, entry] of cases) {
    it(name, () => {
      expectCleanedInBothModes(expectSentinelGone(tiffWith(w, [{ tag: 0xc612, value: w.bytes(Buffer.from([1, 4, 0, 0])) }, entry], [])));
    });
  }
});
