/**
 * The quick fuzz run in every `npm test`: for each format, every code seed whole and truncated at
 * every structural boundary, then a fixed number of mutants (fixed seed: the same inputs every run),
 * each checked by the oracle (test/fuzz/oracle.ts). Small corpus files join as mutation seeds when
 * ../shared/corpus exists. Longer campaigns: `npm run fuzz -- --seconds 600`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputGenerator, defaultHangMs, fuzzFormat, hangLimitMs, prepare, runOracle, summaryTable, type FailureReport, type FormatStats } from './engine.js';
import type { PreparedSeed } from './mutators.js';
import { codeSeeds, corpusSeeds, formatIds } from './seeds.js';

/** The fixed seed of the quick run. */
const rootSeed = 20_240_501;
/** Mutants per format after the systematic truncations. */
const mutantsPerFormat = 900;
/** Corpus files up to this size join the quick run as mutation seeds. */
const quickCorpusBytes = 64 * 1024;

const seeds = new Map<string, { code: PreparedSeed[]; corpus: PreparedSeed[] }>();
const rows: FormatStats[] = [];

beforeAll(async () => {
  const code = await codeSeeds();
  const corpus = corpusSeeds(quickCorpusBytes);
  for (const id of formatIds) seeds.set(id, { code: prepare(code.get(id) ?? []), corpus: prepare(corpus.get(id) ?? []) });
});

afterAll(() => {
  const corpusCount = [...seeds.values()].reduce((sum, entry) => sum + entry.corpus.length, 0);
  console.log(`quick fuzz run (seed ${rootSeed}, ${corpusCount} corpus seeds under ${quickCorpusBytes / 1024} KB):\n${summaryTable(rows)}`);
});

function explain(report: FailureReport): string {
  const problem = report.problems[0]!;
  return `${problem.kind} in ${problem.stage}: ${problem.detail}\n  input ${report.iteration} (${report.input.data.length} bytes) from ${report.input.seed} by ${report.input.mutator}: ${report.input.steps.join(' | ')}\n  ${(problem.stack ?? '').split('\n').slice(0, 6).join('\n  ')}`;
}

describe('quick fuzz run: only TracelessError escapes, nothing hangs, outputs verify and are stable, refusals write nothing', () => {
  it('has seeds for every format traceless knows', () => {
    const missing = formatIds.filter((id) => (seeds.get(id)?.code.length ?? 0) === 0);
    expect(missing).toEqual([]);
  });

  it.each(formatIds)('%s', (format) => {
    const { code, corpus } = seeds.get(format)!;
    const generator = new InputGenerator({ format, code, corpus, rootSeed, systematic: 'first', systematicOf: 'code' });
    const failures: FailureReport[] = [];
    const stats = fuzzFormat({
      generator,
      runs: generator.systematic.length + mutantsPerFormat,
      diskEvery: 10,
      onFailure: (report, first) => {
        if (first) failures.push(report);
      },
    });
    rows.push(stats);
    expect(stats.inputs).toBe(generator.systematic.length + mutantsPerFormat);
    expect(failures.map(explain)).toEqual([]);
  });

  it('fast-check: byte edits, a cut and appended bytes on any code seed (shrinks a failure to its smallest edit)', () => {
    const all = [...seeds.values()].flatMap((entry) => entry.code);
    fc.assert(
      fc.property(
        fc.nat(all.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.uint8Array({ maxLength: 64 }),
        (index, edits, cut, tail) => {
          const seed = all[index]!.data;
          const data = Buffer.concat([seed, Buffer.from(tail)]);
          for (const [position, value] of edits) data[position % data.length] = value;
          const input = cut === undefined ? data : data.subarray(0, cut % (data.length + 1));
          const { problems } = runOracle(input, { hangMs: hangLimitMs(defaultHangMs, input.length) });
          expect(problems.map((problem) => `${problem.kind} in ${problem.stage}: ${problem.detail}`), all[index]!.name).toEqual([]);
        },
      ),
      { seed: rootSeed, numRuns: 600 },
    );
  });
});
