/**
 * The RIFF chunk walker shared by WebP and AVI: chunks of FourCC, 32-bit little-endian payload
 * size, payload, and one pad byte when the size is odd; `LIST` chunks hold a 4-byte list type and
 * then chunks of their own. Every chunk is checked against its container before use, walks are
 * limited in count (per call) and depth (by the caller, with `checkListDepth`).
 * References: Microsoft/IBM "Multimedia Programming Interface and Data Specifications 1.0" (1991),
 * chapter 2 (RIFF, LIST, JUNK); RFC 9649 section 2.4 (WebP's RIFF header); Microsoft "AVI RIFF
 * File Reference" (JUNK chunks as filler that readers skip).
 */
import { TracelessError, checkCount } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';

export const riffHeaderBytes = 12;
export const chunkHeaderBytes = 8;
/** `LIST` chunks start with a 4-byte list type. */
export const listTypeBytes = 4;
/** Nesting of LIST chunks a walker follows (real AVI files use 3). */
export const maxListDepth = 8;

export interface RiffChunk {
  fourCC: string;
  offset: number;
  dataOffset: number;
  dataLength: number;
  /** Header, payload and pad byte (when the pad is present in the file). */
  totalLength: number;
  /** False for the last chunk of a container whose writer left out the final pad byte. */
  padPresent: boolean;
}

/**
 * A FourCC as people can read it: bytes outside printable ASCII shown as `\xNN`. Any four bytes
 * are accepted as a FourCC (readers do not check them), so a misnamed chunk is walked and removed
 * rather than refused.
 */
export function displayFourCC(fourCC: string): string {
  return fourCC.replace(/[^\x20-\x7e]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`).trimEnd();
}

/**
 * Walks chunks in `[start, end)`. `end` is trusted (already checked against the file). `maxCount`
 * bounds the chunks of this one call (the default is the limit for metadata walks).
 */
export function readChunks(source: ByteSource, start: number, end: number, what: string, maxCount: number = limits.maxSegmentCount, damage?: string[]): RiffChunk[] {
  const chunks: RiffChunk[] = [];
  let offset = start;
  while (offset < end) {
    checkCount(chunks.length + 1, maxCount, `${what} chunk count`);
    let chunk: RiffChunk;
    try {
      chunk = readChunkAt(source, offset, end, what);
    } catch (error) {
      // Lenient (best-effort inspection): a chunk cut short or unpadded ends the walk and is recorded.
      if (!damage || !(error instanceof TracelessError)) throw error;
      damage.push(error.message);
      return chunks;
    }
    chunks.push(chunk);
    offset += chunk.totalLength;
  }
  return chunks;
}

/** The one chunk at `offset`, checked against its container's `end`. */
export function readChunkAt(source: ByteSource, offset: number, end: number, what: string): RiffChunk {
  if (offset + chunkHeaderBytes > end) throw new TracelessError('TRUNCATED', `${what}: a chunk header at offset ${offset} runs past the end of its container`);
  const header = source.read(offset, chunkHeaderBytes);
  const fourCC = header.toString('latin1', 0, 4);
  const dataLength = header.readUInt32LE(4);
  const dataOffset = offset + chunkHeaderBytes;
  if (dataOffset + dataLength > end) {
    throw new TracelessError('TRUNCATED', `${what}: chunk "${displayFourCC(fourCC)}" at offset ${offset} (${dataLength} bytes) runs past the end of its container`);
  }
  const pad = dataLength & 1;
  // A missing final pad byte is a common writer slip; it is written back as zero.
  const padPresent = dataOffset + dataLength + pad <= end;
  if (!padPresent && dataOffset + dataLength !== end) throw new TracelessError('MALFORMED', `${what}: chunk "${displayFourCC(fourCC)}" is not padded`);
  const totalLength = chunkHeaderBytes + dataLength + (padPresent ? pad : 0);
  return { fourCC, offset, dataOffset, dataLength, totalLength, padPresent };
}

/** The list type of a `LIST` chunk, or undefined when the chunk is too short to have one. */
export function listType(source: ByteSource, chunk: RiffChunk): string | undefined {
  if (chunk.fourCC !== 'LIST' || chunk.dataLength < listTypeBytes) return undefined;
  return source.read(chunk.dataOffset, listTypeBytes).toString('latin1');
}

/** The chunks inside a `LIST` (after its list type). */
export function readListChunks(source: ByteSource, list: RiffChunk, what: string, maxCount?: number): RiffChunk[] {
  return readChunks(source, list.dataOffset + listTypeBytes, list.dataOffset + list.dataLength, what, maxCount);
}

export function checkListDepth(depth: number, what: string): void {
  if (depth > maxListDepth) throw new TracelessError('LIMIT_EXCEEDED', `${what}: LIST chunks nested deeper than ${maxListDepth} levels`);
}

export function chunkHeader(fourCC: string, dataLength: number): Buffer {
  const header = Buffer.alloc(chunkHeaderBytes);
  header.write(fourCC, 0, 'latin1');
  header.writeUInt32LE(dataLength, 4);
  return header;
}

/** A `LIST` header: `LIST`, size, list type. */
export function listHeader(type: string, dataLength: number): Buffer {
  return Buffer.concat([chunkHeader('LIST', dataLength), Buffer.from(type, 'latin1')]);
}

/** A RIFF header: `RIFF`, size, form type (`AVI `, `AVIX`, `WEBP`). */
export function riffHeader(type: string, dataLength: number): Buffer {
  return Buffer.concat([chunkHeader('RIFF', dataLength), Buffer.from(type, 'latin1')]);
}

/**
 * A `JUNK` chunk that takes exactly the place of `chunk` (header, payload and pad): the header is
 * written by traceless, the rest is zeros. Readers skip JUNK, so the bytes after it do not move.
 */
export function junkInPlaceOf(chunk: RiffChunk): { header: Buffer; zeros: number } {
  return { header: chunkHeader('JUNK', chunk.dataLength), zeros: chunk.totalLength - chunkHeaderBytes };
}
