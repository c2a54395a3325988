#!/usr/bin/env node
// The command line: a thin shim over the library's CLI module (bundled into one file by
// `npm run build` for a fast start; the compiled modules are the fallback).
// CommonJS on purpose (bin/package.json): an ES module entry starts Node's ESM loader, ~15 ms of a
// one-photo scan that does nothing for it.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// A closed stdout or stderr (`traceless scan DIR | head -1`) ends the run quietly with the usual
// exit code, never with a stack trace. Reports are written to the descriptors directly (see
// src/cli/output.ts); the streams exist only when something asks for them (image bytes to stdout,
// a progress bar), and get the guard then: creating them at start costs 5–15 ms.
function guard(stream) {
  stream.on('error', (error) => {
    if (error && (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED')) process.exit(process.exitCode ?? 0);
    throw error;
  });
  return stream;
}
for (const name of ['stdout', 'stderr']) {
  const lazy = Object.getOwnPropertyDescriptor(process, name);
  if (!lazy || typeof lazy.get !== 'function' || !lazy.configurable) {
    guard(process[name]);
    continue;
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: lazy.enumerable,
    get() {
      const stream = guard(lazy.get.call(process));
      Object.defineProperty(process, name, { configurable: true, enumerable: lazy.enumerable, writable: true, value: stream });
      return stream;
    },
  });
}

/** main() reports every error itself; this is the last guard against a stack trace. */
function internalError(error) {
  process.stderr.write(`traceless: INTERNAL: ${String(error?.message ?? error).replace(/[\u0000-\u001f\u007f-\u009f]/g, '')} — please report this\n`);
  process.exitCode = 1;
}

async function run() {
  // The bundle runs with a V8 code cache (./load-cached.js); without a build, the compiled modules.
  const bundled = join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
  let main;
  let saveCache = () => {};
  if (existsSync(bundled)) {
    const loaded = require('./load-cached.js').loadCached(bundled);
    ({ main } = loaded.exports);
    saveCache = loaded.saveCache;
  } else {
    ({ main } = await import('../dist/src/cli/main.js'));
  }
  process.exitCode = await main(process.argv);
  saveCache();
}

run().catch(internalError);
