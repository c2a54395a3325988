/**
 * A property test shared by the format suites: byte edits and a cut on any of the seeds, and each
 * run given the result lets nothing but a TracelessError out — and never an INTERNAL one.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { TracelessError } from '../../src/errors.js';

export function assertOnlyTracelessErrors(seeds: readonly Buffer[], runs: (input: Buffer) => (() => unknown)[], numRuns = 400): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
      fc.option(fc.nat(), { nil: undefined }),
      (index, edits, cut) => {
        const data = Buffer.from(seeds[index]!);
        for (const [position, value] of edits) data[position % data.length] = value;
        const input = cut === undefined ? data : data.subarray(0, cut % data.length);
        for (const run of runs(input)) {
          try {
            run();
          } catch (error) {
            expect(error).toBeInstanceOf(TracelessError);
            expect((error as TracelessError).code).not.toBe('INTERNAL');
          }
        }
      },
    ),
    { numRuns },
  );
}
