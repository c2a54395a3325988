/**
 * MP4, MOV, M4V, 3GP: ISO/IEC 14496-12 (ISO base media file format), 14496-14 (MP4), Apple
 * QuickTime File Format, 3GPP TS 26.244. See walk.ts for what is found and how it is removed.
 *
 * Cleaning never moves a byte. Every box outside `mdat` is re-written by traceless from the fields
 * it parsed (structure.ts: a keep-list at every depth, slack zeroed); metadata and unknown boxes
 * become `free` boxes of the same size filled with zeros; times become zero; removed tracks become
 * `free` boxes. Of `mdat` only the samples of kept tracks are copied, byte for byte; every other
 * byte is zeros. Chunk offsets therefore stay valid, whatever the file's size.
 */
import { TracelessError, asTracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { reportFor, type CleanPlan, type ContainerInspectOptions, type ContainerReport, type FormatHandler, type PlanOptions } from '../types.js';
import { buildMp4Plan, examineMp4 } from './plan.js';
import { isMp4 } from './sniff.js';

export function inspectMp4(source: ByteSource, options?: ContainerInspectOptions): ContainerReport {
  try {
    const reading = options?.bestEffort ? { lenient: true, report: reportFor(options) } : {};
    return examineMp4(source, { mode: 'all', keepOrientation: true, keepDates: false }, reading).analysis.report;
  } catch (error) {
    throw asTracelessError(error, source.name);
  }
}

export function planMp4(source: ByteSource, options: PlanOptions): CleanPlan {
  try {
    const examination = examineMp4(source, options);
    if (examination.refusals.length > 0) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `cannot be cleaned safely: ${examination.refusals.join('; ')}; nothing was written`);
    }
    return buildMp4Plan(source, examination);
  } catch (error) {
    throw asTracelessError(error, source.name);
  }
}

export const mp4: FormatHandler = {
  id: 'mp4',
  name: 'MP4/MOV',
  extensions: ['mp4', 'm4v', 'mov', 'qt', '3gp', '3g2', 'm4a', 'lrv'],
  cleanable: true,
  sniff: isMp4,
  inspect: inspectMp4,
  plan: planMp4,
};
