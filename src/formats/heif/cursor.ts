/**
 * A bounded big-endian cursor over one box payload. Every read checks the remaining bytes and
 * throws TRUNCATED naming the box, so a field that runs past its box can never be read from the
 * next box by accident.
 */
import { TracelessError } from '../../errors.js';

export class Cursor {
  position: number;

  constructor(
    readonly data: Buffer,
    /** Box path for messages, e.g. `meta/iloc`. */
    readonly context: string,
    start = 0,
  ) {
    this.position = start;
  }

  get remaining(): number {
    return this.data.length - this.position;
  }

  private need(bytes: number, what: string): void {
    if (bytes > this.remaining) {
      throw new TracelessError('TRUNCATED', `${this.context}: ${what} needs ${bytes} bytes but only ${this.remaining} remain in the box`);
    }
  }

  u8(what = 'field'): number {
    this.need(1, what);
    return this.data[this.position++]!;
  }

  u16(what = 'field'): number {
    this.need(2, what);
    const value = this.data.readUInt16BE(this.position);
    this.position += 2;
    return value;
  }

  u32(what = 'field'): number {
    this.need(4, what);
    const value = this.data.readUInt32BE(this.position);
    this.position += 4;
    return value;
  }

  u64(what = 'field'): number {
    this.need(8, what);
    const value = this.data.readBigUInt64BE(this.position);
    this.position += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new TracelessError('MALFORMED', `${this.context}: ${what} has an impossible value ${value}`);
    }
    return Number(value);
  }

  /** An unsigned integer of 0, 2, 4 or 8 bytes (0 bytes reads as 0, as ISO/IEC 14496-12 defines). */
  uint(bytes: number, what = 'field'): number {
    switch (bytes) {
      case 0:
        return 0;
      case 1:
        return this.u8(what);
      case 2:
        return this.u16(what);
      case 4:
        return this.u32(what);
      case 8:
        return this.u64(what);
      default:
        throw new TracelessError('MALFORMED', `${this.context}: ${what} has an unsupported size of ${bytes} bytes`);
    }
  }

  fourcc(what = 'type'): string {
    this.need(4, what);
    const value = this.data.toString('latin1', this.position, this.position + 4);
    this.position += 4;
    return value;
  }

  /**
   * A NUL-terminated UTF-8 string. A missing terminator at the very end of the box is accepted
   * (several writers omit it); the string then ends with the box.
   */
  cstring(): string {
    const end = this.data.indexOf(0, this.position);
    const stop = end === -1 ? this.data.length : end;
    const value = this.data.toString('utf8', this.position, stop);
    this.position = end === -1 ? this.data.length : end + 1;
    return value;
  }

  bytes(length: number, what = 'field'): Buffer {
    this.need(length, what);
    const value = this.data.subarray(this.position, this.position + length);
    this.position += length;
    return value;
  }
}

/** Writes unsigned big-endian integers of 0, 1, 2, 4 or 8 bytes into a growing list of parts. */
export class Writer {
  private readonly parts: Buffer[] = [];
  private length = 0;

  uint(bytes: number, value: number): this {
    if (bytes === 0) return this;
    const buffer = Buffer.alloc(bytes);
    if (!Number.isSafeInteger(value) || value < 0 || (bytes < 8 && value >= 2 ** (8 * bytes))) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `value ${value} does not fit in a ${bytes}-byte field`);
    }
    if (bytes === 1) buffer.writeUInt8(value);
    else if (bytes === 2) buffer.writeUInt16BE(value);
    else if (bytes === 4) buffer.writeUInt32BE(value);
    else buffer.writeBigUInt64BE(BigInt(value));
    return this.raw(buffer);
  }

  raw(data: Buffer): this {
    this.parts.push(data);
    this.length += data.length;
    return this;
  }

  get size(): number {
    return this.length;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

/** A box with a 32-bit size header (or a 64-bit one when it must), around `payload`. */
export function makeBox(type: string, payload: Buffer): Buffer {
  const size = 8 + payload.length;
  if (size <= 0xffffffff) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(size, 0);
    header.write(type, 4, 'latin1');
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(size + 8), 8);
  return Buffer.concat([header, payload]);
}

/** A full box: version and 24-bit flags, then `payload`. */
export function makeFullBox(type: string, version: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt8(version & 0xff, 0);
  head.writeUIntBE(flags & 0xffffff, 1, 3);
  return makeBox(type, Buffer.concat([head, payload]));
}
