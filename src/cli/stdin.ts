/**
 * `-` as an input: read stdin whole (photos are small); past 64 MB spool it to a private
 * temporary file so that a piped video never sits in memory.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { limits } from '../limits.js';
import { os } from '../io/builtins.js';

export type StdinContent = { kind: 'buffer'; data: Buffer } | { kind: 'file'; path: string; cleanup(): void };

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<StdinContent> {
  const chunks: Buffer[] = [];
  let size = 0;
  let spool: { fd: number; path: string; folder: string } | undefined;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    if (!spool && size + buffer.length > limits.maxInMemoryFileBytes) {
      const folder = mkdtempSync(join(os().tmpdir(), 'traceless-stdin-'));
      const path = join(folder, 'input');
      spool = { fd: openSync(path, 'wx', 0o600), path, folder };
      for (const held of chunks) writeSync(spool.fd, held);
      chunks.length = 0;
    }
    if (spool) writeSync(spool.fd, buffer);
    else chunks.push(buffer);
    size += buffer.length;
  }
  if (!spool) return { kind: 'buffer', data: Buffer.concat(chunks, size) };
  closeSync(spool.fd);
  const { path, folder } = spool;
  return { kind: 'file', path, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}
