/**
 * Turns command-line paths into the list of files to work on. A file named directly is always
 * taken (and refused later if it is not media); a folder is walked recursively, hidden entries and
 * symbolic links skipped unless asked for; `--exclude` globs and glob arguments are honoured.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { TracelessError } from '../errors.js';
import { formats } from '../formats/index.js';
import { hasGlobCharacters, matchesGlob } from './glob.js';

export interface InputFile {
  path: string;
  /** Path relative to the root named on the command line (used to mirror trees under -o). */
  relative: string;
  /** True when the file was named directly (not found by walking a folder). */
  direct: boolean;
  size: number;
}

export interface WalkOptions {
  hidden?: boolean;
  followSymlinks?: boolean;
  exclude?: string[];
  /** Folders never walked into (real paths): the output folder of `clean -o`, wherever it sits. */
  skipFolders?: readonly string[];
}

/** Extensions of photos and videos (and their raw/sidecar kin): an unknown file with one of these is reported, not skipped. */
const mediaExtensions = new Set([
  ...formats.flatMap((format) => format.extensions),
  'jpg', 'jpeg', 'png', 'webp', 'gif', 'heic', 'heif', 'hif', 'avif', 'tif', 'tiff', 'dng', 'mp4', 'mov', 'm4v', '3gp', '3g2',
  'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'raf', 'rw2', 'orf', 'pef', 'srw', 'x3f', 'iiq', '3fr', 'mrw', 'erf', 'kdc',
  'jxl', 'jp2', 'j2k', 'psd', 'avi', 'mkv', 'webm', 'mts', 'm2ts', 'insv', 'insp', 'lrv', 'bmp', 'svg',
]);

export function looksLikeMedia(path: string): boolean {
  return mediaExtensions.has(extname(path).slice(1).toLowerCase());
}

export function expandInputs(paths: readonly string[], options: WalkOptions = {}): InputFile[] {
  const files: InputFile[] = [];
  const excluded = (relativePath: string) => (options.exclude ?? []).some((pattern) => matchesGlob(pattern, relativePath));
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      if (hasGlobCharacters(path)) {
        expandGlob(path, options, files, excluded);
        continue;
      }
      throw new TracelessError('IO_ERROR', 'no such file or folder', { file: path });
    }
    if (stat.isDirectory()) walk(path, path, options, files, new Set(), excluded);
    else if (!excluded(basename(path))) files.push({ path, relative: basename(path), direct: true, size: stat.size });
  }
  return files;
}

/** A glob argument the shell did not expand (quoted, or on Windows): walk its fixed prefix. */
function expandGlob(pattern: string, options: WalkOptions, files: InputFile[], excluded: (path: string) => boolean): void {
  const segments = pattern.split(/[\\/]/);
  const fixed: string[] = [];
  for (const segment of segments) {
    if (hasGlobCharacters(segment)) break;
    fixed.push(segment);
  }
  const root = fixed.length ? fixed.join(sep) || sep : '.';
  const rest = segments.slice(fixed.length).join('/');
  const found: InputFile[] = [];
  try {
    walk(root, root, { ...options, exclude: [] }, found, new Set(), () => false);
  } catch {
    throw new TracelessError('IO_ERROR', 'no file matches this pattern', { file: pattern });
  }
  const matched = found.filter((file) => matchesGlob(rest, file.relative.split(sep).join('/')) && !excluded(file.relative));
  if (matched.length === 0) throw new TracelessError('IO_ERROR', 'no file matches this pattern', { file: pattern });
  for (const file of matched) files.push({ ...file, relative: basename(file.path), direct: true });
}

/** `ancestors` holds the folders above this one: meeting one again through a link is a loop. */
function walk(root: string, folder: string, options: WalkOptions, files: InputFile[], ancestors: Set<string>, excluded: (path: string) => boolean): void {
  if (options.skipFolders?.length && options.skipFolders.includes(realOrSelf(folder))) return;
  const stat = statSync(folder);
  const key = `${stat.dev}:${stat.ino}`;
  if (ancestors.has(key)) return; // a symlink loop
  ancestors.add(key);
  try {
    walkEntries(root, folder, options, files, ancestors, excluded);
  } finally {
    ancestors.delete(key);
  }
}

function walkEntries(root: string, folder: string, options: WalkOptions, files: InputFile[], ancestors: Set<string>, excluded: (path: string) => boolean): void {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (!options.hidden && entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    const relativePath = relative(root, path);
    if (excluded(relativePath.split(sep).join('/'))) continue;
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      if (!options.followSymlinks) continue;
      try {
        const target = statSync(path);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch {
        continue; // dangling link
      }
    }
    if (isDirectory) walk(root, path, options, files, ancestors, excluded);
    else if (isFile) files.push({ path, relative: relativePath, direct: false, size: statSync(path).size });
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

