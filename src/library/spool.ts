/**
 * Collects a stream's bytes for a clean: up to 64 MB in memory; past that, spooled to a private
 * temporary file (a folder of its own from `mkdtemp`, mode 0700, the file 0600, in `os.tmpdir()`),
 * because container formats put their index at either end and need random access. Written with
 * async I/O one chunk at a time, so the input's backpressure holds and memory stays bounded. The
 * file is removed on success, error and abort; any still there when the process exits go too.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TracelessError } from '../errors.js';
import { limits } from '../limits.js';
import { os } from '../io/builtins.js';

export type Collected = { kind: 'buffer'; data: Buffer; size: number } | { kind: 'file'; path: string; size: number; remove(): Promise<void> };

export const spoolPrefix = 'traceless-stream-';

const live = new Set<string>();
let exitHook = false;

function track(folder: string): void {
  live.add(folder);
  if (exitHook) return;
  exitHook = true;
  // A stream the caller never consumed nor destroyed still leaves nothing behind.
  process.once('exit', () => {
    for (const path of live) rmSync(path, { recursive: true, force: true });
  });
}

async function removeFolder(folder: string): Promise<void> {
  if (!live.delete(folder)) return;
  await rm(folder, { recursive: true, force: true });
}

export function abortError(signal: AbortSignal | undefined): TracelessError {
  const reason = signal?.reason as { message?: string } | undefined;
  return new TracelessError('IO_ERROR', `the clean was aborted${reason?.message ? ` (${reason.message})` : ''}; nothing was written`);
}

/** The next item of `iterator`, or an abort error as soon as `signal` fires (even on a stalled input). */
async function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
  if (!signal) return iterator.next();
  if (signal.aborted) throw abortError(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

export async function collect(source: AsyncIterable<Uint8Array | string>, signal?: AbortSignal): Promise<Collected> {
  const chunks: Buffer[] = [];
  let size = 0;
  let spool: { handle: Awaited<ReturnType<typeof open>>; path: string; folder: string } | undefined;
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let step: IteratorResult<Uint8Array | string>;
      try {
        step = await nextOrAbort(iterator, signal);
      } catch (error) {
        if (error instanceof TracelessError) throw error;
        throw new TracelessError('IO_ERROR', `the input stream failed: ${(error as Error)?.message ?? String(error)}; nothing was written`, { cause: error });
      }
      if (step.done) break;
      const chunk = typeof step.value === 'string' ? Buffer.from(step.value) : Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength);
      if (chunk.length === 0) continue;
      if (!spool && size + chunk.length > limits.maxInMemoryFileBytes) {
        const folder = await mkdtemp(join(os().tmpdir(), spoolPrefix));
        track(folder);
        const path = join(folder, 'input');
        spool = { handle: await open(path, 'wx', 0o600), path, folder };
        for (const held of chunks) await writeAll(spool.handle, held);
        chunks.length = 0;
      }
      // Chunks are copied when kept: a source may reuse its buffer for the next chunk.
      if (spool) await writeAll(spool.handle, chunk);
      else chunks.push(Buffer.from(chunk));
      size += chunk.length;
    }
    finished = true;
  } finally {
    if (!finished) {
      // Stop the source (destroys a Node stream, cancels a web stream) and drop what was spooled.
      // Not awaited: a source stalled inside its own code only finishes its `return` when it
      // resumes, and the cleanup must not wait for that.
      void Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => undefined);
      if (spool) {
        await spool.handle.close().catch(() => undefined);
        await removeFolder(spool.folder);
      }
    }
  }
  if (!spool) return { kind: 'buffer', data: Buffer.concat(chunks, size), size };
  await spool.handle.close();
  const { path, folder } = spool;
  return { kind: 'file', path, size, remove: () => removeFolder(folder) };
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) done += (await handle.write(data, done, data.length - done)).bytesWritten;
}
