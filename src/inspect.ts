/**
 * `inspect`: sniff the format from the bytes, walk the container, and return every finding.
 *
 * Two ways of reading. Strict (what `clean` and verification use): any damage or structure a clean
 * could not vouch for throws. Best effort (what `scan`, `check` and the library's `inspect` use by
 * default): the walker records into a report handed to it, damage becomes an `unreadable` entry
 * saying where and why, and reading goes on where the format lets it (next JPEG marker, next PNG
 * chunk, next box); when a walker cannot go on, everything it found before is still reported.
 */
import { TracelessError, asTracelessError, type ErrorCode } from './errors.js';
import { detectFormat, sniffLength } from './formats/index.js';
import { emptyReport, type FormatHandler } from './formats/types.js';
import { sourceFor, type ByteSource, type Input } from './io/source.js';
import type { FormatInfo, Inspection } from './types.js';

export const unknownFormat: FormatInfo = { id: 'unknown', name: 'unknown', cleanable: false };

/** The `unreadable` entry of a file whose format traceless does not know: never "no risk". */
export const notCheckedUnknown = 'not checked: not a photo or video traceless knows';

export function formatInfo(handler: FormatHandler | undefined): FormatInfo {
  return handler ? { id: handler.id, name: handler.name, cleanable: handler.cleanable } : unknownFormat;
}

export function handlerFor(source: ByteSource): FormatHandler | undefined {
  return detectFormat(source.read(0, Math.min(sniffLength, source.size)));
}

export interface InspectOptions {
  /** A name for the report when the input is a Buffer. */
  name?: string;
  /**
   * Read past damage (default true for `inspect`/`inspectSync`): a cut-short or damaged file is
   * reported with what could be read, and the rest listed in `unreadable`. `false` throws
   * instead, as `clean` does.
   */
  bestEffort?: boolean;
}

/** Unreadable parts listed one by one in a best-effort report (the rest are counted). */
const maxUnreadableShown = 50;

/**
 * Errors that describe the file (damage, structures we cannot follow, our limits): in best-effort
 * mode they become `unreadable` entries. I/O failures and our own bugs (INTERNAL) still throw.
 */
const fileProblems: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['TRUNCATED', 'MALFORMED', 'UNSUPPORTED_FORMAT', 'LIMIT_EXCEEDED']);

/**
 * Inspects an open source. Strict by default (throws TracelessError, only, when the container is
 * unreadable); with `bestEffort` it throws only for I/O errors and internal errors.
 */
export function inspectSource(source: ByteSource, handler = handlerFor(source), options: { bestEffort?: boolean } = {}): Inspection {
  const inspection: Inspection = {
    file: source.name,
    format: formatInfo(handler),
    size: source.size,
    blocks: [],
    findings: [],
    locations: [],
    warnings: [],
    unreadable: [],
  };
  if (!handler) {
    inspection.unreadable.push(notCheckedUnknown);
    return inspection;
  }
  let report = emptyReport();
  try {
    // A walker that does not record into the report handed to it returns its own.
    report = options.bestEffort ? handler.inspect(source, { bestEffort: true, report }) : handler.inspect(source);
  } catch (error) {
    const problem = asTracelessError(error, source.name);
    if (!options.bestEffort || !fileProblems.has(problem.code)) throw problem;
    report.unreadable.push(`${problem.message} (reading stopped there: what comes before is reported, the rest was not read)`);
  }
  // A file damaged all through (a CRC broken in every chunk) says so in a few lines, not thousands.
  if (options.bestEffort && report.unreadable.length > maxUnreadableShown) {
    const more = report.unreadable.length - maxUnreadableShown;
    report.unreadable = [...report.unreadable.slice(0, maxUnreadableShown), `and ${more} more unreadable part(s) like these`];
  }
  Object.assign(inspection, {
    blocks: report.blocks,
    findings: report.findings,
    locations: report.locations,
    warnings: report.warnings,
    unreadable: report.unreadable,
  });
  return inspection;
}

/**
 * Reports every metadata block and decoded finding of a file (path) or of bytes (Buffer), on the
 * calling thread (the async `inspect` in `src/library/api.ts` runs this on a worker). Best effort by
 * default: a damaged file is reported as far as it can be read, the rest listed in `unreadable`;
 * pass `{ bestEffort: false }` to get a TracelessError instead.
 * @example const report = inspectSync('IMG_1234.jpg'); report.locations[0]?.latitude
 */
export function inspectSync(input: Input, options?: string | InspectOptions): Inspection {
  const { name, bestEffort = true } = typeof options === 'string' ? { name: options } : (options ?? {});
  let source: ByteSource;
  try {
    source = sourceFor(input, name, { onDemand: true });
  } catch (error) {
    throw asTracelessError(error, typeof input === 'string' ? input : name);
  }
  try {
    return inspectSource(source, handlerFor(source), { bestEffort });
  } catch (error) {
    throw error instanceof TracelessError ? error : asTracelessError(error, source.name);
  } finally {
    source.close();
  }
}
