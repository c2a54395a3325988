/**
 * `clean`: plan a stripped copy, write it to a temporary file, verify the written bytes, and only
 * then move it into place. Any failure leaves no output behind.
 */
import { constants, copyFileSync, existsSync, linkSync, lstatSync, realpathSync, statSync, utimesSync } from 'node:fs';
import { TracelessError, asTracelessError } from './errors.js';
import type { CleanPlan, FormatHandler, Piece, PlanOptions } from './formats/types.js';
import { formatInfo, handlerFor, unknownFormat } from './inspect.js';
import { BufferSource, sourceFor, type ByteSource, type Input } from './io/source.js';
import { PlanSource } from './io/plan-source.js';
import { moveIntoPlace, planLength, removeQuietly, renderPlan, temporaryPathFor, writePlanToFile } from './io/write.js';
import type { CleanOptions, CleanResult, FormatInfo, VerifyResult } from './types.js';
import { verifyPlan, verifySource } from './verify.js';

export function planOptionsFrom(options: CleanOptions): PlanOptions {
  const planOptions: PlanOptions = { mode: options.only ?? 'all', keepOrientation: options.keepOrientation ?? true, keepDates: options.keepDates ?? false };
  if (options.dropExtraImages) planOptions.dropExtraImages = true;
  return planOptions;
}

function baseResult(file: string, format: FormatInfo): CleanResult {
  return { file, output: null, status: 'failed', format, removed: [], kept: [], verification: null, error: null, bytesWritten: 0 };
}

/** Errors about the input itself (refusals) versus errors while writing (failures). */
const refusalCodes = new Set(['TRUNCATED', 'MALFORMED', 'UNSUPPORTED_FORMAT', 'LIMIT_EXCEEDED', 'OUTPUT_EXISTS', 'OUTPUT_CONFLICT']);

export function failedResult(file: string, error: unknown, format: FormatInfo = unknownFormat): CleanResult {
  const problem = asTracelessError(error, file);
  const result = baseResult(file, format);
  result.status = refusalCodes.has(problem.code) ? 'refused' : 'failed';
  result.error = { code: problem.code, message: problem.describe() };
  return result;
}

/** Picks the handler and plans the clean; throws a refusal for unknown or read-only formats. */
export function planClean(source: ByteSource, options: PlanOptions): { handler: FormatHandler; plan: CleanPlan } {
  const handler = handlerFor(source);
  if (!handler) {
    throw new TracelessError('UNSUPPORTED_FORMAT', 'not a photo or video format traceless recognises; nothing was written', { file: source.name });
  }
  if (!handler.plan || !handler.cleanable) {
    throw new TracelessError('UNSUPPORTED_FORMAT', `${handler.name} files can be scanned but not cleaned yet; nothing was written`, { file: source.name });
  }
  try {
    return { handler, plan: handler.plan(source, options) };
  } catch (error) {
    throw asTracelessError(error, source.name);
  }
}

/**
 * Plans a clean of `source` and verifies the exact bytes the plan produces — read through the plan,
 * before a byte is written or rendered (re-inspection, second plan, typed pieces, residue search).
 * Throws when verification fails. `outputName` names the output in verification messages.
 */
function planAndVerify(source: ByteSource, planOptions: PlanOptions, file: string, format: FormatInfo, outputName: string): { result: CleanResult; plan: CleanPlan } {
  const { handler, plan } = planClean(source, planOptions);
  const result = baseResult(file, format);
  result.bytesRead = source.size;
  fillFromPlan(result, plan, source);
  result.verification = verifyPlan(plan, source, new PlanSource(plan.pieces, source, outputName), planOptions, handler);
  if (!result.verification.ok) throw verificationError(file, result.verification);
  return { result, plan };
}

function fillFromPlan(result: CleanResult, plan: CleanPlan, input: ByteSource): void {
  result.removed = plan.removed.map((removal) => ({ ...removal }));
  result.kept = [...plan.kept];
  result.status = plan.removed.length > 0 ? 'cleaned' : 'already-clean';
  // "Already clean" promises that the file stays exactly as it is (in place, nothing is written).
  // A plan that removed nothing but re-wrote a structure differently is a change: say so.
  if (result.status === 'already-clean' && !sameBytes(new PlanSource(plan.pieces, input, input.name), input)) {
    result.status = 'cleaned';
    result.removed.push({ where: 'structure', kind: 'other', bytes: 0, note: 're-written from its parsed fields (slack or non-standard layout dropped)' });
  }
}

const compareWindowBytes = 4 * 1024 * 1024;

/** Whether two sources hold the same bytes (read in bounded windows). */
function sameBytes(a: ByteSource, b: ByteSource): boolean {
  if (a.size !== b.size) return false;
  for (let offset = 0; offset < a.size; offset += compareWindowBytes) {
    const length = Math.min(compareWindowBytes, a.size - offset);
    if (!a.read(offset, length).equals(b.read(offset, length))) return false;
  }
  return true;
}

function verificationError(file: string, verification: VerifyResult): TracelessError {
  return new TracelessError('VERIFY_FAILED', `the cleaned copy did not verify, so it was not written: ${verification.problems.slice(0, 3).join('; ')}`, { file });
}

/**
 * Cleans `input` into the file `output` (or in place with `options.inPlace`), on the calling
 * thread (the async `clean` in `src/library/api.ts` runs this on a worker).
 * @example const result = cleanSync('IMG_1234.jpg', 'IMG_1234.clean.jpg');
 */
export function cleanSync(input: Input, output: string | null, options: CleanOptions = {}): CleanResult {
  const file = typeof input === 'string' ? input : '<buffer>';
  const destination = options.inPlace ? (typeof input === 'string' ? input : null) : output;
  if (!destination) return failedResult(file, new TracelessError('USAGE', 'an output path is needed (or in-place mode with a file path)'));
  let source: ByteSource;
  try {
    source = sourceFor(input);
  } catch (error) {
    return failedResult(file, error);
  }
  let format = unknownFormat;
  try {
    const planOptions = planOptionsFrom(options);
    format = formatInfo(handlerFor(source));
    if (!options.inPlace && typeof input === 'string' && sameFile(input, destination)) {
      throw new TracelessError('USAGE', 'the output would overwrite the original; use --in-place to replace it');
    }
    if (options.inPlace && typeof input === 'string' && lstatSync(input).isSymbolicLink()) {
      throw new TracelessError('UNSUPPORTED_FORMAT', 'is a symbolic link: in-place mode never writes through links; clean its target instead');
    }
    if (!options.inPlace && !options.force && existsSync(destination)) {
      return existingOutput(file, source, destination, format, planOptions);
    }
    // Verified before a byte is written, then written.
    const { result, plan } = planAndVerify(source, planOptions, file, format, destination);
    if (options.dryRun) {
      result.dryRun = true;
      result.wouldWrite = planLength(plan.pieces);
      result.output = destination;
      return result;
    }
    if (options.inPlace && result.status === 'already-clean') {
      result.output = destination; // nothing to remove: the original stays exactly as it is
      return result;
    }
    const temporary = temporaryPathFor(destination);
    try {
      result.bytesWritten = writePlanToFile(plan, source, temporary, options.inPlace === true);
      const writtenSize = statSync(temporary).size;
      if (writtenSize !== result.bytesWritten) throw new TracelessError('IO_ERROR', `the output was cut short while writing (${writtenSize} of ${result.bytesWritten} bytes)`);
      if (options.keepMtime && typeof input === 'string') {
        const times = statSync(input);
        utimesSync(temporary, times.atime, times.mtime);
      }
      if (options.inPlace && options.backupSuffix) {
        // A hard link keeps the original's bytes under the backup name at no cost; it fails
        // (EEXIST) rather than overwrite an older backup.
        keepBackup(destination, `${destination}${options.backupSuffix}`);
      }
      moveIntoPlace(temporary, destination);
    } catch (error) {
      removeQuietly(temporary);
      throw writeFailure(error, destination);
    }
    result.output = destination;
    return result;
  } catch (error) {
    const failed = failedResult(file, error, format);
    return failed;
  } finally {
    source.close();
  }
}

/**
 * An output already exists: keep it (`skipped`, so re-running resumes) only when it is exactly what
 * this input cleans to — another file that merely verifies clean (an unrelated photo, the output of
 * a different input) is refused with OUTPUT_EXISTS.
 */
function existingOutput(file: string, source: ByteSource, destination: string, format: FormatInfo, options: PlanOptions): CleanResult {
  const existing = sourceFor(destination);
  let verification: VerifyResult;
  let matches = false;
  try {
    verification = verifySource(existing, options);
    if (verification.ok) {
      try {
        const { plan } = planClean(source, options);
        matches = sameBytes(new PlanSource(plan.pieces, source, destination), existing);
      } catch {
        matches = false;
      }
    }
  } finally {
    existing.close();
  }
  if (verification.ok && matches) {
    const result = baseResult(file, format);
    result.status = 'skipped';
    result.output = destination;
    result.verification = verification;
    return result;
  }
  const why = verification.ok ? 'is not the clean copy of this file' : 'is not a clean copy';
  const result = failedResult(file, new TracelessError('OUTPUT_EXISTS', `${destination} already exists and ${why}; use --force to overwrite it`), format);
  result.verification = verification;
  return result;
}

/** A file-system failure while writing names the output it could not write, not the input. */
function writeFailure(error: unknown, destination: string): TracelessError {
  const problem = asTracelessError(error, destination);
  if (problem.code !== 'IO_ERROR') return problem;
  return new TracelessError('IO_ERROR', `cannot write ${destination}: ${problem.message} (check that its folder exists and is writable, and that there is space left)`, { cause: error });
}

function sameFile(a: string, b: string): boolean {
  try {
    if (!existsSync(b)) return false;
    const statA = statSync(a);
    const statB = statSync(b);
    return (statA.ino === statB.ino && statA.dev === statB.dev) || realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** Cleans bytes to bytes (for pipes), on the calling thread: verified in memory, nothing touches the disk. */
export function cleanBufferSync(input: Buffer, options: CleanOptions = {}, name = '<stdin>'): { result: CleanResult; data: Buffer | null } {
  const source = new BufferSource(input, name);
  let format = unknownFormat;
  try {
    format = formatInfo(handlerFor(source));
    const planOptions = planOptionsFrom(options);
    // Verified through the plan, as `cleanSync` verifies before it writes: the output's walk skips
    // the image data the input's walk already searched (a rendered copy would be walked again, byte
    // for byte). The buffer returned is those verified pieces put end to end.
    const { result, plan } = planAndVerify(source, planOptions, name, format, name);
    const data = renderPlan(plan, source);
    result.bytesWritten = data.length;
    return { result, data };
  } catch (error) {
    return { result: failedResult(name, error, format), data: null };
  }
}

/** Keeps the original under `backup`: a hard link where the file system allows, else a copy. */
function keepBackup(original: string, backup: string): void {
  try {
    linkSync(original, backup);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new TracelessError('OUTPUT_EXISTS', `the backup ${backup} already exists`);
    copyFileSync(original, backup, constants.COPYFILE_EXCL);
  }
}

/**
 * Plans and verifies a clean without writing it (for streams): the verified pieces are returned,
 * and the caller emits them from `input` (which must not change meanwhile). `pieces` is null when
 * the result is a refusal or failure.
 */
export function cleanToPieces(input: Input, options: CleanOptions = {}, name = '<stream>'): { result: CleanResult; pieces: Piece[] | null } {
  let source: ByteSource;
  try {
    // A spooled stream is a private temporary file: messages name the stream, never that path.
    source = typeof input === 'string' ? renamedSource(sourceFor(input), name) : sourceFor(input, name);
  } catch (error) {
    return { result: failedResult(name, error), pieces: null };
  }
  let format = unknownFormat;
  try {
    format = formatInfo(handlerFor(source));
    const planOptions = planOptionsFrom(options);
    const { result, plan } = planAndVerify(source, planOptions, name, format, name);
    result.bytesWritten = planLength(plan.pieces);
    return { result, pieces: plan.pieces };
  } catch (error) {
    return { result: failedResult(name, error, format), pieces: null };
  } finally {
    source.close();
  }
}

function renamedSource(source: ByteSource, name: string): ByteSource {
  return {
    name,
    size: source.size,
    wholeBuffer: source.wholeBuffer,
    read: (offset, length) => source.read(offset, length),
    readInto: source.readInto ? (offset, length, target) => source.readInto!(offset, length, target) : undefined,
    close: () => source.close(),
  };
}
