/**
 * Crafted GIF files (keep-list issue): a sentinel hidden in the slack of every structure the
 * cleaner keeps (graphic control, looping extension), or in a block no reader needs, must be gone
 * from the output in both modes; the file must clean (not be refused) with identical frames; and
 * `scan` must report what it hides.
 */
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGifLayout } from '../../src/formats/gif/blocks.js';
import { BufferSource } from '../../src/io/source.js';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import {
  animatedGif, applicationExtension, assembleGif, baseGif, commentExtension, gifXmp, graphicControlExtension, iptcRecord, loopingExtension,
  plainTextExtension, subBlocks, xmpExtension,
} from '../fixtures/gif.js';
import { iccProfile } from '../fixtures/webp.js';
import { expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';

async function frames(file: Buffer): Promise<Buffer> {
  return sharp(file, { animated: true }).raw().toBuffer();
}

/** Every frame as ImageMagick draws it (it reads files libnsgif rejects), or undefined without it. */
function magickFrames(file: Buffer): Buffer | undefined {
  try {
    return execFileSync('/usr/bin/convert', ['gif:-', '-coalesce', '-depth', '8', 'rgba:-'], { input: file, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

const sentinelXmp = gifXmp.replace('Gif Creator Person', sentinel);

describe('GIF crafted files', () => {
  let still: Buffer;
  let animated: Buffer;
  beforeAll(async () => {
    still = await baseGif();
    animated = await animatedGif();
    expect(cleanBuffer(still).result.status).toBe('already-clean');
    expect(cleanBuffer(animated).result.status).toBe('already-clean');
  });

  /** The law for one crafted file, plus: cleaned in both modes, frames as the reference, scan says something. */
  async function expectCrafted(file: Buffer, reference: Buffer): Promise<Buffer> {
    const outcomes = expectSentinelGone(file);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) {
      const out = outcome.data!;
      expect(await frames(out), `${outcome.mode}: frames`).toEqual(await frames(reference));
      const magick = magickFrames(out);
      if (magick) expect(magick.equals(magickFrames(reference)!), `${outcome.mode}: ImageMagick frames`).toBe(true);
      expect(outcome.result.removed.length, `${outcome.mode}: removed list`).toBeGreaterThan(0);
      expect(cleanBuffer(out, { only: outcome.mode }).result.status, `${outcome.mode}: idempotent`).toBe('already-clean');
    }
    expect(inspectSync(file).findings.filter((finding) => !finding.retained).length, 'scan reports what the file hides').toBeGreaterThan(0);
    return outcomes[0]!.data!;
  }

  describe('slack in the structures that are kept', () => {
    it('graphic control: a first sub-block longer than 4 bytes', async () => {
      const control = graphicControlExtension({ delay: 20, packed: 0x04 });
      const out = await expectCrafted(assembleGif(still, { first: [graphicControlExtension({ delay: 20, packed: 0x04, extraInFirst: sentinelBytes })] }), assembleGif(still, { first: [control] }));
      expect(out.equals(assembleGif(still, { first: [control] }))).toBe(true);
    });

    it('graphic control: further sub-blocks after the first', async () => {
      const control = graphicControlExtension({ delay: 7 });
      const out = await expectCrafted(assembleGif(still, { first: [graphicControlExtension({ delay: 7, moreSubBlocks: sentinelBytes })] }), assembleGif(still, { first: [control] }));
      expect(out.equals(assembleGif(still, { first: [control] }))).toBe(true);
    });

    it('graphic control: reserved bits are written as zero and reported', async () => {
      const file = assembleGif(still, { first: [graphicControlExtension({ packed: 0xe0 | 0x01, transparent: 3 })] });
      const { result, data } = cleanBuffer(file);
      expect(result.status).toBe('cleaned');
      expect(data!.equals(assembleGif(still, { first: [graphicControlExtension({ packed: 0x01, transparent: 3 })] }))).toBe(true);
      expect(inspectSync(file).findings.some((finding) => finding.tag === 'Slack')).toBe(true);
    });

    it('looping: sub-blocks beside the loop count (buffering, unknown), in NETSCAPE2.0 and ANIMEXTS1.0', async () => {
      for (const appId of ['NETSCAPE2.0', 'ANIMEXTS1.0']) {
        const file = assembleGif(still, { first: [loopingExtension(5, [Buffer.from([2, 0, 0x10, 0, 0]), sentinelBytes], appId)] });
        const out = await expectCrafted(file, still);
        expect(out.equals(assembleGif(still, { first: [loopingExtension(5, [], appId)] })), appId).toBe(true);
      }
    });

    it('looping: a sentinel in a sub-block before the loop count, a second looping extension, one without a loop count', async () => {
      const before = Buffer.concat([Buffer.from([0x21, 0xff, 0x0b]), Buffer.from('NETSCAPE2.0'), Buffer.from([sentinelBytes.length]), sentinelBytes, Buffer.from([3, 1, 2, 0, 0])]);
      expect((await expectCrafted(assembleGif(still, { first: [before] }), still)).equals(assembleGif(still, { first: [loopingExtension(2)] }))).toBe(true);
      const second = assembleGif(still, { first: [loopingExtension(0), loopingExtension(1, [sentinelBytes])] });
      expect((await expectCrafted(second, still)).equals(assembleGif(still, { first: [loopingExtension(0)] }))).toBe(true);
      const noCount = Buffer.concat([Buffer.from([0x21, 0xff, 0x0b]), Buffer.from('NETSCAPE2.0'), subBlocks(sentinelBytes)]);
      expect((await expectCrafted(assembleGif(still, { first: [noCount] }), still)).equals(still)).toBe(true);
    });

    it('image descriptor: reserved bits are written as zero and reported', async () => {
      const layout = readGifLayout(new BufferSource(still));
      const image = layout.blocks.find((block) => block.type === 'image')!;
      const file = Buffer.from(still);
      file[image.offset + 9] = file[image.offset + 9]! | 0x18;
      const { result, data } = cleanBuffer(file);
      expect(result.status).toBe('cleaned');
      expect(data!.equals(still)).toBe(true);
      expect(inspectSync(file).findings.some((finding) => finding.tag === 'Slack' && finding.where === 'image descriptor')).toBe(true);
    });
  });

  describe('blocks no reader needs are removed, not refused', () => {
    it('comments and plain text (with the graphic control that belongs to it)', async () => {
      const file = assembleGif(animated, {
        first: [commentExtension(sentinel)],
        last: [graphicControlExtension({ delay: 5 }), plainTextExtension(sentinel)],
      });
      expect((await expectCrafted(file, animated)).equals(animated)).toBe(true);
    });

    it('a graphic control extension that no image follows, and a run of them before removed plain text', async () => {
      const file = assembleGif(still, { last: [graphicControlExtension({ delay: 9 }), commentExtension(sentinel)] });
      expect((await expectCrafted(file, still)).equals(still)).toBe(true);
      const run = assembleGif(still, { last: [graphicControlExtension({ delay: 1 }), graphicControlExtension({ delay: 2 }), plainTextExtension(sentinel)] });
      expect((await expectCrafted(run, still)).equals(still)).toBe(true);
    });

    it('application extensions: ICC profile, IPTC, unknown, one without an identifier', async () => {
      const icc = await iccProfile();
      const file = assembleGif(animated, {
        first: [applicationExtension('ICCRGBG1012', Buffer.concat([icc, sentinelBytes]))],
        last: [
          applicationExtension('MGKIPTC0000', Buffer.concat([iptcRecord(), Buffer.from([0x1c, 2, 120, 0, sentinelBytes.length]), sentinelBytes])),
          applicationExtension('SENTINEL1.0', sentinelBytes),
          Buffer.concat([Buffer.from([0x21, 0xff]), subBlocks(sentinelBytes)]),
        ],
      });
      expect((await expectCrafted(file, animated)).equals(animated)).toBe(true);
    });

    it('unknown extension labels', async () => {
      const file = assembleGif(still, { first: [Buffer.concat([Buffer.from([0x21, 0x99]), subBlocks(sentinelBytes)]), Buffer.concat([Buffer.from([0x21, 0x00]), subBlocks(sentinelBytes)])] });
      const outcomes = expectSentinelGone(file);
      expectCleanedInBothModes(outcomes);
      for (const outcome of outcomes) expect(outcome.data!.equals(still)).toBe(true);
      expect(inspectSync(file).findings.some((finding) => finding.where === 'extension 0x99')).toBe(true);
    });

    it('XMP: removed in the default mode; location mode keeps the first packet without its place, removes a second', async () => {
      const file = assembleGif(still, { first: [xmpExtension(gifXmp)], last: [xmpExtension(sentinelXmp)] });
      const outcomes = expectSentinelGone(file);
      expectCleanedInBothModes(outcomes);
      expect(outcomes[0]!.data!.equals(still)).toBe(true);
      const location = outcomes[1]!.data!;
      expect(inspectSync(location).locations).toEqual([]);
      expect(inspectSync(location).findings.find((finding) => finding.tag === 'dc:creator')?.value).toBe('Gif Creator Person');
      expect(await frames(location)).toEqual(await frames(still));
    });

    it('data after the trailer', async () => {
      const file = assembleGif(still, { afterTrailer: Buffer.concat([Buffer.from('GIF89a'), sentinelBytes]) });
      expect((await expectCrafted(file, still)).equals(still)).toBe(true);
    });
  });

  describe('refused only where removing would change the picture', () => {
    it('a graphic control extension shorter than 4 bytes', () => {
      const file = assembleGif(still, { first: [Buffer.from([0x21, 0xf9, 2, 0, 0, 0])], last: [commentExtension(sentinel)] });
      const outcomes = expectSentinelGone(file);
      for (const outcome of outcomes) {
        expect(outcome.result.error?.code).toBe('MALFORMED');
        expect(outcome.result.error?.message).toMatch(/would change how the next frame is drawn/);
      }
    });
  });
});
