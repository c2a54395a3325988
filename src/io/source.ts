/**
 * Random-access byte sources. Walkers never see a file handle or a stream: they ask a source for
 * `length` bytes at `offset`, and the source either returns exactly that many or throws
 * TRUNCATED. Small files are read whole (one syscall is the fastest path); large ones are read in
 * windows so that a 4 GB video never sits in memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { TracelessError, checkRange } from '../errors.js';
import { limits } from '../limits.js';

export interface ByteSource {
  /** A name for messages: the path, or `<buffer>`/`<stdin>`. */
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes from `offset`; throws TRUNCATED when they are not all there. */
  read(offset: number, length: number): Buffer;
  /** The whole content when it is already in memory (lets small-file fast paths skip copies). */
  readonly wholeBuffer?: Buffer;
  /** Reads exactly `length` bytes into `target` (streaming copies reuse one buffer this way). */
  readInto?(offset: number, length: number, target: Buffer): void;
  close(): void;
}

export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(
    readonly wholeBuffer: Buffer,
    readonly name = '<buffer>',
    private readonly onClose?: () => void,
  ) {
    this.size = wholeBuffer.length;
  }
  read(offset: number, length: number): Buffer {
    checkRange(offset, length, this.size, this.name);
    return this.wholeBuffer.subarray(offset, offset + length);
  }
  close(): void {
    this.onClose?.();
  }
}

/**
 * One reusable read buffer per thread. Reading each photo into a fresh multi-megabyte allocation
 * costs a page fault per 4 KB and an munmap afterwards; a folder run reads thousands of them. The
 * buffer is lent to one open source at a time (a second concurrent open gets its own allocation)
 * and returned when that source is closed.
 */
const scratch = { buffer: Buffer.alloc(0), lent: false };

function borrowScratch(size: number): { buffer: Buffer; release: () => void } | undefined {
  if (scratch.lent) return undefined;
  if (scratch.buffer.length < size) scratch.buffer = Buffer.allocUnsafeSlow(Math.max(size, Math.min(limits.maxInMemoryFileBytes, size * 2)));
  scratch.lent = true;
  let released = false;
  return {
    buffer: scratch.buffer.subarray(0, size),
    release: () => {
      if (released) return;
      released = true;
      scratch.lent = false;
    },
  };
}

/** Reads a file through positional reads, caching one window so that many small reads are cheap. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  private windowStart = 0;
  private window: Buffer = Buffer.alloc(0);
  private static readonly windowBytes = 1024 * 1024;

  constructor(readonly name: string) {
    // Non-blocking open: a FIFO or device given as input is refused below instead of waiting forever
    // for a writer (for regular files the flag changes nothing).
    this.fd = openSync(name, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(this.fd);
    if (!stat.isFile()) {
      this.close();
      throw new TracelessError('IO_ERROR', 'is not a regular file', { file: name });
    }
    this.size = stat.size;
  }

  read(offset: number, length: number): Buffer {
    checkRange(offset, length, this.size, this.name);
    if (offset >= this.windowStart && offset + length <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
    }
    if (length >= FileSource.windowBytes) return this.readExact(offset, length);
    const windowLength = Math.min(FileSource.windowBytes, this.size - offset);
    this.window = this.readExact(offset, windowLength);
    this.windowStart = offset;
    return this.window.subarray(0, length);
  }

  readInto(offset: number, length: number, target: Buffer): void {
    checkRange(offset, length, this.size, this.name);
    this.readExact(offset, length, target.subarray(0, length));
  }

  /** The whole file in one exact read (for small files: one syscall, no window copy). */
  readAll(into?: Buffer): Buffer {
    return this.readExact(0, this.size, into);
  }

  private readExact(offset: number, length: number, into?: Buffer): Buffer {
    if (this.fd === undefined) throw new TracelessError('IO_ERROR', 'source already closed', { file: this.name });
    const buffer = into ?? Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const got = readSync(this.fd, buffer, done, length - done, offset + done);
      if (got === 0) throw new TracelessError('TRUNCATED', 'file shrank while it was being read', { file: this.name });
      done += got;
    }
    return buffer;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Opens a path: whole into memory when small, windowed otherwise. */
export function openSource(path: string): ByteSource {
  const file = new FileSource(path);
  if (file.size <= limits.maxInMemoryFileBytes) {
    const lent = borrowScratch(file.size);
    try {
      return lent ? new BufferSource(file.readAll(lent.buffer), path, lent.release) : new BufferSource(file.readAll(), path);
    } catch (error) {
      lent?.release();
      throw error;
    } finally {
      file.close();
    }
  }
  return file;
}

export type Input = string | Buffer | Uint8Array;

export function sourceFor(input: Input, name?: string): ByteSource {
  if (typeof input === 'string') return openSource(input);
  const buffer = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return new BufferSource(buffer, name ?? '<buffer>');
}
