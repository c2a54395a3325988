/**
 * The user-space floor for copying a folder, kept here for runs without ../shared/tools (the same
 * program as ../shared/tools/bare-copy.mjs, which TARGETS.md names): read each file whole and write
 * it whole, with N worker threads and one reused buffer each.
 *   node dist/bench/bare-copy.js SRC_DIR DST_DIR [N=2]   (flat folders)
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (isMainThread) {
  const [source, destination, count] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] || 2)];
  mkdirSync(destination, { recursive: true });
  const files = readdirSync(source);
  let done = 0;
  for (let index = 0; index < count; index++) {
    const mine = files.filter((_, at) => at % count === index);
    const worker = new Worker(new URL(import.meta.url), { workerData: { source, destination, files: mine } });
    worker.on('exit', () => {
      if (++done === count) process.exit(0);
    });
  }
} else {
  const { source, destination, files } = workerData as { source: string; destination: string; files: string[] };
  let buffer = Buffer.allocUnsafe(8 << 20);
  for (const file of files) {
    const input = openSync(join(source, file), 'r');
    const size = fstatSync(input).size;
    if (size > buffer.length) buffer = Buffer.allocUnsafe(size);
    for (let at = 0; at < size; ) at += readSync(input, buffer, at, size - at, at);
    closeSync(input);
    const output = openSync(join(destination, file), 'w');
    for (let at = 0; at < size; ) at += writeSync(output, buffer, at, size - at);
    closeSync(output);
  }
}
