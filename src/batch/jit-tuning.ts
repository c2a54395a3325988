/**
 * V8 tiering for the CLI's folder runs. A worker thread is a fresh V8 isolate: it compiles every
 * function it runs with the optimising compiler (TurboFan) again, on the same two cores that do the
 * work. Most of a clean's code runs once or a few times per file — the segment walk, the EXIF
 * decoder, the structure rewrite, the residue search set-up — yet reaches TurboFan after a few
 * dozen files, with its callees inlined: on the benchmark's 200 phone photos TurboFan took 15–17 %
 * of a folder clean's CPU (`perf`); on one thread it compiled 114 functions in 806 ms (`--trace-opt`).
 *
 * For a batch the CLI therefore asks V8 to tier up later (a larger interrupt budget: fewer,
 * hotter functions are optimised) and to compile them without inlining (smaller, faster
 * compiles): 68 functions in 242 ms. Hot loops (the residue search, the copies) are still
 * optimised. Measured on the benchmark's 200 photos, alternating 10 runs each: folder clean −8 to
 * −13 % wall time and CPU (median), folder scan −5 % (bench/RESULTS.md).
 *
 * Only the CLI does this, and only when it starts worker threads for enough files
 * (`minimumFilesPerWorkerToTune`): V8 flags are process-wide, and a
 * program that uses the library keeps its own. Flags are set only on the V8 versions they were
 * measured on (Node 20 and 22); elsewhere nothing changes (an unknown flag would print a warning).
 */
import { v8 } from '../io/builtins.js';

export const batchJitFlags = ['--interrupt-budget=200000', '--no-turbo-inlining'] as const;

/**
 * Later tier-up pays only over enough files: each worker's first files run longer in the
 * interpreter. Measured with 2 workers (10 alternating runs): 20 photos 7 % slower tuned, 60 photos
 * 5 % faster, 200 photos 8–13 % faster. Smaller batches are left as they are.
 */
export const minimumFilesPerWorkerToTune = 16;

/** The V8 major versions (Node 20: 11, Node 22: 12) on which the flags exist and were measured. */
const measuredV8Majors = new Set([11, 12]);

let tuned = false;

/** Whether the flags apply to this process's V8. */
export function jitTuningSupported(v8Version = process.versions.v8): boolean {
  return measuredV8Majors.has(Number(v8Version.split('.')[0]));
}

/**
 * Marks this thread as running under the flags, for bin/load-cached.js: a V8 code cache made under
 * other flags is rejected, so bundles loaded after tuning use caches of their own
 * (`NAME.tuned.cache`). Worker threads are marked from their workerData (src/batch/pool.ts).
 */
const tunedFlagsKey = Symbol.for('traceless.v8Flags'); // the same key as bin/load-cached.js's

/** The flags this process runs with when the CLI tuned it (in this thread or the pool's), else undefined. */
export function tunedFlags(): string | undefined {
  return (globalThis as Record<symbol, unknown>)[tunedFlagsKey] as string | undefined;
}

/** Sets the batch flags once per process (before the first worker starts); returns whether they are set. */
export function tuneJitForBatch(): boolean {
  if (tuned) return true;
  if (!jitTuningSupported()) return false;
  // Loaded here, not at start: node:v8 costs a one-photo run a few milliseconds it does not need.
  for (const flag of batchJitFlags) v8().setFlagsFromString(flag);
  (globalThis as Record<symbol, unknown>)[tunedFlagsKey] = batchJitFlags.join(' ');
  tuned = true;
  return true;
}
