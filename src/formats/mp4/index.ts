/**
 * MP4, MOV, M4V, 3GP: ISO/IEC 14496-12 (ISO base media file format), 14496-14 (MP4), Apple
 * QuickTime File Format, 3GPP TS 26.244. See walk.ts for what is found and how it is removed.
 *
 * Cleaning never moves a byte: metadata boxes become `free` boxes of the same size filled with
 * zeros, times become zero, and timed metadata tracks (GPS telemetry) become `free` boxes with
 * their samples in `mdat` zeroed. Chunk offsets therefore stay valid and `mdat` is copied in
 * bounded chunks, whatever the file's size.
 */
import { TracelessError, asTracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { CleanPlan, ContainerReport, FormatHandler, PlanOptions } from '../types.js';
import { piecesFor } from './edits.js';
import { isMp4 } from './sniff.js';
import { analyseMp4 } from './walk.js';

export function inspectMp4(source: ByteSource): ContainerReport {
  try {
    return analyseMp4(source, { mode: 'all', keepOrientation: true, keepDates: false }).report;
  } catch (error) {
    throw asTracelessError(error, source.name);
  }
}

export function planMp4(source: ByteSource, options: PlanOptions): CleanPlan {
  try {
    const analysis = analyseMp4(source, options);
    if (analysis.refusals.length > 0) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `cannot be cleaned safely: ${analysis.refusals.join('; ')}; nothing was written`);
    }
    return { pieces: piecesFor(analysis.edits.normalised(), source.size), removed: analysis.removed, kept: analysis.kept };
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
