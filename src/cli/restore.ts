/**
 * `traceless restore PATH... --backup SUFFIX`: undoes `clean --in-place --backup SUFFIX` by putting
 * each backup `NAME.EXT<SUFFIX>` back over `NAME.EXT`, atomically (rename), then removing nothing
 * else. Refuses where the backup is missing, or where the file changed since traceless cleaned it
 * (it no longer verifies clean: someone edited it, and restoring would throw that work away).
 */
import { existsSync, lstatSync, readdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TracelessError, asTracelessError } from '../errors.js';
import { sanitize, sanitizeDeep } from '../report/sanitize.js';
import { verifySource } from '../verify.js';
import { sourceFor } from '../io/source.js';
import { exitCodes } from './exit-codes.js';
import type { Output } from './output.js';

export interface RestoreOptions {
  backup: string;
  hidden?: boolean;
  json?: boolean;
}

interface RestoreResult {
  file: string;
  backup: string;
  status: 'restored' | 'refused';
  error: { code: string; message: string } | null;
}

/** Every backup under `path` (a folder is walked; a file names the cleaned file or its backup). */
function findBackups(path: string, suffix: string, hidden: boolean): string[] {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    throw new TracelessError('IO_ERROR', 'no such file or folder', { file: path });
  }
  if (stat.isDirectory()) {
    const found: string[] = [];
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!hidden && entry.name.startsWith('.')) continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) found.push(...findBackups(child, suffix, hidden));
      else if (entry.isFile() && entry.name.endsWith(suffix) && entry.name.length > suffix.length) found.push(child);
    }
    return found;
  }
  return [path.endsWith(suffix) ? path : `${path}${suffix}`];
}

function restoreOne(backup: string, suffix: string): RestoreResult {
  const file = backup.slice(0, -suffix.length);
  const result: RestoreResult = { file, backup, status: 'refused', error: null };
  try {
    if (!existsSync(backup)) throw new TracelessError('IO_ERROR', `there is no backup ${basename(backup)} beside it; nothing was changed`, { file });
    if (existsSync(file)) {
      // Only a file that is still exactly a clean copy is replaced: if it no longer verifies clean,
      // it was changed after the clean run (or is not ours), and restoring would lose that change.
      const source = sourceFor(file);
      let clean: boolean;
      try {
        clean = verifySource(source, { mode: 'all', keepOrientation: true, keepDates: false }).ok || verifySource(source, { mode: 'location', keepOrientation: true, keepDates: false }).ok;
      } finally {
        source.close();
      }
      if (!clean) throw new TracelessError('OUTPUT_EXISTS', 'the file changed since it was cleaned (it is not a clean copy any more); restore it by hand if you are sure', { file });
    }
    renameSync(backup, file);
    result.status = 'restored';
  } catch (error) {
    const problem = asTracelessError(error, file);
    result.error = { code: problem.code, message: problem.describe() };
  }
  return result;
}

export function runRestore(paths: string[], options: RestoreOptions, output: Output): number {
  const suffix = options.backup;
  if (!suffix || /[\\/]/.test(suffix)) throw new TracelessError('USAGE', '--backup takes the suffix given to clean, such as .orig (no slashes)');
  let code: number = exitCodes.ok;
  let restored = 0;
  const backups = [...new Set(paths.flatMap((path) => findBackups(path, suffix, options.hidden ?? false)))];
  for (const backup of backups) {
    const result = restoreOne(backup, suffix);
    if (result.status === 'restored') restored += 1;
    else code = exitCodes.problem;
    if (options.json) output.out(JSON.stringify(sanitizeDeep(result)));
    else if (result.error) output.err(sanitize(result.error.message));
    else output.out(`${sanitize(result.file)}: restored from ${sanitize(basename(backup))}`);
  }
  if (!options.json) output.out(`${restored} restored, ${backups.length - restored} refused`);
  return code;
}
