/**
 * GIF: blocks walked by hand; comments, XMP and application data reported and left out.
 * Reference: GIF89a Specification, https://www.w3.org/Graphics/GIF/spec-gif89a.txt
 */
import { asTracelessError } from '../../errors.js';
import { reportFor, type FormatHandler } from '../types.js';
import { analyseGif } from './analyse.js';
import { isGifHeader } from './blocks.js';
import { planGif } from './plan.js';

export const gif: FormatHandler = {
  id: 'gif',
  name: 'GIF',
  extensions: ['gif'],
  cleanable: true,
  sniff: (head) => isGifHeader(head),
  inspect(source, options) {
    try {
      return analyseGif(source, options?.bestEffort ? reportFor(options) : undefined).report;
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
  plan(source, options) {
    try {
      return planGif(source, options);
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
};
