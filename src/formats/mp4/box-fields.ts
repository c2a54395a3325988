/**
 * The defined length of every structural box traceless keeps: how many payload bytes its fields
 * take, computed from the fields themselves (version, counts, flags). Whatever follows inside the
 * box is slack — bytes no reader needs — and is written as zeros.
 *
 * References: ISO/IEC 14496-12:2022 §8.2.2 mvhd, §8.3.2 tkhd, §8.4.2 mdhd, §8.4.5 vmhd/smhd/hmhd/
 * nmhd/sthd, §8.6.1–8.6.6 stts/ctts/cslg/stss/stsh/sdtp, §8.6.6 elst, §8.7.3–8.7.5 stsz/stz2/stsc/
 * stco/co64, §8.8 movie fragments (mehd, trex, mfhd, tfhd, trun, tfdt, tfra, mfro), §8.9 sbgp/sgpd,
 * §8.16.3 sidx, §8.16.5 prft, §8.1.3 pdin; Apple QuickTime File Format (gmin, tapt, load, text).
 */
import { TracelessError } from '../../errors.js';

/** What a field-length rule may need to know besides the payload. */
export interface FieldContext {
  /** Samples in the enclosing sample table (for `sdtp`, whose length is one byte per sample). */
  sampleCount?: number;
}

/** Payload bytes the box's fields take; throws MALFORMED when they do not fit in `payload`. */
export type FieldLength = (payload: Buffer, context: FieldContext, where: string) => number;

function need(payload: Buffer, length: number, where: string): number {
  if (!Number.isSafeInteger(length) || length > payload.length) {
    throw new TracelessError('MALFORMED', `${where}: its fields need ${length} bytes but the box holds ${payload.length}`);
  }
  return length;
}

function u32At(payload: Buffer, offset: number, where: string): number {
  need(payload, offset + 4, where);
  return payload.readUInt32BE(offset);
}

/** Full box with one size for version 0 and another for version 1. */
const versioned = (v0: number, v1: number): FieldLength => (payload, _context, where) => {
  need(payload, 4, where);
  const version = payload[0]!;
  if (version > 1) throw new TracelessError('MALFORMED', `${where}: version ${version} is not defined`);
  return need(payload, version === 1 ? v1 : v0, where);
};

const fixed = (length: number): FieldLength => (payload, _context, where) => need(payload, length, where);

/** Full box: version/flags, a 32-bit entry count at `countAt`, then `entryBytes` per entry. */
const counted = (entryBytes: number, countAt = 4): FieldLength => (payload, _context, where) => {
  const count = u32At(payload, countAt, where);
  return need(payload, countAt + 4 + count * entryBytes, where);
};

const elst: FieldLength = (payload, context, where) => {
  need(payload, 4, where);
  return counted(payload[0] === 1 ? 20 : 12)(payload, context, where);
};

const stsz: FieldLength = (payload, _context, where) => {
  const constant = u32At(payload, 4, where);
  const count = u32At(payload, 8, where);
  return need(payload, 12 + (constant === 0 ? count * 4 : 0), where);
};

const stz2: FieldLength = (payload, _context, where) => {
  const count = u32At(payload, 8, where);
  const bits = payload[7]!;
  if (bits !== 4 && bits !== 8 && bits !== 16) throw new TracelessError('MALFORMED', `${where}: field size ${bits} is not 4, 8 or 16`);
  return need(payload, 12 + Math.ceil((count * bits) / 8), where);
};

const sdtp: FieldLength = (payload, context, where) => {
  // One byte per sample; with no sample table to count, only the header is known.
  return need(payload, 4 + (context.sampleCount ?? 0), where);
};

const sbgp: FieldLength = (payload, context, where) => {
  need(payload, 4, where);
  return counted(8, payload[0] === 1 ? 12 : 8)(payload, context, where);
};

/** sgpd: entries of `default_length` bytes, or each prefixed by its own 32-bit length (version 1, default 0). */
const sgpd: FieldLength = (payload, _context, where) => {
  need(payload, 4, where);
  const version = payload[0]!;
  if (version === 0) throw new TracelessError('MALFORMED', `${where}: version 0 sample group descriptions have no entry length`);
  const defaultLength = u32At(payload, 8, where);
  let offset = version >= 2 ? 16 : 12;
  const count = u32At(payload, offset, where);
  offset += 4;
  if (defaultLength !== 0) return need(payload, offset + count * defaultLength, where);
  for (let index = 0; index < count; index++) {
    const length = u32At(payload, offset, where);
    offset = need(payload, offset + 4 + length, where);
  }
  return offset;
};

const tfhd: FieldLength = (payload, _context, where) => {
  const flags = u32At(payload, 0, where) & 0xffffff;
  let length = 8;
  if (flags & 0x01) length += 8; // base_data_offset
  if (flags & 0x02) length += 4; // sample_description_index
  if (flags & 0x08) length += 4; // default_sample_duration
  if (flags & 0x10) length += 4; // default_sample_size
  if (flags & 0x20) length += 4; // default_sample_flags
  return need(payload, length, where);
};

const trun: FieldLength = (payload, _context, where) => {
  const flags = u32At(payload, 0, where) & 0xffffff;
  const count = u32At(payload, 4, where);
  let length = 8;
  if (flags & 0x01) length += 4; // data_offset
  if (flags & 0x04) length += 4; // first_sample_flags
  const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4;
  return need(payload, length + count * perSample, where);
};

const tfra: FieldLength = (payload, _context, where) => {
  need(payload, 4, where);
  const lengths = u32At(payload, 8, where);
  const count = u32At(payload, 12, where);
  const timeBytes = payload[0] === 1 ? 16 : 8;
  const entry = timeBytes + ((lengths >> 4) & 3) + 1 + ((lengths >> 2) & 3) + 1 + (lengths & 3) + 1;
  return need(payload, 16 + count * entry, where);
};

const sidx: FieldLength = (payload, _context, where) => {
  need(payload, 4, where);
  const offset = payload[0] === 1 ? 28 : 20;
  need(payload, offset + 4, where);
  const count = payload.readUInt16BE(offset + 2);
  return need(payload, offset + 4 + count * 12, where);
};

/** Every entry of `pdin` is 8 bytes (rate, initial delay). */
const pdin: FieldLength = (payload, _context, where) => need(payload, 4 + Math.floor((payload.length - 4) / 8) * 8, where);

/** Leaf boxes kept at their defined length, by type. */
export const leafFields: ReadonlyMap<string, FieldLength> = new Map<string, FieldLength>([
  ['mvhd', versioned(100, 112)],
  ['tkhd', versioned(84, 96)],
  ['mdhd', versioned(24, 36)],
  ['mehd', versioned(8, 12)],
  ['vmhd', fixed(12)],
  ['smhd', fixed(8)],
  ['hmhd', fixed(20)],
  ['nmhd', fixed(4)],
  ['sthd', fixed(4)],
  ['gmin', fixed(16)],
  ['load', fixed(16)],
  ['clef', fixed(12)],
  ['prof', fixed(12)],
  ['enof', fixed(12)],
  ['elst', elst],
  ['stts', counted(8)],
  ['ctts', counted(8)],
  ['cslg', versioned(24, 44)],
  ['stss', counted(4)],
  ['stps', counted(4)],
  ['stsh', counted(8)],
  ['sdtp', sdtp],
  ['stsc', counted(12)],
  ['stsz', stsz],
  ['stz2', stz2],
  ['stco', counted(4)],
  ['co64', counted(8)],
  ['sbgp', sbgp],
  ['sgpd', sgpd],
  ['trex', fixed(24)],
  ['mfhd', fixed(8)],
  ['tfhd', tfhd],
  ['tfdt', versioned(8, 12)],
  ['trun', trun],
  ['tfra', tfra],
  ['mfro', fixed(8)],
  ['sidx', sidx],
  ['prft', versioned(16, 20)],
  ['pdin', pdin],
]);

/** Containers whose children are walked against the keep-list (ISO/IEC 14496-12 §8; QuickTime `gmhd`, `tapt`). */
export const containerBoxes: ReadonlySet<string> = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'mvex', 'moof', 'traf', 'mfra', 'gmhd', 'tapt']);
