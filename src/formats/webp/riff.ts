/**
 * A bounded walker over the RIFF container of WebP: a 12-byte header (`RIFF`, size, `WEBP`), then
 * chunks of FourCC, 32-bit little-endian payload size, payload, and one pad byte when the size is
 * odd. ANMF (animation frame) chunks hold their own chunks after a 16-byte frame header.
 * Reference: RFC 9649 "WebP Image Format", section 2.4 (RIFF header), 2.7 (extended format);
 * https://developers.google.com/speed/webp/docs/riff_container
 */
import { TracelessError, checkCount } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import { anmfHeaderBytes } from './fields.js';

export interface RiffChunk {
  fourCC: string;
  offset: number;
  dataOffset: number;
  dataLength: number;
  /** Header, payload and pad byte (when the pad is present in the file). */
  totalLength: number;
  /** False for the last chunk of a file whose writer left out the final pad byte. */
  padPresent: boolean;
}

export interface WebpLayout {
  /** Offset just after the RIFF payload (`8 + RIFF size`). */
  riffEnd: number;
  chunks: RiffChunk[];
  /** Bytes after the RIFF payload (never read by decoders). */
  trailingBytes: number;
}

/**
 * A FourCC as people can read it: bytes outside printable ASCII shown as `\xNN`. Any four bytes
 * are accepted as a FourCC (libwebp does not check them), so a misnamed `XMP\0` chunk is walked
 * and removed rather than refused.
 */
export function displayFourCC(fourCC: string): string {
  return fourCC.replace(/[^\x20-\x7e]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`).trimEnd();
}

export function isWebpHeader(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP';
}

/**
 * Walks chunks in `[start, end)`. `end` is trusted (already checked against the file). With
 * `damage` (lenient, best-effort inspection) a chunk cut short ends the walk and is recorded there.
 */
export function readChunks(source: ByteSource, start: number, end: number, what: string, damage?: string[]): RiffChunk[] {
  const chunks: RiffChunk[] = [];
  let offset = start;
  const problem = (code: 'TRUNCATED' | 'MALFORMED', message: string): RiffChunk[] => {
    if (!damage) throw new TracelessError(code, message);
    damage.push(message);
    return chunks;
  };
  while (offset < end) {
    checkCount(chunks.length + 1, limits.maxSegmentCount, `${what} chunk count`);
    if (offset + 8 > end) return problem('TRUNCATED', `${what}: a chunk header at offset ${offset} runs past the end of its container`);
    const header = source.read(offset, 8);
    const fourCC = header.toString('latin1', 0, 4);
    const dataLength = header.readUInt32LE(4);
    const dataOffset = offset + 8;
    if (dataOffset + dataLength > end) {
      return problem('TRUNCATED', `${what}: chunk "${displayFourCC(fourCC)}" at offset ${offset} (${dataLength} bytes) runs past the end of its container`);
    }
    const pad = dataLength & 1;
    // A missing final pad byte is a common writer slip; it is written back as zero.
    const padPresent = dataOffset + dataLength + pad <= end;
    if (!padPresent && dataOffset + dataLength !== end) return problem('MALFORMED', `${what}: chunk "${displayFourCC(fourCC)}" is not padded`);
    const totalLength = 8 + dataLength + (padPresent ? pad : 0);
    chunks.push({ fourCC, offset, dataOffset, dataLength, totalLength, padPresent });
    offset += totalLength;
  }
  return chunks;
}

/**
 * Walks the RIFF header and the top-level chunks. With `damage` (lenient), a RIFF cut short is read
 * as far as the file goes and what does not fit the format is recorded there instead of thrown.
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
  const chunks = readChunks(source, 12, riffEnd, 'WebP', damage);
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

export function chunkHeader(fourCC: string, dataLength: number): Buffer {
  const header = Buffer.alloc(8);
  header.write(fourCC, 0, 'latin1');
  header.writeUInt32LE(dataLength, 4);
  return header;
}
