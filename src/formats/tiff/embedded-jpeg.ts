/**
 * JPEG streams stored inside a TIFF (JPEG-compressed strips and tiles, DNG previews, old-style
 * JPEG and EXIF-style thumbnails) may carry APPn segments of their own: an Exif block with GPS,
 * XMP, a Photoshop IPTC record. These are found with the JPEG walker (src/formats/jpeg) and, when
 * cleaning, their payloads are zeroed in place: a decoder skips APPn payloads, so the pixels are
 * unchanged and no offset moves.
 * References: ITU-T T.81 annex B (markers); Adobe TIFF Technical Note 2 (JPEG in TIFF).
 */
import { TracelessError, asTracelessError } from '../../errors.js';
import { BufferSource } from '../../io/source.js';
import { decodeExif, formatBytes } from '../../decode/exif.js';
import { decodeIptc, readImageResources, resourceIds } from '../../decode/iptc.js';
import { parseTiff } from '../../decode/tiff.js';
import { decodeXmp, xmpText } from '../../decode/xmp.js';
import type { Finding } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { analyseJpeg } from '../jpeg/inspect.js';
import { keptKinds } from '../jpeg/segments.js';
import type { ByteRange } from './structure.js';

/** A metadata segment (or a trailer) inside an embedded JPEG, in file offsets. */
export interface EmbeddedMetadata {
  where: string;
  kind: 'exif' | 'xmp' | 'photoshop' | 'other' | 'trailer';
  /** What to zero: the segment payload (marker and length stay), or the bytes after EOI. */
  zero: ByteRange;
  report: ContainerReport;
}

const isAllZero = (bytes: Buffer) => bytes.every((byte) => byte === 0);

/** True when `data` at `offset` starts a JPEG stream (SOI followed by a marker). */
export function startsJpeg(data: Buffer, offset: number): boolean {
  return offset + 3 <= data.length && data[offset] === 0xff && data[offset + 1] === 0xd8 && data[offset + 2] === 0xff;
}

/**
 * Lists the metadata segments of the JPEG stream at `range` of `data` that still hold non-zero
 * bytes. Throws MALFORMED when the stream cannot be walked.
 */
export function embeddedMetadata(data: Buffer, range: ByteRange, where: string): EmbeddedMetadata[] {
  const bytes = data.subarray(range.offset, range.offset + range.length);
  let analysis;
  try {
    analysis = analyseJpeg(new BufferSource(bytes));
  } catch (error) {
    throw new TracelessError('MALFORMED', `${where}: embedded JPEG cannot be read (${asTracelessError(error).message})`);
  }
  const found: EmbeddedMetadata[] = [];
  for (const segment of analysis.segments) {
    const { info } = segment;
    if (info.kind === 'image' || keptKinds.has(info.kind) || segment.payloadLength === 0) continue;
    const payload = bytes.subarray(segment.payloadOffset, segment.payloadOffset + segment.payloadLength);
    if (isAllZero(payload)) continue; // already cleaned
    const segmentWhere = `${where}/${info.where}`;
    const body = payload.subarray(Math.min(info.identifierLength, payload.length));
    const kind = info.kind === 'exif' || info.kind === 'xmp' || info.kind === 'photoshop' ? info.kind : 'other';
    found.push({ where: segmentWhere, kind, zero: { offset: range.offset + segment.payloadOffset, length: segment.payloadLength }, report: describeSegment(kind, body, segmentWhere, info.identifier) });
  }
  const trailer = analysis.layout.trailer;
  if (trailer && !isAllZero(bytes.subarray(trailer.offset, trailer.offset + trailer.length))) {
    const report = emptyReport();
    report.findings.push({ category: 'embedded', where: `${where}/trailer`, tag: 'Trailer', label: 'Data after an embedded image', value: trailer.length, text: `${formatBytes(trailer.length)} after the end of an embedded JPEG` });
    found.push({ where: `${where}/trailer`, kind: 'trailer', zero: { offset: range.offset + trailer.offset, length: trailer.length }, report });
  }
  return found;
}

function describeSegment(kind: EmbeddedMetadata['kind'], body: Buffer, where: string, identifier: string): ContainerReport {
  const report = emptyReport();
  const generic = (label: string): Finding => ({ category: 'embedded', where, tag: 'EmbeddedMetadata', label, value: body.length, text: `${label} (${formatBytes(body.length)}) inside an embedded JPEG` });
  try {
    switch (kind) {
      case 'exif':
        mergeReport(report, decodeExif(parseTiff(body), { where }));
        break;
      case 'xmp': {
        const decoded = decodeXmp(xmpText(body), where);
        report.findings.push(...decoded.findings);
        report.locations.push(...decoded.locations);
        break;
      }
      case 'photoshop':
        for (const resource of readImageResources(body)) {
          if (resource.id === resourceIds.iptc) report.findings.push(...decodeIptc(body.subarray(resource.dataOffset, resource.dataOffset + resource.dataLength), `${where}/IPTC`));
        }
        break;
      default:
        break;
    }
  } catch (error) {
    report.warnings.push({ code: 'TIFF_EMBEDDED_METADATA_UNREADABLE', message: `${where}: ${asTracelessError(error).message}`, severity: 'info' });
  }
  // A block that decodes to nothing personal still gets a line: the clean removes it.
  if (report.findings.length === 0) report.findings.push(generic(kind === 'other' ? `${identifier || 'unnamed'} block` : `${kind.toUpperCase()} block`));
  return report;
}
