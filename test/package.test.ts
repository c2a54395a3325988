/**
 * The package as published starts as fast as the checkout: the bundles, their code caches' loader
 * and the place and country indexes are in the tarball (`npm pack` leaves out what `files` omits).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const needed = ['bin/traceless.js', 'bin/load-cached.js', 'dist/bundle/cli.cjs', 'dist/bundle/cli-late.cjs', 'dist/bundle/worker.cjs', 'dist/bundle/worker-main.cjs', 'dist/bundle/worker-main-late.cjs', 'dist/gazetteer/places.bin', 'dist/gazetteer/countries.bin'];

describe('npm package contents', () => {
  it('`files` covers the bundles, the loader and the indexes', () => {
    const files = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
    for (const path of needed) expect(files.some((entry) => path === entry || path.startsWith(`${entry}/`)), path).toBe(true);
  });

  it('`npm pack --dry-run` lists them (after a build)', (context) => {
    if (!existsSync(join(root, 'dist', 'bundle', 'cli.cjs'))) {
      console.warn('package test: dist/ is not built (npm run build); the tarball listing is not checked');
      context.skip();
    }
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const listed = new Set((JSON.parse(output) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path));
    for (const path of needed) expect(listed.has(path), path).toBe(true);
  }, 60_000);
});
