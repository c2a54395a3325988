// Bundles the CLI and its worker into CommonJS files (dist/bundle/), after `tsc`, which
// bin/load-cached.js runs with a V8 code cache: a one-photo `traceless scan` neither resolves ~80
// modules nor compiles a megabyte of JavaScript. Each is two bundles, NAME.cjs and NAME-late.cjs
// (see lateModules below). bin/traceless.js uses the bundle when it exists
// and the compiled modules otherwise. dist/bundle/worker.cjs is a small CommonJS module that loads the
// worker bundle the same way (src/batch/pool.ts starts `worker.cjs` beside the code that runs it).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import loadCachedModule from '../bin/load-cached.js';

const { wrap } = loadCachedModule;

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

/**
 * `node:module` is only asked for `createRequire`, which runs late if at all (a built-in on a Node
 * without `process.getBuiltinModule`, the border data near a border): loading the module at start
 * cost ~0.6 ms of every run. The bundles get a stand-in whose `createRequire` loads it when called.
 */
const lazyModuleBuiltin = {
  name: 'lazy-node-module',
  setup(build) {
    build.onResolve({ filter: /^(node:)?module$/ }, (args) => (args.namespace === 'lazy-node-module' ? { path: 'node:module', external: true } : { path: 'module', namespace: 'lazy-node-module' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-node-module' }, () => ({
      contents: "exports.createRequire = (...args) => require('node:module').createRequire(...args);",
      loader: 'js',
    }));
  },
};

const shared = {
  plugins: [noProcesses, lazyModuleBuiltin],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // Native or browser-driving packages stay outside the bundle and load from node_modules on demand.
  // Offline border data loads from node_modules on first use (see src/report/places.ts).
  external: ['sharp', 'playwright-core', '@rapideditor/country-coder'],
  // The modules use import.meta.url to find their data and the worker beside them.
  define: { 'import.meta.url': '__tracelessBundle.url', 'import.meta.dirname': '__dirname' },
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
  // Worked out on first use (~0.5 ms): a one-photo scan of a file without a location never asks.
  banner: { js: "var __tracelessBundle = { get url() { const url = require('node:url').pathToFileURL(__filename).href; Object.defineProperty(this, 'url', { value: url }); return url; } };" },
};

/**
 * Code a one-photo scan of a JPEG never runs: the other containers (TIFF and raw files, HEIF, PNG,
 * video …), the sidecars and the HTML report. It
 * goes into a second bundle per entry (`NAME-late.cjs`), loaded on first use, so that the first one
 * is under half the size (its code cache deserialises, and its modules initialise, at every start: ~9 ms
 * of a one-photo scan). In the first bundle each late module is replaced by a stand-in with the same
 * exports: data copied as it is, functions (and the methods of exported objects, such as format
 * handlers) that load the late bundle when called. The late bundle takes every module the first one
 * has from it (one TracelessError class, one cache per module), by `require('traceless-core:PATH')`.
 */
const lateModules = [
  'dist/src/formats/png/index.js',
  'dist/src/formats/webp/index.js',
  'dist/src/formats/gif/index.js',
  'dist/src/formats/heif/index.js',
  'dist/src/formats/mp4/index.js',
  'dist/src/formats/other/index.js',
  'dist/src/formats/jxl/index.js',
  'dist/src/formats/avi/index.js',
  'dist/src/formats/matroska/index.js',
  'dist/src/report/html/index.js',
  'dist/src/formats/tiff/index.js',
  'dist/src/formats/sidecar/xmp.js',
  'dist/src/formats/sidecar/srt.js',
  'dist/src/formats/sidecar/aae.js',
];
const coreScheme = 'traceless-core:';
const lateLoaderId = 'traceless-late-loader';
const coreModulesId = 'traceless-core-modules';
const relativePath = (path) => relative(process.cwd(), path).split(sep).join('/');

/** A stand-in module for `path`: its exports as the real module has them, the code behind them late. */
async function standIn(path) {
  const real = await import(pathToFileURL(resolve(path)).href);
  const lines = [`import { loadLate } from '${lateLoaderId}';`, `const late = () => loadLate()[${JSON.stringify(path)}];`];
  /** Source for a stand-in of `value`, reached in the late module as `late()` + `access`. */
  const standInFor = (value, access, depth = 0) => {
    if (typeof value === 'function') {
      if (/^class\b/.test(Function.prototype.toString.call(value))) throw new Error(`bundle: ${access} in ${path} is a class; it cannot be stood in for`);
      return `(...args) => late()${access}(...args)`;
    }
    if (value && typeof value === 'object' && depth < 2 && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) && Object.values(value).some((member) => typeof member === 'function' || (member && typeof member === 'object'))) {
      if (Array.isArray(value)) return `Object.freeze([${value.map((member, index) => standInFor(member, `${access}[${index}]`, depth + 1)).join(', ')}])`;
      return `Object.freeze({ ${Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}: ${standInFor(member, `${access}[${JSON.stringify(key)}]`, depth + 1)}`).join(', ')} })`;
    }
    const text = JSON.stringify(value);
    if (text === undefined || !isDeepStrictEqual(JSON.parse(text), value)) throw new Error(`bundle: ${access} in ${path} is neither a function nor plain data; it cannot be stood in for`);
    return text;
  };
  for (const [name, value] of Object.entries(real)) {
    lines.push(name === 'default' ? `export default ${standInFor(value, '.default')};` : `export const ${name} = ${standInFor(value, `.${name}`)};`);
  }
  return lines.join('\n');
}

/**
 * The first bundle's modules as the late bundle gets them: `coreModule(path)` gives an object of
 * the module's exports, made on the late bundle's first request. Made from named imports, not
 * `import * as`: a namespace object per module, each export a getter, was made for every exposed
 * module when the first bundle started (~0.5 ms), late bundle or not. No module of traceless
 * re-assigns an export (no `export let`), so the objects hold what the modules export.
 */
function coreModulesSource(exposed, exportNames) {
  const imports = [];
  const cases = [];
  exposed.forEach((path, index) => {
    const names = exportNames.get(path);
    const local = (name) => `m${index}_${names.indexOf(name)}`;
    imports.push(`import { ${names.map((name) => `${name} as ${local(name)}`).join(', ')} } from './${path}';`);
    cases.push(`    case ${JSON.stringify(path)}: return { ${names.map((name) => `${JSON.stringify(name)}: ${local(name)}`).join(', ')} };`);
  });
  return `${imports.join('\n')}
const made = new Map();
function make(path) {
  switch (path) {
${cases.join('\n')}
    default: return undefined;
  }
}
export default function coreModule(path) {
  if (!made.has(path)) made.set(path, make(path));
  return made.get(path);
}`;
}

/** Loads `NAME-late.cjs` once, handing it this bundle's modules (generated into the first bundle). */
function lateLoader(lateFile) {
  return `import coreModules from '${coreModulesId}';
const { join } = require('node:path');
let late;
export function loadLate() {
  if (late === undefined) {
    const { loadCached } = require(join(__dirname, '..', '..', 'bin', 'load-cached.js'));
    const loaded = loadCached(join(__dirname, ${JSON.stringify(lateFile)}), (id) => (id.startsWith(${JSON.stringify(coreScheme)}) ? coreModules(id.slice(${coreScheme.length})) : require(id)));
    loaded.saveCache();
    late = loaded.exports.lateModules;
  }
  return late;
}`;
}

/** Builds entry `name` as NAME.cjs and NAME-late.cjs (see lateModules). */
async function buildSplit(name, entry) {
  const lateSet = new Set(lateModules);
  const standIns = new Map(await Promise.all(lateModules.map(async (path) => [path, await standIn(path)])));
  const entrySource = `export * from './${relativePath(resolve(entry))}';\nexport { loadLate as __loadLateModules } from '${lateLoaderId}';`;
  const firstPlugin = (exposed) => ({
    name: 'first-bundle',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^(${lateLoaderId}|${coreModulesId})$`) }, (args) => ({ path: args.path, namespace: 'generated' }));
      build.onLoad({ filter: /^/, namespace: 'generated' }, (args) => {
        if (args.path === lateLoaderId) return { contents: lateLoader(`${name}-late.cjs`), loader: 'js', resolveDir: process.cwd() };
        return { contents: coreModulesSource(exposed, exportNames), loader: 'js', resolveDir: process.cwd() };
      });
      build.onLoad({ filter: /\.js$/ }, (args) => {
        const path = relativePath(args.path);
        return lateSet.has(path) ? { contents: standIns.get(path), loader: 'js', resolveDir: dirname(args.path) } : undefined;
      });
    },
  });
  /** The export names of each module the late bundle may import (`exposed` below), by path. */
  const exportNames = new Map();
  const first = async (exposed) => {
    for (const path of exposed) {
      if (exportNames.has(path)) continue;
      // The late bundle gets a module's exports as they are when it loads (see coreModulesSource).
      if (/^export (let|var)\b/m.test(readFileSync(path, 'utf8'))) throw new Error(`bundle: ${path} exports a variable it may re-assign; the late bundle would not see the change`);
      exportNames.set(path, Object.keys(await import(pathToFileURL(resolve(path)).href)));
    }
    return build({
      ...shared,
      plugins: [...shared.plugins, firstPlugin(exposed)],
      stdin: { contents: entrySource, resolveDir: process.cwd(), sourcefile: `${name}-entry.js`, loader: 'js' },
      outfile: `dist/bundle/${name}.cjs`,
      metafile: true,
    });
  };
  const firstInputs = (result) => new Set(Object.keys(result.metafile.inputs).filter((path) => !path.startsWith('generated:') && path !== '<stdin>'));
  const firstModules = firstInputs(await first([]));
  const core = new Set([...firstModules].filter((path) => !lateSet.has(path)));
  const used = new Set();
  const lateEntry = `${lateModules.map((path, index) => `import * as l${index} from './${path}';`).join('\n')}\nexport const lateModules = { ${lateModules.map((path, index) => `${JSON.stringify(path)}: l${index}`).join(', ')} };`;
  await build({
    ...shared,
    plugins: [
      ...shared.plugins,
      {
        name: 'late-bundle',
        setup(build) {
          build.onResolve({ filter: /.*/ }, async (args) => {
            if (args.pluginData?.inner || args.kind === 'entry-point' || args.path.startsWith('node:')) return undefined;
            const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { inner: true } });
            if (resolved.errors.length > 0 || resolved.external || !resolved.path) return undefined;
            const path = relativePath(resolved.path);
            if (!core.has(path)) return undefined;
            used.add(path);
            return { path: `${coreScheme}${path}`, external: true };
          });
        },
      },
    ],
    stdin: { contents: lateEntry, resolveDir: process.cwd(), sourcefile: `${name}-late-entry.js`, loader: 'js' },
    outfile: `dist/bundle/${name}-late.cjs`,
  });
  const again = firstInputs(await first([...used].sort()));
  for (const path of again) if (!firstModules.has(path)) throw new Error(`bundle: exposing modules to ${name}-late.cjs pulled ${path} into ${name}.cjs`);
}

await buildSplit('cli', 'dist/src/cli/main.js');
await buildSplit('worker-main', 'dist/src/batch/worker.js');
for (const name of ['cli.cjs', 'cli-late.cjs', 'worker-main.cjs', 'worker-main-late.cjs']) {
  const bytes = readFileSync(`dist/bundle/${name}`);
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at >= 0) throw new Error(`dist/bundle/${name} has a non-ASCII byte at ${at} (…${bytes.subarray(Math.max(0, at - 60), at + 20).toString()}…): write it as a \\u escape in the source`);
  // Stored inside the function wrapper bin/load-cached.js runs it in: V8 then compiles the file's
  // text as read, not a joined copy of it.
  writeFileSync(`dist/bundle/${name}`, wrap(bytes.toString('latin1')), 'latin1');
}
writeFileSync(
  'dist/bundle/worker.cjs',
  `// Worker-thread entry: the worker bundle, run with its code cache (see bin/load-cached.js). CommonJS,
// so that a worker does not start Node's ES-module loader.
'use strict';
const { join } = require('node:path');
const { workerData } = require('node:worker_threads');
const loader = require(join(__dirname, '..', '..', 'bin', 'load-cached.js'));
// A pool in a process whose V8 flags the CLI tuned says so: the caches made under those flags apply.
if (workerData && typeof workerData.tracelessV8Flags === 'string') globalThis[loader.tunedFlagsKey] = workerData.tracelessV8Flags;
loader.loadCached(join(__dirname, 'worker-main.cjs')).saveCache();
`,
);
