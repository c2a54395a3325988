/**
 * WebP: the RIFF container walked by hand; EXIF, XMP and unknown chunks reported and left out.
 * Reference: RFC 9649 "WebP Image Format" (2024); https://developers.google.com/speed/webp/docs/riff_container
 */
import { asTracelessError } from '../../errors.js';
import { reportFor, type FormatHandler } from '../types.js';
import { analyseWebp } from './analyse.js';
import { planWebp } from './plan.js';
import { isWebpHeader } from './riff.js';

export const webp: FormatHandler = {
  id: 'webp',
  name: 'WebP',
  extensions: ['webp'],
  cleanable: true,
  sniff: (head) => isWebpHeader(head),
  inspect(source, options) {
    try {
      return analyseWebp(source, options?.bestEffort ? reportFor(options) : undefined).report;
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
  plan(source, options) {
    try {
      return planWebp(source, options);
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
};
