/**
 * Long fuzz campaigns: `npm run fuzz -- [--seconds S] [--runs N] [--format NAME]... [--seed X]`.
 *
 * Every format runs in its own worker thread, one after the other (`--jobs` for more at once),
 * over its code seeds and — when ../shared/corpus exists — its corpus files under 2 MB. With
 * `--seconds`, the time is shared out by weight: formats traceless cleans get three shares, formats
 * it only scans one. A watchdog ends a worker whose current input has not finished within
 * `--stall-seconds` and saves that input as a hang (the engine can rebuild input N alone).
 *
 * Failing inputs are saved once per distinct failure under test/regressions/ as
 * `<format>-<what-it-found>-<shorthash>.bin` (with a `.txt` note), where
 * test/regressions/regressions.test.ts runs them in every `npm test` from then on.
 * Prints a table of inputs tried and failures per format; exits 1 when anything failed.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { InputGenerator, defaultHangMs, fuzzFormat, prepare, saveRegression, saveVerifyFailed, summaryTable, type FailureReport, type FormatStats, type GeneratedInput } from './engine.js';
import { codeSeeds, corpusSeeds, formatIds } from './seeds.js';
import { formats } from '../../src/index.js';

interface CampaignArgs {
  runs?: number;
  seconds?: number;
  formats: string[];
  seed: number;
  hangMs: number;
  stallSeconds: number;
  diskEvery: number;
  jobs: number;
  corpus: boolean;
  markdown?: string;
  saveVerifyFailed: boolean;
}

interface WorkerJob {
  format: string;
  seed: number;
  runs?: number;
  seconds?: number;
  hangMs: number;
  diskEvery: number;
  corpus: boolean;
  saveVerifyFailed: boolean;
  startAt: number;
  progress: SharedArrayBuffer;
}

type WorkerMessage =
  | { type: 'ready'; systematic: number; seeds: number }
  | { type: 'failure'; report: FailureReport; first: boolean }
  | { type: 'progress'; stats: FormatStats }
  | { type: 'verify-failed'; input: GeneratedInput; iteration: number; message: string }
  | { type: 'done'; stats: FormatStats };

/** VERIFY_FAILED examples larger than this are not kept (--save-verify-failed). */
const maxKeptExampleBytes = 256 * 1024;

const usage = `usage: npm run fuzz -- [--seconds S] [--runs N] [--format NAME]... [--seed X] [--jobs J]
       [--hang-ms MS] [--stall-seconds S] [--disk-every N] [--no-corpus] [--markdown FILE]
       [--save-verify-failed]   (keep one input per kind of VERIFY_FAILED refusal in test/regressions/verify-failed/)
formats: ${formatIds.join(', ')}`;

function parseArgs(argv: readonly string[]): CampaignArgs {
  const args: CampaignArgs = { formats: [], seed: 1, hangMs: defaultHangMs, stallSeconds: 60, diskEvery: 16, jobs: 1, corpus: true, saveVerifyFailed: false };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value\n${usage}`);
      return next;
    };
    const number = () => {
      const parsed = Number(value());
      if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} needs a number\n${usage}`);
      return parsed;
    };
    switch (flag) {
      case '--runs': args.runs = Math.floor(number()); break;
      case '--seconds': args.seconds = number(); break;
      case '--format': args.formats.push(...value().split(',')); break;
      case '--seed': args.seed = Math.floor(number()); break;
      case '--hang-ms': args.hangMs = number(); break;
      case '--stall-seconds': args.stallSeconds = number(); break;
      case '--disk-every': args.diskEvery = Math.floor(number()); break;
      case '--jobs': args.jobs = Math.max(1, Math.floor(number())); break;
      case '--no-corpus': args.corpus = false; break;
      case '--markdown': args.markdown = value(); break;
      case '--save-verify-failed': args.saveVerifyFailed = true; break;
      case '--help': case '-h': console.log(usage); process.exit(0);
      default: throw new Error(`unknown option ${flag}\n${usage}`);
    }
  }
  const unknown = args.formats.filter((format) => !formatIds.includes(format));
  if (unknown.length > 0) throw new Error(`unknown format(s) ${unknown.join(', ')}\n${usage}`);
  if (args.formats.length === 0) args.formats = [...formatIds];
  if (args.runs === undefined && args.seconds === undefined) args.seconds = 60;
  return args;
}

/** Seconds for each format: cleanable formats weigh 3, scan-only formats 1. */
function budgets(args: CampaignArgs): Map<string, number | undefined> {
  const weight = (id: string) => (formats.find((format) => format.id === id)?.cleanable ? 3 : 1);
  const total = args.formats.reduce((sum, id) => sum + weight(id), 0);
  return new Map(args.formats.map((id) => [id, args.seconds === undefined ? undefined : (args.seconds * weight(id) * args.jobs) / total]));
}

// ---- worker ---------------------------------------------------------------------------------

async function runWorker(job: WorkerJob): Promise<void> {
  const code = prepare((await codeSeeds([job.format])).get(job.format) ?? []);
  const corpus = job.corpus ? prepare(corpusSeeds(2 * 1024 * 1024, [job.format]).get(job.format) ?? []) : [];
  const generator = new InputGenerator({ format: job.format, code, corpus, rootSeed: job.seed, systematic: 'interleaved', systematicOf: 'all', maxCutsPerSeed: 400 });
  const progress = new Int32Array(job.progress);
  parentPort!.postMessage({ type: 'ready', systematic: generator.systematic.length, seeds: generator.seedCount } satisfies WorkerMessage);
  const stats = fuzzFormat({
    generator,
    runs: job.runs,
    seconds: job.seconds,
    hangMs: job.hangMs,
    diskEvery: job.diskEvery,
    startAt: job.startAt,
    beforeInput: (iteration) => {
      Atomics.store(progress, 0, iteration);
      Atomics.add(progress, 1, 1);
    },
    onFailure: (report, first) => parentPort!.postMessage({ type: 'failure', report, first } satisfies WorkerMessage),
    onProgress: (stats) => parentPort!.postMessage({ type: 'progress', stats } satisfies WorkerMessage),
    onVerifyFailed: job.saveVerifyFailed ? (input, iteration, message) => parentPort!.postMessage({ type: 'verify-failed', input, iteration, message } satisfies WorkerMessage) : undefined,
  });
  parentPort!.postMessage({ type: 'done', stats } satisfies WorkerMessage);
}

// ---- main -------------------------------------------------------------------------------------

function emptyStats(format: string): FormatStats {
  return { format, seeds: 0, inputs: 0, failures: 0, distinct: 0, problemKinds: {}, accepted: 0, inspected: 0, verifyRefused: 0, tolerated: {}, verifyExamples: [], toleratedWhere: [], maxMs: 0, maxMsBytes: 0, seconds: 0 };
}

function mergeStats(into: FormatStats, part: FormatStats): void {
  into.seeds = Math.max(into.seeds, part.seeds);
  for (const key of ['inputs', 'failures', 'distinct', 'accepted', 'inspected', 'verifyRefused', 'seconds'] as const) into[key] += part[key];
  for (const [kind, count] of Object.entries(part.problemKinds)) into.problemKinds[kind] = (into.problemKinds[kind] ?? 0) + count;
  for (const [kind, count] of Object.entries(part.tolerated)) into.tolerated[kind] = (into.tolerated[kind] ?? 0) + count;
  for (const example of part.verifyExamples) if (into.verifyExamples.length < 8) into.verifyExamples.push(example);
  for (const where of part.toleratedWhere) if (!into.toleratedWhere.includes(where) && into.toleratedWhere.length < 8) into.toleratedWhere.push(where);
  if (part.maxMs > into.maxMs) {
    into.maxMs = part.maxMs;
    into.maxMsBytes = part.maxMsBytes;
  }
}

const saved: string[] = [];
const signatures = new Set<string>();

function record(report: FailureReport): void {
  if (signatures.has(report.signature)) return;
  signatures.add(report.signature);
  const path = saveRegression(report);
  saved.push(path);
  const problem = report.problems[0]!;
  console.log(`  ! ${report.format}: ${problem.kind} in ${problem.stage} — ${problem.detail.slice(0, 160)}\n    saved ${path}`);
}

/** Rebuilds input `iteration` of `format` in this thread (for a worker that had to be stopped). */
async function rebuildInput(args: CampaignArgs, format: string, iteration: number) {
  const code = prepare((await codeSeeds([format])).get(format) ?? []);
  const corpus = args.corpus ? prepare(corpusSeeds(2 * 1024 * 1024, [format]).get(format) ?? []) : [];
  return new InputGenerator({ format, code, corpus, rootSeed: args.seed, systematic: 'interleaved', systematicOf: 'all', maxCutsPerSeed: 400 }).at(iteration);
}

async function fuzzOneFormat(args: CampaignArgs, format: string, seconds: number | undefined): Promise<FormatStats> {
  const total = emptyStats(format);
  const deadline = seconds === undefined ? Infinity : Date.now() + seconds * 1000;
  let startAt = 0;
  let runsLeft = args.runs;
  let latest: FormatStats | undefined;
  for (;;) {
    const progress = new SharedArrayBuffer(8);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, startAt);
    const remaining = seconds === undefined ? undefined : Math.max(0, (deadline - Date.now()) / 1000);
    const job: WorkerJob = { format, seed: args.seed, runs: runsLeft, seconds: remaining, hangMs: args.hangMs, diskEvery: args.diskEvery, corpus: args.corpus, saveVerifyFailed: args.saveVerifyFailed, startAt, progress };
    const worker = new Worker(new URL(import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: Math.min(4096, Math.floor(totalmem() / 1024 / 1024 / 4)) } });
    const outcome = await new Promise<{ kind: 'done'; stats: FormatStats } | { kind: 'stalled' | 'crashed'; iteration: number; detail: string }>((resolve) => {
      let beats = -1;
      let lastChange = Date.now();
      let ready = false;
      latest = undefined;
      const timer = setInterval(() => {
        const now = Atomics.load(view, 1);
        if (now !== beats || !ready) {
          beats = now;
          lastChange = Date.now();
          return;
        }
        if (Date.now() - lastChange > args.stallSeconds * 1000) {
          clearInterval(timer);
          const iteration = Atomics.load(view, 0);
          void worker.terminate();
          resolve({ kind: 'stalled', iteration, detail: `input ${iteration} did not finish within ${args.stallSeconds} s` });
        }
      }, 500);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          ready = true;
          if (startAt === 0) console.log(`${format}: ${message.seeds} seeds, ${message.systematic} systematic truncations (interleaved), ${remaining === undefined ? `${runsLeft} inputs` : `${Math.round(remaining)} s`}`);
        } else if (message.type === 'progress') {
          latest = message.stats;
        } else if (message.type === 'verify-failed') {
          // Examples, not failures: small ones only, so the folder stays light enough to keep.
          if (message.input.data.length <= maxKeptExampleBytes) {
            const path = saveVerifyFailed(format, { ...message.input, data: Buffer.from(message.input.data) }, message.iteration, message.message);
            console.log(`  (VERIFY_FAILED example kept: ${path})`);
          }
        } else if (message.type === 'failure') {
          message.report.input.data = Buffer.from(message.report.input.data);
          record(message.report);
        } else {
          clearInterval(timer);
          resolve({ kind: 'done', stats: message.stats });
        }
      });
      worker.on('error', (error) => {
        clearInterval(timer);
        resolve({ kind: 'crashed', iteration: Atomics.load(view, 0), detail: `${error.name}: ${error.message}` });
      });
      worker.on('exit', (code) => {
        clearInterval(timer);
        resolve({ kind: 'crashed', iteration: Atomics.load(view, 0), detail: `the worker exited with code ${code}` });
      });
    });
    if (outcome.kind === 'done') {
      mergeStats(total, outcome.stats);
      return total;
    }
    // A stalled or crashed worker: the input it was on is a failure; go on after it. Totals up to
    // its last progress report are kept; inputs after that report count as tried.
    const done = Math.max(0, outcome.iteration - startAt);
    const reported = latest as FormatStats | undefined;
    if (reported) mergeStats(total, { ...reported, inputs: 0 });
    total.inputs += done + 1;
    total.failures += 1;
    total.distinct += 1;
    const kind = outcome.kind === 'stalled' ? 'hang' : /memory/i.test(outcome.detail) ? 'out-of-memory' : 'worker-crash';
    total.problemKinds[kind] = (total.problemKinds[kind] ?? 0) + 1;
    const input = await rebuildInput(args, format, outcome.iteration);
    record({ format, iteration: outcome.iteration, input, problems: [{ kind, stage: 'all', detail: outcome.detail }], signature: `${format}|${kind}|${outcome.iteration}` });
    startAt = outcome.iteration + 1;
    if (runsLeft !== undefined) runsLeft = Math.max(0, runsLeft - done - 1);
    if ((runsLeft !== undefined && runsLeft === 0) || Date.now() >= deadline) return total;
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const shares = budgets(args);
  console.log(`traceless fuzz campaign: ${args.formats.length} formats, ${args.seconds !== undefined ? `${args.seconds} s` : ''}${args.runs !== undefined ? ` at most ${args.runs} inputs per format` : ''}, seed ${args.seed}, ${args.jobs} job(s), corpus ${args.corpus ? 'on' : 'off'}`);
  const rows = new Map<string, FormatStats>();
  const queue = [...args.formats];
  const runners = Array.from({ length: Math.min(args.jobs, queue.length) }, async () => {
    for (let format = queue.shift(); format !== undefined; format = queue.shift()) {
      const stats = await fuzzOneFormat(args, format, shares.get(format));
      rows.set(format, stats);
      console.log(`${format}: ${stats.inputs} inputs in ${stats.seconds.toFixed(1)} s, ${stats.failures} failing`);
    }
  });
  await Promise.all(runners);
  const ordered = args.formats.map((format) => rows.get(format)!).filter(Boolean);
  const elapsed = (Date.now() - started.getTime()) / 1000;
  const table = summaryTable(ordered);
  console.log(`\n${table}\n`);
  const verify = ordered.filter((row) => row.verifyExamples.length > 0);
  const notes = verify.map((row) => `- ${row.format}: ${row.verifyExamples.map((example) => example.replace(/^(all|location): <stdin>: /, '$1: ')).join(' / ')}`);
  if (notes.length > 0) console.log(`VERIFY_FAILED refusals (fail-closed, not failures):\n${notes.join('\n')}\n`);
  const toleratedNotes = ordered.filter((row) => row.toleratedWhere.length > 0).map((row) => `- ${row.format}: ${row.toleratedWhere.join('; ')}`);
  if (toleratedNotes.length > 0) console.log(`Tolerated foreign errors (RangeError from Buffer reads, zlib), by place:\n${toleratedNotes.join('\n')}\n`);
  console.log(saved.length > 0 ? `saved ${saved.length} failing input(s):\n${saved.map((path) => `  ${path}`).join('\n')}` : 'no failures');
  if (args.markdown) {
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const header = [
      `Run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC for ${Math.round(elapsed)} s (\`npm run fuzz -- ${process.argv.slice(2).filter((arg, index, all) => arg !== '--markdown' && all[index - 1] !== '--markdown').join(' ')}\`),`,
      `seed ${args.seed}, on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}; corpus seeds ${args.corpus ? 'included when present' : 'off'}.`,
      '',
      table,
      '',
      ...(toleratedNotes.length > 0 ? ['Tolerated foreign errors (a Buffer read past the end, reported as TRUNCATED; zlib on damaged data), by place:', '', ...toleratedNotes, ''] : []),
      ...(notes.length > 0 ? ['VERIFY_FAILED refusals seen (the cleaner planned an output that did not verify, so nothing was written — fail-closed, not a failure):', '', ...notes, ''] : []),
      saved.length > 0 ? `Failing inputs saved: ${saved.map((path) => `\`${path.slice(path.lastIndexOf('test/regressions'))}\``).join(', ')}.` : 'No failures.',
    ].join('\n');
    writeFileSync(args.markdown, `${header}\n`);
  }
  return saved.length > 0 ? 1 : 0;
}

if (isMainThread) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
} else {
  await runWorker(workerData as WorkerJob);
}
