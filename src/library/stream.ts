/**
 * Streams in, clean bytes out — for upload pipelines.
 *
 *   const { output, result } = cleanStream(request);
 *   const summary = await result;          // settles before the first clean byte: set headers here
 *   await pipeline(output, response);
 *
 * The input is collected (≤ 64 MB in memory, larger spooled to a private temporary file), the
 * clean is planned and verified on the worker pool exactly as `clean` does, and only then are the
 * verified pieces emitted, in chunks, as the consumer reads them (backpressure holds; memory stays
 * bounded whatever the size). Nothing unverified is ever emitted: a refusal or failure rejects
 * `result` with a TracelessError and errors `output` before its first byte.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { TracelessError } from '../errors.js';
import type { Piece } from '../formats/types.js';
import type { CleanOptions, CleanResult } from '../types.js';
import { cleanPieces } from './api.js';
import { abortError, collect, type Collected } from './spool.js';

export interface StreamCleanOptions extends CleanOptions {
  /** A name for results and messages (default `<stream>`); the spool file's path never shows. */
  name?: string;
  /** Aborts the clean: the input is stopped, the output errored, any temporary file removed. */
  signal?: AbortSignal;
}

export interface CleanStream {
  /** The clean bytes. Consume it or destroy it: a spooled input is removed when it closes. */
  output: Readable;
  /**
   * The clean's result, settled once the output is verified and before its first byte is emitted;
   * rejects with a TracelessError (nothing emitted) when the input is refused or the clean fails.
   */
  result: Promise<CleanResult>;
}

export interface CleanWebStream {
  readable: ReadableStream<Uint8Array>;
  result: Promise<CleanResult>;
}

/** Bytes emitted per chunk (copied ranges are sliced, never copied, from an in-memory input). */
const chunkBytes = 256 * 1024;

interface Verified {
  result: CleanResult;
  pieces: Piece[];
  input: Collected;
  bytes: Buffer | null;
}

function rejection(result: CleanResult, name: string): TracelessError {
  const error = result.error ?? { code: 'INTERNAL', message: 'the clean failed without a reason' };
  const prefix = `${name}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new TracelessError(error.code as TracelessError['code'], message, { file: name });
}

async function verify(source: AsyncIterable<Uint8Array | string>, options: StreamCleanOptions): Promise<Verified> {
  const { name = '<stream>', signal, ...cleanOptions } = options;
  const input = await collect(source, signal);
  try {
    if (signal?.aborted) throw abortError(signal);
    const { result, pieces, bytes } = await cleanPieces(input.kind === 'buffer' ? input.data : input.path, { ...cleanOptions, dryRun: false, inPlace: false }, name);
    if (signal?.aborted) throw abortError(signal);
    if (!pieces || (result.status !== 'cleaned' && result.status !== 'already-clean')) throw rejection(result, name);
    return { result, pieces, input, bytes };
  } catch (error) {
    if (input.kind === 'file') await input.remove();
    throw error;
  }
}

/** The verified pieces as chunks: slices of the in-memory input, or reads of the spool file. */
async function* emit(verified: Verified, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const { pieces, input, bytes } = verified;
  const file = input.kind === 'file' ? await open(input.path, 'r') : undefined;
  let zeros: Buffer | undefined;
  try {
    for (const piece of pieces) {
      if (signal?.aborted) throw abortError(signal);
      if (piece.kind === 'bytes') {
        if (piece.data.length > 0) yield piece.data;
        continue;
      }
      for (let done = 0; done < piece.length; done += chunkBytes) {
        const length = Math.min(chunkBytes, piece.length - done);
        if (piece.kind === 'zeros') {
          zeros ??= Buffer.alloc(chunkBytes);
          yield zeros.subarray(0, length);
        } else if (bytes) {
          yield bytes.subarray(piece.offset + done, piece.offset + done + length);
        } else {
          const chunk = Buffer.allocUnsafe(length);
          let got = 0;
          while (got < length) {
            const { bytesRead } = await file!.read(chunk, got, length - got, piece.offset + done + got);
            if (bytesRead === 0) throw new TracelessError('IO_ERROR', 'the spooled input shrank while it was being emitted');
            got += bytesRead;
          }
          yield chunk;
        }
      }
    }
  } finally {
    await file?.close();
    if (input.kind === 'file') await input.remove();
  }
}

function toIterable(input: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array | string> {
  return input as AsyncIterable<Uint8Array | string>;
}

/** The shared core: the verified result, and a chunk generator that waits for it. */
function start(input: AsyncIterable<Uint8Array | string>, options: StreamCleanOptions): { result: Promise<CleanResult>; chunks: () => AsyncGenerator<Buffer>; release: () => Promise<void> } {
  const verified = verify(input, options);
  const result = verified.then((ready) => ready.result);
  // The caller may watch only the output: a rejection is theirs to see there, never unhandled.
  result.catch(() => undefined);
  let started = false;
  return {
    result,
    chunks: async function* () {
      started = true;
      yield* emit(await verified, options.signal);
    },
    // The consumer went away before reading: the spool file still goes.
    release: async () => {
      if (started) return;
      const ready = await verified.catch(() => undefined);
      if (ready?.input.kind === 'file') await ready.input.remove();
    },
  };
}

/**
 * Cleans a Node readable (an upload, a file stream) into a readable of clean bytes.
 * @example
 * const { output, result } = cleanStream(req, { only: 'location' });
 * const summary = await result;                    // before the first byte: headers can use it
 * res.setHeader('X-Traceless-Removed', String(summary.removed.length));
 * await pipeline(output, res);
 */
export function cleanStream(input: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>, options: StreamCleanOptions = {}): CleanStream {
  const core = start(toIterable(input), options);
  const output = Readable.from(core.chunks(), { objectMode: false, highWaterMark: chunkBytes });
  output.once('close', () => void core.release());
  // An error before the first byte is reported by `result` (which the caller awaits); the output
  // is errored too, without crashing a caller that listens only to `result`.
  core.result.catch((error: unknown) => {
    if (output.destroyed) return;
    if (output.listenerCount('error') === 0) output.once('error', () => undefined);
    output.destroy(error as Error);
  });
  return { output, result: core.result };
}

/**
 * The same over Web Streams (fetch bodies, `Request.body`, edge runtimes).
 * @example
 * const { readable, result } = cleanWebStream(request.body);
 * const summary = await result;
 * return new Response(readable, { headers: { 'X-Traceless-Removed': String(summary.removed.length) } });
 */
export function cleanWebStream(input: ReadableStream<Uint8Array> | globalThis.ReadableStream<Uint8Array>, options: StreamCleanOptions = {}): CleanWebStream {
  const core = start(input as unknown as AsyncIterable<Uint8Array>, options);
  let chunks: AsyncGenerator<Buffer> | undefined;
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        chunks ??= core.chunks();
        try {
          const step = await chunks.next();
          if (step.done) controller.close();
          else controller.enqueue(new Uint8Array(step.value.buffer, step.value.byteOffset, step.value.byteLength));
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        if (chunks) await chunks.return(undefined);
        else await core.release();
      },
    },
    { highWaterMark: 0 },
  );
  return { readable, result: core.result };
}
