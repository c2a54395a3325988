/**
 * GIF red-team: colour table entries no pixel is drawn with, and bytes after the LZW stream's
 * end-of-information code (inside the image's own sub-blocks), used to reach the output in both modes.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { animatedGif, baseGif } from '../fixtures/gif.js';
import { expectCleanedInBothModes, expectSentinelGone, sentinelBytes } from '../helpers/sentinel.js';

const secret = sentinelBytes;

/** Packs LZW codes (code size `bits`) least significant bit first. */
function packCodes(codes: number[], bits: number): Buffer {
  const out: number[] = [];
  let acc = 0;
  let count = 0;
  for (const code of codes) {
    acc |= code << count;
    count += bits;
    while (count >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      count -= 8;
    }
  }
  if (count > 0) out.push(acc & 0xff);
  return Buffer.from(out);
}

function subBlocks(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 255) {
    const piece = data.subarray(at, at + 255);
    parts.push(Buffer.from([piece.length]), piece);
  }
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** A 2×1 GIF with a 256-entry global table; pixels use indices 1 and 2. */
function craftedGif(options: { table?: Buffer; afterEnd?: Buffer; local?: boolean } = {}): Buffer {
  const table = Buffer.alloc(768);
  table.set([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  if (options.table) options.table.copy(table, 30);
  const lzw = Buffer.concat([packCodes([256, 1, 2, 257], 9), options.afterEnd ?? Buffer.alloc(0)]);
  const screen = Buffer.from([2, 0, 1, 0, options.local ? 0 : 0xf7, 0, 0]);
  const descriptor = Buffer.from([0x2c, 0, 0, 0, 0, 2, 0, 1, 0, options.local ? 0x87 : 0]);
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'), screen, options.local ? Buffer.alloc(0) : table, descriptor, options.local ? table : Buffer.alloc(0),
    Buffer.from([8]), subBlocks(lzw), Buffer.from([0x3b]),
  ]);
}

async function samePixels(input: Buffer): Promise<void> {
  const outcomes = expectSentinelGone(input);
  expectCleanedInBothModes(outcomes);
  const before = await sharp(input, { animated: true }).raw().toBuffer();
  for (const outcome of outcomes) expect((await sharp(outcome.data!, { animated: true }).raw().toBuffer()).equals(before), `${outcome.mode}: pixels`).toBe(true);
}

describe('GIF red-team', () => {
  it('the crafted base image itself cleans to the same pixels', async () => {
    await samePixels(craftedGif());
  });

  it('global colour table entries no pixel uses spell the sentinel', async () => {
    await samePixels(craftedGif({ table: secret }));
  });

  it('a local colour table whose unused entries spell the sentinel', async () => {
    await samePixels(craftedGif({ table: secret, local: true }));
  });

  it('the sentinel after the end-of-information code, inside the image data sub-blocks', async () => {
    await samePixels(craftedGif({ afterEnd: secret }));
  });

  it('real encoder output (still and animated) keeps identical pixels', async () => {
    await samePixels(await baseGif());
    await samePixels(await animatedGif());
  });
});
