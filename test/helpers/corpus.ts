/**
 * The shared corpus of real photos and videos (../shared/corpus, beside the project). Suites over it
 * run when it exists and say clearly that they skipped when it does not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const corpusRoot = resolve(process.env.TRACELESS_CORPUS ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus'));
export const corpusAvailable = existsSync(join(corpusRoot, 'MANIFEST.tsv'));

export interface CorpusEntry {
  path: string;
  absolute: string;
  format: string;
  bytes: number;
  hasGps: boolean;
  gpsGroups: string;
  makeModel: string;
  notable: string;
  /** Marked malformed/unparsable/truncated in the manifest: refusing it is right. */
  malformed: boolean;
}

export function corpusEntries(formats: readonly string[]): CorpusEntry[] {
  if (!corpusAvailable) {
    console.warn(`corpus suite SKIPPED: no corpus at ${corpusRoot}`);
    return [];
  }
  const [header, ...rows] = readFileSync(join(corpusRoot, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean);
  const columns = header!.split('\t');
  const index = (name: string) => columns.indexOf(name);
  return rows
    .map((row) => row.split('\t'))
    .filter((cells) => formats.includes(cells[index('format')]!))
    .map((cells) => {
      const notable = cells[index('notable')] ?? '';
      return {
        path: cells[index('path')]!,
        absolute: join(corpusRoot, cells[index('path')]!),
        format: cells[index('format')]!,
        bytes: Number(cells[index('bytes')]),
        hasGps: cells[index('has_gps')] === 'yes',
        gpsGroups: cells[index('gps_groups')] ?? '',
        makeModel: cells[index('make_model')] ?? '',
        notable,
        malformed: /malformed|unparsable|truncated|crash/i.test(notable),
      };
    })
    .filter((entry) => existsSync(entry.absolute));
}
