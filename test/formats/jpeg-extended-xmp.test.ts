/** Extended XMP is re-assembled by GUID and chunk offset, not joined in file order (issue 12). */
import { describe, expect, it } from 'vitest';
import { assembleExtendedXmp } from '../../src/formats/jpeg/inspect.js';
import { TracelessError } from '../../src/errors.js';

function chunk(guid: string, total: number, offset: number, data: string): Buffer {
  const header = Buffer.alloc(40);
  header.write(guid.padEnd(32, '0'), 0, 'latin1');
  header.writeUInt32BE(total, 32);
  header.writeUInt32BE(offset, 36);
  return Buffer.concat([header, Buffer.from(data, 'latin1')]);
}

describe('Extended XMP re-assembly', () => {
  const packet = '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>';
  const first = packet.slice(0, 10);
  const rest = packet.slice(10);

  it('places each chunk at its offset, whatever the order in the file', () => {
    const out = assembleExtendedXmp([chunk('A1', packet.length, 10, rest), chunk('A1', packet.length, 0, first)]);
    expect(out.map((entry) => entry.data.toString('latin1'))).toEqual([packet]);
  });

  it('keeps two GUIDs apart', () => {
    const out = assembleExtendedXmp([chunk('A1', packet.length, 0, first), chunk('B2', packet.length, 0, packet), chunk('A1', packet.length, 10, rest)]);
    expect(out.map((entry) => entry.data.toString('latin1'))).toEqual([packet, packet]);
  });

  it('refuses a gap, an overlap or a length the chunks disagree on', () => {
    expect(() => assembleExtendedXmp([chunk('A1', packet.length, 0, first)])).toThrow(TracelessError);
    expect(() => assembleExtendedXmp([chunk('A1', packet.length, 0, first), chunk('A1', packet.length, 5, rest)])).toThrow(TracelessError);
    expect(() => assembleExtendedXmp([chunk('A1', packet.length, 0, first), chunk('A1', packet.length + 1, 10, rest)])).toThrow(TracelessError);
  });
});
