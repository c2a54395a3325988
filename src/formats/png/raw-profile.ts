/**
 * ImageMagick's "Raw profile type <name>" text chunks: a binary profile (EXIF, IPTC, XMP, ICC,
 * 8BIM) written as a hex dump so it fits in tEXt/zTXt/iTXt:
 * "\n<name>\n<spaces><decimal length>\n<hex digits, 72 per line>".
 * Reference: ImageMagick coders/png.c (Magick_png_write_raw_profile, png_read_raw_profile);
 * ExifTool PNG.pm "Raw profile type" tags.
 */
import { TracelessError } from '../../errors.js';
import { limits } from '../../limits.js';

export interface RawProfile {
  /** The profile name in the keyword, lowercased: `exif`, `app1`, `iptc`, `8bim`, `xmp`, `icc`, `icm`. */
  name: string;
  data: Buffer;
}

const keywordPrefix = 'raw profile type ';

/** The profile name when the keyword announces a raw profile, else undefined. */
export function rawProfileName(keyword: string): string | undefined {
  const lower = keyword.toLowerCase();
  return lower.startsWith(keywordPrefix) ? lower.slice(keywordPrefix.length).trim() : undefined;
}

/** Decodes the hex dump. Throws TracelessError when the text does not follow the layout. */
export function parseRawProfile(keyword: string, text: string): RawProfile {
  const name = rawProfileName(keyword) ?? '';
  const header = /^\s*([^\n]*)\n\s*(\d{1,12})\s*\n/.exec(text);
  if (!header) throw new TracelessError('MALFORMED', `${keyword}: the hex dump header is missing`);
  const length = Number(header[2]);
  if (length > limits.maxMetadataBytes) {
    throw new TracelessError('LIMIT_EXCEEDED', `${keyword}: declares ${length} bytes, more than ${limits.maxMetadataBytes}`);
  }
  const hex = text.slice(header[0].length).replace(/\s+/g, '');
  if (hex.length < length * 2) throw new TracelessError('TRUNCATED', `${keyword}: declares ${length} bytes but holds ${Math.floor(hex.length / 2)}`);
  const digits = hex.slice(0, length * 2);
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new TracelessError('MALFORMED', `${keyword}: the hex dump has characters that are not hex digits`);
  return { name, data: Buffer.from(digits, 'hex') };
}

/** Hex digits per line in ImageMagick's dump. */
const hexDigitsPerLine = 72;
/** Width of the right-aligned decimal length. */
const lengthFieldWidth = 8;

/** Writes a raw profile the way ImageMagick does, from its name and bytes alone. */
export function encodeRawProfile(name: string, data: Buffer): string {
  const hex = data.toString('hex');
  const lines: string[] = [];
  for (let at = 0; at < hex.length; at += hexDigitsPerLine) lines.push(hex.slice(at, at + hexDigitsPerLine));
  return `\n${name}\n${String(data.length).padStart(lengthFieldWidth)}\n${lines.join('\n')}\n`;
}
