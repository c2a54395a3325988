/**
 * Runs a command and measures its wall time and peak memory (VmHWM, polled from /proc while it
 * runs — the high-water mark the kernel keeps for the process).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measurement {
  seconds: number;
  peakMegabytes: number | null;
  code: number | null;
  stderr: string;
}

function highWaterMark(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function measure(command: string, args: string[], options: { cwd?: string; stdout?: 'ignore' | 'pipe' } = {}): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let peak: number | null = null;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 10_000) stderr += chunk.toString();
    });
    const poll = setInterval(() => {
      const value = child.pid ? highWaterMark(child.pid) : null;
      if (value !== null) peak = Math.max(peak ?? 0, value);
    }, 5);
    child.on('error', (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, peakMegabytes: peak, code, stderr });
    });
  });
}

/** The best (lowest) of `runs` timings: the least disturbed by the rest of the machine. `before` runs before each. */
export async function best(runs: number, run: () => Promise<Measurement>, before?: () => void): Promise<Measurement> {
  const [bestRun] = await bestInTurns(runs, [
    () => {
      before?.();
      return run();
    },
  ]);
  return bestRun!;
}

/**
 * The best of `runs` timings of each command, measured in turns (all commands once, then again …)
 * so that a slow spell of the machine falls on every command alike. The peak memory kept is the
 * highest of all runs, not the fastest run's.
 */
export async function bestInTurns(runs: number, commands: readonly (() => Promise<Measurement>)[]): Promise<Measurement[]> {
  const bests: (Measurement | undefined)[] = commands.map(() => undefined);
  for (let round = 0; round < runs; round++) {
    for (const [index, command] of commands.entries()) {
      const result = await command();
      const previous = bests[index];
      const peakMegabytes = Math.max(result.peakMegabytes ?? 0, previous?.peakMegabytes ?? 0) || null;
      bests[index] = !previous || result.seconds < previous.seconds ? { ...result, peakMegabytes } : { ...previous, peakMegabytes };
    }
  }
  return bests.map((measurement) => measurement!);
}
