// Writes the V8 code caches of the bundles (dist/bundle/*.cjs.cache, see bin/load-cached.js) at
// build time: the CLI's after one real scan (so it holds the functions a scan compiles), the
// worker's after loading it. Run by `npm run build` after scripts/bundle.mjs.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCached } from '../bin/load-cached.js';

const bundle = (name) => fileURLToPath(new URL(`../dist/bundle/${name}`, import.meta.url));
for (const name of ['cli.cjs.cache', 'worker-main.cjs.cache']) rmSync(bundle(name), { force: true });
const example = fileURLToPath(new URL('../examples/IMG_0001.jpg', import.meta.url));
const cli = fileURLToPath(new URL('../bin/traceless.js', import.meta.url));
const run = spawnSync(process.execPath, [cli, 'scan', example, '--json'], { stdio: 'ignore' });
if (run.status !== 0 && run.status !== 1) console.warn(`warm-cache: the example scan exited with ${run.status}`);
loadCached(bundle('worker-main.cjs')).saveCache();
console.log('code caches written to dist/bundle/');
