/**
 * Turns command-line paths into the list of files to work on. A file named directly is always
 * taken (and refused later if it is not media); a folder is walked recursively, hidden entries and
 * symbolic links skipped unless asked for.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { TracelessError } from '../errors.js';

export interface InputFile {
  path: string;
  /** Path relative to the root named on the command line (used to mirror trees under -o). */
  relative: string;
  /** True when the file was named directly (not found by walking a folder). */
  direct: boolean;
}

export interface WalkOptions {
  hidden?: boolean;
  followSymlinks?: boolean;
}

export function expandInputs(paths: readonly string[], options: WalkOptions = {}): InputFile[] {
  const files: InputFile[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new TracelessError('IO_ERROR', 'no such file or folder', { file: path });
    }
    if (stat.isDirectory()) walk(path, path, options, files, new Set());
    else files.push({ path, relative: basename(path), direct: true });
  }
  return files;
}

function walk(root: string, folder: string, options: WalkOptions, files: InputFile[], visited: Set<string>): void {
  const stat = statSync(folder);
  const key = `${stat.dev}:${stat.ino}`;
  if (visited.has(key)) return; // a symlink loop
  visited.add(key);
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (!options.hidden && entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
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
    if (isDirectory) walk(root, path, options, files, visited);
    else if (isFile) files.push({ path, relative: relative(root, path), direct: false });
  }
}

export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
