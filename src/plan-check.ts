/**
 * Verification with its own eyes: two checks that do not share the inspector's blind spots.
 *
 * 1. Typed pieces: every byte of the output is known — image or sample data copied from the input,
 *    bytes traceless wrote, or zeros. A plan that copies any other input bytes is refused.
 * 2. Residue: no sensitive text value found in the input (in any of its usual encodings) appears
 *    anywhere in the output's bytes, image data included.
 */
import type { Piece } from './formats/types.js';
import type { ByteSource } from './io/source.js';
import type { CleanMode, Finding, Inspection } from './types.js';

/** Problems with the plan's pieces (empty when every piece is typed and in range). */
export function checkPlanPieces(pieces: readonly Piece[], inputSize: number): string[] {
  const problems: string[] = [];
  for (const piece of pieces) {
    if (piece.kind !== 'copy') continue;
    if (piece.content !== 'image' && piece.content !== 'samples') {
      problems.push(`the plan copies ${piece.length} input bytes at offset ${piece.offset} that are not image or sample data`);
      if (problems.length >= 3) break;
      continue;
    }
    if (piece.offset < 0 || piece.length < 0 || piece.offset + piece.length > inputSize) {
      problems.push(`the plan copies ${piece.length} bytes at offset ${piece.offset}, past the end of the input`);
    }
  }
  return problems;
}

/** Values shorter than this are too common to search for (`Apple`, `2024`, `N`). */
export const minimumResidueLength = 6;
/** The most values searched per file (the longest first): bounded time on files with many findings. */
export const maximumResidueValues = 48;

export interface ResidueNeedle {
  value: string;
  encoding: 'utf8' | 'utf16le' | 'utf16be';
  bytes: Buffer;
  where: string;
}

function stringsOf(finding: Finding): string[] {
  const value = finding.value;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** Text that is mostly digits and separators (dates, version numbers) says little on its own and appears by chance. */
function isDistinctive(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '').length;
  return letters >= 3 || text.length >= 12;
}

function encodeUtf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let index = 0; index + 1 < le.length; index += 2) {
    be[index] = le[index + 1]!;
    be[index + 1] = le[index]!;
  }
  return be;
}

/**
 * The sensitive values of an input that must not survive a clean in `mode`: the string values of
 * every finding the clean removes, minus anything also present in what is kept on purpose (a DNG's
 * camera model, a standard colour profile's name), which the output legitimately still holds.
 */
export function residueNeedles(input: Inspection, mode: CleanMode, keepDates = false): ResidueNeedle[] {
  const kept = input.findings.filter((finding) => finding.retained || (mode === 'location' ? finding.category !== 'location' : keepDates && finding.category === 'time'));
  const keptText = kept.flatMap(stringsOf).join('\n');
  const values = new Map<string, string>();
  for (const finding of input.findings) {
    if (kept.includes(finding)) continue;
    for (const raw of stringsOf(finding)) {
      // Runs of printable text only: a value decoded from binary (a comment holding table bytes)
      // must not turn control bytes that kept image tables share into a "value".
      for (const line of raw.split(/[\u0000-\u001f\u007f-\u009f\ufffd]+/)) {
        const text = line.trim();
        if (text.length < minimumResidueLength || !isDistinctive(text)) continue;
        if (keptText.includes(text)) continue;
        if (!values.has(text)) values.set(text, finding.where);
      }
    }
  }
  const chosen = [...values.entries()].sort((a, b) => b[0].length - a[0].length).slice(0, maximumResidueValues);
  const needles: ResidueNeedle[] = [];
  for (const [value, where] of chosen) {
    needles.push({ value, where, encoding: 'utf8', bytes: Buffer.from(value, 'utf8') });
    needles.push({ value, where, encoding: 'utf16le', bytes: Buffer.from(value, 'utf16le') });
    needles.push({ value, where, encoding: 'utf16be', bytes: encodeUtf16be(value) });
  }
  return needles;
}

const residueWindowBytes = 4 * 1024 * 1024;
/**
 * Copied image/sample data is searched (UTF-8 values only) when there is at most this much of it:
 * every photo, and videos up to this size. Past it (multi-GB videos) only what traceless wrote is
 * searched, to keep a clean near copy speed; the samples are the input's own bytes, byte for byte,
 * and unreferenced bytes inside `mdat` are zeroed by the plan, not copied.
 */
export const residueCopiedLimitBytes = 256 * 1024 * 1024;

/**
 * The needles that occur in `window`, in one pass whatever their number: a 64 K table of the
 * two-byte prefixes that start some needle filters positions, and only those are compared in
 * full. (One `indexOf` per needle reads the data once per needle: on a video that is the cost of
 * the whole clean again, many times over.)
 */
function searchWindow(window: Buffer, needles: readonly ResidueNeedle[]): Set<ResidueNeedle> {
  const found = new Set<ResidueNeedle>();
  const byPrefix = new Map<number, ResidueNeedle[]>();
  const prefixes = new Uint8Array(65536);
  for (const needle of needles) {
    const key = (needle.bytes[0]! << 8) | needle.bytes[1]!;
    prefixes[key] = 1;
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), needle]);
  }
  let key = window.length > 0 ? window[0]! : 0;
  for (let next = 1; next < window.length; next++) {
    // The two bytes at [next - 1, next], rolled forward one byte at a time.
    key = ((key << 8) | window[next]!) & 0xffff;
    if (prefixes[key] === 0) continue;
    const index = next - 1;
    for (const needle of byPrefix.get(key)!) {
      if (found.has(needle) || index + needle.bytes.length > window.length) continue;
      if (window.compare(needle.bytes, 0, needle.bytes.length, index, index + needle.bytes.length) === 0) found.add(needle);
    }
    if (found.size === needles.length) break;
  }
  return found;
}

/** Searches `[from, to)` of `output` in overlapping windows; returns the needles not found (those found go to `found`). */
function searchRange(output: ByteSource, from: number, to: number, needles: ResidueNeedle[], overlap: number, found: ResidueNeedle[]): ResidueNeedle[] {
  let remaining = needles;
  for (let offset = from; offset < to && remaining.length > 0; offset += residueWindowBytes) {
    const length = Math.min(output.size - offset, to - offset, residueWindowBytes + overlap);
    const hits = searchWindow(output.read(offset, length), remaining);
    if (hits.size === 0) continue;
    found.push(...hits);
    remaining = remaining.filter((needle) => !hits.has(needle));
  }
  return remaining;
}

/**
 * The needles found in the output of `pieces`: every needle, in every encoding, around every piece
 * traceless wrote; UTF-8 needles in copied data (within `residueCopiedLimitBytes`).
 */
export function findResidue(output: ByteSource, needles: readonly ResidueNeedle[], pieces?: readonly Piece[]): ResidueNeedle[] {
  if (needles.length === 0 || output.size === 0) return [];
  const overlap = Math.max(...needles.map((needle) => needle.bytes.length)) - 1;
  const found: ResidueNeedle[] = [];
  if (!pieces) {
    searchRange(output, 0, output.size, [...needles], overlap, found);
    return found;
  }
  const copiedBytes = pieces.reduce((sum, piece) => sum + (piece.kind === 'copy' ? piece.length : 0), 0);
  let remaining = [...needles];
  let position = 0;
  for (const piece of pieces) {
    const length = piece.kind === 'bytes' ? piece.data.length : piece.length;
    const from = Math.max(0, position - overlap);
    const to = Math.min(output.size, position + length + overlap);
    position += length;
    if (piece.kind === 'zeros' || remaining.length === 0) continue;
    if (piece.kind === 'bytes') {
      remaining = searchRange(output, from, to, remaining, overlap, found);
      continue;
    }
    if (copiedBytes > residueCopiedLimitBytes) continue;
    const utf8 = remaining.filter((needle) => needle.encoding === 'utf8');
    const before = found.length;
    searchRange(output, from, to, utf8, overlap, found);
    const hits = new Set(found.slice(before));
    remaining = remaining.filter((needle) => !hits.has(needle));
  }
  return found;
}

/** Problems for each value of the input found again in the output. */
export function residueProblems(output: ByteSource, input: Inspection, mode: CleanMode, keepDates = false, pieces?: readonly Piece[]): string[] {
  return findResidue(output, residueNeedles(input, mode, keepDates), pieces).map(
    (needle) => `a value removed from ${needle.where} is still in the output's bytes (${needle.encoding}): ${JSON.stringify(needle.value.slice(0, 40))}`,
  );
}
