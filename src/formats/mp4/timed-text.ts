/**
 * The text of timed-text samples, in every encoding the specifications allow: 3GPP TS 26.245 §5.17
 * (`tx3g`: 16-bit length, then UTF-8, or UTF-16 when it starts with a byte-order mark, then
 * modifier boxes such as `href` with their own text), the QuickTime `text` sample (same length
 * prefix), and ISO/IEC 14496-30 (`wvtt` boxes of UTF-8 cues, `stpp` XML). Every sample is read
 * whole and searched in each plausible decoding, so text hidden after the declared length or in a
 * modifier box is searched too.
 */

/** The decodings of one sample worth searching for coordinates. */
export function timedTextOf(sample: Buffer, format: string): string[] {
  const texts = [sample.toString('utf8'), sample.toString('latin1')];
  if ((format === 'tx3g' || format === 'text') && sample.length >= 2) {
    const length = Math.min(sample.readUInt16BE(0), sample.length - 2);
    const body = sample.subarray(2, 2 + length);
    texts.push(decodeWithByteOrderMark(body));
  }
  // UTF-16 anywhere in the sample (either byte order, either alignment).
  if (sample.length >= 4) {
    for (const start of [0, 1]) {
      const even = sample.subarray(start, start + ((sample.length - start) & ~1));
      texts.push(even.toString('utf16le'));
      const swapped = Buffer.from(even);
      swapped.swap16();
      texts.push(swapped.toString('utf16le'));
    }
  }
  return texts;
}

function decodeWithByteOrderMark(body: Buffer): string {
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) {
    const swapped = Buffer.from(body.subarray(2, 2 + ((body.length - 2) & ~1)));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return body.subarray(2, 2 + ((body.length - 2) & ~1)).toString('utf16le');
  return body.toString('utf8');
}
