// Runs a CommonJS bundle of traceless with a V8 code cache kept beside it (`FILE.cache`), so a
// one-photo run does not parse and compile a megabyte of JavaScript again (Node 20 has no
// module compile cache). The cache is written by `npm run build` and re-written on a run that
// finds it missing or rejected (another Node version); a read-only install just runs without it.
'use strict';
const { closeSync, fstatSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
/**
 * Module.createRequire, taken from this file's own module: loading `node:module` for it loads
 * Node's whole stream stack, its ES-module loader and its source-map support (~1 ms of every start).
 */
const createRequire = (file) => (typeof module.constructor.createRequire === 'function' ? module.constructor : require('node:module')).createRequire(file);
const { dirname } = require('node:path');
const vm = require('node:vm');

/**
 * The CommonJS bindings a bundle runs with, around its code: on the bundle's first line, so that
 * line numbers in the bundle stay as they are.
 */
const wrapperHead = '(function (exports, require, module, __filename, __dirname) {';
const wrapperTail = '\n})';
const wrap = (source) => `${wrapperHead}${source}${wrapperTail}`;

/**
 * Loads `file` (a CommonJS bundle, or one already wrapped by `wrap`) and returns its exports and a function that saves the code cache
 * when it was missing or stale. `requireFor` answers the bundle's `require` calls (default: Node's,
 * from the bundle's folder); a late bundle gets the modules of the bundle that loads it this way.
 */
function loadCached(file, requireFor = createRequire(file)) {
  const cacheFile = cacheFileFor(file);
  const { source, cachedData } = readSourceAndCache(file, cacheFile);
  // scripts/bundle.mjs writes the bundles wrapped already: V8 compiles the string as read, where
  // a wrapper added here made a second string that V8 copies whole (flattens) before compiling
  // (half a megabyte of fresh memory, ~110 page faults, at every start). Other files get it here.
  const script = new vm.Script(source.startsWith(wrapperHead) ? source : wrap(source), { filename: file, cachedData });
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

/**
 * The bundle's text and its cache (undefined when missing or unreadable), read through one buffer:
 * the text is copied out of it into a string before the cache is read into it, so a start touches
 * half a megabyte less fresh memory (each new page is a page fault) than with two reads of its own.
 */
function readSourceAndCache(file, cacheFile) {
  const descriptor = openSync(file, 'r');
  let cacheDescriptor;
  try {
    try {
      cacheDescriptor = openSync(cacheFile, 'r');
    } catch {
      cacheDescriptor = undefined;
    }
    const size = fstatSync(descriptor).size;
    const cacheSize = cacheDescriptor === undefined ? 0 : fstatSync(cacheDescriptor).size;
    const buffer = Buffer.allocUnsafeSlow(Math.max(size, cacheSize));
    // The bundle is ASCII (scripts/bundle.mjs checks): Latin-1 is a plain byte copy into a one-byte string.
    const source = buffer.toString('latin1', 0, readUpTo(descriptor, buffer, size));
    if (cacheDescriptor === undefined) return { source, cachedData: undefined };
    const cacheRead = readUpTo(cacheDescriptor, buffer, cacheSize);
    // A cache cut short is rejected by V8 like any damaged one (and written again).
    return { source, cachedData: buffer.subarray(0, cacheRead) };
  } finally {
    closeSync(descriptor);
    if (cacheDescriptor !== undefined) closeSync(cacheDescriptor);
  }
}

/** Reads up to `length` bytes from the start of the file into `buffer`; fewer when the file is shorter. */
function readUpTo(descriptor, buffer, length) {
  let done = 0;
  while (done < length) {
    const got = readSync(descriptor, buffer, done, length - done, done);
    if (got === 0) break;
    done += got;
  }
  return done;
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

module.exports = { loadCached, cacheFileFor, tunedFlagsKey, wrap };
