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

function requireBuiltin<Module>(id: string): Module {
  if (getBuiltinModule) return getBuiltinModule.call(process, id) as Module;
  requireFallback ??= createRequire(import.meta.url);
  return requireFallback(id) as Module;
}

export const zlib = () => requireBuiltin<typeof import('node:zlib')>('node:zlib');
export const crypto = () => requireBuiltin<typeof import('node:crypto')>('node:crypto');
export const workerThreads = () => requireBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
export const streamPromises = () => requireBuiltin<typeof import('node:stream/promises')>('node:stream/promises');
/** With readline and the file watchers it loads: a few ms of any run that loads the HTML report's module. */
export const fsPromises = () => requireBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
/** Loads the stream and worker modules with it: ~4 ms, paid only by folder runs (src/batch/jit-tuning.ts). */
export const v8 = () => requireBuiltin<typeof import('node:v8')>('node:v8');
export const os = () => requireBuiltin<typeof import('node:os')>('node:os');

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
    return requireBuiltin<typeof import('node:tty')>('node:tty').isatty(fd);
  } catch {
    return false;
  }
}
