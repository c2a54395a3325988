/**
 * Library throughput (issue 13): a platform calls `clean` from its own process for each upload.
 * N concurrent `clean` calls through the library (all submitted at once, run on the shared worker
 * pool, one per core), files per second and peak memory, next to the CLI on the same files and
 * next to `cleanSync` one file after another on one thread. Each contender is its own child
 * process, measured the same way as the main table (wall time, VmHWM).
 *
 *   runThroughput(paths, { outDir })            — rows for bench/run.ts
 *   node dist/bench/throughput.js PATH…         — the same table on its own
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { best, measure, type Measurement } from './measure.js';
import type { VideoRow } from './video.js';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..', '..');

export interface ThroughputOptions {
  /** A scratch folder for outputs (emptied before each run, removed afterwards). */
  outDir: string;
  /** Best of how many runs (default 3). */
  runs?: number;
}

function checked(name: string, result: Measurement): Measurement {
  if (result.code !== 0) throw new Error(`${name} failed (exit ${result.code}): ${result.stderr.slice(0, 500)}`);
  return result;
}

export async function runThroughput(paths: readonly string[], options: ThroughputOptions): Promise<VideoRow[]> {
  const runs = options.runs ?? 3;
  const bytes = paths.reduce((total, path) => total + statSync(path).size, 0);
  const list = join(options.outDir, 'inputs.json');
  const out = join(options.outDir, 'out');
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(list, JSON.stringify(paths));
  const fresh = () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
  };
  const label = `library throughput (${paths.length} photos, ${availableParallelism()} cores)`;
  const row = (tool: string, result: Measurement): VideoRow => ({ case: label, tool, result, files: paths.length, bytes });
  try {
    const cli = await best(runs, async () => checked('traceless clean', await measure(process.execPath, [join(root, 'bin', 'traceless.js'), 'clean', ...paths, '-o', out, '--quiet'])), fresh);
    const parallel = await best(runs, async () => checked('library clean', await measure(process.execPath, [self, '--child', 'clean', list, out])), fresh);
    const sequential = await best(runs, async () => checked('library cleanSync', await measure(process.execPath, [self, '--child', 'cleanSync', list, out])), fresh);
    return [
      row('traceless clean FILES -o (CLI)', cli),
      row(`await clean() × ${paths.length} at once (library, worker pool)`, parallel),
      row('cleanSync() one after another (library, one thread)', sequential),
    ];
  } finally {
    rmSync(options.outDir, { recursive: true, force: true });
  }
}

/** The child: cleans every listed file through the library, and fails loudly if one did not clean. */
async function child(mode: string, list: string, out: string): Promise<void> {
  const { clean, cleanSync } = await import('../src/index.js');
  const paths = JSON.parse((await import('node:fs')).readFileSync(list, 'utf8')) as string[];
  const destination = (path: string, index: number) => join(out, `${index}-${basename(path)}`);
  const results =
    mode === 'clean'
      ? await Promise.all(paths.map((path, index) => clean(path, destination(path, index))))
      : paths.map((path, index) => cleanSync(path, destination(path, index)));
  const failed = results.filter((result) => result.status !== 'cleaned' && result.status !== 'already-clean');
  if (failed.length > 0) {
    process.stderr.write(`${failed.length} files did not clean: ${failed[0]!.error?.message}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await child(argv[1]!, argv[2]!, argv[3]!);
  } else {
    const rows = await runThroughput(argv, { outDir: join(root, 'bench', 'data', 'throughput') });
    for (const entry of rows) {
      const seconds = entry.result.seconds;
      console.log(`${entry.tool}: ${seconds.toFixed(3)} s, ${(entry.files / seconds).toFixed(1)} files/s, peak ${entry.result.peakMegabytes?.toFixed(0) ?? '–'} MB`);
    }
  }
}
