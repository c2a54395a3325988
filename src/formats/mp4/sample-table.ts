/**
 * Where a track's samples are: ISO/IEC 14496-12 §8.7 (stsz/stz2 sample sizes, stsc sample-to-chunk,
 * stco/co64 chunk offsets). Counts are checked against the box sizes before anything is allocated,
 * so a crafted table cannot make traceless allocate more than the `moov` it came from.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { payloadSize, payloadStart, printable, type Box } from '../isobmff/boxes.js';

export interface SampleTableBoxes {
  stsz?: Box;
  stz2?: Box;
  stsc?: Box;
  stco?: Box;
  co64?: Box;
}

export interface ByteRange {
  offset: number;
  length: number;
}

export interface SampleTable {
  /** File offset of each chunk. */
  chunkOffsets: Float64Array;
  /** Samples in each chunk (same length as chunkOffsets). */
  samplesPerChunk: Uint32Array;
  /** Size of each sample, or a single constant size when `constantSize` is set. */
  sampleSizes: Uint32Array;
  constantSize: number;
  sampleCount: number;
}

function fullPayload(source: ByteSource, box: Box, what: string): Buffer {
  if (payloadSize(box) < 8) throw new TracelessError('MALFORMED', `${what}: '${printable(box.type)}' box is too small`);
  return source.read(payloadStart(box), payloadSize(box));
}

/** Checks that `count` entries of `entryBytes` fit in the rest of the payload. */
function checkEntries(data: Buffer, start: number, count: number, entryBytes: number, what: string): void {
  if (count * entryBytes > data.length - start) {
    throw new TracelessError('MALFORMED', `${what}: ${count} entries do not fit in ${data.length - start} bytes`);
  }
}

function readChunkOffsets(source: ByteSource, boxes: SampleTableBoxes, what: string): Float64Array {
  const box = boxes.co64 ?? boxes.stco;
  if (!box) return new Float64Array(0);
  const data = fullPayload(source, box, what);
  const count = data.readUInt32BE(4);
  const wide = box.type === 'co64';
  checkEntries(data, 8, count, wide ? 8 : 4, `${what}/${box.type}`);
  const offsets = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    if (wide) {
      const value = data.readBigUInt64BE(8 + index * 8);
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TracelessError('MALFORMED', `${what}/co64: chunk offset out of range`);
      offsets[index] = Number(value);
    } else {
      offsets[index] = data.readUInt32BE(8 + index * 4);
    }
  }
  return offsets;
}

function readSampleSizes(source: ByteSource, boxes: SampleTableBoxes, what: string): { sizes: Uint32Array; constant: number; count: number } {
  if (boxes.stsz) {
    const data = fullPayload(source, boxes.stsz, what);
    const constant = data.readUInt32BE(4);
    if (data.length < 12) throw new TracelessError('MALFORMED', `${what}/stsz: box is too small`);
    const count = data.readUInt32BE(8);
    if (constant !== 0) return { sizes: new Uint32Array(0), constant, count };
    checkEntries(data, 12, count, 4, `${what}/stsz`);
    const sizes = new Uint32Array(count);
    for (let index = 0; index < count; index++) sizes[index] = data.readUInt32BE(12 + index * 4);
    return { sizes, constant: 0, count };
  }
  if (boxes.stz2) {
    const data = fullPayload(source, boxes.stz2, what);
    if (data.length < 12) throw new TracelessError('MALFORMED', `${what}/stz2: box is too small`);
    const fieldBits = data[7]!;
    const count = data.readUInt32BE(8);
    if (fieldBits !== 4 && fieldBits !== 8 && fieldBits !== 16) throw new TracelessError('MALFORMED', `${what}/stz2: field size ${fieldBits} is not 4, 8 or 16`);
    checkEntries(data, 12, Math.ceil((count * fieldBits) / 8), 1, `${what}/stz2`);
    const sizes = new Uint32Array(count);
    for (let index = 0; index < count; index++) {
      if (fieldBits === 16) sizes[index] = data.readUInt16BE(12 + index * 2);
      else if (fieldBits === 8) sizes[index] = data[12 + index]!;
      else sizes[index] = (data[12 + (index >> 1)]! >> (index & 1 ? 0 : 4)) & 0x0f;
    }
    return { sizes, constant: 0, count };
  }
  return { sizes: new Uint32Array(0), constant: 0, count: 0 };
}

function readSamplesPerChunk(source: ByteSource, boxes: SampleTableBoxes, chunkCount: number, what: string): Uint32Array {
  const perChunk = new Uint32Array(chunkCount);
  if (!boxes.stsc || chunkCount === 0) return perChunk;
  const data = fullPayload(source, boxes.stsc, what);
  const count = data.readUInt32BE(4);
  checkEntries(data, 8, count, 12, `${what}/stsc`);
  let previousFirst = 0;
  for (let index = 0; index < count; index++) {
    const first = data.readUInt32BE(8 + index * 12);
    const samples = data.readUInt32BE(12 + index * 12);
    const next = index + 1 < count ? data.readUInt32BE(8 + (index + 1) * 12) : chunkCount + 1;
    if (first <= previousFirst || (index === 0 && first !== 1)) throw new TracelessError('MALFORMED', `${what}/stsc: chunk runs are out of order`);
    previousFirst = first;
    for (let chunk = first; chunk < next && chunk <= chunkCount; chunk++) perChunk[chunk - 1] = samples;
  }
  return perChunk;
}

export function readSampleTable(source: ByteSource, boxes: SampleTableBoxes, what: string): SampleTable {
  const chunkOffsets = readChunkOffsets(source, boxes, what);
  const { sizes, constant, count } = readSampleSizes(source, boxes, what);
  const samplesPerChunk = readSamplesPerChunk(source, boxes, chunkOffsets.length, what);
  return { chunkOffsets, samplesPerChunk, sampleSizes: sizes, constantSize: constant, sampleCount: count };
}

/**
 * Calls `visit` with the byte range of each sample, chunk by chunk, until it returns false.
 * Throws MALFORMED when the chunks claim more samples than the size table lists, or a sample
 * lies outside the file: a table that does not add up cannot be trusted to locate bytes to erase.
 */
export function forEachSample(table: SampleTable, fileSize: number, what: string, visit: (range: ByteRange, index: number) => boolean | void): void {
  let sample = 0;
  for (let chunk = 0; chunk < table.chunkOffsets.length; chunk++) {
    let offset = table.chunkOffsets[chunk]!;
    const inChunk = table.samplesPerChunk[chunk]!;
    if (sample + inChunk > table.sampleCount) throw new TracelessError('MALFORMED', `${what}: chunks hold more samples than the sample size table lists`);
    for (let index = 0; index < inChunk; index++, sample++) {
      const length = table.constantSize || table.sampleSizes[sample]!;
      if (offset + length > fileSize) throw new TracelessError('TRUNCATED', `${what}: sample ${sample + 1} at ${offset} runs past the end of the file`);
      if (visit({ offset, length }, sample) === false) return;
      offset += length;
    }
  }
}

/**
 * Each chunk as one byte range (runs of samples that sit back to back). `strict` throws when a
 * chunk runs past the end of the file; otherwise the range is cut at the end (for tracks that are
 * only copied, whose bytes traceless never needs to find).
 */
export function chunkRanges(table: SampleTable, fileSize: number, what: string, strict = true): ByteRange[] {
  const ranges: ByteRange[] = [];
  let sample = 0;
  for (let chunk = 0; chunk < table.chunkOffsets.length; chunk++) {
    const offset = table.chunkOffsets[chunk]!;
    const inChunk = Math.min(table.samplesPerChunk[chunk]!, Math.max(0, table.sampleCount - sample));
    let length = 0;
    if (table.constantSize) length = table.constantSize * inChunk;
    else for (let index = 0; index < inChunk; index++) length += table.sampleSizes[sample + index]!;
    sample += inChunk;
    if (offset + length > fileSize) {
      if (strict) throw new TracelessError('TRUNCATED', `${what}: chunk ${chunk + 1} at ${offset} runs past the end of the file`);
      length = Math.max(0, fileSize - offset);
    }
    ranges.push({ offset, length });
  }
  return ranges;
}
