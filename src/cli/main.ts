/**
 * The traceless command line: a thin layer over the library. Each command is one file; exit codes
 * are decided in exit-codes.ts and here only.
 */
import { Command, CommanderError, Option } from 'commander';
import { isTracelessError } from '../errors.js';
import { sanitize } from '../report/sanitize.js';
import { runCheck } from './check.js';
import { runClean } from './clean.js';
import { exitCodes } from './exit-codes.js';
import { processOutput, type Output } from './output.js';
import { runScan } from './scan.js';

export const version = '0.1.0';

function buildProgram(output: Output, setCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('traceless')
    .description('See what your photos and videos give away, and write clean copies without it.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) });
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const walking = (command: Command) =>
    command
      .option('--exclude <glob>', 'skip files and folders matching this glob (repeatable)', collect)
      .option('--hidden', 'include hidden files and folders when walking folders')
      .option('--follow-symlinks', 'follow symbolic links when walking folders');
  const batch = (command: Command) =>
    command
      .option('-j, --jobs <n>', 'files worked on in parallel (default: the number of cores)')
      .option('-q, --quiet', 'no progress bar and no per-file lines for successes');
  batch(walking(
    program
      .command('scan')
      .description('report what each file reveals: location first, then device, time, owner, thumbnails, embedded data')
      .argument('<paths...>', 'files or folders')
      .option('--json', 'one JSON object per file per line, then a summary line for several files')
      .option('--html <file>', 'also write a self-contained HTML report: world map of the places found, risk per file, findings'),
  )).action(async (paths: string[], options) => setCode(await runScan(paths, options, output)));
  batch(walking(
    program
      .command('clean')
      .description('write stripped copies (beside the original as NAME.clean.EXT, or under -o DIR)')
      .argument('<paths...>', 'files or folders')
      .option('-o, --output <dir>', 'write outputs under this folder, with the same relative names')
      .option('--in-place', 'replace the originals (temporary file, verify, rename)')
      .addOption(new Option('--only <what>', 'remove only this kind of metadata').choices(['location']))
      .option('--drop-orientation', 'do not keep the orientation tag')
      .option('--keep-dates', 'keep creation and modification dates in video containers')
      .option('--keep-mtime', "give each output the original's modification time")
      .option('--backup <suffix>', 'with --in-place, keep each original beside it as NAME.EXT<suffix>')
      .option('--dry-run', 'show what would be removed and written, write nothing')
      .option('--force', 'overwrite existing outputs')
      .option('--json', 'one JSON object per file per line, then a summary line for several files'),
  )).action(async (paths: string[], options) => setCode(await runClean(paths, options, output)));
  walking(
    program
      .command('check')
      .description('exit 0 when no file carries location or device metadata, 1 when any does, 2 on unreadable input')
      .argument('<paths...>', 'files or folders')
      .option('--json', 'one JSON object per file per line'),
  ).action((paths: string[], options) => setCode(runCheck(paths, options, output)));
  return program;
}

/** Runs the CLI and returns the exit code (never calls process.exit, so it is testable). */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  let code: number = exitCodes.ok;
  const program = buildProgram(output, (value) => {
    code = value;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      return exitCodes.usage;
    }
    if (isTracelessError(error)) {
      output.err(`traceless: ${sanitize(error.describe())}`);
      return exitCodes.usage;
    }
    throw error;
  }
  return code;
}
