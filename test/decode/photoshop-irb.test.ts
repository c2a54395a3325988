/** Photoshop image resources in location mode: an allow-list, each kept resource re-written. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TracelessError } from '../../src/errors.js';
import { decodeIptc, readImageResources, readIptc } from '../../src/decode/iptc.js';
import { filterImageResourcesForLocation } from '../../src/decode/photoshop-irb.js';
import { containsSentinel, sentinel } from '../helpers/sentinel.js';

/** One resource block as a writer might lay it out: any signature, any Pascal name, even padding. */
function resource(id: number, payload: Buffer, name = '', signature = '8BIM'): Buffer {
  const nameBytes = Buffer.from(name, 'latin1');
  const pascal = Buffer.concat([Buffer.from([nameBytes.length]), nameBytes]);
  const paddedName = Buffer.concat([pascal, Buffer.alloc(pascal.length & 1)]);
  const head = Buffer.alloc(6);
  head.write(signature, 0, 'latin1');
  head.writeUInt16BE(id, 4);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(payload.length);
  return Buffer.concat([head, paddedName, size, payload, Buffer.alloc(payload.length & 1)]);
}

function dataset(record: number, number: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const head = Buffer.from([0x1c, record, number, 0, 0]);
  head.writeUInt16BE(bytes.length, 3);
  return Buffer.concat([head, bytes]);
}

const resolution = Buffer.from('0048000000010001004800000001000100'.slice(0, 32), 'hex');

const iptc = Buffer.concat([
  dataset(1, 90, Buffer.from([0x1b, 0x25, 0x47])),
  dataset(2, 0, Buffer.from([0, 4])),
  dataset(2, 25, 'holiday'),
  dataset(2, 80, 'Jane Doe'),
  dataset(2, 90, `City ${sentinel}`),
  dataset(2, 92, `Sub ${sentinel}`),
  dataset(2, 101, `Country ${sentinel}`),
  dataset(2, 27, `Content location ${sentinel}`),
  dataset(2, 40, `Special instructions ${sentinel}`),
  dataset(3, 1, sentinel),
]);

function profileWithSentinel(): Buffer {
  // Minimal v2 profile: header, one desc tag holding the sentinel, one white point.
  const desc = Buffer.alloc(12 + sentinel.length + 1 + 78);
  desc.write('desc', 0, 'latin1');
  desc.writeUInt32BE(sentinel.length + 1, 8);
  desc.write(sentinel, 12, 'latin1');
  const descPadded = Buffer.concat([desc, Buffer.alloc((4 - (desc.length % 4)) % 4)]);
  const wtpt = Buffer.from('58595a20000000000000f6d6000100000000d32d', 'hex');
  const table = Buffer.alloc(4 + 24);
  table.writeUInt32BE(2, 0);
  table.write('desc', 4, 'latin1');
  table.writeUInt32BE(128 + 28, 8);
  table.writeUInt32BE(desc.length, 12);
  table.write('wtpt', 16, 'latin1');
  table.writeUInt32BE(128 + 28 + descPadded.length, 20);
  table.writeUInt32BE(20, 24);
  const head = Buffer.alloc(128);
  head.writeUInt32BE(128 + 28 + descPadded.length + 20, 0);
  head.writeUInt32BE(0x02100000, 8);
  head.write('mntrRGB XYZ ', 12, 'latin1');
  head.write('acsp', 36, 'latin1');
  return Buffer.concat([head, table, descPadded, wtpt]);
}

const sentinelPayload = Buffer.from(`<x:xmpmeta>${sentinel}</x:xmpmeta>`);

describe('filterImageResourcesForLocation', () => {
  const input = Buffer.concat([
    resource(0x03ed, resolution, `name ${sentinel}`),
    resource(0x0404, iptc),
    resource(0x0425, Buffer.from(sentinel.padEnd(16, '.').slice(0, 16))),
    resource(0x0424, sentinelPayload),
    resource(0x0422, Buffer.concat([Buffer.from('MM\0*'), Buffer.from(sentinel)])),
    resource(0x040c, Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from(sentinel)])),
    resource(0x041e, Buffer.from(sentinel, 'utf16le')),
    resource(0x0bb7, Buffer.from(sentinel)),
    resource(0x7777, Buffer.from(sentinel)),
    resource(0x040d, Buffer.from([0, 0, 0, 30])),
    resource(0x040f, profileWithSentinel()),
  ]);

  it('holds the sentinel before and none after; the kept resources are the allow-listed ones', () => {
    expect(containsSentinel(input)).toBe(true);
    const { data, removed } = filterImageResourcesForLocation(input);
    expect(containsSentinel(data)).toBe(false);
    const kept = readImageResources(data);
    expect(kept.map((entry) => entry.id)).toEqual([0x03ed, 0x0404, 0x040d, 0x040f]);
    for (const entry of kept) {
      expect(data.toString('latin1', entry.offset, entry.offset + 4)).toBe('8BIM');
      expect(data.readUInt16BE(entry.offset + 6)).toBe(0); // empty name, padded
      expect(entry.length % 2).toBe(0);
    }
    expect(data.subarray(kept[0]!.dataOffset, kept[0]!.dataOffset + 16)).toEqual(resolution);
    expect(removed).toEqual(expect.arrayContaining([
      'Photoshop resource 0x0425 (IPTC digest)',
      'Photoshop resource 0x0424 (XMP)',
      'Photoshop resource 0x0422 (EXIF)',
      'Photoshop resource 0x040c (thumbnail)',
      'Photoshop resource 0x041e (URL list)',
      'Photoshop resource 0x0bb7 (clipping path name)',
      'Photoshop resource 0x7777',
      'IPTC 2:90 City',
      'IPTC 2:40',
      'IPTC 3:1',
    ]));
  });

  it('keeps the IPTC datasets that hold no place, byte for byte, and drops every place', () => {
    const { data } = filterImageResourcesForLocation(input);
    const entry = readImageResources(data).find((candidate) => candidate.id === 0x0404)!;
    const payload = data.subarray(entry.dataOffset, entry.dataOffset + entry.dataLength);
    expect(readIptc(payload).map((item) => `${item.record}:${item.dataset}`)).toEqual(['1:90', '2:0', '2:25', '2:80']);
    const findings = decodeIptc(payload, 'IPTC');
    expect(findings.map((finding) => finding.tag)).toEqual(['Keywords', 'By-line']);
    expect(findings.some((finding) => finding.category === 'location')).toBe(false);
  });

  it('re-writes a kept ICC profile', () => {
    const { data, removed } = filterImageResourcesForLocation(input);
    const entry = readImageResources(data).find((candidate) => candidate.id === 0x040f)!;
    expect(data.toString('latin1', entry.dataOffset + 36, entry.dataOffset + 40)).toBe('acsp');
    expect(removed.some((what) => what.startsWith('ICC profile: text of tag'))).toBe(true);
  });

  it('removes an IPTC resource left with nothing but versions', () => {
    const only = resource(0x0404, Buffer.concat([dataset(2, 0, Buffer.from([0, 4])), dataset(2, 90, sentinel)]));
    const { data, removed } = filterImageResourcesForLocation(only);
    expect(data.length).toBe(0);
    expect(removed).toEqual(expect.arrayContaining(['IPTC 2:90 City']));
  });

  it('removes a kept dataset whose text spells out coordinates', () => {
    const crafted = resource(0x0404, Buffer.concat([dataset(2, 120, 'Sunset over the lake'), dataset(2, 120, `Shot at 48°51'30.1"N 2°17'40.2"E ${sentinel}`)]));
    const { data, removed } = filterImageResourcesForLocation(crafted);
    expect(containsSentinel(data)).toBe(false);
    expect(data.includes(Buffer.from('Sunset over the lake'))).toBe(true);
    expect(removed).toEqual([expect.stringMatching(/^IPTC 2:120 Caption-Abstract/)]);
  });

  it('removes a fixed-size resource whose length is not its defined one', () => {
    const { data, removed } = filterImageResourcesForLocation(resource(0x03ed, Buffer.concat([resolution, Buffer.from(sentinel)])));
    expect(data.length).toBe(0);
    expect(removed[0]).toMatch(/0x03ed \(resolution\) \(39 bytes where 16 are defined\)/);
  });

  it('removes duplicates, other signatures and trailing bytes', () => {
    const crafted = Buffer.concat([
      resource(0x03ed, resolution),
      resource(0x03ed, resolution, sentinel),
      resource(0x040d, Buffer.from([0, 0, 0, 30]), '', 'MeSa'),
      Buffer.from(sentinel.slice(0, 11)),
    ]);
    const { data, removed } = filterImageResourcesForLocation(crafted);
    expect(readImageResources(data).map((entry) => entry.id)).toEqual([0x03ed]);
    expect(data.includes(Buffer.from(sentinel.slice(0, 11)))).toBe(false);
    expect(removed).toEqual(["duplicate Photoshop resource 0x03ed (resolution)", "Photoshop resource 0x040d (global lighting angle) under signature 'MeSa'", '11 bytes after the last resource']);
  });

  it('removes unreadable IPTC and ICC payloads instead of copying them', () => {
    const crafted = Buffer.concat([resource(0x0404, Buffer.from(`\x1c\x02\x19\xff\xff${sentinel}`, 'latin1')), resource(0x040f, Buffer.from(sentinel))]);
    const { data, removed } = filterImageResourcesForLocation(crafted);
    expect(data.length).toBe(0);
    expect(removed.map((what) => what.replace(/ \(unreadable.*/, ''))).toEqual(['IPTC', 'Photoshop resource 0x040f (ICC profile)']);
  });

  it('throws TracelessError on blocks it cannot walk', () => {
    expect(() => filterImageResourcesForLocation(Buffer.from(`8BIM\x04\x04\0\0\x7f\xff\xff\xff${sentinel}`, 'latin1'))).toThrow(TracelessError);
    expect(() => filterImageResourcesForLocation(Buffer.concat([resource(0x03ed, resolution), Buffer.from(`XXXX${sentinel}`)]))).toThrow(TracelessError);
  });

  it('is idempotent and only ever throws TracelessError on mutated blocks', () => {
    const once = filterImageResourcesForLocation(input).data;
    expect(filterImageResourcesForLocation(once)).toEqual({ data: once, removed: [] });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(input.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(input.length), (edits, cut) => {
        const mutated = Buffer.from(input.subarray(0, cut));
        for (const [at, value] of edits) if (at < mutated.length) mutated[at] = value;
        try {
          // A mutation can turn a City into a Keywords dataset (kept by design), so the law here
          // is structural: the output walks cleanly and holds only allow-listed resources.
          const { data } = filterImageResourcesForLocation(mutated);
          for (const entry of readImageResources(data)) expect([0x03ed, 0x0404, 0x040d, 0x040f, 0x0411, 0x0419]).toContain(entry.id);
        } catch (error) {
          expect(error).toBeInstanceOf(TracelessError);
        }
      }),
      { numRuns: 500, seed: 10 },
    );
  });
});
