// Runs a CommonJS bundle of traceless with a V8 code cache kept beside it (`FILE.cache`), so a
// one-photo run does not parse and compile a megabyte of JavaScript again (Node 20 has no
// module compile cache). The cache is written by `npm run build` and re-written on a run that
// finds it missing or rejected (another Node version); a read-only install just runs without it.
'use strict';
const { readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const vm = require('node:vm');

/**
 * Loads `file` (a CommonJS bundle) and returns its exports and a function that saves the code cache
 * when it was missing or stale. `requireFor` answers the bundle's `require` calls (default: Node's,
 * from the bundle's folder); a late bundle gets the modules of the bundle that loads it this way.
 */
function loadCached(file, requireFor = createRequire(file)) {
  // The bundle is ASCII (scripts/bundle.mjs checks): Latin-1 is a plain byte copy into a one-byte string.
  const source = readFileSync(file, 'latin1');
  const cacheFile = cacheFileFor(file);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // One line of wrapper, so that line numbers in the bundle stay as they are.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, requireFor, module, file, dirname(file));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  return {
    exports: module.exports,
    saveCache() {
      if (!stale) return;
      // Per process and thread: two workers starting together each write their own, then rename.
      const temporary = `${cacheFile}.${process.pid}-${require('node:worker_threads').threadId}.tmp`;
      try {
        // After a run the cache holds every function that run compiled, not only the top level.
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        try {
          unlinkSync(temporary);
        } catch {
          // nothing was written
        }
      }
    },
  };
}

/** Set (to the flags) by src/batch/jit-tuning.ts in a process whose V8 flags it changed, and by a worker's entry from its workerData. */
const tunedFlagsKey = Symbol.for('traceless.v8Flags');

/**
 * Where the cache of `file` is kept. V8 rejects a code cache made under other V8 flags, and the CLI
 * sets flags for folder runs (src/batch/jit-tuning.ts): the bundles loaded after that keep their
 * caches apart, so that a folder run and a one-file run never reject and re-write each other's. The
 * mark is a global of this thread (worker threads get it from the pool), never the environment,
 * which child processes would inherit without the flags.
 */
function cacheFileFor(file) {
  return globalThis[tunedFlagsKey] ? `${file}.tuned.cache` : `${file}.cache`;
}

module.exports = { loadCached, cacheFileFor, tunedFlagsKey };
