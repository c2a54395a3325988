// Bundles the CLI and its worker into one file each (dist/bundle/), after `tsc`. Loading one
// module instead of ~80 saves about half of the start-up time of a one-photo `traceless scan`.
// bin/traceless.js uses the bundle when it exists and the compiled modules otherwise.
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Native or browser-driving packages stay outside the bundle and load from node_modules on demand.
  // Offline border data loads from node_modules on first use (see src/report/places.ts).
  external: ['sharp', 'playwright-core', '@rapideditor/country-coder'],
  // The HTML report (map data, thumbnails) is its own chunk, loaded only for --html.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies bundled into ESM need a require of their own.
  banner: { js: "import { createRequire as __tracelessRequire } from 'node:module'; const require = __tracelessRequire(import.meta.url);" },
};

await build({ ...shared, entryPoints: { cli: 'dist/src/cli/main.js', worker: 'dist/src/batch/worker.js' }, outdir: 'dist/bundle' });
