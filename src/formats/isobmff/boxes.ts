/**
 * A bounded reader of ISO base media file format boxes (HEIF, AVIF, MP4, MOV, 3GP).
 * Reference: ISO/IEC 14496-12:2022 section 4.2 (object structure); Apple QuickTime File Format
 * ("Atoms": size 0 = to the end, size 1 = 64-bit size follows).
 *
 * Every box is checked against its parent before use: no box may overrun its parent, and walks
 * are limited in count and depth.
 */
import { TracelessError, checkCount } from '../../errors.js';
import { limits } from '../../limits.js';
import { heldAt, type ByteSource } from '../../io/source.js';

export interface Box {
  /** Four-character type as latin1 text (`moov`, `©xyz`). */
  type: string;
  /** Offset of the box's first byte in the file. */
  offset: number;
  /** Bytes of header: 8, or 16 with a 64-bit size, plus 16 for `uuid`. */
  headerSize: number;
  /** Total size including the header. */
  size: number;
  /** For `uuid` boxes: the 16-byte extended type as lowercase hex. */
  uuid?: string;
}

export const boxEnd = (box: Box) => box.offset + box.size;
export const payloadStart = (box: Box) => box.offset + box.headerSize;
export const payloadSize = (box: Box) => box.size - box.headerSize;

/**
 * Counts boxes read across one walk so that a crafted file cannot make the walk unbounded. It also
 * carries how the walk reads: a lenient budget (best-effort inspection) keeps a box cut short by
 * the end of the file, as far as the file goes, and records that in `damage` instead of throwing.
 */
export class BoxBudget {
  private count = 0;
  /** Whether a lenient walk has met the end of a cut-short file. */
  cutShort = false;
  /**
   * @param lenient read a box cut short by the end of the file as far as it goes
   * @param damage where a lenient walk records what was cut short (a report's `unreadable`, so that
   *   it is kept even when the walk fails further on)
   */
  constructor(
    readonly lenient = false,
    readonly damage: string[] = [],
  ) {}
  take(): void {
    this.count += 1;
    checkCount(this.count, limits.maxBoxCount, 'box count');
  }
}

/**
 * Type strings by their four bytes, so that every box of a type shares one string: the set and
 * property lookups keyed by type (keep-lists) then hash it once, not once per box. Bounded, as a
 * crafted file may use any number of types.
 */
const typeNames = new Map<number, string>();
const maxTypeNames = 4096;

/** The four bytes at `at` as a Latin-1 type string (one character per byte). */
function boxType(bytes: Buffer, at: number): string {
  const code = bytes.readUInt32BE(at);
  let type = typeNames.get(code);
  if (type === undefined) {
    type = String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
    if (typeNames.size < maxTypeNames) typeNames.set(code, type);
  }
  return type;
}

/**
 * Lists the boxes in `[start, end)` of the source. `end` is the parent's end. Throws MALFORMED
 * when a box is shorter than its header or overruns its parent, TRUNCATED when the data ends.
 */
export function readBoxes(source: ByteSource, start: number, end: number, budget = new BoxBudget(), context = 'file'): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) {
      // Some writers pad the end of a container with fewer than 8 zero bytes.
      if (source.read(offset, end - offset).every((byte) => byte === 0)) break;
      throw new TracelessError('MALFORMED', `${context}: ${end - offset} stray bytes at offset ${offset} are too short for a box`);
    }
    budget.take();
    // In memory, the header is read in place (no Buffer view per box), and the type decoded as
    // Latin-1 by fromCharCode rather than a native toString: a moov of tens of thousands of small
    // boxes spent a third of its walk on those two.
    const held = heldAt(source, offset, 8);
    const header = held >= 0 ? (source.wholeBuffer ?? source.heldBytes)! : source.read(offset, 8);
    const at = held >= 0 ? held : 0;
    let size = header.readUInt32BE(at);
    const type = boxType(header, at + 4);
    let headerSize = 8;
    if (size === 1) {
      if (end - offset < 16) throw new TracelessError('TRUNCATED', `${context}: box '${printable(type)}' at ${offset} has a cut 64-bit size`);
      const big = source.read(offset + 8, 8).readBigUInt64BE(0);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new TracelessError('MALFORMED', `${context}: box '${printable(type)}' at ${offset} has an impossible size`);
      size = Number(big);
      headerSize = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    let uuid: string | undefined;
    if (type === 'uuid') {
      if (offset + headerSize + 16 > end) throw new TracelessError('TRUNCATED', `${context}: uuid box at ${offset} is cut short`);
      uuid = source.read(offset + headerSize, 16).toString('hex');
      headerSize += 16;
    }
    if (size < headerSize) throw new TracelessError('MALFORMED', `${context}: box '${printable(type)}' at ${offset} is smaller than its header (${size} bytes)`);
    if (offset + size > end) {
      const what = end >= source.size && offset + size > source.size ? 'TRUNCATED' : 'MALFORMED';
      const message = `${context}: box '${printable(type)}' at ${offset} (${size} bytes) runs past the end of its ${context === 'file' ? 'file' : 'parent'} at ${end}`;
      if (!budget.lenient || what !== 'TRUNCATED') throw new TracelessError(what, message);
      // Cut short by the end of the file: keep what is there (its children are read as far as they go).
      // Said once: the boxes around the cut (its parents, then its children) are cut by the same end.
      if (!budget.cutShort) budget.damage.push(`${message} (the file is cut short)`);
      budget.cutShort = true;
      const box: Box = { type, offset, headerSize, size: end - offset };
      if (uuid !== undefined) box.uuid = uuid;
      boxes.push(box);
      break;
    }
    const box: Box = { type, offset, headerSize, size };
    if (uuid !== undefined) box.uuid = uuid;
    boxes.push(box);
    offset += size;
  }
  return boxes;
}

/** Children of a container box (`moov`, `trak`, …); `skip` bytes after the header (e.g. 4 for full boxes such as `meta`). */
export function readChildren(source: ByteSource, parent: Box, budget: BoxBudget, depth: number, skip = 0): Box[] {
  if (depth > limits.maxBoxDepth) throw new TracelessError('LIMIT_EXCEEDED', `boxes nested deeper than ${limits.maxBoxDepth} levels`);
  const start = payloadStart(parent) + skip;
  if (start > boxEnd(parent)) throw new TracelessError('MALFORMED', `box '${printable(parent.type)}' at ${parent.offset} is too small for its fields`);
  return readBoxes(source, start, boxEnd(parent), budget, `'${printable(parent.type)}'`);
}

/** A box type made safe for messages (types are file bytes, hence hostile). */
export function printable(type: string): string {
  // Nearly every type is plain ASCII already: checked without a regular expression first.
  for (let index = 0; index < type.length; index++) {
    const code = type.charCodeAt(index);
    if ((code < 0x20 || code > 0x7e) && code !== 0xa9) return type.replace(/[^\x20-\x7e\u00a9]/g, '?');
  }
  return type;
}

export function findBox(boxes: Box[], type: string): Box | undefined {
  return boxes.find((box) => box.type === type);
}
