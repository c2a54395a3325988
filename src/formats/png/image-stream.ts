/**
 * Where the image's zlib stream ends inside its IDAT chunks. Bytes after that end are read by no
 * decoder (libpng warns "extra compressed data" and ignores them), so they are not image data and
 * the plan cuts them; a stream that inflates to more than the image needs hides data inside the
 * compressed image itself, which cannot be removed without re-compressing it.
 * References: PNG Specification, Third Edition, sections 7.3 (filtering: one filter byte per
 * scanline), 8.2 (Adam7 passes), 10 (compression: one zlib stream split across IDAT chunks).
 *
 * The stream is inflated in memory, so the check runs only for images whose decompressed size is
 * at most `maxCheckedRawBytes`; larger images are copied as they are (and `scan` says so).
 */
import type { ByteSource } from '../../io/source.js';
import type { PngChunk } from './chunks.js';
import type { ImageHeader } from './fields.js';
import { zlib } from '../../io/builtins.js';

/** The largest decompressed image checked: 64 MB (a 16-megapixel RGBA image). */
export const maxCheckedRawBytes = 64 * 1024 * 1024;

const channelsPerColourType: ReadonlyMap<number, number> = new Map([[0, 1], [2, 3], [3, 1], [4, 2], [6, 4]]);
/** Adam7 passes: x offset, y offset, x step, y step (section 8.2). */
const adam7Passes: readonly [number, number, number, number][] = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
];

export type ImageStream =
  | { checked: false; reason: string }
  /** `end`: bytes of the concatenated IDAT data the zlib stream uses; `total`: all of them. */
  | { checked: true; end: number; total: number; tooMuchData: boolean; raw?: Buffer };

/** Bytes of filtered scanlines the image needs (a filter byte per row, every pass). */
export function rawImageBytes(header: ImageHeader): number {
  const bitsPerPixel = channelsPerColourType.get(header.colourType)! * header.bitDepth;
  const passBytes = (width: number, height: number) => (width === 0 || height === 0 ? 0 : height * (1 + Math.ceil((width * bitsPerPixel) / 8)));
  if (header.interlace === 0) return passBytes(header.width, header.height);
  let total = 0;
  for (const [x, y, stepX, stepY] of adam7Passes) total += passBytes(Math.ceil(Math.max(0, header.width - x) / stepX), Math.ceil(Math.max(0, header.height - y) / stepY));
  return total;
}

export function findImageStreamEnd(source: ByteSource, idats: readonly PngChunk[], header: ImageHeader): ImageStream {
  const needed = rawImageBytes(header);
  if (needed > maxCheckedRawBytes) return { checked: false, reason: `the image is larger than ${maxCheckedRawBytes} bytes decompressed` };
  const total = idats.reduce((sum, chunk) => sum + chunk.dataLength, 0);
  if (total > maxCheckedRawBytes) return { checked: false, reason: `the image data is larger than ${maxCheckedRawBytes} bytes` };
  const data = Buffer.concat(idats.map((chunk) => source.read(chunk.dataOffset, chunk.dataLength)));
  try {
    // One byte more than the image needs: inflating that far proves the stream holds too much.
    const result = zlib().inflateSync(data, { info: true, maxOutputLength: needed + 1 }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return { checked: true, end: Math.min(total, result.engine.bytesWritten), total, tooMuchData: result.buffer.length > needed, raw: result.buffer };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (error instanceof RangeError || code === 'ERR_BUFFER_TOO_LARGE') return { checked: true, end: total, total, tooMuchData: true };
    // A damaged stream is the decoder's problem, not a hiding place we can measure: copied as it is.
    return { checked: false, reason: 'the image data does not decompress cleanly' };
  }
}
