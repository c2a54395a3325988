/**
 * Node built-ins that only some runs need, loaded on first use. Static imports load them when the
 * CLI starts: crypto, zlib and worker_threads cost a one-photo JPEG scan several milliseconds for
 * nothing (no PNG to inflate, no worker to start); os and module (~0.5 ms each) too.
 */
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';

type GetBuiltinModule = (id: string) => unknown;
/** Node ≥ 20.16 loads a built-in by name; `createRequire` (which the bundle loads lazily, see scripts/bundle.mjs) otherwise. */
const getBuiltinModule = (process as { getBuiltinModule?: GetBuiltinModule }).getBuiltinModule;
let requireFallback: GetBuiltinModule | undefined;

function requireBuiltin(id: string): unknown {
  if (getBuiltinModule) return getBuiltinModule.call(process, id);
  requireFallback ??= createRequire(import.meta.url);
  return requireFallback(id);
}

export const zlib = (): typeof import('node:zlib') => requireBuiltin('node:zlib') as typeof import('node:zlib');
export const crypto = (): typeof import('node:crypto') => requireBuiltin('node:crypto') as typeof import('node:crypto');
export const workerThreads = (): typeof import('node:worker_threads') => requireBuiltin('node:worker_threads') as typeof import('node:worker_threads');
export const streamPromises = (): typeof import('node:stream/promises') => requireBuiltin('node:stream/promises') as typeof import('node:stream/promises');
/** With readline and the file watchers it loads: a few ms of any run that loads the HTML report's module. */
export const fsPromises = (): typeof import('node:fs/promises') => requireBuiltin('node:fs/promises') as typeof import('node:fs/promises');
/** Loads the stream and worker modules with it: ~4 ms, paid only by folder runs (src/batch/jit-tuning.ts). */
export const v8 = (): typeof import('node:v8') => requireBuiltin('node:v8') as typeof import('node:v8');
export const os = (): typeof import('node:os') => requireBuiltin('node:os') as typeof import('node:os');

/** Linux's memory devices (/dev/null, /dev/zero, /dev/full, /dev/random …): never a terminal. */
const memoryDeviceMajor = 1;

/**
 * Whether a descriptor is a terminal. Node's tty module loads net with it (2–8 ms of a one-photo
 * scan): only a character device that is not a memory device such as /dev/null is asked.
 */
export function isTerminal(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    if (!stat.isCharacterDevice() || Math.floor(stat.rdev / 256) % 4096 === memoryDeviceMajor) return false;
    return (requireBuiltin('node:tty') as typeof import('node:tty')).isatty(fd);
  } catch {
    return false;
  }
}
