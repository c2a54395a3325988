/**
 * One examination of an MP4/MOV file for one clean mode, and the clean copy as typed pieces:
 * every box outside `mdat` re-written by traceless (structure.ts, then the metadata walker's edits),
 * `mdat` headers re-written, the samples of kept tracks copied byte for byte, and every other byte of
 * `mdat` — removed tracks' samples, bytes no sample table references — written as zeros.
 */
import { internalError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { formatBytes } from '../../decode/exif.js';
import { boxEnd } from '../isobmff/boxes.js';
import { PlanBuilder } from '../plan-builder.js';
import type { CleanPlan, PlanOptions, PlanRemoval } from '../types.js';
import type { Edit } from './edits.js';
import { anyNonZero, mergeRanges, planMediaData, rangeOutsideMediaData, subtractRanges, unreferencedRanges } from './media-data.js';
import type { ByteRange } from './sample-table.js';
import { analyseStructure, type StructureResult } from './structure.js';
import { analyseMp4, type Mp4Analysis, type Mp4Reading } from './walk.js';

export interface Mp4Examination {
  analysis: Mp4Analysis;
  structure: StructureResult;
  /** Sample bytes copied into the output (kept samples minus bytes the walker zeroes). */
  copies: ByteRange[];
  edits: Edit[];
  removed: PlanRemoval[];
  refusals: string[];
}

const total = (ranges: readonly ByteRange[]) => ranges.reduce((sum, range) => sum + range.length, 0);

export function examineMp4(source: ByteSource, options: PlanOptions, reading: Mp4Reading = {}): Mp4Examination {
  const analysis = analyseMp4(source, options, reading);
  const structure = analyseStructure({
    source,
    movie: analysis.movie,
    boxes: analysis.boxes,
    mode: options.mode,
    droppedTracks: analysis.droppedTracks,
    droppedTrackIds: analysis.droppedTrackIds,
    report: analysis.report,
    budget: analysis.budget,
  });
  const refusals = [...analysis.refusals, ...structure.refusals];
  const removed = [...analysis.removed, ...structure.removed];
  const mediaData = analysis.boxes.filter((box) => box.type === 'mdat');
  const edits = analysis.edits.normalised();
  const kept = mergeRanges(analysis.keptSamples);
  const guarded = mergeRanges(analysis.guarded);
  if (total(subtractRanges(kept, guarded)) !== total(kept)) refusals.push('samples of a kept track lie inside metadata that must be removed');
  const outside = rangeOutsideMediaData(kept, mediaData);
  if (outside) refusals.push(`samples of a kept track (at offset ${outside.offset}) lie outside the media data ('mdat'), where traceless does not copy them`);
  const zeroed = mergeRanges(edits.filter((edit) => edit.data === undefined));
  const copies = subtractRanges(kept, zeroed);
  // Bytes of 'mdat' that no kept track references and the walker does not already remove.
  const unreferenced = subtractRanges(unreferencedRanges(kept, mediaData), guarded);
  if (anyNonZero(source, unreferenced)) {
    const bytes = total(unreferenced);
    const where = 'mdat';
    analysis.report.findings.push({ category: 'other', where, tag: 'UnreferencedMediaData', label: 'Bytes in the media data that no sample references', value: bytes, text: formatBytes(bytes) });
    removed.push({ where, kind: 'other', bytes, note: 'bytes of the media data that no kept sample references, zeroed' });
  }
  return { analysis, structure, copies, edits, removed, refusals };
}

/** Applies the walker's edits that fall inside `[base, base + data.length)`. */
function applyEdits(data: Buffer, base: number, edits: readonly Edit[]): void {
  for (const edit of edits) {
    if (edit.offset + edit.length <= base || edit.offset >= base + data.length) continue;
    if (edit.offset < base || edit.offset + edit.length > base + data.length) throw internalError(`an edit at ${edit.offset} crosses the box at ${base}`);
    if (edit.data) edit.data.copy(data, edit.offset - base);
    else data.fill(0, edit.offset - base, edit.offset - base + edit.length);
  }
}

export function buildMp4Plan(source: ByteSource, examination: Mp4Examination): CleanPlan {
  const { analysis, structure, copies, edits } = examination;
  const builder = new PlanBuilder();
  for (const box of analysis.boxes) {
    const region = structure.regions.get(box.offset);
    if (!region) throw internalError(`no output planned for the box at ${box.offset}`);
    if (region.kind === 'media') {
      planMediaData(builder, source, box, copies);
    } else if (region.kind === 'free') {
      builder.bytes(region.header);
      builder.zeros(region.zeros);
    } else {
      applyEdits(region.data, box.offset, edits);
      builder.bytes(region.data);
    }
    if (builder.outputLength !== boxEnd(box)) throw internalError(`the output of the box at ${box.offset} is ${builder.outputLength - box.offset} bytes, not ${box.size}`);
  }
  // Whatever follows the last box is not written (data after the end of the movie), unless it is a few zeros of padding.
  if (analysis.trailingZeros) builder.zeros(source.size - builder.outputLength);
  for (const removal of examination.removed) builder.removed.push(removal);
  for (const kept of analysis.kept) builder.keep(kept);
  return builder.build();
}
