/**
 * Writes a clean plan: pieces copied from the source, new bytes, or zeros. Output always goes to a
 * temporary file beside the destination first; the caller renames it into place only after the
 * written bytes verify clean, so an interrupted run never leaves a partial output under its name.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CleanPlan, Piece } from '../formats/types.js';
import type { ByteSource } from './source.js';
import { crypto } from './builtins.js';

const copyChunkBytes = 4 * 1024 * 1024;

export function planLength(pieces: readonly Piece[]): number {
  let total = 0;
  for (const piece of pieces) total += piece.kind === 'bytes' ? piece.data.length : piece.length;
  return total;
}

/** Renders the whole output in memory (only for sources that are in memory already). */
export function renderPlan(plan: CleanPlan, source: ByteSource): Buffer {
  const parts: Buffer[] = plan.pieces.map((piece) => {
    switch (piece.kind) {
      case 'bytes':
        return piece.data;
      case 'zeros':
        return Buffer.alloc(piece.length);
      case 'copy':
        return source.read(piece.offset, piece.length);
    }
  });
  return Buffer.concat(parts, planLength(plan.pieces));
}

/**
 * Writes the plan into a new file at `path` (which must not exist). Pieces from an in-memory input
 * go out with one gathered write and no copy; pieces from a windowed input are copied in bounded
 * chunks, so memory stays flat whatever the size.
 */
export function writePlanToFile(plan: CleanPlan, source: ByteSource, path: string, durable: boolean): number {
  const fd = openSync(path, 'wx', 0o644);
  let written = 0;
  try {
    const batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = () => {
      if (batch.length === 0) return;
      let done = 0;
      while (done < batchBytes) {
        if (done === 0) done = writevSync(fd, batch);
        else {
          // A short gathered write: finish the rest with plain writes.
          const rest = Buffer.concat(batch).subarray(done);
          writeAll(fd, rest);
          done = batchBytes;
        }
      }
      written += batchBytes;
      batch.length = 0;
      batchBytes = 0;
    };
    const push = (data: Buffer) => {
      batch.push(data);
      batchBytes += data.length;
      if (batch.length >= 512 || batchBytes >= copyChunkBytes) flush();
    };
    // Large copies and zero runs reuse one buffer each: a multi-gigabyte video is streamed
    // through the same 4 MB, with no allocation per chunk.
    let chunk: Buffer | undefined;
    let zeros: Buffer | undefined;
    for (const piece of plan.pieces) {
      if (piece.kind === 'bytes') {
        push(piece.data);
      } else if (piece.kind === 'zeros') {
        if (piece.length <= 64 * 1024) {
          push(Buffer.alloc(piece.length));
          continue;
        }
        zeros ??= Buffer.alloc(copyChunkBytes);
        for (let done = 0; done < piece.length; done += copyChunkBytes) {
          flush();
          writeAll(fd, zeros.subarray(0, Math.min(copyChunkBytes, piece.length - done)));
          written += Math.min(copyChunkBytes, piece.length - done);
        }
      } else if (source.wholeBuffer) {
        push(source.wholeBuffer.subarray(piece.offset, piece.offset + piece.length));
      } else if (source.readInto && piece.length > copyChunkBytes / 4) {
        chunk ??= Buffer.allocUnsafeSlow(copyChunkBytes);
        for (let done = 0; done < piece.length; done += copyChunkBytes) {
          flush();
          const length = Math.min(copyChunkBytes, piece.length - done);
          source.readInto(piece.offset + done, length, chunk);
          writeAll(fd, chunk.subarray(0, length));
          written += length;
        }
      } else {
        flush(); // the windowed source may reuse its buffer on the next read
        push(Buffer.from(source.read(piece.offset, piece.length)));
      }
    }
    flush();
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return written;
}

export function writeBufferToFile(data: Buffer, path: string, durable: boolean): number {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeAll(fd, data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return data.length;
}

function writeAll(fd: number, data: Buffer): number {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
  return data.length;
}

/** Prefix of every temporary file traceless writes; a later run removes stale ones it finds. */
export const temporaryPrefix = '.traceless-';

/** A temporary path in the destination's folder (so the final rename never crosses devices). */
export function temporaryPathFor(destination: string): string {
  return join(dirname(destination), `${temporaryPrefix}${process.pid}-${crypto().randomBytes(4).toString('hex')}-${basename(destination)}.tmp`);
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

export function moveIntoPlace(temporary: string, destination: string): void {
  renameSync(temporary, destination);
}

const temporaryName = /^\.traceless-(\d+)-[0-9a-f]{8}-.*\.tmp$/;

/**
 * Removes temporary files left in `folder` by a traceless run that was killed (SIGKILL, power
 * loss) before it could clean up: those whose process is no longer alive. Returns how many.
 */
export function removeStaleTemporaries(folder: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return 0;
  }
  for (const name of names) {
    const match = temporaryName.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && isAlive(pid)) continue;
    if (pid === process.pid) continue;
    removeQuietly(join(folder, name));
    removed += 1;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
