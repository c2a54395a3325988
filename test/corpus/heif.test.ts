/**
 * Real HEIC/HEIF/AVIF files from the shared corpus (../shared/corpus, described by MANIFEST.tsv;
 * among them real iPhone photos from exifr's fixtures): each is inspected, cleaned to disk, judged
 * by ExifTool, decoded before and after with heif-convert, cleaned again, cleaned in location mode,
 * and cut short to check that a damaged copy is refused without output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { corpusEntries } from '../helpers/corpus.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';

const entries = corpusEntries(['HEIC', 'HEIF', 'AVIF']);
const canDecode = existsSync('/usr/bin/heif-convert') && existsSync('/usr/bin/convert');
if (entries.length === 0) console.warn('HEIF corpus suite SKIPPED: no HEIC/HEIF/AVIF files in the corpus');

describe.skipIf(entries.length === 0)('corpus: HEIC, HEIF, AVIF', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'traceless-corpus-heif-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** SHA-free comparison material: RGBA pixels of every image heif-convert writes, or null when it cannot decode the file. */
  function decoded(path: string): Buffer[] | null {
    const dir = mkdtempSync(join(work, 'decoded-'));
    try {
      execFileSync('heif-convert', [path, join(dir, 'out.png')], { stdio: 'ignore', timeout: 120_000 });
    } catch {
      return null;
    }
    return readdirSync(dir).sort().map((name) => execFileSync('/usr/bin/convert', [join(dir, name), '-depth', '8', 'rgba:-'], { maxBuffer: 512 * 1024 * 1024 }));
  }

  for (const entry of entries) {
    describe(entry.path, () => {
      it(entry.malformed ? 'is refused with no output' : 'cleans to a file ExifTool finds clean, with identical pixels, stable on a second clean', () => {
        const outDir = mkdtempSync(join(work, 'out-'));
        const output = join(outDir, 'clean.heic');
        const result = cleanSync(entry.absolute, output);
        if (entry.malformed) {
          expect(result.status).toBe('refused');
          expect(readdirSync(outDir)).toEqual([]);
          return;
        }
        expect(result.error).toBeNull();
        expect(['cleaned', 'already-clean']).toContain(result.status);
        expect(result.verification?.ok).toBe(true);
        const cleaned = readFileSync(output);
        expect(inspectSync(cleaned).findings.filter((finding) => !finding.retained)).toEqual([]);
        expect(sensitiveTags(exiftoolTags(output))).toEqual([]);
        const again = cleanBuffer(cleaned);
        expect(again.result.status).toBe('already-clean');
        expect(again.data!.equals(cleaned)).toBe(true);
        if (canDecode) {
          const before = decoded(entry.absolute);
          if (before === null) {
            console.warn(`${entry.path}: heif-convert cannot decode the original; pixels not compared`);
          } else {
            const after = decoded(output);
            expect(after).not.toBeNull();
            expect(after!.length).toBe(before.length);
            after!.forEach((pixels, index) => expect(pixels.equals(before[index]!)).toBe(true));
          }
        }
      });

      it.skipIf(entry.malformed)('reports what the manifest says is there', () => {
        const report = inspectSync(entry.absolute);
        expect(report.format.id).toBe('heif');
        if (entry.hasGps) {
          expect(report.locations.length).toBeGreaterThan(0);
          const location = report.locations[0]!;
          expect(Math.abs(location.latitude)).toBeGreaterThan(0);
          expect(Math.abs(location.longitude)).toBeGreaterThan(0);
        }
        if (entry.makeModel) {
          const [make] = entry.makeModel.split(' ');
          expect(report.findings.some((finding) => finding.tag === 'Make' && String(finding.value).includes(make!))).toBe(true);
        }
        if (/makernotes\(Apple\)/.test(entry.notable)) {
          expect(report.findings.some((finding) => finding.where.endsWith('/MakerNote') && finding.tag === 'RunTime')).toBe(true);
        }
      });

      it.skipIf(entry.malformed)('in location mode removes every location and keeps the camera', () => {
        const { result, data } = cleanBuffer(readFileSync(entry.absolute), { only: 'location' });
        expect(result.error).toBeNull();
        const report = inspectSync(data!);
        expect(report.locations).toEqual([]);
        expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
        if (entry.makeModel) expect(report.findings.some((finding) => finding.tag === 'Model')).toBe(true);
        expect(cleanBuffer(data!, { only: 'location' }).result.status).toBe('already-clean');
      });

      it('refuses a copy cut short, writing nothing', () => {
        const input = readFileSync(entry.absolute);
        for (const cut of [Math.floor(input.length / 2), input.length - 1]) {
          const { result, data } = cleanBuffer(input.subarray(0, cut));
          expect(result.status).toBe('refused');
          expect(data).toBeNull();
        }
      });
    });
  }
});
