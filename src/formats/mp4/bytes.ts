/**
 * Small readers for box payloads held in memory. Every read is bounds-checked and throws
 * TracelessError, so that a hostile length inside a box can never index past its payload.
 */
import { TracelessError } from '../../errors.js';

/** Seconds between 1904-01-01 (the QuickTime/ISO epoch) and 1970-01-01. */
export const macEpochOffsetSeconds = 2_082_844_800;

/** A cursor over one payload; `what` names it in messages. */
export class PayloadReader {
  offset = 0;
  constructor(
    readonly data: Buffer,
    readonly what: string,
  ) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  need(length: number): void {
    if (!Number.isSafeInteger(length) || length < 0 || this.offset + length > this.data.length) {
      throw new TracelessError('TRUNCATED', `${this.what}: needs ${length} bytes at ${this.offset} but has ${this.data.length}`);
    }
  }

  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }

  u8(): number {
    this.need(1);
    return this.data[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const value = this.data.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  i32(): number {
    this.need(4);
    const value = this.data.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** A 64-bit unsigned value; throws MALFORMED past 2^53 (no real offset or time is that large). */
  u64(): number {
    this.need(8);
    const value = this.data.readBigUInt64BE(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TracelessError('MALFORMED', `${this.what}: 64-bit value out of range`);
    return Number(value);
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  fourcc(): string {
    return this.bytes(4).toString('latin1');
  }

  /** A NUL-terminated string (the terminator is consumed when present). */
  cString(): string {
    const end = this.data.indexOf(0, this.offset);
    const stop = end === -1 ? this.data.length : end;
    const text = decodeText(this.data.subarray(this.offset, stop));
    this.offset = end === -1 ? stop : stop + 1;
    return text;
  }
}

/** UTF-8 text, or UTF-16 when it starts with a byte-order mark (3GPP strings allow both). */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    swapped.swap16();
    return swapped.toString('utf16le').replace(/\0+$/, '');
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)).toString('utf16le').replace(/\0+$/, '');
  return bytes.toString('utf8').replace(/\0+$/, '');
}

/** A 1904-epoch time in seconds as ISO 8601 UTC, or undefined for 0 and impossible values. */
export function macTimeToIso(seconds: number): string | undefined {
  if (seconds === 0 || !Number.isFinite(seconds)) return undefined;
  const milliseconds = (seconds - macEpochOffsetSeconds) * 1000;
  if (Math.abs(milliseconds) > 8.64e15) return undefined;
  return new Date(milliseconds).toISOString().replace('.000Z', 'Z');
}

const zeroBlock = Buffer.alloc(64 * 1024);

/** True when every byte is zero (compared a block at a time: `mdat` gaps can be large). */
export function isAllZero(bytes: Buffer): boolean {
  for (let start = 0; start < bytes.length; start += zeroBlock.length) {
    const end = Math.min(bytes.length, start + zeroBlock.length);
    if (bytes.compare(zeroBlock, 0, end - start, start, end) !== 0) return false;
  }
  return true;
}

/** Text for messages and findings: long values are cut, never hidden. */
export function shorten(text: string, maximum = 200): string {
  return text.length > maximum ? `${text.slice(0, maximum)}…` : text;
}
