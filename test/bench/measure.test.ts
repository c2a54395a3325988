import { describe, expect, it } from 'vitest';
import { best, bestInTurns, type Measurement } from '../../bench/measure.js';

const timing = (seconds: number, peakMegabytes: number | null): Measurement => ({ seconds, peakMegabytes, code: 0, stderr: '' });

describe('benchmark timing', () => {
  it('keeps the fastest run, the highest peak of all runs, and prepares each run', async () => {
    const runs = [timing(3, 10), timing(1, 5), timing(2, 50)];
    let prepared = 0;
    let index = 0;
    const result = await best(3, async () => runs[index++]!, () => (prepared += 1));
    expect(result.seconds).toBe(1);
    expect(result.peakMegabytes).toBe(50);
    expect(prepared).toBe(3);
  });

  it('runs the commands in turns and keeps the best of each', async () => {
    const order: string[] = [];
    const command = (name: string, times: number[]) => {
      let run = 0;
      return async () => {
        order.push(name);
        return timing(times[run++]!, null);
      };
    };
    const [first, second] = await bestInTurns(2, [command('a', [5, 4]), command('b', [1, 2])]);
    expect(order).toEqual(['a', 'b', 'a', 'b']);
    expect(first!.seconds).toBe(4);
    expect(second!.seconds).toBe(1);
    expect(second!.peakMegabytes).toBeNull();
  });
});
