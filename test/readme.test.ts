/** The README's format table and commands stay in step with the code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formats } from '../src/index.js';
import { runCli } from './helpers/cli.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('lists exactly the formats the code supports, with whether each can be cleaned', () => {
    const table = readme.slice(readme.indexOf('<!-- formats:start -->'), readme.indexOf('<!-- formats:end -->'));
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| id ') && !line.startsWith('|---'))
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    expect(rows).toEqual(formats.map((format) => [format.id, format.name, format.cleanable ? 'yes' : 'no (scan only)']));
  });

  it('gives the test command that .ci/run runs', () => {
    expect(readme).toContain('npm test');
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });

  it('documents every command and clean option the CLI has', () => {
    for (const word of ['traceless scan', 'traceless clean', 'traceless check', '--only location', '--in-place', '--drop-orientation', '--drop-extra-images', '--keep-dates', '--force', '--json', '--hidden', '--follow-symlinks', '--html', 'docs/inspection.schema.json', 'docs/html-report.png']) {
      expect(readme).toContain(word);
    }
  });
});

describe('pre-commit hook definition', () => {
  it('runs traceless check and is documented in the README', () => {
    const hooks = readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8');
    expect(hooks).toMatch(/- id: traceless-check[\s\S]*entry: traceless check/);
    expect(readme).toContain('id: traceless-check');
    expect(readme).toContain('xargs -0 -r traceless check');
    for (const word of ['--exclude', '--keep-mtime', '--backup', '--dry-run', '--jobs', '--quiet']) expect(readme).toContain(word);
  });

  it('shows real output of the text report', async () => {
    const block = readme.slice(readme.indexOf('<!-- text-report:start -->'), readme.indexOf('<!-- text-report:end -->'));
    const shown = block.split('\n').filter((line) => line.startsWith('HIGH RISK') || line.startsWith('  '));
    const cut = shown.findIndex((line) => line.trim() === '…');
    expect(cut).toBeGreaterThan(10);
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const run = await runCli('scan', 'examples/IMG_0001.jpg');
      expect(run.stdout.split('\n').slice(0, cut)).toEqual(shown.slice(0, cut));
    } finally {
      process.chdir(cwd);
    }
  });
});
