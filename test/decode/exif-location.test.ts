/**
 * `removeExifLocation` (location mode of EXIF in JPEG, PNG, WebP and HEIF) is an allow-list: only
 * IFD0, the Exif IFD and the Interoperability IFD stay, with only tags known to hold no place; the
 * structure is written back at the same length with every other byte zero.
 */
import { describe, expect, it } from 'vitest';
import { decodeExif } from '../../src/decode/exif.js';
import { removeExifLocation } from '../../src/decode/location-edit.js';
import { findEntry, parseTiff, readText } from '../../src/decode/tiff.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { TiffWriter, type Ifd } from '../fixtures/tiff.js';
import { containsSentinel, sentinel, sentinelBytes } from '../helpers/sentinel.js';

function craftedExif(littleEndian: boolean): Buffer {
  const w = new TiffWriter(littleEndian);
  const gps: Ifd = { entries: [{ tag: 0x01, value: w.ascii('N') }, { tag: 0x02, value: w.rational(48, 51, 30) }, { tag: 0x1c, value: w.ascii(sentinel) }] };
  const interop: Ifd = { entries: [{ tag: 0x0001, value: w.ascii('R98') }, { tag: 0x0bad, value: w.ascii(sentinel) }] };
  const exif: Ifd = {
    entries: [
      { tag: 0x829a, value: w.rational(0.01) },
      { tag: 0x9003, value: w.ascii('2024:05:01 10:11:12') },
      { tag: 0x927c, value: w.undefinedBytes(Buffer.concat([Buffer.from('Apple iOS\0', 'latin1'), sentinelBytes])) },
      { tag: 0x9286, value: w.undefinedBytes(Buffer.concat([Buffer.from('ASCII\0\0\0', 'latin1'), sentinelBytes])) },
      { tag: 0xa4f0, value: w.ascii(sentinel) },
      { tag: 0xa005, ifds: [interop] },
    ],
    next: { entries: [{ tag: 0x010f, value: w.ascii(sentinel) }] }, // never followed by a reader
  };
  const thumbnail = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x00, 2 + sentinelBytes.length]), sentinelBytes, Buffer.from([0xff, 0xd9])]);
  const ifd0: Ifd = {
    entries: [
      { tag: 0x010e, value: w.ascii(`Lunch at ${sentinel}`) }, // free text: a place may be named there
      { tag: 0x010f, value: w.ascii('CameraCo') },
      { tag: 0x0110, value: w.ascii(`Model 1\0${sentinel}`) }, // text after the NUL
      { tag: 0x0112, value: w.short(6) },
      { tag: 0x02bc, value: w.bytes(Buffer.from(`<x:xmpmeta>${sentinel}</x:xmpmeta>`, 'utf8')) },
      { tag: 0x8482, value: w.double(0, 0, 0, 2.2945, 48.8584, 0) }, // GeoTIFF tie point
      { tag: 0xc800, value: w.undefinedBytes(sentinelBytes) },
      { tag: 0x8769, ifds: [exif] },
      { tag: 0x8825, ifds: [gps] },
    ],
    next: { entries: [{ tag: 0x0103, value: w.short(6) }, { tag: 0x0201, blobs: [thumbnail] }, { tag: 0x0202, value: w.long(thumbnail.length) }] },
  };
  return w.build(ifd0, Buffer.concat([Buffer.alloc(2), Buffer.from(sentinel, 'utf16le'), Buffer.alloc(2)]));
}

describe('removeExifLocation (allow-list)', () => {
  for (const littleEndian of [true, false]) {
    it(`keeps only known place-free tags, same length, nothing else left (${littleEndian ? 'II' : 'MM'})`, () => {
      const input = craftedExif(littleEndian);
      expect(containsSentinel(input)).toBe(true);
      const edit = removeExifLocation(input);
      expect(edit.safe, edit.note).toBe(true);
      expect(edit.changed).toBe(true);
      expect(edit.data.length).toBe(input.length);
      expect(containsSentinel(edit.data)).toBe(false);
      const after = parseTiff(edit.data);
      expect(after.ifds.map((ifd) => ifd.name)).toEqual(['IFD0', 'ExifIFD', 'InteropIFD']);
      expect(after.ifds[0]!.entries.map((entry) => entry.tag)).toEqual([0x010f, 0x0110, 0x0112, 0x8769]);
      expect(readText(after, findEntry(after.ifds[0], 0x0110)!)).toBe('Model 1');
      expect(after.ifds[1]!.entries.map((entry) => entry.tag)).toEqual([0x829a, 0x9003, 0xa005]);
      expect(after.ifds[2]!.entries.map((entry) => entry.tag)).toEqual([0x0001]);
      expect(after.ifds[0]!.nextIfdOffset).toBe(0);
      const decoded = decodeExif(after, { where: 'EXIF' });
      expect(decoded.locations).toEqual([]);
      expect(decoded.thumbnails).toEqual([]);
      // Idempotent: the written structure is already what the allow-list keeps.
      const again = removeExifLocation(edit.data);
      expect(again.safe).toBe(true);
      expect(again.changed).toBe(false);
    });
  }

  it('removes the GPS IFD and the IFD1 thumbnail of a typical camera EXIF, keeping device and dates', () => {
    const input = buildExifTiff({ ...defaultExif, thumbnail: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) });
    const edit = removeExifLocation(input);
    expect(edit.safe).toBe(true);
    expect(edit.note).toContain('GPS');
    const after = parseTiff(edit.data);
    expect(after.ifds.some((ifd) => ifd.name === 'GPS' || ifd.name === 'IFD1')).toBe(false);
    expect(readText(after, findEntry(after.ifds[0], 0x010f)!)).toBe(defaultExif.make);
    expect(findEntry(after.ifds.find((ifd) => ifd.name === 'ExifIFD'), 0xa431)).toBeDefined();
  });

  it('leaves an EXIF block that holds only allowed tags unchanged', () => {
    const input = buildExifTiff({ make: 'CameraCo', orientation: 3, dateTimeOriginal: '2024:05:01 10:11:12' });
    const edit = removeExifLocation(input);
    expect(edit).toMatchObject({ safe: true, changed: false });
    expect(edit.data.equals(input)).toBe(true);
  });

  it('says unsafe for a structure it cannot read', () => {
    expect(removeExifLocation(Buffer.from('not a tiff at all', 'latin1')).safe).toBe(false);
  });
});
