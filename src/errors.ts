/**
 * One error type for everything traceless refuses or fails at. Every error carries a stable
 * `code` (scripts match on it) and a human message that names the file and the problem.
 */
export type ErrorCode =
  | 'TRUNCATED' // a length or offset points past the end of the data
  | 'MALFORMED' // the structure breaks the format's rules
  | 'UNSUPPORTED_FORMAT' // bytes we do not recognise, or a format we can read but not clean
  | 'LIMIT_EXCEEDED' // a count, depth or size past one of our documented maximums
  | 'VERIFY_FAILED' // the written output still carries something it must not
  | 'OUTPUT_EXISTS' // refusing to overwrite an existing output without --force
  | 'OUTPUT_CONFLICT' // two inputs would be written to the same output (both refused)
  | 'IO_ERROR' // the file system said no
  | 'USAGE' // the command line itself is wrong
  | 'INTERNAL'; // a broken invariant in traceless itself (a bug to report), never the file's fault

export class TracelessError extends Error {
  readonly code: ErrorCode;
  /** The file the problem was found in, when there is one. */
  file?: string;

  constructor(code: ErrorCode, message: string, options?: { file?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TracelessError';
    this.code = code;
    if (options?.file !== undefined) this.file = options.file;
  }

  /** The message prefixed with the file name, for people. */
  describe(): string {
    return this.file ? `${this.file}: ${this.message}` : this.message;
  }
}

export function isTracelessError(value: unknown): value is TracelessError {
  return value instanceof TracelessError;
}

/**
 * A broken invariant inside traceless (an overlapping edit, a length that changed, a plan that
 * copies what it must not): our bug, not the file's. The message asks for a report.
 */
export function internalError(what: string): TracelessError {
  return new TracelessError('INTERNAL', `internal error in traceless (${what}); nothing was written — please report this with the file if you can share it`);
}

/**
 * Checks that `length` bytes starting at `offset` fit inside `[0, limit)`. Every length or
 * offset read from a file passes through here (or `checkCount`) before it is used.
 */
export function checkRange(offset: number, length: number, limit: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new TracelessError('MALFORMED', `${what}: invalid offset ${offset} or length ${length}`);
  }
  if (offset + length > limit) {
    throw new TracelessError(
      'TRUNCATED',
      `${what}: ${length} bytes at offset ${offset} run past the end of the data (${limit} bytes)`,
    );
  }
}

/** Throws LIMIT_EXCEEDED when a count read from a file is larger than we are willing to walk. */
export function checkCount(count: number, maximum: number, what: string): void {
  if (count > maximum) {
    throw new TracelessError('LIMIT_EXCEEDED', `${what}: ${count} is more than the maximum of ${maximum}`);
  }
}

/** Wraps anything thrown by a parser into a TracelessError, so only the documented type escapes. */
export function asTracelessError(error: unknown, file?: string): TracelessError {
  if (error instanceof TracelessError) {
    if (file && !error.file) error.file = file;
    return error;
  }
  const nodeCode = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof nodeCode === 'string' && /^E[A-Z]+$/.test(nodeCode)) {
    return new TracelessError('IO_ERROR', describeIoError(error as NodeJS.ErrnoException), { file, cause: error });
  }
  const zlibCode = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof zlibCode === 'string' && /^Z_/.test(zlibCode)) {
    return new TracelessError('MALFORMED', `damaged compressed data (${(error as Error).message})`, { file, cause: error });
  }
  // Anything else thrown from inside traceless (a RangeError from an unbounded read, a TypeError)
  // is our bug, not the file's: say so, and ask for a report.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const internal = internalError(message);
  const wrapped = new TracelessError('INTERNAL', internal.message, { file, cause: error });
  return wrapped;
}

function describeIoError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return `${error.code}: ${error.message}`;
  }
}
