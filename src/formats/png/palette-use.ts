/**
 * Which palette entries an indexed image draws with. Entries no pixel uses are free bytes (up to
 * 768 in PLTE, 256 in tRNS) that change nothing on screen: the plan writes them as zeros.
 * The scanlines are un-filtered (PNG Third Edition section 9: filters work on bytes, and for
 * indexed images of bit depth 1–8 the filter unit is one byte) and the indices read from them.
 */
import type { ImageHeader } from './fields.js';

const adam7Passes: readonly [number, number, number, number][] = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
];

/** used[index] = 1 for every index a pixel holds; undefined when the scanlines cannot be read. */
export function paletteUse(raw: Buffer, header: ImageHeader): Uint8Array | undefined {
  const used = new Uint8Array(256);
  const passes = header.interlace === 0
    ? [[header.width, header.height] as const]
    : adam7Passes.map(([x, y, stepX, stepY]) => [Math.ceil(Math.max(0, header.width - x) / stepX), Math.ceil(Math.max(0, header.height - y) / stepY)] as const);
  const depth = header.bitDepth;
  const mask = (1 << depth) - 1;
  let at = 0;
  for (const [width, height] of passes) {
    if (width === 0 || height === 0) continue;
    const rowBytes = Math.ceil((width * depth) / 8);
    let previous = new Uint8Array(rowBytes);
    for (let row = 0; row < height; row++) {
      if (at + 1 + rowBytes > raw.length) return undefined;
      const filter = raw[at]!;
      const line = new Uint8Array(raw.subarray(at + 1, at + 1 + rowBytes));
      at += 1 + rowBytes;
      for (let index = 0; index < rowBytes; index++) {
        const left = index > 0 ? line[index - 1]! : 0;
        const up = previous[index]!;
        const upLeft = index > 0 ? previous[index - 1]! : 0;
        switch (filter) {
          case 0: break;
          case 1: line[index] = (line[index]! + left) & 0xff; break;
          case 2: line[index] = (line[index]! + up) & 0xff; break;
          case 3: line[index] = (line[index]! + ((left + up) >> 1)) & 0xff; break;
          case 4: line[index] = (line[index]! + paeth(left, up, upLeft)) & 0xff; break;
          default: return undefined;
        }
      }
      for (let pixel = 0; pixel < width; pixel++) {
        const bit = pixel * depth;
        used[(line[bit >> 3]! >> (8 - depth - (bit & 7))) & mask] = 1;
      }
      previous = line;
    }
  }
  return used;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
