/**
 * JPEG marker walker. Reference: ITU-T T.81 (ISO/IEC 10918-1) annex B (marker segments and the
 * interchange format); JFIF 1.02; Exif 2.32 section 4.5.4 (APP1 placement).
 *
 * Splits a JPEG into its marker segments, the entropy-coded data after each SOS, and whatever
 * follows EOI. Every length is checked against the data; a file without SOI, with a segment that
 * runs past the end, or without EOI is refused — unless the walk is lenient (best-effort
 * inspection): then a segment cut short is kept as far as the file goes, bytes where a marker
 * should be are skipped to the next marker, and each such problem is listed in `damage`.
 */
import { TracelessError, checkCount } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import { entropyScanner, scanWindowBytes } from './entropy-scan.js';

export const markers = {
  SOI: 0xd8,
  EOI: 0xd9,
  SOS: 0xda,
  COM: 0xfe,
  APP0: 0xe0,
  APP15: 0xef,
  TEM: 0x01,
} as const;

export interface JpegSegment {
  /** The marker code (the byte after 0xFF). */
  marker: number;
  /** Offset of the 0xFF that starts the marker. */
  offset: number;
  /** Bytes of the whole segment: marker, length field and payload. */
  length: number;
  /** Offset and length of the payload (after the 2-byte length field); 0 for markers without one. */
  payloadOffset: number;
  payloadLength: number;
}

export interface JpegEntropyData {
  offset: number;
  length: number;
}

export interface JpegLayout {
  /** Segments and entropy-coded runs, in file order. */
  parts: (({ type: 'segment' } & JpegSegment) | ({ type: 'entropy' } & JpegEntropyData))[];
  /** Offset just after EOI. */
  endOfImage: number;
  /** Bytes after EOI (motion-photo videos, MPF images, vendor trailers). */
  trailer: { offset: number; length: number } | null;
  /** Lenient walks only: what was wrong and where (the strict walk throws instead). */
  damage?: string[];
}

const isStandalone = (marker: number) => marker === markers.SOI || marker === markers.EOI || marker === markers.TEM || (marker >= 0xd0 && marker <= 0xd7);

export function isJpeg(head: Buffer): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

const skippedChunkBytes = 256;

/**
 * The entropy-coded runs of every source walked to its end, by source: a verification walk of a
 * planned output (`PlanSource`) skips the inside of a run copied verbatim from an input whose walk
 * found that run — the same bytes hold no marker — instead of searching it a second time.
 */
const walkedEntropy = new WeakMap<ByteSource, readonly JpegEntropyData[]>();

/** A source that can say which input bytes lie behind an offset (a planned output, src/io/plan-source.ts). */
interface CopiedFrom {
  copiedFrom(offset: number): { input: ByteSource; inputOffset: number; length: number; content?: string } | undefined;
}

/**
 * Where the marker search after `from` may start: past the inside of a copied run of the input's
 * entropy-coded data (one byte before its end, so an 0xFF there still meets its successor), or
 * `from` itself when the bytes are not known to be such a run.
 */
function knownEntropyEnd(source: ByteSource, from: number): number {
  const copied = (source as Partial<CopiedFrom>).copiedFrom?.(from);
  if (!copied || copied.content !== 'image' || copied.length < 2) return from;
  const runs = walkedEntropy.get(copied.input);
  if (!runs) return from;
  const start = copied.inputOffset;
  const end = start + copied.length;
  for (const run of runs) {
    if (start >= run.offset && end <= run.offset + run.length) return from + copied.length - 1;
  }
  return from;
}

/**
 * Finds the next marker after entropy-coded data starting at `from`: the first 0xFF followed by
 * a byte that is neither 0x00 (stuffing), 0xFF (fill) nor RST0–7. Returns its offset, or -1.
 * The data goes through the scanner's window in cache-sized pieces: read straight into it from a
 * file, copied into it from memory.
 */
function findMarkerAfterEntropy(source: ByteSource, from: number): number {
  let chunkStart = knownEntropyEnd(source, from);
  // Past a skipped run the marker is normally a byte or two away: a small first read, so that a
  // planned output does not gather the next scans' data just to find it.
  let chunkBytes = chunkStart > from ? skippedChunkBytes : scanWindowBytes;
  const scanner = entropyScanner();
  const whole = source.wholeBuffer;
  while (chunkStart < source.size) {
    // Overlap windows by one byte so that an 0xFF at a window's end sees its successor.
    const length = Math.min(chunkBytes, source.size - chunkStart);
    chunkBytes = scanWindowBytes;
    if (whole) scanner.window.set(whole.subarray(chunkStart, chunkStart + length));
    else if (source.readInto) source.readInto(chunkStart, length, scanner.window);
    else scanner.window.set(source.read(chunkStart, length));
    const index = scanner.find(0, length);
    if (index !== -1) return chunkStart + index;
    if (chunkStart + length >= source.size) return -1;
    chunkStart += length - 1;
  }
  return -1;
}

export function walkJpeg(source: ByteSource, options: { lenient?: boolean } = {}): JpegLayout {
  const size = source.size;
  if (size < 4 || !isJpeg(source.read(0, 3))) throw new TracelessError('MALFORMED', 'not a JPEG: the file does not start with an SOI marker');
  const parts: JpegLayout['parts'] = [{ type: 'segment', marker: markers.SOI, offset: 0, length: 2, payloadOffset: 2, payloadLength: 0 }];
  const damage: string[] = [];
  /** Strict: throws. Lenient: records, and the walk ends here (the rest of the file is not read). */
  const stop = (code: 'TRUNCATED' | 'MALFORMED', message: string): JpegLayout => {
    if (!options.lenient) throw new TracelessError(code, message);
    damage.push(message);
    return { parts, endOfImage: size, trailer: null, damage };
  };
  /** Lenient only: goes on at the next marker after `from`, or ends the walk when there is none. */
  const resumeAfter = (from: number, message: string): number | JpegLayout => {
    if (!options.lenient) throw new TracelessError('MALFORMED', message);
    const next = findMarkerAfterEntropy(source, from);
    damage.push(next === -1 ? message : `${message}; reading went on at the next marker, at byte ${next}`);
    return next === -1 ? { parts, endOfImage: size, trailer: null, damage } : next;
  };
  let offset = 2;
  let count = 0;
  while (true) {
    checkCount(++count, limits.maxSegmentCount, 'JPEG segment count');
    if (offset + 2 > size) return stop('TRUNCATED', `the JPEG ends at byte ${size} without an EOI marker (the file is cut short)`);
    const head = source.read(offset, 2);
    if (head[0] !== 0xff) {
      const resumed = resumeAfter(offset, `expected a JPEG marker at byte ${offset}, found 0x${head[0]!.toString(16).padStart(2, '0')}`);
      if (typeof resumed !== 'number') return resumed;
      offset = resumed;
      continue;
    }
    let marker = head[1]!;
    let markerOffset = offset;
    // Fill bytes: any number of 0xFF may precede a marker.
    while (marker === 0xff) {
      markerOffset += 1;
      if (markerOffset + 2 > size) return stop('TRUNCATED', 'the JPEG ends inside marker fill bytes');
      marker = source.read(markerOffset + 1, 1)[0]!;
    }
    if (marker === 0x00) {
      const resumed = resumeAfter(markerOffset + 2, `invalid JPEG marker 0xFF00 at byte ${markerOffset}`);
      if (typeof resumed !== 'number') return resumed;
      offset = resumed;
      continue;
    }
    if (marker === markers.EOI) {
      parts.push({ type: 'segment', marker, offset: markerOffset, length: 2, payloadOffset: markerOffset + 2, payloadLength: 0 });
      const endOfImage = markerOffset + 2;
      walkedEntropy.set(source, parts.filter((part): part is { type: 'entropy' } & JpegEntropyData => part.type === 'entropy'));
      return { parts, endOfImage, trailer: endOfImage < size ? { offset: endOfImage, length: size - endOfImage } : null, ...(damage.length ? { damage } : {}) };
    }
    if (marker === markers.SOI) return stop('MALFORMED', `a second SOI marker at byte ${markerOffset} inside the image`);
    if (isStandalone(marker)) {
      parts.push({ type: 'segment', marker, offset: markerOffset, length: 2, payloadOffset: markerOffset + 2, payloadLength: 0 });
      offset = markerOffset + 2;
      continue;
    }
    if (markerOffset + 4 > size) return stop('TRUNCATED', `the JPEG ends inside the header of marker 0xFF${hex(marker)} at byte ${markerOffset}`);
    const declared = source.read(markerOffset + 2, 2).readUInt16BE(0);
    if (declared < 2) {
      const resumed = resumeAfter(markerOffset + 4, `segment 0xFF${hex(marker)} at byte ${markerOffset} has an impossible length of ${declared}`);
      if (typeof resumed !== 'number') return resumed;
      offset = resumed;
      continue;
    }
    const segmentEnd = markerOffset + 2 + declared;
    if (segmentEnd > size) {
      const message = `segment 0xFF${hex(marker)} at byte ${markerOffset} declares ${declared} bytes but the file ends after ${size - markerOffset - 2}`;
      // Lenient: the part that is there is kept, so what it holds can still be decoded.
      if (options.lenient) parts.push({ type: 'segment', marker, offset: markerOffset, length: size - markerOffset, payloadOffset: markerOffset + 4, payloadLength: size - markerOffset - 4 });
      return stop('TRUNCATED', message);
    }
    parts.push({ type: 'segment', marker, offset: markerOffset, length: segmentEnd - markerOffset, payloadOffset: markerOffset + 4, payloadLength: declared - 2 });
    offset = segmentEnd;
    if (marker === markers.SOS) {
      const next = findMarkerAfterEntropy(source, offset);
      if (next === -1) {
        if (options.lenient && size > offset) parts.push({ type: 'entropy', offset, length: size - offset });
        return stop('TRUNCATED', 'the image data runs to the end of the file without an EOI marker (the file is cut short)');
      }
      if (next > offset) parts.push({ type: 'entropy', offset, length: next - offset });
      offset = next;
    }
  }
}

export function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}
