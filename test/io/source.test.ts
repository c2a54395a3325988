/** src/io/source.ts: files read whole, or in windows on demand, give the same bytes. */
import { describe, expect, it } from 'vitest';
import { BufferSource, FileSource, heldAt, openSource, transientReader, uint32At } from '../../src/io/source.js';
import { SliceSource as MovieSlice } from '../../src/formats/mp4/slice-source.js';
import { TracelessError } from '../../src/errors.js';
import { scratchFolder } from '../helpers/scratch.js';

const files = scratchFolder('traceless-source-', '.bin');
const content = Buffer.from(Array.from({ length: 300_000 }, (_, index) => (index * 31 + (index >> 8)) & 0xff));

/** Counts the reads a FileSource makes from its file. */
function countReads(source: FileSource): { count: number } {
  const counter = { count: 0 };
  const inner = source as unknown as { readExact(offset: number, length: number, into?: Buffer): Buffer };
  const original = inner.readExact.bind(source);
  inner.readExact = (offset, length, into) => {
    counter.count++;
    return original(offset, length, into);
  };
  return counter;
}

describe('FileSource', () => {
  it('gives the file bytes for any read, whatever the window', () => {
    const path = files.save(content);
    for (const window of [1, 7, 4096, 1 << 20]) {
      const source = new FileSource(path, window);
      try {
        for (let offset = 0; offset < content.length; offset += 9973) {
          const length = Math.min(content.length - offset, (offset % 5000) + 1);
          expect(source.read(offset, length).equals(content.subarray(offset, offset + length))).toBe(true);
        }
        const into = Buffer.alloc(100);
        source.readInto(content.length - 100, 100, into);
        expect(into.equals(content.subarray(content.length - 100))).toBe(true);
        expect(() => source.read(content.length - 10, 11)).toThrow();
      } finally {
        source.close();
      }
    }
  });

  it("keeps the head and the end of a file: a walk going back and forth reads each window once", () => {
    const source = new FileSource(files.save(content), 64 * 1024);
    const reads = countReads(source);
    try {
      for (let turn = 0; turn < 10; turn++) {
        expect(source.read(100 + turn, 10).equals(content.subarray(100 + turn, 110 + turn))).toBe(true);
        expect(source.read(content.length - 2, 2).equals(content.subarray(content.length - 2))).toBe(true);
      }
      expect(reads.count).toBe(2);
    } finally {
      source.close();
    }
  });
});

describe('openSource', () => {
  it('reads on demand when asked, until this thread holds memory the file fits in; whole by default', () => {
    const path = files.save(content);
    const onDemand = openSource(path, { onDemand: true });
    try {
      expect(onDemand.wholeBuffer).toBeUndefined();
      expect(onDemand.size).toBe(content.length);
      expect(onDemand.read(123_456, 1000).equals(content.subarray(123_456, 124_456))).toBe(true);
    } finally {
      onDemand.close();
    }
    const whole = openSource(path);
    try {
      expect(whole.wholeBuffer?.equals(content)).toBe(true);
    } finally {
      whole.close();
    }
    // The thread's read buffer now fits the file: one read into memory already faulted in is cheapest.
    const reused = openSource(path, { onDemand: true });
    try {
      expect(reused.wholeBuffer?.equals(content)).toBe(true);
    } finally {
      reused.close();
    }
  });
});

describe('transientReader', () => {
  it('reads a file into one reused buffer and memory without a copy, with the same bytes', () => {
    const file = new FileSource(files.save(content), 4096);
    try {
      const fromFile = transientReader(file, 64 * 1024);
      const first = fromFile(1000, 64 * 1024);
      const firstBuffer = first.buffer;
      expect(first.equals(content.subarray(1000, 1000 + 64 * 1024))).toBe(true);
      const second = fromFile(content.length - 10, 10);
      expect(second.equals(content.subarray(content.length - 10))).toBe(true);
      expect(second.buffer).toBe(firstBuffer);
    } finally {
      file.close();
    }
    const memory = new BufferSource(content);
    const piece = transientReader(memory, 64 * 1024)(5, 100);
    expect(piece.buffer).toBe(content.buffer);
    expect(piece.equals(content.subarray(5, 105))).toBe(true);
  });
});

describe('reads in place (heldAt, uint32At)', () => {
  const bytes = Buffer.from([0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 9, 9]);

  it('reads what read() reads, from the whole buffer or from a held slice at its file offsets', () => {
    const whole = new BufferSource(bytes);
    const file = new BufferSource(Buffer.concat([Buffer.alloc(100), bytes]));
    const movie = new MovieSlice(bytes, 100, file);
    for (let offset = 0; offset + 4 <= bytes.length; offset++) {
      expect(uint32At(whole, offset)).toBe(whole.read(offset, 4).readUInt32BE(0));
      expect(uint32At(movie, 100 + offset)).toBe(movie.read(100 + offset, 4).readUInt32BE(0));
    }
    expect(heldAt(movie, 104, 4)).toBe(4);
  });

  it('says when bytes are not all held, and then throws as read() does', () => {
    const file = new BufferSource(Buffer.concat([Buffer.alloc(100), bytes]));
    const movie = new MovieSlice(bytes, 100, file);
    expect(heldAt(movie, 99, 4)).toBe(-1);
    expect(heldAt(movie, 107, 4)).toBe(-1);
    expect(heldAt(new BufferSource(bytes), 8, 4)).toBe(-1);
    expect(() => uint32At(movie, 108)).toThrow(TracelessError);
    expect(() => uint32At(new BufferSource(bytes), 8)).toThrow(TracelessError);
  });
});
