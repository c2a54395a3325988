/**
 * Matroska and WebM (RFC 9559 on EBML, RFC 8794; WebM: https://www.webmproject.org/docs/container/).
 * Scan: inspect.ts. Clean: plan.ts, in place — removed elements become EBML `Void` elements of
 * the same size, so nothing moves and SeekHead/Cues positions stay valid; the keep-list is
 * policy.ts; the EBML reader/writer is ebml.ts; element IDs are elements.ts.
 */
import { asTracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { CleanPlan, FormatHandler, PlanOptions } from '../types.js';
import { inspectMatroska, isMatroska } from './inspect.js';
import { buildMatroskaPlan } from './plan.js';

export function planMatroska(source: ByteSource, options: PlanOptions): CleanPlan {
  try {
    return buildMatroskaPlan(source, options);
  } catch (error) {
    throw asTracelessError(error, source.name);
  }
}

export const matroska: FormatHandler = {
  id: 'matroska',
  name: 'Matroska/WebM',
  extensions: ['mkv', 'mka', 'webm', 'mk3d'],
  cleanable: true,
  sniff: isMatroska,
  inspect: inspectMatroska,
  plan: planMatroska,
};
