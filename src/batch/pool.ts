/**
 * A reusable pool of worker threads (the library's work is synchronous, so threads give the
 * parallelism and keep the caller's event loop free). One shared queue: a worker busy with a large
 * video never holds back the small photos, which the other workers keep taking. Each call settles
 * as its task finishes; a worker that dies fails only the task it held and is replaced.
 *
 * Workers start lazily (on the first task) and are `unref`ed whenever they are idle, so a script
 * that uses the library exits naturally once its last call has settled; `close()` stops them for
 * servers that shut down deliberately. The CLI's batch runner (`runTasks`) and the library's async
 * API (`src/library/api.ts`) both run on this class.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Transferable, Worker } from 'node:worker_threads';
import { failedResult } from '../clean.js';
import { TracelessError } from '../errors.js';
import { runTask, type Task, type TaskResult } from './tasks.js';
import { os, workerThreads } from '../io/builtins.js';
import { minimumFilesPerWorkerToTune, tuneJitForBatch, tunedFlags } from './jit-tuning.js';

/**
 * The worker module: the bundle's entry (dist/bundle/worker.cjs, see scripts/bundle.mjs: CommonJS,
 * so a worker does not start Node's ES-module loader before its first file), or the compiled
 * `worker.js` beside this module, or — when the sources run untranspiled (vitest) — the compiled
 * worker of the same checkout (`dist/src/batch/worker.js`, built by `npm test` before the suite
 * runs). Worked out when a pool asks, not when the CLI starts: a one-file run never does.
 */
export function defaultWorkerScript(): string | undefined {
  const besideThis = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
  const bundledScript = besideThis('./worker.cjs');
  if (existsSync(bundledScript)) return bundledScript;
  const siblingScript = besideThis('./worker.js');
  if (existsSync(siblingScript)) return siblingScript;
  const compiledScript = besideThis('../../dist/src/batch/worker.js');
  if (import.meta.url.endsWith('/src/batch/pool.ts') && existsSync(compiledScript)) return compiledScript;
  return undefined;
}

/** Whether a compiled worker script is there (it is not when the sources run without a build). */
export function workersAvailable(): boolean {
  return defaultWorkerScript() !== undefined;
}

/** Why a task did not finish: its worker died under it, or the pool was closed first. */
export class WorkerLost extends Error {
  override readonly name = 'WorkerLost';
}

interface Job {
  message: unknown;
  transfer: readonly Transferable[];
  resolve(value: unknown): void;
  reject(error: WorkerLost): void;
}

interface Slot {
  worker: Worker;
  /** Sent and not yet answered, oldest first: the worker is on the first, the rest wait in its port. */
  jobs: Job[];
  gone: boolean;
  idleTimer?: NodeJS.Timeout;
}

export interface WorkerPoolOptions {
  /** Workers at most (default: the number of cores, `os.availableParallelism()`). */
  size?: number;
  /** The worker module (default: the compiled `worker.js`; tests pass a stand-in). */
  script?: string;
  /**
   * A worker idle this long (ms) is stopped, giving its memory back; the next task starts another
   * (default 30 s; 0 keeps idle workers until `close`).
   */
  idleMs?: number;
  /**
   * Tasks sent to a worker ahead of time (default 1: a task goes to a worker only when it is
   * idle). With 2, each busy worker holds its next task, so it starts on it as soon as it
   * answers instead of waiting for the reply to reach this thread and a task to come back
   * (a folder of photos: workers otherwise sat idle for about a tenth of the run). A worker that
   * dies fails only the task it was on; the ones waiting behind it go back to the queue.
   */
  prefetch?: number;
}

export class WorkerPool {
  readonly size: number;
  private readonly script: string | undefined;
  private readonly idleMs: number;
  private readonly prefetch: number;
  private readonly queue: Job[] = [];
  private readonly slots = new Set<Slot>();
  private draining: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? os().availableParallelism()));
    this.script = options.script ?? defaultWorkerScript();
    this.idleMs = options.idleMs ?? 30_000;
    this.prefetch = Math.max(1, Math.floor(options.prefetch ?? 1));
  }

  /** Worker threads running now (busy or idle). */
  get threads(): number {
    return this.slots.size;
  }

  /** Whether this pool can start threads (false when no compiled worker script exists). */
  get available(): boolean {
    return this.script !== undefined;
  }

  /** Tasks waiting or running. */
  get pending(): number {
    let running = 0;
    for (const slot of this.slots) running += slot.jobs.length;
    return this.queue.length + running;
  }

  /**
   * Runs one task on a worker: resolves with the worker's reply, or rejects with WorkerLost when
   * the worker died while holding it. `transfer`: buffers handed to the worker without a copy
   * (they are unusable in this thread afterwards).
   */
  run<Reply>(message: unknown, transfer: readonly Transferable[] = []): Promise<Reply> {
    if (!this.script) return Promise.reject(new WorkerLost('no compiled worker script (run `npm run build`)'));
    return new Promise<Reply>((resolve, reject) => {
      this.queue.push({ message, transfer, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  /**
   * Stops every worker once the calls already made have settled (later calls start new workers).
   * Servers call it on shutdown; scripts need not, idle workers never keep a process alive.
   */
  close(): Promise<void> {
    if (this.pending === 0) return this.terminateAll();
    this.draining ??= new Promise<void>((resolve) => {
      this.drained = resolve;
    }).then(() => {
      this.draining = undefined;
      this.drained = undefined;
      return this.terminateAll();
    });
    return this.draining;
  }

  private async terminateAll(): Promise<void> {
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) {
      slot.gone = true;
      clearTimeout(slot.idleTimer);
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** A worker holding fewer than `held` tasks (idle ones first, new workers before prefetching). */
  private slotWithFewer(held: number): Slot | undefined {
    for (const slot of this.slots) if (slot.jobs.length < held && !slot.gone) return slot;
    return undefined;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slotWithFewer(1);
      if (!slot && this.slots.size < this.size) slot = this.start();
      for (let held = 2; !slot && held <= this.prefetch; held += 1) slot = this.slotWithFewer(held);
      if (!slot) return;
      const job = this.queue.shift()!;
      clearTimeout(slot.idleTimer);
      slot.jobs.push(job);
      slot.worker.ref(); // a task in flight keeps the process alive until it settles
      try {
        slot.worker.postMessage(job.message, job.transfer as Transferable[]);
      } catch (error) {
        // The message itself cannot cross (a value that does not clone): fail this task only.
        slot.jobs.pop();
        if (slot.jobs.length === 0) slot.worker.unref();
        job.reject(new WorkerLost(`the task could not be sent to a worker (${(error as Error).message})`));
      }
    }
    if (this.pending === 0) this.drained?.();
  }

  private start(): Slot {
    // Workers inherit the process's Node flags, except the ones only a main script may take
    // (`node --input-type=module -e …` would otherwise kill every worker at its start).
    const worker = newWorker(this.script!);
    const slot: Slot = { worker, jobs: [], gone: false };
    this.slots.add(slot);
    worker.unref();
    worker.on('message', (reply: unknown) => {
      // A worker answers its tasks one at a time, in the order they were sent.
      const job = slot.jobs.shift();
      if (slot.jobs.length === 0) worker.unref();
      job?.resolve(reply);
      this.settled();
      if (slot.jobs.length === 0) this.retireWhenIdle(slot);
    });
    // A worker that dies for any reason — an error event, or an exit without one (killed, out of
    // memory, process.exit in a dependency) — fails only the task it held; the next task starts a
    // new worker, so the queue always drains.
    const lost = (reason: string) => {
      if (slot.gone) return;
      slot.gone = true;
      this.slots.delete(slot);
      const [job, ...waiting] = slot.jobs;
      slot.jobs = [];
      // The tasks sent ahead were not started: they go back to the front of the queue.
      this.queue.unshift(...waiting);
      job?.reject(new WorkerLost(reason));
      this.settled();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (exitCode) => lost(`it exited with code ${exitCode}`));
    return slot;
  }

  private retireWhenIdle(slot: Slot): void {
    if (this.idleMs <= 0) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.jobs.length > 0 || slot.gone) return;
      slot.gone = true;
      this.slots.delete(slot);
      void slot.worker.terminate();
    }, this.idleMs);
    slot.idleTimer.unref();
  }

  private settled(): void {
    this.dispatch();
    if (this.pending === 0) this.drained?.();
  }
}

/**
 * A worker with the process's Node flags. V8 flags (`node --max-old-space-size=… traceless …`)
 * are refused in a worker's `execArgv` (ERR_WORKER_INVALID_EXEC_ARGV), which failed every file;
 * they apply to the whole process anyway, so the worker then starts without the list.
 */
function newWorker(script: string): Worker {
  // A process whose V8 flags the CLI tuned tells its workers, so that they load the caches made under them.
  const flags = tunedFlags();
  const workerData = flags ? { tracelessV8Flags: flags } : undefined;
  try {
    return new (workerThreads().Worker)(script, { execArgv: process.execArgv.filter((flag) => !/^--(input-type|eval|print)\b/.test(flag)), workerData });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new (workerThreads().Worker)(script, { execArgv: [], workerData });
  }
}

let shared: WorkerPool | undefined;

/** The process-wide pool the library's async calls share (sized to the cores, started lazily). */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}

/**
 * Stops the library's shared worker pool once the calls already made have settled. Servers call
 * it on shutdown (a later call starts the pool again); scripts need not, idle workers never keep
 * the process alive.
 */
export async function shutdown(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

function crashed(task: Task, error: unknown): TaskResult {
  const problem = new TracelessError('INTERNAL', `the worker stopped while handling this file (${(error as Error)?.message ?? error}); nothing was written for it — please report this`, { file: task.path });
  if (task.kind === 'scan') return { kind: 'scan', id: task.id, inspection: null, error: { code: problem.code, message: problem.describe() } };
  return { kind: 'clean', id: task.id, result: failedResult(task.path, problem) };
}

export interface RunTasksOptions {
  /** The worker module (tests pass another to play a worker that dies mid-file). */
  script?: string;
  /** Tune V8's tiering for a batch before the workers start (the CLI, which owns its process: src/batch/jit-tuning.ts). */
  tuneJit?: boolean;
}

/** The CLI's batch runner: `tasks` on a pool of `jobs` workers, each result reported as it finishes. */
export async function runTasks(tasks: readonly Task[], jobs: number, onResult: (result: TaskResult) => void, options: RunTasksOptions = {}): Promise<void> {
  // One file (or one job) runs here: no pool is set up (finding the worker script costs a one-photo scan file checks).
  const pool = jobs <= 1 || tasks.length <= 1 ? undefined : new WorkerPool({ size: Math.min(jobs, tasks.length), script: options.script, prefetch: 2 });
  if (!pool?.available) {
    for (const [index, task] of tasks.entries()) {
      onResult(runTask(task));
      // Let the event loop breathe (progress redraws, signals) between files — not after the last
      // (Node's timer modules are compiled on first use: a one-photo scan would pay for nothing).
      if (index < tasks.length - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    return;
  }
  if (options.tuneJit && tasks.length >= minimumFilesPerWorkerToTune * pool.size) tuneJitForBatch();
  try {
    await Promise.all(
      tasks.map((task) =>
        pool.run<TaskResult>(task).then(
          (result) => onResult(result),
          (error: unknown) => onResult(crashed(task, error)),
        ),
      ),
    );
  } finally {
    await pool.close();
  }
}
