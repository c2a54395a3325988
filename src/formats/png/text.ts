/**
 * PNG text chunks: tEXt (Latin-1), zTXt (Latin-1, deflated) and iTXt (UTF-8, optionally deflated,
 * with a language tag and a translated keyword).
 * Reference: PNG Specification, Third Edition, section 11.3.3 "Textual information";
 * https://www.w3.org/TR/png-3/#11textinfo
 *
 * Inflating is bounded: a small chunk cannot expand into gigabytes (a "zip bomb").
 */
import { inflateSync } from 'node:zlib';
import { TracelessError } from '../../errors.js';

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
  try {
    return inflateSync(data, { maxOutputLength: maxInflatedTextBytes });
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
  if (type === 'tEXt') return { type, keyword, text: data.toString('latin1', end + 1), compressed: false };
  if (type === 'zTXt') {
    if (end + 2 > data.length) throw new TracelessError('TRUNCATED', 'zTXt has no compression method');
    if (data[end + 1] !== 0) throw new TracelessError('MALFORMED', `zTXt uses unknown compression method ${data[end + 1]}`);
    const text = inflateBounded(data.subarray(end + 2), `zTXt "${keyword}"`).toString('latin1');
    return { type, keyword, text, compressed: true };
  }
  if (end + 3 > data.length) throw new TracelessError('TRUNCATED', 'iTXt header is cut short');
  const compressed = data[end + 1] === 1;
  if (data[end + 1]! > 1) throw new TracelessError('MALFORMED', `iTXt compression flag is ${data[end + 1]}`);
  if (compressed && data[end + 2] !== 0) throw new TracelessError('MALFORMED', `iTXt uses unknown compression method ${data[end + 2]}`);
  const languageEnd = nulAt(data, end + 3, 'iTXt language tag');
  const translatedEnd = nulAt(data, languageEnd + 1, 'iTXt translated keyword');
  const body = data.subarray(translatedEnd + 1);
  const text = (compressed ? inflateBounded(body, `iTXt "${keyword}"`) : body).toString('utf8');
  return {
    type,
    keyword,
    text,
    compressed,
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
