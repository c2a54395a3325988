/**
 * The library's units of work, run inside a pool worker (`src/batch/worker.ts`). Inputs and
 * replies are plain data; buffers travel in transfer lists, so a 60 MB photo crosses between
 * threads without a copy. Errors cross as `{ code, message, file }` and become TracelessError
 * again on the calling side.
 */
import type { Transferable } from 'node:worker_threads';
import { cleanBufferSync, cleanSync, cleanToPieces, failedResult } from '../clean.js';
import { asTracelessError } from '../errors.js';
import type { Piece } from '../formats/types.js';
import { inspectSync } from '../inspect.js';
import { sourceFor, type ByteSource, type Input } from '../io/source.js';
import type { CleanMode, CleanOptions, CleanResult, Inspection, VerifyResult } from '../types.js';
import { verifySource } from '../verify.js';

/** A path, or bytes (a Buffer arrives on the other side of a thread as a plain Uint8Array). */
export type WireInput = string | Uint8Array;

export type LibraryTask =
  | { kind: 'lib-inspect'; input: WireInput; name?: string; bestEffort?: boolean }
  | { kind: 'lib-clean'; input: WireInput; output: string | null; options: CleanOptions }
  | { kind: 'lib-clean-buffer'; input: Uint8Array; options: CleanOptions; name: string }
  | { kind: 'lib-clean-pieces'; input: WireInput; options: CleanOptions; name: string }
  | { kind: 'lib-verify'; input: WireInput; options: VerifyOptions };

export interface WireError {
  code: string;
  message: string;
  file?: string;
}

/**
 * A verified piece as it crosses threads: written bytes are packed into one buffer (`bytes` of the
 * reply) and named by their range in it, so no piece drags a larger buffer along with it.
 */
export type WirePiece =
  | { kind: 'copy'; offset: number; length: number }
  | { kind: 'bytes'; start: number; length: number }
  | { kind: 'zeros'; length: number };

export type LibraryReply =
  | { kind: 'lib-inspect'; inspection: Inspection | null; error: WireError | null }
  | { kind: 'lib-clean'; result: CleanResult }
  | { kind: 'lib-clean-buffer'; result: CleanResult; data: Uint8Array | null }
  | { kind: 'lib-clean-pieces'; result: CleanResult; pieces: WirePiece[] | null; bytes: Uint8Array | null; input: Uint8Array | null }
  | { kind: 'lib-verify'; verification: VerifyResult | null; error: WireError | null };

export interface VerifyOptions {
  only?: CleanMode;
  keepOrientation?: boolean;
  keepDates?: boolean;
}

/**
 * Checks that a file (path) or bytes carry nothing that `clean` would remove (in `options.only`),
 * on the calling thread. Throws TracelessError when the input cannot be read.
 */
export function verifySync(input: Input, options: VerifyOptions = {}): VerifyResult {
  let source: ByteSource;
  try {
    source = sourceFor(input);
  } catch (error) {
    throw asTracelessError(error, typeof input === 'string' ? input : '<buffer>');
  }
  try {
    return verifySource(source, { mode: options.only ?? 'all', keepOrientation: options.keepOrientation ?? true, keepDates: options.keepDates ?? false });
  } catch (error) {
    throw asTracelessError(error, source.name);
  } finally {
    source.close();
  }
}

export function isLibraryTask(message: unknown): message is LibraryTask {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && kind.startsWith('lib-');
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toBuffers(input: WireInput): string | Buffer {
  return typeof input === 'string' ? input : asBuffer(input);
}

/** Whether `bytes` can be handed over by transfer: it is the whole of a plain ArrayBuffer. */
export function transferable(bytes: Uint8Array): bytes is Uint8Array & { buffer: ArrayBuffer } {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.byteLength > 0;
}

/** Bytes ready to post: the same memory when it can be transferred, else a tight copy (small). */
function owned(bytes: Uint8Array, transfer: Transferable[]): Uint8Array {
  const tight = transferable(bytes) ? bytes : new Uint8Array(bytes);
  if (transferable(tight)) transfer.push(tight.buffer);
  return tight;
}

function packPieces(pieces: readonly Piece[]): { pieces: WirePiece[]; bytes: Uint8Array } {
  let total = 0;
  for (const piece of pieces) if (piece.kind === 'bytes') total += piece.data.length;
  const bytes = new Uint8Array(total);
  let at = 0;
  const wire = pieces.map((piece): WirePiece => {
    if (piece.kind === 'copy') return { kind: 'copy', offset: piece.offset, length: piece.length };
    if (piece.kind === 'zeros') return { kind: 'zeros', length: piece.length };
    bytes.set(piece.data, at);
    at += piece.data.length;
    return { kind: 'bytes', start: at - piece.data.length, length: piece.data.length };
  });
  return { pieces: wire, bytes };
}

/** Runs one library task (synchronously, in the worker) and lists what the reply may transfer. */
export function runLibraryTask(task: LibraryTask): { reply: LibraryReply; transfer: Transferable[] } {
  const transfer: Transferable[] = [];
  switch (task.kind) {
    case 'lib-inspect': {
      const file = typeof task.input === 'string' ? task.input : task.name;
      try {
        return { reply: { kind: 'lib-inspect', inspection: inspectSync(toBuffers(task.input), { name: task.name, bestEffort: task.bestEffort ?? true }), error: null }, transfer };
      } catch (error) {
        const problem = asTracelessError(error, file);
        return { reply: { kind: 'lib-inspect', inspection: null, error: { code: problem.code, message: problem.message, file: problem.file } }, transfer };
      }
    }
    case 'lib-clean': {
      try {
        return { reply: { kind: 'lib-clean', result: cleanSync(toBuffers(task.input), task.output, task.options) }, transfer };
      } catch (error) {
        return { reply: { kind: 'lib-clean', result: failedResult(typeof task.input === 'string' ? task.input : '<buffer>', error) }, transfer };
      }
    }
    case 'lib-clean-buffer': {
      const { result, data } = cleanBufferSync(asBuffer(task.input), task.options, task.name);
      return { reply: { kind: 'lib-clean-buffer', result, data: data ? owned(data, transfer) : null }, transfer };
    }
    case 'lib-verify': {
      try {
        return { reply: { kind: 'lib-verify', verification: verifySync(toBuffers(task.input), task.options), error: null }, transfer };
      } catch (error) {
        const problem = asTracelessError(error, typeof task.input === 'string' ? task.input : '<buffer>');
        return { reply: { kind: 'lib-verify', verification: null, error: { code: problem.code, message: problem.message, file: problem.file } }, transfer };
      }
    }
    case 'lib-clean-pieces': {
      const { result, pieces } = cleanToPieces(toBuffers(task.input), task.options, task.name);
      // The input buffer goes back to the caller, who emits the copied ranges from it.
      const input = typeof task.input === 'string' ? null : owned(task.input, transfer);
      if (!pieces) return { reply: { kind: 'lib-clean-pieces', result, pieces: null, bytes: null, input }, transfer };
      const packed = packPieces(pieces);
      return { reply: { kind: 'lib-clean-pieces', result, pieces: packed.pieces, bytes: owned(packed.bytes, transfer), input }, transfer };
    }
  }
}
