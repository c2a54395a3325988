/** Test helpers: a scratch folder per test file, and a source that counts what is read from it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { BufferSource, ByteSource } from '../../src/io/source.js';

/**
 * A temporary folder made before the file's tests and removed after them; `save` writes data into
 * it under a fresh name (with `extension`) and returns the path.
 */
export function scratchFolder(prefix: string, extension = '.jpg'): { save(data: Buffer): string; path(): string } {
  let work = '';
  let counter = 0;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return {
    save(data: Buffer): string {
      const path = join(work, `file-${++counter}${extension}`);
      writeFileSync(path, data);
      return path;
    },
    path: () => work,
  };
}

/** Counts the bytes read through it (to show what a walk does not read). */
export class CountingSource implements ByteSource {
  readonly size: number;
  readonly name = 'counted';
  bytesRead = 0;
  constructor(private readonly inner: BufferSource) {
    this.size = inner.size;
  }
  read(offset: number, length: number): Buffer {
    this.bytesRead += length;
    return this.inner.read(offset, length);
  }
  close(): void {}
}
