// Bundles the CLI and its worker into one CommonJS file each (dist/bundle/), after `tsc`, which
// bin/load-cached.js runs with a V8 code cache: a one-photo `traceless scan` neither resolves ~80
// modules nor compiles a megabyte of JavaScript. bin/traceless.js uses the bundle when it exists
// and the compiled modules otherwise. dist/bundle/worker.js is a small ES module that loads the
// worker bundle the same way (src/batch/pool.ts starts `worker.js` beside the code that runs it).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist/bundle', { recursive: true, force: true });

/**
 * commander requires child_process for executable subcommands, which traceless does not have: the
 * bundle gets a stand-in that refuses any use, so the CLI cannot launch a process (test/network.test.ts).
 */
const noProcesses = {
  name: 'no-processes',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, () => ({ path: 'child_process', namespace: 'no-processes' }));
    build.onLoad({ filter: /.*/, namespace: 'no-processes' }, () => ({
      contents: "module.exports = new Proxy({}, { get(_, name) { throw new Error('traceless launches no processes (child_process.' + String(name) + ')'); } });",
      loader: 'js',
    }));
  },
};

const shared = {
  plugins: [noProcesses],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // Native or browser-driving packages stay outside the bundle and load from node_modules on demand.
  // Offline border data loads from node_modules on first use (see src/report/places.ts).
  external: ['sharp', 'playwright-core', '@rapideditor/country-coder'],
  // The modules use import.meta.url to find their data and the worker beside them.
  define: { 'import.meta.url': '__tracelessBundleUrl' },
  // vm.Script (bin/load-cached.js) has no loader for import(): lazy imports become require calls.
  supported: { 'dynamic-import': false },
  // Whitespace and syntax only: a third of the bytes to read and hash at each start; names stay, so
  // error messages and --debug traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  // ASCII only (esbuild escapes what it can; the check below catches what it cannot): bin/load-cached.js
  // reads the bundle as Latin-1, a plain byte copy, where one non-ASCII character made Node decode
  // UTF-8 into a two-byte string (3 ms more at every start).
  charset: 'ascii',
  banner: { js: "var __tracelessBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

await build({ ...shared, entryPoints: { cli: 'dist/src/cli/main.js', 'worker-main': 'dist/src/batch/worker.js' }, outdir: 'dist/bundle', outExtension: { '.js': '.cjs' } });
for (const name of ['cli.cjs', 'worker-main.cjs']) {
  const bytes = readFileSync(`dist/bundle/${name}`);
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at >= 0) throw new Error(`dist/bundle/${name} has a non-ASCII byte at ${at} (…${bytes.subarray(Math.max(0, at - 60), at + 20).toString()}…): write it as a \\u escape in the source`);
}
writeFileSync(
  'dist/bundle/worker.js',
  `// Worker-thread entry: the worker bundle, run with its code cache (see bin/load-cached.js).
import { fileURLToPath } from 'node:url';
import { loadCached } from '../../bin/load-cached.js';
loadCached(fileURLToPath(new URL('./worker-main.cjs', import.meta.url))).saveCache();
`,
);
