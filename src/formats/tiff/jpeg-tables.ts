/**
 * The `JPEGTables` tag (347) of a JPEG-compressed TIFF holds an "abbreviated table specification"
 * JPEG stream: SOI, DQT and DHT segments, EOI. Readers need its tables to decode the strips, but
 * the stream can carry anything a JPEG can (APP1 Exif with GPS, XMP, COM, bytes after EOI). It is
 * re-written here from its parsed tables: SOI, each DQT/DHT segment with exactly the tables it
 * defines (no bytes past them), EOI. Everything else goes.
 * References: ITU-T T.81 B.2.4.1 (DQT), B.2.4.2 (DHT), B.5 (abbreviated format for table
 * specification data); Adobe TIFF Technical Note 2 (JPEGTables).
 */
import { TracelessError } from '../../errors.js';

const markers = { SOI: 0xd8, EOI: 0xd9, DQT: 0xdb, DHT: 0xc4 } as const;
/** Bytes of a marker and its 2-byte length field. */
const segmentHeaderBytes = 4;
/** One quantisation table: 64 entries of 1 byte (Pq = 0) or 2 bytes (Pq = 1). */
const quantisationEntries = 64;
/** A Huffman table: a class/id byte, 16 code-length counts, then that many symbols (at most 256). */
const huffmanCountBytes = 16;
const maxHuffmanSymbols = 256;

export interface CleanedTables {
  /** The re-written stream (never longer than the input). */
  data: Buffer;
  /** What was left out, in a few words (empty when nothing was). */
  removed: string[];
}

/**
 * Re-writes a JPEGTables stream. Throws MALFORMED when the tables themselves cannot be read:
 * removing them would make the strips undecodable, so such a file is refused rather than changed.
 */
export function cleanJpegTables(value: Buffer): CleanedTables {
  const fail = (why: string): never => {
    throw new TracelessError('MALFORMED', `JPEGTables cannot be read (${why}); removing them would change the picture, so nothing was written`);
  };
  if (value.length < 2 || value[0] !== 0xff || value[1] !== markers.SOI) fail('no SOI marker');
  const parts: Buffer[] = [Buffer.from([0xff, markers.SOI])];
  const removed: string[] = [];
  let cursor = 2;
  let ended = false;
  while (cursor < value.length) {
    if (value[cursor] !== 0xff) fail(`no marker at byte ${cursor}`);
    while (cursor < value.length && value[cursor] === 0xff) cursor += 1; // fill bytes
    if (cursor >= value.length) fail('a marker is cut short');
    const marker = value[cursor]!;
    cursor += 1;
    if (marker === markers.EOI) {
      ended = true;
      break;
    }
    if (marker === markers.SOI || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) fail(`unexpected marker 0xFF${marker.toString(16).toUpperCase()}`);
    if (cursor + 2 > value.length) fail('a segment length is cut short');
    const length = value.readUInt16BE(cursor);
    if (length < 2 || cursor + length > value.length) fail(`a segment of ${length} bytes runs past the end`);
    const payload = value.subarray(cursor + 2, cursor + length);
    cursor += length;
    if (marker === markers.DQT || marker === markers.DHT) {
      const tables = marker === markers.DQT ? quantisationTables(payload, fail) : huffmanTables(payload, fail);
      const used = tables.reduce((sum, table) => sum + table.length, 0);
      if (used < payload.length) removed.push(`${payload.length - used} byte(s) after the tables of a ${marker === markers.DQT ? 'DQT' : 'DHT'} segment`);
      if (tables.length === 0) continue;
      const header = Buffer.alloc(segmentHeaderBytes);
      header[0] = 0xff;
      header[1] = marker;
      header.writeUInt16BE(2 + used, 2);
      parts.push(header, ...tables);
    } else {
      removed.push(`${markerName(marker)} segment (${payload.length} bytes)`);
    }
  }
  if (!ended) removed.push('a stream without EOI');
  else if (cursor < value.length && value.subarray(cursor).some((byte) => byte !== 0)) removed.push(`${value.length - cursor} byte(s) after EOI`);
  parts.push(Buffer.from([0xff, markers.EOI]));
  const data = Buffer.concat(parts);
  if (data.length > value.length) fail('the re-written tables would be longer than the original');
  return { data, removed };
}

function quantisationTables(payload: Buffer, fail: (why: string) => never): Buffer[] {
  const tables: Buffer[] = [];
  let cursor = 0;
  while (cursor < payload.length) {
    const precision = payload[cursor]! >> 4;
    const id = payload[cursor]! & 0x0f;
    if (precision > 1 || id > 3) break; // not a table: the rest is slack
    const length = 1 + quantisationEntries * (precision + 1);
    if (cursor + length > payload.length) break;
    tables.push(payload.subarray(cursor, cursor + length));
    cursor += length;
  }
  if (tables.length === 0 && payload.length > 0 && payload[0]! >> 4 <= 1 && (payload[0]! & 0x0f) <= 3) fail('a quantisation table is cut short');
  return tables;
}

function huffmanTables(payload: Buffer, fail: (why: string) => never): Buffer[] {
  const tables: Buffer[] = [];
  let cursor = 0;
  while (cursor + 1 + huffmanCountBytes <= payload.length) {
    const tableClass = payload[cursor]! >> 4;
    const id = payload[cursor]! & 0x0f;
    if (tableClass > 1 || id > 3) break;
    let symbols = 0;
    for (let index = 0; index < huffmanCountBytes; index++) symbols += payload[cursor + 1 + index]!;
    if (symbols > maxHuffmanSymbols) break;
    const length = 1 + huffmanCountBytes + symbols;
    if (cursor + length > payload.length) break;
    tables.push(payload.subarray(cursor, cursor + length));
    cursor += length;
  }
  if (tables.length === 0 && payload.length > 0) fail('a Huffman table is cut short or invalid');
  return tables;
}

function markerName(marker: number): string {
  if (marker >= 0xe0 && marker <= 0xef) return `APP${marker - 0xe0}`;
  if (marker === 0xfe) return 'COM';
  return `marker 0xFF${marker.toString(16).toUpperCase()}`;
}
