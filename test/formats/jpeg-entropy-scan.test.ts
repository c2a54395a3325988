/**
 * src/formats/jpeg/entropy-scan.ts: the marker search inside entropy-coded data. The WebAssembly
 * (SIMD) scanner and the plain one must both give exactly the answer of a byte-by-byte search, and
 * a walk must find the same layout whether the file is in memory, read on demand, or cut anywhere.
 */
import { describe, expect, it } from 'vitest';
import { scannersForTests, scanWindowBytes, type EntropyScanner } from '../../src/formats/jpeg/entropy-scan.js';
import { walkJpeg } from '../../src/formats/jpeg/markers.js';
import { BufferSource, FileSource, openSource } from '../../src/io/source.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertBeforeNth, insertSegments } from '../fixtures/jpeg.js';
import { scratchFolder } from '../helpers/scratch.js';

/** T.81 B.1.1.5: the first 0xFF (with a successor before `end`) followed by neither 0x00, 0xFF nor RST0–7. */
function byteByByte(bytes: Buffer, start: number, end: number): number {
  for (let index = start; index + 1 < end; index++) {
    if (bytes[index] !== 0xff) continue;
    const next = bytes[index + 1]!;
    if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return index;
  }
  return -1;
}

/** Bytes shaped like entropy-coded data: many 0xFF, stuffing, RST markers, fill, the odd real marker. */
function entropyLike(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const roll = state % 100;
    bytes[index] = roll < 25 ? 0xff : roll < 45 ? 0x00 : roll < 55 ? 0xd0 + (state % 10) : (state >> 8) & 0xff;
  }
  return bytes;
}

const wasm = scannersForTests.wasm();
const scanners: [string, EntropyScanner][] = [['plain', scannersForTests.plain()], ...(wasm ? ([['wasm', wasm]] as [string, EntropyScanner][]) : [])];
const photos = scratchFolder('traceless-entropy-scan-');

describe.each(scanners)('the %s entropy scanner', (_name, scanner) => {
  it('answers as a byte-by-byte search for every start and end, at every alignment', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const length = 2 + (seed * 37) % 300;
      const bytes = entropyLike(length, seed);
      // Stale bytes past `end` must never count.
      scanner.window.fill(0xff);
      bytes.copy(scanner.window);
      for (const start of [0, 1, 2, 15, 16, 17]) {
        for (const end of [length, length - 1, Math.floor(length / 2)]) {
          if (start > end) continue;
          expect(scanner.find(start, end)).toBe(byteByByte(bytes, start, end));
        }
      }
    }
  });

  it('sees nothing in stuffing, fill and restart markers, and finds a marker in the last possible place', () => {
    scanner.window.fill(0);
    const quiet = Buffer.from([0xff, 0x00, 0xff, 0xd0, 0xff, 0xd7, 0xff, 0xff, 0xff, 0x00]);
    for (let offset = 0; offset + quiet.length <= scanWindowBytes; offset += quiet.length) quiet.copy(scanner.window, offset);
    expect(scanner.find(0, scanWindowBytes)).toBe(-1);
    scanner.window[scanWindowBytes - 2] = 0xff;
    scanner.window[scanWindowBytes - 1] = 0xd9;
    expect(scanner.find(0, scanWindowBytes)).toBe(scanWindowBytes - 2);
    // The successor lies past `end`: not decided in this window.
    expect(scanner.find(0, scanWindowBytes - 1)).toBe(-1);
    expect(scanner.find(5, 5)).toBe(-1);
  });
});

describe('walking the image data', () => {
  it('finds the same layout in memory and read on demand from a file, across window boundaries', async () => {
    for (const progressive of [false, true]) {
      const photo = insertSegments(await basePixelsJpeg(900, 700, { progressive }), [exifSegment(), commentSegment()]);
      const expected = walkJpeg(new BufferSource(photo));
      const entropy = expected.parts.filter((part) => part.type === 'entropy');
      expect(entropy.reduce((sum, part) => sum + part.length, 0)).toBeGreaterThan(scanWindowBytes);
      const path = photos.save(photo);
      const file = new FileSource(path, 4096);
      try {
        expect(walkJpeg(file)).toEqual(expected);
      } finally {
        file.close();
      }
    }
  });

  it('finds the marker after the image data wherever it falls against the scanner window', () => {
    const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
    const boundary = scanWindowBytes - 1;
    for (const dataBytes of [boundary - 2, boundary - 1, boundary, boundary + 1, 2 * boundary - 1, 2 * boundary, 2 * boundary + 1]) {
      // Quiet image data: every 0xFF stuffed (a last 0xFF stays as fill before the marker).
      const data = entropyLike(dataBytes, dataBytes);
      for (let index = 0; index + 1 < data.length; index++) {
        if (data[index] === 0xff) data[++index] = 0x00;
      }
      const photo = Buffer.concat([Buffer.from([0xff, 0xd8]), sos, data, commentSegment('after the data'), Buffer.from([0xff, 0xd9])]);
      const layout = walkJpeg(new BufferSource(photo));
      const comment = layout.parts.find((part) => part.type === 'segment' && part.marker === 0xfe);
      expect(comment).toBeDefined();
      expect((comment as { offset: number }).offset).toBe(byteByByte(photo, 2 + sos.length, photo.length));
      const file = new FileSource(photos.save(photo), 4096);
      try {
        expect(walkJpeg(file)).toEqual(layout);
      } finally {
        file.close();
      }
    }
  });

  it('finds a comment hidden between two scans', async () => {
    const photo = insertBeforeNth(await basePixelsJpeg(300, 200, { progressive: true }), 0xda, 1, [commentSegment('between scans')]);
    const layout = walkJpeg(new BufferSource(photo));
    expect(layout.parts.filter((part) => part.type === 'segment' && part.marker === 0xfe)).toHaveLength(1);
    const file = openSource(photos.save(photo), { onDemand: true });
    try {
      expect(walkJpeg(file)).toEqual(layout);
    } finally {
      file.close();
    }
  });

  it('reports a photo cut anywhere in its image data the same way in memory and on demand', async () => {
    const photo = await basePixelsJpeg(400, 300);
    for (const cut of [photo.length - 1, photo.length - 2, Math.floor(photo.length * 0.7), 700]) {
      const bytes = photo.subarray(0, cut);
      const inMemory = walkJpeg(new BufferSource(bytes), { lenient: true });
      const file = openSource(photos.save(bytes), { onDemand: true });
      try {
        expect(file.wholeBuffer).toBeUndefined();
        expect(walkJpeg(file, { lenient: true })).toEqual(inMemory);
        expect(() => walkJpeg(file)).toThrow(/cut short|without an EOI/);
      } finally {
        file.close();
      }
    }
  });
});
