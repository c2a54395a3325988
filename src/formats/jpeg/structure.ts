/**
 * The JPEG's own structure, re-written from parsed fields: SOI, the frame header, the tables the
 * scans actually use, the scan headers, the restart interval, EOI, and the colour segments (JFIF,
 * Adobe, ICC). Shared by `plan` (which writes these bytes) and `inspect` (which reports what a
 * clean would take out of them, so `scan` never calls such a file clean).
 * References: ITU-T T.81 annex B (syntax), annex G.1.2 and libjpeg-turbo jdinput.c / jdphuff.c
 * (which tables each kind of scan reads, and when quantisation tables are latched).
 *
 * A table definition is used when a scan reads its slot before the slot is defined again; a
 * quantisation table is latched by the first scan holding a component (T.81 B.2.4.1). Unused
 * definitions are left out; segments keep their place relative to the scans.
 */
import { TracelessError, checkCount } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import type { BlockKind } from '../../types.js';
import {
  codingMarkers,
  encodeConditioning,
  encodeFrame,
  encodeHuffmanTables,
  encodeQuantTables,
  encodeScan,
  encodeShortField,
  isArithmeticFrame,
  isDifferentialFrame,
  isFrameMarker,
  isLosslessFrame,
  isProgressiveFrame,
  parseConditioning,
  parseFrame,
  parseHuffmanTables,
  parseQuantTables,
  parseScan,
  parseShortField,
  type ConditioningEntry,
  type FrameHeader,
  type HuffmanTable,
  type QuantTable,
} from './coding.js';
import { assembleIcc, encodeAdobe, encodeIccChunks, encodeJfif, parseAdobe, parseIccChunk, parseJfif, sanitiseIccProfile } from './colour-segments.js';
import type { ClassifiedSegment } from './inspect.js';
import { hex, markers } from './markers.js';

export interface SegmentRewrite {
  /** The bytes written in place of the segment; empty when it is removed. */
  emitted: Buffer;
  /** What the clean takes out; empty when the emitted bytes are the segment's own. */
  notes: string[];
  where: string;
  kind: BlockKind;
  /** Input bytes the notes speak for (the segment, or every ICC chunk for the first one). */
  originalLength: number;
  /** Set for kept colour segments, for the clean result's `kept` list. */
  keptLabel?: string;
}

export interface JpegStructure {
  /** By segment offset: every segment the structure owns (all but the metadata APPn and COM). */
  rewrites: Map<number, SegmentRewrite>;
  frame: FrameHeader;
}

/** Segments whose fate is decided here rather than by the metadata planner. */
export function isStructural(segment: ClassifiedSegment): boolean {
  const { kind } = segment.info;
  return kind === 'image' || kind === 'jfif' || kind === 'adobe' || kind === 'icc' || (kind === 'thumbnail' && segment.marker === markers.APP0);
}

interface Definition {
  used: boolean;
}

type Slots = Map<number, Definition>;

function nameOf(marker: number): string {
  if (isFrameMarker(marker)) return `SOF${marker - codingMarkers.SOF0}`;
  const names: Record<number, string> = { 0xc4: 'DHT', 0xcc: 'DAC', 0xd8: 'SOI', 0xd9: 'EOI', 0xda: 'SOS', 0xdb: 'DQT', 0xdc: 'DNL', 0xdd: 'DRI' };
  if (marker >= codingMarkers.RST0 && marker <= codingMarkers.RST7) return `RST${marker - codingMarkers.RST0}`;
  return names[marker] ?? `0xFF${hex(marker)}`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function unsupported(what: string): TracelessError {
  return new TracelessError('UNSUPPORTED_FORMAT', `${what}; traceless cannot re-write it without risking the picture, so nothing was written`);
}

/** Results (or the refusal) by source and segment list: inspect and plan share one analysis. */
const structures = new WeakMap<ByteSource, { segments: readonly ClassifiedSegment[]; outcome: JpegStructure | Error }>();

export function rewriteStructure(source: ByteSource, segments: readonly ClassifiedSegment[]): JpegStructure {
  const cached = structures.get(source);
  if (cached && cached.segments === segments) {
    if (cached.outcome instanceof Error) throw cached.outcome;
    return cached.outcome;
  }
  let outcome: JpegStructure | Error;
  try {
    outcome = rewriteUncached(source, segments);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    outcome = error;
  }
  structures.set(source, { segments, outcome });
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

function rewriteUncached(source: ByteSource, segments: readonly ClassifiedSegment[]): JpegStructure {
  // Structural segments are parsed in memory: together they must fit the metadata limit.
  const structuralBytes = segments.reduce((sum, segment) => sum + (isStructural(segment) ? segment.payloadLength : 0), 0);
  checkCount(structuralBytes, limits.maxMetadataBytes, 'bytes of JPEG tables, headers and colour segments');
  const rewrites = new Map<number, SegmentRewrite>();
  const payload = (segment: ClassifiedSegment) => source.read(segment.payloadOffset, segment.payloadLength);
  const body = (segment: ClassifiedSegment) => payload(segment).subarray(Math.min(segment.info.identifierLength, segment.payloadLength));
  const firstScan = segments.find((segment) => segment.marker === markers.SOS)?.offset ?? Infinity;
  const beforeImage = (segment: ClassifiedSegment) => segment.offset < firstScan;
  // libjpeg takes the colour transform of the last Adobe segment it reads before the first scan.
  const adobeKept = segments.filter((segment) => segment.info.kind === 'adobe' && beforeImage(segment) && parseAdobe(body(segment))).pop()?.offset;
  const jfifKept = segments.find((segment) => segment.info.kind === 'jfif' && beforeImage(segment) && parseJfif(body(segment)))?.offset;

  let frame: FrameHeader | undefined;
  const huffman: [Slots, Slots] = [new Map(), new Map()];
  const conditioning: [Slots, Slots] = [new Map(), new Map()];
  const quant: Slots = new Map();
  let restart: Definition | undefined;
  const latched = new Set<number>();
  const pending: (() => void)[] = [];
  const iccSegments: ClassifiedSegment[] = [];

  const set = (segment: ClassifiedSegment, emitted: Buffer, notes: string[], kind: BlockKind = 'other', keptLabel?: string) => {
    // A removal is never the segment's own bytes: no need to read them back.
    const same = emitted.length === segment.length && emitted.equals(source.read(segment.offset, segment.length));
    const rewrite: SegmentRewrite = { emitted, notes: same ? [] : notes.length ? notes : ['re-written from its defined fields'], where: segment.info.kind === 'image' ? nameOf(segment.marker) : segment.info.where, kind, originalLength: segment.length };
    if (keptLabel && emitted.length > 0) rewrite.keptLabel = keptLabel;
    rewrites.set(segment.offset, rewrite);
  };
  const remove = (segment: ClassifiedSegment, note: string, kind: BlockKind = 'other') => set(segment, Buffer.alloc(0), [note], kind);
  const trailingNote = (trailing: number) => (trailing > 0 ? [`${plural(trailing, 'byte')} after the defined fields`] : []);
  /** Emits a table segment with only its used definitions, once every scan has been seen. */
  const tablesLater = <T>(segment: ClassifiedSegment, definitions: { table: T; slot: Definition }[], trailing: number, encode: (tables: T[]) => Buffer) => {
    pending.push(() => {
      const used = definitions.filter((definition) => definition.slot.used).map((definition) => definition.table);
      const unused = definitions.length - used.length;
      const notes = [...(unused > 0 ? [`${plural(unused, 'table')} no scan uses`] : []), ...trailingNote(trailing)];
      if (used.length === 0) set(segment, Buffer.alloc(0), notes.length ? notes : ['a table segment with no table']);
      else set(segment, encode(used), notes);
    });
  };
  const define = (slots: Slots, id: number): Definition => {
    const definition = { used: false };
    slots.set(id, definition);
    return definition;
  };

  for (const segment of segments) {
    const { marker } = segment;
    const { kind } = segment.info;
    if (kind === 'jfif') {
      const jfif = parseJfif(body(segment));
      if (!jfif || segment.offset !== jfifKept) {
        remove(segment, !jfif ? 'a JFIF segment too short to be read (decoders ignore it)' : beforeImage(segment) ? 'a repeated JFIF segment' : 'a JFIF segment after the image data', 'jfif');
        continue;
      }
      const notes = [...(jfif.thumbnailPixels > 0 ? [`JFIF thumbnail of ${plural(jfif.thumbnailPixels, 'pixel')}`] : []), ...trailingNote(jfif.trailing)];
      set(segment, encodeJfif(jfif), notes, jfif.thumbnailPixels > 0 ? 'thumbnail' : 'jfif');
      continue;
    }
    if (kind === 'thumbnail') {
      remove(segment, 'JFXX extension thumbnail', 'thumbnail');
      continue;
    }
    if (kind === 'adobe') {
      const adobe = parseAdobe(body(segment));
      if (!adobe || segment.offset !== adobeKept) {
        remove(segment, !adobe ? 'an Adobe segment too short to be read (decoders ignore it)' : 'an Adobe segment a later one overrides, or after the image data', 'adobe');
        continue;
      }
      set(segment, encodeAdobe(adobe.fields), trailingNote(adobe.trailing), 'adobe', 'Adobe colour transform (APP14)');
      continue;
    }
    if (kind === 'icc') {
      iccSegments.push(segment);
      continue;
    }
    if (kind !== 'image') continue;
    if (marker === markers.SOI) {
      set(segment, Buffer.from([0xff, markers.SOI]), []);
    } else if (marker === markers.EOI) {
      set(segment, Buffer.from([0xff, markers.EOI]), []);
    } else if (isFrameMarker(marker)) {
      if (frame) throw unsupported(`a second frame header (${nameOf(marker)}) inside one image (a hierarchical JPEG)`);
      if (isDifferentialFrame(marker)) throw unsupported(`a differential frame (${nameOf(marker)}) of a hierarchical JPEG`);
      const parsed = parseFrame(marker, payload(segment));
      frame = parsed.value;
      if (frame.lines === 0) throw unsupported('the image height is 0 in the frame header and would come from a DNL segment after the first scan');
      set(segment, encodeFrame(frame), trailingNote(parsed.trailing));
    } else if (marker === codingMarkers.SOF55 || marker === codingMarkers.DHP || marker === codingMarkers.EXP) {
      throw unsupported(marker === codingMarkers.SOF55 ? 'a JPEG-LS image (SOF55)' : `a hierarchical JPEG (${nameOf(marker)})`);
    } else if (marker === codingMarkers.DHT) {
      const parsed = parseHuffmanTables(payload(segment));
      const definitions = parsed.value.map((table) => ({ table, slot: define(huffman[table.tableClass as 0 | 1], table.id) }));
      tablesLater<HuffmanTable>(segment, definitions, parsed.trailing, encodeHuffmanTables);
    } else if (marker === codingMarkers.DQT) {
      const parsed = parseQuantTables(payload(segment));
      const definitions = parsed.value.map((table) => ({ table, slot: define(quant, table.id) }));
      tablesLater<QuantTable>(segment, definitions, parsed.trailing, encodeQuantTables);
    } else if (marker === codingMarkers.DAC) {
      const parsed = parseConditioning(payload(segment));
      const definitions = parsed.value.map((table) => ({ table, slot: define(conditioning[table.tableClass as 0 | 1], table.id) }));
      tablesLater<ConditioningEntry>(segment, definitions, parsed.trailing, encodeConditioning);
    } else if (marker === codingMarkers.DRI) {
      const parsed = parseShortField(marker, payload(segment));
      const definition: Definition = { used: false };
      restart = definition;
      pending.push(() => {
        if (!definition.used) set(segment, Buffer.alloc(0), ['a restart interval no scan uses']);
        else set(segment, encodeShortField(marker, parsed.value), trailingNote(parsed.trailing));
      });
    } else if (marker === markers.SOS) {
      if (!frame) throw new TracelessError('MALFORMED', 'a JPEG scan header (SOS) comes before any frame header');
      const parsed = parseScan(payload(segment));
      const scan = parsed.value;
      const lossless = isLosslessFrame(frame.marker);
      const progressive = isProgressiveFrame(frame.marker);
      // Which tables this scan reads (T.81 G.1.2; libjpeg jdphuff.c start_pass_phuff_decoder).
      const readsDc = lossless || !progressive || (scan.spectralStart === 0 && scan.approximationHigh === 0);
      const readsAc = !lossless && (!progressive || scan.spectralStart > 0);
      const tables = isArithmeticFrame(frame.marker) ? conditioning : huffman;
      for (const component of scan.components) {
        const frameComponent = frame.components.find((candidate) => candidate.id === component.id);
        if (!frameComponent) throw new TracelessError('MALFORMED', `a JPEG scan names component ${component.id}, which the frame header does not have`);
        if (readsDc) markUsed(tables[0], component.dcTable);
        if (readsAc) markUsed(tables[1], component.acTable);
        if (!lossless && !latched.has(component.id)) {
          latched.add(component.id);
          markUsed(quant, frameComponent.quantTable);
        }
      }
      if (restart) restart.used = true;
      set(segment, encodeScan(scan), trailingNote(parsed.trailing));
    } else if (marker === codingMarkers.DNL) {
      remove(segment, 'a DNL segment (the frame header already gives the height)');
    } else {
      remove(segment, `marker 0xFF${hex(marker)} has no role in decoding this image`);
    }
  }
  if (!frame || !segments.some((segment) => segment.marker === markers.SOS)) {
    throw new TracelessError('MALFORMED', 'the JPEG has no frame or scan header: there is no image to keep');
  }
  for (const emit of pending) emit();
  if (iccSegments.length > 0) rewriteIcc(source, iccSegments, body, rewrites);
  return { rewrites, frame };
}

function markUsed(slots: Slots, id: number): void {
  const definition = slots.get(id);
  if (definition) definition.used = true;
}

/** All ICC chunks become one re-assembled, re-chunked profile at the place of the first chunk. */
function rewriteIcc(source: ByteSource, chunks: readonly ClassifiedSegment[], body: (segment: ClassifiedSegment) => Buffer, rewrites: Map<number, SegmentRewrite>): void {
  const assembled = assembleIcc(chunks.map((chunk) => parseIccChunk(body(chunk))));
  const sanitised = assembled.profile ? sanitiseIccProfile(assembled.profile) : { profile: undefined, notes: [] };
  const emitted = sanitised.profile ? Buffer.concat(encodeIccChunks(sanitised.profile, assembled.chunkLengths)) : Buffer.alloc(0);
  const original = Buffer.concat(chunks.map((chunk) => source.read(chunk.offset, chunk.length)));
  const same = emitted.equals(original);
  const [first, ...rest] = chunks;
  const where = first!.info.where;
  const notes = [...assembled.notes, ...sanitised.notes];
  const rewrite: SegmentRewrite = { emitted, notes: same ? [] : notes.length ? notes : ['ICC profile re-chunked'], where, kind: 'icc', originalLength: original.length };
  if (emitted.length > 0) rewrite.keptLabel = 'ICC colour profile';
  rewrites.set(first!.offset, rewrite);
  for (const chunk of rest) rewrites.set(chunk.offset, { emitted: Buffer.alloc(0), notes: [], where, kind: 'icc', originalLength: 0 });
}
