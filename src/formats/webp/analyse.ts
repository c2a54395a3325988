/**
 * Sorts WebP chunks into image data, rendering information to keep, or metadata, and decodes the
 * metadata into findings. `inspect` and `plan` share this pass.
 * Reference: RFC 9649 section 2.7 (VP8X, ANIM, ANMF, ALPH, ICCP, EXIF, XMP chunks).
 */
import { genericFinding, iccFinding, reportExifPayload, reportXmpPacket } from '../../decode/payload-report.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { BlockKind } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { readFrameChunks, readWebpLayout, type RiffChunk, type WebpLayout } from './riff.js';

/** Image data: the bitstreams, alpha, animation parameters and frames. */
const imageChunks = new Set(['VP8 ', 'VP8L', 'ALPH', 'ANIM', 'ANMF']);
/** Chunks inside an ANMF frame that are image data. */
const frameImageChunks = new Set(['VP8 ', 'VP8L', 'ALPH']);

export type WebpRole = 'image' | 'render' | 'metadata';

export interface AnalysedRiffChunk {
  chunk: RiffChunk;
  role: WebpRole;
  where: string;
  kind: BlockKind;
  note: string;
  report: ContainerReport;
  readable: boolean;
  /** For ANMF: the frame's own chunks, analysed the same way. */
  frames?: AnalysedRiffChunk[];
  /** For EXIF: where the TIFF header starts inside the payload (after an optional `Exif\0\0`). */
  tiffOffset?: number;
}

export interface WebpAnalysis {
  layout: WebpLayout;
  chunks: AnalysedRiffChunk[];
  report: ContainerReport;
}

export function analyseWebp(source: ByteSource): WebpAnalysis {
  const layout = readWebpLayout(source);
  const report = emptyReport();
  let frameNumber = 0;
  const chunks = layout.chunks.map((chunk) => analyseChunk(source, chunk, '', chunk.fourCC === 'ANMF' ? frameNumber++ : 0));
  const collect = (analysed: AnalysedRiffChunk) => {
    // Blocks are metadata and kept profiles, not the rendering chunks (gamma, looping, …).
    if (analysed.role === 'metadata' || analysed.report.findings.length > 0) {
      report.blocks.push({ where: analysed.where, kind: analysed.kind, offset: analysed.chunk.offset, length: analysed.chunk.totalLength, note: analysed.note });
    }
    mergeReport(report, analysed.report);
    analysed.frames?.forEach(collect);
  };
  chunks.forEach(collect);
  if (layout.trailingBytes > 0) {
    report.blocks.push({ where: 'after RIFF', kind: 'trailer', offset: layout.riffEnd, length: layout.trailingBytes, note: 'data after the end of the image' });
    report.findings.push({ category: 'embedded', where: 'after RIFF', tag: 'Trailer', label: 'Data after the end of the image', value: layout.trailingBytes, text: `${layout.trailingBytes} bytes` });
  }
  return { layout, chunks, report };
}

function analyseChunk(source: ByteSource, chunk: RiffChunk, parent: string, frameNumber: number): AnalysedRiffChunk {
  const where = `${parent}${chunk.fourCC.trimEnd()}`;
  const base = { chunk, where, report: emptyReport(), readable: true };
  const inFrame = parent !== '';
  if (inFrame ? frameImageChunks.has(chunk.fourCC) : imageChunks.has(chunk.fourCC)) {
    const analysed: AnalysedRiffChunk = { ...base, role: 'image', kind: 'other', note: '' };
    if (chunk.fourCC === 'ANMF') {
      analysed.frames = readFrameChunks(source, chunk).map((frame) => analyseChunk(source, frame, `ANMF[${frameNumber}]/`, 0));
    }
    return analysed;
  }
  if (!inFrame && chunk.fourCC === 'VP8X') return { ...base, role: 'render', kind: 'other', note: 'extended format header' };
  if (!inFrame && chunk.fourCC === 'ICCP') {
    const analysed: AnalysedRiffChunk = { ...base, role: 'render', kind: 'icc', note: 'ICC colour profile' };
    analysed.report.findings.push(iccFinding(where, chunk.dataLength));
    return analysed;
  }
  const analysed: AnalysedRiffChunk = { ...base, role: 'metadata', kind: 'other', note: `unknown chunk "${where}"` };
  if (chunk.dataLength > limits.maxMetadataBytes) {
    analysed.readable = false;
    analysed.report.unreadable.push(`${where} at ${chunk.offset}: ${chunk.dataLength} bytes, too large to decode`);
    analysed.report.findings.push(genericFinding(where, chunk.fourCC, `${where} chunk (not decoded)`, chunk.dataLength));
    return analysed;
  }
  const data = source.read(chunk.dataOffset, chunk.dataLength);
  if (!inFrame && chunk.fourCC === 'EXIF') {
    const decoded = reportExifPayload(data, 'EXIF');
    return { ...analysed, kind: 'exif', note: 'EXIF', report: decoded.report, readable: decoded.readable, tiffOffset: decoded.tiffOffset };
  }
  if (!inFrame && chunk.fourCC === 'XMP ') {
    return { ...analysed, kind: 'xmp', note: 'XMP', report: reportXmpPacket(data.toString('utf8'), 'XMP', data.length) };
  }
  analysed.report.findings.push(genericFinding(where, chunk.fourCC, `Unknown chunk "${where}"`, chunk.dataLength));
  return analysed;
}
