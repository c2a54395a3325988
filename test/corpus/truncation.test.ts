/**
 * Truncation suite (issue 11): real files with a location, each cut at ten points. Every cut that
 * falls after the blocks the location is read from still reports that location (best-effort
 * inspection), and `check` exits 1 for every cut (a file cut short cannot be shown to be clean).
 * The location's blocks are taken from the whole file's own inspection (`blocks` offsets): all the
 * blocks of the container part the location sits in (`APP1`, `TIFF`, `moov`, `meta`, `eXIf`), since
 * reading one may need the others (a GPS IFD is found through IFD0).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/inspect.js';
import type { GeoLocation, Inspection } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { corpusEntries, type CorpusEntry } from '../helpers/corpus.js';

/** At most this many files (run time): every non-JPEG format first, then the largest JPEGs. */
const maxFiles = 25;
const cutsPerFile = 10;
/** Files larger than this are left out (each cut is written to disk for `check`). */
const maxFileBytes = 8 * 1024 * 1024;

function pickFiles(): CorpusEntry[] {
  const withGps = corpusEntries(['JPEG', 'PNG', 'TIFF', 'HEIC', 'HEIF', 'MOV', 'MP4', 'Extended WEBP', 'GIF', 'DNG', 'CR3', 'AVIF'])
    .filter((entry) => entry.hasGps && !entry.malformed && entry.bytes <= maxFileBytes);
  const others = withGps.filter((entry) => entry.format !== 'JPEG');
  const jpegs = withGps.filter((entry) => entry.format === 'JPEG').sort((a, b) => b.bytes - a.bytes);
  return [...others, ...jpegs].slice(0, maxFiles);
}

/** The first path segment of a report path (`APP1/Exif/GPS` → `APP1`). */
const container = (where: string) => where.split('/')[0]!;

/** Where the blocks the location is read from end: the last byte of its container part's blocks. */
function locationBlockEnd(inspection: Inspection, location: GeoLocation): number | undefined {
  const part = container(location.where);
  const blocks = inspection.blocks.filter((block) => container(block.where) === part && block.kind !== 'trailer');
  if (blocks.length === 0) return undefined;
  return Math.max(...blocks.map((block) => block.offset + block.length));
}

const near = (a: GeoLocation, b: GeoLocation) => Math.abs(a.latitude - b.latitude) < 1e-6 && Math.abs(a.longitude - b.longitude) < 1e-6;

const files = pickFiles();
const scratch = mkdtempSync(join(tmpdir(), 'traceless-truncation-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(files.length === 0)('truncation suite: corpus files with a location, cut at ten points', () => {
  it('has files of several formats to cut', () => {
    expect(new Set(files.map((entry) => entry.format)).size).toBeGreaterThan(3);
  });

  it.each(files.map((entry) => [entry.path, entry] as const))('%s', async (_path, entry) => {
    const data = readFileSync(entry.absolute);
    const whole = inspectSync(data, entry.path);
    expect(whole.unreadable, 'the whole file reads in full').toEqual([]);
    const location = whole.locations[0];
    expect(location, 'the whole file reports a location').toBeDefined();
    const blockEnd = locationBlockEnd(whole, location!) ?? data.length;
    for (let index = 1; index <= cutsPerFile; index++) {
      const cutAt = Math.floor((data.length * index) / (cutsPerFile + 1));
      const cut = data.subarray(0, cutAt);
      const inspection = inspectSync(cut, entry.path);
      if (cutAt >= blockEnd) {
        expect(inspection.locations.some((found) => near(found, location!)), `cut at ${cutAt} of ${data.length} (location blocks end at ${blockEnd}): ${inspection.unreadable.join('; ')}`).toBe(true);
      }
      const path = join(scratch, `cut-${index}-${entry.path.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
      writeFileSync(path, cut);
      const check = await runCli('check', path);
      rmSync(path);
      expect(check.code, `check of the cut at ${cutAt}: ${check.stdout} ${check.stderr}`).toBe(1);
    }
  });
});
