/**
 * Red-team JPEG/EXIF (keep-list issue 10): sentinels hidden in the values of tags that location
 * mode keeps (extra values, blob types, over-long counts) and in other kept structures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';
import { basePixelsJpeg, imageResource, insertSegments, iptcRecord, photoshopSegment } from '../fixtures/jpeg.js';
import { TiffWriter, withExifApp1, type Entry } from '../fixtures/tiff.js';

let base: Buffer;
beforeAll(async () => {
  base = await basePixelsJpeg(64, 48);
});

const w = new TiffWriter(false);
const padded = (bytes: number) => { const b = Buffer.alloc(bytes); sentinelBytes.copy(b, 0); return b; };

function exifWith(ifd0: Entry[], exif: Entry[]): Buffer {
  return w.build({ entries: [...ifd0, { tag: 0x8769, ifds: [{ entries: exif }] }] });
}

const cases: [string, Entry[], Entry[]][] = [
  ['ExposureTime with extra rational values', [], [{ tag: 0x829a, value: { type: 5, count: 4, data: Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 100]), padded(24)]) } }]],
  ['FNumber as UNDEFINED blob', [], [{ tag: 0x829d, value: { type: 7, count: 32, data: padded(32) } }]],
  ['ExifVersion with an over-long count', [], [{ tag: 0x9000, value: { type: 7, count: 32, data: Buffer.concat([Buffer.from('0232'), padded(28)]) } }]],
  ['SourceExposureTimesOfCompositeImage blob', [], [{ tag: 0xa462, value: { type: 7, count: 40, data: padded(40) } }]],
  ['ComponentsConfiguration over-long', [], [{ tag: 0x9101, value: { type: 7, count: 40, data: Buffer.concat([Buffer.from([1, 2, 3, 0]), padded(36)]) } }]],
  ['Orientation with extra shorts', [{ tag: 0x0112, value: { type: 3, count: 16, data: Buffer.concat([Buffer.from([0, 1]), padded(30)]) } }], []],
  ['XResolution as ASCII', [{ tag: 0x011a, value: w.ascii(sentinel) }], []],
  ['TransferFunction as bytes', [{ tag: 0x012d, value: { type: 1, count: 32, data: padded(32) } }], []],
  ['LensSpecification with extra values', [], [{ tag: 0xa432, value: { type: 5, count: 8, data: Buffer.concat([Buffer.alloc(32, 1), padded(32)]) } }]],
  ['Model with an UNDEFINED type', [{ tag: 0x0110, value: { type: 7, count: 23, data: sentinelBytes } }], []],
  ['DateTimeOriginal spelling coordinates', [], [{ tag: 0x9003, value: w.ascii(`48.8584 2.2945 ${sentinel}`) }]],
  ['Artist with text after the NUL', [{ tag: 0x013b, value: w.ascii(`Ann\0${sentinel}`) }], []],
  ['XPAuthor with bytes after its NUL', [{ tag: 0x9c9d, value: { type: 1, count: 40, data: Buffer.concat([Buffer.from('Ann\0', 'utf16le'), padded(32)]) } }], []],
  ['CFAPattern past its columns × rows', [], [{ tag: 0xa302, value: { type: 7, count: 40, data: Buffer.concat([Buffer.from([0, 2, 0, 2, 0, 1, 1, 2]), padded(32)]) } }]],
  ['Interop index over-long', [], [{ tag: 0xa005, ifds: [{ entries: [{ tag: 0x0001, value: w.ascii(`R98\0${sentinel}`) }, { tag: 0x0002, value: { type: 7, count: 32, data: padded(32) } }] }] }]],
];

describe('JPEG red team: kept EXIF values in location mode', () => {
  for (const [name, ifd0, exif] of cases) {
    it(name, () => {
      const input = withExifApp1(base, exifWith([{ tag: 0x010f, value: w.ascii('Canon') }, ...ifd0], [{ tag: 0x9003, value: w.ascii('2020:01:01 10:00:00') }, ...exif]));
      writeFileSync(`/tmp/rtj/${name.replace(/\W+/g, '_')}.jpg`, input);
      expectSentinelGone(input);
    });
  }
});

describe('JPEG red team: IPTC datasets location mode keeps', () => {
  const withIptc = (datasets: Buffer[]) => insertSegments(base, [photoshopSegment([imageResource(0x0404, Buffer.concat([...datasets, iptcRecord(2, 80, 'Ann Author')]))])]);
  const cases: [string, Buffer[]][] = [
    ['a coded character set with the sentinel', [iptcRecord(1, 90, Buffer.concat([Buffer.from([0x1b, 0x25, 0x47]), sentinelBytes]))]],
    ['a record version with the sentinel', [iptcRecord(2, 0, Buffer.concat([Buffer.from([0, 4]), sentinelBytes]))]],
    ['a date created with the sentinel', [iptcRecord(2, 55, `20200101${sentinel}`)]],
    ['a caption spelling coordinates', [iptcRecord(2, 120, `at 48.8584, 2.2945 ${sentinel}`)]],
    ['a keyword spelling coordinates', [iptcRecord(2, 25, `48°51'30.1"N 2°17'40.2"E ${sentinel}`)]],
  ];
  for (const [name, datasets] of cases) {
    it(name, () => {
      expectSentinelGone(withIptc(datasets));
    });
  }
});

// Open (not fixed here): bytes appended to the last scan's entropy-coded data, before EOI, are
// copied as image data — finding where the coded data ends needs a Huffman/arithmetic decode.
