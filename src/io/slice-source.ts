/**
 * A window `[start, start + size)` of another source, read through it: how a cleaner walks an
 * image stored inside a file (an MPF image after the first JPEG) without copying it out.
 */
import { checkRange } from '../errors.js';
import type { ByteSource } from './source.js';

export class SliceSource implements ByteSource {
  readonly name: string;
  readonly wholeBuffer?: Buffer;

  constructor(
    private readonly parent: ByteSource,
    readonly start: number,
    readonly size: number,
  ) {
    checkRange(start, size, parent.size, parent.name);
    this.name = `${parent.name}@${start}`;
    if (parent.wholeBuffer) this.wholeBuffer = parent.wholeBuffer.subarray(start, start + size);
  }

  read(offset: number, length: number): Buffer {
    checkRange(offset, length, this.size, this.name);
    return this.parent.read(this.start + offset, length);
  }

  close(): void {
    // The parent owns the file.
  }
}
