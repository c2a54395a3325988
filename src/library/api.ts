/**
 * The library's async API: `inspect`, `clean` and `cleanBuffer` do their work on the shared worker
 * pool (`src/batch/pool.ts`), so a server that awaits them keeps its event loop free while a
 * 100 MB video is walked. The synchronous variants (`inspectSync`, `cleanSync`, `cleanBufferSync`)
 * do the same work on the calling thread, for scripts.
 *
 * Buffers given to these calls are copied once into memory the worker receives by transfer;
 * `{ transfer: true }` hands the caller's own buffer over instead (no copy; it is detached — empty —
 * in the caller afterwards). Every error is a TracelessError (code + message).
 */
import type { Transferable } from 'node:worker_threads';
import { WorkerLost, sharedPool, type WorkerPool } from '../batch/pool.js';
import { cleanBufferSync, cleanSync, cleanToPieces, failedResult } from '../clean.js';
import { TracelessError, asTracelessError, type ErrorCode } from '../errors.js';
import type { Piece } from '../formats/types.js';
import { inspectSync, type InspectOptions } from '../inspect.js';
import type { Input } from '../io/source.js';
import type { CleanOptions, CleanResult, Inspection } from '../types.js';
import { asBuffer, transferable, verifySync, type LibraryReply, type LibraryTask, type VerifyOptions, type WireError, type WireInput } from './tasks.js';
import type { VerifyResult } from '../types.js';

export interface TransferOption {
  /**
   * Hand a Buffer input to the worker without copying it: the caller's buffer is detached (reads
   * as empty) afterwards. Default false: the bytes are copied once and the caller keeps its buffer.
   */
  transfer?: boolean;
}

export type AsyncCleanOptions = CleanOptions & TransferOption;

function wireInput(input: Input, transfer: boolean | undefined): { input: WireInput; list: Transferable[] } {
  if (typeof input === 'string') return { input, list: [] };
  if (transfer && transferable(input)) return { input, list: [input.buffer] };
  // A tight copy of exactly these bytes (posting a view would clone its whole underlying buffer).
  const copy = new Uint8Array(input.byteLength);
  copy.set(input);
  return { input: copy, list: copy.byteLength > 0 ? [copy.buffer] : [] };
}

function withoutTransfer(options: AsyncCleanOptions): CleanOptions {
  const { transfer: _transfer, ...rest } = options;
  return rest;
}

function lostWorker(error: unknown, file: string | undefined): TracelessError {
  if (error instanceof TracelessError) return error;
  const why = error instanceof WorkerLost ? error.message : String((error as Error)?.message ?? error);
  return new TracelessError('INTERNAL', `the worker stopped while handling this input (${why}); nothing was written — please report this`, { file });
}

export function fromWire(error: WireError): TracelessError {
  return new TracelessError(error.code as ErrorCode, error.message, error.file === undefined ? undefined : { file: error.file });
}

/** Runs a task on the pool, or — with no compiled worker script — on this thread after a yield. */
async function onPool<Reply extends LibraryReply>(task: LibraryTask, transfer: Transferable[], inline: () => Reply, pool: WorkerPool = sharedPool()): Promise<Reply> {
  if (!pool.available) {
    await new Promise((resolve) => setImmediate(resolve));
    return inline();
  }
  return pool.run<Reply>(task, transfer);
}

/**
 * Reports every metadata block and decoded finding of a file (path) or of bytes (Buffer), on a
 * worker thread; best effort by default, as `inspectSync` (`{ bestEffort: false }` reads strictly).
 * @example const report = await inspect('IMG_1234.jpg'); report.locations[0]?.latitude
 */
export async function inspect(input: Input, nameOrOptions?: string | (InspectOptions & TransferOption), transferOptions: TransferOption = {}): Promise<Inspection> {
  const { name, bestEffort = true, ...rest } = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  const options: TransferOption = { ...transferOptions, ...rest };
  const file = typeof input === 'string' ? input : (name ?? '<buffer>');
  const wire = wireInput(input, options.transfer);
  let reply: Extract<LibraryReply, { kind: 'lib-inspect' }>;
  try {
    reply = await onPool({ kind: 'lib-inspect', input: wire.input, name, bestEffort }, wire.list, () => {
      try {
        return { kind: 'lib-inspect', inspection: inspectSync(input, { name, bestEffort }), error: null };
      } catch (error) {
        const problem = asTracelessError(error, file);
        return { kind: 'lib-inspect', inspection: null, error: { code: problem.code, message: problem.message, file: problem.file } };
      }
    });
  } catch (error) {
    throw lostWorker(error, file);
  }
  if (reply.error || !reply.inspection) throw fromWire(reply.error ?? { code: 'INTERNAL', message: 'the worker returned no report', file });
  return reply.inspection;
}

/**
 * Checks, on a worker thread, that a file (path) or bytes carry nothing that `clean` would remove.
 * @example const { ok, problems } = await verify('photo.clean.jpg');
 */
export async function verify(input: Input, options: VerifyOptions & TransferOption = {}): Promise<VerifyResult> {
  const file = typeof input === 'string' ? input : '<buffer>';
  const { transfer, ...verifyOptions } = options;
  const wire = wireInput(input, transfer);
  let reply: Extract<LibraryReply, { kind: 'lib-verify' }>;
  try {
    reply = await onPool({ kind: 'lib-verify', input: wire.input, options: verifyOptions }, wire.list, () => {
      try {
        return { kind: 'lib-verify', verification: verifySync(input, verifyOptions), error: null };
      } catch (error) {
        const problem = asTracelessError(error, file);
        return { kind: 'lib-verify', verification: null, error: { code: problem.code, message: problem.message, file: problem.file } };
      }
    });
  } catch (error) {
    throw lostWorker(error, file);
  }
  if (reply.error || !reply.verification) throw fromWire(reply.error ?? { code: 'INTERNAL', message: 'the worker returned no verification', file });
  return reply.verification;
}

/**
 * Cleans `input` (a path or bytes) into the file `output` (or in place with `options.inPlace`) on a
 * worker thread. Never throws: a refusal or failure is a result with `status` and `error`.
 * @example const result = await clean('IMG_1234.jpg', 'IMG_1234.clean.jpg');
 */
export async function clean(input: Input, output: string | null, options: AsyncCleanOptions = {}): Promise<CleanResult> {
  const file = typeof input === 'string' ? input : '<buffer>';
  const cleanOptions = withoutTransfer(options);
  const wire = wireInput(input, options.transfer);
  try {
    const reply = await onPool<Extract<LibraryReply, { kind: 'lib-clean' }>>({ kind: 'lib-clean', input: wire.input, output, options: cleanOptions }, wire.list, () => ({
      kind: 'lib-clean',
      result: cleanSync(input, output, cleanOptions),
    }));
    return reply.result;
  } catch (error) {
    return failedResult(file, lostWorker(error, file));
  }
}

/**
 * Cleans bytes to bytes on a worker thread: verified in memory, nothing touches the disk. `data`
 * is null when the input was refused or failed (`result.error` says why).
 * @example const { result, data } = await cleanBuffer(upload); if (data) send(data);
 */
export async function cleanBuffer(input: Buffer | Uint8Array, options: AsyncCleanOptions = {}, name = '<buffer>'): Promise<{ result: CleanResult; data: Buffer | null }> {
  const cleanOptions = withoutTransfer(options);
  const wire = wireInput(input, options.transfer);
  try {
    const reply = await onPool<Extract<LibraryReply, { kind: 'lib-clean-buffer' }>>(
      { kind: 'lib-clean-buffer', input: wire.input as Uint8Array, options: cleanOptions, name },
      wire.list,
      () => ({ kind: 'lib-clean-buffer', ...cleanBufferSync(asBuffer(input), cleanOptions, name) }),
    );
    return { result: reply.result, data: reply.data ? asBuffer(reply.data) : null };
  } catch (error) {
    return { result: failedResult(name, lostWorker(error, name)), data: null };
  }
}

/**
 * Plans and verifies a clean on a worker without writing it (for streams). `input` must be owned
 * by the caller (a buffer it may hand over, or a private file): a buffer is transferred to the
 * worker and comes back as `bytes`; the pieces copy from it.
 */
export async function cleanPieces(input: string | Buffer, options: CleanOptions, name: string): Promise<{ result: CleanResult; pieces: Piece[] | null; bytes: Buffer | null }> {
  const pool = sharedPool();
  if (!pool.available) {
    await new Promise((resolve) => setImmediate(resolve));
    const { result, pieces } = cleanToPieces(input, options, name);
    return { result, pieces, bytes: typeof input === 'string' ? null : input };
  }
  const wire = wireInput(input, true);
  try {
    const reply = await pool.run<Extract<LibraryReply, { kind: 'lib-clean-pieces' }>>({ kind: 'lib-clean-pieces', input: wire.input, options, name }, wire.list);
    const bytes = reply.input ? asBuffer(reply.input) : null;
    if (!reply.pieces) return { result: reply.result, pieces: null, bytes };
    const packed = reply.bytes ? asBuffer(reply.bytes) : Buffer.alloc(0);
    const pieces = reply.pieces.map((piece): Piece => (piece.kind === 'bytes' ? { kind: 'bytes', data: packed.subarray(piece.start, piece.start + piece.length) } : piece));
    return { result: reply.result, pieces, bytes };
  } catch (error) {
    return { result: failedResult(name, lostWorker(error, name)), pieces: null, bytes: null };
  }
}
