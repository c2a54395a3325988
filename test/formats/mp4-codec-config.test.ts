/**
 * src/formats/mp4/codec-config.ts: the defined length of an avcC record (ISO/IEC 14496-15
 * §5.3.2.1). What follows it inside the box is slack, zeroed by a clean; the High-profile fields
 * count only when their reserved bits are there.
 */
import { describe, expect, it } from 'vitest';
import { codecConfigurationLength } from '../../src/formats/mp4/codec-config.js';

/** An avcC payload: version, profile, compatibility, level, length size, one SPS, one PPS. */
function avcC(profile: number, tail: Buffer = Buffer.alloc(0)): Buffer {
  const sps = Buffer.from([0x67, profile, 0x00, 0x0c, 0xac, 0xd9]);
  const pps = Buffer.from([0x68, 0xeb, 0xec, 0xb2, 0x2c]);
  return Buffer.concat([
    Buffer.from([1, profile, 0, 0x0c, 0xff, 0xe1]),
    Buffer.from([0, sps.length]), sps,
    Buffer.from([1, 0, pps.length]), pps,
    tail,
  ]);
}

describe('avcC length', () => {
  const recordBytes = avcC(66).length;

  it('ends after the parameter sets (Baseline), whatever follows', () => {
    expect(codecConfigurationLength('avcC', avcC(66))).toBe(recordBytes);
    expect(codecConfigurationLength('avcC', avcC(66, Buffer.from('TLSENTINEL-STRICT-9Z')))).toBe(recordBytes);
  });

  it('counts the High-profile fields when their reserved bits are set, with their extension sets', () => {
    const fields = Buffer.from([0xfd, 0xf8, 0xf8, 0]);
    expect(codecConfigurationLength('avcC', avcC(100, fields))).toBe(recordBytes + 4);
    const withExtension = Buffer.concat([Buffer.from([0xfd, 0xf8, 0xf8, 1, 0, 2, 0x6d, 0x00])]);
    expect(codecConfigurationLength('avcC', avcC(100, withExtension))).toBe(recordBytes + 8);
  });

  it('treats bytes after a High-profile record without those fields as slack, not as decoder data to keep', () => {
    // The fuzz finding: text after the record read as the fields made the parse fail, and the box was kept whole.
    expect(codecConfigurationLength('avcC', avcC(100, Buffer.from('TLSENTINEL-STRICT-9Z')))).toBe(recordBytes);
    // Fields whose extension sets do not fit: the record ends before them.
    expect(codecConfigurationLength('avcC', avcC(100, Buffer.from([0xfd, 0xf8, 0xf8, 9, 0, 50])))).toBe(recordBytes);
  });
});
