/**
 * `npm run bench`: generates the data sets, then times traceless against a plain copy and against
 * ExifTool doing the same job, in one run on one machine, and prints one table (markdown).
 * Targets (../shared/TARGETS.md): folder clean ≤ 1.5× `cp -r` and ≥ 5× faster than ExifTool;
 * folder scan ≥ 5× faster than `exiftool -j -r`; one-photo scan no slower than one `exiftool`;
 * peak memory ≤ 150 MB cleaning a multi-gigabyte video.
 *   node dist/bench/run.js [--photos N] [--skip-video] [--data DIR] [--append-results]
 */
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { best, measure } from './measure.js';
import type { VideoRow } from './video.js';
import { phonePhotoFolder } from './photos.js';
import { runThroughput } from './throughput.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = argv.indexOf(name);
  return index >= 0 && argv[index + 1] ? argv[index + 1]! : fallback;
};
const root = resolve(import.meta.dirname, '..', '..');
const dataDir = resolve(option('--data', join(root, 'bench', 'data')));
const photoCount = Number(option('--photos', '200'));
const runs = Number(option('--runs', '3'));
const traceless = [join(root, 'bin', 'traceless.js')];
const exiftool = existsSync('/usr/bin/exiftool') ? '/usr/bin/exiftool' : 'exiftool';

/** One table row (the video benchmark returns the same shape). */
type Row = VideoRow;

const rows: Row[] = [];
const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function folderBytes(paths: string[]): number {
  return paths.reduce((total, path) => total + statSync(path).size, 0);
}

async function photoBenchmarks(): Promise<void> {
  const input = join(dataDir, 'photos');
  console.error(`generating ${photoCount} phone photos in ${input} …`);
  const paths = await phonePhotoFolder(input, photoCount);
  const bytes = folderBytes(paths);
  const out = (name: string) => join(dataDir, `out-${name}`);
  const fresh = (name: string) => () => rmSync(out(name), { recursive: true, force: true });
  // Warm the page cache so every contender reads from memory.
  await measure('cat', paths.slice(0, 1));
  await measure('cp', ['-r', input, out('warm')]);
  fresh('warm')();
  const copy = await best(runs, () => measure('cp', ['-r', input, out('copy')]), fresh('copy'));
  const clean = await best(runs, () => measure(process.execPath, [...traceless, 'clean', input, '-o', out('traceless'), '--quiet']), fresh('traceless'));
  const exifClean = await best(Math.min(runs, 2), () => measure(exiftool, ['-q', '-all=', '-tagsfromfile', '@', '-icc_profile', '-orientation', '-o', `${out('exiftool')}/`, input]), fresh('exiftool'));
  rows.push({ case: `folder clean (${paths.length} photos)`, tool: 'cp -r', result: copy, files: paths.length, bytes });
  rows.push({ case: `folder clean (${paths.length} photos)`, tool: 'exiftool -all= -tagsfromfile @ -icc_profile -orientation', result: exifClean, files: paths.length, bytes, copy });
  rows.push({ case: `folder clean (${paths.length} photos)`, tool: 'traceless clean -o', result: clean, files: paths.length, bytes, copy, exiftool: exifClean });
  const scan = await best(runs, () => measure(process.execPath, [...traceless, 'scan', input, '--json', '--quiet']));
  const exifScan = await best(Math.min(runs, 2), () => measure(exiftool, ['-j', '-r', input]));
  rows.push({ case: `folder scan (${paths.length} photos)`, tool: 'exiftool -j -r', result: exifScan, files: paths.length, bytes });
  rows.push({ case: `folder scan (${paths.length} photos)`, tool: 'traceless scan --json', result: scan, files: paths.length, bytes, exiftool: exifScan });
  const one = paths[0]!;
  const oneScan = await best(5, () => measure(process.execPath, [...traceless, 'scan', one]));
  const oneExif = await best(5, () => measure(exiftool, [one]));
  rows.push({ case: 'one-photo scan', tool: 'exiftool FILE', result: oneExif, files: 1, bytes: statSync(one).size });
  rows.push({ case: 'one-photo scan', tool: 'traceless scan FILE', result: oneScan, files: 1, bytes: statSync(one).size, exiftool: oneExif });
  for (const name of ['copy', 'traceless', 'exiftool']) fresh(name)();
}

async function videoBenchmarks(): Promise<void> {
  let video: typeof import('./video.js');
  try {
    video = await import('./video.js');
  } catch (error) {
    console.error(`video benchmark unavailable: ${(error as Error).message}`);
    return;
  }
  for (const row of await video.videoBenchmarkRows(join(dataDir, 'video'), traceless, exiftool)) rows.push(row);
}

function table(): string {
  const lines = [
    '| case | tool | time (s) | files/s | MB/s | × copy | vs ExifTool | peak MB |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const seconds = row.result.seconds;
    lines.push(
      `| ${row.case} | ${row.tool} | ${fmt(seconds, 3)} | ${fmt(row.files / seconds, 1)} | ${fmt(row.bytes / 1024 / 1024 / seconds, 0)} | ${row.copy ? fmt(seconds / row.copy.seconds) : ''} | ${row.exiftool ? `${fmt(row.exiftool.seconds / seconds, 1)}× faster` : ''} | ${row.result.peakMegabytes ? fmt(row.result.peakMegabytes, 0) : '–'} |`,
    );
  }
  return lines.join('\n');
}

mkdirSync(dataDir, { recursive: true });
await photoBenchmarks();
if (!argv.includes('--skip-video')) await videoBenchmarks();
if (!argv.includes('--skip-throughput')) rows.push(...(await runThroughput(await phonePhotoFolder(join(dataDir, 'photos'), photoCount), { outDir: join(dataDir, 'out-throughput'), runs })));
const header = `### ${new Date().toISOString().slice(0, 10)} — ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 1024 ** 3)} GB, Node ${process.version}, best of ${runs}`;
const output = `${header}\n\n${table()}\n`;
console.log(output);
if (argv.includes('--append-results')) appendFileSync(join(root, 'bench', 'RESULTS.md'), `\n${output}`);
