/**
 * Real PNG, WebP and GIF files from the shared corpus (../shared/corpus, described by its
 * MANIFEST.tsv): each is cleaned to disk, judged by ExifTool, decoded before and after, cleaned
 * again, and cut short to check that a damaged copy is refused without output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { exiftoolAvailable, exiftoolTags, leakingTags } from '../fixtures/png.js';

const corpus = resolve(process.cwd(), '../shared/corpus');
const formats = new Set(['PNG', 'GIF', 'WEBP', 'Extended WEBP']);

interface Row {
  path: string;
  format: string;
  notable: string;
}

function rows(): Row[] {
  const manifest = join(corpus, 'MANIFEST.tsv');
  if (!existsSync(manifest)) return [];
  const [header, ...lines] = readFileSync(manifest, 'utf8').split('\n').filter(Boolean);
  const columns = header!.split('\t');
  return lines
    .map((line) => Object.fromEntries(line.split('\t').map((value, index) => [columns[index], value])) as unknown as Row)
    .filter((row) => formats.has(row.format) && existsSync(join(corpus, row.path)));
}

const files = rows();
if (files.length === 0) console.warn(`corpus tests skipped: no PNG/WebP/GIF files under ${corpus}`);

/** Decoded pixels of every frame: sharp first, ImageMagick when sharp cannot read the file. */
async function pixels(file: Buffer): Promise<Buffer> {
  try {
    return await sharp(file, { animated: true }).raw().toBuffer();
  } catch {
    return execFileSync('/usr/bin/convert', ['-', '-coalesce', '-depth', '8', 'rgba:-'], { input: file, maxBuffer: 256 * 1024 * 1024 });
  }
}

describe.skipIf(files.length === 0)('corpus: PNG, WebP, GIF', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'traceless-corpus-image-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const row of files) {
    const malformed = /malformed|unparsable|truncated|crash/i.test(row.notable);
    describe(row.path, () => {
      const input = join(corpus, row.path);

      it(malformed ? 'is refused with no output' : 'cleans to a file ExifTool finds clean, with identical pixels', async () => {
        const outDir = mkdtempSync(join(work, 'out-'));
        const output = join(outDir, 'clean');
        const result = cleanSync(input, output);
        if (malformed) {
          expect(result.status).toBe('refused');
          expect(readdirSync(outDir)).toEqual([]);
          return;
        }
        expect(result.error).toBeNull();
        expect(['cleaned', 'already-clean']).toContain(result.status);
        expect(result.verification?.ok).toBe(true);
        const cleaned = readFileSync(output);
        const report = inspectSync(cleaned);
        expect(report.findings.filter((finding) => !finding.retained)).toEqual([]);
        if (exiftoolAvailable) expect(leakingTags(exiftoolTags(cleaned))).toEqual([]);
        const original = readFileSync(input);
        expect((await pixels(cleaned)).equals(await pixels(original))).toBe(true);
        const again = cleanBuffer(cleaned);
        expect(again.result.status).toBe('already-clean');
        expect(again.data!.equals(cleaned)).toBe(true);
      });

      it.skipIf(malformed)('cleans location only, keeping the rest, idempotently', () => {
        const original = readFileSync(input);
        const { result, data } = cleanBuffer(original, { only: 'location' });
        expect(result.error).toBeNull();
        const report = inspectSync(data!);
        expect(report.locations).toEqual([]);
        expect(report.findings.filter((finding) => finding.category === 'location')).toEqual([]);
        if (exiftoolAvailable) expect(leakingTags(exiftoolTags(data!), 'location')).toEqual([]);
        // Device, owner and time stay. Thumbnails, comments and other free text go too since the
        // keep-list issue: location mode is an allow-list, and free text or a picture can show a place.
        const keptCategories = new Set(['device', 'owner', 'time']);
        // (A colour profile's own device and date fields are re-written in both modes: not counted.)
        const kinds = (findings: { category: string; tag: string }[]) => new Set(findings.filter((finding) => !finding.tag.startsWith('ICC')).map((finding) => finding.category).filter((category) => keptCategories.has(category)));
        expect([...kinds(report.findings)].sort()).toEqual([...kinds(inspectSync(original).findings)].sort());
        const again = cleanBuffer(data!, { only: 'location' });
        expect(again.result.status).toBe('already-clean');
        expect(again.data!.equals(data!)).toBe(true);
      });

      it('refuses a copy cut short, and writes nothing', () => {
        const original = readFileSync(input);
        for (const fraction of [0.3, 0.7, 0.995]) {
          const cut = join(work, `cut-${fraction}-${row.path.replace(/\W+/g, '-')}`);
          writeFileSync(cut, original.subarray(0, Math.floor(original.length * fraction)));
          const outDir = mkdtempSync(join(work, 'out-'));
          const result = cleanSync(cut, join(outDir, 'clean'));
          expect(result.status, `${fraction}`).toBe('refused');
          expect(readdirSync(outDir)).toEqual([]);
        }
      });
    });
  }
});
