import { sanitiseIccProfile } from '../../src/decode/icc.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracelessError } from '../../src/errors.js';
import { heif } from '../../src/formats/heif/index.js';
import { readMeta } from '../../src/formats/heif/meta.js';
import { BoxBudget, readBoxes } from '../../src/formats/isobmff/boxes.js';
import { BufferSource } from '../../src/io/source.js';
import { cleanBufferSync as cleanBuffer, cleanSync, detectFormat, inspectSync } from '../../src/index.js';
import type { CleanOptions } from '../../src/types.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import {
  appleMakerNote, box, buildHeif, colrIcc, encodeAvif, encodeAvifSequence, encodeHeic, exifItemPayload, fakeImageData, ftyp, fullBox,
  haveTool, hvcC, iccProfileFixture, standardHeifFixture, irot, ispe, pixi, uint, xmpPacket, type HeifFixture,
} from '../fixtures/heif.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';

const planAll = { mode: 'all', keepOrientation: true, keepDates: false } as const;
const planLocation = { mode: 'location', keepOrientation: true, keepDates: false } as const;

const contentIdentifier = 'A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF';
const burstUuid = 'BURST-0000-1111-2222-333344445555';
const iccProfile = iccProfileFixture('fake ICC profile bytes that must survive');
const exifTiff = buildExifTiff({ ...defaultExif, makerNote: appleMakerNote({ contentIdentifier, burstUuid, runTimeSeconds: 93_784 }) });
const xmp = xmpPacket({ latitude: '48,51.5022N', longitude: '2,17.6689E', city: 'Fixtureville', creator: 'Xmp Creator Person', description: 'kept in location mode' });

/** A HEIC with an image item (and its properties), an Exif item and an XMP item in mdat. */
function standardFixture(overrides: Partial<HeifFixture> = {}): HeifFixture {
  return standardHeifFixture({ exifTiff, xmp, icc: iccProfile }, overrides);
}

function clean(input: Buffer, options: CleanOptions = {}): Buffer {
  const { result, data } = cleanBuffer(input, options);
  expect(result.error).toBeNull();
  expect(data).not.toBeNull();
  return data!;
}

/** The bytes of each item of a HEIF file, read through its (possibly moved) iloc entries. */
function itemBytes(file: Buffer): Map<number, Buffer> {
  const source = new BufferSource(file);
  const budget = new BoxBudget();
  const metaBox = readBoxes(source, 0, file.length, budget).find((candidate) => candidate.type === 'meta')!;
  const meta = readMeta(source, metaBox, budget);
  const result = new Map<number, Buffer>();
  for (const location of meta.iloc!.items) {
    const start = location.constructionMethod === 1 ? meta.idat!.offset + 8 : 0;
    result.set(location.id, Buffer.concat(location.extents.map((extent) => file.subarray(start + location.baseOffset + extent.offset, start + location.baseOffset + extent.offset + extent.length))));
  }
  return result;
}

function topLevelTypes(file: Buffer): string[] {
  return readBoxes(new BufferSource(file), 0, file.length).map((entry) => entry.type);
}

function expectRefused(input: Buffer, code?: string): void {
  const { result, data } = cleanBuffer(input);
  expect(result.status).toBe('refused');
  expect(data).toBeNull();
  if (code) expect(result.error?.code).toBe(code);
}

describe('HEIF sniffing', () => {
  const head = (major: string, ...compatible: string[]) => ftyp(major, ...compatible);

  it('claims HEIC, AVIF and generic HEIF brands, major or compatible', () => {
    for (const brands of [['heic', 'mif1'], ['avif', 'mif1', 'miaf'], ['mif1', 'heic'], ['msf1', 'hevc'], ['avis', 'msf1'], ['isom', 'mif1'], ['heix'], ['miaf']]) {
      expect(heif.sniff(head(brands[0]!, ...brands.slice(1))), brands.join(',')).toBe(true);
    }
  });

  it('leaves plain video files and Canon CR3 to other handlers', () => {
    for (const brands of [['isom', 'isom', 'iso2', 'avc1', 'mp41'], ['mp42', 'mp41', 'isom'], ['qt  ', 'qt  '], ['M4V ', 'M4V ', 'mp42'], ['crx ', 'crx ', 'isom'], ['3gp4', 'isom']]) {
      expect(heif.sniff(head(brands[0]!, ...brands.slice(1))), brands.join(',')).toBe(false);
    }
    // CR3 is refused by brand even when an image brand follows.
    expect(heif.sniff(head('crx ', 'mif1'))).toBe(false);
  });

  it('only looks at brands within the sniffed head and needs ftyp at offset 0', () => {
    const late = head('isom', ...Array.from({ length: 14 }, () => 'iso2'), 'mif1');
    expect(late.length).toBeGreaterThan(64);
    expect(heif.sniff(late.subarray(0, 64))).toBe(false);
    expect(heif.sniff(Buffer.concat([Buffer.alloc(4), head('heic', 'mif1')]).subarray(0, 64))).toBe(false);
    expect(heif.sniff(Buffer.from('ftypheic'))).toBe(false);
  });

  it('is the handler detectFormat picks for a HEIF head', () => {
    expect(detectFormat(buildHeif(standardFixture()).file.subarray(0, 64))?.id).toBe('heif');
  });
});

describe('HEIF inspect', () => {
  const { file } = buildHeif(standardFixture());

  it('decodes the Exif item: GPS position, device, owner and times', () => {
    const report = inspectSync(file);
    expect(report.format.id).toBe('heif');
    expect(report.unreadable).toEqual([]);
    expect(report.locations).toHaveLength(2);
    const exifLocation = report.locations.find((location) => location.where.includes('Exif'))!;
    expect(exifLocation.latitude).toBeCloseTo(37.774929, 5);
    expect(exifLocation.longitude).toBeCloseTo(-122.419416, 5);
    expect(exifLocation.altitude).toBeCloseTo(12, 3);
    const tags = report.findings.map((finding) => finding.tag);
    expect(tags).toEqual(expect.arrayContaining(['Make', 'Model', 'BodySerialNumber', 'CameraOwnerName', 'DateTimeOriginal', 'MakerNote']));
    expect(report.findings.find((finding) => finding.tag === 'Make')?.where).toBe('meta/Exif#3/IFD0');
    expect(report.blocks.find((block) => block.kind === 'exif')).toMatchObject({ where: 'meta/Exif#3', length: exifItemPayload(exifTiff).length });
  });

  it('reports the Apple MakerNote content identifier (Live Photo link), burst ID and run time', () => {
    const report = inspectSync(file);
    const live = report.findings.find((finding) => finding.label === 'Live Photo content identifier');
    expect(live).toMatchObject({ value: contentIdentifier, where: 'meta/Exif#3/ExifIFD/MakerNote' });
    expect(report.findings.find((finding) => finding.tag === 'BurstUUID')?.value).toBe(burstUuid);
    expect(report.findings.find((finding) => finding.tag === 'RunTime')).toMatchObject({ value: 93_784, text: '1 d 02:03:04' });
  });

  it('decodes the XMP item: location, city and creator', () => {
    const report = inspectSync(file);
    const xmpLocation = report.locations.find((location) => location.where === 'meta/XMP#4')!;
    expect(xmpLocation.latitude).toBeCloseTo(48.858370, 4);
    expect(xmpLocation.longitude).toBeCloseTo(2.294481, 4);
    expect(report.findings.find((finding) => finding.tag === 'photoshop:City')?.value).toBe('Fixtureville');
    expect(report.findings.find((finding) => finding.tag === 'dc:creator')?.value).toBe('Xmp Creator Person');
  });

  it('lists orientation, ICC profile and thumbnails as kept', () => {
    const report = inspectSync(file);
    const retained = report.findings.filter((finding) => finding.retained).map((finding) => finding.tag);
    expect(retained).toEqual(expect.arrayContaining(['Rotation', 'ICCProfile', 'ThumbnailItem']));
    expect(report.findings.find((finding) => finding.tag === 'Rotation')?.value).toBe(90);
  });

  it('reads an Exif item in idat located through iloc version 1 with a base offset and split extents', () => {
    const fixture = standardFixture({ iloc: { version: 1, baseOffsetSize: 4, offsetSize: 4 } });
    fixture.items[2] = { ...fixture.items[2]!, place: 'idat', extents: 3 };
    const report = inspectSync(buildHeif(fixture).file);
    expect(report.unreadable).toEqual([]);
    expect(report.locations.find((location) => location.where.includes('Exif'))?.latitude).toBeCloseTo(37.774929, 5);
    expect(report.blocks.find((block) => block.kind === 'exif')?.note).toContain('idat');
  });

  it('reads iloc version 2 with 8-byte offsets and infe version 3', () => {
    const report = inspectSync(buildHeif(standardFixture({ iloc: { version: 2, offsetSize: 8, lengthSize: 8, baseOffsetSize: 8 }, infeVersion: 3 })).file);
    expect(report.locations).toHaveLength(2);
  });

  it('reads deflate-compressed XMP items', () => {
    const fixture = standardFixture();
    fixture.items[3] = { ...fixture.items[3]!, contentEncoding: 'deflate', data: deflateSync(Buffer.from(xmp)) };
    const report = inspectSync(buildHeif(fixture).file);
    expect(report.findings.find((finding) => finding.tag === 'photoshop:City')?.value).toBe('Fixtureville');
  });

  it('names vendor boxes, a Samsung motion-photo video and leftovers in free boxes', () => {
    const motion = box('mpvd', Buffer.from('....ftypisom fake embedded video'));
    const xmpUuid = Buffer.concat([Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex'), Buffer.from(xmpPacket({ creator: 'Uuid Creator' }))]);
    const report = inspectSync(buildHeif(standardFixture({ afterMeta: [box('uuid', xmpUuid), box('free', Buffer.from('old leftovers'))], afterMdat: [motion] })).file);
    expect(report.findings.find((finding) => finding.tag === 'mpvd')?.category).toBe('embedded');
    expect(report.findings.find((finding) => finding.tag === 'dc:creator' && finding.where.startsWith('uuid'))?.value).toBe('Uuid Creator');
    expect(report.findings.find((finding) => finding.where === 'free')?.label).toBe('Unused space holding old bytes');
  });
});

describe('HEIF clean (all metadata)', () => {
  it('removes the Exif and XMP items properly and zeroes their bytes', () => {
    const built = buildHeif(standardFixture());
    const { result, data } = cleanBuffer(built.file);
    expect(result.status).toBe('cleaned');
    // The 3-byte 0xEE gaps the fixture puts between extents are referenced by no item: zeroed too.
    // The fixture's ICC profile is not a well-known standard one, so its text and device fields are re-written too.
    expect(result.removed.map((removal) => removal.where).filter((where) => !where.startsWith('mdat@')).sort()).toEqual(['meta/Exif#3', 'meta/XMP#4', 'meta/iprp/ipco/colr']);
    expect(result.kept).toEqual(expect.arrayContaining(['orientation (irot/imir item properties)', 'ICC colour profile (colr item property)']));
    const output = data!;
    const report = inspectSync(output);
    expect(report.findings.filter((finding) => !finding.retained)).toEqual([]);
    expect(report.locations).toEqual([]);
    // Items 3 and 4 are gone from iinf, iloc and iref; images keep their bytes.
    const items = itemBytes(output);
    expect([...items.keys()].sort()).toEqual([1, 2]);
    expect(items.get(1)!.equals(fakeImageData(400, 1))).toBe(true);
    expect(items.get(2)!.equals(fakeImageData(60, 2))).toBe(true);
    for (const text of ['TestCam', 'SN-CAMERA-0042-XYZ', 'Jane', contentIdentifier, burstUuid, 'Fixtureville', 'Xmp Creator', 'GPSLatitude', 'Exif\0\0']) {
      expect(output.includes(Buffer.from(text)), text).toBe(false);
    }
    // Kept re-written through decode/icc (colour data the same, text and device fields neutral).
    expect(output.includes(sanitiseIccProfile(iccProfile).profile)).toBe(true);
    expect(output.includes(irot(1))).toBe(true);
    expect(output.includes(Buffer.from('cdsc'))).toBe(false);
    expect(output.includes(Buffer.from('thmb'))).toBe(true);
  });

  it('keeps the bytes of kept items in place in mdat; removed extents and unreferenced bytes become zeros', () => {
    const built = buildHeif(standardFixture());
    const output = clean(built.file);
    const inputMdat = readBoxes(new BufferSource(built.file), 0, built.file.length).find((entry) => entry.type === 'mdat')!;
    const outputMdat = readBoxes(new BufferSource(output), 0, output.length).find((entry) => entry.type === 'mdat')!;
    expect(outputMdat.size).toBe(inputMdat.size);
    // Behaviour change (keep-list issue): only referenced bytes of kept items survive; the rest is zero.
    const expected = Buffer.alloc(inputMdat.size);
    built.file.copy(expected, 0, inputMdat.offset, inputMdat.offset + 8);
    for (const id of [1, 2]) for (const range of built.ranges.get(id)!) built.file.copy(expected, range.offset - inputMdat.offset, range.offset, range.offset + range.length);
    expect(output.subarray(outputMdat.offset, outputMdat.offset + outputMdat.size).equals(expected)).toBe(true);
    // ftyp is untouched; meta only lost the metadata items.
    const ftypSize = built.file.readUInt32BE(0);
    expect(output.subarray(0, ftypSize).equals(built.file.subarray(0, ftypSize))).toBe(true);
    expect(output.length).toBeLessThan(built.file.length);
  });

  it('cleaning twice gives the same bytes as cleaning once', () => {
    const once = clean(buildHeif(standardFixture()).file);
    const { result, data } = cleanBuffer(once);
    expect(result.status).toBe('already-clean');
    expect(result.removed).toEqual([]);
    expect(data!.equals(once)).toBe(true);
  });

  it.each([
    ['iloc v0, 4-byte offsets', { iloc: { version: 0 as const } }],
    ['iloc v1 with base offsets', { iloc: { version: 1 as const, baseOffsetSize: 4 as const } }],
    ['iloc v2, 8-byte fields, infe v3', { iloc: { version: 2 as const, offsetSize: 8 as const, lengthSize: 8 as const, baseOffsetSize: 8 as const }, infeVersion: 3 as const }],
    ['base offset with no extent offsets', { iloc: { version: 1 as const, baseOffsetSize: 4 as const, offsetSize: 0 as const } }],
    ['mdat before meta', { mdatFirst: true }],
  ])('moves kept item offsets correctly (%s)', (_, overrides) => {
    const fixture = standardFixture(overrides);
    if ((overrides as HeifFixture).iloc?.offsetSize === 0) fixture.items.forEach((item) => (item.extents = 1));
    const built = buildHeif(fixture);
    expect(itemBytes(built.file).get(1)!.equals(fakeImageData(400, 1))).toBe(true);
    const output = clean(built.file);
    const items = itemBytes(output);
    expect(items.get(1)!.equals(fakeImageData(400, 1))).toBe(true);
    expect(items.get(2)!.equals(fakeImageData(60, 2))).toBe(true);
    expect(inspectSync(output).locations).toEqual([]);
  });

  it('removes an idat Exif item with split extents and keeps idat items of images intact', () => {
    const fixture = standardFixture({ iloc: { version: 1, baseOffsetSize: 4 } });
    fixture.items[2] = { ...fixture.items[2]!, place: 'idat', extents: 3 };
    fixture.items.push({ id: 5, type: 'grid', place: 'idat', data: Buffer.from([0, 0, 0, 0, 0, 64, 0, 48]) });
    fixture.references!.push({ type: 'dimg', from: 5, to: [1] });
    const built = buildHeif(fixture);
    const output = clean(built.file);
    expect(itemBytes(output).get(5)!.equals(Buffer.from([0, 0, 0, 0, 0, 64, 0, 48]))).toBe(true);
    expect(itemBytes(output).get(1)!.equals(fakeImageData(400, 1))).toBe(true);
    expect(output.includes(Buffer.from('SN-CAMERA-0042-XYZ'))).toBe(false);
    expect(inspectSync(output).findings.filter((finding) => !finding.retained)).toEqual([]);
  });

  it('drops uuid, udta and Samsung mpvd boxes and free boxes, and moves offsets past them', () => {
    const motion = box('mpvd', Buffer.from('fake embedded video with MotionSecret'));
    const built = buildHeif(standardFixture({
      beforeMeta: [box('uuid', Buffer.from('d8fec3d61b0e483c92975828877ec481', 'hex'), Buffer.from('C2PA manifest SecretClaim'))],
      afterMeta: [box('udta', box('\u00a9xyz', Buffer.from('+48.8583+002.2944/'))), box('free', Buffer.from('leftover OldSecret bytes'))],
      afterMdat: [motion],
    }));
    const { result, data } = cleanBuffer(built.file);
    expect(result.error).toBeNull();
    expect(result.removed.map((removal) => removal.where)).toEqual(expect.arrayContaining(['uuid(d8fec3d61b0e483c92975828877ec481)', 'udta', 'free', 'mpvd']));
    // Behaviour change (keep-list issue): free boxes are removed, not kept zeroed.
    expect(topLevelTypes(data!)).toEqual(['ftyp', 'meta', 'mdat']);
    for (const secret of ['SecretClaim', 'MotionSecret', 'OldSecret', '+48.8583']) expect(data!.includes(Buffer.from(secret))).toBe(false);
    expect(itemBytes(data!).get(1)!.equals(fakeImageData(400, 1))).toBe(true);
    expect(cleanBuffer(data!).result.status).toBe('already-clean');
  });

  it('removes descriptive item properties and renumbers the associations of the rest', () => {
    const udes = fullBox('udes', 0, 0, Buffer.from('en\0Holiday TitleSecret\0at the beach\0tags\0'));
    const crtt = fullBox('crtt', 0, 0, uint(8, 3_800_000_000 * 1e6));
    const fixture = standardFixture({ properties: [hvcC(), udes, ispe(64, 48), crtt, irot(1), colrIcc(iccProfile), pixi(), ispe(16, 12)] });
    fixture.associations = [{ item: 1, properties: [0x81, 2, 3, 4, 0x85, 6, 7] }, { item: 2, properties: [0x81, 8] }];
    const built = buildHeif(fixture);
    const report = inspectSync(built.file);
    expect(report.findings.find((finding) => finding.tag === 'Name')?.value).toBe('Holiday TitleSecret');
    expect(report.findings.find((finding) => finding.tag === 'CreationTime')?.category).toBe('time');
    const output = clean(built.file);
    expect(output.includes(Buffer.from('TitleSecret'))).toBe(false);
    const source = new BufferSource(output);
    const budget = new BoxBudget();
    const meta = readMeta(source, readBoxes(source, 0, output.length, budget).find((entry) => entry.type === 'meta')!, budget);
    expect(meta.iprp!.properties.map((property) => property.type)).toEqual(['hvcC', 'ispe', 'irot', 'colr', 'pixi', 'ispe']);
    const associations = meta.iprp!.associations[0]!.entries;
    expect(associations).toEqual([
      { itemId: 1, associations: [{ essential: true, index: 1 }, { essential: false, index: 2 }, { essential: true, index: 3 }, { essential: false, index: 4 }, { essential: false, index: 5 }] },
      { itemId: 2, associations: [{ essential: true, index: 1 }, { essential: false, index: 6 }] },
    ]);
  });

  it('keeps an image item whose last extent has length 0 ("to the end of the file")', () => {
    const fixture = standardFixture();
    fixture.items = [fixture.items[2]!, fixture.items[3]!, fixture.items[1]!, fixture.items[0]!];
    const built = buildHeif(fixture);
    const file = Buffer.from(built.file);
    const lengthField = file.indexOf(Buffer.concat([uint(4, built.ranges.get(1)![0]!.offset), uint(4, 400)]), file.indexOf('iloc', 0, 'latin1'));
    expect(lengthField).toBeGreaterThan(0);
    file.writeUInt32BE(0, lengthField + 4);
    const output = clean(file);
    const source = new BufferSource(output);
    const budget = new BoxBudget();
    const meta = readMeta(source, readBoxes(source, 0, output.length, budget).find((entry) => entry.type === 'meta')!, budget);
    const image = meta.iloc!.items.find((location) => location.id === 1)!;
    // The clean iloc states every length explicitly.
    expect(image.extents[0]!.length).toBe(400);
    expect(output.subarray(image.baseOffset + image.extents[0]!.offset, image.baseOffset + image.extents[0]!.offset + 400).equals(fakeImageData(400, 1))).toBe(true);
  });

  it('removes a metadata item built from other items (construction method 2), and still scans the file', () => {
    const built = buildHeif(standardFixture({ iloc: { version: 1 } }));
    const file = Buffer.from(built.file);
    const entry = file.indexOf(Buffer.from([0, 3, 0, 0, 0, 0]), file.indexOf('iloc', 0, 'latin1'));
    file.writeUInt16BE(2, entry + 2);
    expect(inspectSync(file).unreadable[0]).toContain('construction method 2');
    // Behaviour change (keep-list issue): it has no bytes of its own, so removing its entries removes it.
    const output = clean(file);
    expect([...itemBytes(output).keys()].sort()).toEqual([1, 2]);
  });

  it('a file without metadata loses only the bytes no item references, and is then already clean', () => {
    const built = buildHeif(standardFixture({ items: standardFixture().items.slice(0, 2), references: [{ type: 'thmb', from: 2, to: [1] }] }));
    const { result, data } = cleanBuffer(built.file);
    // The fixture's ICC profile is not a well-known standard one: it is re-written once.
    expect(result.removed.map((removal) => removal.where.replace(/@\d+/, ''))).toEqual(['meta/iprp/ipco/colr', 'mdat']);
    // The re-written profile's neutral text changes the meta box's length (nothing else moves but item offsets).
    expect([...itemBytes(data!).keys()].sort()).toEqual([1, 2]);
    const again = cleanBuffer(data!);
    expect(again.result.status).toBe('already-clean');
    expect(again.data!.equals(data!)).toBe(true);
  });
});

describe('HEIF clean (location only)', () => {
  it('removes the GPS IFD in place and the XMP location, keeping the rest and the mdat layout', () => {
    const built = buildHeif(standardFixture());
    const { result, data } = cleanBuffer(built.file, { only: 'location' });
    expect(result.error).toBeNull();
    expect(result.status).toBe('cleaned');
    const output = data!;
    const report = inspectSync(output);
    expect(report.locations).toEqual([]);
    expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
    expect(report.findings.find((finding) => finding.tag === 'Make')?.value).toBe('TestCam Inc.');
    expect(report.findings.find((finding) => finding.tag === 'dc:description')?.value).toBe('kept in location mode');
    expect(output.includes(Buffer.from('Fixtureville'))).toBe(false);
    // The image items are unchanged; the Exif item keeps its length (edited in place).
    const items = itemBytes(output);
    expect(items.get(1)!.equals(fakeImageData(400, 1))).toBe(true);
    expect(items.get(3)!.length).toBe(built.ranges.get(3)!.reduce((sum, range) => sum + range.length, 0));
    const again = cleanBuffer(output, { only: 'location' });
    expect(again.result.status).toBe('already-clean');
    expect(again.data!.equals(output)).toBe(true);
  });

  it('drops compressed XMP it cannot edit in place, and refuses nothing', () => {
    const fixture = standardFixture();
    fixture.items[3] = { ...fixture.items[3]!, contentEncoding: 'deflate', data: deflateSync(Buffer.from(xmp)) };
    const { result, data } = cleanBuffer(buildHeif(fixture).file, { only: 'location' });
    expect(result.error).toBeNull();
    expect(result.removed.find((removal) => removal.where === 'meta/XMP#4')?.note).toContain('compressed');
    expect(inspectSync(data!).locations).toEqual([]);
  });
});

describe('HEIF refusals', () => {
  const built = buildHeif(standardFixture());

  it('refuses truncated files with no output', () => {
    for (const cut of [20, 100, 300, built.file.length - 50, built.file.length - 1]) expectRefused(built.file.subarray(0, cut));
  });

  it('refuses a box that overruns its parent', () => {
    const broken = Buffer.from(built.file);
    const iloc = broken.indexOf('iloc', 0, 'latin1') - 4;
    broken.writeUInt32BE(broken.readUInt32BE(iloc) + 4000, iloc);
    expectRefused(broken, 'MALFORMED');
  });

  it('refuses item extents that point past the end of the file', () => {
    const fixture = buildHeif(standardFixture({ iloc: { version: 1 } }));
    const broken = Buffer.from(fixture.file);
    const exifExtent = fixture.ranges.get(3)![0]!.offset;
    const at = broken.indexOf(uint(4, exifExtent), broken.indexOf('iloc', 0, 'latin1'));
    broken.writeUInt32BE(broken.length + 10, at);
    expectRefused(broken, 'TRUNCATED');
  });

  it('removes (no longer refuses) unknown top-level boxes, item types, meta children and non-essential properties', () => {
    // Behaviour change (keep-list issue, point 4): unknown -> removed; refused only when essential.
    const cases = [
      buildHeif(standardFixture({ afterMdat: [box('abcd', Buffer.from('???'))] })).file,
      buildHeif({ ...standardFixture(), items: [...standardFixture().items, { id: 9, type: 'zzzz', data: Buffer.from('hidden data') }] }).file,
      buildHeif(standardFixture({ properties: [hvcC(), ispe(64, 48), box('qqqq', Buffer.from('x'))], associations: [{ item: 1, properties: [0x81, 2, 3] }] })).file,
      buildHeif(standardFixture({ metaExtras: [box('abcd', Buffer.from('x'))] })).file,
    ];
    for (const file of cases) expect(cleanBuffer(file).result.status).toBe('cleaned');
    expectRefused(buildHeif(standardFixture({ properties: [hvcC(), ispe(64, 48), box('qqqq', Buffer.from('x'))], associations: [{ item: 1, properties: [0x81, 2, 0x83] }] })).file, 'UNSUPPORTED_FORMAT');
  });

  it('refuses metadata bytes shared with a kept image', () => {
    const fixture = standardFixture();
    const file = buildHeif(fixture);
    const broken = Buffer.from(file.file);
    // Point the Exif item's extent into the primary image's bytes.
    const exifExtent = file.ranges.get(3)![0]!.offset;
    const at = broken.indexOf(uint(4, exifExtent), broken.indexOf('iloc', 0, 'latin1'));
    broken.writeUInt32BE(file.ranges.get(1)![0]!.offset, at);
    expectRefused(broken, 'UNSUPPORTED_FORMAT');
  });

  it('writes no file when it refuses', () => {
    const work = mkdtempSync(join(tmpdir(), 'traceless-heif-refuse-'));
    try {
      const input = join(work, 'broken.heic');
      writeFileSync(input, built.file.subarray(0, built.file.length - 7));
      const result = cleanSync(input, join(work, 'out.heic'));
      expect(result.status).toBe('refused');
      expect(readdirSync(work)).toEqual(['broken.heic']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('lets only TracelessError escape, for random bytes, truncations and mutations', () => {
    const onlyTraceless = (data: Buffer) => {
      const source = new BufferSource(data);
      for (const run of [() => heif.inspect(source), () => heif.plan!(source, planAll), () => heif.plan!(source, planLocation)]) {
        try {
          run();
        } catch (error) {
          if (!(error instanceof TracelessError)) throw error;
        }
      }
    };
    const valid = buildHeif(standardFixture({ iloc: { version: 1, baseOffsetSize: 4 }, afterMeta: [box('free', Buffer.from('x'))] })).file;
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => onlyTraceless(Buffer.concat([ftyp('heic', 'mif1'), Buffer.from(bytes)]))), { numRuns: 300 });
    fc.assert(fc.property(fc.integer({ min: 0, max: valid.length }), (cut) => onlyTraceless(valid.subarray(0, cut))), { numRuns: 300 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const mutated = Buffer.from(valid);
        for (const [at, value] of edits) mutated[at] = value;
        onlyTraceless(mutated);
      }),
      { numRuns: 1000 },
    );
  });
});

const tools = haveTool('exiftool') && haveTool('heif-enc') && haveTool('heif-convert') && haveTool('ffmpeg');
if (!tools) console.warn('HEIF encoder tests SKIPPED: exiftool, heif-enc, heif-convert and ffmpeg are needed');

describe.skipIf(!tools)('HEIF files made by real encoders', () => {
  let work: string;
  let heic: string;
  let avif: string;
  let sequence: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'traceless-heif-'));
    heic = await encodeHeic(work);
    avif = await encodeAvif(work);
    sequence = encodeAvifSequence(work);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** RGBA pixels of every image heif-convert writes for a file. */
  function heifPixels(path: string): Buffer[] {
    const dir = mkdtempSync(join(work, 'decoded-'));
    execFileSync('heif-convert', [path, join(dir, 'out.png')], { stdio: 'ignore' });
    return readdirSync(dir).sort().map((name) => execFileSync('/usr/bin/convert', [join(dir, name), '-depth', '8', 'rgba:-'], { maxBuffer: 64 * 1024 * 1024 }));
  }

  function cleanToFile(input: string, options: CleanOptions = {}): string {
    const output = join(work, `clean-${Math.random().toString(36).slice(2)}-${input.split('/').pop()}`);
    const result = cleanSync(input, output, options);
    expect(result.error).toBeNull();
    expect(result.verification?.ok).toBe(true);
    return output;
  }

  it('heif-enc HEIC: GPS decoded, then cleaned to what ExifTool finds clean, pixels unchanged', () => {
    const report = inspectSync(heic);
    expect(report.format.id).toBe('heif');
    expect(report.locations[0]?.latitude).toBeCloseTo(48.85837, 4);
    expect(report.locations[0]?.longitude).toBeCloseTo(2.294481, 4);
    expect(report.findings.find((finding) => finding.tag === 'Model')?.value).toBe('FixtureModel X1');
    const output = cleanToFile(heic);
    expect(sensitiveTags(exiftoolTags(output))).toEqual([]);
    const pixelsBefore = heifPixels(heic);
    const pixelsAfter = heifPixels(output);
    expect(pixelsAfter.length).toBe(pixelsBefore.length);
    pixelsAfter.forEach((pixels, index) => expect(pixels.equals(pixelsBefore[index]!)).toBe(true));
    const bytes = readFileSync(output);
    for (const text of ['FixtureMakeCo', 'SERIAL-HEIF-98765', 'Fixtureville', 'Heif Fixture Author', 'FixtureSoft']) expect(bytes.includes(Buffer.from(text)), text).toBe(false);
    expect(cleanBuffer(bytes).result.status).toBe('already-clean');
  });

  it('heif-enc HEIC keeps its thumbnail item', () => {
    const info = execFileSync('heif-info', [cleanToFile(heic)], { encoding: 'utf8' });
    expect(info).toMatch(/thumbnail/i);
  });

  it('sharp AVIF: cleaned, ExifTool finds nothing, pixels identical through sharp', async () => {
    expect(inspectSync(avif).locations).toHaveLength(1);
    const output = cleanToFile(avif);
    expect(sensitiveTags(exiftoolTags(output))).toEqual([]);
    const before = await sharp(avif).raw().toBuffer();
    const after = await sharp(output).raw().toBuffer();
    expect(after.equals(before)).toBe(true);
    expect(readFileSync(output).includes(Buffer.from('Sharp Fixture Owner'))).toBe(false);
  });

  it('location mode on a real HEIC: ExifTool finds no GPS or city, but still the camera model', () => {
    const output = cleanToFile(heic, { only: 'location' });
    const tags = exiftoolTags(output);
    expect(Object.keys(tags).filter((key) => /GPS|City/i.test(key))).toEqual([]);
    expect(Object.entries(tags).find(([key]) => key.endsWith(':Model'))?.[1]).toBe('FixtureModel X1');
    const before = heifPixels(heic);
    heifPixels(output).forEach((pixels, index) => expect(pixels.equals(before[index]!)).toBe(true));
  });

  it('AVIF sequence: moov user data, QuickTime location, XMP and times removed; frames unchanged', () => {
    const report = inspectSync(sequence);
    expect(report.locations.some((location) => location.where.includes('ISO6709'))).toBe(true);
    expect(report.findings.some((finding) => finding.where === 'moov/mvhd' && finding.category === 'time')).toBe(true);
    const output = cleanToFile(sequence);
    expect(sensitiveTags(exiftoolTags(output))).toEqual([]);
    const frames = (path: string) =>
      execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line && !line.startsWith('#'));
    expect(frames(output)).toEqual(frames(sequence));
    expect(frames(output).length).toBeGreaterThan(0);
    const bytes = readFileSync(output);
    expect(bytes.includes(Buffer.from('SequenceMakeCo'))).toBe(false);
    expect(cleanBuffer(bytes).result.status).toBe('already-clean');
  });

  it('with keepDates the sequence keeps its movie time', () => {
    const source = new BufferSource(readFileSync(sequence));
    expect(heif.plan!(source, planAll).removed.some((removal) => removal.kind === 'timestamp')).toBe(true);
    expect(heif.plan!(source, { ...planAll, keepDates: true }).removed.some((removal) => removal.kind === 'timestamp')).toBe(false);
    const { result, data } = cleanBuffer(readFileSync(sequence), { keepDates: true });
    expect(result.error).toBeNull();
    expect(inspectSync(data!).findings.filter((finding) => !finding.retained).map((finding) => finding.where)).toEqual(['moov/mvhd']);
  });

  it('ExifTool decodes the hand-built Apple MakerNote the same way (the fixture is faithful)', () => {
    const path = join(work, 'apple.heic');
    writeFileSync(path, buildHeif(standardFixture()).file);
    const tags = exiftoolTags(path);
    // ExifTool 12.57 calls tag 0x0011 MediaGroupUUID; later versions call it ContentIdentifier.
    expect(Object.entries(tags).find(([key]) => /(ContentIdentifier|MediaGroupUUID)$/.test(key))?.[1]).toBe(contentIdentifier);
    expect(Object.entries(tags).find(([key]) => key.endsWith('BurstUUID'))?.[1]).toBe(burstUuid);
    expect(existsSync(path)).toBe(true);
  });
});
