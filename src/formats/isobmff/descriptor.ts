/**
 * MPEG-4 descriptors (ISO/IEC 14496-1 §7.2.2 "expandable classes"): a tag byte, then the body's
 * length in 1–4 bytes of 7 bits each (the high bit says another length byte follows), then the body.
 * Used inside `esds` (ES_Descriptor, DecoderConfigDescriptor, DecoderSpecificInfo).
 */

export interface Descriptor {
  tag: number;
  length: number;
  /** Where the body starts (after the tag and the length bytes). */
  bodyStart: number;
}

/** Length bytes a descriptor may use. */
const maxLengthBytes = 4;

/** The descriptor header at `at`, or undefined when it (or its body) does not fit in `data`. */
export function readDescriptor(data: Buffer, at: number): Descriptor | undefined {
  if (at >= data.length) return undefined;
  const tag = data[at]!;
  let length = 0;
  let cursor = at + 1;
  for (let index = 0; index < maxLengthBytes; index++) {
    if (cursor >= data.length) return undefined;
    const byte = data[cursor++]!;
    length = (length << 7) | (byte & 0x7f);
    if (!(byte & 0x80)) return cursor + length <= data.length ? { tag, length, bodyStart: cursor } : undefined;
  }
  return undefined;
}

/** Where the descriptor at `at` ends, or undefined when it does not fit. */
export function descriptorEnd(data: Buffer, at: number): number | undefined {
  const descriptor = readDescriptor(data, at);
  return descriptor ? descriptor.bodyStart + descriptor.length : undefined;
}
