/** Our bounded IFD reader against exifr, an independent decoder, on built and corpus payloads. */
import exifr from 'exifr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TracelessError } from '../../src/errors.js';
import { decodeExif } from '../../src/decode/exif.js';
import { parseTiff } from '../../src/decode/tiff.js';
import { buildOrientationTiff, isOrientationOnlyTiff, removeTiffEntries } from '../../src/decode/tiff-edit.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { corpusEntries } from '../helpers/corpus.js';
import { readFileSync } from 'node:fs';

describe('EXIF decoding', () => {
  for (const littleEndian of [false, true]) {
    it(`agrees with exifr on GPS, make, model and dates (${littleEndian ? 'II' : 'MM'})`, async () => {
      const tiff = buildExifTiff({ ...defaultExif, littleEndian });
      const ours = decodeExif(parseTiff(tiff), { where: 'Exif' });
      const theirs = await exifr.parse(tiff, { tiff: true, exif: true, gps: true, translateValues: false, reviveValues: false });
      expect(ours.locations[0]!.latitude).toBeCloseTo(theirs.latitude, 6);
      expect(ours.locations[0]!.longitude).toBeCloseTo(theirs.longitude, 6);
      const text = (tag: string) => ours.findings.find((finding) => finding.tag === tag)?.text;
      expect(text('Make')).toBe(theirs.Make);
      expect(text('Model')).toBe(theirs.Model);
      expect(text('DateTimeOriginal')).toBe(theirs.DateTimeOriginal);
      expect(text('BodySerialNumber')).toBe(theirs.SerialNumber);
      expect(text('CameraOwnerName')).toBe(theirs.OwnerName);
      expect(ours.orientation).toBe(6);
    });
  }

  it('agrees with exifr on the GPS of every corpus JPEG that has EXIF GPS', async () => {
    const entries = corpusEntries(['JPEG']).filter((entry) => entry.gpsGroups.includes('EXIF:GPS') && !entry.malformed);
    for (const entry of entries) {
      const file = readFileSync(entry.absolute);
      const theirs = await exifr.gps(file).catch(() => undefined);
      if (!theirs || !Number.isFinite(theirs.latitude)) continue;
      const { inspectSync } = await import('../../src/index.js');
      const ours = inspectSync(file).locations.find((location) => location.where === 'APP1/Exif/GPS');
      expect(ours, entry.path).toBeDefined();
      expect(ours!.latitude).toBeCloseTo(theirs.latitude, 5);
      expect(ours!.longitude).toBeCloseTo(theirs.longitude, 5);
    }
  });

  it('removes the GPS IFD in place: same length, GPS bytes zeroed, the rest readable', () => {
    const tiff = buildExifTiff(defaultExif);
    const copy = Buffer.from(tiff);
    const structure = parseTiff(copy);
    const removal = removeTiffEntries(structure, () => false, new Set(['GPS']));
    expect(removal.ifds).toEqual(['GPS']);
    expect(copy.length).toBe(tiff.length);
    const after = decodeExif(parseTiff(copy), { where: 'Exif' });
    expect(after.locations).toEqual([]);
    expect(after.findings.some((finding) => finding.category === 'location')).toBe(false);
    expect(after.findings.find((finding) => finding.tag === 'Make')?.text).toBe('TestCam Inc.');
  });

  it('recognises exactly the minimal orientation block', () => {
    expect(isOrientationOnlyTiff(parseTiff(buildOrientationTiff(6)))).toBe(true);
    expect(isOrientationOnlyTiff(parseTiff(buildExifTiff({ orientation: 6 })))).toBe(true);
    expect(isOrientationOnlyTiff(parseTiff(buildExifTiff({ orientation: 6, make: 'x' })))).toBe(false);
    expect(isOrientationOnlyTiff(parseTiff(Buffer.concat([buildOrientationTiff(6), Buffer.from('hidden')])))).toBe(false);
  });

  it('survives cyclic IFD links and absurd counts with warnings or TracelessError only', () => {
    const cyclic = Buffer.from(buildExifTiff({ make: 'Loop' }));
    // Point IFD0's next link back at IFD0.
    const entries = cyclic.readUInt16BE(8);
    cyclic.writeUInt32BE(8, 8 + 2 + entries * 12);
    const structure = parseTiff(cyclic);
    expect(structure.warnings.some((warning) => warning.code === 'TIFF_IFD_CYCLE')).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.boolean(), (bytes, bigEndian) => {
        const data = Buffer.concat([Buffer.from(bigEndian ? 'MM\0*' : 'II*\0', 'latin1'), Buffer.from(bytes)]);
        try {
          decodeExif(parseTiff(data), { where: 'x' });
        } catch (error) {
          expect(error).toBeInstanceOf(TracelessError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
