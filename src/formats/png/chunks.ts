/**
 * A bounded walker over PNG chunks: length, type, data, CRC.
 * Reference: PNG Specification, Third Edition (W3C), section 5.3 "Chunk layout" and 5.4
 * "Chunk naming conventions"; https://www.w3.org/TR/png-3/#5Chunk-layout
 *
 * It reads only chunk headers and CRCs into memory (CRCs of large chunks are computed in
 * windows), so a large PNG is never held whole. It refuses what a decoder would stumble on:
 * a wrong signature, a length past 2^31-1, a type that is not four letters, IHDR not first,
 * a damaged critical chunk, or a file that ends before IEND. A lenient walk (best-effort
 * inspection, given a `damage` list) records those instead: it goes on past a damaged CRC to the
 * next chunk, and ends where the file is cut short or where no chunk boundary can be found.
 */
import { TracelessError, checkCount } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import { zlib } from '../../io/builtins.js';

export const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The largest chunk length PNG allows (section 5.3: "a PNG four-byte unsigned integer", at most 2^31-1). */
const maxChunkLengthBytes = 0x7fffffff;
/** CRCs of large chunks are computed over windows of this size. */
const crcWindowBytes = 1024 * 1024;

export interface PngChunk {
  type: string;
  /** Offset of the length field (the start of the chunk). */
  offset: number;
  dataOffset: number;
  dataLength: number;
  /** Length field, type, data and CRC together. */
  totalLength: number;
  crcValid: boolean;
  /** The CRC computed over type and data (equal to the stored one when `crcValid`). */
  crc: number;
  /** Critical chunks have an uppercase first letter (section 5.4, ancillary bit = 0). */
  critical: boolean;
}

export interface PngLayout {
  chunks: PngChunk[];
  /** Offset just after the IEND chunk. */
  endOffset: number;
  /** Bytes after IEND (never part of the image). */
  trailingBytes: number;
}

export function isPngSignature(head: Buffer): boolean {
  return head.length >= pngSignature.length && head.subarray(0, pngSignature.length).equals(pngSignature);
}

function isLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/** CRC-32 of the type and data of a chunk, read through the source in windows. */
function chunkCrc(source: ByteSource, typeOffset: number, dataLength: number): number {
  let crc = zlib().crc32(source.read(typeOffset, 4));
  for (let done = 0; done < dataLength; done += crcWindowBytes) {
    const length = Math.min(crcWindowBytes, dataLength - done);
    crc = zlib().crc32(source.read(typeOffset + 4 + done, length), crc);
  }
  return crc >>> 0;
}

/**
 * Walks every chunk from the signature to IEND. With `damage` (lenient), problems are recorded there
 * and the walk goes on or ends early instead of throwing.
 */
export function readPngLayout(source: ByteSource, damage?: string[]): PngLayout {
  if (source.size < pngSignature.length || !isPngSignature(source.read(0, pngSignature.length))) {
    throw new TracelessError('UNSUPPORTED_FORMAT', 'not a PNG file (signature missing)');
  }
  const chunks: PngChunk[] = [];
  let offset = pngSignature.length;
  /** Strict: throws. Lenient: records; the caller decides whether the walk can go on. */
  const problem = (code: 'TRUNCATED' | 'MALFORMED', message: string): void => {
    if (!damage) throw new TracelessError(code, message);
    damage.push(message);
  };
  /** Lenient: the walk ends here; what follows is not read. */
  const ended = () => ({ chunks, endOffset: source.size, trailingBytes: 0 });
  for (;;) {
    if (offset + 12 > source.size) {
      problem('TRUNCATED', `PNG ends at byte ${source.size} before its IEND chunk: the file is cut short`);
      return ended();
    }
    checkCount(chunks.length + 1, limits.maxSegmentCount, 'PNG chunk count');
    const header = source.read(offset, 8);
    const dataLength = header.readUInt32BE(0);
    const typeBytes = header.subarray(4, 8);
    if (!typeBytes.every(isLetter)) {
      problem('MALFORMED', `PNG chunk at offset ${offset} has an invalid type (bytes ${typeBytes.toString('hex')}); the rest of the file was not read`);
      return ended();
    }
    const type = typeBytes.toString('latin1');
    if (dataLength > maxChunkLengthBytes) {
      problem('MALFORMED', `PNG chunk ${type} at offset ${offset} declares ${dataLength} bytes, more than PNG allows; the rest of the file was not read`);
      return ended();
    }
    const totalLength = 12 + dataLength;
    if (offset + totalLength > source.size) {
      problem('TRUNCATED', `PNG chunk ${type} at offset ${offset} (${dataLength} bytes) runs past the end of the file`);
      return ended();
    }
    const storedCrc = source.read(offset + 8 + dataLength, 4).readUInt32BE(0);
    const crc = chunkCrc(source, offset + 4, dataLength);
    const chunk: PngChunk = {
      type,
      offset,
      dataOffset: offset + 8,
      dataLength,
      totalLength,
      crcValid: crc === storedCrc,
      crc,
      critical: (typeBytes[0]! & 0x20) === 0,
    };
    if (chunks.length === 0 && (type !== 'IHDR' || dataLength !== 13)) {
      throw new TracelessError('MALFORMED', 'PNG does not start with a 13-byte IHDR chunk');
    }
    if (chunks.length > 0 && type === 'IHDR') problem('MALFORMED', `PNG has a second IHDR chunk at offset ${offset}`);
    if (chunk.critical && !chunk.crcValid) {
      problem('MALFORMED', `PNG chunk ${type} at offset ${offset} fails its CRC check: the image data is damaged`);
    }
    chunks.push(chunk);
    offset += totalLength;
    if (type === 'IEND') {
      if (dataLength !== 0) problem('MALFORMED', `PNG IEND chunk carries ${dataLength} bytes; it must be empty`);
      break;
    }
  }
  if (!chunks.some((chunk) => chunk.type === 'IDAT')) problem('MALFORMED', 'PNG has no IDAT chunk (no image data)');
  return { chunks, endOffset: offset, trailingBytes: source.size - offset };
}

/** The length and type of a chunk, as written before its data. */
export function chunkHeader(type: string, dataLength: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(dataLength, 0);
  header.write(type, 4, 'latin1');
  return header;
}

export function crcBytes(crc: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc >>> 0, 0);
  return bytes;
}

/** Builds a chunk with its length and CRC. */
export function buildChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(zlib().crc32(chunk.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return chunk;
}
