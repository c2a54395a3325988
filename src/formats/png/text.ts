/**
 * PNG text chunks: tEXt (Latin-1), zTXt (Latin-1, deflated) and iTXt (UTF-8, optionally deflated,
 * with a language tag and a translated keyword).
 * Reference: PNG Specification, Third Edition, section 11.3.3 "Textual information";
 * https://www.w3.org/TR/png-3/#11textinfo
 *
 * Inflating is bounded: a small chunk cannot expand into gigabytes (a "zip bomb").
 */
import { TracelessError } from '../../errors.js';
import { zlib } from '../../io/builtins.js';

/** The most text one compressed chunk may expand to; XMP packets and prompts are far smaller. */
export const maxInflatedTextBytes = 16 * 1024 * 1024;
/** PNG keywords are 1 to 79 bytes (section 11.3.3.1). */
const maxKeywordBytes = 79;

export interface PngText {
  type: 'tEXt' | 'zTXt' | 'iTXt';
  keyword: string;
  text: string;
  compressed: boolean;
  /** iTXt only. */
  languageTag?: string;
  translatedKeyword?: string;
  /** Bytes after the end of the compressed stream (read by no decoder, so never kept). */
  bytesAfterStream: number;
  /** True when the text holds a NUL, which section 11.3.3 forbids (readers stop at it, or not). */
  hasNul: boolean;
}

function nulAt(data: Buffer, from: number, what: string): number {
  const index = data.indexOf(0, from);
  if (index === -1) throw new TracelessError('MALFORMED', `${what} is not terminated`);
  return index;
}

function readKeyword(data: Buffer, type: string): { keyword: string; end: number } {
  const end = nulAt(data, 0, `${type} keyword`);
  if (end === 0 || end > maxKeywordBytes) throw new TracelessError('MALFORMED', `${type} keyword has ${end} bytes (1 to 79 allowed)`);
  return { keyword: data.toString('latin1', 0, end), end };
}

/** Inflates a zlib stream, refusing to produce more than `maxInflatedTextBytes`. */
export function inflateBounded(data: Buffer, what: string): Buffer {
  return inflateCounted(data, what).data;
}

/** Inflates a zlib stream and says how many input bytes followed its end. */
export function inflateCounted(data: Buffer, what: string): { data: Buffer; bytesAfterStream: number } {
  try {
    const result = zlib().inflateSync(data, { info: true, maxOutputLength: maxInflatedTextBytes }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return { data: result.buffer, bytesAfterStream: Math.max(0, data.length - result.engine.bytesWritten) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (error instanceof RangeError || code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TracelessError('LIMIT_EXCEEDED', `${what} expands to more than ${maxInflatedTextBytes} bytes`);
    }
    throw new TracelessError('MALFORMED', `${what} cannot be decompressed (${(error as Error).message})`);
  }
}

/** Parses the data of a tEXt, zTXt or iTXt chunk. Throws TracelessError when it breaks the rules. */
export function parseTextChunk(type: PngText['type'], data: Buffer): PngText {
  const { keyword, end } = readKeyword(data, type);
  if (type === 'tEXt') {
    const text = data.toString('latin1', end + 1);
    return { type, keyword, text, compressed: false, bytesAfterStream: 0, hasNul: text.includes('\0') };
  }
  if (type === 'zTXt') {
    if (end + 2 > data.length) throw new TracelessError('TRUNCATED', 'zTXt has no compression method');
    if (data[end + 1] !== 0) throw new TracelessError('MALFORMED', `zTXt uses unknown compression method ${data[end + 1]}`);
    const inflated = inflateCounted(data.subarray(end + 2), `zTXt "${keyword}"`);
    const text = inflated.data.toString('latin1');
    return { type, keyword, text, compressed: true, bytesAfterStream: inflated.bytesAfterStream, hasNul: text.includes('\0') };
  }
  if (end + 3 > data.length) throw new TracelessError('TRUNCATED', 'iTXt header is cut short');
  const compressed = data[end + 1] === 1;
  if (data[end + 1]! > 1) throw new TracelessError('MALFORMED', `iTXt compression flag is ${data[end + 1]}`);
  if (compressed && data[end + 2] !== 0) throw new TracelessError('MALFORMED', `iTXt uses unknown compression method ${data[end + 2]}`);
  const languageEnd = nulAt(data, end + 3, 'iTXt language tag');
  const translatedEnd = nulAt(data, languageEnd + 1, 'iTXt translated keyword');
  const body = data.subarray(translatedEnd + 1);
  const inflated = compressed ? inflateCounted(body, `iTXt "${keyword}"`) : { data: body, bytesAfterStream: 0 };
  const text = inflated.data.toString('utf8');
  return {
    type,
    keyword,
    text,
    compressed,
    bytesAfterStream: inflated.bytesAfterStream,
    // Bytes that are not UTF-8 would not survive a re-write unchanged: treated like a NUL.
    hasNul: text.includes('\0') || !Buffer.from(text, 'utf8').equals(inflated.data),
    languageTag: data.toString('latin1', end + 3, languageEnd),
    translatedKeyword: data.toString('utf8', languageEnd + 1, translatedEnd),
  };
}

/** Builds the data of an uncompressed iTXt chunk (what XMP in PNG should be, per XMP part 3). */
export function encodeITxt(keyword: string, text: string, languageTag = '', translatedKeyword = ''): Buffer {
  return Buffer.concat([
    Buffer.from(keyword, 'latin1'),
    Buffer.from([0, 0, 0]),
    Buffer.from(languageTag, 'latin1'),
    Buffer.from([0]),
    Buffer.from(translatedKeyword, 'utf8'),
    Buffer.from([0]),
    Buffer.from(text, 'utf8'),
  ]);
}

/** Builds the data of a tEXt chunk (Latin-1 text). */
export function encodeTExt(keyword: string, text: string): Buffer {
  return Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
}

/** Builds the data of a zTXt chunk (Latin-1 text, deflated). */
export function encodeZTxt(keyword: string, text: string): Buffer {
  return Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0]), zlib().deflateSync(Buffer.from(text, 'latin1'))]);
}

/** Re-writes a text chunk from its keyword and text alone (language tag and translated keyword left empty). */
export function encodeText(type: PngText['type'], keyword: string, text: string): Buffer {
  if (type === 'tEXt') return encodeTExt(keyword, text);
  if (type === 'zTXt') return encodeZTxt(keyword, text);
  return encodeITxt(keyword, text);
}
