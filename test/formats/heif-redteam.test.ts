/**
 * Red-team HEIF/AVIF files (issue 10): shapes the crafted suite does not build — text inside codec
 * configurations (SEI in hvcC, metadata OBUs in av1C), names in item headers kept in location mode,
 * a second `meta`, references to no item, hidden item entries past the count.
 */
import { describe, it } from 'vitest';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { box, buildHeif, fullBox, hvcC, iccProfileFixture, standardHeifFixture, uint, xmpPacket, type HeifFixture } from '../fixtures/heif.js';
import { expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';

const S = sentinelBytes;
const exifTiff = buildExifTiff(defaultExif);
const xmp = xmpPacket({ latitude: '48,51.5022N', longitude: '2,17.6689E', city: 'Fixtureville' });
function fixture(overrides: Partial<HeifFixture> = {}): HeifFixture {
  return standardHeifFixture({ exifTiff, xmp, icc: iccProfileFixture() }, overrides);
}

/** hvcC with one array of `nalType` holding one NAL unit (2-byte NAL header, then the payload). */
function hvcCWithArray(nalType: number, payload: Buffer): Buffer {
  const base = Buffer.from(hvcC().subarray(8));
  base[22] = 1;
  const nal = Buffer.concat([Buffer.from([nalType << 1, 1]), payload]);
  return box('hvcC', base, Buffer.from([0x80 | nalType]), uint(2, 1), uint(2, nal.length), nal);
}

describe('HEIF red team', () => {
  it('a user-data SEI in the hvcC of the primary image', () => {
    const spec = fixture();
    // SEI payload type 5 (user_data_unregistered): 16-byte UUID, then text.
    spec.properties![0] = hvcCWithArray(39, Buffer.concat([Buffer.from([5, 16 + S.length]), Buffer.alloc(16, 0x33), S, Buffer.from([0x80])]));
    expectSentinelGone(buildHeif(spec).file);
  });

  it('a metadata OBU in the av1C of an AVIF image', () => {
    const obu = Buffer.concat([Buffer.from([(5 << 3) | 2, 2 + S.length, 0x80 | 0x05 /* itut t35 */, 0]), S]);
    const av1C = box('av1C', Buffer.from([0x81, 0x00, 0x0c, 0x00]), obu);
    const spec = fixture({ brands: ['avif', 'mif1', 'miaf'] });
    spec.items[0]!.type = 'av01';
    spec.items[1]!.type = 'av01';
    spec.properties![0] = av1C;
    expectSentinelGone(buildHeif(spec).file);
  });

  it('content type and encoding of the XMP item carry text', () => {
    const spec = fixture();
    spec.items[3]!.contentEncoding = sentinel;
    expectSentinelGone(buildHeif(spec).file);
    const typed = fixture();
    typed.items[3]!.contentType = `application/rdf+xml; ${sentinel}`;
    expectSentinelGone(buildHeif(typed).file);
  });

  it('an XMP item whose content type is spelt in capitals (ExifTool reads it as XMP)', () => {
    const spec = fixture();
    spec.items[3]!.contentType = 'APPLICATION/RDF+XML';
    spec.items[3]!.data = Buffer.from(xmpPacket({ latitude: '48,51.5022N', longitude: '2,17.6689E', city: sentinel }), 'utf8');
    expectSentinelGone(buildHeif(spec).file);
  });

  it('a second meta box at the top level holding an XMP item', () => {
    const second = buildHeif(fixture({ items: [{ id: 1, type: 'mime', contentType: 'application/rdf+xml', data: Buffer.from(xmpPacket({ city: sentinel }), 'utf8') }], references: [], properties: [], associations: [] })).file;
    const metaAt = second.indexOf('meta', 0, 'latin1') - 4;
    const meta = second.subarray(metaAt, metaAt + second.readUInt32BE(metaAt));
    expectSentinelGone(buildHeif(fixture({ afterMdat: [meta] })).file);
    expectSentinelGone(buildHeif(fixture({ beforeMeta: [meta] })).file);
  });

  it('an Exif item whose type is spelt in lower case', () => {
    const spec = fixture();
    spec.items[2]!.type = 'exif';
    spec.items[2]!.data = Buffer.concat([spec.items[2]!.data, S]);
    expectSentinelGone(buildHeif(spec).file);
  });

  it('a meta box inside a top-level udta / moov-less trak', () => {
    expectSentinelGone(buildHeif(fixture({ afterMdat: [box('udta', box('meta', uint(4, 0), box('zzzz', S)))] })).file);
    expectSentinelGone(buildHeif(fixture({ afterMdat: [box('moov', box('udta', box('©cmt', uint(2, S.length), uint(2, 0), S)))] })).file);
  });

  it('an item info entry with a name after an empty name (infe v2 two strings)', () => {
    const spec = fixture({ itemNames: { 1: `\0${sentinel}` } });
    expectSentinelGone(buildHeif(spec).file);
  });

  it('text in the tail of an irot/imir/ispe-like known property with a second copy', () => {
    const spec = fixture();
    spec.properties!.push(box('imir', uint(1, 0), S), box('rloc', fullBox('rloc', 0, 0, uint(4, 0), uint(4, 0)).subarray(8), S), fullBox('lsel', 0, 0, uint(2, 0), S), fullBox('a1op', 0, 0, uint(1, 0), S), box('a1lx', uint(1, 0), uint(2, 0), uint(2, 0), uint(2, 0), S));
    spec.associations![0]!.properties.push(7, 8, 9, 10, 11);
    expectSentinelGone(buildHeif(spec).file);
  });

});
