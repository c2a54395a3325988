/**
 * PNG: chunks walked by hand (length, type, data, CRC), metadata chunks reported and left out.
 * Reference: PNG Specification, Third Edition (W3C Recommendation), https://www.w3.org/TR/png-3/
 */
import { asTracelessError } from '../../errors.js';
import { reportFor, type FormatHandler } from '../types.js';
import { analysePng } from './analyse.js';
import { isPngSignature } from './chunks.js';
import { planPng } from './plan.js';

export const png: FormatHandler = {
  id: 'png',
  name: 'PNG',
  extensions: ['png', 'apng'],
  cleanable: true,
  sniff: (head) => isPngSignature(head),
  inspect(source, options) {
    try {
      return analysePng(source, options?.bestEffort ? reportFor(options) : undefined).report;
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
  plan(source, options) {
    try {
      return planPng(source, options);
    } catch (error) {
      throw asTracelessError(error, source.name);
    }
  },
};
