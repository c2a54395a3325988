/**
 * Camera maker notes (EXIF 0x927C) in each vendor's real layout: `scan` reports the places, GPS
 * coordinates, serial numbers and owner names they hold, with the right meaning; ExifTool reads
 * the same values from the fixtures (so the layouts are real); `clean` leaves none of it. A damaged
 * maker note gives what can be read and never an error.
 */
import { describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import { decodeExif } from '../../src/decode/exif.js';
import { decodeMakerNote, makerNoteVendor } from '../../src/decode/makernotes/index.js';
import { parseTiff } from '../../src/decode/tiff.js';
import { assessRisk } from '../../src/report/risk.js';
import type { Finding, FindingMeaning, Inspection } from '../../src/types.js';
import { exiftoolTags } from '../helpers/exiftool.js';
import { Bytes, exifWithMakerNote, ifdTable, jpegWithExif, padded, type NoteEntry } from '../fixtures/makernotes.js';
import { scratchFolder } from '../helpers/scratch.js';

const { save } = scratchFolder('traceless-makernotes-');

interface VendorCase {
  vendor: string;
  make: string;
  model: string;
  littleEndian: boolean;
  note: (at: number) => Buffer;
  /** meaning → values scan must report (as text). */
  expected: Partial<Record<FindingMeaning, (string | number)[]>>;
  positions?: [number, number][];
  /** ExifTool tag name → value (`-n`) it must read from the maker note. */
  exiftool: Record<string, string | number>;
  /** Text that must not survive a clean. */
  secrets: string[];
}

const le = new Bytes(true);
const be = new Bytes(false);

const nikonLocation = Buffer.concat([Buffer.from('0100', 'latin1'), Buffer.from([1]), Buffer.from('FRA', 'latin1'), Buffer.from([0]), padded('Tour Eiffel NIKONPLACE', 70)]);
const nikonBarometer = Buffer.concat([Buffer.from('0100', 'latin1'), Buffer.alloc(2), be.i32(327), Buffer.alloc(2)]);

/** Olympus type 2: the main table at 12, an Equipment sub-IFD (type 13) after it; offsets from the maker note's start. */
function olympusNote(at: number): Buffer {
  const header = Buffer.from('OLYMPUS\0II\x03\0', 'latin1');
  const equipment: NoteEntry[] = [le.ascii(0x0101, 'OLY-BODY-SERIAL-1'), le.ascii(0x0202, 'OLY-LENS-SERIAL-2')];
  const main = (pointer: number) => ifdTable(le, [le.ascii(0x0207, 'E-M1'), { tag: 0x2010, type: 13, data: le.u32(pointer) }], at + 12, at);
  const mainLength = main(0).length;
  const equipmentAt = at + 12 + mainLength;
  return Buffer.concat([header, main(equipmentAt - at), ifdTable(le, equipment, equipmentAt, at)]);
}

const cases: VendorCase[] = [
  {
    vendor: 'Canon', make: 'Canon', model: 'Canon EOS 80D', littleEndian: true,
    note: (at) => ifdTable(le, [
      le.ascii(0x0009, 'CANONOWNER Ada Lovelace'),
      le.long(0x000c, 2345678901),
      le.slong(0x0035, 16, 60, 19, 0),
      le.ascii(0x0095, 'EF50mm f/1.8 STM'),
      le.ascii(0x0096, 'CANONINTSERIAL77'),
    ], at, 0),
    expected: { owner: ['CANONOWNER Ada Lovelace'], serial: ['2345678901', 'CANONINTSERIAL77'], 'place-name': ['Paris'], lens: ['EF50mm f/1.8 STM'] },
    exiftool: { OwnerName: 'CANONOWNER Ada Lovelace', SerialNumber: 2345678901, InternalSerialNumber: 'CANONINTSERIAL77', TimeZoneCity: 19 },
    secrets: ['CANONOWNER', 'CANONINTSERIAL77'],
  },
  {
    vendor: 'Nikon', make: 'NIKON CORPORATION', model: 'COOLPIX AW100', littleEndian: true,
    note: (at) => {
      const header = Buffer.concat([Buffer.from('Nikon\0', 'latin1'), Buffer.from([2, 0x10, 0, 0]), Buffer.from('MM\0\x2a', 'latin1'), be.u32(8)]);
      return Buffer.concat([header, ifdTable(be, [be.ascii(0x001d, 'NIKONSERIAL3001234'), be.undef(0x0039, nikonLocation), be.undef(0x00c3, nikonBarometer)], at + 18, at + 10)]);
    },
    expected: { serial: ['NIKONSERIAL3001234'], 'place-name': ['FRA', 'Tour Eiffel NIKONPLACE'], 'gps-detail': [327] },
    exiftool: { SerialNumber: 'NIKONSERIAL3001234', CountryCode: 'FRA', Location: 'Tour Eiffel NIKONPLACE', Altitude: 327 },
    secrets: ['NIKONSERIAL3001234', 'NIKONPLACE'],
  },
  {
    vendor: 'Pentax (AOC)', make: 'PENTAX Corporation', model: 'PENTAX K-7', littleEndian: false,
    note: (at) => Buffer.concat([Buffer.from('AOC\0MM', 'latin1'), ifdTable(be, [
      be.short(0x0023, 21), be.short(0x0024, 56), be.long(0x0215, 0x12db8, 20090601, 1, 0, 7654321), be.ascii(0x0229, 'PENTAXSERIAL4242'),
    ], at + 6, 0)]),
    expected: { 'place-name': ['Paris', 'Tokyo'], serial: ['PENTAXSERIAL4242', 7654321] },
    exiftool: { HometownCity: 21, DestinationCity: 56, SerialNumber: 'PENTAXSERIAL4242', InternalSerialNumber: 7654321 },
    secrets: ['PENTAXSERIAL4242'],
  },
  {
    vendor: 'Pentax (PENTAX header)', make: 'RICOH IMAGING COMPANY, LTD.', model: 'PENTAX K-3 II', littleEndian: true,
    note: (at) => Buffer.concat([Buffer.from('PENTAX \0II', 'latin1'), ifdTable(le, [le.short(0x0023, 12), le.ascii(0x0229, 'PENTAXK3SERIAL99')], at + 10, at)]),
    expected: { 'place-name': ['New York'], serial: ['PENTAXK3SERIAL99'] },
    exiftool: { HometownCity: 12, SerialNumber: 'PENTAXK3SERIAL99' },
    secrets: ['PENTAXK3SERIAL99'],
  },
  {
    vendor: 'Samsung', make: 'SAMSUNG', model: 'NX100', littleEndian: true,
    note: (at) => ifdTable(le, [
      le.undef(0x0001, Buffer.from('0100', 'latin1')),
      le.ascii(0x002f, 'FIX 37.56650N 126.97800E'),
      le.undef(0x0030, Buffer.from('Jongno-gu SAMSUNGLOCAL\0 Seoul\0\0', 'latin1')),
      le.ascii(0x0031, 'Gyeongbokgung SAMSUNGPLACE'),
      le.ascii(0xa002, 'SAMSUNGSERIAL55'),
    ], at, at),
    expected: { 'place-name': ['Jongno-gu SAMSUNGLOCAL, Seoul', 'Gyeongbokgung SAMSUNGPLACE'], serial: ['SAMSUNGSERIAL55'] },
    positions: [[37.5665, 126.978]],
    exiftool: { LocationName: 'Gyeongbokgung SAMSUNGPLACE', SerialNumber: 'SAMSUNGSERIAL55' },
    secrets: ['SAMSUNGLOCAL', 'SAMSUNGPLACE', 'SAMSUNGSERIAL55', '37.56650N'],
  },
  {
    vendor: 'Panasonic', make: 'Panasonic', model: 'DMC-ZS7', littleEndian: true,
    note: (at) => Buffer.concat([Buffer.from('Panasonic\0\0\0', 'latin1'), ifdTable(le, [
      le.undef(0x0025, padded('PANAINTSERIAL001', 16)),
      le.ascii(0x0052, 'PANALENSSERIAL9'),
      le.undef(0x0066, padded('PANABABY Tom', 64)),
      le.undef(0x0069, padded('PANACOUNTRY Freedonia', 72)),
      le.undef(0x006b, padded('PANASTATE North', 72)),
      le.undef(0x006d, padded('PANACITY Springfield', 72)),
      le.undef(0x006f, padded('PANALANDMARK Old Bridge', 128)),
    ], at + 12, 0)]),
    expected: {
      serial: ['PANAINTSERIAL001', 'PANALENSSERIAL9'], owner: ['PANABABY Tom'],
      'place-name': ['PANACOUNTRY Freedonia', 'PANASTATE North', 'PANACITY Springfield', 'PANALANDMARK Old Bridge'],
    },
    exiftool: { InternalSerialNumber: 'PANAINTSERIAL001', LensSerialNumber: 'PANALENSSERIAL9', BabyName: 'PANABABY Tom', Country: 'PANACOUNTRY Freedonia', State: 'PANASTATE North', City: 'PANACITY Springfield', Landmark: 'PANALANDMARK Old Bridge' },
    secrets: ['PANAINTSERIAL001', 'PANALENSSERIAL9', 'PANABABY', 'PANACOUNTRY', 'PANASTATE', 'PANACITY', 'PANALANDMARK'],
  },
  {
    vendor: 'Leica (M9 type)', make: 'Leica Camera AG', model: 'M9 Digital Camera', littleEndian: true,
    note: (at) => Buffer.concat([Buffer.from('LEICA\0\x01\0', 'latin1'), ifdTable(le, [le.long(0x0305, 3912345), le.undef(0x0500, Buffer.from('LCA09123100001\0', 'latin1'))], at + 8, at)]),
    expected: { serial: [3912345, 'LCA09123100001'] },
    exiftool: { SerialNumber: 3912345, InternalSerialNumber: 'LCA09123100001' },
    secrets: ['LCA09123100001'],
  },
  {
    vendor: 'Leica (M8 type)', make: 'Leica Camera AG', model: 'M8 Digital Camera', littleEndian: true,
    note: (at) => Buffer.concat([Buffer.from('LEICA\0\0\0', 'latin1'), ifdTable(le, [le.long(0x0303, 3101234), le.ascii(0x0320, 'M8 placeholder text')], at + 8, at + 8)]),
    expected: { serial: [3101234] },
    exiftool: { SerialNumber: 3101234 },
    secrets: [],
  },
  {
    vendor: 'Olympus', make: 'OLYMPUS IMAGING CORP.', model: 'E-M1', littleEndian: true,
    note: olympusNote,
    expected: { serial: ['OLY-BODY-SERIAL-1', 'OLY-LENS-SERIAL-2'] },
    exiftool: { SerialNumber: 'OLY-BODY-SERIAL-1', LensSerialNumber: 'OLY-LENS-SERIAL-2' },
    secrets: ['OLY-BODY-SERIAL-1', 'OLY-LENS-SERIAL-2'],
  },
  {
    vendor: 'Fujifilm', make: 'FUJIFILM', model: 'X-T3', littleEndian: false,
    note: (at) => Buffer.concat([Buffer.from('FUJIFILM', 'latin1'), le.u32(12), ifdTable(le, [le.undef(0x0000, Buffer.from('0130', 'latin1')), le.ascii(0x0010, 'FUJIINTSERIAL88')], at + 12, at)]),
    expected: { serial: ['FUJIINTSERIAL88'] },
    exiftool: { InternalSerialNumber: 'FUJIINTSERIAL88' },
    secrets: ['FUJIINTSERIAL88'],
  },
  {
    vendor: 'Sony', make: 'SONY', model: 'ILCE-9', littleEndian: true,
    note: (at) => Buffer.concat([Buffer.from('SONY DSC \0\0\0', 'latin1'), ifdTable(le, [le.ascii(0x2031, '78563412')], at + 12, 0)]),
    expected: { serial: ['12345678'] },
    exiftool: { SerialNumber: '12345678' },
    secrets: ['78563412'],
  },
  {
    vendor: 'Sigma', make: 'SIGMA', model: 'SIGMA SD1', littleEndian: true,
    note: (at) => Buffer.concat([Buffer.from('SIGMA\0\0\0\x01\0', 'latin1'), ifdTable(le, [le.ascii(0x0002, 'SIGMASERIAL1234')], at + 10, 0)]),
    expected: { serial: ['SIGMASERIAL1234'] },
    exiftool: { SerialNumber: 'SIGMASERIAL1234' },
    secrets: ['SIGMASERIAL1234'],
  },
  {
    vendor: 'Casio', make: 'CASIO COMPUTER CO.,LTD.', model: 'EX-Z1000', littleEndian: false,
    note: (at) => Buffer.concat([Buffer.from('QVC\0\0\0', 'latin1'), ifdTable(be, [be.ascii(0x3006, 'CASIOHOME Lisbon')], at + 6, 0)]),
    expected: { 'place-name': ['CASIOHOME Lisbon'] },
    exiftool: { HometownCity: 'CASIOHOME Lisbon' },
    secrets: ['CASIOHOME'],
  },
  {
    vendor: 'Ricoh', make: 'RICOH', model: 'GR DIGITAL', littleEndian: false,
    note: (at) => Buffer.concat([Buffer.from('Ricoh\0\0\0', 'latin1'), ifdTable(be, [be.undef(0x0005, Buffer.from('GR0012345678RCOH', 'latin1'))], at + 8, 0)]),
    expected: { serial: ['GR0012345678RCOH'] },
    exiftool: { SerialNumber: 'GR0012345678RCOH' },
    secrets: ['GR0012345678RCOH'],
  },
];

function makerNoteFindings(inspection: Inspection): Finding[] {
  return inspection.findings.filter((finding) => finding.where.includes('/MakerNote') && finding.tag !== 'MakerNote');
}

/** The value ExifTool reads for a maker-note tag, whatever the vendor group is called. */
function exiftoolValue(tags: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(tags).find((candidate) => candidate.startsWith('MakerNotes:') && candidate.endsWith(`:${name}`));
  return key === undefined ? undefined : tags[key];
}

describe('maker notes in each vendor layout', () => {
  for (const vendorCase of cases) {
    describe(vendorCase.vendor, () => {
      const tiff = () => exifWithMakerNote({ make: vendorCase.make, model: vendorCase.model, littleEndian: vendorCase.littleEndian, note: vendorCase.note });

      it('is read the same by ExifTool (the layout is real)', async () => {
        const tags = exiftoolTags(save(await jpegWithExif(tiff())));
        for (const [name, value] of Object.entries(vendorCase.exiftool)) expect(String(exiftoolValue(tags, name)), name).toBe(String(value));
      });

      it('scan reports what it holds, with the right meaning', async () => {
        const inspection = inspectSync(await jpegWithExif(tiff()));
        const found = makerNoteFindings(inspection);
        for (const [meaning, values] of Object.entries(vendorCase.expected)) {
          const reported = found.filter((finding) => finding.meaning === meaning).map((finding) => finding.value);
          for (const value of values!) expect(reported, `${meaning} ${value}`).toContainEqual(value);
        }
        for (const finding of found) {
          expect(finding.where.startsWith('APP1/Exif/ExifIFD/MakerNote')).toBe(true);
          expect(finding.label).toContain('maker note');
        }
        const positions = (vendorCase.positions ?? []).map(([latitude, longitude]) => ({ latitude, longitude }));
        expect(inspection.locations.map(({ latitude, longitude }) => ({ latitude, longitude }))).toEqual(positions);
        for (const position of positions) {
          const finding = found.find((candidate) => candidate.meaning === 'gps-position');
          expect(finding?.value).toMatchObject(position);
          expect(finding?.category).toBe('location');
        }
        if (positions.length > 0) expect(assessRisk(inspection).level).toBe('high');
      });

      it('clean leaves none of it, in both modes', async () => {
        const input = await jpegWithExif(tiff());
        for (const only of ['all', 'location'] as const) {
          const { result, data } = cleanBuffer(input, { only });
          expect(result.verification?.ok, only).toBe(true);
          for (const secret of vendorCase.secrets) expect(data!.includes(Buffer.from(secret, 'latin1')), `${only}: ${secret}`).toBe(false);
          const out = exiftoolTags(save(data!));
          expect(Object.keys(out).filter((key) => key.startsWith('MakerNotes:')), only).toEqual([]);
          expect(makerNoteFindings(inspectSync(data!))).toEqual([]);
        }
      });
    });
  }

  it('identifies each maker note by its header or the Make', () => {
    for (const vendorCase of cases) {
      const data = exifWithMakerNote({ make: vendorCase.make, model: vendorCase.model, littleEndian: vendorCase.littleEndian, note: vendorCase.note });
      const structure = parseTiff(data);
      const note = structure.ifds.find((ifd) => ifd.name === 'ExifIFD')!.entries[0]!;
      const vendor = makerNoteVendor(data.subarray(note.valueOffset, note.valueOffset + note.valueLength), vendorCase.make);
      expect(vendorCase.vendor.startsWith(vendor ?? '?'), vendorCase.vendor).toBe(true);
    }
  });
});

describe('maker notes: where the layout is unknown', () => {
  it('coordinates written as text in an unknown maker note are a position', async () => {
    const note = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from('VendorNote: last fix 51.5007N 0.1246W', 'latin1'), Buffer.from([0, 0xff])]);
    const tiff = exifWithMakerNote({ make: 'TestCam Inc.', model: 'X', note: () => note });
    const inspection = inspectSync(await jpegWithExif(tiff));
    expect(inspection.locations).toHaveLength(1);
    expect(inspection.locations[0]).toMatchObject({ latitude: 51.5007, longitude: -0.1246, where: 'APP1/Exif/ExifIFD/MakerNote' });
    expect(inspection.findings.find((finding) => finding.meaning === 'gps-position')?.label).toContain('TestCam Inc. maker note');
    expect(assessRisk(inspection).level).toBe('high');
  });

  it('binary noise in an unknown maker note gives nothing', () => {
    const noise = Buffer.alloc(4096);
    for (let index = 0; index < noise.length; index++) noise[index] = (index * 7919 + 13) & 0xff;
    const data = exifWithMakerNote({ make: 'TestCam Inc.', model: 'X', note: () => noise });
    const decoded = decodeExif(parseTiff(data), { where: 'EXIF' });
    expect(decoded.locations).toEqual([]);
  });
});

describe('maker notes: damaged and hostile', () => {
  it('a table that claims more entries than there are gives the entries that are there', () => {
    const data = exifWithMakerNote({ make: 'Canon', model: 'Canon EOS R5', note: (at) => {
      const table = ifdTable(le, [le.ascii(0x0009, 'OWNER-BEFORE-DAMAGE'), le.ascii(0x0096, 'SERIAL-BEFORE-DAMAGE')], at, 0);
      table.writeUInt16LE(300, 0); // the count lies
      return table;
    } });
    let decoded: ReturnType<typeof decodeExif> | undefined;
    expect(() => (decoded = decodeExif(parseTiff(data), { where: 'EXIF' }))).not.toThrow();
    const values = decoded!.findings.map((finding) => finding.value);
    expect(values).toContain('OWNER-BEFORE-DAMAGE');
    expect(values).toContain('SERIAL-BEFORE-DAMAGE');
  });

  it('values pointing outside the data are skipped, the rest is read', () => {
    const data = exifWithMakerNote({ make: 'Panasonic', model: 'DMC-GH5', note: (at) => {
      const table = ifdTable(le, [le.undef(0x006d, padded('CITY-READABLE', 72)), le.undef(0x006f, padded('LANDMARK-LOST', 128))], at + 12, 0);
      // The second entry's offset now points far past the end.
      table.writeUInt32LE(0x7fff0000, 2 + 12 + 8);
      return Buffer.concat([Buffer.from('Panasonic\0\0\0', 'latin1'), table]);
    } });
    const decoded = decodeExif(parseTiff(data), { where: 'EXIF' });
    const values = decoded.findings.map((finding) => finding.value);
    expect(values).toContain('CITY-READABLE');
    expect(values.some((value) => String(value).includes('LANDMARK'))).toBe(false);
  });

  it('a maker note cut after its header, and random bytes after each header, never throw', () => {
    const headers = ['Nikon\0\x02\x10\0\0MM\0\x2a', 'AOC\0MM', 'PENTAX \0II', 'Panasonic\0\0\0', 'OLYMPUS\0II\x03\0', 'FUJIFILM', 'SONY DSC \0\0\0', 'SIGMA\0\0\0\x01\0', 'QVC\0\0\0', 'Apple iOS\0\0\x01MM'];
    const makes = ['Canon', 'SAMSUNG', 'NIKON', 'RICOH', 'Asahi Optical'];
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let round = 0; round < 40; round++) {
      for (const header of [...headers, '']) {
        for (const make of makes) {
          const noise = Buffer.from(Array.from({ length: round * 7 }, random));
          const note = Buffer.concat([Buffer.from(header, 'latin1'), noise]);
          const data = Buffer.concat([Buffer.alloc(8), note]);
          expect(() => decodeMakerNote({ data, littleEndian: round % 2 === 0, start: 8, length: note.length, make, model: 'M', where: 'X' })).not.toThrow();
        }
      }
    }
  });

  it('control characters in maker-note text are removed', () => {
    const data = exifWithMakerNote({ make: 'Canon', model: 'Canon EOS R5', note: (at) => ifdTable(le, [le.ascii(0x0009, 'Evil\x1b[31m Owner\x07\u202e')], at, 0) });
    const owner = decodeExif(parseTiff(data), { where: 'EXIF' }).findings.find((finding) => finding.tag === 'OwnerName');
    expect(owner?.value).toBe('Evil[31m Owner');
  });

  it('a maker note moved by an editor (TIFF-relative offsets now wrong) is still read', () => {
    // Canon offsets count from the TIFF header; these count from the maker note's start, as if the note had moved.
    const data = exifWithMakerNote({ make: 'Canon', model: 'Canon EOS 80D', note: (at) => ifdTable(le, [le.ascii(0x0009, 'MOVED-OWNER-NAME'), le.ascii(0x0096, 'MOVED-SERIAL-00')], at, at) });
    const values = decodeExif(parseTiff(data), { where: 'EXIF' }).findings.map((finding) => finding.value);
    expect(values).toContain('MOVED-OWNER-NAME');
    expect(values).toContain('MOVED-SERIAL-00');
  });
});

describe('maker notes outside the Exif IFD', () => {
  it('DNGPrivateData (Adobe MakN): the maker note keeps the offsets of the file it came from', () => {
    // The Canon note was at offset 5000 of the original file; its values count from that file's TIFF header.
    const originalAt = 5000;
    const note = ifdTable(be, [be.ascii(0x0009, 'DNG-OWNER-FROM-RAW'), be.ascii(0x0096, 'DNG-INTERNAL-SERIAL')], originalAt, 0);
    const privateData = Buffer.concat([Buffer.from('Adobe\0MakN', 'latin1'), be.u32(note.length + 6), Buffer.from('MM', 'latin1'), be.u32(originalAt), note]);
    const make = Buffer.from('Canon\0', 'latin1');
    const ifd0At = 8;
    const ifd0Length = 2 + 2 * 12 + 4;
    const privateAt = ifd0At + ifd0Length;
    const ifd0 = Buffer.concat([
      le.u16(2),
      le.u16(0x010f, 2), le.u32(make.length), make.subarray(0, 4), // 6 bytes do not fit: patched below
      le.u16(0xc634, 1), le.u32(privateData.length), le.u32(privateAt),
      le.u32(0),
    ]);
    const makeAt = privateAt + privateData.length + (privateData.length % 2);
    le.u32(makeAt).copy(ifd0, 2 + 8);
    const tiff = Buffer.concat([Buffer.from('II\x2a\0', 'latin1'), le.u32(ifd0At), ifd0, privateData, Buffer.alloc(privateData.length % 2), make]);
    const decoded = decodeExif(parseTiff(tiff), { where: 'TIFF' });
    const found = decoded.findings.filter((finding) => finding.where === 'TIFF/IFD0/DNGPrivateData/MakerNote');
    expect(found.map((finding) => [finding.meaning, finding.value])).toEqual([
      ['owner', 'DNG-OWNER-FROM-RAW'],
      ['serial', 'DNG-INTERNAL-SERIAL'],
    ]);
  });

  it('CR3 CMT3: the Canon table as IFD0 of its own TIFF structure', async () => {
    const { decodeCanonMakerNoteTiff } = await import('../../src/decode/makernotes/index.js');
    const tiff = Buffer.concat([Buffer.from('II\x2a\0', 'latin1'), le.u32(8), ifdTable(le, [le.ascii(0x0096, 'CR3-INTERNAL-1'), le.slong(0x0035, 16, 0, 20, 0)], 8, 0)]);
    const decoded = decodeCanonMakerNoteTiff(tiff, 'CR3/moov/uuid/CMT3');
    expect(decoded?.findings.map((finding) => [finding.meaning, finding.value])).toEqual([
      ['serial', 'CR3-INTERNAL-1'],
      ['place-name', 'London'],
    ]);
    expect(decodeCanonMakerNoteTiff(Buffer.from('XX'), 'x')).toBeUndefined();
  });
});

describe('maker notes in every container that carries EXIF', () => {
  const panasonicExif = (littleEndian: boolean) => exifWithMakerNote({
    make: 'Panasonic', model: 'DC-S5', littleEndian,
    note: (at) => Buffer.concat([Buffer.from('Panasonic\0\0\0', 'latin1'), ifdTable(new Bytes(littleEndian), [new Bytes(littleEndian).undef(0x006d, padded('CONTAINER-CITY', 72))], at + 12, 0)]),
  });

  it('HEIF Exif item', async () => {
    const { standardHeifFixture, buildHeif, iccProfileFixture, xmpPacket } = await import('../fixtures/heif.js');
    const file = buildHeif(standardHeifFixture({ exifTiff: panasonicExif(false), xmp: xmpPacket(), icc: iccProfileFixture() })).file;
    const city = inspectSync(file).findings.find((finding) => finding.tag === 'City');
    expect(city).toMatchObject({ meaning: 'place-name', value: 'CONTAINER-CITY' });
    expect(city?.where).toMatch(/\/ExifIFD\/MakerNote$/);
  });

  it('a TIFF file itself', () => {
    const city = inspectSync(panasonicExif(true)).findings.find((finding) => finding.tag === 'City');
    expect(city).toMatchObject({ meaning: 'place-name', value: 'CONTAINER-CITY', where: 'TIFF/ExifIFD/MakerNote' });
  });
});
