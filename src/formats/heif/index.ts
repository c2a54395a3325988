/**
 * HEIC / HEIF / AVIF still images and image sequences (ISO/IEC 23008-12, ISO/IEC 14496-12,
 * MIAF ISO/IEC 23000-22, AVIF 1.1). One handler for every HEIF brand: the container is the same,
 * only the codec of the image items differs, and traceless never decodes those.
 */
import type { FormatHandler } from '../types.js';
import { inspectHeif } from './inspect.js';
import { planHeif } from './plan.js';
import { sniffHeif } from './sniff.js';

export const heif: FormatHandler = {
  id: 'heif',
  name: 'HEIC/HEIF/AVIF',
  extensions: ['heic', 'heif', 'heics', 'heifs', 'hif', 'avif', 'avifs'],
  cleanable: true,
  sniff: sniffHeif,
  inspect: inspectHeif,
  plan: planHeif,
};
