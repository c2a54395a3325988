import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { basePixelsJpeg, commentSegment, exifSegment, insertSegments, phoneJpeg } from '../fixtures/jpeg.js';

let work: string;
let leaky: string;
let clean: string;
let commentOnly: string;
let deviceOnly: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'traceless-check-'));
  leaky = join(work, 'leaky.jpg');
  clean = join(work, 'clean.jpg');
  commentOnly = join(work, 'comment.jpg');
  deviceOnly = join(work, 'device.jpg');
  writeFileSync(leaky, await phoneJpeg());
  writeFileSync(clean, await basePixelsJpeg());
  writeFileSync(commentOnly, insertSegments(await basePixelsJpeg(), [commentSegment('hello')]));
  writeFileSync(deviceOnly, insertSegments(await basePixelsJpeg(), [exifSegment({ model: 'Only A Model' })]));
  writeFileSync(join(work, 'README.txt'), 'not media');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('traceless check', () => {
  it('exits 0 when no file carries location or device metadata (non-media files are ignored)', async () => {
    const run = await runCli('check', clean, commentOnly, join(work, 'README.txt'));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
  });

  it('exits 1 and names the file when any carries location or device metadata', async () => {
    const run = await runCli('check', clean, leaky);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('leaky.jpg: carries location and device metadata');
    expect((await runCli('check', deviceOnly)).code).toBe(1);
  });

  it('walks folders', async () => {
    expect((await runCli('check', work)).code).toBe(1);
  });

  it('exits 1 for a file it could not read in full: it cannot be shown to be clean', async () => {
    const broken = join(work, 'broken.jpg');
    writeFileSync(broken, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 10, 1]));
    const run = await runCli('check', broken, clean);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/broken\.jpg: cannot be shown to be clean: segment 0xFFE0 at byte 2 declares 10 bytes but the file ends/);
    const json = await runCli('check', '--json', broken);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ file: broken, format: 'jpeg', ok: false, leaks: [], unreadable: [expect.stringContaining('declares 10 bytes')] });
  });

  it('exits 1 for a file named as a photo whose bytes it does not know; other unknown files are ignored', async () => {
    const renamed = join(work, 'renamed.jpg');
    writeFileSync(renamed, 'just some text\n');
    const run = await runCli('check', renamed);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('renamed.jpg: cannot be shown to be clean: not a photo or video traceless knows');
    const notes = join(work, 'notes.txt');
    writeFileSync(notes, 'just some text\n');
    expect(await runCli('check', notes, clean)).toMatchObject({ code: 0, stdout: '' });
  });

  it('exits 2 on a file that cannot be opened, or bad usage', async () => {
    expect((await runCli('check', join(work, 'nope.jpg'))).code).toBe(2);
    expect((await runCli('check')).code).toBe(2);
  });

  it('prints JSON lines with --json', async () => {
    const run = await runCli('check', '--json', leaky, clean);
    expect(run.lines.map((line) => JSON.parse(line))).toMatchObject([
      { file: leaky, ok: false, leaks: ['location', 'device'] },
      { file: clean, ok: true, leaks: [] },
    ]);
  });
});
