/**
 * Every input a fuzz campaign (`npm run fuzz`) found failing, saved here as
 * `<format>-<what-it-found>-<shorthash>.bin` with a `.txt` note on how it was made, runs through the
 * same oracle as the fuzzer in every `npm test`: once fixed, a failure stays fixed. Inputs kept in
 * `verify-failed/` (`npm run fuzz -- --save-verify-failed`) were refused with VERIFY_FAILED —
 * fail-closed, not failures, but a plan whose output did not verify is worth a look — and must go
 * on passing the oracle too. Once such a case is fixed it moves up here (`<format>-verify-failed-…`),
 * and from then on it must not be refused with VERIFY_FAILED again.
 */
import { describe, expect, it } from 'vitest';
import { defaultHangMs, hangLimitMs, runOracle, savedRegressions } from '../fuzz/engine.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const saved = savedRegressions();

/**
 * The campaign's hang limit (test/fuzz/engine.ts) is for a fuzzer that has a core to itself; here
 * the suite runs two test files at once on two cores, which on this kind of machine (two hyper-
 * threads of one core) halves the speed of each. A saved hang must stay within three times the
 * campaign's limit: what was unbounded or quadratic is still caught (seconds become minutes), and
 * the wall clock of a busy machine does not fail the suite. Speed itself is measured by `npm run bench`.
 */
const sharedMachineAllowance = 3;

describe('saved fuzz regressions', () => {
  it('lists the saved inputs (none is fine)', () => {
    console.log(saved.length === 0 ? 'fuzz regressions: no saved inputs in test/regressions/ (nothing has failed yet)' : `fuzz regressions: ${saved.length} saved input(s)`);
    for (const { name } of saved) expect(name).toMatch(/^(verify-failed\/)?[a-z0-9-]+-[a-z0-9-]+-[0-9a-f]{10}\.bin$/);
  });

  it.each(saved.map((entry) => [entry.name, entry.data] as const))('%s passes the fuzz oracle', (name, data) => {
    const scratch = mkdtempSync(join(tmpdir(), 'traceless-regression-'));
    try {
      const result = runOracle(data, { hangMs: hangLimitMs(defaultHangMs, data.length) * sharedMachineAllowance, diskDir: join(scratch, 'disk') });
      expect(result.problems.map((problem) => `${problem.kind} in ${problem.stage}: ${problem.detail}`)).toEqual([]);
      // Saved inputs need no tolerance either: a Buffer read past the end (tolerated by the fuzzer
      // as a truthful TRUNCATED) that was fixed into a precise refusal stays fixed.
      expect(result.toleratedWhere).toEqual([]);
      // A VERIFY_FAILED refusal that was fixed stays fixed: the cleaner now refuses or cleans it outright.
      if (!name.startsWith('verify-failed/') && name.includes('-verify-failed-')) expect(result.verifyFailures).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
