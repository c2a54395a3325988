/**
 * Which character encoding an XMP packet is in, decided strictly.
 * Reference: Adobe XMP Specification Part 1 (ISO 16684-1) §7.1 (UTF-8, UTF-16 or UTF-32, either byte
 * order) and §7.3.2 (the `<?xpacket begin="…"?>` wrapper whose `begin` value is the byte-order mark);
 * XML 1.0 Appendix F (autodetection from the first bytes, which must be `<` or a BOM).
 *
 * Two readers must not be able to read one packet two ways: the old detector took `A\0…` for
 * UTF-16 while ExifTool read the same bytes as UTF-8 and found a place in it. So a packet is read
 * only when its first bytes say one thing — a BOM, or `<` (or XML white space) in exactly one
 * encoding — and every byte decodes; anything else is unreadable, and cleaners remove it whole.
 */
import { isUtf8 } from 'node:buffer';

export type XmpEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be';

export type DecodedXmpBytes = { text: string; encoding: XmpEncoding } | { problem: string };

const lessThan = 0x3c;
/** XML white space (XML 1.0 §2.3): a packet in a file may start after a few of these. */
const isXmlSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

interface Signature {
  encoding: XmpEncoding;
  bom: number[];
  /** How `<` is spelled at the start without a BOM. */
  lessThan: number[];
}

// Longest first: FF FE 00 00 is UTF-32LE, not UTF-16LE followed by a NUL character.
const signatures: Signature[] = [
  { encoding: 'utf32be', bom: [0x00, 0x00, 0xfe, 0xff], lessThan: [0, 0, 0, lessThan] },
  { encoding: 'utf32le', bom: [0xff, 0xfe, 0x00, 0x00], lessThan: [lessThan, 0, 0, 0] },
  { encoding: 'utf8', bom: [0xef, 0xbb, 0xbf], lessThan: [lessThan] },
  { encoding: 'utf16be', bom: [0xfe, 0xff], lessThan: [0, lessThan] },
  { encoding: 'utf16le', bom: [0xff, 0xfe], lessThan: [lessThan, 0] },
];

const startsWith = (bytes: Buffer, prefix: number[]) => bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);

/** The encoding the first bytes announce, or why they announce none (or more than one). */
export function detectXmpEncoding(bytes: Buffer): { encoding: XmpEncoding; bomLength: number } | { problem: string } {
  for (const signature of signatures) {
    if (startsWith(bytes, signature.bom)) return { encoding: signature.encoding, bomLength: signature.bom.length };
  }
  // No BOM: `<` spelled in one encoding (UTF-16 and UTF-32 little-endian share their first two
  // bytes, so the longer pattern is tried first and the shorter must then not also match).
  const candidates = signatures.filter((signature) => startsWith(bytes, signature.lessThan));
  const widest = candidates.sort((a, b) => b.lessThan.length - a.lessThan.length)[0];
  if (widest) return { encoding: widest.encoding, bomLength: 0 };
  // UTF-8 may start with white space (a sidecar written by hand); the other encodings would show
  // zero bytes here, which are not white space in UTF-8, so this cannot be read two ways.
  let index = 0;
  while (index < bytes.length && isXmlSpace(bytes[index]!)) index++;
  if (index > 0 && (index === bytes.length || bytes[index] === lessThan)) return { encoding: 'utf8', bomLength: 0 };
  if (bytes.length === 0) return { encoding: 'utf8', bomLength: 0 };
  return { problem: 'the packet does not start with "<" or a byte-order mark, so its encoding is ambiguous' };
}

/** The packet's text, or why it cannot be read without guessing. */
export function decodeXmpBytes(bytes: Buffer): DecodedXmpBytes {
  const detected = detectXmpEncoding(bytes);
  if ('problem' in detected) return detected;
  const body = bytes.subarray(detected.bomLength);
  const label = detected.encoding === 'utf8' ? 'utf-8' : detected.encoding === 'utf16le' ? 'utf-16le' : detected.encoding === 'utf16be' ? 'utf-16be' : undefined;
  try {
    // `fatal`: a byte sequence that is not valid in the encoding is a reason to stop, not a U+FFFD
    // that hides what another reader would see there.
    const text = detected.encoding === 'utf8' ? decodeUtf8(body) : label ? new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(body) : decodeUtf32(body, detected.encoding === 'utf32le');
    return { text, encoding: detected.encoding };
  } catch {
    return { problem: `the packet is not valid ${detected.encoding.toUpperCase().replace('UTF', 'UTF-')}` };
  }
}

/**
 * Strict UTF-8, as `new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })` decodes it: Node's
 * validator, then a plain decode (the TextDecoder's converter costs a one-photo scan ~1 ms to set up).
 */
function decodeUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new RangeError('not valid UTF-8');
  return bytes.toString('utf8');
}

function decodeUtf32(bytes: Buffer, littleEndian: boolean): string {
  if (bytes.length % 4 !== 0) throw new RangeError('UTF-32 length is not a multiple of 4');
  const parts: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4) {
    const code = littleEndian ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new RangeError('not a Unicode scalar value');
    parts.push(String.fromCodePoint(code));
  }
  return parts.join('');
}

/**
 * What `xmpText` returns for bytes it will not read: a NUL cannot occur in XML, so the parser can
 * never mistake this for a packet, and it says why.
 */
export const unreadableMarker = '\u0000traceless: unreadable XMP: ';

export function unreadableText(problem: string): string {
  return `${unreadableMarker}${problem}`;
}
