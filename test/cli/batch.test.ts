/** Batch cleanup of camera folders (issue: recursive, parallel, resumable, safe to interrupt). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { phoneJpeg } from '../fixtures/jpeg.js';
import { buildTree, hashTree, listFiles, type TreeLayout } from '../fixtures/tree.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'traceless.js');
const built = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'src', 'batch', 'worker.js'));

let work: string;
let tree: TreeLayout;
let before: Map<string, string>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'traceless-batch-'));
  tree = await buildTree(join(work, 'PHOTOS'));
  before = hashTree(tree.root);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const leaks = (path: string) => inspectSync(path).findings.filter((finding) => !finding.retained);

describe('traceless clean FOLDER -o OUT', () => {
  it('mirrors the tree exactly, counts right, originals untouched, rerun does nothing', async () => {
    const out = join(work, 'OUT');
    const run = await runCli('clean', tree.root, '-o', out, '--json', '--jobs', '2');
    expect(run.code).toBe(1); // the malformed files and scan-only sidecars are refused
    const lines = run.lines.map((line) => JSON.parse(line));
    const { summary } = lines.pop();
    expect(listFiles(out)).toEqual([...tree.cleanable].sort());
    for (const file of tree.cleanable.filter((path) => path.endsWith('.jpg') || path.endsWith('.JPG'))) expect(leaks(join(out, file)), file).toEqual([]);
    expect(summary).toMatchObject({
      files: tree.cleanable.length + tree.refused.length,
      refused: tree.refused.length,
      failed: 0,
      nonMediaSkipped: tree.nonMedia.length,
    });
    expect(summary.cleaned + summary.alreadyClean).toBe(tree.cleanable.length);
    expect(lines.filter((line) => line.status === 'refused').map((line) => line.file.slice(tree.root.length + 1)).sort()).toEqual([...tree.refused].sort());
    expect(hashTree(tree.root)).toEqual(before);
    // The second run finds every output present and clean: it writes nothing.
    const outputsBefore = hashTree(out);
    const again = await runCli('clean', tree.root, '-o', out, '--json');
    const againSummary = JSON.parse(again.lines.at(-1)!).summary;
    expect(againSummary).toMatchObject({ cleaned: 0, alreadyClean: 0, skipped: tree.cleanable.length });
    expect(hashTree(out)).toEqual(outputsBefore);
  });

  it('--dry-run writes nothing and says what it would do', async () => {
    const out = join(work, 'DRY');
    const run = await runCli('clean', tree.root, '-o', out, '--dry-run', '--json');
    expect(existsSync(out)).toBe(false);
    const results = run.lines.map((line) => JSON.parse(line)).filter((line) => line.file);
    expect(results.filter((line) => line.status === 'cleaned').every((line) => line.dryRun === true && line.bytesWritten === 0)).toBe(true);
    expect(results.some((line) => line.status === 'cleaned' && line.removed.length > 0)).toBe(true);
    expect(hashTree(tree.root)).toEqual(before);
  });

  it('follows --exclude, --hidden and --follow-symlinks', async () => {
    const out = join(work, 'SELECT');
    await runCli('clean', tree.root, '-o', out, '--exclude', '2023', '--exclude', '*.xmp', '--hidden', '--quiet');
    const files = listFiles(out);
    expect(files.some((file) => file.startsWith('2023/'))).toBe(false);
    expect(files.some((file) => file.endsWith('.xmp'))).toBe(false);
    expect(files).toContain('.hidden/secret.jpg');
    const linked = join(work, 'LINKED');
    await runCli('clean', tree.root, '-o', linked, '--follow-symlinks', '--quiet');
    expect(listFiles(linked)).toContain('2023/link-to-photo.jpg');
    expect(listFiles(linked)).toContain('DCIM/link-to-2024/full phone photo.jpg');
  });

  it('--keep-mtime gives outputs the original modification time; the default is now', async () => {
    const folder = mkdtempSync(join(work, 'mtime-'));
    const photo = join(folder, 'a.jpg');
    writeFileSync(photo, await phoneJpeg());
    const old = new Date('2019-07-14T12:00:00Z');
    utimesSync(photo, old, old);
    await runCli('clean', photo, '-o', join(folder, 'kept'), '--keep-mtime');
    await runCli('clean', photo, '-o', join(folder, 'now'));
    expect(statSync(join(folder, 'kept', 'a.jpg')).mtime.getTime()).toBe(old.getTime());
    expect(Date.now() - statSync(join(folder, 'now', 'a.jpg')).mtime.getTime()).toBeLessThan(60_000);
  });

  it('--in-place --backup keeps the original beside the clean file', async () => {
    const folder = mkdtempSync(join(work, 'backup-'));
    const photo = join(folder, 'a.jpg');
    const original = await phoneJpeg();
    writeFileSync(photo, original);
    const run = await runCli('clean', photo, '--in-place', '--backup', '.orig');
    expect(run.code).toBe(0);
    expect(readFileSync(join(folder, 'a.jpg.orig'))).toEqual(original);
    expect(leaks(photo)).toEqual([]);
    // A second in-place run has nothing to do and touches nothing.
    expect((await runCli('clean', photo, '--in-place', '--backup', '.orig')).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['a.jpg', 'a.jpg.orig']);
  });

  it('reports sidecars and Live Photo pairs in scan summaries', async () => {
    const run = await runCli('scan', tree.root, '--json');
    const lines = run.lines.map((line) => JSON.parse(line));
    const srt = lines.find((line) => line.file?.endsWith('DJI_0001.SRT'));
    expect(srt.locations[0]).toMatchObject({ latitude: 22.54321, longitude: 113.9501 });
    const xmp = lines.find((line) => line.file?.endsWith('IMG_0001.xmp'));
    expect(xmp.findings.some((finding: { category: string }) => finding.category === 'location')).toBe(true);
    const { summary } = lines.at(-1);
    expect(summary.revealingLocation).toBeGreaterThan(150);
    expect(summary.places.length).toBeGreaterThan(100);
    expect(summary.devices.map((device: { device: string }) => device.device)).toEqual(expect.arrayContaining(['TreeCam Model 0', 'TestCam Inc. TestCam Pro 9']));
  });
});

describe.skipIf(!built)('the built CLI', () => {
  it('reads stdin and writes the clean file to stdout', async () => {
    const photo = await phoneJpeg();
    const run = spawnSync(process.execPath, [bin, 'clean', '-'], { input: photo, maxBuffer: 64 * 1024 * 1024 });
    expect(run.status).toBe(0);
    expect(leaks(writeTemp(run.stdout))).toEqual([]);
    expect(run.stderr.toString()).toContain('cleaned');
  });

  it('survives SIGKILL in the middle of an -o run and of an --in-place run; a rerun completes the job', async () => {
    for (const mode of ['output', 'in-place'] as const) {
      const root = mkdtempSync(join(work, `kill-${mode}-`));
      const photos = join(root, 'P');
      const big = await phoneJpeg();
      const originals = new Map<string, Buffer>();
      for (let index = 0; index < 300; index++) {
        const data = Buffer.concat([big.subarray(0, big.length - 2), Buffer.alloc(200_000, index % 250), big.subarray(big.length - 2)]);
        // Padding before EOI sits inside the entropy-coded data: still a valid JPEG, just bigger.
        const path = join(photos, `d${index % 4}`, `IMG_${index}.jpg`);
        originals.set(path, data);
      }
      for (const [path, data] of originals) {
        rmSync(path, { force: true });
        const folder = join(path, '..');
        if (!existsSync(folder)) spawnSync('mkdir', ['-p', folder]);
        writeFileSync(path, data);
      }
      const out = join(root, 'OUT');
      const args = mode === 'output' ? [bin, 'clean', photos, '-o', out, '--jobs', '2'] : [bin, 'clean', photos, '--in-place', '--jobs', '2'];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Kill it in the middle: once 40 files are reported done, well before all 300.
      let done = 0;
      await new Promise<void>((resolve) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          done += chunk.toString().split('\n').filter((line) => line.includes('cleaned')).length;
          if (done >= 40) resolve();
        });
        void exited.then(() => resolve());
      });
      child.kill('SIGKILL');
      await exited;
      expect(done).toBeLessThan(300);
      const target = mode === 'output' ? out : photos;
      const afterKill = existsSync(target) ? listFiles(target) : [];
      // Never a partial file under a real name: every file there is an untouched original or a verified clean copy.
      for (const file of afterKill.filter((name) => !name.includes('.traceless-'))) {
        const path = join(target, file);
        const original = originals.get(mode === 'output' ? join(photos, file) : path)!;
        const bytes = readFileSync(path);
        if (!bytes.equals(original)) expect(leaks(path), file).toEqual([]);
      }
      const rerun = spawnSync(process.execPath, [...args, '--quiet'], { encoding: 'utf8' });
      expect(rerun.status, rerun.stderr).toBe(0);
      const afterRerun = listFiles(target);
      expect(afterRerun.filter((name) => name.includes('.traceless-'))).toEqual([]);
      expect(afterRerun.length).toBe(originals.size);
      for (const file of afterRerun) expect(leaks(join(target, file)), file).toEqual([]);
    }
  }, 180_000);
});

function writeTemp(data: Buffer): string {
  const path = join(mkdtempSync(join(work, 'stdout-')), 'out.jpg');
  writeFileSync(path, data);
  return path;
}
