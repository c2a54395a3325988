/**
 * Sorts every PNG chunk into image data, rendering information to keep, or metadata, and decodes
 * the metadata into findings. `inspect` and `plan` share this pass, so a report and a clean never
 * disagree about what a chunk is.
 * Reference: PNG Specification, Third Edition, sections 4.9 (chunk list), 11.3 (ancillary chunks);
 * APNG (section 11.3.6 fcTL/fdAT/acTL); C2PA 2.1 section 12.3 (caBX).
 */
import { TracelessError } from '../../errors.js';
import { decodeIptc, readImageResources, resourceIds } from '../../decode/iptc.js';
import { genericFinding, iccProfileFindings, reportExifPayload, reportXmpPacket } from '../../decode/payload-report.js';
import { isLocationProperty } from '../../decode/xmp.js';
import { findCoordinatesInText } from '../../decode/coordinates.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { BlockKind, Category, Finding } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { buildChunk, readPngLayout, type PngChunk, type PngLayout } from './chunks.js';
import { checkChunkFields, checkedTypes, colourTypes, encodeImageHeader, parseImageHeader, type ImageContext, type ImageHeader } from './fields.js';
import { rewriteIccp } from './iccp.js';
import { findImageStreamEnd, type ImageStream } from './image-stream.js';
import { paletteUse } from './palette-use.js';
import { parseRawProfile, rawProfileName } from './raw-profile.js';
import { parseTextChunk, type PngText } from './text.js';

/** Chunks whose data is image data, copied byte for byte (their length, type and CRC are re-written). */
const imageDataChunks = new Set(['IDAT', 'fdAT']);
/**
 * Chunks that change how the image is drawn (colour, transparency, size, animation), checked
 * against their definition and re-written from their fields (`fields.ts`, `iccp.ts`).
 */
export const renderingChunks = new Set([...checkedTypes, 'IHDR', 'iCCP']);
/** Chunks the specification allows once; a second one is ignored by decoders, so it is removed. */
const singleChunks = new Set(['PLTE', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'bKGD', 'hIST', 'pHYs', 'cICP', 'mDCV', 'cLLI', 'acTL']);
export const xmpKeyword = 'XML:com.adobe.xmp';

/** The longest text value copied into a finding. */
const maxFindingTextChars = 2000;
/** Printable runs at least this long are shown (and searched for in the output) from removed slack. */
const minPrintableRun = 4;

export type ChunkRole = 'image' | 'render' | 'metadata';

export interface AnalysedChunk {
  chunk: PngChunk;
  role: ChunkRole;
  where: string;
  kind: BlockKind;
  note: string;
  report: ContainerReport;
  /** False when the payload could not be decoded (a location-only clean drops it). */
  readable: boolean;
  /** Rendering chunks that pass their checks: the whole chunk as traceless writes it again. */
  emit?: Buffer;
  /** What the re-written chunk leaves out (slack, a profile name): listed as removed. */
  dropped?: string;
  /** Rendering chunks that break their definition and are removed: why. */
  invalid?: string;
  /** Why the file cannot be cleaned because of this chunk (a decoder needs it to draw the picture). */
  refusal?: string;
  text?: PngText;
  /** The eXIf payload. */
  exif?: Buffer;
  orientation?: number;
  orientationOnly?: boolean;
}

export interface PngAnalysis {
  layout: PngLayout;
  chunks: AnalysedChunk[];
  report: ContainerReport;
  /** Where the image's zlib stream ends inside the IDAT data (`image-stream.ts`). */
  imageStream: ImageStream;
}

/**
 * `into` (best-effort inspection, never a plan): the chunk walk is lenient, its damage and the
 * findings are recorded into this report as they are made.
 */
export function analysePng(source: ByteSource, into?: ContainerReport): PngAnalysis {
  const report = into ?? emptyReport();
  const layout = readPngLayout(source, into?.unreadable);
  // A lenient walk of a file cut inside its first chunk finds none.
  if (layout.chunks.length === 0) throw new TracelessError('TRUNCATED', 'the PNG ends inside its IHDR chunk: the file is cut short');
  const header = parseImageHeader(source.read(layout.chunks[0]!.dataOffset, layout.chunks[0]!.dataLength));
  if (typeof header === 'string') throw new TracelessError('MALFORMED', `${header}: the image cannot be decoded`);
  const context: ImageContext = { header };
  const seen = new Set<string>();
  const chunks = layout.chunks.map((chunk) => {
    const analysed = analyseChunk(source, chunk, context, seen.has(chunk.type));
    seen.add(chunk.type);
    return analysed;
  });
  for (const analysed of chunks) {
    // Blocks are metadata and kept profiles, not the rendering chunks (gamma, looping, …).
    if (analysed.role === 'metadata' || analysed.report.findings.length > 0) {
      report.blocks.push({ where: analysed.where, kind: analysed.kind, offset: analysed.chunk.offset, length: analysed.chunk.totalLength, note: analysed.note });
    }
    if (!analysed.chunk.crcValid) {
      report.warnings.push({ code: 'PNG_BAD_CRC', message: `${analysed.where}: chunk fails its CRC check (damaged)`, severity: 'warning' });
    }
    if (analysed.refusal) report.warnings.push({ code: 'PNG_REFUSED', message: `${analysed.refusal}; clean refuses the file`, severity: 'warning' });
    mergeReport(report, analysed.report);
  }
  const imageStream = findImageStreamEnd(source, layout.chunks.filter((chunk) => chunk.type === 'IDAT'), header);
  reportImageStream(source, layout, imageStream, report);
  clearUnusedPalette(chunks, imageStream, header, report);
  if (layout.trailingBytes > 0) {
    report.blocks.push({ where: 'after IEND', kind: 'trailer', offset: layout.endOffset, length: layout.trailingBytes, note: 'data after the end of the image' });
    report.findings.push({ category: 'embedded', where: 'after IEND', tag: 'Trailer', label: 'Data after the end of the image', value: layout.trailingBytes, text: `${layout.trailingBytes} bytes` });
  }
  return { layout, chunks, report, imageStream };
}

/**
 * PLTE and tRNS entries that no pixel is drawn with are written as zeros (PLTE) and 255 (tRNS):
 * free bytes that change nothing on screen. The bKGD entry is kept. Skipped for animations (the
 * frames' pixels are not read here) and when the scanlines cannot be read.
 */
function clearUnusedPalette(chunks: AnalysedChunk[], stream: ImageStream, header: ImageHeader, report: ContainerReport): void {
  if (header.colourType !== colourTypes.indexed || !stream.checked || !stream.raw) return;
  if (chunks.some((analysed) => analysed.chunk.type === 'fdAT' || analysed.chunk.type === 'acTL')) return;
  const used = paletteUse(stream.raw, header);
  if (!used) return;
  const background = chunks.find((analysed) => analysed.chunk.type === 'bKGD' && analysed.emit)?.emit?.[8];
  if (background !== undefined) used[background] = 1;
  for (const analysed of chunks) {
    const type = analysed.chunk.type;
    if ((type !== 'PLTE' && type !== 'tRNS') || !analysed.emit) continue;
    const data = Buffer.from(analysed.emit.subarray(8, analysed.emit.length - 4));
    const entryBytes = type === 'PLTE' ? 3 : 1;
    const hidden = Buffer.alloc(data.length);
    let changed = 0;
    for (let index = 0; index < data.length / entryBytes; index++) {
      if (used[index]) continue;
      const entry = data.subarray(index * entryBytes, (index + 1) * entryBytes);
      const neutral = type === 'PLTE' ? 0 : 0xff;
      if (entry.some((byte) => byte !== neutral)) {
        entry.copy(hidden, changed * entryBytes);
        changed++;
      }
      entry.fill(neutral);
    }
    if (changed === 0) continue;
    analysed.emit = buildChunk(type, data);
    analysed.dropped = `${changed} ${type} entries no pixel is drawn with`;
    const finding = hiddenFinding(type, `${type}: ${changed} entries no pixel is drawn with (written as ${type === 'PLTE' ? 'zeros' : 'opaque'})`, hidden.subarray(0, changed * entryBytes));
    analysed.report.findings.push(finding);
    report.findings.push(finding);
  }
}

/** Bytes after the end of the compressed image, or more compressed data than the image needs. */
function reportImageStream(source: ByteSource, layout: PngLayout, stream: ImageStream, report: ContainerReport): void {
  if (!stream.checked) {
    report.warnings.push({ code: 'PNG_STREAM_UNCHECKED', message: `IDAT: not checked for data after the end of the compressed image (${stream.reason})`, severity: 'info' });
    return;
  }
  if (stream.tooMuchData) {
    report.findings.push({ category: 'embedded', where: 'IDAT', tag: 'ExtraImageData', label: 'The compressed image holds more data than the image needs (hidden rows)', value: stream.total, text: 'more than the image needs' });
    report.warnings.push({ code: 'PNG_EXTRA_IMAGE_DATA', message: 'IDAT: the compressed image holds more data than the image needs; it cannot be removed without re-compressing the image, so clean refuses the file', severity: 'warning' });
  }
  if (stream.end < stream.total) {
    const extra = stream.total - stream.end;
    const tail = idatTail(source, layout, stream.end, Math.min(extra, 64 * 1024));
    report.findings.push(hiddenFinding('IDAT', `${extra} bytes after the end of the compressed image (read by no decoder)`, tail));
  }
}

/** `length` bytes of the concatenated IDAT data from `start`. */
function idatTail(source: ByteSource, layout: PngLayout, start: number, length: number): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const chunk of layout.chunks) {
    if (chunk.type !== 'IDAT') continue;
    const from = Math.max(start, at);
    const to = Math.min(start + length, at + chunk.dataLength);
    if (from < to) parts.push(source.read(chunk.dataOffset + from - at, to - from));
    at += chunk.dataLength;
  }
  return Buffer.concat(parts);
}

function analyseChunk(source: ByteSource, chunk: PngChunk, context: ImageContext, duplicate: boolean): AnalysedChunk {
  const base = { chunk, where: chunk.type, report: emptyReport(), readable: true };
  if (imageDataChunks.has(chunk.type)) {
    const analysed: AnalysedChunk = { ...base, role: 'image', kind: 'other', note: '' };
    // fdAT is ancillary by its name, but a frame cannot be drawn from damaged data.
    if (!chunk.crcValid) analysed.refusal = `${chunk.type} at offset ${chunk.offset} fails its CRC check: the image data is damaged`;
    return analysed;
  }
  if (renderingChunks.has(chunk.type)) return analyseRendering(source, chunk, context, duplicate);
  if (chunk.critical) {
    throw new TracelessError('UNSUPPORTED_FORMAT', `PNG uses critical chunk "${chunk.type}" that traceless does not know; a decoder needs it to draw the picture, so it cannot be removed and the file cannot be cleaned safely`);
  }
  if (chunk.dataLength > limits.maxMetadataBytes) {
    const analysed: AnalysedChunk = { ...base, role: 'metadata', kind: 'other', note: `${chunk.type} chunk`, readable: false };
    analysed.report.unreadable.push(`${chunk.type} at ${chunk.offset}: ${chunk.dataLength} bytes, too large to decode`);
    analysed.report.findings.push(genericFinding(chunk.type, chunk.type, `${chunk.type} chunk (not decoded)`, chunk.dataLength));
    return analysed;
  }
  const data = readData(source, chunk);
  switch (chunk.type) {
    case 'eXIf':
      // PNG allows one eXIf. A second one is removed in both modes unread (its printable text is
      // still reported): decoding thousands of repeated copies would only cost time.
      if (duplicate) {
        const analysed: AnalysedChunk = { ...base, role: 'metadata', kind: 'exif', note: 'a second EXIF chunk (PNG allows one)', readable: false };
        analysed.report.findings.push(hiddenFinding('eXIf', 'A second EXIF chunk (removed unread)', data));
        return analysed;
      }
      return analyseExif(base, data);
    case 'tEXt':
    case 'zTXt':
    case 'iTXt': {
      // Real files hold a handful of text chunks. Past `maxDecodedTextChunks`, the rest are removed
      // in both modes without being decoded (their printable text is still reported), so thousands
      // of repeated chunks cannot make a file cost seconds.
      context.textChunks = (context.textChunks ?? 0) + 1;
      if (context.textChunks > maxDecodedTextChunks) {
        const analysed: AnalysedChunk = { ...base, role: 'metadata', kind: 'text', note: `text chunk past the first ${maxDecodedTextChunks} (not decoded)`, readable: false };
        analysed.report.findings.push(hiddenFinding(chunk.type, `Text chunk past the first ${maxDecodedTextChunks} (removed unread)`, data.subarray(0, 256)));
        return analysed;
      }
      return analyseText(base, chunk.type, data);
    }
    case 'tIME':
      return analyseTime(base, data);
    case 'sPLT':
      return analyseSuggestedPalette(base, data);
    case 'dSIG':
      return withFinding({ ...base, role: 'metadata', kind: 'other', note: 'digital signature' }, genericFinding('dSIG', 'dSIG', 'Digital signature', chunk.dataLength));
    case 'caBX':
      return withFinding(
        { ...base, role: 'metadata', kind: 'c2pa', note: 'C2PA content credentials (JUMBF)' },
        { category: 'owner', where: 'caBX', tag: 'C2PA', label: 'Content credentials (C2PA: who made or edited the image, with what)', value: chunk.dataLength, text: `${chunk.dataLength} bytes` },
      );
    default:
      return withFinding({ ...base, role: 'metadata', kind: 'other', note: 'unknown ancillary chunk' }, hiddenFinding(chunk.type, `Unknown chunk "${chunk.type}"`, data));
  }
}

/** Checks a rendering chunk against its definition and prepares the chunk to write again. */
function analyseRendering(source: ByteSource, chunk: PngChunk, context: ImageContext, duplicate: boolean): AnalysedChunk {
  const analysed: AnalysedChunk = { chunk, where: chunk.type, report: emptyReport(), readable: true, role: 'render', kind: chunk.type === 'iCCP' ? 'icc' : 'other', note: renderNote(chunk.type) };
  const data = readData(source, chunk);
  const remove = (reason: string) => {
    analysed.invalid = reason;
    analysed.report.findings.push(hiddenFinding(chunk.type, `${reason} (removed)`, data));
    return analysed;
  };
  if (!chunk.crcValid) {
    if (chunk.type === 'acTL' || chunk.type === 'fcTL') analysed.refusal = `${chunk.type} at offset ${chunk.offset} fails its CRC check: the animation cannot be drawn`;
    else if (chunk.type === 'tRNS') analysed.refusal = `tRNS at offset ${chunk.offset} fails its CRC check: the transparency cannot be trusted`;
    return remove(`${chunk.type} fails its CRC check (damaged)`);
  }
  if (chunk.type === 'IHDR') {
    analysed.emit = buildChunk('IHDR', encodeImageHeader(context.header));
    return analysed;
  }
  if (duplicate && singleChunks.has(chunk.type)) {
    if (chunk.type === 'PLTE' && context.header.colourType === colourTypes.indexed) analysed.refusal = 'PNG has a second PLTE chunk: which palette a decoder uses is not defined';
    return remove(`a second ${chunk.type} chunk (decoders use the first)`);
  }
  if (chunk.type === 'iCCP') return analyseIccp(analysed, data, remove);
  const check = checkChunkFields(chunk.type, data, context);
  if (chunk.type === 'PLTE') context.paletteEntries = check.ok ? check.data.length / 3 : undefined;
  if (!check.ok) {
    if (check.refuse) analysed.refusal = `${check.reason}; it is needed to draw the picture`;
    return remove(check.reason);
  }
  analysed.emit = buildChunk(chunk.type, check.data);
  return analysed;
}

function analyseIccp(analysed: AnalysedChunk, data: Buffer, remove: (reason: string) => AnalysedChunk): AnalysedChunk {
  const rewrite = rewriteIccp(data);
  if (typeof rewrite === 'string') return remove(rewrite);
  analysed.emit = buildChunk('iCCP', rewrite.data);
  const originalName = data.toString('latin1', 0, Math.max(0, data.indexOf(0)));
  analysed.report.findings.push(...iccProfileFindings(rewrite.profile, 'iCCP'));
  if (rewrite.dropped.length > 0) {
    analysed.dropped = rewrite.dropped.join(', ');
    analysed.report.findings.push(hiddenFinding('iCCP', `Colour profile chunk carries ${analysed.dropped} (removed)`, rewrite.name === originalName ? Buffer.alloc(0) : Buffer.from(originalName, 'latin1')));
  }
  return analysed;
}

/** sPLT: a named palette suggestion that no decoder needs; its name is free text. */
function analyseSuggestedPalette(base: Base, data: Buffer): AnalysedChunk {
  const nameEnd = data.indexOf(0);
  const name = data.toString('latin1', 0, nameEnd === -1 ? Math.min(data.length, 80) : nameEnd);
  const analysed: AnalysedChunk = { ...base, role: 'metadata', kind: 'other', note: 'suggested palette' };
  const printable = printableRuns(Buffer.from(name, 'latin1'));
  analysed.report.findings.push({ category: 'other', where: 'sPLT', tag: 'SuggestedPalette', label: 'Suggested palette (its name is free text)', value: printable || data.length, text: printable || `${data.length} bytes` });
  return analysed;
}

/**
 * A finding for bytes that no reader shows but the file still carries (slack, an unknown chunk):
 * its printable text is the value, so verification also searches the output for it.
 */
function hiddenFinding(where: string, label: string, data: Buffer): Finding {
  const printable = printableRuns(data);
  return { category: 'embedded', where, tag: where, label, value: printable || data.length, text: printable || `${data.length} bytes` };
}

/** The printable ASCII runs of some bytes (at least `minPrintableRun` long), space-separated and bounded. */
function printableRuns(data: Buffer): string {
  const runs = data.subarray(0, 64 * 1024).toString('latin1').match(new RegExp(`[\\x20-\\x7e]{${minPrintableRun},}`, 'g')) ?? [];
  const joined = runs.join(' ');
  return joined.length > maxFindingTextChars ? `${joined.slice(0, maxFindingTextChars)}…` : joined;
}

type Base = Pick<AnalysedChunk, 'chunk' | 'where' | 'report' | 'readable'>;

function readData(source: ByteSource, chunk: PngChunk, maxBytes = chunk.dataLength): Buffer {
  return source.read(chunk.dataOffset, Math.min(chunk.dataLength, maxBytes));
}

function withFinding(analysed: AnalysedChunk, finding: Finding): AnalysedChunk {
  analysed.report.findings.push(finding);
  return analysed;
}

function renderNote(type: string): string {
  const notes: Record<string, string> = {
    iCCP: 'ICC colour profile', sRGB: 'sRGB colour space', gAMA: 'gamma', cHRM: 'chromaticities', cICP: 'colour space (cICP)',
    mDCV: 'mastering display colour volume', cLLI: 'content light level', tRNS: 'transparency', pHYs: 'pixel size',
    acTL: 'animation control', fcTL: 'animation frame', fdAT: 'animation frame data',
  };
  return notes[type] ?? type;
}

function analyseExif(base: Base, data: Buffer): AnalysedChunk {
  const decoded = reportExifPayload(data, 'eXIf');
  const analysed: AnalysedChunk = { ...base, role: 'metadata', kind: 'exif', note: 'EXIF', report: decoded.report, readable: decoded.readable, exif: data };
  if (decoded.orientation !== undefined) analysed.orientation = decoded.orientation;
  analysed.orientationOnly = decoded.orientationOnly;
  return analysed;
}

function analyseTime(base: Base, data: Buffer): AnalysedChunk {
  const analysed: AnalysedChunk = { ...base, role: 'metadata', kind: 'timestamp', note: 'last modification time' };
  if (data.length !== 7) {
    analysed.readable = false;
    analysed.report.findings.push(genericFinding('tIME', 'tIME', 'Modification time (malformed)', data.length));
    return analysed;
  }
  const pad = (value: number) => String(value).padStart(2, '0');
  const text = `${data.readUInt16BE(0)}-${pad(data[2]!)}-${pad(data[3]!)}T${pad(data[4]!)}:${pad(data[5]!)}:${pad(data[6]!)}Z`;
  analysed.report.findings.push({ category: 'time', where: 'tIME', tag: 'ModifyDate', label: 'Modified', value: text, text });
  return analysed;
}

function analyseText(base: Base, type: PngText['type'], data: Buffer): AnalysedChunk {
  let text: PngText;
  try {
    text = parseTextChunk(type, data);
  } catch (error) {
    const message = error instanceof TracelessError ? error.message : String(error);
    const analysed: AnalysedChunk = { ...base, role: 'metadata', kind: 'text', note: 'text (unreadable)', readable: false };
    analysed.report.unreadable.push(`${type} at ${base.chunk.offset}: ${message}`);
    analysed.report.findings.push(genericFinding(type, type, 'Text (unreadable)', data.length));
    return analysed;
  }
  const analysed = analyseParsedText(base, text, data);
  analysed.report.findings.push(...textSlackFindings(analysed.where, text));
  return analysed;
}

/** What a text chunk carries besides its keyword and text; a re-written chunk leaves it out. */
function textSlackFindings(where: string, text: PngText): Finding[] {
  const findings: Finding[] = [];
  const side = [text.languageTag, text.translatedKeyword].filter((value): value is string => Boolean(value));
  if (side.length > 0) {
    const value = side.join(' ');
    findings.push({ category: 'other', where, tag: 'TranslatedKeyword', label: 'Language tag and translated keyword of a text chunk', value, text: value });
  }
  if (text.bytesAfterStream > 0) findings.push({ category: 'embedded', where, tag: 'AfterStream', label: 'Bytes after the compressed text (read by no reader)', value: text.bytesAfterStream, text: `${text.bytesAfterStream} bytes` });
  return findings;
}

/** Text chunks decoded per file; more are removed unread (see `analyseChunk`). */
const maxDecodedTextChunks = 256;

function analyseParsedText(base: Base, text: PngText, data: Buffer): AnalysedChunk {
  const where = `${text.type}/${text.keyword}`;
  const analysed: AnalysedChunk = { ...base, where, role: 'metadata', kind: 'text', note: `text "${text.keyword}"`, text };
  if (text.keyword === xmpKeyword) {
    analysed.kind = 'xmp';
    analysed.note = 'XMP';
    analysed.report = reportXmpPacket(text.text, where, data.length);
    return analysed;
  }
  const profile = rawProfileName(text.keyword);
  if (profile !== undefined) return analyseRawProfile(analysed, text, profile);
  analysed.report.findings.push(textFinding(where, text));
  analysed.report.findings.push(...placeInTextFindings(where, text.text));
  if (/^comment$/i.test(text.keyword)) analysed.kind = 'comment';
  return analysed;
}

/**
 * Free text that spells a place: coordinates in any notation `findCoordinatesInText` reads, a map
 * link or `geo:` URI, or embedded metadata markup (an XMP packet pasted into a comment), or the
 * words GPS/latitude/longitude. Reported as location, so `--only location` removes the chunk.
 */
const placeMarkers = /<x:xmpmeta|<rdf:RDF|xmlns:|\bgeo:|maps\.|\bGPS|latitude|longitude|\bexif:|GPSLat|GPSLon/i;
const maxPlaceScanChars = 1024 * 1024;

function placeInTextFindings(where: string, text: string): Finding[] {
  const scanned = text.slice(0, maxPlaceScanChars);
  const coordinates = findCoordinatesInText(scanned);
  if (coordinates.length > 0) {
    const value = coordinates.map((entry) => entry.text).join('; ').slice(0, maxFindingTextChars);
    return [{ category: 'location', where, tag: 'TextCoordinates', label: 'Coordinates spelled out in text', value, text: value }];
  }
  const marker = placeMarkers.exec(scanned);
  if (marker || text.length > maxPlaceScanChars) {
    const value = marker ? marker[0] : `${text.length} characters`;
    return [{ category: 'location', where, tag: 'TextMayHoldPlace', label: 'Text that may spell a place (map link, GPS wording or embedded metadata)', value, text: value }];
  }
  return [];
}

function analyseRawProfile(analysed: AnalysedChunk, text: PngText, profile: string): AnalysedChunk {
  analysed.note = `${profile} profile as text`;
  let data: Buffer;
  try {
    data = parseRawProfile(text.keyword, text.text).data;
  } catch (error) {
    analysed.readable = false;
    analysed.report.unreadable.push(`${analysed.where}: ${(error as Error).message}`);
    analysed.report.findings.push(genericFinding(analysed.where, text.keyword, `${profile} profile (unreadable)`, text.text.length));
    return analysed;
  }
  const where = analysed.where;
  try {
    if (profile === 'exif' || profile === 'app1') {
      analysed.kind = 'exif';
      const decoded = reportExifPayload(data, where);
      analysed.report = decoded.report;
      analysed.readable = decoded.readable;
    } else if (profile === 'xmp') {
      analysed.kind = 'xmp';
      analysed.report = reportXmpPacket(data.toString('utf8'), where, data.length);
    } else if (profile === 'iptc' || profile === '8bim') {
      analysed.kind = 'iptc';
      analysed.report.findings.push(...decodeIptcOrIrb(data, where));
      if (analysed.report.findings.length === 0) analysed.report.findings.push(genericFinding(where, text.keyword, 'IPTC record', data.length));
    } else if (profile === 'icc' || profile === 'icm') {
      analysed.kind = 'icc';
      analysed.report.findings.push(genericFinding(where, text.keyword, 'Colour profile stored as text (not used for drawing)', data.length));
    } else {
      analysed.report.findings.push(genericFinding(where, text.keyword, `Raw "${profile}" profile`, data.length));
    }
  } catch (error) {
    analysed.readable = false;
    analysed.report.unreadable.push(`${where}: ${(error as Error).message}`);
    analysed.report.findings.push(genericFinding(where, text.keyword, `${profile} profile (unreadable)`, data.length));
  }
  return analysed;
}

/** IPTC as ImageMagick stores it: either bare IIM datasets or Photoshop resource blocks. */
function decodeIptcOrIrb(data: Buffer, where: string): Finding[] {
  if (data.toString('latin1', 0, 4) !== '8BIM') return decodeIptc(data, where);
  const findings: Finding[] = [];
  for (const resource of readImageResources(data)) {
    if (resource.id === resourceIds.iptc) findings.push(...decodeIptc(data.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength), where));
  }
  return findings;
}

/** What a text keyword reveals; the PNG-defined keywords first (section 11.3.3.2), then common ones. */
export function textCategory(keyword: string): Category {
  if (isLocationProperty(keyword) || /GPS|Location|Latitude|Longitude|Coordinates|Place/i.test(keyword)) return 'location';
  if (/^(Author|Artist|Copyright|Disclaimer|Owner|Creator|Photographer|Rights|Contact|E-?mail)/i.test(keyword)) return 'owner';
  if (/time|date|^Created?$|Modified/i.test(keyword)) return 'time';
  if (/^(Software|Source|Make|Model|Camera|Device|Host|Lens|Serial|Firmware|Producer|Generator)/i.test(keyword)) return 'device';
  return 'other';
}

function textLabel(keyword: string): string {
  if (/^(parameters|prompt|workflow|negative.?prompt|sd-metadata|invokeai.*|dream|Comfy.*)$/i.test(keyword)) return 'AI generation settings (prompt)';
  const labels: Record<string, string> = {
    Title: 'Title', Author: 'Author', Description: 'Description', Copyright: 'Copyright', 'Creation Time': 'Created',
    Software: 'Software', Disclaimer: 'Disclaimer', Warning: 'Warning', Source: 'Device that made the image', Comment: 'Comment',
  };
  return labels[keyword] ?? `Text "${keyword}"`;
}

function textFinding(where: string, text: PngText): Finding {
  const value = text.text.length > maxFindingTextChars ? `${text.text.slice(0, maxFindingTextChars)}…` : text.text;
  return { category: textCategory(text.keyword), where, tag: text.keyword, label: textLabel(text.keyword), value, text: value };
}
