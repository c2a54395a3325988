/**
 * One region of a file (the `moov` box) held in memory, addressed with file offsets, so that box
 * offsets found inside it are real file offsets and every later edit can use them directly.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';

export class SliceSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  readonly heldBytes: Buffer;
  readonly heldFrom: number;

  constructor(
    private readonly data: Buffer,
    private readonly base: number,
    file: ByteSource,
  ) {
    this.name = file.name;
    this.size = file.size;
    this.heldBytes = data;
    this.heldFrom = base;
  }

  read(offset: number, length: number): Buffer {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < this.base || length < 0 || offset + length > this.base + this.data.length) {
      throw new TracelessError('MALFORMED', `read of ${length} bytes at ${offset} falls outside the box held in memory (${this.base}..${this.base + this.data.length})`);
    }
    return this.data.subarray(offset - this.base, offset - this.base + length);
  }

  close(): void {}
}

/** Reads `length` bytes at `offset` into memory, refusing more than `maximum` bytes. */
export function loadSlice(source: ByteSource, offset: number, length: number, maximum: number, what: string): SliceSource {
  if (length > maximum) throw new TracelessError('LIMIT_EXCEEDED', `${what} is ${length} bytes, more than the maximum of ${maximum} read into memory`);
  return new SliceSource(source.read(offset, length), offset, source);
}
