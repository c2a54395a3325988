/** Every JPEG of the shared corpus: cleaned output verifies with our inspect and with ExifTool. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanSync, inspectSync } from '../../src/index.js';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';

const entries = corpusEntries(['JPEG', 'MPO']);
const work = mkdtempSync(join(tmpdir(), 'traceless-corpus-jpeg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function decode(path: string): Promise<Buffer | null> {
  try {
    return await sharp(path, { autoOrient: false, failOn: 'none' }).raw().toBuffer();
  } catch {
    return null;
  }
}

describe.skipIf(!corpusAvailable)('corpus: JPEG', () => {
  it('has JPEG files to judge', () => {
    expect(entries.length).toBeGreaterThan(50);
  });

  it.each(entries.map((entry) => [entry.path, entry] as const))('%s', async (_, entry) => {
    const outDir = mkdtempSync(join(work, 'out-'));
    const output = join(outDir, 'clean.jpg');
    const result = cleanSync(entry.absolute, output);
    if (result.status === 'refused') {
      expect(entry.malformed, `refused a well-formed file: ${result.error?.message}`).toBe(true);
      expect(readdirSync(outDir)).toEqual([]);
      return;
    }
    expect(result.status).toMatch(/^(cleaned|already-clean)$/);
    expect(inspectSync(output).findings.filter((finding) => !finding.retained)).toEqual([]);
    expect(sensitiveTags(exiftoolTags(output))).toEqual([]);
    const [before, after] = await Promise.all([decode(entry.absolute), decode(output)]);
    if (before) expect(after?.equals(before)).toBe(true);
    const again = cleanSync(output, join(outDir, 'again.jpg'));
    expect(again.status).toBe('already-clean');
    if (entry.hasGps && entry.gpsGroups.includes('EXIF:GPS')) expect(inspectSync(entry.absolute).locations.length).toBeGreaterThan(0);
  });

  const placed = entries.filter((entry) => !entry.malformed && (entry.hasGps || entry.notable.includes('location-text')));
  it.each(placed.map((entry) => [entry.path, entry] as const))('--only location: %s', (_, entry) => {
    const outDir = mkdtempSync(join(work, 'loc-'));
    const output = join(outDir, 'clean.jpg');
    const result = cleanSync(entry.absolute, output, { only: 'location' });
    expect(result.status, result.error?.message).toMatch(/^(cleaned|already-clean)$/);
    expect(inspectSync(output).locations).toEqual([]);
    const leftovers = Object.keys(exiftoolTags(output)).filter((key) => /GPS(Lat|Long|Alt|Position)|:City$|:Country|Province|Sub-?location/i.test(key));
    expect(leftovers).toEqual([]);
  });
});
