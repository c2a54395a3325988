/**
 * The RIFF container of WebP (chunks walked by the shared walker in `src/formats/riff/`): a 12-byte header (`RIFF`, size, `WEBP`), then
 * chunks of FourCC, 32-bit little-endian payload size, payload, and one pad byte when the size is
 * odd. ANMF (animation frame) chunks hold their own chunks after a 16-byte frame header.
 * Reference: RFC 9649 "WebP Image Format", section 2.4 (RIFF header), 2.7 (extended format);
 * https://developers.google.com/speed/webp/docs/riff_container
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { displayFourCC, readChunks, type RiffChunk } from '../riff/chunks.js';
import { anmfHeaderBytes } from './fields.js';

export { chunkHeader, displayFourCC, readChunks, type RiffChunk } from '../riff/chunks.js';

export interface WebpLayout {
  /** Offset just after the RIFF payload (`8 + RIFF size`). */
  riffEnd: number;
  chunks: RiffChunk[];
  /** Bytes after the RIFF payload (never read by decoders). */
  trailingBytes: number;
}

export function isWebpHeader(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP';
}

/**
 * Walks the RIFF header and the top-level chunks. With `damage` (lenient, best-effort inspection), a RIFF
 * cut short is read as far as the file goes and what does not fit the format is recorded there instead of thrown.
 */
export function readWebpLayout(source: ByteSource, damage?: string[]): WebpLayout {
  if (source.size < 12 || !isWebpHeader(source.read(0, 12))) throw new TracelessError('UNSUPPORTED_FORMAT', 'not a WebP file (RIFF/WEBP header missing)');
  const riffSize = source.read(4, 4).readUInt32LE(0);
  let riffEnd = 8 + riffSize;
  if (riffSize < 4) throw new TracelessError('MALFORMED', `WebP RIFF size ${riffSize} is too small`);
  if (riffEnd > source.size) {
    const message = `WebP RIFF header declares ${riffEnd} bytes but the file has ${source.size}: the file is cut short`;
    if (!damage) throw new TracelessError('TRUNCATED', message);
    damage.push(message);
    riffEnd = source.size;
  }
  const chunks = readChunks(source, 12, riffEnd, 'WebP', undefined, damage);
  const first = chunks[0];
  if (!first) throw new TracelessError('MALFORMED', 'WebP holds no chunk');
  if (!['VP8 ', 'VP8L', 'VP8X'].includes(first.fourCC)) {
    const message = `WebP does not start with a VP8, VP8L or VP8X chunk (found "${displayFourCC(first.fourCC)}")`;
    if (!damage) throw new TracelessError('MALFORMED', message);
    damage.push(message);
  }
  if (!chunks.some((chunk) => ['VP8 ', 'VP8L', 'ANMF'].includes(chunk.fourCC))) {
    if (!damage) throw new TracelessError('MALFORMED', 'WebP has no image data (no VP8, VP8L or ANMF chunk)');
    damage.push('WebP has no image data (no VP8, VP8L or ANMF chunk), or it was cut off');
  }
  return { riffEnd, chunks, trailingBytes: source.size - riffEnd };
}

/** The chunks inside one ANMF payload (after its 16-byte frame header). */
export function readFrameChunks(source: ByteSource, anmf: RiffChunk): RiffChunk[] {
  if (anmf.dataLength < anmfHeaderBytes) throw new TracelessError('MALFORMED', `WebP ANMF chunk at offset ${anmf.offset} is shorter than its frame header`);
  const frames = readChunks(source, anmf.dataOffset + anmfHeaderBytes, anmf.dataOffset + anmf.dataLength, 'WebP ANMF');
  if (!frames.some((chunk) => chunk.fourCC === 'VP8 ' || chunk.fourCC === 'VP8L')) {
    throw new TracelessError('MALFORMED', `WebP ANMF chunk at offset ${anmf.offset} holds no image data`);
  }
  return frames;
}
