/**
 * The phone-photo data set: 12 MP JPEGs of 3–4 MB with what a phone writes (EXIF with GPS and a
 * thumbnail, XMP, IPTC, a Display P3 ICC profile, orientation 6). One set of pixels is encoded once
 * (noise, so the JPEG is phone-sized); every file gets its own metadata (a different place).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { defaultExif } from '../test/fixtures/exif.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertSegments, iptcSegment, xmpSegment } from '../test/fixtures/jpeg.js';

export async function phonePhotoFolder(folder: string, count = 200): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  const existing = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.jpg')) : [];
  if (existing.length === count) return existing.map((name) => join(folder, name));
  const width = 4000;
  const height = 3000;
  const noise = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let index = 0; index < noise.length; index++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    // Smooth gradient plus noise: compresses to about 3.5 MB at quality 90, like a phone photo.
    noise[index] = ((index % (width * 3)) / 16 + (seed >> 26)) & 0xff;
  }
  const pixels = await sharp(noise, { raw: { width, height, channels: 3 } }).withIccProfile('p3').jpeg({ quality: 88 }).toBuffer();
  const thumbnail = await basePixelsJpeg(160, 120);
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const exif = exifSegment({ ...defaultExif, orientation: 6, thumbnail, gps: { latitude: 37 + index / 1000, longitude: -122 - index / 1000, altitude: 10 + index } });
    const photo = insertSegments(pixels, [exif, xmpSegment(), iptcSegment(), commentSegment()]);
    const path = join(folder, `IMG_${String(index).padStart(4, '0')}.jpg`);
    writeFileSync(path, photo);
    paths.push(path);
  }
  return paths;
}
