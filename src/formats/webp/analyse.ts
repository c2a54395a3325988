/**
 * Decides, for one WebP file, exactly which chunks a reader needs — and so which traceless keeps —
 * and decodes everything else into findings. `inspect` and `plan` share this pass, so `scan` lists
 * every chunk and every stray byte that `clean` takes out.
 *
 * What a reader needs (RFC 9649 section 2.7): the VP8X header; one ICC profile when the ICC flag is
 * set; for a still image one VP8 or VP8L bitstream, with one ALPH before it only when the bitstream
 * is lossy (VP8) and the alpha flag is set; for an animation (animation flag set) one ANIM and the
 * ANMF frames, each with one bitstream and, for a lossy one, one ALPH before it. A simple-format
 * file (no VP8X) is its one bitstream chunk. EXIF and XMP are metadata: the first of each, in an
 * extended file, is kept by `--only location` after editing; everything else is removed.
 * Reference: RFC 9649 "WebP Image Format" sections 2.5–2.7; libwebp src/demux/demux.c (what a
 * reader accepts: ANIM before frames, no bitstream outside frames in an animation).
 */
import { TracelessError } from '../../errors.js';
import { genericFinding, iccProfileFindings, reportExifPayload, reportXmpPacket } from '../../decode/payload-report.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { BlockKind } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import {
  anmfHeaderBytes, animPayloadBytes, iccDeclaredLength, parseAnim, parseAnmfHeader, parseVp8x, vp8xFlags, vp8xPayloadBytes,
  type AnimFields, type AnmfFields, type Vp8xFields,
} from './fields.js';
import { displayFourCC, readFrameChunks, readWebpLayout, type RiffChunk, type WebpLayout } from './riff.js';

/** A metadata (or unknown) chunk, decoded for the report. */
export interface MetadataChunk {
  chunk: RiffChunk;
  where: string;
  kind: BlockKind;
  note: string;
  report: ContainerReport;
  readable: boolean;
  /** For EXIF: where the TIFF header starts inside the payload (after an optional `Exif\0\0`). */
  tiffOffset?: number;
}

/** One picture: a bitstream and, for a lossy one, its alpha. */
export interface WebpImage {
  alpha?: RiffChunk;
  bitstream: RiffChunk;
}

export interface WebpFrame {
  chunk: RiffChunk;
  header: AnmfFields;
  image: WebpImage;
}

/** The chunks a reader needs, with their parsed fields. */
export interface WebpKeep {
  vp8x?: Vp8xFields;
  icc?: { chunk: RiffChunk; profileLength: number };
  anim?: AnimFields;
  frames: WebpFrame[];
  image?: WebpImage;
  /** The EXIF and XMP chunks `--only location` may keep (after editing); removed in the default mode. */
  exif?: MetadataChunk;
  xmp?: MetadataChunk;
}

/** Something removed in every mode: a chunk, or the slack of a kept one. */
export interface WebpRemoval {
  where: string;
  kind: BlockKind;
  bytes: number;
  note: string;
}

export interface WebpAnalysis {
  layout: WebpLayout;
  keep: WebpKeep;
  removals: WebpRemoval[];
  report: ContainerReport;
}

const bitstreamFourCCs = new Set(['VP8 ', 'VP8L']);
/**
 * EXIF/XMP payloads decoded per file (a decode costs up to milliseconds): a file repeating
 * thousands of metadata chunks would otherwise take seconds per pass. Chunks past this are reported
 * undecoded; all but the first EXIF and XMP are removed whole in every mode.
 */
export const maxDecodedPayloads = 32;

/** A name that means EXIF or XMP to some reader, however it is spelled (`exif`, `XMP\0`). */
function metadataNameOf(fourCC: string): 'exif' | 'xmp' | undefined {
  const name = fourCC.replace(/[\0 ]+$/, '').toUpperCase();
  return name === 'EXIF' ? 'exif' : name === 'XMP' ? 'xmp' : undefined;
}

class Analyser {
  readonly keep: WebpKeep = { frames: [] };
  readonly removals: WebpRemoval[] = [];
  readonly report: ContainerReport;
  private payloadsDecoded = 0;

  /** `into` (best-effort inspection): the report to record into; the walk is then lenient. */
  constructor(
    private readonly source: ByteSource,
    into?: ContainerReport,
  ) {
    this.report = into ?? emptyReport();
    this.lenient = into !== undefined;
  }

  readonly lenient: boolean;

  /** Strict: throws. Lenient: records why the file does not follow the format, and goes on. */
  refuse(error: TracelessError): void {
    if (!this.lenient) throw error;
    this.report.unreadable.push(error.message);
  }

  /** Removes a chunk; `finding` adds a finding for chunks that have none of their own. */
  removeChunk(chunk: RiffChunk, where: string, kind: BlockKind, note: string, finding = true): void {
    this.removals.push({ where, kind, bytes: chunk.totalLength, note });
    this.report.blocks.push({ where, kind, offset: chunk.offset, length: chunk.totalLength, note });
    if (finding) this.report.findings.push(genericFinding(where, displayFourCC(chunk.fourCC) || 'chunk', note, chunk.totalLength));
  }

  /** Removes the slack of a kept structure (reserved bits, bytes past its defined fields). */
  removeSlack(where: string, offset: number, bytes: number, note: string): void {
    this.removals.push({ where, kind: 'other', bytes, note });
    this.report.blocks.push({ where, kind: 'other', offset, length: bytes, note });
    this.report.findings.push(genericFinding(where, 'Slack', `Hidden data in ${where}: ${note}`, bytes));
  }

  /** A kept chunk's pad byte must be zero; anything else is one byte of hidden data. */
  checkPad(chunk: RiffChunk, where: string): void {
    if ((chunk.dataLength & 1) === 0 || !chunk.padPresent) return;
    const padOffset = chunk.dataOffset + chunk.dataLength;
    if (this.source.read(padOffset, 1)[0] !== 0) this.removeSlack(where, padOffset, 1, 'its pad byte is not zero');
  }

  /** Decodes a metadata or unknown chunk and removes it (EXIF/XMP candidates are decided by the plan). */
  metadata(chunk: RiffChunk, where: string): MetadataChunk {
    const name = metadataNameOf(chunk.fourCC);
    const base = { chunk, where, report: emptyReport(), readable: true };
    const analysed: MetadataChunk = { ...base, kind: name ?? 'other', note: name ? where : `unknown chunk "${where}"` };
    const tooMany = name !== undefined && this.payloadsDecoded >= maxDecodedPayloads;
    if (name) this.payloadsDecoded++;
    if (chunk.dataLength > limits.maxMetadataBytes || tooMany) {
      analysed.readable = false;
      analysed.report.unreadable.push(`${where} at ${chunk.offset}: ${chunk.dataLength} bytes, ${tooMany ? 'one metadata chunk too many to decode' : 'too large to decode'}`);
      analysed.report.findings.push(genericFinding(where, displayFourCC(chunk.fourCC), `${where} chunk (not decoded)`, chunk.dataLength));
    } else if (name === 'exif') {
      const decoded = reportExifPayload(this.source.read(chunk.dataOffset, chunk.dataLength), where);
      Object.assign(analysed, { report: decoded.report, readable: decoded.readable, tiffOffset: decoded.tiffOffset });
    } else if (name === 'xmp') {
      const data = this.source.read(chunk.dataOffset, chunk.dataLength);
      analysed.report = reportXmpPacket(data.toString('utf8'), where, data.length);
    } else {
      analysed.report.findings.push(genericFinding(where, displayFourCC(chunk.fourCC), `Unknown chunk "${where}"`, chunk.dataLength));
    }
    this.report.blocks.push({ where, kind: analysed.kind, offset: chunk.offset, length: chunk.totalLength, note: analysed.note });
    mergeReport(this.report, analysed.report);
    return analysed;
  }

  removeMetadata(chunk: RiffChunk, where: string, note?: string): void {
    const analysed = this.metadata(chunk, where);
    this.removals.push({ where, kind: analysed.kind, bytes: chunk.totalLength, note: note ?? analysed.note });
  }
}

/** `into` (best-effort inspection, never a plan): read leniently, recording into this report. */
export function analyseWebp(source: ByteSource, into?: ContainerReport): WebpAnalysis {
  const layout = readWebpLayout(source, into?.unreadable);
  const analyser = new Analyser(source, into);
  const [first, ...rest] = layout.chunks;
  if (first!.fourCC === 'VP8X') analyseExtended(source, analyser, first!, rest);
  else analyseSimple(analyser, first!, rest);
  const { report } = analyser;
  if (layout.trailingBytes > 0) {
    analyser.removals.push({ where: 'after RIFF', kind: 'trailer', bytes: layout.trailingBytes, note: 'data after the end of the image' });
    report.blocks.push({ where: 'after RIFF', kind: 'trailer', offset: layout.riffEnd, length: layout.trailingBytes, note: 'data after the end of the image' });
    report.findings.push({ category: 'embedded', where: 'after RIFF', tag: 'Trailer', label: 'Data after the end of the image', value: layout.trailingBytes, text: `${layout.trailingBytes} bytes` });
  }
  return { layout, keep: analyser.keep, removals: analyser.removals, report };
}

/** A simple-format file is one bitstream chunk; nothing else in it is read by a decoder. */
function analyseSimple(analyser: Analyser, first: RiffChunk, rest: RiffChunk[]): void {
  analyser.keep.image = { bitstream: first };
  analyser.checkPad(first, displayFourCC(first.fourCC));
  for (const chunk of rest) {
    const where = displayFourCC(chunk.fourCC);
    if (metadataNameOf(chunk.fourCC)) analyser.removeMetadata(chunk, where, `${where} in a simple-format file (no VP8X header announces it)`);
    else if (bitstreamFourCCs.has(chunk.fourCC) || chunk.fourCC === 'ALPH' || chunk.fourCC === 'VP8X' || chunk.fourCC === 'ICCP' || chunk.fourCC === 'ANIM' || chunk.fourCC === 'ANMF') {
      analyser.removeChunk(chunk, where, 'other', `${where} after the bitstream of a simple-format file (not read by decoders)`);
    } else analyser.removeMetadata(chunk, where);
  }
}

function analyseExtended(source: ByteSource, analyser: Analyser, vp8xChunk: RiffChunk, rest: RiffChunk[]): void {
  const { keep } = analyser;
  const vp8x = parseVp8x(source.read(vp8xChunk.dataOffset, Math.min(vp8xChunk.dataLength, vp8xPayloadBytes)), vp8xChunk.dataLength);
  keep.vp8x = vp8x;
  if (vp8x.slack.length > 0) analyser.removeSlack('VP8X', vp8xChunk.dataOffset, Math.max(1, vp8xChunk.dataLength - vp8xPayloadBytes), vp8x.slack.join(', '));
  analyser.checkPad(vp8xChunk, 'VP8X');
  const animated = (vp8x.flags & vp8xFlags.animation) !== 0;
  let pendingAlpha: RiffChunk | undefined;
  let frameNumber = 0;
  for (const chunk of rest) {
    const where = displayFourCC(chunk.fourCC);
    switch (chunk.fourCC) {
      case 'VP8X':
        analyser.removeChunk(chunk, where, 'other', 'a second VP8X header');
        break;
      case 'ICCP':
        analyseIcc(source, analyser, chunk, vp8x);
        break;
      case 'ANIM':
        if (!animated) analyser.removeChunk(chunk, where, 'other', 'animation parameters in a still image');
        else if (keep.anim) analyser.removeChunk(chunk, where, 'other', 'a second ANIM chunk');
        else {
          keep.anim = parseAnim(source.read(chunk.dataOffset, Math.min(chunk.dataLength, animPayloadBytes)), chunk.dataLength);
          if (keep.anim.slack.length > 0) analyser.removeSlack('ANIM', chunk.dataOffset + animPayloadBytes, chunk.dataLength - animPayloadBytes, keep.anim.slack.join(', '));
          analyser.checkPad(chunk, 'ANIM');
        }
        break;
      case 'ANMF':
        if (!animated) analyser.removeChunk(chunk, where, 'other', 'an animation frame in a still image');
        else {
          const where = `ANMF[${frameNumber++}]`;
          try {
            keep.frames.push(analyseFrame(source, analyser, chunk, where));
          } catch (error) {
            if (!analyser.lenient || !(error instanceof TracelessError) || error.code === 'INTERNAL') throw error;
            analyser.report.unreadable.push(`${where}: ${error.message}`);
          }
        }
        break;
      case 'VP8 ':
      case 'VP8L':
        if (animated) analyser.removeChunk(chunk, where, 'other', 'a bitstream outside the frames of an animation (decoders reject it)');
        else if (keep.image) analyser.removeChunk(chunk, where, 'other', 'a second bitstream (decoders read only the first)');
        else {
          keep.image = { bitstream: chunk, ...(pendingAlpha ? { alpha: pendingAlpha } : {}) };
          analyser.checkPad(chunk, where);
        }
        break;
      case 'ALPH':
        if (animated) analyser.removeChunk(chunk, where, 'other', 'alpha outside the frames of an animation');
        else if (keep.image) analyser.removeChunk(chunk, where, 'other', 'alpha after the bitstream (decoders read only alpha before it)');
        else if (pendingAlpha) analyser.removeChunk(chunk, where, 'other', 'a second alpha chunk (decoders read only the first)');
        else pendingAlpha = chunk;
        break;
      default: {
        const name = metadataNameOf(chunk.fourCC);
        const exact = (name === 'exif' && chunk.fourCC === 'EXIF') || (name === 'xmp' && chunk.fourCC === 'XMP ');
        const slot = name === 'exif' ? 'exif' : 'xmp';
        if (exact && !keep[slot]) {
          keep[slot] = analyser.metadata(chunk, where);
          analyser.checkPad(chunk, where);
        }
        else if (exact) analyser.removeMetadata(chunk, where, `a second ${where} chunk`);
        else if (name) analyser.removeMetadata(chunk, where, `misnamed ${name === 'exif' ? 'EXIF' : 'XMP'} chunk "${where}"`);
        else analyser.removeMetadata(chunk, where);
      }
    }
  }
  if (animated) {
    if (!keep.anim) analyser.refuse(malformed('the animation flag is set but the file has no ANIM chunk'));
    if (keep.frames.length === 0) analyser.refuse(malformed('the animation flag is set but the file has no ANMF frame'));
    return;
  }
  if (!keep.image) return analyser.refuse(malformed('the file has no VP8 or VP8L bitstream outside animation frames, and its animation flag is not set'));
  if (pendingAlpha && pendingAlpha !== keep.image.alpha) analyser.removeChunk(pendingAlpha, 'ALPH', 'other', 'alpha after the bitstream');
  const alpha = keep.image.alpha;
  if (alpha) {
    if (keep.image.bitstream.fourCC === 'VP8L') {
      delete keep.image.alpha;
      analyser.removeChunk(alpha, 'ALPH', 'other', 'alpha beside a lossless (VP8L) bitstream, which carries its own');
    } else if ((vp8x.flags & vp8xFlags.alpha) === 0) {
      delete keep.image.alpha;
      analyser.removeChunk(alpha, 'ALPH', 'other', 'alpha the VP8X flags do not announce');
    } else analyser.checkPad(alpha, 'ALPH');
  }
}

function malformed(what: string): TracelessError {
  return new TracelessError('MALFORMED', `WebP: ${what}`);
}

function analyseIcc(source: ByteSource, analyser: Analyser, chunk: RiffChunk, vp8x: Vp8xFields): void {
  const { keep } = analyser;
  if ((vp8x.flags & vp8xFlags.icc) === 0) return analyser.removeChunk(chunk, 'ICCP', 'icc', 'a colour profile the VP8X flags do not announce (not read by decoders)');
  if (keep.icc) return analyser.removeChunk(chunk, 'ICCP', 'icc', 'a second colour profile (readers use the first)');
  if (chunk.dataLength > limits.maxMetadataBytes) return analyser.removeChunk(chunk, 'ICCP', 'icc', `a colour profile of ${chunk.dataLength} bytes, too large to check`);
  const declared = iccDeclaredLength(source.read(chunk.dataOffset, chunk.dataLength));
  if ('problem' in declared) return analyser.removeChunk(chunk, 'ICCP', 'icc', `${declared.problem}: readers ignore it`);
  keep.icc = { chunk, profileLength: declared.length };
  analyser.report.findings.push(...iccProfileFindings(source.read(chunk.dataOffset, declared.length), 'ICCP'));
  analyser.report.blocks.push({ where: 'ICCP', kind: 'icc', offset: chunk.offset, length: chunk.totalLength, note: 'ICC colour profile' });
  if (declared.length < chunk.dataLength) {
    analyser.removeSlack('ICCP', chunk.dataOffset + declared.length, chunk.dataLength - declared.length, "bytes after the profile's declared end");
  } else analyser.checkPad(chunk, 'ICCP');
}

/** One ANMF frame: its header fields, one bitstream and (for a lossy one) the alpha before it. */
function analyseFrame(source: ByteSource, analyser: Analyser, chunk: RiffChunk, where: string): WebpFrame {
  const innerChunks = readFrameChunks(source, chunk);
  const header = parseAnmfHeader(source.read(chunk.dataOffset, anmfHeaderBytes));
  analyser.checkPad(chunk, where);
  if (header.slack.length > 0) analyser.removeSlack(where, chunk.dataOffset + anmfHeaderBytes - 1, 1, header.slack.join(', '));
  let alpha: RiffChunk | undefined;
  let bitstream: RiffChunk | undefined;
  for (const inner of innerChunks) {
    const innerWhere = `${where}/${displayFourCC(inner.fourCC)}`;
    if (bitstreamFourCCs.has(inner.fourCC)) {
      if (bitstream) analyser.removeChunk(inner, innerWhere, 'other', 'a second bitstream in one frame (decoders read only the first)');
      else bitstream = inner;
    } else if (inner.fourCC === 'ALPH') {
      if (bitstream) analyser.removeChunk(inner, innerWhere, 'other', 'alpha after the bitstream (decoders read only alpha before it)');
      else if (alpha) analyser.removeChunk(inner, innerWhere, 'other', 'a second alpha chunk in one frame (decoders read only the first)');
      else alpha = inner;
    } else analyser.removeMetadata(inner, innerWhere);
  }
  // readFrameChunks refuses a frame without a bitstream.
  const image: WebpImage = { bitstream: bitstream! };
  analyser.checkPad(bitstream!, `${where}/${displayFourCC(bitstream!.fourCC)}`);
  if (alpha && bitstream!.fourCC === 'VP8L') analyser.removeChunk(alpha, `${where}/ALPH`, 'other', 'alpha beside a lossless (VP8L) bitstream, which carries its own');
  else if (alpha) {
    image.alpha = alpha;
    analyser.checkPad(alpha, `${where}/ALPH`);
  }
  return { chunk, header, image };
}
