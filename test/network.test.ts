/**
 * No network, ever. Two proofs:
 *
 * 1. Static: no module of ours (src/) imports a networking module (net, http, https, http2, dgram,
 *    dns, tls, undici — with or without `node:`) or a process launcher that could reach for one,
 *    and none calls fetch/WebSocket/XMLHttpRequest/EventSource; the runtime dependencies are a
 *    known list, and neither they (what is installed of them) nor the bundled CLI import a
 *    networking module either.
 * 2. Dynamic: the built CLI (`node bin/traceless.js`) runs scan (text, JSON, HTML report), clean
 *    (to a folder, location only, in place, several workers) and check on files of every cleanable
 *    format inside a network namespace with no interfaces (`unshare -rn`, util-linux) and with a
 *    preload that replaces every networking entry point of Node by a trap that records the attempt.
 *    Each command must give the same exit code and the same results as without the sandbox, and
 *    no attempt may be recorded. (Without `unshare` — not Linux, or user namespaces disabled — the
 *    preload alone still proves it, and the test says so.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHeif, exifItemPayload, fakeImageData, ispe, hvcC } from './fixtures/heif.js';
import { buildExifTiff } from './fixtures/exif.js';
import { dirtyGif } from './fixtures/gif.js';
import { phoneJpeg } from './fixtures/jpeg.js';
import { ffmpegClip, removeScratch } from './fixtures/mp4.js';
import { dirtyPng } from './fixtures/png.js';
import { buildFullTiff } from './fixtures/tiff.js';
import { dirtyWebp } from './fixtures/webp.js';
import { sidecarBuilders } from './fixtures/scan-only.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'traceless.js');
const built = existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));

const networkModules = ['net', 'http', 'https', 'http2', 'dgram', 'dns', 'dns/promises', 'tls', 'undici'];
/** A launched process could do the networking for us, so launching one is forbidden too. */
const processModules = ['child_process', 'cluster'];
const forbiddenModules = new Set([...networkModules, ...processModules].flatMap((name) => [name, `node:${name}`]));

/** Runtime dependencies, each checked by hand for network use; a new one must be added here on purpose. */
const allowedDependencies = ['@noble/hashes', '@rapideditor/country-coder', 'commander', 'd3-geo', 'saxes', 'sharp', 'topojson-client', 'world-atlas'];

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...filesUnder(path, pattern));
    else if (entry.isFile() && pattern.test(entry.name)) out.push(path);
  }
  return out;
}

/** Module specifiers a JS/TS text imports: static imports, re-exports, dynamic import(), require(). */
function importedModules(text: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Code without comments (so that a comment mentioning fetch() is not a call). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

describe('no network: static checks', () => {
  it('no module under src/ imports a networking or process-launching module', () => {
    const sources = filesUnder(join(root, 'src'), /\.ts$/);
    expect(sources.length).toBeGreaterThan(50);
    const offenders = sources.flatMap((file) => importedModules(readFileSync(file, 'utf8')).filter((name) => forbiddenModules.has(name)).map((name) => `${relative(root, file)} imports ${name}`));
    expect(offenders).toEqual([]);
  });

  it('no module under src/ calls fetch, WebSocket, XMLHttpRequest, EventSource or sendBeacon', () => {
    const calls = /\bfetch\s*\(|\bWebSocket\b|\bXMLHttpRequest\b|\bEventSource\b|\bsendBeacon\b|\bprocess\.binding\b/;
    const offenders = filesUnder(join(root, 'src'), /\.ts$/).filter((file) => calls.test(withoutComments(readFileSync(file, 'utf8')))).map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('the runtime dependencies are the known list', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual([...allowedDependencies].sort());
  });

  it('the installed runtime dependencies (and theirs) import no networking module', () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (name: string, from: string) => {
      const dir = resolvePackage(name, from);
      if (!dir || seen.has(dir)) return;
      seen.add(dir);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const file of filesUnder(dir, /\.(c|m)?js$/)) {
        for (const name of importedModules(withoutComments(readFileSync(file, 'utf8')))) {
          if (networkModules.some((module) => name === module || name === `node:${module}`)) offenders.push(`${relative(root, file)} imports ${name}`);
        }
      }
      for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir);
    };
    for (const name of allowedDependencies) visit(name, root);
    expect(seen.size).toBeGreaterThanOrEqual(allowedDependencies.length);
    expect(offenders).toEqual([]);
  });

  it.skipIf(!existsSync(join(root, 'dist', 'bundle')))('the bundled CLI imports no networking module', () => {
    const bundle = filesUnder(join(root, 'dist', 'bundle'), /\.c?js$/);
    const offenders = bundle.flatMap((file) => importedModules(readFileSync(file, 'utf8')).filter((name) => forbiddenModules.has(name)).map((name) => `${relative(root, file)} imports ${name}`));
    expect(offenders).toEqual([]);
  });
});

/** node_modules resolution: the package folder of `name` as seen from `from`. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

// ---- dynamic ----------------------------------------------------------------------------------

/** Replaces every networking entry point of Node with a trap that records the call and throws. */
const trap = `
import { appendFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
const require = createRequire(import.meta.url);
const log = process.env.TRACELESS_NETWORK_LOG;
function trapped(api) {
  return function () {
    appendFileSync(log, JSON.stringify({ api, pid: process.pid, argv: process.argv.slice(2), stack: new Error().stack }) + '\\n');
    throw new Error('networking is disabled in this test: ' + api);
  };
}
const targets = {
  net: ['connect', 'createConnection', 'createServer'],
  tls: ['connect', 'createServer', 'createSecureContext'],
  http: ['request', 'get', 'createServer'],
  https: ['request', 'get', 'createServer'],
  http2: ['connect', 'createServer', 'createSecureServer'],
  dgram: ['createSocket'],
  dns: ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'resolvePtr', 'resolveSoa', 'resolveCaa', 'resolveNaptr', 'reverse'],
  child_process: ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'],
};
for (const [name, functions] of Object.entries(targets)) {
  const module = require(name);
  for (const fn of functions) if (typeof module[fn] === 'function') module[fn] = trapped(name + '.' + fn);
}
require('net').Socket.prototype.connect = trapped('net.Socket.connect');
const dnsPromises = require('dns').promises;
for (const fn of Object.keys(dnsPromises)) if (typeof dnsPromises[fn] === 'function' && /^(lookup|resolve|reverse)/.test(fn)) dnsPromises[fn] = trapped('dns.promises.' + fn);
for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest']) {
  if (name in globalThis || name === 'fetch') globalThis[name] = trapped(name);
}
syncBuiltinESMExports();
`;

const unshareWorks = (() => {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
})();

let work: string;
let trapPath: string;
let logPath: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], sandboxed: boolean): Run {
  const node = [...(sandboxed ? ['--import', pathToFileURL(trapPath).href] : []), bin, ...args];
  const [command, argv] = sandboxed && unshareWorks ? ['unshare', ['-rn', process.execPath, ...node]] : [process.execPath, node];
  const result = spawnSync(command, argv, {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, TRACELESS_NETWORK_LOG: logPath, NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function attempts(): string[] {
  return existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean) : [];
}

/** JSON reviver: timings zeroed; lists sorted (with several workers, files finish in any order). */
function canonical(key: string, value: unknown): unknown {
  if (key === 'seconds') return 0;
  if (Array.isArray(value)) return [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return value;
}

/** Output lines without what changes from run to run (timings, the output folder); JSON lines parsed. */
function stable(stdout: string, from: string, to: string): unknown[] {
  return stdout
    .split(from).join(to)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (line.startsWith('{') ? (JSON.parse(line, canonical) as unknown) : line.replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T')))
    // Files finish in any order when several are worked on at once.
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function digestTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of filesUnder(dir, /./)) out[relative(dir, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
  return out;
}

const haveFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'traceless-network-'));
  trapPath = join(work, 'no-network.mjs');
  logPath = join(work, 'network-attempts.log');
  writeFileSync(trapPath, trap);
  const input = join(work, 'photos');
  mkdirSync(join(input, 'nested'), { recursive: true });
  writeFileSync(join(input, 'phone.jpg'), await phoneJpeg({ trailerImage: true }));
  writeFileSync(join(input, 'dirty.png'), await dirtyPng());
  writeFileSync(join(input, 'dirty.webp'), await dirtyWebp());
  writeFileSync(join(input, 'nested', 'dirty.gif'), await dirtyGif());
  writeFileSync(join(input, 'nested', 'photo.heic'), buildHeif({ items: [{ id: 1, type: 'hvc1', data: fakeImageData(200, 1) }, { id: 2, type: 'Exif', data: exifItemPayload(buildExifTiff()) }], references: [{ type: 'cdsc', from: 2, to: [1] }], properties: [hvcC(), ispe(64, 48)], associations: [{ item: 1, properties: [0x81, 2] }] }).file);
  writeFileSync(join(input, 'scan.tif'), buildFullTiff());
  writeFileSync(join(input, 'IMG_0001.xmp'), sidecarBuilders.xmp!());
  writeFileSync(join(input, 'DJI_0001.SRT'), sidecarBuilders.srt!());
  if (haveFfmpeg) writeFileSync(join(input, 'clip.mp4'), ffmpegClip({ metadata: { location: '+37.7749-122.4194/', make: 'Acme', creation_time: '2024-05-01T10:00:00Z' } }));
  writeFileSync(join(input, 'broken.jpg'), (await phoneJpeg()).subarray(0, 500));
}, 120_000);

afterAll(() => {
  removeScratch();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!built)('no network: the CLI runs every command with networking unavailable', () => {
  beforeAll(() => {
    if (!unshareWorks) console.warn('network test: unshare -rn is not available here; relying on the preload trap alone');
    if (!haveFfmpeg) console.warn('network test: ffmpeg missing, no MP4 in the sample folder');
  });

  it('the sandbox is real: the trap records attempts, and inside the namespace nothing is reachable', () => {
    const probe = spawnSync(process.execPath, ['--import', pathToFileURL(trapPath).href, '-e', "try { require('dns').lookup('example.org', () => {}) } catch {} try { fetch('http://example.org') } catch {}"], {
      env: { ...process.env, TRACELESS_NETWORK_LOG: join(work, 'probe.log') },
      encoding: 'utf8',
    });
    expect(probe.status).toBe(0);
    const recorded = readFileSync(join(work, 'probe.log'), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { api: string }).api);
    expect(recorded).toEqual(['dns.lookup', 'fetch']);
    if (unshareWorks) {
      const connect = spawnSync('unshare', ['-rn', process.execPath, '-e', "require('net').connect(53, '1.1.1.1').on('error', (e) => { console.log(e.code); process.exit(0) })"], { encoding: 'utf8', timeout: 20_000 });
      expect(connect.stdout.trim()).toMatch(/^(ENETUNREACH|EHOSTUNREACH|EACCES|EPERM)$/);
    }
  });

  // Exit codes: the sample folder holds a cut-short JPEG (scan reports what it can read: 0; check
  // cannot show it to be clean: 1) and a DJI subtitle file (scanned, refused by clean: 1).
  const commands: { name: string; status: number; args: (out: string) => string[] }[] = [
    { name: 'scan (text)', status: 0, args: () => ['scan', 'photos', '--jobs', '1'] },
    { name: 'scan --json with two workers', status: 0, args: () => ['scan', 'photos', '--json', '--jobs', '2'] },
    { name: 'scan --html', status: 0, args: (out) => ['scan', 'photos', '--jobs', '1', '--html', join(out, 'report.html')] },
    { name: 'clean -o DIR --json with two workers', status: 1, args: (out) => ['clean', 'photos', '-o', join(out, 'clean'), '--json', '--jobs', '2'] },
    { name: 'clean --only location', status: 1, args: (out) => ['clean', 'photos', '-o', join(out, 'location'), '--only', 'location', '--json'] },
    { name: 'clean --dry-run', status: 1, args: (out) => ['clean', 'photos', '-o', join(out, 'dry'), '--dry-run', '--json'] },
    { name: 'check (originals)', status: 1, args: () => ['check', 'photos', '--json'] },
    { name: 'check (one leaky file)', status: 1, args: () => ['check', 'photos/phone.jpg'] },
  ];

  it.each(commands)('$name: same exit code and results as with the network, no attempt recorded', ({ args, status }) => {
    const normal = join(work, 'normal');
    const sandboxed = join(work, 'sandboxed');
    for (const dir of [normal, sandboxed]) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    }
    const before = attempts().length;
    const expected = runCli(args(normal), false);
    const actual = runCli(args(sandboxed), true);
    expect(actual.stderr).not.toMatch(/networking is disabled/);
    expect(attempts().slice(before)).toEqual([]);
    expect(expected.status, expected.stderr).toBe(status);
    expect(actual.status, actual.stderr).toBe(status);
    expect(expected.stdout.length).toBeGreaterThan(0);
    if (args(sandboxed).includes('--html')) expect(readFileSync(join(sandboxed, 'report.html'), 'utf8')).toMatch(/<html/i);
    expect(stable(actual.stdout, sandboxed, 'OUT')).toEqual(stable(expected.stdout, normal, 'OUT'));
    expect(digestTree(sandboxed)).toEqual(Object.fromEntries(Object.entries(digestTree(normal)).map(([path, digest]) => [path, path.endsWith('.html') ? expect.any(String) : digest])));
  });

  it('clean --in-place and check of the cleaned copies, with networking unavailable', () => {
    const copy = join(work, 'in-place');
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy);
    for (const name of ['phone.jpg', 'dirty.png', 'scan.tif']) copyFileSync(join(work, 'photos', name), join(copy, name));
    const before = attempts().length;
    const cleaned = runCli(['clean', copy, '--in-place', '--json'], true);
    expect(cleaned.status).toBe(0);
    const checked = runCli(['check', copy, '--json'], true);
    expect(checked.status).toBe(0);
    expect(stable(checked.stdout, copy, 'DIR').every((line) => (line as { ok?: boolean }).ok !== false)).toBe(true);
    expect(attempts().slice(before)).toEqual([]);
    expect(statSync(join(copy, 'phone.jpg')).size).toBeLessThan(statSync(join(work, 'photos', 'phone.jpg')).size);
  });
});
