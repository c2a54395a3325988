/** Runs the CLI in-process and captures what it prints. */
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

export async function runCli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'traceless', ...args], { out: (line) => out.push(line), err: (line) => err.push(line) });
  const stdout = out.join('\n');
  return { code, stdout, stderr: err.join('\n'), lines: stdout.split('\n').filter((line) => line.trim() !== '') };
}
