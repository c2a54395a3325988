// Writes the V8 code caches of the bundles (dist/bundle/*.cache, see bin/load-cached.js) at build
// time: the CLI's after real scans of the bundled example — the text report and the JSON one, so
// the cache holds the functions a one-photo scan compiles — and the worker's after loading it,
// under the V8 flags of the folder runs that start workers (`*.tuned.cache`). Run by
// `npm run build` after scripts/bundle.mjs.
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCached } from '../bin/load-cached.js';

const bundle = (name) => fileURLToPath(new URL(`../dist/bundle/${name}`, import.meta.url));
for (const name of readdirSync(fileURLToPath(new URL('../dist/bundle/', import.meta.url)))) if (name.endsWith('.cache')) rmSync(bundle(name), { force: true });
const example = fileURLToPath(new URL('../examples/IMG_0001.jpg', import.meta.url));
const cli = loadCached(bundle('cli.cjs'));
const silent = { out() {}, err() {} };
for (const extra of [[], ['--json']]) {
  const code = await cli.exports.main(['node', 'traceless', 'scan', example, ...extra], silent);
  if (code !== 0 && code !== 1) console.warn(`warm-cache: the example scan ${extra.join(' ')} exited with ${code}`);
}
cli.saveCache();
// The late bundles (formats other than JPEG and TIFF, the HTML report: see scripts/bundle.mjs) get theirs as they load.
cli.exports.__loadLateModules();
// Worker threads run only in the CLI's folder runs, which tune V8 first (src/batch/jit-tuning.ts):
// their caches are made under the same flags (and named for them), or V8 would reject them.
const { tuneJitForBatch } = await import('../dist/src/batch/jit-tuning.js');
tuneJitForBatch();
const worker = loadCached(bundle('worker-main.cjs'));
worker.saveCache();
worker.exports.__loadLateModules();
console.log('code caches written to dist/bundle/');
