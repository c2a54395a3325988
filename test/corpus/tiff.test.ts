/**
 * Real TIFF, BigTIFF and DNG files from the shared corpus (../shared/corpus, MANIFEST.tsv): each
 * is cleaned to disk, judged by ExifTool, checked for leftover bytes of what ExifTool saw in the
 * input, decoded before and after (ImageMagick for TIFF; the strip and tile bytes for DNG, which
 * ImageMagick cannot develop here), cleaned again, cleaned in location mode, and cut short.
 * Camera RAW files (CR2, NEF, RW2, IIQ, and the scan-only CR3, RAF, MRW, X3F) are scanned (every
 * Make/Model ExifTool reads must be found too) and refused by clean.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, cleanSync, inspectSync } from '../../src/index.js';
import { findEntry, parseTiff, readNumbers, type TiffStructure } from '../../src/decode/tiff.js';
import { corpusEntries } from '../helpers/corpus.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';

const images = corpusEntries(['TIFF', 'DNG', 'BTF']);
const raws = corpusEntries(['CR2', 'NEF', 'RW2', 'IIQ', 'ORF', 'ARW', 'PEF', 'SRW', 'ERF', 'CR3', 'RAF', 'MRW', 'X3F']);
if (images.length + raws.length === 0) console.warn('TIFF corpus suite SKIPPED: no TIFF/DNG/RAW files in the corpus');

/** ExifTool names the JPEG strips of a kept preview (JPEG-compressed TIFF) `PreviewImage`: kept on purpose (DNG previews are removed). */
const keptPreview = /PreviewImage(Start|Length)?$/;

function pixels(path: string): Buffer | null {
  try {
    return execFileSync('/usr/bin/convert', [`tiff:${path}[0]`, '-depth', '8', 'rgba:-'], { maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/**
 * Every strip and tile of every image IFD, in order: the data a raw converter develops. A clean
 * removes DNG previews (reduced-resolution images, NewSubfileType bit 0), so for a DNG only the
 * full-resolution images are compared.
 */
function imageBytes(data: Buffer, dng: boolean): Buffer[] {
  const structure: TiffStructure = parseTiff(data);
  const parts: Buffer[] = [];
  const isPreview = (ifd: TiffStructure['ifds'][number]) => {
    const subfileType = findEntry(ifd, 0x00fe);
    return dng && subfileType !== undefined && ((readNumbers(structure, subfileType, 1)[0] ?? 0) & 1) === 1;
  };
  for (const ifd of structure.ifds.filter((candidate) => /(^|\/)(IFD|SubIFD)\d+$/.test(candidate.name) && !isPreview(candidate))) {
    for (const [offsetsTag, countsTag] of [[0x0111, 0x0117], [0x0144, 0x0145]] as const) {
      const offsets = findEntry(ifd, offsetsTag);
      const counts = findEntry(ifd, countsTag);
      if (!offsets || !counts) continue;
      const starts = readNumbers(structure, offsets, 1_000_000);
      const lengths = readNumbers(structure, counts, 1_000_000);
      starts.forEach((start, index) => parts.push(data.subarray(start, start + lengths[index]!)));
    }
  }
  return parts;
}

/** Text values ExifTool read from the input that are sensitive and long enough to be evidence. */
function sensitiveStrings(tags: Record<string, unknown>): string[] {
  return sensitiveTags(tags)
    .map((key) => tags[key])
    .filter((value): value is string => typeof value === 'string' && value.trim().length >= 8 && !value.startsWith('(Binary') && /[\d\s\W]/.test(value.trim()))
    .map((value) => value.trim());
}

describe.skipIf(images.length === 0)('corpus: TIFF, BigTIFF, DNG', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'traceless-corpus-tiff-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const entry of images) {
    describe(entry.path, () => {
      it(entry.malformed ? 'is refused with no output' : 'cleans in place to a file ExifTool finds clean, with identical image data, stable on a second clean', () => {
        const outDir = mkdtempSync(join(work, 'out-'));
        const output = join(outDir, 'clean.tif');
        const result = cleanSync(entry.absolute, output);
        if (entry.malformed) {
          expect(result.status).toBe('refused');
          expect(readdirSync(outDir)).toEqual([]);
          return;
        }
        expect(result.error).toBeNull();
        expect(result.verification?.ok).toBe(true);
        const input = readFileSync(entry.absolute);
        const cleaned = readFileSync(output);
        expect(cleaned.length).toBe(input.length);
        expect(inspectSync(cleaned).findings.filter((finding) => !finding.retained)).toEqual([]);
        const tags = exiftoolTags(output);
        expect(sensitiveTags(tags).filter((key) => !keptPreview.test(key))).toEqual([]);
        // Values the output legitimately keeps (an ICC profile's name quoted in the removed XMP) are no residue.
        const keptText = Object.entries(tags).filter(([key]) => /^(ICC|File|System)/.test(key)).map(([, value]) => String(value)).join(' ');
        for (const text of sensitiveStrings(exiftoolTags(entry.absolute)).filter((value) => !keptText.includes(value))) {
          expect(cleaned.includes(Buffer.from(text, 'utf8')), `residue of ${text}`).toBe(false);
        }
        expect(imageBytes(cleaned, entry.format === 'DNG')).toEqual(imageBytes(input, entry.format === 'DNG'));
        if (entry.format !== 'DNG') {
          const before = pixels(entry.absolute);
          if (before) expect(pixels(output)?.equals(before)).toBe(true);
        }
        const again = cleanBuffer(cleaned);
        expect(again.result.status).toBe('already-clean');
        expect(again.data!.equals(cleaned)).toBe(true);
      });

      if (!entry.malformed) {
        it('cleans location only, keeping the rest', () => {
          const { result, data } = cleanBuffer(readFileSync(entry.absolute), { only: 'location' });
          expect(result.error).toBeNull();
          const cleaned = data!;
          expect(inspectSync(cleaned).findings.filter((finding) => finding.category === 'location')).toEqual([]);
          const path = join(work, `location-${entry.path.replace(/\W+/g, '_')}`);
          writeFileSync(path, cleaned);
          expect(Object.keys(exiftoolTags(path)).filter((key) => /GPS(Latitude|Longitude|Position)|:City$|GeoTiff/.test(key))).toEqual([]);
          expect(imageBytes(cleaned, entry.format === 'DNG')).toEqual(imageBytes(readFileSync(entry.absolute), entry.format === 'DNG'));
          expect(cleanBuffer(cleaned, { only: 'location' }).result.status).toBe('already-clean');
        });

        it('refuses a copy cut short, writing nothing', () => {
          const input = readFileSync(entry.absolute);
          const cut = join(work, `cut-${entry.path.replace(/\W+/g, '_')}`);
          writeFileSync(cut, input.subarray(0, Math.floor(input.length / 2)));
          const output = join(work, `cut-out-${entry.path.replace(/\W+/g, '_')}`);
          const result = cleanSync(cut, output);
          expect(result.status).toBe('refused');
          expect(existsSync(output)).toBe(false);
        });
      }
    });
  }
});

describe.skipIf(raws.length === 0)('corpus: TIFF-based camera RAW (scan only)', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'traceless-corpus-raw-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const entry of raws) {
    it(`${entry.path}: scanned with ExifTool's Make and Model, refused by clean`, () => {
      const inspection = inspectSync(entry.absolute);
      expect(['tiff', 'raw-tiff', 'cr3', 'raf', 'mrw', 'x3f']).toContain(inspection.format.id);
      // NEF and friends start like any TIFF: the TIFF handler reads them and its plan refuses them.
      if (inspection.format.id !== 'tiff') expect(inspection.format.cleanable).toBe(false);
      const tags = exiftoolTags(entry.absolute);
      for (const tag of ['Make', 'Model']) {
        const expected = new Set(Object.entries(tags).filter(([key]) => key.endsWith(`:${tag}`) && !key.startsWith('XMP')).map(([, value]) => String(value).trim()));
        const found = new Set(inspection.findings.filter((finding) => finding.tag === tag).map((finding) => String(finding.value).trim()));
        expect(expected.size, `ExifTool reads a ${tag}`).toBeGreaterThan(0);
        for (const value of expected) expect(found, `${tag} ${value}`).toContain(value);
      }
      const output = join(work, `raw-${entry.path.replace(/\W+/g, '_')}`);
      const result = cleanSync(entry.absolute, output);
      expect(result.status).toBe('refused');
      expect(result.error?.code).toBe('UNSUPPORTED_FORMAT');
      expect(existsSync(output)).toBe(false);
    });
  }
});
