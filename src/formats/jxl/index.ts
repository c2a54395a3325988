/**
 * JPEG XL (ISO/IEC 18181-2 container, or a bare codestream): metadata boxes reported and cut, the
 * codestream copied byte for byte. See `container.ts`.
 */
import { asTracelessError } from '../../errors.js';
import type { FormatHandler } from '../types.js';
import { isJxl, walkJxl } from './container.js';

export const jxl: FormatHandler = {
  id: 'jxl',
  name: 'JPEG XL',
  extensions: ['jxl'],
  cleanable: true,
  sniff: (head) => isJxl(head),
  inspect(source) {
    try {
      return walkJxl(source, true).report;
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
  plan(source) {
    try {
      return walkJxl(source).plan.build();
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
};
