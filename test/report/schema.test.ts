/** docs/inspection.schema.json describes what `scan --json` really prints: every line of a mixed folder validates. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dirtyGif } from '../fixtures/gif.js';
import { basePixelsJpeg, exifSegment, insertSegments, phoneJpeg } from '../fixtures/jpeg.js';
import { addToMovie, ffmpegClip, gpmfGpsSample, removeScratch, xyzAtom } from '../fixtures/mp4.js';
import { dirtyPng } from '../fixtures/png.js';
import { buildFullTiff } from '../fixtures/tiff.js';
import { dirtyWebp } from '../fixtures/webp.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'inspection.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

let work: string;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'traceless-schema-'));
  const folder = join(work, 'mixed');
  mkdirSync(folder);
  writeFileSync(join(folder, 'phone.jpg'), await phoneJpeg({ trailerImage: true }));
  writeFileSync(join(folder, 'zero.jpg'), insertSegments(await basePixelsJpeg(), [exifSegment({ gps: { latitude: 0, longitude: 0 } })]));
  writeFileSync(join(folder, 'bare.jpg'), await basePixelsJpeg());
  writeFileSync(join(folder, 'dirty.png'), await dirtyPng());
  writeFileSync(join(folder, 'dirty.webp'), await dirtyWebp());
  writeFileSync(join(folder, 'dirty.gif'), await dirtyGif());
  writeFileSync(join(folder, 'full.tif'), buildFullTiff());
  writeFileSync(join(folder, 'clip.mp4'), addToMovie(ffmpegClip({ metadata: { creation_time: '2024-05-01T10:11:12Z' } }), { userData: [xyzAtom('+48.8584+002.2945/')] }));
  // A GoPro-style GPS track: its location carries `track` (and its finding a `meaning`).
  const gps = [gpmfGpsSample([{ latitude: 47.1, longitude: 8.5, altitude: 400 }, { latitude: 47.2, longitude: 8.6, altitude: 410 }])];
  writeFileSync(join(folder, 'track.mp4'), addToMovie(ffmpegClip(), { tracks: [{ trackId: 9, handler: 'meta', format: 'gpmd', samples: gps }] }));
  writeFileSync(join(folder, 'notes.jpg'), 'not a picture at all');
  // A damaged file is reported as far as it can be read; only a file that cannot be opened gives an
  // error line: here a named pipe (refused at once as not a regular file, never waited on).
  const pipe = join(work, 'pipe.jpg');
  execFileSync('mkfifo', [pipe]);
  const run = await runCli('scan', '--json', '--jobs', '2', folder, pipe);
  expect(run.code).toBe(2); // the pipe
  lines = run.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeScratch();
});

describe('docs/inspection.schema.json', () => {
  it('is a valid JSON Schema 2020-12 document', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  it('validates every line of a real scan: inspections, an error line and the summary', () => {
    for (const line of lines) {
      const ok = validate(line);
      expect(ok ? [] : validate.errors!.map((error) => `${String(line.file ?? 'summary')}: ${error.instancePath} ${error.message}`)).toEqual([]);
    }
    const inspections = lines.filter((line) => 'risk' in line);
    expect(inspections).toHaveLength(10);
    const tracked = inspections.flatMap((line) => (line.locations as { track?: { fixes: number } }[]).filter((location) => location.track));
    expect(tracked.map((location) => location.track!.fixes)).toEqual([2]);
    expect(lines.filter((line) => 'error' in line)).toHaveLength(1);
    expect('summary' in lines.at(-1)!).toBe(true);
    // The same place names and risk levels as the text report.
    const phone = inspections.find((line) => String(line.file).endsWith('phone.jpg')) as { risk: { level: string }; locations: { placeName: string }[] };
    expect(phone.risk.level).toBe('high');
    expect(phone.locations.map((location) => location.placeName)).toEqual([
      'near San Francisco, California, United States of America (~1 km)',
      'near City of Westminster, England, United Kingdom (~1 km)', // the coordinates written in the maker note
      'near Sydney, New South Wales, Australia (~1 km)',
      'near Paris, Île-de-France, France (~4 km)',
      'near City of Westminster, England, United Kingdom (~1 km)',
    ]);
    // The town, its distance and its state as fields of their own.
    expect(phone.locations[0]).toMatchObject({ countryCode: 'US', town: 'San Francisco', admin1: 'California' });
    expect((phone.locations[0] as { townDistanceKm?: number }).townDistanceKm).toBeLessThan(1);
    const levels = Object.fromEntries(inspections.map((line) => [String(line.file).split('/').pop(), (line.risk as { level: string }).level]));
    expect(levels).toMatchObject({ 'zero.jpg': 'low', 'bare.jpg': 'none', 'notes.jpg': 'unknown', 'clip.mp4': 'high', 'full.tif': 'high' });
    const summary = (lines.at(-1) as { summary: { risk: Record<string, number>; places: { placeName: string }[] } }).summary;
    // Every file given is counted: the ten inspections and the one that could not be opened (at risk `unknown`).
    expect(Object.values(summary.risk).reduce((a, b) => a + b, 0)).toBe(11);
    expect(summary.places.map((place) => place.placeName)).toContain('0,0: likely a placeholder (no GPS fix), not a real place');
  });

  it('is strict: a line without risk, or with a field it does not document, fails', () => {
    const inspection = structuredClone(lines.find((line) => 'risk' in line)!);
    delete inspection.risk;
    expect(validate(inspection)).toBe(false);
    expect(validate({ ...lines.find((line) => 'risk' in line)!, surprise: 1 })).toBe(false);
    const location = structuredClone(lines.find((line) => Array.isArray(line.locations) && (line.locations as unknown[]).length)!) as { locations: Record<string, unknown>[] };
    delete location.locations[0]!.placeName;
    expect(validate(location)).toBe(false);
    const far = structuredClone(lines.find((line) => Array.isArray(line.locations) && (line.locations as unknown[]).length)!) as { locations: Record<string, unknown>[] };
    far.locations[0]!.townDistanceKm = 300;
    expect(validate(far)).toBe(false);
  });
});
