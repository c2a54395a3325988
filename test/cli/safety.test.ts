/**
 * Never lose or confuse a file (issue 12): every command against the batch corner cases — output =
 * input, output folder inside an input folder, two inputs to one output, an unrelated clean file at
 * the output path, reruns with backups, closed stdout, a read-only folder, a file where a folder is
 * expected, a killed worker, hostile names. Asserts: originals byte-identical, no input silently
 * skipped, no stack trace anywhere, the documented exit code and message.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { phoneJpeg } from '../fixtures/jpeg.js';
import { hashTree, listFiles } from '../fixtures/tree.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'traceless.js');
const built = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'bundle', 'cli.cjs')) || existsSync(join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js'));
const stackTrace = /\n\s+at .+\(.+:\d+:\d+\)|node:internal|Error: .*\n\s+at /;

let work: string;
let photo: Buffer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'traceless-safety-'));
  photo = await phoneJpeg();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, files: Record<string, Buffer | string>): string {
  const root = join(work, name);
  rmSync(root, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function shell(command: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('nothing is overwritten that was not asked to be', () => {
  it('scan --html never replaces an input, a photo, or an existing file without --force', async () => {
    const root = folder('html', { 'a.jpg': photo, 'b.jpg': photo, 'old.html': 'old report' });
    const before = hashTree(root);
    // `scan --html *.jpg`: the shell put a.jpg right after --html.
    const glob = await runCli('scan', '--html', join(root, 'a.jpg'), join(root, 'b.jpg'));
    expect(glob.code).toBe(2);
    expect(glob.stderr).toMatch(/photo or video|already exists/);
    const input = await runCli('scan', root, '--html', join(root, 'b.jpg'), '--force');
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/names one of the files to scan|photo or video/);
    const existing = await runCli('scan', join(root, 'a.jpg'), '--html', join(root, 'old.html'));
    expect(existing.code).toBe(2);
    expect(existing.stderr).toMatch(/already exists; use --force/);
    expect(hashTree(root)).toEqual(before);
    const forced = await runCli('scan', join(root, 'a.jpg'), '--html', join(root, 'old.html'), '--force', '--quiet');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(root, 'old.html'), 'utf8')).toMatch(/<html/i);
  });

  it('clean -o FILE (a file where a folder is expected) is one line, no stack trace, nothing changed', async () => {
    const root = folder('notdir', { 'a.jpg': photo, 'existing.txt': 'text' });
    const before = hashTree(root);
    const run = await runCli('clean', join(root, 'a.jpg'), '-o', join(root, 'existing.txt', 'sub'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot create the output folder .*existing\.txt/);
    expect(run.stderr).not.toMatch(stackTrace);
    expect(hashTree(root)).toEqual(before);
  });
});

describe('one input, one output', () => {
  it('two inputs that map to one output are both refused with OUTPUT_CONFLICT before any work', async () => {
    const root = folder('conflict', { 'a/x.jpg': photo, 'b/x.jpg': photo });
    const out = join(work, 'conflict-out');
    const run = await runCli('clean', join(root, 'a', 'x.jpg'), join(root, 'b', 'x.jpg'), '-o', out, '--json');
    expect(run.code).toBe(1);
    const results = run.lines.map((line) => JSON.parse(line)).filter((line) => line.file);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.status).toBe('refused');
      expect(result.error.code).toBe('OUTPUT_CONFLICT');
      expect(result.error.message).toContain('a/x.jpg');
      expect(result.error.message).toContain('b/x.jpg');
    }
    expect(existsSync(join(out, 'x.jpg'))).toBe(false);
  });

  it('an unrelated clean file already at the output path is not taken as this input\'s output', async () => {
    const root = folder('unrelated', { 'a.jpg': photo, 'other.jpg': photo });
    const out = join(work, 'unrelated-out');
    const first = await runCli('clean', join(root, 'other.jpg'), '-o', out, '--json');
    const status = JSON.parse(first.lines[0]!).status as string;
    if (status !== 'cleaned') return; // the JPEG cleaner refused this fixture: nothing to compare
    // A clean copy of a different picture sits where a.jpg's output would go.
    const different = readFileSync(join(out, 'other.jpg'));
    different[different.length - 3] = different[different.length - 3]! ^ 0xff;
    writeFileSync(join(out, 'a.jpg'), different);
    const run = await runCli('clean', join(root, 'a.jpg'), '-o', out, '--json');
    const result = JSON.parse(run.lines[0]!);
    expect(result.status).not.toBe('skipped');
    expect(result.error?.code).toBe('OUTPUT_EXISTS');
  });

  it('clean FOLDER -o FOLDER/inside, run twice, never walks into its own output', async () => {
    const root = folder('nest', { 'a.jpg': photo, 'sub/b.jpg': photo });
    await runCli('clean', root, '-o', join(root, 'clean'), '--json');
    const second = await runCli('clean', root, '-o', join(root, 'clean'), '--json');
    const files = listFiles(root);
    expect(files.filter((path) => path.startsWith('clean/clean'))).toEqual([]);
    const results = second.lines.map((line) => JSON.parse(line)).filter((line) => line.file);
    expect(results.map((result) => result.file).filter((file: string) => file.includes('/clean/'))).toEqual([]);
  });

  it('-o naming the folder being cleaned is a usage error', async () => {
    const root = folder('same', { 'a.jpg': photo });
    const run = await runCli('clean', root, '-o', root);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is the folder being cleaned/);
  });

  it('backups of an in-place run are never cleaned on a rerun, and restore puts the originals back', async () => {
    const root = folder('backups', { 'a.jpg': photo, 'b.jpg': photo });
    const originals = hashTree(root);
    await runCli('clean', root, '--in-place', '--backup', '.orig');
    const afterFirst = listFiles(root);
    await runCli('clean', root, '--in-place', '--backup', '.orig');
    await runCli('clean', root, '--in-place');
    expect(listFiles(root)).toEqual(afterFirst);
    expect(afterFirst.filter((path) => path.endsWith('.orig.orig'))).toEqual([]);
    for (const name of afterFirst.filter((path) => path.endsWith('.orig'))) {
      expect(readFileSync(join(root, name)).equals(photo), `${name} is still the original`).toBe(true);
    }
    const restore = await runCli('restore', root, '--backup', '.orig');
    expect(restore.code).toBe(0);
    expect(hashTree(root)).toEqual(originals);
  });

  it('restore refuses where the backup is missing', async () => {
    const root = folder('restore-missing', { 'a.jpg': photo });
    const run = await runCli('restore', join(root, 'a.jpg'), '--backup', '.orig');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no backup/);
    expect(readFileSync(join(root, 'a.jpg')).equals(photo)).toBe(true);
  });
});

describe('the command line people expect', () => {
  it('bare traceless shows help on stderr and exits 2; every command --help has examples', async () => {
    const bare = await runCli();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/Usage: traceless/);
    for (const command of ['scan', 'clean', 'check', 'restore']) {
      const help = await runCli(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout, command).toMatch(/Examples:\n\s+\$ traceless/);
    }
  });

  it('flags are validated with exit 2 and one line', async () => {
    const root = folder('flags', { 'a.jpg': photo });
    for (const args of [['clean', root, '--jobs', '0'], ['clean', root, '--jobs', 'abc'], ['scan', root, '--jobs', '-1'], ['check', root, '--fail-on', 'nowhere'], ['clean', root, '--only', 'device']]) {
      const run = await runCli(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n').filter(Boolean).length, args.join(' ')).toBeLessThanOrEqual(2);
    }
  });

  it('check --fail-on gates owner names when asked', async () => {
    const root = folder('failon', { 'a.jpg': photo });
    const run = await runCli('check', join(root, 'a.jpg'), '--fail-on', 'owner', '--json');
    const line = JSON.parse(run.lines[0]!);
    expect(line.leaks).toEqual(line.ok ? [] : expect.arrayContaining(['owner']));
    expect(run.code).toBe(line.ok ? 0 : 1);
  });

  it('the dry run speaks in the conditional', async () => {
    const root = folder('dry', { 'a.jpg': photo, 'b.jpg': photo });
    const run = await runCli('clean', root, '-o', join(work, 'dry-out'), '--dry-run');
    expect(run.stdout).toMatch(/Dry run, nothing written: would clean/);
    expect(run.stdout).not.toMatch(/bytes written|B written/);
    expect(existsSync(join(work, 'dry-out'))).toBe(false);
  });

  it('hostile file names never reach the terminal with their control characters, and suggestions are quoted', async () => {
    const root = folder('hostile', {});
    mkdirSync(root, { recursive: true });
    const name = join(root, "it's \u001b[2J.jpg");
    writeFileSync(name, photo);
    const run = await runCli('check', name);
    expect(run.stdout + run.stderr).not.toMatch(/\u001b/);
    if (run.code === 1) expect(run.stdout).toMatch(/traceless scan '.*'\\''s .*\.jpg'/);
    const option = await runCli('scan', '--\u001b[2Jopt.jpg');
    expect(option.stdout + option.stderr).not.toMatch(/\u001b/);
  });
});

describe.skipIf(!built)('the real binary: no stack trace from any command', () => {
  it('a closed stdout ends the run quietly', () => {
    const root = folder('pipe', Object.fromEntries(Array.from({ length: 6 }, (_, index) => [`p${index}.jpg`, photo])));
    for (const command of [`node ${bin} scan . | head -1`, `node ${bin} scan . | head -0`, `node ${bin} scan . --json | head -c 10`]) {
      const run = shell(`${command}; echo "status \${PIPESTATUS[0]}" >&2`, root);
      expect(run.stderr, command).not.toMatch(stackTrace);
      expect(run.stderr, command).toMatch(/status [0-2]\b/);
    }
  });

  it('a read-only output folder names the folder it could not write', () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits: use a read-only bind of nothing; skip with a message instead.
      console.log('read-only folder case SKIPPED: running as root, permission bits do not apply');
      return;
    }
    const root = folder('readonly', { 'src/a.jpg': photo });
    const out = join(root, 'out');
    mkdirSync(out);
    chmodSync(out, 0o500);
    const run = shell(`node ${bin} clean src -o out`, root);
    chmodSync(out, 0o700);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot write out\/a\.jpg/);
    expect(run.stderr).not.toMatch(stackTrace);
  });

  it('clean - to a terminal is refused; clean - -o FILE is atomic and refuses an existing file', () => {
    const root = folder('stdin', { 'a.jpg': photo, 'taken.jpg': 'x' });
    const existing = shell(`node ${bin} clean - -o taken.jpg < a.jpg`, root);
    expect(existing.status).toBe(1);
    expect(existing.stderr).toMatch(/already exists/);
    expect(readFileSync(join(root, 'taken.jpg'), 'utf8')).toBe('x');
    const written = shell(`node ${bin} clean - -o new.jpg < a.jpg`, root);
    expect(written.stderr).not.toMatch(stackTrace);
    expect(readdirSync(root).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('a full disk: one line naming the output, no partial file, the original untouched', () => {
    const full = join(work, 'full-disk');
    mkdirSync(full, { recursive: true });
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', full]).status === 0;
    if (!mounted) {
      console.log('full-disk case SKIPPED: a small tmpfs cannot be mounted here (needs root and mount rights)');
      return;
    }
    try {
      // Fill it to the last byte first.
      spawnSync('dd', ['if=/dev/zero', `of=${join(full, 'filler.bin')}`, 'bs=1k', 'count=64']);
      const root = folder('full-src', { 'a.jpg': photo });
      const run = shell(`node ${bin} clean a.jpg -o ${full}`, root);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/cannot write .*a\.jpg: no space left/);
      expect(run.stderr).not.toMatch(stackTrace);
      expect(readdirSync(full)).toEqual(['filler.bin']);
      expect(readFileSync(join(root, 'a.jpg')).equals(photo)).toBe(true);
    } finally {
      spawnSync('umount', [full]);
    }
  });

  it('a usage error from the argument parser is one line', () => {
    const root = folder('usage', { 'a.jpg': photo });
    const run = shell(`node ${bin} clean a.jpg --no-such-flag`, root);
    expect(run.status).toBe(2);
    expect(run.stderr).not.toMatch(stackTrace);
  });
});
