/**
 * The traceless command line: a thin layer over the library. Each command is one file; exit codes
 * are decided in exit-codes.ts and here only.
 */
import { Command, CommanderError, Option } from 'commander';
import { asTracelessError, isTracelessError } from '../errors.js';
import { sanitize } from '../report/sanitize.js';
import { runCheck } from './check.js';
import { runClean } from './clean.js';
import { exitCodes } from './exit-codes.js';
import { processOutput, type Output } from './output.js';
import { runScan } from './scan.js';
import { runRestore } from './restore.js';

/** Examples shown under each command's --help. */
const examples = {
  scan: ['traceless scan IMG_1234.HEIC', 'traceless scan ~/DCIM --json > report.jsonl', 'traceless scan ~/DCIM --html report.html'],
  clean: ['traceless clean IMG_1234.jpg                 # writes IMG_1234.clean.jpg', 'traceless clean ~/DCIM -o ~/DCIM-clean', 'traceless clean ~/DCIM --in-place --backup .orig', 'traceless clean photo.jpg --only location', 'cat a.jpg | traceless clean - > a.clean.jpg'],
  check: ['traceless check *.jpg', 'traceless check --fail-on location,device,owner photos/', 'git diff --cached --name-only -z | xargs -0 -r traceless check'],
  restore: ['traceless restore ~/DCIM --backup .orig'],
} as const;

function withExamples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`);
}

export const version = '0.1.0';

/** The commands, by the name the user types first. */
const commandNames = ['scan', 'clean', 'check', 'restore'] as const;
type CommandName = (typeof commandNames)[number];

/**
 * The argument parser with every command, or with only `only` when the run names it first (a
 * one-photo scan does not build the options of the three others: ~1–2 ms of its start). Help,
 * version and an unknown command get every command, so their output is the same.
 */
function buildProgram(output: Output, setCode: (code: number) => void, only?: CommandName): Command {
  const wanted = (name: CommandName) => only === undefined || only === name;
  const program = new Command();
  program
    .name('traceless')
    .description('See what your photos and videos give away, and write clean copies without it.')
    .version(version)
    .exitOverride()
    .option('--debug', 'on an internal error, also print where it happened (for bug reports)')
    // The argument parser repeats what it was given (a file name picked up by a glob): neutralise it.
    .configureOutput({ writeOut: (text) => output.out(sanitizeLines(text.trimEnd())), writeErr: (text) => output.err(sanitizeLines(text.trimEnd())) });
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const walking = (command: Command) =>
    command
      .option('--exclude <glob>', 'skip files and folders matching this glob (repeatable)', collect)
      .option('--hidden', 'include hidden files and folders when walking folders')
      .option('--follow-symlinks', 'follow symbolic links when walking folders');
  const batch = (command: Command) =>
    command
      .option('-j, --jobs <n>', 'files worked on in parallel (default: the number of cores)')
      .option('-q, --quiet', 'no progress bar and no per-file lines for successes (scan: only the headline of files that reveal something)');
  if (wanted('scan')) batch(walking(
    program
      .command('scan')
      .option('--force', 'overwrite an existing --html report')
      .description('report what each file reveals: location first, then device, time, owner, thumbnails, embedded data')
      .argument('<paths...>', 'files or folders')
      .option('--json', 'one JSON object per file per line, then a summary line for several files')
      .option('--details', 'list every finding of every file (by default: what matters, and how many more details there are)')
      .option('--summary', 'one line per file (risk and why), then the totals: for big folders')
      .option('--html <file>', 'also write a self-contained HTML report: world map of the places found, risk per file, findings'),
  )).action(async (paths: string[], options) => setCode(await runScan(paths, options, output)));
  if (wanted('clean')) batch(walking(
    program
      .command('clean')
      .description('write stripped copies (beside the original as NAME.clean.EXT, or under -o DIR)')
      .argument('<paths...>', 'files or folders')
      .option('-o, --output <dir>', 'write outputs under this folder, with the same relative names')
      .option('--in-place', 'replace the originals (temporary file, verify, rename)')
      .addOption(new Option('--only <what>', 'remove only this kind of metadata').choices(['location']))
      .option('--drop-orientation', 'do not keep the orientation tag')
      .option('--drop-extra-images', 'keep only the first image of an HDR photo or MPO (drops the gain map: the copy shows as SDR)')
      .option('--keep-dates', 'keep creation and modification dates in video containers')
      .option('--keep-mtime', "give each output the original's modification time")
      .option('--backup <suffix>', 'with --in-place, keep each original beside it as NAME.EXT<suffix>')
      .option('--dry-run', 'show what would be removed and written, write nothing')
      .option('--force', 'overwrite existing outputs')
      .option('--json', 'one JSON object per file per line, then a summary line for several files'),
  )).action(async (paths: string[], options) => setCode(await runClean(paths, options, output)));
  if (wanted('check')) walking(
    program
      .command('check')
      .description('exit 0 when no file carries location or device metadata, 1 when any does or cannot be read in full, 2 when a file cannot be opened')
      .argument('<paths...>', 'files or folders')
      .option('--fail-on <categories>', 'comma-separated categories that fail the check: location, device, time, owner, thumbnail, embedded, other (default: location,device)')
      .option('--json', 'one JSON object per file per line'),
  ).action(async (paths: string[], options) => setCode(await runCheck(paths, options, output)));
  if (wanted('restore')) program
    .command('restore')
    .description('put back the originals kept by `clean --in-place --backup SUFFIX` (atomically), undoing that run')
    .argument('<paths...>', 'files or folders that were cleaned in place')
    .requiredOption('--backup <suffix>', 'the suffix given to clean --backup, e.g. .orig')
    .option('--hidden', 'include hidden files and folders when walking folders')
    .option('--json', 'one JSON object per file per line')
    .action((paths: string[], options) => setCode(runRestore(paths, options, output)));
  for (const command of program.commands) withExamples(command, examples[command.name() as keyof typeof examples] ?? []);
  return program;
}

function sanitizeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => sanitize(line, 2000))
    .join('\n');
}

/** Runs the CLI and returns the exit code (never calls process.exit, so it is testable). */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  let code: number = exitCodes.ok;
  const first = argv[2];
  const only = commandNames.find((name) => name === first);
  const program = buildProgram(
    output,
    (value) => {
      code = value;
    },
    only,
  );
  // Bare `traceless`: show what it can do, and say it was not a command (exit 2).
  if (argv.length <= 2) {
    output.err(program.helpInformation().trimEnd());
    return exitCodes.usage;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      return exitCodes.usage;
    }
    if (isTracelessError(error) && error.code !== 'INTERNAL') {
      output.err(`traceless: ${sanitize(error.describe())}`);
      return error.code === 'OUTPUT_EXISTS' || error.code === 'IO_ERROR' || error.code === 'USAGE' || error.code === 'OUTPUT_CONFLICT' ? exitCodes.usage : exitCodes.problem;
    }
    // Our own bug: one line with the INTERNAL code, never a Node stack (unless --debug).
    const problem = asTracelessError(error);
    output.err(`traceless: INTERNAL: ${sanitize(problem.message)}`);
    if (argv.includes('--debug') && error instanceof Error && error.stack) output.err(sanitizeLines(error.stack));
    return exitCodes.problem;
  }
  return code;
}
