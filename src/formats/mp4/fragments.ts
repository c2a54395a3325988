/**
 * Where the samples of a fragmented file are: ISO/IEC 14496-12:2022 §8.8.7 tfhd (base data offset,
 * default sample size, default-base-is-moof), §8.8.8 trun (data offset, per-sample sizes), §8.8.3
 * trex (defaults for the whole movie). Each run of samples is one contiguous byte range.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { BoxBudget, payloadSize, payloadStart, readChildren, type Box } from '../isobmff/boxes.js';
import type { ByteRange } from './sample-table.js';

const baseDataOffsetPresent = 0x01;
const defaultSampleSizePresent = 0x10;
const defaultBaseIsMoof = 0x20000;
const dataOffsetPresent = 0x01;
const firstSampleFlagsPresent = 0x04;
const sampleDurationPresent = 0x100;
const sampleSizePresent = 0x200;

export interface FragmentRun extends ByteRange {
  trackId: number;
}

/** Default sample sizes by track ID, from `moov/mvex/trex`. */
export function readTrackDefaults(source: ByteSource, mvex: Box | undefined, budget: BoxBudget): Map<number, number> {
  const defaults = new Map<number, number>();
  if (!mvex) return defaults;
  for (const trex of readChildren(source, mvex, budget, 2)) {
    if (trex.type !== 'trex' || payloadSize(trex) < 24) continue;
    const fields = source.read(payloadStart(trex), 24);
    defaults.set(fields.readUInt32BE(4), fields.readUInt32BE(16));
  }
  return defaults;
}

function fields(source: ByteSource, box: Box, minimum: number, where: string): Buffer {
  if (payloadSize(box) < minimum) throw new TracelessError('MALFORMED', `${where}: '${box.type}' is too small for its fields`);
  return source.read(payloadStart(box), payloadSize(box));
}

/** The sample runs of one `moof` (its byte ranges, by track). */
export function readFragmentRuns(source: ByteSource, moof: Box, defaults: ReadonlyMap<number, number>, budget: BoxBudget, where: string): FragmentRun[] {
  const runs: FragmentRun[] = [];
  let previousTrafEnd = moof.offset;
  for (const traf of readChildren(source, moof, budget, 2)) {
    if (traf.type !== 'traf') continue;
    const children = readChildren(source, traf, budget, 3);
    const tfhdBox = children.find((child) => child.type === 'tfhd');
    if (!tfhdBox) throw new TracelessError('MALFORMED', `${where}: a track fragment has no 'tfhd'`);
    const tfhd = fields(source, tfhdBox, 8, where);
    const flags = tfhd.readUInt32BE(0) & 0xffffff;
    const trackId = tfhd.readUInt32BE(4);
    let cursor = 8;
    let base = previousTrafEnd;
    if (flags & baseDataOffsetPresent) {
      if (tfhd.length < 16) throw new TracelessError('MALFORMED', `${where}: 'tfhd' is too small for its fields`);
      const big = tfhd.readBigUInt64BE(8);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new TracelessError('MALFORMED', `${where}: base data offset out of range`);
      base = Number(big);
      cursor += 8;
    } else if (flags & defaultBaseIsMoof) {
      base = moof.offset;
    }
    if (flags & 0x02) cursor += 4;
    if (flags & 0x08) cursor += 4;
    let defaultSize = defaults.get(trackId) ?? 0;
    if (flags & defaultSampleSizePresent) {
      if (tfhd.length < cursor + 4) throw new TracelessError('MALFORMED', `${where}: 'tfhd' is too small for its fields`);
      defaultSize = tfhd.readUInt32BE(cursor);
    }
    let next = base;
    for (const trunBox of children) {
      if (trunBox.type !== 'trun') continue;
      const trun = fields(source, trunBox, 8, where);
      const runFlags = trun.readUInt32BE(0) & 0xffffff;
      const count = trun.readUInt32BE(4);
      let at = 8;
      let start = next;
      if (runFlags & dataOffsetPresent) {
        if (trun.length < 12) throw new TracelessError('MALFORMED', `${where}: 'trun' is too small for its fields`);
        start = base + trun.readInt32BE(8);
        at += 4;
      }
      if (runFlags & firstSampleFlagsPresent) at += 4;
      const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => runFlags & bit).length * 4;
      if (at + count * perSample > trun.length) throw new TracelessError('MALFORMED', `${where}: 'trun' lists ${count} samples that do not fit in it`);
      let length = 0;
      if (runFlags & sampleSizePresent) {
        const sizeAt = at + (runFlags & sampleDurationPresent ? 4 : 0);
        for (let index = 0; index < count; index++) length += trun.readUInt32BE(sizeAt + index * perSample);
      } else {
        length = count * defaultSize;
      }
      if (start < 0 || !Number.isSafeInteger(start + length)) throw new TracelessError('MALFORMED', `${where}: a run of samples lies outside the file`);
      runs.push({ trackId, offset: start, length });
      next = start + length;
    }
    previousTrafEnd = next;
  }
  return runs;
}
