/**
 * Every MP4/MOV/3GP/M4V of the shared corpus (GoPro GPMF telemetry, iPhone keys, 3GPP loci,
 * iTunes item lists, QuickTime files without ftyp): the cleaned output verifies with our inspect
 * and with ExifTool -ee, its audio/video packets are unchanged, and a second clean changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanSync, inspectSync } from '../../src/index.js';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';
import { ffprobeErrors } from '../fixtures/mp4.js';

const entries = corpusEntries(['MP4', 'MOV', '3GP', 'M4V']);
const work = mkdtempSync(join(tmpdir(), 'traceless-corpus-video-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * One line per audio/video packet. `0:V` is video without attached pictures: cover art (an
 * `ilst` `covr` item, which ffmpeg shows as a one-frame video stream) is metadata and is removed.
 */
function packets(path: string): string[] {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:V?', '-map', '0:a?', '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return out.split('\n').filter((line) => line && !line.startsWith('#'));
}

const locationTags = (tags: Record<string, unknown>) => Object.keys(tags).filter((key) => /GPS|Location|Coordinates|Latitude|Longitude/i.test(key));

describe.skipIf(!corpusAvailable)('corpus: video', () => {
  it('has video files to judge', () => {
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expect(entries.some((entry) => entry.notable.includes('telemetry-track'))).toBe(true);
  });

  it.each(entries.map((entry) => [entry.path, entry] as const))('%s', (_, entry) => {
    const outDir = mkdtempSync(join(work, 'out-'));
    const output = join(outDir, `clean.${entry.format.toLowerCase()}`);
    const result = cleanSync(entry.absolute, output);
    if (result.status === 'refused') {
      expect(entry.malformed, `refused a well-formed file: ${result.error?.message}`).toBe(true);
      expect(readdirSync(outDir)).toEqual([]);
      return;
    }
    expect(result.error).toBeNull();
    expect(result.status).toMatch(/^(cleaned|already-clean)$/);
    expect(inspectSync(output).findings.filter((finding) => !finding.retained)).toEqual([]);
    expect(sensitiveTags(exiftoolTags(output))).toEqual([]);
    expect(readFileSync(output).length).toBe(entry.bytes);
    expect(packets(output)).toEqual(packets(entry.absolute));
    if (ffprobeErrors(entry.absolute) === '') expect(ffprobeErrors(output)).toBe('');
    const again = cleanSync(output, join(outDir, `again.${entry.format.toLowerCase()}`));
    expect(again.status).toBe('already-clean');
    if (entry.hasGps) expect(inspectSync(entry.absolute).locations.length).toBeGreaterThan(0);
    if (entry.notable.includes('telemetry-track')) {
      expect(result.removed.some((removal) => removal.kind === 'telemetry')).toBe(true);
      // The telemetry's GPS is reported as a location with its track (first fix, fixes, times).
      const tracked = inspectSync(entry.absolute).locations.find((location) => location.track);
      expect(tracked?.track?.fixes).toBeGreaterThan(1);
      expect(tracked?.track?.path.length).toBeGreaterThan(1);
    }
  });

  const placed = entries.filter((entry) => !entry.malformed && entry.hasGps);
  it.each(placed.map((entry) => [entry.path, entry] as const))('--only location: %s', (_, entry) => {
    const outDir = mkdtempSync(join(work, 'loc-'));
    const output = join(outDir, `clean.${entry.format.toLowerCase()}`);
    const result = cleanSync(entry.absolute, output, { only: 'location' });
    expect(result.status, result.error?.message).toBe('cleaned');
    expect(inspectSync(output).locations).toEqual([]);
    expect(locationTags(exiftoolTags(output))).toEqual([]);
    expect(packets(output)).toEqual(packets(entry.absolute));
    // What is not a place stays: container make, model and dates read as before (telemetry
    // tracks go whole, so what ExifTool -ee read from inside them is not compared).
    const before = exiftoolTags(entry.absolute);
    const after = exiftoolTags(output);
    for (const key of Object.keys(before).filter((name) => /^QuickTime:.*:(Make|Model|CreateDate)$|^QuickTime:CreateDate$/.test(name))) expect(after[key], key).toEqual(before[key]);
  });
});
