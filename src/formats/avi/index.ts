/**
 * AVI (RIFF `AVI `, OpenDML `AVIX` continuations): metadata chunks reported and turned into JUNK
 * of the same size; the media data copied byte for byte; headers and indexes re-written from their
 * parsed fields in place, so nothing moves. See `walk.ts`.
 * Reference: Microsoft "AVI RIFF File Reference"; OpenDML AVI File Format Extensions 1.02.
 */
import { asTracelessError } from '../../errors.js';
import type { FormatHandler } from '../types.js';
import { isAvi, walkAvi } from './walk.js';

export const avi: FormatHandler = {
  id: 'avi',
  name: 'AVI',
  extensions: ['avi'],
  cleanable: true,
  sniff: (head) => isAvi(head),
  inspect(source) {
    try {
      return walkAvi(source, true).report;
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
  plan(source) {
    try {
      const { plan } = walkAvi(source);
      plan.keep('AVI stream headers and indexes (re-written in place)');
      return plan.build();
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
};
