/** Runs the CLI in-process and captures what it prints (or the built CLI in a child process). */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Runs the built CLI (`bin/traceless.js` with its bundles) in a child process with `preloadSource`
 * (CommonJS, written to `folder`) loaded first through `node -r`: tests watch what the process does
 * (which files it reads, which V8 flags it sets) by patching Node's modules there.
 */
export function runBuiltWithPreload(folder: string, preloadSource: string, args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const preload = join(folder, `preload-${createHash('sha256').update(preloadSource).digest('hex').slice(0, 12)}.cjs`);
  writeFileSync(preload, preloadSource);
  const result = spawnSync(process.execPath, ['-r', preload, join(import.meta.dirname, '..', '..', 'bin', 'traceless.js'), ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
