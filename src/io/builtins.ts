/**
 * Node built-ins that only some runs need, loaded on first use. Static imports load them when the
 * CLI starts: crypto, zlib and worker_threads cost a one-photo JPEG scan several milliseconds for
 * nothing (no PNG to inflate, no worker to start).
 */
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

export const zlib = (): typeof import('node:zlib') => requireBuiltin('node:zlib');
export const crypto = (): typeof import('node:crypto') => requireBuiltin('node:crypto');
export const workerThreads = (): typeof import('node:worker_threads') => requireBuiltin('node:worker_threads');
export const v8 = (): typeof import('node:v8') => requireBuiltin('node:v8');
