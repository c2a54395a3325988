/**
 * The fuzz engine shared by the quick run in `npm test` (test/fuzz/quick.test.ts), the long
 * campaigns (`npm run fuzz`, test/fuzz/campaign.ts) and the saved regressions
 * (test/regressions/regressions.test.ts).
 *
 * For one format it first feeds every seed whole and truncated at every structural boundary
 * (the systematic phase), then mutants (see mutators.ts), each checked by the oracle (oracle.ts).
 * Input N is a pure function of (campaign seed, format, N), so any input can be rebuilt alone.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mutate, type PreparedSeed } from './mutators.js';
import { runOracle, type OracleResult, type Problem } from './oracle.js';
import { Rng, hashSeed } from './rng.js';
import { analyse } from './structure.js';
import { projectRoot, type Seed } from './seeds.js';

export { runOracle, type Problem } from './oracle.js';

export function prepare(seeds: readonly Seed[]): PreparedSeed[] {
  return seeds.map((seed) => ({ name: seed.name, data: seed.data, structure: analyse(seed.data) }));
}

export interface GeneratedInput {
  data: Buffer;
  seed: string;
  /** `whole`, `truncate-all-boundaries` (systematic phase) or the mutator's name. */
  mutator: string;
  steps: string[];
}

/** Inputs of the systematic phase: each seed whole, then cut at each of its boundaries. */
export function systematicPlan(seeds: readonly PreparedSeed[], maxCutsPerSeed = 4000): { seed: number; length: number }[] {
  const plan: { seed: number; length: number }[] = [];
  seeds.forEach((seed, index) => {
    plan.push({ seed: index, length: seed.data.length });
    const cuts = seed.structure.boundaries.filter((boundary) => boundary > 0 && boundary < seed.data.length);
    // Seeds with very many boundaries (large corpus files): an even sample of them.
    const step = Math.max(1, Math.ceil(cuts.length / maxCutsPerSeed));
    for (let at = 0; at < cuts.length; at += step) plan.push({ seed: index, length: cuts[at]! });
    plan.push({ seed: index, length: 0 });
  });
  return plan;
}

export interface GeneratorOptions {
  format: string;
  /** Seeds built by code (always there). */
  code: readonly PreparedSeed[];
  /** Corpus seeds (may be empty). Mutants start from a corpus seed half of the time when there are some. */
  corpus?: readonly PreparedSeed[];
  rootSeed: number;
  /**
   * The systematic phase: `first` (all of it before any mutant — the quick run), `interleaved`
   * (every other input until it is done — campaigns, where it is large) or `none`.
   */
  systematic?: 'first' | 'interleaved' | 'none';
  /** Whose boundaries the systematic phase cuts at: the code seeds only, or all seeds. */
  systematicOf?: 'code' | 'all';
  maxCutsPerSeed?: number;
}

export class InputGenerator {
  readonly format: string;
  readonly systematic: { seed: number; length: number }[];
  private readonly systematicSeeds: readonly PreparedSeed[];
  private readonly code: readonly PreparedSeed[];
  private readonly corpus: readonly PreparedSeed[];
  private readonly rootSeed: number;
  private readonly order: 'first' | 'interleaved' | 'none';

  constructor(options: GeneratorOptions) {
    this.format = options.format;
    this.code = options.code;
    this.corpus = options.corpus ?? [];
    this.rootSeed = options.rootSeed;
    this.order = options.systematic ?? 'first';
    this.systematicSeeds = options.systematicOf === 'all' ? [...this.code, ...this.corpus] : this.code;
    this.systematic = this.order === 'none' ? [] : systematicPlan(this.systematicSeeds, options.maxCutsPerSeed);
  }

  get seedCount(): number {
    return this.code.length + this.corpus.length;
  }

  at(iteration: number): GeneratedInput {
    const systematicIndex = this.order === 'first' ? iteration : this.order === 'interleaved' && iteration % 2 === 0 ? iteration / 2 : -1;
    if (systematicIndex >= 0 && systematicIndex < this.systematic.length) {
      const { seed, length } = this.systematic[systematicIndex]!;
      const source = this.systematicSeeds[seed]!;
      const whole = length === source.data.length;
      return { data: source.data.subarray(0, length), seed: source.name, mutator: whole ? 'whole' : 'truncate-all-boundaries', steps: [whole ? 'the seed as it is' : `truncate at boundary ${length}`] };
    }
    const rng = new Rng(hashSeed(this.rootSeed, this.format, iteration));
    const pool = this.corpus.length > 0 && rng.chance(0.5) ? this.corpus : this.code;
    return mutate(rng, pool, [...this.code, ...this.corpus]);
  }
}

export interface FormatStats {
  format: string;
  seeds: number;
  inputs: number;
  /** Inputs with at least one problem. */
  failures: number;
  /** Distinct failures (by signature), each saved once. */
  distinct: number;
  problemKinds: Record<string, number>;
  /** Inputs `cleanBuffer` accepted in mode all (cleaned or already clean). */
  accepted: number;
  /** Inputs `inspect` read without refusing. */
  inspected: number;
  /** Refusals that were VERIFY_FAILED (fail-closed working; counted, not failures). */
  verifyRefused: number;
  /** Tolerated foreign errors (see oracle.ts). */
  tolerated: Record<string, number>;
  /** A few VERIFY_FAILED messages, one per distinct message shape. */
  verifyExamples: string[];
  /** Where tolerated foreign errors came from (distinct places). */
  toleratedWhere: string[];
  maxMs: number;
  maxMsBytes: number;
  seconds: number;
}

export interface FailureReport {
  format: string;
  iteration: number;
  input: GeneratedInput;
  problems: Problem[];
  signature: string;
}

/** An input that takes longer than this (plus 1 ms per KB, see hangLimitMs) is a hang. */
export const defaultHangMs = 2000;

/**
 * Bounded work per input byte: a base of `hangMs` plus 1 ms per KB, so that a 2 MB mutant (every
 * pass over it linear) is not mistaken for a hang on a loaded machine, while anything worse than
 * linear still is.
 */
export function hangLimitMs(hangMs: number, bytes: number): number {
  return hangMs + bytes / 1024;
}

export interface FuzzOptions {
  generator: InputGenerator;
  runs?: number;
  seconds?: number;
  hangMs?: number;
  /** Every Nth input also goes through cleanSync on disk (0: never). */
  diskEvery?: number;
  startAt?: number;
  onFailure?(report: FailureReport, firstOfItsKind: boolean): void;
  /** Called before each input (the campaign's watchdog reads it). */
  beforeInput?(iteration: number): void;
  /** Called with the running totals every couple of seconds. */
  onProgress?(stats: FormatStats): void;
  /** Called for the first input of each new VERIFY_FAILED message shape (fail-closed refusals worth a look). */
  onVerifyFailed?(input: GeneratedInput, iteration: number, message: string): void;
}

/** Where a problem comes from in our code: the first stack frame under src/. */
export function signatureOf(format: string, problem: Problem): string {
  const frame = problem.stack?.split('\n').find((line) => /[/\\]src[/\\]/.test(line) && !/node_modules/.test(line));
  const location = frame?.match(/([^/\\( ]+\.[jt]s):(\d+)/);
  const where = location ? `${location[1]}:${location[2]}` : problem.detail.replace(/\d+/g, 'N').slice(0, 80);
  return `${format}|${problem.kind}|${problem.stage.replace(/\(.*\)/, '')}|${where}`;
}

export function fuzzFormat(options: FuzzOptions): FormatStats {
  const { generator } = options;
  const hangMs = options.hangMs ?? defaultHangMs;
  const diskEvery = options.diskEvery ?? 0;
  const diskDir = join(tmpdir(), `traceless-fuzz-${process.pid}-${generator.format}`);
  const stats: FormatStats = {
    format: generator.format, seeds: generator.seedCount, inputs: 0, failures: 0, distinct: 0, problemKinds: {}, accepted: 0, inspected: 0,
    verifyRefused: 0, tolerated: {}, verifyExamples: [], toleratedWhere: [], maxMs: 0, maxMsBytes: 0, seconds: 0,
  };
  const seen = new Set<string>();
  const verifyShapes = new Set<string>();
  const started = performance.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  const runs = options.runs ?? Infinity;
  if (runs === Infinity && deadline === Infinity) throw new Error('fuzzFormat needs runs or seconds');
  let lastProgress = started;
  for (let iteration = options.startAt ?? 0; stats.inputs < runs && performance.now() < deadline; iteration++) {
    options.beforeInput?.(iteration);
    if (options.onProgress && performance.now() - lastProgress > 2000) {
      lastProgress = performance.now();
      stats.seconds = (lastProgress - started) / 1000;
      options.onProgress(stats);
    }
    const input = generator.at(iteration);
    const disk = diskEvery > 0 && iteration % diskEvery === 0;
    const result: OracleResult = runOracle(input.data, { hangMs: hangLimitMs(hangMs, input.data.length), diskDir: disk ? diskDir : undefined });
    stats.inputs++;
    if (result.inspect === 'ok' && result.format !== 'none') stats.inspected++;
    if (result.clean.all === 'cleaned' || result.clean.all === 'already-clean') stats.accepted++;
    if (result.clean.all === 'VERIFY_FAILED' || result.clean.location === 'VERIFY_FAILED') stats.verifyRefused++;
    for (const message of result.verifyFailures) {
      const shape = message.replace(/\d+/g, 'N');
      if (verifyShapes.has(shape)) continue;
      verifyShapes.add(shape);
      if (stats.verifyExamples.length < 8) stats.verifyExamples.push(message);
      options.onVerifyFailed?.(input, iteration, message);
    }
    for (const where of result.toleratedWhere) if (stats.toleratedWhere.length < 8 && !stats.toleratedWhere.includes(where)) stats.toleratedWhere.push(where);
    for (const kind of result.tolerated) stats.tolerated[kind] = (stats.tolerated[kind] ?? 0) + 1;
    if (result.ms > stats.maxMs) {
      stats.maxMs = result.ms;
      stats.maxMsBytes = input.data.length;
    }
    if (result.problems.length === 0) continue;
    stats.failures++;
    for (const problem of result.problems) stats.problemKinds[problem.kind] = (stats.problemKinds[problem.kind] ?? 0) + 1;
    const signature = signatureOf(generator.format, result.problems[0]!);
    const first = !seen.has(signature);
    if (first) {
      seen.add(signature);
      stats.distinct++;
    }
    options.onFailure?.({ format: generator.format, iteration, input, problems: result.problems, signature }, first);
  }
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}

// ---- regressions --------------------------------------------------------------------------------

export function regressionsDir(): string {
  return join(projectRoot(), 'test', 'regressions');
}

/** Saves a failing input as test/regressions/<format>-<what-it-found>-<shorthash>.bin, with a note beside it. */
export function saveRegression(report: FailureReport, dir = regressionsDir()): string {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(report.input.data).digest('hex').slice(0, 10);
  const kind = report.problems[0]!.kind.replace(/[^a-z0-9-]+/gi, '-').toLowerCase();
  const base = `${report.format}-${kind}-${hash}`;
  const path = join(dir, `${base}.bin`);
  writeFileSync(path, report.input.data);
  const note = [
    `format: ${report.format}`,
    `found: ${report.problems.map((problem) => `${problem.kind} in ${problem.stage}`).join('; ')}`,
    `signature: ${report.signature}`,
    `seed: ${report.input.seed}`,
    `mutator: ${report.input.mutator}`,
    `steps: ${report.input.steps.join(' | ')}`,
    `iteration: ${report.iteration}`,
    `bytes: ${report.input.data.length}`,
    '',
    ...report.problems.map((problem) => `${problem.kind} (${problem.stage}): ${problem.detail}\n${problem.stack ?? ''}\n`),
  ].join('\n');
  writeFileSync(join(dir, `${base}.txt`), note);
  return path;
}

/**
 * Saves an input the cleaner refused with VERIFY_FAILED under test/regressions/verify-failed/: not
 * a failure (nothing was written), but a plan whose output did not verify is worth a look.
 */
export function saveVerifyFailed(format: string, input: GeneratedInput, iteration: number, message: string, dir = join(regressionsDir(), 'verify-failed')): string {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(input.data).digest('hex').slice(0, 10);
  const path = join(dir, `${format}-verify-failed-${hash}.bin`);
  writeFileSync(path, input.data);
  writeFileSync(join(dir, `${format}-verify-failed-${hash}.txt`), [`format: ${format}`, `refusal: ${message}`, `seed: ${input.seed}`, `mutator: ${input.mutator}`, `steps: ${input.steps.join(' | ')}`, `iteration: ${iteration}`, `bytes: ${input.data.length}`, ''].join('\n'));
  return path;
}

/** The saved inputs (`*.bin`, and `verify-failed/*.bin`), by path relative to test/regressions/. */
export function savedRegressions(dir = regressionsDir()): { name: string; data: Buffer }[] {
  const list = (folder: string, prefix: string) =>
    existsSync(folder)
      ? readdirSync(folder)
          .filter((name) => name.endsWith('.bin'))
          .sort()
          .map((name) => ({ name: `${prefix}${name}`, data: readFileSync(join(folder, name)) }))
      : [];
  return [...list(dir, ''), ...list(join(dir, 'verify-failed'), 'verify-failed/')];
}

// ---- reporting ------------------------------------------------------------------------------

export function summaryTable(rows: readonly FormatStats[]): string {
  const header = '| format | seeds | inputs | inspected | accepted by clean | VERIFY_FAILED refusals | tolerated foreign errors | slowest input | failures | distinct |';
  const rule = '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|';
  const lines = rows.map((row) => {
    const tolerated = Object.entries(row.tolerated).map(([kind, count]) => `${kind} ${count}`).join(', ') || '—';
    const slowest = `${Math.round(row.maxMs)} ms (${formatBytes(row.maxMsBytes)})`;
    return `| ${row.format} | ${row.seeds} | ${row.inputs} | ${row.inspected} | ${row.accepted} | ${row.verifyRefused} | ${tolerated} | ${slowest} | ${row.failures} | ${row.distinct} |`;
  });
  const total = rows.reduce((sum, row) => sum + row.inputs, 0);
  const failures = rows.reduce((sum, row) => sum + row.failures, 0);
  return [header, rule, ...lines, `| **total** | | **${total}** | | | | | | **${failures}** | |`].join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
