/**
 * The segments a JPEG decoder reads: frame header (SOFn), scan header (SOS), Huffman, arithmetic
 * conditioning and quantisation tables (DHT, DAC, DQT), restart interval (DRI), number of lines (DNL).
 * Reference: ITU-T T.81 (ISO/IEC 10918-1) annex B.2.2 (frame header), B.2.3 (scan header),
 * B.2.4.1–B.2.4.4 (table specifications), B.2.5 (DNL), table B.1 (marker codes).
 *
 * Each parser reads exactly the fields the standard defines and says how many bytes followed
 * them (`trailing`); each encoder writes a whole segment from parsed fields only, so nothing a file
 * hid after or between the fields can reach a cleaned copy.
 */
import { TracelessError } from '../../errors.js';
import { hex } from './markers.js';

export const codingMarkers = {
  SOF0: 0xc0,
  DHT: 0xc4,
  JPG: 0xc8,
  DAC: 0xcc,
  SOF15: 0xcf,
  RST0: 0xd0,
  RST7: 0xd7,
  SOS: 0xda,
  DQT: 0xdb,
  DNL: 0xdc,
  DRI: 0xdd,
  DHP: 0xde,
  EXP: 0xdf,
  JPG0: 0xf0,
  /** JPEG-LS frame header (ITU-T T.87), which shares the JPGn range. */
  SOF55: 0xf7,
  JPG13: 0xfd,
  TEM: 0x01,
} as const;

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
export function isFrameMarker(marker: number): boolean {
  return marker >= codingMarkers.SOF0 && marker <= codingMarkers.SOF15 && marker !== codingMarkers.DHT && marker !== codingMarkers.JPG && marker !== codingMarkers.DAC;
}

/** SOF3, 7, 11, 15: lossless (predictive) coding, no quantisation, DC tables only. */
export const isLosslessFrame = (marker: number) => isFrameMarker(marker) && (marker & 0x03) === 0x03;
/** SOF2, 6, 10, 14: progressive DCT. */
export const isProgressiveFrame = (marker: number) => isFrameMarker(marker) && (marker & 0x03) === 0x02;
/** SOF9–SOF15: arithmetic coding (DAC instead of DHT). */
export const isArithmeticFrame = (marker: number) => isFrameMarker(marker) && marker >= 0xc9;
/** SOF5–7 and SOF13–15: differential frames of a hierarchical process. */
export const isDifferentialFrame = (marker: number) => isFrameMarker(marker) && (marker & 0x07) >= 0x05;

export interface FrameComponent {
  id: number;
  /** Horizontal (high nibble) and vertical (low nibble) sampling factors. */
  sampling: number;
  quantTable: number;
}

export interface FrameHeader {
  marker: number;
  precision: number;
  lines: number;
  samplesPerLine: number;
  components: FrameComponent[];
}

export interface ScanComponent {
  id: number;
  dcTable: number;
  acTable: number;
}

export interface ScanHeader {
  components: ScanComponent[];
  spectralStart: number;
  spectralEnd: number;
  approximationHigh: number;
  approximationLow: number;
}

export interface HuffmanTable {
  /** 0 = DC (or lossless), 1 = AC. */
  tableClass: number;
  id: number;
  /** Number of codes of each length 1–16. */
  counts: Buffer;
  values: Buffer;
}

export interface QuantTable {
  /** 0 = 8-bit entries, 1 = 16-bit entries. */
  precision: number;
  id: number;
  /** 64 entries, 1 or 2 bytes each. */
  values: Buffer;
}

export interface ConditioningEntry {
  tableClass: number;
  id: number;
  value: number;
}

/** A parsed value and the count of bytes the segment carried past its defined fields. */
export interface Parsed<T> {
  value: T;
  trailing: number;
}

const frameComponentBytes = 3;
const frameFixedBytes = 6;
const scanComponentBytes = 2;
const scanFixedBytes = 4;
const huffmanCountBytes = 16;
const maxHuffmanValues = 256;
const quantEntries = 64;
const maxTableId = 3;

function malformed(marker: number, what: string): TracelessError {
  return new TracelessError('MALFORMED', `JPEG segment 0xFF${hex(marker)}: ${what}`);
}

/** A whole marker segment around `payload` (marker, 2-byte length counting itself, payload). */
export function markerSegment(marker: number, payload: Buffer): Buffer {
  const length = payload.length + 2;
  if (length > 0xffff) throw new TracelessError('LIMIT_EXCEEDED', `a rewritten JPEG segment 0xFF${hex(marker)} would exceed 65535 bytes`);
  return Buffer.concat([Buffer.from([0xff, marker, length >> 8, length & 0xff]), payload]);
}

/** T.81 B.2.2: P, Y, X, Nf, then Nf × (C, H|V, Tq). */
export function parseFrame(marker: number, payload: Buffer): Parsed<FrameHeader> {
  if (payload.length < frameFixedBytes) throw malformed(marker, `a frame header of ${payload.length} bytes is shorter than its 6 fixed bytes`);
  const count = payload[5]!;
  if (count === 0) throw malformed(marker, 'a frame header with no components');
  const defined = frameFixedBytes + count * frameComponentBytes;
  if (payload.length < defined) throw malformed(marker, `a frame header declares ${count} components but holds ${payload.length} bytes`);
  const components: FrameComponent[] = [];
  for (let index = 0; index < count; index++) {
    const at = frameFixedBytes + index * frameComponentBytes;
    const quantTable = payload[at + 2]!;
    if (quantTable > maxTableId) throw malformed(marker, `component ${payload[at]} uses quantisation table ${quantTable} (0–3 allowed)`);
    components.push({ id: payload[at]!, sampling: payload[at + 1]!, quantTable });
  }
  return { value: { marker, precision: payload[0]!, lines: payload.readUInt16BE(1), samplesPerLine: payload.readUInt16BE(3), components }, trailing: payload.length - defined };
}

export function encodeFrame(frame: FrameHeader): Buffer {
  const payload = Buffer.alloc(frameFixedBytes + frame.components.length * frameComponentBytes);
  payload[0] = frame.precision;
  payload.writeUInt16BE(frame.lines, 1);
  payload.writeUInt16BE(frame.samplesPerLine, 3);
  payload[5] = frame.components.length;
  frame.components.forEach((component, index) => {
    const at = frameFixedBytes + index * frameComponentBytes;
    payload[at] = component.id;
    payload[at + 1] = component.sampling;
    payload[at + 2] = component.quantTable;
  });
  return markerSegment(frame.marker, payload);
}

/** T.81 B.2.3: Ns, Ns × (Cs, Td|Ta), Ss, Se, Ah|Al. */
export function parseScan(payload: Buffer): Parsed<ScanHeader> {
  const marker = codingMarkers.SOS;
  if (payload.length < 1) throw malformed(marker, 'an empty scan header');
  const count = payload[0]!;
  if (count === 0 || count > 4) throw malformed(marker, `a scan of ${count} components (1–4 allowed)`);
  const defined = 1 + count * scanComponentBytes + 3;
  if (payload.length < defined) throw malformed(marker, `a scan header declares ${count} components but holds ${payload.length} bytes`);
  const components: ScanComponent[] = [];
  for (let index = 0; index < count; index++) {
    const at = 1 + index * scanComponentBytes;
    const tables = payload[at + 1]!;
    if (tables >> 4 > maxTableId || (tables & 0x0f) > maxTableId) throw malformed(marker, `scan component ${payload[at]} names table ${tables >> 4}/${tables & 0x0f} (0–3 allowed)`);
    components.push({ id: payload[at]!, dcTable: tables >> 4, acTable: tables & 0x0f });
  }
  const tail = 1 + count * scanComponentBytes;
  return {
    value: { components, spectralStart: payload[tail]!, spectralEnd: payload[tail + 1]!, approximationHigh: payload[tail + 2]! >> 4, approximationLow: payload[tail + 2]! & 0x0f },
    trailing: payload.length - defined,
  };
}

export function encodeScan(scan: ScanHeader): Buffer {
  const count = scan.components.length;
  const payload = Buffer.alloc(1 + count * scanComponentBytes + scanFixedBytes - 1);
  payload[0] = count;
  scan.components.forEach((component, index) => {
    payload[1 + index * scanComponentBytes] = component.id;
    payload[2 + index * scanComponentBytes] = (component.dcTable << 4) | component.acTable;
  });
  const tail = 1 + count * scanComponentBytes;
  payload[tail] = scan.spectralStart;
  payload[tail + 1] = scan.spectralEnd;
  payload[tail + 2] = (scan.approximationHigh << 4) | scan.approximationLow;
  return markerSegment(codingMarkers.SOS, payload);
}

/**
 * T.81 B.2.4.2: any number of (Tc|Th, L1…L16, values). Bytes at the end that cannot hold a whole
 * table are `trailing`; a table naming a class or slot the standard does not have is MALFORMED.
 */
export function parseHuffmanTables(payload: Buffer): Parsed<HuffmanTable[]> {
  const tables: HuffmanTable[] = [];
  let offset = 0;
  while (offset + 1 + huffmanCountBytes <= payload.length) {
    const classAndId = payload[offset]!;
    if (classAndId >> 4 > 1 || (classAndId & 0x0f) > maxTableId) throw malformed(codingMarkers.DHT, `a Huffman table of class ${classAndId >> 4}, slot ${classAndId & 0x0f}`);
    const counts = payload.subarray(offset + 1, offset + 1 + huffmanCountBytes);
    let total = 0;
    for (let index = 0; index < huffmanCountBytes; index++) total += counts[index]!;
    if (total > maxHuffmanValues) throw malformed(codingMarkers.DHT, `a Huffman table with ${total} codes (256 at most)`);
    const valuesAt = offset + 1 + huffmanCountBytes;
    if (valuesAt + total > payload.length) break;
    tables.push({ tableClass: classAndId >> 4, id: classAndId & 0x0f, counts, values: payload.subarray(valuesAt, valuesAt + total) });
    offset = valuesAt + total;
  }
  return { value: tables, trailing: payload.length - offset };
}

export function encodeHuffmanTables(tables: readonly HuffmanTable[]): Buffer {
  return markerSegment(codingMarkers.DHT, Buffer.concat(tables.flatMap((table) => [Buffer.from([(table.tableClass << 4) | table.id]), table.counts, table.values])));
}

/** T.81 B.2.4.1: any number of (Pq|Tq, 64 entries of 1 or 2 bytes). */
export function parseQuantTables(payload: Buffer): Parsed<QuantTable[]> {
  const tables: QuantTable[] = [];
  let offset = 0;
  // Fewer bytes than the smallest table are not a table (whatever their first byte says).
  while (offset + 1 + quantEntries <= payload.length) {
    const precisionAndId = payload[offset]!;
    if (precisionAndId >> 4 > 1 || (precisionAndId & 0x0f) > maxTableId) throw malformed(codingMarkers.DQT, `a quantisation table of precision ${precisionAndId >> 4}, slot ${precisionAndId & 0x0f}`);
    const entryBytes = (precisionAndId >> 4) + 1;
    const end = offset + 1 + quantEntries * entryBytes;
    if (end > payload.length) break;
    tables.push({ precision: precisionAndId >> 4, id: precisionAndId & 0x0f, values: payload.subarray(offset + 1, end) });
    offset = end;
  }
  return { value: tables, trailing: payload.length - offset };
}

export function encodeQuantTables(tables: readonly QuantTable[]): Buffer {
  return markerSegment(codingMarkers.DQT, Buffer.concat(tables.flatMap((table) => [Buffer.from([(table.precision << 4) | table.id]), table.values])));
}

/** T.81 B.2.4.3: any number of (Tc|Tb, Cs). */
export function parseConditioning(payload: Buffer): Parsed<ConditioningEntry[]> {
  const entries: ConditioningEntry[] = [];
  let offset = 0;
  for (; offset + 2 <= payload.length; offset += 2) {
    const classAndId = payload[offset]!;
    if (classAndId >> 4 > 1 || (classAndId & 0x0f) > maxTableId) throw malformed(codingMarkers.DAC, `conditioning for class ${classAndId >> 4}, slot ${classAndId & 0x0f}`);
    entries.push({ tableClass: classAndId >> 4, id: classAndId & 0x0f, value: payload[offset + 1]! });
  }
  return { value: entries, trailing: payload.length - offset };
}

export function encodeConditioning(entries: readonly ConditioningEntry[]): Buffer {
  return markerSegment(codingMarkers.DAC, Buffer.from(entries.flatMap((entry) => [(entry.tableClass << 4) | entry.id, entry.value])));
}

/** T.81 B.2.4.4 (DRI: Ri) and B.2.5 (DNL: NL): one 16-bit field each. */
export function parseShortField(marker: number, payload: Buffer): Parsed<number> {
  if (payload.length < 2) throw malformed(marker, `a ${payload.length}-byte segment where 2 bytes are defined`);
  return { value: payload.readUInt16BE(0), trailing: payload.length - 2 };
}

export function encodeShortField(marker: number, value: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(value, 0);
  return markerSegment(marker, payload);
}
