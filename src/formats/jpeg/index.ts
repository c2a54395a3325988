import type { FormatHandler } from '../types.js';
import { emptyReport } from '../types.js';
export const jpeg: FormatHandler = {
  id: 'jpeg', name: 'JPEG', extensions: ['jpg', 'jpeg', 'jpe', 'jfif'], cleanable: false,
  sniff: (head) => head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff,
  inspect: () => emptyReport(),
};
