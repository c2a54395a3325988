/**
 * How hard V8 should optimise, for a run of this size.
 *
 * V8 compiles hot functions with its optimising compiler (TurboFan) on a background thread, and
 * Node waits for every compile job in flight before the process may exit (`DrainTasks`): measured
 * here, ~15 ms of a one-photo `traceless scan` (~200 ms) went on optimised code the run never
 * used. A run over one small file ends before optimised code pays for itself, so it runs without
 * the optimising compiler; folders and big files keep V8's default (their loops need it).
 *
 * V8 flags are per process, and a V8 code cache (bin/load-cached.js) is tied to the flags it was
 * made under: `restoreTiering()` puts the default back before the CLI returns, so the cache the
 * run may save is one the next run accepts.
 */
import { v8 } from '../io/builtins.js';

/** Above this, one file is work enough for optimised code to pay (a video, a raw file). */
const quickRunBytes = 32 * 1024 * 1024;

let changed = false;

/** Called by each command once it knows its inputs. */
export function tuneForInputs(inputs: readonly { size: number }[]): void {
  if (inputs.length !== 1 || !(inputs[0]!.size < quickRunBytes)) return;
  v8().setFlagsFromString('--no-opt');
  changed = true;
}

export function restoreTiering(): void {
  if (!changed) return;
  v8().setFlagsFromString('--opt');
  changed = false;
}
