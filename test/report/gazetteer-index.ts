/** The gazetteer and country indexes are built by `npm run build`; a bare `vitest run` builds them first when missing. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export function ensureGazetteerIndex(): void {
  if (!existsSync(join(root, 'dist', 'gazetteer', 'places.bin')) || !existsSync(join(root, 'dist', 'gazetteer', 'countries.bin'))) execFileSync(process.execPath, [join(root, 'scripts', 'build-gazetteer.mjs')], { stdio: 'ignore' });
}
