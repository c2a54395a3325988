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
  /**
   * Part of the content held in memory (a movie box read whole): `heldBytes[i]` is the byte at
   * offset `heldFrom + i`. Lets hot readers (box walks) skip a Buffer view per read; see heldAt.
   */
  readonly heldBytes?: Buffer;
  readonly heldFrom?: number;
  /** Reads exactly `length` bytes into `target` (streaming copies reuse one buffer this way). */
  readInto?(offset: number, length: number, target: Buffer): void;
  /** A planned output only: how many bytes from `offset` on are written as zeros whatever the input held (0 if none). */
  zerosFrom?(offset: number): number;
  close(): void;
}

/**
 * The big-endian 32-bit number at `offset`, as `source.read(offset, 4).readUInt32BE(0)` gives it
 * (throwing as read does when the bytes are not there), without a Buffer view per call when the
 * content is in memory: box walks read tens of thousands of size fields.
 */
export function uint32At(source: ByteSource, offset: number): number {
  const index = heldAt(source, offset, 4);
  if (index >= 0) return (source.wholeBuffer ?? source.heldBytes)!.readUInt32BE(index);
  return source.read(offset, 4).readUInt32BE(0);
}

/**
 * Where `length` bytes at `offset` sit in the source's memory — `wholeBuffer` when it has one,
 * else `heldBytes` — or -1 when they are not all there (the caller then reads, which throws as usual).
 */
export function heldAt(source: ByteSource, offset: number, length: number): number {
  const whole = source.wholeBuffer;
  if (whole !== undefined) return offset >= 0 && offset + length <= whole.length ? offset : -1;
  const held = source.heldBytes;
  if (held === undefined) return -1;
  const index = offset - source.heldFrom!;
  return index >= 0 && index + length <= held.length ? index : -1;
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
  /**
   * The two windows read last, most recent first: walkers alternate between a file's head and
   * its end (the EOI or trailer check), and one window would be read again at each turn.
   */
  private windows: { start: number; bytes: Buffer }[] = [];

  /** `windowBytes`: how much one read of a few bytes brings in (later reads nearby are free). */
  constructor(
    readonly name: string,
    private readonly windowBytes = 1024 * 1024,
  ) {
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
    for (const window of this.windows) {
      if (offset >= window.start && offset + length <= window.start + window.bytes.length) {
        if (window !== this.windows[0]) this.windows.reverse();
        return window.bytes.subarray(offset - window.start, offset - window.start + length);
      }
    }
    if (length >= this.windowBytes) return this.readExact(offset, length);
    const window = { start: offset, bytes: this.readExact(offset, Math.min(this.windowBytes, this.size - offset)) };
    this.windows = [window, ...this.windows.slice(0, 1)];
    return window.bytes.subarray(0, length);
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

/**
 * Window of a file read on demand (`openSource(path, { onDemand: true })`): a photo's metadata
 * blocks usually sit in its first 256 KB.
 */
const onDemandWindowBytes = 256 * 1024;

export interface OpenOptions {
  /**
   * Read as the walkers ask instead of whole at open, unless the file fits memory this thread
   * already holds. For inspection: a one-photo scan spent 5 ms of its 7 ms read on page faults
   * of a fresh multi-megabyte buffer, while its walk reads the image data through a small window
   * of its own (see src/formats/jpeg/entropy-scan.ts). Cleaning reads whole (its writer and
   * residue search work on the whole input).
   */
  onDemand?: boolean;
}

/** Opens a path: whole into memory when small, windowed otherwise. */
export function openSource(path: string, options: OpenOptions = {}): ByteSource {
  const file = new FileSource(path, options.onDemand ? onDemandWindowBytes : undefined);
  const readWhole = file.size <= limits.maxInMemoryFileBytes && !(options.onDemand && (scratch.lent || scratch.buffer.length < file.size));
  if (readWhole) {
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

/**
 * A reader for scans that look at each piece of a source once (is this range all zeros, where is
 * a signature): a file is read into one buffer of `maxBytes`, reused — a fresh multi-megabyte
 * buffer per piece costs a page fault per 4 KB — and memory is read without a copy. What it
 * returns is valid until its next call; `length` is at most `maxBytes`.
 */
export function transientReader(source: ByteSource, maxBytes: number): (offset: number, length: number) => Buffer {
  if (!source.readInto || source.wholeBuffer) return (offset, length) => source.read(offset, length);
  const scratch = Buffer.allocUnsafeSlow(Math.max(1, Math.min(maxBytes, source.size)));
  return (offset, length) => {
    source.readInto!(offset, length, scratch);
    return scratch.subarray(0, length);
  };
}

export type Input = string | Buffer | Uint8Array;

export function sourceFor(input: Input, name?: string, options?: OpenOptions): ByteSource {
  if (typeof input === 'string') return openSource(input, options);
  const buffer = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return new BufferSource(buffer, name ?? '<buffer>');
}
