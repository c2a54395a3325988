import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanSync, detectFormat, inspectSync } from '../../src/index.js';
import { TracelessError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/source.js';
import { scanOnlyFormats, mpegTs } from '../../src/formats/other/index.js';
import type { Inspection } from '../../src/types.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { TiffWriter, rgbPixels, withExifApp1, xmpPacket } from '../fixtures/tiff.js';

const work = mkdtempSync(join(tmpdir(), 'traceless-other-'));
let counter = 0;

const u32be = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};
const u32le = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
};
const box = (type: string, ...payload: Buffer[]) => {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32be(8 + body.length), Buffer.from(type, 'latin1'), body]);
};
const uuidBox = (uuid: string, ...payload: Buffer[]) => box('uuid', Buffer.from(uuid, 'hex'), ...payload);
const xmp = () => Buffer.from(xmpPacket(), 'utf8');
/** A GPS IFD stored as the first IFD of its own TIFF structure (as CR3's CMT4). */
function gpsOnlyTiff(): Buffer {
  const w = new TiffWriter(false);
  return w.build({ entries: [
    { tag: 0x01, value: w.ascii('N') }, { tag: 0x02, value: w.rational(37, 46, 29.7444) },
    { tag: 0x03, value: w.ascii('W') }, { tag: 0x04, value: w.rational(122, 25, 9.8976) },
  ] });
}

let exifJpeg: Buffer;
beforeAll(async () => {
  const plain = await sharp(rgbPixels(16, 8), { raw: { width: 16, height: 8, channels: 3 } }).jpeg().toBuffer();
  exifJpeg = withExifApp1(plain, buildExifTiff());
});

/** Hand-built files, one per scan-only format. */
const builders: Record<string, () => Buffer> = {
  cr3: () => Buffer.concat([
    box('ftyp', Buffer.from('crx \0\0\0\x01crx isom', 'latin1')),
    box('moov',
      box('mvhd', Buffer.alloc(4), u32be(3_600_000_000), Buffer.alloc(92)),
      uuidBox('85c0b687820f11e08111f4ce462b6a48', box('CMT1', buildExifTiff({ make: 'CanonSecret', model: 'EOS Secret' })), box('CMT4', gpsOnlyTiff()))),
    uuidBox('be7acfcb97a942e89c71999491e3afac', xmp()),
  ]),
  raf: () => {
    const header = Buffer.alloc(0x100);
    header.write('FUJIFILMCCD-RAW 0201FF392201', 0, 'latin1');
    header.write('FinePix Secret', 0x1c, 'latin1');
    header.writeUInt32BE(0x100, 0x54);
    header.writeUInt32BE(exifJpeg.length, 0x58);
    return Buffer.concat([header, exifJpeg]);
  },
  mrw: () => {
    const tiff = buildExifTiff();
    const prd = Buffer.concat([Buffer.from('\0PRD', 'latin1'), u32be(24), Buffer.from('27200001', 'latin1'), Buffer.alloc(16)]);
    const ttw = Buffer.concat([Buffer.from('\0TTW', 'latin1'), u32be(tiff.length), tiff]);
    const blocks = Buffer.concat([prd, ttw]);
    return Buffer.concat([Buffer.from('\0MRM', 'latin1'), u32be(blocks.length), blocks, Buffer.alloc(64)]);
  },
  x3f: () => {
    const names = ['CAMMANUF', 'SIGMA', 'CAMMODEL', 'SIGMA SD10', 'CAMSERIAL', 'SERIAL-X3F-42', 'TIME', '978309395'];
    let chars = Buffer.alloc(0);
    const entries: Buffer[] = [];
    for (let index = 0; index < names.length; index += 2) {
      const nameAt = chars.length / 2;
      chars = Buffer.concat([chars, Buffer.from(`${names[index]}\0`, 'utf16le')]);
      const valueAt = chars.length / 2;
      chars = Buffer.concat([chars, Buffer.from(`${names[index + 1]}\0`, 'utf16le')]);
      entries.push(u32le(nameAt), u32le(valueAt));
    }
    const prop = Buffer.concat([Buffer.from('SECp', 'latin1'), u32le(0), u32le(names.length / 2), u32le(0), u32le(0), u32le(chars.length / 2), ...entries, chars]);
    const header = Buffer.concat([Buffer.from('FOVb', 'latin1'), u32le(0x00020002), Buffer.from('0123456789abcdef', 'latin1'), Buffer.alloc(8)]);
    const propOffset = header.length;
    const directoryOffset = propOffset + prop.length;
    const directory = Buffer.concat([Buffer.from('SECd', 'latin1'), u32le(0x00020000), u32le(1), u32le(propOffset), u32le(prop.length), Buffer.from('PROP', 'latin1')]);
    return Buffer.concat([header, prop, directory, u32le(directoryOffset)]);
  },
  crw: () => Buffer.concat([Buffer.from('II\x1a\0\0\0HEAPCCDR', 'latin1'), Buffer.alloc(16), Buffer.from('Canon\0EOS D30 Secret\0', 'latin1'), Buffer.alloc(32)]),
  jxl: () => Buffer.concat([
    Buffer.from('0000000c4a584c200d0a870a', 'hex'),
    box('ftyp', Buffer.from('jxl \0\0\0\0jxl ', 'latin1')),
    box('Exif', Buffer.alloc(4), buildExifTiff()),
    box('brob', Buffer.from('xml ', 'latin1'), brotliCompressSync(xmp())),
    box('jxlc', Buffer.from([0xff, 0x0a, 0, 0])),
  ]),
  jp2: () => Buffer.concat([
    Buffer.from('0000000c6a5020200d0a870a', 'hex'),
    box('ftyp', Buffer.from('jp2 \0\0\0\0jp2 ', 'latin1')),
    box('jp2h', box('ihdr', Buffer.alloc(14))),
    uuidBox('4a706754696666457869662d3e4a5032', buildExifTiff()),
    uuidBox('be7acfcb97a942e89c71999491e3afac', xmp()),
    box('jp2c', Buffer.from([0xff, 0x4f, 0xff, 0x64, 0, 15, 0, 1]), Buffer.from('Secret note', 'latin1'), Buffer.from([0xff, 0x90, 0, 10]), Buffer.alloc(8)),
  ]),
  psd: () => {
    const iptcValue = Buffer.from('PsdSecretCity', 'latin1');
    const iptc = Buffer.concat([Buffer.from([0x1c, 2, 90, 0, iptcValue.length]), iptcValue]);
    const resource = Buffer.concat([Buffer.from('8BIM', 'latin1'), Buffer.from([0x04, 0x04, 0, 0]), u32be(iptc.length), iptc, Buffer.alloc(iptc.length & 1)]);
    const header = Buffer.concat([Buffer.from('8BPS', 'latin1'), Buffer.from([0, 1]), Buffer.alloc(6), Buffer.from([0, 3]), u32be(8), u32be(8), Buffer.from([0, 8, 0, 3])]);
    return Buffer.concat([header, u32be(0), u32be(resource.length), resource, u32be(0), Buffer.from([0, 0]), Buffer.alloc(192)]);
  },
  avi: () => {
    const chunk = (id: string, body: Buffer) => Buffer.concat([Buffer.from(id, 'latin1'), u32le(body.length), body, Buffer.alloc(body.length & 1)]);
    const list = (type: string, ...chunks: Buffer[]) => chunk('LIST', Buffer.concat([Buffer.from(type, 'latin1'), ...chunks]));
    const body = Buffer.concat([
      Buffer.from('AVI ', 'latin1'),
      list('hdrl', chunk('avih', Buffer.alloc(56)), chunk('IDIT', Buffer.from('2024/05/01 10:11:12\0', 'latin1'))),
      list('INFO', chunk('IART', Buffer.from('Avi Secret Artist\0', 'latin1')), chunk('ISFT', Buffer.from('SecretCam firmware\0', 'latin1'))),
      chunk('_PMX', xmp()),
      list('movi', chunk('00dc', Buffer.alloc(16))),
    ]);
    return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
  },
  matroska: () => {
    // A 4-byte EBML size: marker bit 0x10, then 28 bits of length.
    const size = (length: number) => Buffer.from([0x10 | ((length >> 24) & 0x0f), (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
    const element = (id: number[], ...body: Buffer[]) => {
      const payload = Buffer.concat(body);
      return Buffer.concat([Buffer.from(id), size(payload.length), payload]);
    };
    const date = Buffer.alloc(8);
    date.writeBigInt64BE(BigInt(Date.UTC(2024, 4, 1, 10, 11, 12) - Date.UTC(2001, 0, 1)) * 1_000_000n);
    return Buffer.concat([
      element([0x1a, 0x45, 0xdf, 0xa3], element([0x42, 0x82], Buffer.from('matroska'))),
      element([0x18, 0x53, 0x80, 0x67],
        element([0x15, 0x49, 0xa9, 0x66], element([0x7b, 0xa9], Buffer.from('Mkv Secret Title')), element([0x57, 0x41], Buffer.from('SecretRecorder 2.0')), element([0x44, 0x61], date)),
        element([0x1f, 0x43, 0xb6, 0x75], Buffer.alloc(32)),
        element([0x12, 0x54, 0xc3, 0x67], element([0x73, 0x73], element([0x67, 0xc8], element([0x45, 0xa3], Buffer.from('LOCATION')), element([0x44, 0x87], Buffer.from('+37.7749-122.4194/')))))),
    ]);
  },
  pdf: () => Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Author (Pdf Secret Author) /CreationDate (D:20240501101112+02'00') /Producer <FEFF00530065006300720065007400500072006F0064> >>\nendobj\n2 0 obj\n<< /Type /Metadata >>\nstream\n${xmpPacket()}\nendstream\nendobj\n%%EOF\n`, 'utf8'),
  'mpeg-ts': () => {
    const packet = (pid: number, payload: Buffer) => {
      const data = Buffer.alloc(192, 0xff);
      data.writeUInt32BE(0, 0);
      data[4] = 0x47;
      data[5] = 0x40 | ((pid >> 8) & 0x1f);
      data[6] = pid & 0xff;
      data[7] = 0x10;
      payload.copy(data, 8, 0, Math.min(payload.length, 184));
      return data;
    };
    const entry = (tag: number, ...bytes: number[]) => Buffer.from([tag, ...bytes]);
    const rational = (tag: number, numerator: number, denominator: number) => entry(tag, numerator >> 8, numerator & 0xff, denominator >> 8, denominator & 0xff);
    const entries = [
      entry(0x18, 0x02, 0x20, 0x24, 0x05), entry(0x19, 0x01, 0x10, 0x11, 0x12),
      entry(0xb1, 0x4e, 0, 0, 0), rational(0xb2, 37, 1), rational(0xb3, 46, 1), rational(0xb4, 2974, 100),
      entry(0xb5, 0x57, 0, 0, 0), rational(0xb6, 122, 1), rational(0xb7, 25, 1), rational(0xb8, 990, 100),
      entry(0xe0, 0x10, 0x11, 0, 0),
    ];
    const sei = Buffer.concat([Buffer.from([0, 0, 1, 6, 5, 0x60]), Buffer.from('17ee8c60f84d11d98cd60800200c9a664d44504d', 'hex'), Buffer.from([entries.length]), ...entries]);
    return Buffer.concat([packet(0, Buffer.from([0, 0, 0xb0, 0x0d])), packet(0x1011, sei), packet(0x1011, Buffer.alloc(184))]);
  },
};

function refusedWithoutOutput(data: Buffer): void {
  const input = join(work, `in-${counter++}`);
  const output = join(work, `out-${counter++}`);
  writeFileSync(input, data);
  const result = cleanSync(input, output);
  expect(result.status).toBe('refused');
  expect(result.error?.code).toBe('UNSUPPORTED_FORMAT');
  expect(result.error?.message).toContain('can be scanned but not cleaned');
  expect(existsSync(output)).toBe(false);
}

const valueOf = (inspection: Inspection, tag: string) => inspection.findings.find((finding) => finding.tag === tag)?.value;

describe('scan-only formats', () => {
  it('has a builder for every scan-only handler', () => {
    expect(Object.keys(builders).sort()).toEqual([...scanOnlyFormats, mpegTs].map((format) => format.id).sort());
    for (const format of [...scanOnlyFormats, mpegTs]) {
      expect(format.cleanable).toBe(false);
      expect(format.plan).toBeUndefined();
    }
  });

  for (const [id, build] of Object.entries(builders)) {
    it(`${id}: is detected from its bytes, scanned, and refused by clean with nothing written`, () => {
      const data = build();
      expect(detectFormat(data.subarray(0, 64))?.id).toBe(id);
      const inspection = inspectSync(data);
      expect(inspection.format).toEqual({ id, name: expect.any(String), cleanable: false });
      expect(inspection.findings.length).toBeGreaterThan(0);
      refusedWithoutOutput(data);
    });
  }

  it('decodes what each format carries', () => {
    const scan = (id: string) => inspectSync(builders[id]!());
    const cr3 = scan('cr3');
    expect(valueOf(cr3, 'Make')).toBe('CanonSecret');
    expect(cr3.locations.some((location) => location.where.endsWith('CMT4/GPS') && Math.abs(location.latitude - 37.774929) < 1e-4)).toBe(true);
    expect(cr3.unreadable).toEqual([expect.stringContaining('CR3 raw image tracks')]);
    expect(valueOf(scan('raf'), 'Make')).toBe(defaultExif.make);
    expect(scan('raf').locations.length).toBeGreaterThan(0);
    expect(valueOf(scan('mrw'), 'BodySerialNumber')).toBe(defaultExif.bodySerialNumber);
    const x3f = scan('x3f');
    expect(valueOf(x3f, 'SerialNumber')).toBe('SERIAL-X3F-42');
    expect(valueOf(x3f, 'DateTimeOriginal')).toBe('2001-01-01T00:36:35.000Z');
    expect(valueOf(scan('crw'), 'Model')).toBe('EOS D30 Secret');
    const jxl = scan('jxl');
    expect(valueOf(jxl, 'Make')).toBe(defaultExif.make);
    expect(valueOf(jxl, 'photoshop:City')).toBe('XmpSecretCity');
    const jp2 = scan('jp2');
    expect(valueOf(jp2, 'Comment')).toBe('Secret note');
    expect(jp2.locations.length).toBeGreaterThan(0);
    expect(valueOf(scan('psd'), 'City')).toBe('PsdSecretCity');
    const avi = scan('avi');
    expect(valueOf(avi, 'Artist')).toBe('Avi Secret Artist');
    expect(valueOf(avi, 'DateTimeOriginal')).toBe('2024/05/01 10:11:12');
    expect(avi.locations.length).toBeGreaterThan(0);
    const mkv = scan('matroska');
    expect(valueOf(mkv, 'Title')).toBe('Mkv Secret Title');
    expect(valueOf(mkv, 'DateUTC')).toBe('2024-05-01T10:11:12.000Z');
    expect(mkv.findings.find((finding) => finding.tag === 'LOCATION')?.category).toBe('location');
    const pdf = scan('pdf');
    expect(valueOf(pdf, 'Author')).toBe('Pdf Secret Author');
    expect(valueOf(pdf, 'Producer')).toBe('SecretProd');
    expect(valueOf(pdf, 'CreationDate')).toBe('2024-05-01 10:11:12 +02:00');
    expect(pdf.locations.length).toBeGreaterThan(0);
    const ts = scan('mpeg-ts');
    expect(valueOf(ts, 'Make')).toBe('Canon');
    expect(valueOf(ts, 'DateTimeOriginal')).toBe('2024-05-01 10:11:12+01:00');
    expect(ts.locations[0]?.latitude).toBeCloseTo(37.7749, 3);
    expect(ts.locations[0]?.longitude).toBeCloseTo(-122.4194, 3);
  });

  it('a bare JPEG XL codestream is recognised and holds no metadata', () => {
    const data = Buffer.from([0xff, 0x0a, 0xfa, 0x7f, 0x01, 0x90, 0x08, 0x06]);
    expect(detectFormat(data)?.id).toBe('jxl');
    expect(inspectSync(data).findings).toEqual([]);
  });

  it('does not take files that belong to other handlers', () => {
    const webp = Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(100), Buffer.from('WEBPVP8 ', 'latin1'), Buffer.alloc(48)]);
    expect(detectFormat(webp)?.id).not.toBe('avi');
    const mp4 = box('ftyp', Buffer.from('isom\0\0\0\0isommp41', 'latin1'));
    expect(detectFormat(Buffer.concat([mp4, Buffer.alloc(40)]))?.id).not.toBe('cr3');
    const heic = box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'latin1'));
    expect(detectFormat(Buffer.concat([heic, Buffer.alloc(40)]))?.id).not.toBe('cr3');
    expect(detectFormat(Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(58)]))?.id).toBe('gif');
    expect(detectFormat(Buffer.concat([Buffer.from('G\0\0\x10', 'latin1'), Buffer.alloc(60)]))?.id).toBe('mpeg-ts');
  });

  it('never lets anything but TracelessError out, on garbage after each signature (property test)', () => {
    const seeds = Object.values(builders).map((build) => build());
    const handlers = [...scanOnlyFormats, mpegTs];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 16 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.uint8Array({ maxLength: 256 }),
        (index, edits, cut, tail) => {
          const data = Buffer.concat([seeds[index]!, Buffer.from(tail)]);
          for (const [position, value] of edits) data[position % data.length] = value;
          const mutated = cut === undefined ? data : data.subarray(0, cut % (data.length + 1));
          for (const handler of handlers) {
            try {
              handler.inspect(new BufferSource(mutated));
            } catch (error) {
              if (!(error instanceof TracelessError)) throw error;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
