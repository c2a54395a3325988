/**
 * PNG red-team: fixed-size rendering chunks whose fields are free numbers (cHRM, mDCV, fcTL) and
 * chunks no decoder needs (hIST) used to carry a sentinel through both modes.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { assemblePng, basePng, chunkData, craftedApng, indexedPng, pngChunk } from '../fixtures/png.js';
import { expectCleanedInBothModes, expectSentinelGone, sentinelBytes } from '../helpers/sentinel.js';

const secret = sentinelBytes;

async function samePixels(input: Buffer): Promise<void> {
  const outcomes = expectSentinelGone(input);
  expectCleanedInBothModes(outcomes);
  const before = await sharp(input).raw().toBuffer();
  for (const outcome of outcomes) expect((await sharp(outcome.data!).raw().toBuffer()).equals(before), `${outcome.mode}: pixels`).toBe(true);
}

describe('PNG red-team: free numbers in kept chunks', () => {
  let base: Buffer;
  beforeAll(async () => {
    base = await basePng();
  });

  it('cHRM whose 32 bytes spell the sentinel', async () => {
    const data = Buffer.alloc(32);
    secret.copy(data, 0);
    await samePixels(assemblePng(base, { beforeImage: [pngChunk('cHRM', data)] }));
  });

  it('mDCV whose 24 bytes spell the sentinel', async () => {
    const data = Buffer.alloc(24);
    secret.copy(data, 0);
    await samePixels(assemblePng(base, { beforeImage: [pngChunk('mDCV', data)] }));
  });

  it('hIST of an indexed image spelling the sentinel', async () => {
    const indexed = await indexedPng();
    const entries = chunkData(indexed, 'PLTE')!.length / 3;
    const hist = Buffer.alloc(entries * 2);
    secret.copy(hist, 0, 0, Math.min(hist.length, secret.length));
    if (hist.length < secret.length) return; // palette too small to hold it
    await samePixels(assemblePng(indexed, { beforeImage: [pngChunk('hIST', hist)] }));
  });

  it('fcTL whose size and delay fields spell the sentinel', () => {
    const apng = craftedApng();
    const at = apng.indexOf(Buffer.from('fcTL'));
    const input = Buffer.from(apng);
    // width, height, x, y, delay: bytes 4..23 of the data.
    secret.copy(input, at + 4 + 4, 0, 20);
    // fix CRC
    const length = input.readUInt32BE(at - 4);
    input.writeUInt32BE(crc32(input.subarray(at, at + 4 + length)), at + 4 + length);
    expectSentinelGone(input, secret.toString('latin1', 0, 20));
  });
});

function crc32(data: Buffer): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
