/**
 * JPEG (and MPO, which is a JPEG with MPF images after EOI).
 * References: ITU-T T.81 annex B; JFIF 1.02; CIPA DC-008 Exif 2.32 §4.5; CIPA DC-007 MPF;
 * Adobe XMP Specification Part 3 §1.1.3.
 * markers.ts walks the marker segments; segments.ts names them; coding.ts and colour-segments.ts
 * parse and re-write the segments a decoder reads; structure.ts decides which of them are used;
 * inspect.ts reports; plan.ts (all) and plan-location.ts, photoshop.ts (--only location) plan the clean;
 * gain-map.ts, mpf.ts, apple-headroom.ts, plan-images.ts and inspect-images.ts keep the images of an
 * HDR photo (its gain map) or an MPO (its views) and the metadata renderers need to use them.
 */
import type { FormatHandler } from '../types.js';
import { isJpeg } from './markers.js';
import { inspectJpeg } from './inspect.js';
import { planJpeg } from './plan.js';

export const jpeg: FormatHandler = {
  id: 'jpeg',
  name: 'JPEG',
  extensions: ['jpg', 'jpeg', 'jpe', 'jfif', 'mpo'],
  cleanable: true,
  sniff: isJpeg,
  inspect: (source, options) => inspectJpeg(source, '', 0, 'primary', options),
  plan: planJpeg,
};
