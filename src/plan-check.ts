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
 * The needles indexed for one pass over the data: every two-byte gram of every needle, with where
 * in the needle it sits. Any occurrence of a needle of at least `stride + 1` bytes holds a gram that
 * starts at a multiple of `stride`, so only every `stride`-th position of the data is looked at
 * (every fifth for the shortest UTF-8 value), and only positions whose gram starts some needle's
 * gram are compared in full. One read of the data whatever the number of needles; no copy.
 */
interface NeedleIndex {
  needles: readonly ResidueNeedle[];
  /** Built on the first window large enough to need them (or once native searches cost too much). */
  tables?: GramTables;
  /** Native searches made so far for small windows (one per needle per window). */
  nativeSearches: number;
}

interface GramTables {
  /** 1 where some needle holds the two-byte gram (high byte first). */
  grams: Uint8Array;
  /** For each gram: the needles that hold it and at which offset. */
  entries: Map<number, { needle: ResidueNeedle; at: number }[]>;
  stride: number;
  /** Needles of fewer than two bytes (none come from `residueNeedles`), searched one by one. */
  tiny: readonly ResidueNeedle[];
}

function indexNeedles(needles: readonly ResidueNeedle[]): NeedleIndex {
  return { needles, nativeSearches: 0 };
}

/**
 * Windows up to this size (what traceless wrote: segment headers, tables, an orientation block,
 * and the few bytes either side of a copy) are searched with one native search per needle, which
 * costs less there than building the gram tables; the same needles are found either way.
 */
const smallWindowBytes = 16 * 1024;
/**
 * At most this many native searches per output: thousands of removed values times thousands of
 * small windows (a GIF of repeated blocks) would be quadratic, so past it the gram tables are built
 * and every further window costs its length once.
 */
const maxNativeSearches = 4096;

function gramTables(index: NeedleIndex): GramTables {
  if (index.tables) return index.tables;
  const needles = index.needles;
  const grams = new Uint8Array(65536);
  const entries = new Map<number, { needle: ResidueNeedle; at: number }[]>();
  const tiny: ResidueNeedle[] = [];
  let shortest = Number.POSITIVE_INFINITY;
  for (const needle of needles) {
    const bytes = needle.bytes;
    if (bytes.length < 2) {
      if (bytes.length > 0) tiny.push(needle);
      continue;
    }
    shortest = Math.min(shortest, bytes.length);
    for (let at = 0; at + 1 < bytes.length; at++) {
      const key = (bytes[at]! << 8) | bytes[at + 1]!;
      grams[key] = 1;
      let list = entries.get(key);
      if (!list) entries.set(key, (list = []));
      list.push({ needle, at });
    }
  }
  index.tables = { grams, entries, stride: Number.isFinite(shortest) ? shortest - 1 : 1, tiny };
  return index.tables;
}

/**
 * The first position from `from` on, in steps of `stride`, whose two-byte gram some needle holds
 * (or -1). A loop of its own, so that the step over image data — nearly every position a miss —
 * stays a tight, separately optimised loop.
 */
function nextCandidate(bytes: Uint8Array, grams: Uint8Array, from: number, last: number, stride: number): number {
  for (let position = from; position < last; position += stride) {
    if (grams[(bytes[position]! << 8) | bytes[position + 1]!] !== 0) return position;
  }
  return -1;
}

/** Adds to `found` the needles of `index` that occur wholly inside `window`. */
function searchWindow(window: Buffer, index: NeedleIndex, found: Set<ResidueNeedle>): void {
  if (!index.tables && window.length <= smallWindowBytes && index.nativeSearches + index.needles.length <= maxNativeSearches) {
    index.nativeSearches += index.needles.length;
    for (const needle of index.needles) if (needle.bytes.length > 0 && !found.has(needle) && window.indexOf(needle.bytes) !== -1) found.add(needle);
    return;
  }
  const tables = gramTables(index);
  for (const needle of tables.tiny) if (!found.has(needle) && window.indexOf(needle.bytes) !== -1) found.add(needle);
  const { grams, entries, stride } = tables;
  // A plain byte view: the loop stays on one array shape whatever Buffer subclass comes in.
  const bytes = new Uint8Array(window.buffer, window.byteOffset, window.length);
  const last = bytes.length - 1;
  for (let position = nextCandidate(bytes, grams, 0, last, stride); position !== -1; position = nextCandidate(bytes, grams, position + stride, last, stride)) {
    const key = (bytes[position]! << 8) | bytes[position + 1]!;
    for (const { needle, at } of entries.get(key)!) {
      const start = position - at;
      const wanted = needle.bytes;
      if (start < 0 || start + wanted.length > bytes.length || found.has(needle)) continue;
      // Compared here, byte by byte: in image data a candidate almost always differs in its first
      // bytes, and a call into `Buffer.compare` for each costs more than the loop.
      let same = 0;
      while (same < wanted.length && bytes[start + same] === wanted[same]) same++;
      if (same === wanted.length) found.add(needle);
    }
  }
}

/** Searches `[from, to)` of `output` in overlapping windows (each read within one piece where it can, so without a copy). */
function searchRange(output: ByteSource, from: number, to: number, index: NeedleIndex, overlap: number, found: Set<ResidueNeedle>): void {
  for (let offset = from; offset < to; offset += residueWindowBytes) {
    if (index.needles.every((needle) => found.has(needle))) return;
    const length = Math.min(output.size - offset, to - offset, residueWindowBytes + overlap);
    if (length <= 0) return;
    searchWindow(output.read(offset, length), index, found);
  }
}

/**
 * The needles found in the output of `pieces`: every needle, in every encoding, around every piece
 * traceless wrote; UTF-8 needles in copied data (within `residueCopiedLimitBytes`): its inside is
 * read straight from the input (the same bytes, no copy) and its two edges across the neighbours.
 */
export function findResidue(output: ByteSource, needles: readonly ResidueNeedle[], pieces?: readonly Piece[]): ResidueNeedle[] {
  if (needles.length === 0 || output.size === 0) return [];
  const overlap = Math.max(...needles.map((needle) => needle.bytes.length)) - 1;
  const found = new Set<ResidueNeedle>();
  const all = indexNeedles(needles);
  if (!pieces) {
    searchRange(output, 0, output.size, all, overlap, found);
    return [...found];
  }
  const copiedBytes = pieces.reduce((sum, piece) => sum + (piece.kind === 'copy' ? piece.length : 0), 0);
  const utf8Needles = needles.filter((needle) => needle.encoding === 'utf8');
  const utf8 = utf8Needles.length > 0 ? indexNeedles(utf8Needles) : undefined;
  let position = 0;
  for (const piece of pieces) {
    const length = piece.kind === 'bytes' ? piece.data.length : piece.length;
    const start = position;
    const end = Math.min(output.size, position + length);
    position += length;
    if (piece.kind === 'zeros' || length === 0) continue;
    if (piece.kind === 'bytes') {
      searchRange(output, Math.max(0, start - overlap), Math.min(output.size, end + overlap), all, overlap, found);
      continue;
    }
    if (copiedBytes > residueCopiedLimitBytes || !utf8) continue;
    // The inside of the copy (one piece: the input's own bytes), then each edge with its neighbour.
    searchRange(output, start, end, utf8, overlap, found);
    searchRange(output, Math.max(0, start - overlap), Math.min(end, start + overlap), utf8, overlap, found);
    searchRange(output, Math.max(start, end - overlap), Math.min(output.size, end + overlap), utf8, overlap, found);
  }
  return [...found];
}

/** Problems for each value of the input found again in the output. */
export function residueProblems(output: ByteSource, input: Inspection, mode: CleanMode, keepDates = false, pieces?: readonly Piece[]): string[] {
  return findResidue(output, residueNeedles(input, mode, keepDates), pieces).map(
    (needle) => `a value removed from ${needle.where} is still in the output's bytes (${needle.encoding}): ${JSON.stringify(needle.value.slice(0, 40))}`,
  );
}
