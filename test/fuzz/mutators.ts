/**
 * Mutators: each takes a seed (bytes plus the structure found in it) and returns a new input.
 * They aim at what breaks parsers — lengths that lie, counts that are absurd, IFD offsets that loop,
 * boxes that overrun their parent, truncation exactly at a boundary, units repeated or nested far
 * past any sane number — and also do plain random damage. Each mutant is described by the list
 * of steps that made it (kept with a saved failure, so a person can see how it was made).
 */
import { crc32 } from 'node:zlib';
import type { Rng } from './rng.js';
import type { Field, Structure, Unit } from './structure.js';

export interface PreparedSeed {
  name: string;
  data: Buffer;
  structure: Structure;
}

export interface Mutant {
  data: Buffer;
  steps: string[];
}

/** Mutants grow by at most this much (repeats, splices): enough to pass every count limit's order of magnitude. */
const maxGrowthBytes = 2 << 20;

type Mutator = (rng: Rng, seed: PreparedSeed, others: readonly PreparedSeed[]) => Mutant | undefined;

// ---- field helpers ----------------------------------------------------------------------------

function readField(data: Buffer, field: Field): number {
  if (field.offset + field.width > data.length) return 0;
  switch (field.width) {
    case 1:
      return data[field.offset]!;
    case 2:
      return field.littleEndian ? data.readUInt16LE(field.offset) : data.readUInt16BE(field.offset);
    case 4:
      return field.littleEndian ? data.readUInt32LE(field.offset) : data.readUInt32BE(field.offset);
    case 8:
      return Number(field.littleEndian ? data.readBigUInt64LE(field.offset) : data.readBigUInt64BE(field.offset));
  }
}

function writeField(data: Buffer, field: Field, value: number): void {
  if (field.offset + field.width > data.length) return;
  if (field.width === 8) {
    const top = (1n << 64n) - 1n;
    const big = value >= 2 ** 64 ? top : value < 0 ? top + 1n + BigInt(Math.ceil(value)) : BigInt(Math.floor(value));
    field.littleEndian ? data.writeBigUInt64LE(big, field.offset) : data.writeBigUInt64BE(big, field.offset);
    return;
  }
  const modulus = 2 ** (8 * field.width);
  let wrapped = Math.floor(value) % modulus;
  if (wrapped < 0) wrapped += modulus;
  if (field.width === 1) data[field.offset] = wrapped;
  else if (field.width === 2) field.littleEndian ? data.writeUInt16LE(wrapped, field.offset) : data.writeUInt16BE(wrapped, field.offset);
  else field.littleEndian ? data.writeUInt32LE(wrapped, field.offset) : data.writeUInt32BE(wrapped, field.offset);
}

function maxFor(field: Field): number {
  return 2 ** (8 * field.width) - 1;
}

/** Values that break length and offset arithmetic. */
function interestingValue(rng: Rng, field: Field, current: number, size: number): number {
  const max = maxFor(field);
  const choices = [
    0, 1, 2, 3, 4, 7, 8, 9, 12, 16,
    current - 1, current + 1, current - 2, current + 2, current * 2, Math.floor(current / 2), current + 0x100,
    size, size + 1, size - field.offset, size - field.offset + 1,
    max, max - 1, Math.floor(max / 2), Math.floor(max / 2) + 1,
    0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0,
    rng.below(Math.max(1, size * 2)),
  ];
  if (field.width === 8) choices.push(2 ** 53 - 1, 2 ** 53, 2 ** 63, 2 ** 64 - 1);
  return rng.pick(choices);
}

function absurdCount(rng: Rng, field: Field, current: number): number {
  const max = maxFor(field);
  return rng.pick([0, 1, current + 1, current * 16, current + 1000, 0xff, 0x100, 0xffff, 0x10000, 1_000_000, 0x7fffffff, 0xffffffff, max, max - 1]);
}

function lengthFieldOf(structure: Structure, unit: Unit, data: Buffer): Field | undefined {
  const candidates = structure.fields.filter((field) => field.unit === unit && field.role === 'length');
  if (unit.family === 'box' && candidates.length > 0) {
    const small = candidates.find((field) => field.width === 4 && field.offset === unit.start);
    if (small && readField(data, small) === 1) return candidates.find((field) => field.width === 8);
    if (small && readField(data, small) === 0) return undefined;
    return small;
  }
  return candidates[0];
}

/**
 * Replaces `[unit.start, unit.end)` by `replacement` and, when `fixParents`, grows or shrinks the
 * length fields of every enclosing unit of the same family, so the container stays consistent and
 * the parser walks into the change instead of stopping at the first wrong length.
 */
export function replaceUnit(seed: PreparedSeed, unit: Unit, replacement: Buffer, fixParents: boolean): Buffer {
  const { data, structure } = seed;
  const out = Buffer.concat([data.subarray(0, unit.start), replacement, data.subarray(unit.end)]);
  if (!fixParents) return out;
  const delta = replacement.length - (unit.end - unit.start);
  for (const parent of structure.units) {
    if (parent === unit || parent.family !== unit.family || !(parent.start <= unit.start && parent.end >= unit.end && parent.end - parent.start > unit.end - unit.start)) continue;
    const field = lengthFieldOf(structure, parent, data);
    if (!field || field.offset >= unit.start) continue;
    writeField(out, field, readField(data, field) + delta);
  }
  return out;
}

const clampLength = (length: number, size: number) => Math.max(0, Math.min(size, length));

// ---- mutators -----------------------------------------------------------------------------------

const truncateAtBoundary: Mutator = (rng, seed) => {
  const boundary = rng.pick(seed.structure.boundaries);
  const length = clampLength(boundary + rng.pick([-2, -1, 0, 0, 0, 0, 1, 2, 3, 4, 8]), seed.data.length);
  return { data: seed.data.subarray(0, length), steps: [`truncate at boundary ${boundary} -> ${length} bytes`] };
};

const truncateAnywhere: Mutator = (rng, seed) => {
  const length = rng.below(seed.data.length + 1);
  return { data: seed.data.subarray(0, length), steps: [`truncate to ${length} bytes`] };
};

const setLengthField: Mutator = (rng, seed) => {
  const fields = seed.structure.fields.filter((field) => field.role === 'length' || field.role === 'offset');
  if (fields.length === 0) return undefined;
  const field = rng.pick(fields);
  const data = Buffer.from(seed.data);
  const current = readField(data, field);
  let value = interestingValue(rng, field, current, data.length);
  if (field.unit && rng.chance(0.3)) value = current + (field.unit.parentEnd - field.unit.end) + rng.pick([1, 2, 4, 8, 64, 4096]);
  writeField(data, field, value);
  return { data, steps: [`${field.role} field (${field.width * 8}-bit${field.littleEndian ? ' LE' : ''}) at ${field.offset}: ${current} -> ${value}`] };
};

const setCountField: Mutator = (rng, seed) => {
  const fields = seed.structure.fields.filter((field) => field.role === 'count');
  if (fields.length === 0) return undefined;
  const field = rng.pick(fields);
  const data = Buffer.from(seed.data);
  const current = readField(data, field);
  const value = absurdCount(rng, field, current);
  writeField(data, field, value);
  return { data, steps: [`count field (${field.width * 8}-bit) at ${field.offset}: ${current} -> ${value}`] };
};

const setTypeOrVersion: Mutator = (rng, seed) => {
  const fields = seed.structure.fields.filter((field) => field.role === 'type' || field.role === 'version');
  if (fields.length === 0) return undefined;
  const field = rng.pick(fields);
  const data = Buffer.from(seed.data);
  const current = readField(data, field);
  const value = field.role === 'type' ? rng.pick([0, 1, 2, 3, 4, 5, 7, 9, 10, 12, 13, 14, 16, 17, 18, 19, 0xff, 0xffff]) : rng.pick([0, 1, 2, 3, 4, 0xff]);
  writeField(data, field, value);
  return { data, steps: [`${field.role} at ${field.offset}: ${current} -> ${value}`] };
};

const flipBytes: Mutator = (rng, seed) => {
  if (seed.data.length === 0) return undefined;
  const data = Buffer.from(seed.data);
  const count = rng.range(1, 8);
  const steps: string[] = [];
  for (let index = 0; index < count; index++) {
    // Half of the flips land near a structural boundary, where the headers are.
    const at = rng.chance(0.5) ? Math.min(data.length - 1, rng.pick(seed.structure.boundaries) + rng.below(16)) : rng.below(data.length);
    if (rng.chance(0.5)) data[at] = data[at]! ^ (1 << rng.below(8));
    else data[at] = rng.below(256);
    steps.push(`byte ${at} = ${data[at]}`);
  }
  return { data, steps: [`flip ${steps.join(', ')}`] };
};

/** IFD offsets that loop or are shared: a pointer to its own IFD, back to IFD0, to another IFD, to itself. */
const tiffCycle: Mutator = (rng, seed) => {
  const tiffs = seed.structure.tiffs.filter((tiff) => tiff.pointers.length > 0 && tiff.ifdOffsets.length > 0);
  if (tiffs.length === 0) return undefined;
  const tiff = rng.pick(tiffs);
  const pointer = rng.pick(tiff.pointers);
  const data = Buffer.from(seed.data);
  const ownIfd = pointer.unit ? pointer.unit.start - tiff.base : tiff.ifdOffsets[0]!;
  const target = rng.pick([
    ownIfd, tiff.ifdOffsets[0]!, rng.pick(tiff.ifdOffsets), pointer.offset - tiff.base, pointer.offset - tiff.base - 2,
    ownIfd + 1, 0, 2, 4, 8, data.length - tiff.base, data.length - tiff.base - 2, 0xffffffff, 0x7fffffff,
  ]);
  writeField(data, pointer, target);
  return { data, steps: [`IFD pointer at ${pointer.offset} -> ${target} (TIFF at ${tiff.base}, IFDs ${tiff.ifdOffsets.slice(0, 8).join(',')})`] };
};

/** A standalone TIFF whose IFD chain goes on for longer than any limit: many tiny IFDs appended. */
const tiffChain: Mutator = (rng, seed) => {
  const tiff = seed.structure.tiffs.find((candidate) => candidate.base === 0 && !candidate.bigTiff && candidate.pointers.length > 0);
  if (!tiff) return undefined;
  const count = rng.pick([16, 100, 511, 513, 600, 2000]);
  const le = tiff.littleEndian;
  const start = seed.data.length + (seed.data.length & 1);
  const ifdBytes = 2 + 12 + 4;
  const chain = Buffer.alloc(start - seed.data.length + count * ifdBytes);
  for (let index = 0; index < count; index++) {
    const at = start - seed.data.length + index * ifdBytes;
    const write16 = (value: number, offset: number) => (le ? chain.writeUInt16LE(value, offset) : chain.writeUInt16BE(value, offset));
    const write32 = (value: number, offset: number) => (le ? chain.writeUInt32LE(value, offset) : chain.writeUInt32BE(value, offset));
    write16(1, at);
    write16(0x0131, at + 2); // Software, ASCII, 4 bytes inline
    write16(2, at + 4);
    write32(4, at + 6);
    chain.write('abc\0', at + 10, 'latin1');
    const last = index === count - 1;
    write32(last ? (rng.chance(0.5) ? 0 : start) : start + (index + 1) * ifdBytes, at + 14);
  }
  const data = Buffer.concat([seed.data, chain]);
  // Link the last IFD already in the file (its next pointer) to the new chain.
  const nextPointers = tiff.pointers.filter((pointer) => pointer.unit && pointer.offset === pointer.unit.end - 4);
  const link = nextPointers.length > 0 ? rng.pick(nextPointers) : tiff.pointers[0]!;
  writeField(data, link, start);
  return { data, steps: [`append a chain of ${count} IFDs at ${start}, linked from ${link.offset}`] };
};

/** A child unit made longer than its parent by a few bytes or a lot. */
const overrunParent: Mutator = (rng, seed) => {
  const units = seed.structure.units.filter((unit) => unit.parentEnd < seed.data.length || unit.depth > 0);
  if (units.length === 0) return undefined;
  const unit = rng.pick(units);
  const field = lengthFieldOf(seed.structure, unit, seed.data);
  if (!field) return undefined;
  const data = Buffer.from(seed.data);
  const current = readField(data, field);
  const value = current + (unit.parentEnd - unit.end) + rng.pick([1, 2, 3, 7, 8, 16, 255, 65536]);
  writeField(data, field, value);
  return { data, steps: [`${unit.family} unit at ${unit.start} overruns its parent (ends ${unit.parentEnd}): length ${current} -> ${value}`] };
};

const deleteUnit: Mutator = (rng, seed) => {
  if (seed.structure.units.length === 0) return undefined;
  const unit = rng.pick(seed.structure.units);
  const fix = rng.chance(0.7);
  return { data: replaceUnit(seed, unit, Buffer.alloc(0), fix), steps: [`delete ${unit.family} unit ${unit.start}..${unit.end}${fix ? ' (parents fixed)' : ''}`] };
};

const duplicateUnit: Mutator = (rng, seed) => {
  const units = seed.structure.units.filter((unit) => unit.end - unit.start <= 1 << 20);
  if (units.length === 0) return undefined;
  const unit = rng.pick(units);
  const bytes = seed.data.subarray(unit.start, unit.end);
  const times = rng.chance(0.8) ? rng.range(1, 4) : rng.pick([50, 200, 1000, 3000]);
  const budget = Math.max(1, Math.floor(maxGrowthBytes / Math.max(1, bytes.length)));
  const copies = Math.min(times, budget);
  const fix = rng.chance(0.7);
  const replacement = Buffer.concat(Array.from({ length: copies + 1 }, () => bytes));
  return { data: replaceUnit(seed, unit, replacement, fix), steps: [`repeat ${unit.family} unit ${unit.start}..${unit.end} ${copies} more times${fix ? ' (parents fixed)' : ''}`] };
};

const swapUnits: Mutator = (rng, seed) => {
  const units = seed.structure.units;
  if (units.length < 2) return undefined;
  const first = rng.pick(units);
  const siblings = units.filter((unit) => unit !== first && unit.family === first.family && unit.depth === first.depth && (unit.start >= first.end || unit.end <= first.start));
  if (siblings.length === 0) return undefined;
  const second = rng.pick(siblings);
  const [a, b] = first.start < second.start ? [first, second] : [second, first];
  const d = seed.data;
  const data = Buffer.concat([d.subarray(0, a.start), d.subarray(b.start, b.end), d.subarray(a.end, b.start), d.subarray(a.start, a.end), d.subarray(b.end)]);
  return { data, steps: [`swap ${a.family} units ${a.start}..${a.end} and ${b.start}..${b.end}`] };
};

const retypeUnit: Mutator = (rng, seed) => {
  const units = seed.structure.units.filter((unit) => unit.typeOffset !== undefined && unit.typeWidth);
  if (units.length === 0) return undefined;
  const unit = rng.pick(units);
  const width = unit.typeWidth!;
  const sameWidth = seed.structure.typeNames.filter((name) => name.length === width);
  const type = sameWidth.length > 0 && rng.chance(0.8) ? rng.pick(sameWidth) : rng.bytes(width);
  const data = Buffer.from(seed.data);
  type.copy(data, unit.typeOffset!);
  return { data, steps: [`retype ${unit.family} unit at ${unit.start} as ${JSON.stringify(type.toString('latin1'))}`] };
};

const scramblePayload: Mutator = (rng, seed) => {
  const units = seed.structure.units.filter((unit) => unit.end - unit.start > unit.headerBytes);
  if (units.length === 0) return undefined;
  const unit = rng.pick(units);
  const data = Buffer.from(seed.data);
  const start = unit.start + unit.headerBytes;
  const length = Math.min(unit.end - start, rng.chance(0.5) ? rng.range(1, 64) : unit.end - start);
  const at = start + rng.below(unit.end - start - length + 1);
  rng.bytes(length).copy(data, at);
  return { data, steps: [`random payload bytes ${at}..${at + length} in ${unit.family} unit at ${unit.start}`] };
};

const insertBytes: Mutator = (rng, seed) => {
  const at = rng.pick(seed.structure.boundaries);
  const length = rng.pick([1, 2, 3, 4, 8, 16, 64, 1024]);
  const bytes = rng.weighted<Buffer>([[3, rng.bytes(length)], [1, Buffer.alloc(length)], [1, Buffer.alloc(length, 0xff)]]);
  const data = Buffer.concat([seed.data.subarray(0, at), bytes, seed.data.subarray(at)]);
  return { data, steps: [`insert ${length} bytes at ${at}`] };
};

const randomInput: Mutator = (rng, seed) => {
  const keep = rng.pick([0, 2, 4, 8, 12, 16, 32, 64]);
  const length = rng.pick([0, 1, 8, 16, 64, 256, 1024, 4096]);
  const data = Buffer.concat([seed.data.subarray(0, keep), rng.bytes(length)]);
  return { data, steps: [`first ${keep} bytes of the seed, then ${length} random bytes`] };
};

const splice: Mutator = (rng, seed, others) => {
  const other = rng.pick(others);
  const cut = rng.pick(seed.structure.boundaries);
  const from = rng.pick(other.structure.boundaries);
  const data = Buffer.concat([seed.data.subarray(0, cut), other.data.subarray(from, Math.min(other.data.length, from + maxGrowthBytes))]);
  return { data, steps: [`seed bytes 0..${cut}, then ${other.name} from ${from}`] };
};

/** Containers nested far deeper than any real file (and past the documented maximum). */
const nestDeep: Mutator = (rng, seed) => {
  const nested = rng.chance(0.5);
  const units = seed.structure.units.filter((unit) => (unit.family === 'box' || unit.family === 'riff') && unit.end - unit.start < 1 << 20 && unit.depth > 0 === nested);
  const candidates = units.length > 0 ? units : seed.structure.units.filter((unit) => unit.family === 'box' || unit.family === 'riff');
  if (candidates.length === 0) return undefined;
  const unit = rng.pick(candidates);
  const depth = rng.pick([8, 31, 32, 33, 40, 100, 1000]);
  const containerTypes = unit.family === 'box' ? ['moov', 'trak', 'udta', 'meta', 'iprp', 'ipco', 'mdia', 'minf', 'stbl', 'dinf', 'moof', 'traf', 'edts'] : ['LIST'];
  const type = rng.pick(containerTypes);
  // Headers from the innermost out, each sizing everything inside it; joined once at the end.
  const core = seed.data.subarray(unit.start, unit.end);
  const headers: Buffer[] = [];
  let size = core.length;
  for (let level = 0; level < depth; level++) {
    const header = Buffer.alloc(unit.family === 'box' ? (type === 'meta' ? 12 : 8) : 12);
    if (unit.family === 'box') {
      header.writeUInt32BE((header.length + size) >>> 0, 0);
      header.write(type, 4, 'latin1');
    } else {
      header.write('LIST', 0, 'latin1');
      header.writeUInt32LE((4 + size) >>> 0, 4);
      header.write('INFO', 8, 'latin1');
    }
    size += header.length;
    headers.push(header);
  }
  const inner = Buffer.concat([...headers.reverse(), core]);
  return { data: replaceUnit(seed, unit, inner, true), steps: [`wrap ${unit.family} unit at ${unit.start} in ${depth} nested '${type}'`] };
};

const textMutation: Mutator = (rng, seed) => {
  const { structure } = seed;
  if (!structure.text) return undefined;
  const d = seed.data;
  const kind = rng.pick(['number', 'repeat', 'delete', 'nest', 'entity', 'insert']);
  const at = rng.pick(structure.boundaries);
  switch (kind) {
    case 'number': {
      if (structure.numbers.length === 0) return undefined;
      const number = rng.pick(structure.numbers);
      const text = rng.pick(['99999999999999999999999', '-1', '1e309', '-0', 'NaN', '0x41', '', '.', '1.2.3', '4294967296', '9'.repeat(400)]);
      return { data: Buffer.concat([d.subarray(0, number.offset), Buffer.from(text, 'latin1'), d.subarray(number.offset + number.length)]), steps: [`number at ${number.offset} -> ${text.slice(0, 40)}`] };
    }
    case 'repeat': {
      const end = rng.pick(structure.boundaries.filter((boundary) => boundary > at).slice(0, 64).concat([d.length]));
      const times = rng.pick([2, 10, 1000, 20000]);
      const piece = d.subarray(at, end);
      const copies = Math.min(times, Math.floor(maxGrowthBytes / Math.max(1, piece.length)));
      return { data: Buffer.concat([d.subarray(0, end), ...Array.from({ length: copies }, () => piece), d.subarray(end)]), steps: [`repeat text ${at}..${end} ${copies} times`] };
    }
    case 'delete': {
      const end = rng.pick(structure.boundaries.filter((boundary) => boundary > at).slice(0, 16).concat([d.length]));
      return { data: Buffer.concat([d.subarray(0, at), d.subarray(end)]), steps: [`delete text ${at}..${end}`] };
    }
    case 'nest': {
      const depth = rng.pick([100, 5000, 50000]);
      const open = '<rdf:Description>'.repeat(depth);
      return { data: Buffer.concat([d.subarray(0, at), Buffer.from(open, 'latin1'), d.subarray(at)]), steps: [`insert ${depth} unclosed elements at ${at}`] };
    }
    case 'entity': {
      const text = rng.pick(['&#0;', '&#x110000;', '&amp;amp;', '&unknown;', '&#99999999999;', '<![CDATA[', ']]>', '\u0000', '\uFEFF', '"', "'", '<', '>', '&']);
      return { data: Buffer.concat([d.subarray(0, at), Buffer.from(text, 'utf8'), d.subarray(at)]), steps: [`insert ${JSON.stringify(text)} at ${at}`] };
    }
    default: {
      const text = rng.pick([' exif:GPSLatitude="91,0N"', '<exif:GPSLongitude>181,0W</exif:GPSLongitude>', '[latitude: 1e400] [longitude: -]', 'GPS(,,)', '<key>adjustmentTimestamp</key><date>', 'x'.repeat(70000)]);
      return { data: Buffer.concat([d.subarray(0, at), Buffer.from(text, 'utf8'), d.subarray(at)]), steps: [`insert ${JSON.stringify(text.slice(0, 40))} at ${at}`] };
    }
  }
};

/**
 * Sentinels smuggled into structures a cleaner may keep (keep-list issue): the oracle checks that
 * no output holds them. The strict one goes where no mode may keep anything (slack after a kept
 * structure's defined fields, unknown structures, data after the end); the loose one goes where
 * location mode may legitimately keep a text value (inside a text chunk, a metadata box or segment),
 * so only the default mode must remove it.
 */
export const strictSentinel = 'TLSENTINEL-STRICT-9Z';
export const looseSentinel = 'TLSENTINEL-LOOSE-4K';

/** Units whose payload is image or sample data, copied byte for byte: a sentinel there is part of the picture. */
const imageDataTypes = new Set(['IDAT', 'fdAT', 'VP8 ', 'VP8L', 'ALPH', 'movi', 'mdat', 'jxlc', 'jxlp', 'jp2c', 'idx1']);
/** AVI stream chunks (stream number, then wb audio, dc/db video, pc palette): sample data as well. */
const aviStreamChunk = /^[0-9]{2}(wb|dc|db|pc)$/;
/** Units that carry free text or metadata values that location mode may keep. */
const valueTypes = /^(tEXt|zTXt|iTXt|eXIf|EXIF|XMP |udta|meta|ilst|data|keys|©...|Exif|xml |mime|LIST|INFO)$/;

function unitType(data: Buffer, unit: Unit): string {
  if (unit.typeOffset === undefined || !unit.typeWidth) return '';
  return data.toString('latin1', unit.typeOffset, unit.typeOffset + unit.typeWidth);
}

function smuggleText(strict: boolean): Buffer {
  // Even length keeps RIFF chunks unpadded.
  const text = strict ? strictSentinel : looseSentinel;
  return Buffer.from(text.length % 2 === 0 ? text : `${text}!`, 'latin1');
}

/** A sentinel appended to a unit's payload (its own length fixed, and its parents'), or after the end, or as an unknown sibling. */
const smuggleSentinel: Mutator = (rng, seed) => {
  const { data, structure } = seed;
  const how = rng.pick(['slack', 'slack', 'slack', 'unknown-sibling', 'after-end']);
  if (how === 'after-end') {
    // A bare JPEG XL codestream (FF 0A) ends where its last frame's sections end, which only a full
    // decoder of its headers and TOC can tell; traceless copies it whole and says so (README, kept).
    if (data[0] === 0xff && data[1] === 0x0a) return undefined;
    return { data: Buffer.concat([data, smuggleText(true)]), steps: ['sentinel after the end of the file'] };
  }
  const units = structure.units.filter((unit) => {
    if (unit.family === 'ifd' || unit.family === 'iptc' || unit.family === 'ebml' || unit.family === 'ts') return false;
    if (unit.end > data.length || unit.end - unit.start < unit.headerBytes) return false;
    const type = unitType(data, unit);
    if (imageDataTypes.has(type) || (unit.family === 'riff' && aviStreamChunk.test(type))) return false;
    // Bytes after an AVI stream format's header are codec data, kept whole for the decoder (README).
    if (unit.family === 'riff' && type === 'strf') return false;
    // A signature found inside image or sample data (FF D8 FF in an HEVC slice of an mdat) is no
    // structure: bytes inserted there are part of the picture, which is copied byte for byte.
    if (structure.units.some((outer) => outer !== unit && outer.start < unit.start && outer.end >= unit.end && outer.family !== 'jpeg' && imageDataTypes.has(unitType(data, outer)))) return false;
    if (unit.family === 'gif' && data[unit.start] !== 0x21) return false;
    if (unit.family === 'jpeg' && (unit.end - unit.start === 2 || data[unit.start + 1] === 0xda)) return false;
    return true;
  });
  if (units.length === 0) return undefined;
  const unit = rng.pick(units);
  const type = unitType(data, unit);
  if (how === 'unknown-sibling') {
    const payload = smuggleText(true);
    let sibling: Buffer;
    if (unit.family === 'box') {
      sibling = Buffer.alloc(8 + payload.length);
      sibling.writeUInt32BE(sibling.length, 0);
      sibling.write('zqzq', 4, 'latin1');
      payload.copy(sibling, 8);
    } else if (unit.family === 'riff') {
      sibling = Buffer.alloc(8 + payload.length);
      sibling.write('ZQZQ', 0, 'latin1');
      sibling.writeUInt32LE(payload.length, 4);
      payload.copy(sibling, 8);
    } else if (unit.family === 'png') {
      sibling = Buffer.alloc(12 + payload.length);
      sibling.writeUInt32BE(payload.length, 0);
      sibling.write('zqZq', 4, 'latin1');
      payload.copy(sibling, 8);
      sibling.writeUInt32BE(crc32(sibling.subarray(4, 8 + payload.length)) >>> 0, 8 + payload.length);
    } else if (unit.family === 'jpeg') {
      sibling = Buffer.concat([Buffer.from([0xff, 0xef, 0, payload.length + 2]), payload]);
    } else return undefined;
    const inserted = replaceUnit(seed, unit, Buffer.concat([data.subarray(unit.start, unit.end), sibling]), true);
    return { data: fixChecksums(inserted), steps: [`unknown ${unit.family} unit holding the strict sentinel after the ${type || unit.family} unit at ${unit.start}`] };
  }
  // Inside a metadata container (a QuickTime item's value, an EXIF or XMP chunk), location mode may
  // keep the text a unit holds: only the default mode answers for a sentinel there.
  const insideValue = structure.units.some((outer) => outer !== unit && outer.start <= unit.start && outer.end >= unit.end && (valueTypes.test(unitType(data, outer)) || (outer.family === 'jpeg' && data[outer.start + 1]! >= 0xe1 && data[outer.start + 1]! <= 0xef)));
  const strict = !insideValue && !valueTypes.test(type) && !(unit.family === 'jpeg' && data[unit.start + 1]! >= 0xe1 && data[unit.start + 1]! <= 0xef) && data[unit.start + 1] !== 0xfe;
  const text = smuggleText(strict);
  const own = lengthFieldOf(structure, unit, data);
  let insertAt = unit.end;
  let addition = text;
  if (unit.family === 'png') insertAt = unit.end - 4;
  if (unit.family === 'gif') {
    insertAt = unit.end - 1;
    addition = Buffer.concat([Buffer.from([text.length]), text]);
  }
  const grown = Buffer.concat([data.subarray(unit.start, insertAt), addition, data.subarray(insertAt, unit.end)]);
  if (own && unit.family !== 'gif') {
    const relative = own.offset - unit.start;
    if (relative < 0 || relative + own.width > grown.length) return undefined;
    const value = readField(data, own) + addition.length;
    if (value > maxFor(own)) return undefined;
    writeField(grown, { ...own, offset: relative }, value);
  }
  const out = replaceUnit(seed, unit, grown, true);
  return { data: fixChecksums(out), steps: [`${strict ? 'strict' : 'loose'} sentinel in the slack of the ${type || unit.family} unit at ${unit.start}`] };
};

/** Mutators that keep the size, safe to stack. */
const inPlace: Mutator[] = [setLengthField, setCountField, setTypeOrVersion, flipBytes, tiffCycle, overrunParent, retypeUnit, scramblePayload];

const stacked: Mutator = (rng, seed, others) => {
  let current: PreparedSeed = seed;
  const steps: string[] = [];
  const rounds = rng.range(2, 4);
  for (let round = 0; round < rounds; round++) {
    const mutant = rng.pick(inPlace)(rng, current, others);
    if (!mutant) continue;
    steps.push(...mutant.steps);
    current = { ...current, data: mutant.data };
  }
  return steps.length > 0 ? { data: current.data, steps } : undefined;
};

export const mutators: readonly (readonly [number, string, Mutator])[] = [
  [10, 'truncate-boundary', truncateAtBoundary],
  [3, 'truncate', truncateAnywhere],
  [12, 'length-field', setLengthField],
  [8, 'count-field', setCountField],
  [4, 'type-version', setTypeOrVersion],
  [10, 'byte-flips', flipBytes],
  [8, 'ifd-cycle', tiffCycle],
  [2, 'ifd-chain', tiffChain],
  [8, 'overrun-parent', overrunParent],
  [4, 'delete-unit', deleteUnit],
  [5, 'duplicate-unit', duplicateUnit],
  [3, 'swap-units', swapUnits],
  [4, 'retype-unit', retypeUnit],
  [5, 'scramble-payload', scramblePayload],
  [3, 'insert-bytes', insertBytes],
  [3, 'random-bytes', randomInput],
  [2, 'splice', splice],
  [3, 'nest-deep', nestDeep],
  [8, 'text', textMutation],
  [6, 'stacked', stacked],
  [10, 'smuggle-sentinel', smuggleSentinel],
];

/** Recomputes PNG CRCs and the RIFF size, so that a mutant is not refused for those alone. */
function fixChecksums(data: Buffer): Buffer {
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF') data.writeUInt32LE(data.length - 8, 4);
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47) {
    let offset = 8;
    for (let count = 0; offset + 12 <= data.length && count < 10_000; count++) {
      const length = data.readUInt32BE(offset);
      if (offset + 12 + length > data.length) break;
      data.writeUInt32BE(crc32(data.subarray(offset + 4, offset + 8 + length)) >>> 0, offset + 8 + length);
      offset += 12 + length;
    }
  }
  return data;
}

/** One mutant of one of `seeds` (others: seeds of every format, for splicing). */
export function mutate(rng: Rng, seeds: readonly PreparedSeed[], others: readonly PreparedSeed[]): Mutant & { seed: string; mutator: string } {
  const seed = rng.pick(seeds);
  for (let attempt = 0; attempt < 8; attempt++) {
    const [, name, mutator] = rng.weighted(mutators.map((entry) => [entry[0], entry] as const));
    const mutant = mutator(rng, seed, others.length > 0 ? others : seeds);
    if (!mutant) continue;
    let data = mutant.data;
    if (rng.chance(0.4)) {
      data = fixChecksums(Buffer.from(data));
      mutant.steps.push('checksums fixed');
    }
    return { data, steps: mutant.steps, seed: seed.name, mutator: name };
  }
  return { data: seed.data.subarray(0, rng.below(seed.data.length + 1)), steps: ['truncate (fallback)'], seed: seed.name, mutator: 'truncate' };
}
