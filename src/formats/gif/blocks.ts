/**
 * A bounded walker over GIF87a/GIF89a blocks: header, logical screen descriptor, global colour
 * table, then image descriptors (with local colour table and LZW data sub-blocks) and extensions
 * (label + data sub-blocks) up to the trailer 0x3B.
 * Reference: GIF89a Specification (CompuServe, 1990), sections 17–27;
 * https://www.w3.org/Graphics/GIF/spec-gif89a.txt
 */
import { TracelessError, checkCount } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';

export const extensionLabels = { plainText: 0x01, graphicControl: 0xf9, comment: 0xfe, application: 0xff } as const;

export type GifBlock =
  | { type: 'image'; offset: number; length: number }
  | { type: 'extension'; label: number; offset: number; length: number; /** Offset of the first sub-block's size byte. */ dataOffset: number; appId?: string };

export interface GifLayout {
  version: '87a' | '89a';
  /** Header, logical screen descriptor and global colour table. */
  headLength: number;
  blocks: GifBlock[];
  /** Offset of the trailer byte 0x3B. */
  trailerOffset: number;
  /** Bytes after the trailer (never part of the image). */
  trailingBytes: number;
}

export function isGifHeader(head: Buffer): boolean {
  if (head.length < 6) return false;
  const text = head.toString('latin1', 0, 6);
  return text === 'GIF87a' || text === 'GIF89a';
}

function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0;
}

/**
 * Skips a chain of data sub-blocks starting at `offset` (a size byte; 0 ends the chain) and
 * returns the offset after the terminator. Reads in windows so that long chains stay cheap.
 */
export function skipSubBlocks(source: ByteSource, offset: number, what: string): number {
  let cursor = offset;
  let count = 0;
  for (;;) {
    if (cursor >= source.size) throw new TracelessError('TRUNCATED', `GIF ${what} at offset ${offset} runs past the end of the file (no block terminator)`);
    const windowLength = Math.min(source.size - cursor, 64 * 1024);
    const window = source.read(cursor, windowLength);
    let inWindow = 0;
    while (inWindow < window.length) {
      const size = window[inWindow]!;
      if (size === 0) return cursor + inWindow + 1;
      // Image data of a large GIF is many 255-byte sub-blocks; the limit only stops absurd chains.
      checkCount(++count, limits.maxSegmentCount * 100, `GIF ${what} sub-block count`);
      inWindow += 1 + size;
    }
    cursor += inWindow;
  }
}

/** Concatenates the payloads of a sub-block chain (for metadata, at most `maxBytes`). */
export function readSubBlocks(source: ByteSource, offset: number, end: number, maxBytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let cursor = offset;
  while (cursor < end) {
    const size = source.read(cursor, 1)[0]!;
    if (size === 0) break;
    if (total + size > maxBytes) throw new TracelessError('LIMIT_EXCEEDED', `GIF extension data is larger than ${maxBytes} bytes`);
    parts.push(source.read(cursor + 1, size));
    total += size;
    cursor += 1 + size;
  }
  return Buffer.concat(parts, total);
}

/**
 * Walks the blocks from the header to the trailer. With `damage` (lenient, best-effort inspection)
 * a file cut short or a block that cannot be walked ends the walk, recorded there, instead of throwing.
 */
export function readGifLayout(source: ByteSource, damage?: string[]): GifLayout {
  if (source.size < 13 || !isGifHeader(source.read(0, 6))) throw new TracelessError('UNSUPPORTED_FORMAT', 'not a GIF file (GIF87a/GIF89a header missing)');
  const version = source.read(3, 3).toString('latin1') as GifLayout['version'];
  const screenPacked = source.read(10, 1)[0]!;
  const headLength = 13 + colourTableBytes(screenPacked);
  if (headLength > source.size) throw new TracelessError('TRUNCATED', 'GIF global colour table runs past the end of the file');
  const blocks: GifBlock[] = [];
  let offset = headLength;
  /** Strict: throws. Lenient: records, and the walk ends here (what follows is not read). */
  const stop = (error: TracelessError): GifLayout => {
    if (!damage) throw error;
    damage.push(error.message);
    return { version, headLength, blocks, trailerOffset: source.size, trailingBytes: 0 };
  };
  for (;;) {
    if (offset >= source.size) return stop(new TracelessError('TRUNCATED', `GIF ends at byte ${source.size} without its trailer (0x3B): the file is cut short`));
    checkCount(blocks.length + 1, limits.maxSegmentCount, 'GIF block count');
    const introducer = source.read(offset, 1)[0]!;
    if (introducer === 0x3b) return { version, headLength, blocks, trailerOffset: offset, trailingBytes: source.size - offset - 1 };
    try {
      if (introducer === 0x2c) {
        const descriptor = source.read(offset, 10);
        const lzwOffset = offset + 10 + colourTableBytes(descriptor[9]!);
        const minimumCodeSize = source.read(lzwOffset, 1)[0]!;
        if (minimumCodeSize < 1 || minimumCodeSize > 12) throw new TracelessError('MALFORMED', `GIF image at offset ${offset} has an invalid LZW code size ${minimumCodeSize}`);
        const end = skipSubBlocks(source, lzwOffset + 1, 'image data');
        blocks.push({ type: 'image', offset, length: end - offset });
        offset = end;
        continue;
      }
      if (introducer === 0x21) {
        const label = source.read(offset + 1, 1)[0]!;
        const dataOffset = offset + 2;
        const end = skipSubBlocks(source, dataOffset, `extension 0x${label.toString(16)}`);
        const block: GifBlock = { type: 'extension', label, offset, length: end - offset, dataOffset };
        if (label === extensionLabels.application) {
          const size = source.read(dataOffset, 1)[0]!;
          // The identifier block is 11 bytes (8-byte identifier, 3-byte authentication code).
          if (size === 11) block.appId = source.read(dataOffset + 1, 11).toString('latin1');
        }
        blocks.push(block);
        offset = end;
        continue;
      }
    } catch (error) {
      if (!(error instanceof TracelessError) || error.code === 'LIMIT_EXCEEDED') throw error;
      return stop(error);
    }
    return stop(new TracelessError('MALFORMED', `GIF has an unknown block introducer 0x${introducer.toString(16).padStart(2, '0')} at offset ${offset}`));
  }
}
