/**
 * Places and times in vendor blocks of JPEGs: FLIR's APP1 `FLIR\0` chunks (an FFF file whose GPS
 * record 0x2b holds the position) and Samsung's trailer after EOI (`SEFH`/`SEFT` directory with the
 * capture time and the mobile network's country). Fixtures are built by code to the layouts ExifTool
 * documents; ExifTool reads them back (so they are the real layouts), `scan` reports them and
 * `clean` leaves none of it (ExifTool finds no GPS, no FLIR or Samsung group).
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import { assembleFlir, decodeFlir } from '../../src/decode/flir.js';
import { readSamsungTrailer } from '../../src/decode/samsung-trailer.js';
import { assessRisk } from '../../src/report/risk.js';
import { exiftoolTags } from '../helpers/exiftool.js';
import { basePixelsJpeg, insertSegments, segment } from '../fixtures/jpeg.js';
import { scratchFolder } from '../helpers/scratch.js';

const { save } = scratchFolder('traceless-vendor-');

const APP1 = 0xe1;

/** An FFF file (big-endian header and directory, as FLIR writes in APP1) holding one GPS record. */
function fffWithGps(latitude: number, longitude: number, altitude: number): Buffer {
  const gps = Buffer.alloc(0x68);
  gps.writeUInt32LE(1, 0x00);
  gps.write(latitude < 0 ? 'S' : 'N', 0x08, 'latin1');
  gps.write(longitude < 0 ? 'W' : 'E', 0x0a, 'latin1');
  gps.writeDoubleLE(latitude, 0x10);
  gps.writeDoubleLE(longitude, 0x18);
  gps.writeFloatLE(altitude, 0x20);
  const header = Buffer.alloc(0x40);
  header.write('FFF\0', 0, 'latin1');
  header.write('traceless test', 4, 'latin1');
  header.writeUInt32BE(100, 0x14);
  header.writeUInt32BE(0x40, 0x18);
  header.writeUInt32BE(1, 0x1c);
  const entry = Buffer.alloc(0x20);
  entry.writeUInt16BE(0x2b, 0);
  entry.writeUInt16BE(1, 2);
  entry.writeUInt32BE(0x64, 4);
  entry.writeUInt32BE(1, 8);
  entry.writeUInt32BE(0x60, 0x0c);
  entry.writeUInt32BE(gps.length, 0x10);
  return Buffer.concat([header, entry, gps]);
}

/** FFF data split into APP1 `FLIR\0` chunks: byte 6 = chunk number, byte 7 = last chunk number. */
function flirSegments(fff: Buffer, chunkBytes: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < fff.length; at += chunkBytes) chunks.push(fff.subarray(at, at + chunkBytes));
  return chunks.map((chunk, index) => segment(APP1, Buffer.concat([Buffer.from('FLIR\0\x01', 'latin1'), Buffer.from([index, chunks.length - 1]), chunk])));
}

/** A Samsung trailer: records, then the SEFH directory, then its length and `SEFT`. */
function samsungTrailer(records: { type: number; name: string; data: Buffer }[]): Buffer {
  const blocks = records.map((record) => {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(0, 0);
    head.writeUInt16LE(record.type, 2);
    head.writeUInt32LE(record.name.length, 4);
    return Buffer.concat([head, Buffer.from(record.name, 'latin1'), record.data]);
  });
  const body = Buffer.concat(blocks);
  const directory = Buffer.alloc(12 + 12 * blocks.length);
  directory.write('SEFH', 0, 'latin1');
  directory.writeUInt32LE(106, 4);
  directory.writeUInt32LE(blocks.length, 8);
  let at = 0;
  blocks.forEach((block, index) => {
    const entry = 12 + 12 * index;
    directory.writeUInt16LE(0, entry);
    directory.writeUInt16LE(records[index]!.type, entry + 2);
    directory.writeUInt32LE(body.length - at, entry + 4);
    directory.writeUInt32LE(block.length, entry + 8);
    at += block.length;
  });
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(directory.length, 0);
  tail.write('SEFT', 4, 'latin1');
  return Buffer.concat([body, directory, tail]);
}

describe('FLIR APP1 GPS', () => {
  it('reassembles the chunks in their numbered order', () => {
    const fff = fffWithGps(59.33, 18.07, 20);
    const segments = flirSegments(fff, 40).map((data) => data.subarray(4));
    expect(assembleFlir([...segments].reverse()).equals(fff)).toBe(true);
    expect(decodeFlir(segments, 'APP1/FLIR').locations[0]).toMatchObject({ latitude: 59.33, longitude: 18.07, altitude: 20 });
  });

  it('ignores a GPS record that says it is not valid', () => {
    const fff = fffWithGps(59.33, 18.07, 20);
    fff.writeUInt32LE(0, 0x60);
    expect(decodeFlir(flirSegments(fff, 4000).map((data) => data.subarray(4)), 'APP1/FLIR').locations).toEqual([]);
  });

  it('scan reports the position (high risk), clean removes it', async () => {
    const input = insertSegments(await basePixelsJpeg(), flirSegments(fffWithGps(-33.8688, 151.2093, 58), 60));
    const tags = exiftoolTags(save(input));
    expect(tags['APP1:FLIR:GPSLatitude']).toBeCloseTo(-33.8688, 4);
    const inspection = inspectSync(input);
    expect(inspection.locations).toHaveLength(1);
    expect(inspection.locations[0]).toMatchObject({ latitude: -33.8688, longitude: 151.2093, where: 'APP1/FLIR/GPSInfo' });
    expect(inspection.findings.find((finding) => finding.tag === 'GPSPosition')?.meaning).toBe('gps-position');
    expect(assessRisk(inspection).level).toBe('high');
    for (const only of ['all', 'location'] as const) {
      const { result, data } = cleanBuffer(input, { only });
      expect(result.verification?.ok).toBe(true);
      const out = exiftoolTags(save(data!));
      expect(Object.keys(out).filter((key) => /GPS|FLIR/.test(key))).toEqual([]);
      expect((await sharp(data!).raw().toBuffer()).equals(await sharp(input).raw().toBuffer())).toBe(true);
    }
  });
});

describe('Samsung trailer', () => {
  const records = [
    { type: 0x0a01, name: 'Image_UTC_Data', data: Buffer.from('1700000000123', 'latin1') },
    { type: 0x0aa1, name: 'MCC_Data', data: Buffer.from('234', 'latin1') },
  ];

  it('reads the directory from the end', () => {
    const trailer = samsungTrailer(records);
    expect(readSamsungTrailer(trailer).map((record) => [record.type, record.name, trailer.toString('latin1', record.dataOffset, record.dataOffset + record.dataLength)])).toEqual([
      [0x0a01, 'Image_UTC_Data', '1700000000123'],
      [0x0aa1, 'MCC_Data', '234'],
    ]);
    expect(readSamsungTrailer(trailer.subarray(0, trailer.length - 1))).toEqual([]);
  });

  it('scan reports the capture time and the network country, clean removes the trailer', async () => {
    const input = Buffer.concat([await basePixelsJpeg(), samsungTrailer(records)]);
    const tags = exiftoolTags(save(input));
    expect(tags['MakerNotes:Samsung:MCCData']).toBe(234);
    const inspection = inspectSync(input);
    const country = inspection.findings.find((finding) => finding.tag === 'MCCData');
    expect(country).toMatchObject({ category: 'location', meaning: 'place-name', text: 'United Kingdom (mobile country code 234)' });
    expect(inspection.findings.find((finding) => finding.tag === 'TimeStamp')).toMatchObject({ category: 'time', meaning: 'taken', value: '2023-11-14T22:13:20.123Z' });
    for (const only of ['all', 'location'] as const) {
      const { result, data } = cleanBuffer(input, { only });
      expect(result.verification?.ok).toBe(true);
      expect(Object.keys(exiftoolTags(save(data!))).filter((key) => key.includes('Samsung'))).toEqual([]);
    }
  });
});
