/**
 * The large-video benchmark (../shared/TARGETS.md: "a 2.5 GB MP4 (2 s clip, mdat padded with
 * zeros): peak memory ≤ 150 MB; time ≤ `exiftool -all= -o` on the same file").
 *
 * The file is an action-camera clip made by ffmpeg (GPS in `©xyz`/`loci`, device atoms, a GoPro
 * GPMF telemetry track) whose `mdat` is grown with a hole of zeros to 2.5 GB, `moov` at the end,
 * so it takes almost no disk space until it is cleaned. Each contender runs as a child process;
 * wall time and peak memory (VmHWM polled from /proc) are measured by `measure`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { best, measure, type Measurement } from './measure.js';
import { actionCameraClip, removeScratch, writePaddedClip } from '../test/fixtures/mp4.js';

export interface VideoRow {
  case: string;
  tool: string;
  result: Measurement;
  files: number;
  bytes: number;
  copy?: Measurement;
  exiftool?: Measurement;
}

/** Target size of the generated file. */
export const largeVideoBytes = Math.round(2.5 * 1024 ** 3);

/** Writes (or reuses) the sparse 2.5 GB clip in `folder` and returns its path. */
export function largeVideo(folder: string, bytes = largeVideoBytes): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'action-2.5GB.mp4');
  if (existsSync(path) && statSync(path).size === bytes) return path;
  const clip = actionCameraClip();
  try {
    writePaddedClip(clip, bytes - clip.length, path);
  } finally {
    removeScratch();
  }
  return path;
}

function checked(what: string, result: Measurement): Measurement {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}): ${result.stderr.slice(-400)}`);
  return result;
}

/**
 * Times `traceless clean` on the large clip next to `exiftool -all= -o` and `cp`, and returns
 * table rows for `bench/run.ts`. `cp --sparse=never` writes every byte, as both cleaners do (a
 * plain `cp` would copy the hole as a hole and measure nothing). ExifTool needs LargeFileSupport
 * for the 64-bit `mdat` size.
 */
export async function videoBenchmarkRows(folder: string, traceless: string[], exiftool: string, runs = 2): Promise<VideoRow[]> {
  console.error(`generating a ${(largeVideoBytes / 1024 ** 3).toFixed(1)} GB sparse MP4 in ${folder} …`);
  const input = largeVideo(folder);
  const bytes = statSync(input).size;
  const outDir = join(folder, 'out-traceless');
  const exifOut = join(folder, 'out-exiftool.mp4');
  const copyOut = join(folder, 'out-copy.mp4');
  const clearOutputs = () => {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(exifOut, { force: true });
    rmSync(copyOut, { force: true });
    // Each contender writes 2.5 GB: flush the previous one's dirty pages first, or its write-back
    // is billed to whoever runs next.
    execFileSync('sync');
  };
  try {
    const copy = await best(runs, async () => checked('cp', await measure('cp', ['--sparse=never', input, copyOut])), clearOutputs);
    const exif = await best(runs, async () => checked('exiftool', await measure(exiftool, ['-q', '-api', 'LargeFileSupport=1', '-all=', '-o', exifOut, input])), clearOutputs);
    const clean = await best(runs, async () => checked('traceless', await measure(process.execPath, [...traceless, 'clean', input, '-o', outDir, '--quiet'])), clearOutputs);
    const name = `large video clean (${(bytes / 1024 ** 3).toFixed(1)} GB MP4, moov last)`;
    return [
      { case: name, tool: 'cp --sparse=never', result: copy, files: 1, bytes },
      { case: name, tool: 'exiftool -api LargeFileSupport=1 -all= -o', result: exif, files: 1, bytes, copy },
      { case: name, tool: 'traceless clean -o', result: clean, files: 1, bytes, copy, exiftool: exif },
    ];
  } finally {
    clearOutputs();
  }
}
