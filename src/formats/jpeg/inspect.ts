/**
 * Lists the metadata of a JPEG: every APPn/COM segment, the EXIF, XMP, IPTC payloads decoded,
 * thumbnails (with their own EXIF), and data after EOI (MPF images, motion-photo videos).
 */
import { iccProfileFindings } from '../../decode/payload-report.js';
import { assembleIcc, parseIccChunk } from './colour-segments.js';
import { TracelessError, asTracelessError } from '../../errors.js';
import { limits } from '../../limits.js';
import { BufferSource, type ByteSource } from '../../io/source.js';
import { decodeExif, formatBytes } from '../../decode/exif.js';
import { decodeIptc, readImageResources, resourceIds } from '../../decode/iptc.js';
import { parseTiff } from '../../decode/tiff.js';
import { decodeXmp, xmpText } from '../../decode/xmp.js';
import type { Finding } from '../../types.js';
import { emptyReport, mergeReport, reportFor, type ContainerInspectOptions, type ContainerReport } from '../types.js';
import { isJpeg, markers, walkJpeg, type JpegLayout, type JpegSegment } from './markers.js';
import { decodeFlir } from '../../decode/flir.js';
import { decodeSamsungTrailer } from '../../decode/samsung-trailer.js';
import { classifySegment, type SegmentClass } from './segments.js';
import { rewriteStructure } from './structure.js';
import type { ImageRole } from './gain-map.js';
import { inspectKeptImages, keptFor, keptSegmentFinding, retainAppleHeadroom, retainGainMapXmp } from './inspect-images.js';

export interface ClassifiedSegment extends JpegSegment {
  info: SegmentClass;
}

export interface JpegAnalysis {
  layout: JpegLayout;
  segments: ClassifiedSegment[];
}

/** Nested JPEGs (thumbnails, MPF images) are followed this deep. */
const maxNestingDepth = 3;
/** Embedded JPEGs looked for in a trailer. */
const maxTrailerImages = 16;

/**
 * Analyses by source: a clean inspects and plans the same input (and its output) several times,
 * and a source's bytes never change while it is open.
 */
const analyses = new WeakMap<ByteSource, JpegAnalysis>();
/** Lenient analyses (best-effort inspection) apart: a clean never sees one. */
const lenientAnalyses = new WeakMap<ByteSource, JpegAnalysis>();

export function analyseJpeg(source: ByteSource, lenient = false): JpegAnalysis {
  const cache = lenient ? lenientAnalyses : analyses;
  // A lenient walk that met no damage took exactly the strict walk's path (the two differ only
  // where the strict one throws and the lenient one records damage), and a strict walk that
  // succeeded met none: either answers for the other. `scan` then walks a photo's image data
  // once, not a second time for the gain-map check, which asks for the strict analysis.
  const other = (lenient ? analyses : lenientAnalyses).get(source);
  const cached = cache.get(source) ?? (other && other.layout.damage === undefined ? other : undefined);
  if (cached) return cached;
  const analysis = analyseUncached(source, lenient);
  cache.set(source, analysis);
  return analysis;
}

function analyseUncached(source: ByteSource, lenient: boolean): JpegAnalysis {
  const layout = walkJpeg(source, { lenient });
  const segments: ClassifiedSegment[] = [];
  for (const part of layout.parts) {
    if (part.type !== 'segment' || part.payloadLength === 0) {
      if (part.type === 'segment') segments.push({ ...part, info: classifySegment(part, Buffer.alloc(0)) });
      continue;
    }
    const head = source.read(part.payloadOffset, Math.min(40, part.payloadLength));
    segments.push({ ...part, info: classifySegment(part, head) });
  }
  return { layout, segments };
}

export function payloadOf(source: ByteSource, segment: ClassifiedSegment): Buffer {
  const skip = Math.min(segment.info.identifierLength, segment.payloadLength);
  return source.read(segment.payloadOffset + skip, segment.payloadLength - skip);
}

/** Extended XMP chunk header (XMP Specification Part 3, 1.1.3.1): GUID, full length, offset. */
const extendedXmpGuidBytes = 32;
const extendedXmpHeaderBytes = extendedXmpGuidBytes + 4 + 4;

/**
 * Extended XMP packets re-assembled the way the specification says: chunks grouped by their GUID
 * (the MD5 the main packet names), each placed at its own offset in a packet of the declared full
 * length — not joined in file order. A group whose chunks disagree on the length, overlap, fall
 * outside it or leave a gap is unreadable (a TracelessError, reported by the caller).
 */
export function assembleExtendedXmp(chunks: readonly Buffer[]): { guid: string; data: Buffer }[] {
  const groups = new Map<string, { length: number; parts: { offset: number; data: Buffer }[] }>();
  for (const chunk of chunks) {
    if (chunk.length < extendedXmpHeaderBytes) throw new TracelessError('TRUNCATED', 'an Extended XMP chunk is shorter than its header');
    const guid = chunk.toString('latin1', 0, extendedXmpGuidBytes).replace(/[^0-9A-Fa-f]/g, '?');
    const length = chunk.readUInt32BE(extendedXmpGuidBytes);
    const offset = chunk.readUInt32BE(extendedXmpGuidBytes + 4);
    const group = groups.get(guid) ?? { length, parts: [] };
    if (group.length !== length) throw new TracelessError('MALFORMED', `Extended XMP ${guid}: its chunks disagree on the packet's length`);
    group.parts.push({ offset, data: chunk.subarray(extendedXmpHeaderBytes) });
    groups.set(guid, group);
  }
  const packets: { guid: string; data: Buffer }[] = [];
  for (const [guid, group] of groups) {
    if (group.length > limits.maxMetadataBytes) throw new TracelessError('LIMIT_EXCEEDED', `Extended XMP ${guid} declares ${group.length} bytes, more than the metadata limit`);
    const data = Buffer.alloc(group.length);
    let covered = 0;
    for (const part of [...group.parts].sort((a, b) => a.offset - b.offset)) {
      if (part.offset !== covered || part.offset + part.data.length > group.length) throw new TracelessError('MALFORMED', `Extended XMP ${guid}: a chunk at offset ${part.offset} overlaps, leaves a gap or runs past the packet`);
      part.data.copy(data, part.offset);
      covered += part.data.length;
    }
    if (covered !== group.length) throw new TracelessError('MALFORMED', `Extended XMP ${guid}: ${group.length - covered} bytes of the packet are missing`);
    packets.push({ guid, data });
  }
  return packets;
}

/**
 * `role`: what the image is to the file (a JPEG inside metadata keeps no gain-map data).
 * `removedWhole`: the image is a thumbnail or trailer image that a clean removes entirely, so what
 * a clean would trim inside its structure is not worked out (it is the costliest part of a scan of
 * a small image, and the image's own finding already says the clean changes the file).
 */
export function inspectJpeg(source: ByteSource, prefix = '', depth = 0, role: ImageRole = 'embedded', options?: ContainerInspectOptions, removedWhole = false): ContainerReport {
  const report = depth === 0 ? reportFor(options) : emptyReport();
  const lenient = options?.bestEffort ?? false;
  const { layout, segments } = analyseJpeg(source, lenient);
  for (const damage of layout.damage ?? []) report.unreadable.push(`${prefix}${damage}`);
  const kept = keptFor(source, role);
  const extendedXmp: Buffer[] = [];
  /** ICC chunks, re-assembled after the walk to report what the profile carries. */
  const iccChunks: ReturnType<typeof parseIccChunk>[] = [];
  let iccWhere: string | undefined;
  // Extended XMP is reassembled in memory: its chunks together must fit the metadata limit.
  const extendedXmpBytes = segments.reduce((sum, segment) => sum + (segment.info.kind === 'xmp-extended' ? segment.payloadLength : 0), 0);
  let extendedXmpRefused = false;
  const flirChunks: Buffer[] = [];
  let flirBytes = 0;
  const note = (finding: Omit<Finding, 'where'> & { where?: string }, where: string) => report.findings.push({ ...finding, where: finding.where ?? where });
  for (const segment of segments) {
    const { info } = segment;
    if (info.kind === 'image') continue;
    const where = prefix + info.where;
    report.blocks.push({ where, kind: info.kind, offset: segment.offset, length: segment.length, note: info.identifier });
    const keptFinding = keptSegmentFinding(kept, segment, where);
    if (keptFinding) {
      report.findings.push(keptFinding);
      continue;
    }
    try {
      switch (info.kind) {
        case 'exif': {
          const tiff = payloadOf(source, segment);
          const decoded = decodeExif(parseTiff(tiff), { where });
          retainAppleHeadroom(kept, segment, decoded.findings);
          mergeReport(report, decoded);
          if (depth < maxNestingDepth) {
            for (const thumbnail of decoded.thumbnails) {
              const bytes = tiff.subarray(thumbnail.offset, thumbnail.offset + thumbnail.length);
              if (isJpeg(bytes)) mergeNested(report, bytes, `${where}/${thumbnail.ifd}/thumbnail/`, depth);
            }
          }
          break;
        }
        case 'xmp': {
          const { findings, locations } = decodeXmp(xmpText(payloadOf(source, segment)), where);
          retainGainMapXmp(kept, segment, findings);
          report.findings.push(...findings);
          report.locations.push(...locations);
          break;
        }
        case 'xmp-extended':
          if (extendedXmpBytes > limits.maxMetadataBytes) {
            if (extendedXmpRefused) break;
            extendedXmpRefused = true;
            throw new TracelessError('LIMIT_EXCEEDED', `Extended XMP of ${extendedXmpBytes} bytes is more than the ${limits.maxMetadataBytes}-byte metadata limit; not decoded`);
          }
          // GUID (32) + full length (4) + chunk offset (4), then a slice of the packet.
          extendedXmp.push(payloadOf(source, segment));
          break;
        case 'photoshop':
          note({ category: 'other', tag: 'PhotoshopResources', label: 'Photoshop image resources', value: segment.payloadLength, text: `Photoshop image resources (${formatBytes(segment.payloadLength)})` }, where);
          for (const resource of readImageResources(payloadOf(source, segment))) {
            const data = payloadOf(source, segment).subarray(resource.dataOffset, resource.dataOffset + resource.dataLength);
            if (resource.id === resourceIds.iptc) report.findings.push(...decodeIptc(data, `${where}/IPTC`));
            if (resource.id === resourceIds.xmp) mergeDecoded(report, () => decodeXmp(xmpText(data), `${where}/XMP`), `${where}/XMP`);
            if (resource.id === resourceIds.exif1 || resource.id === resourceIds.exif3) mergeDecoded(report, () => decodeExif(parseTiff(Buffer.from(data)), { where: `${where}/EXIF` }), `${where}/EXIF`);
            if (resource.id === resourceIds.thumbnail || resource.id === resourceIds.thumbnailOld) {
              note({ category: 'thumbnail', tag: 'PhotoshopThumbnail', label: 'Embedded thumbnail', meaning: 'thumbnail', value: data.length, text: `Photoshop preview of ${formatBytes(data.length)}` }, where);
            }
          }
          break;
        case 'comment': {
          const text = source.read(segment.payloadOffset, segment.payloadLength).toString('utf8').replace(/\0+$/, '').trim();
          if (text) note({ category: 'other', tag: 'Comment', label: 'Comment', value: text, text }, where);
          break;
        }
        case 'icc':
          note({ category: 'other', tag: 'ICC_Profile', label: 'Colour profile', meaning: 'colour-profile', value: segment.payloadLength, text: `ICC colour profile (${formatBytes(segment.payloadLength)}), kept: it changes how colours display`, retained: true }, where);
          iccChunks.push(parseIccChunk(payloadOf(source, segment)));
          iccWhere ??= where;
          break;
        case 'mpf':
          note({ category: 'embedded', tag: 'MPF', label: 'Multi-picture index', meaning: 'embedded-image', value: segment.payloadLength, text: 'index of extra images stored after the main image' }, where);
          break;
        case 'flashpix':
          note({ category: 'embedded', tag: 'FlashPix', label: 'FlashPix extension data', value: segment.payloadLength, text: formatBytes(segment.payloadLength) }, where);
          break;
        case 'thumbnail':
          note({ category: 'thumbnail', tag: 'JFXXThumbnail', label: 'Embedded thumbnail', meaning: 'thumbnail', value: segment.payloadLength, text: `JFIF extension thumbnail of ${formatBytes(segment.payloadLength)}` }, where);
          break;
        case 'vendor':
          note({ category: 'other', tag: 'VendorData', label: 'Vendor data', value: info.identifier, text: `${info.identifier || 'unnamed'} block of ${formatBytes(segment.payloadLength)}` }, where);
          // FLIR thermal cameras: chunks of one FFF file whose GPS record is decoded after the walk.
          if (info.identifier === 'FLIR' && segment.marker === markers.APP0 + 1 && (flirBytes += segment.payloadLength) <= limits.maxMetadataBytes) flirChunks.push(payloadOf(source, segment));
          break;
        default:
          break;
      }
    } catch (error) {
      report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
    }
  }
  if (extendedXmp.length > 0) {
    const where = `${prefix}APP1/ExtendedXMP`;
    try {
      for (const packet of assembleExtendedXmp(extendedXmp)) {
        const { findings, locations } = decodeXmp(xmpText(packet.data), where);
        report.findings.push(...findings);
        report.locations.push(...locations);
      }
      report.findings.push({ category: 'embedded', where, tag: 'ExtendedXMP', label: 'Extended XMP', value: extendedXmp.length, text: `${extendedXmp.length} chunk(s)` });
    } catch (error) {
      report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
    }
  }
  if (flirChunks.length > 0) mergeDecoded(report, () => decodeFlir(flirChunks, `${prefix}APP1/FLIR`), `${prefix}APP1/FLIR`);
  if (!removedWhole) reportStructure(source, segments, prefix, report, layout.damage !== undefined);
  if (layout.trailer && kept && kept.extras.length > 0) {
    const trailer = layout.trailer;
    inspectKeptImages(source, kept, trailer, prefix, report, (image, imagePrefix, imageRole) => inspectJpeg(image, imagePrefix, depth + 1, imageRole), (range) => inspectTrailer(source, range, prefix, depth, report));
  } else if (layout.trailer) inspectTrailer(source, layout.trailer, prefix, depth, report);
  if (iccWhere !== undefined) {
    // What the colour profile carries (its description, copyright, device fields, date): retained
    // for a well-known standard profile, re-written by clean otherwise. The profile itself is
    // reported per chunk above.
    const profile = assembleIcc(iccChunks).profile;
    if (profile) report.findings.push(...iccProfileFindings(profile, iccWhere).slice(1));
  }
  return report;
}

/**
 * What a clean would take out of the segments it keeps (a JFIF thumbnail, bytes after the defined
 * fields, tables no scan uses, extra ICC chunks, markers with no decoding role): reported, so that
 * `scan` never calls a file clean that `clean` would change.
 */
function reportStructure(source: ByteSource, segments: readonly ClassifiedSegment[], prefix: string, report: ContainerReport, damaged: boolean): void {
  let structure;
  try {
    structure = rewriteStructure(source, segments);
  } catch (error) {
    // A damaged file's structure is already said to be unreadable where the damage is.
    if (!damaged) report.unreadable.push(`${prefix}image structure: ${asTracelessError(error).message}`);
    return;
  }
  // One finding per place and kind (a file may repeat a segment thousands of times).
  const grouped = new Map<string, { where: string; thumbnail: boolean; hidden: number; notes: Set<string>; segments: number }>();
  for (const segment of segments) {
    const rewrite = structure.rewrites.get(segment.offset);
    // JFXX thumbnails are reported above, as thumbnails.
    if (!rewrite || rewrite.notes.length === 0 || segment.info.kind === 'thumbnail') continue;
    const where = prefix + rewrite.where;
    const hidden = Math.max(0, rewrite.originalLength - rewrite.emitted.length);
    if (segment.info.kind === 'image') report.blocks.push({ where, kind: 'other', offset: segment.offset, length: segment.length });
    const thumbnail = rewrite.kind === 'thumbnail';
    const key = `${where}\0${thumbnail}`;
    const group = grouped.get(key) ?? { where, thumbnail, hidden: 0, notes: new Set<string>(), segments: 0 };
    group.hidden += hidden;
    group.segments += 1;
    for (const text of rewrite.notes) if (group.notes.size < maxNotesShown) group.notes.add(text);
    grouped.set(key, group);
  }
  for (const { where, thumbnail, hidden, notes, segments: count } of grouped.values()) {
    const text = `${[...notes].join('; ')}${count > 1 ? ` (in ${count} segments)` : ''}: ${formatBytes(hidden)} that clean removes`;
    if (thumbnail) report.findings.push({ category: 'thumbnail', where, tag: 'JFIFThumbnail', label: 'Embedded thumbnail', value: hidden, text });
    else report.findings.push({ category: 'other', where, tag: 'StructureSlack', label: 'Data hidden in the image structure', value: hidden, text });
  }
}

/** Distinct notes quoted per finding. */
const maxNotesShown = 4;

/** Adds what a nested payload decoder finds; a payload it cannot read is said plainly. */
function mergeDecoded(report: ContainerReport, decode: () => { findings: Finding[]; locations: ContainerReport['locations'] }, where: string): void {
  try {
    const decoded = decode();
    report.findings.push(...decoded.findings);
    report.locations.push(...decoded.locations);
  } catch (error) {
    report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
  }
}

/** An EXIF thumbnail or an image in a trailer: both go whole in a clean. */
function mergeNested(report: ContainerReport, bytes: Buffer, prefix: string, depth: number): void {
  try {
    mergeReport(report, inspectJpeg(new BufferSource(bytes), prefix, depth + 1, 'embedded', undefined, true));
  } catch (error) {
    report.warnings.push({ code: 'JPEG_EMBEDDED_UNREADABLE', message: `${prefix}: embedded image cannot be read (${asTracelessError(error).message})`, severity: 'info' });
  }
}

/** Describes what follows EOI, and decodes the metadata of JPEG images stored there. */
function inspectTrailer(source: ByteSource, trailer: { offset: number; length: number }, prefix: string, depth: number, report: ContainerReport): void {
  const where = `${prefix}trailer`;
  report.blocks.push({ where, kind: 'trailer', offset: trailer.offset, length: trailer.length });
  const readLength = Math.min(trailer.length, 64 * 1024 * 1024);
  const bytes = source.read(trailer.offset, readLength);
  const kinds: string[] = [];
  if (bytes.indexOf('ftyp', 0, 'latin1') !== -1 && bytes.indexOf('ftyp', 0, 'latin1') < 64) kinds.push('a video (motion photo)');
  else if (bytes.lastIndexOf('ftyp', undefined, 'latin1') !== -1) kinds.push('a video (motion photo)');
  if (bytes.lastIndexOf('SEFT', undefined, 'latin1') !== -1 || bytes.lastIndexOf('SEFH', undefined, 'latin1') !== -1) kinds.push('Samsung trailer records');
  // Samsung's records (capture time, network country) are indexed from the file's last bytes.
  if (readLength === trailer.length) mergeDecoded(report, () => decodeSamsungTrailer(bytes, `${where}/Samsung`), `${where}/Samsung`);
  let images = 0;
  if (depth < maxNestingDepth) {
    for (let index = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff])); index !== -1 && images < maxTrailerImages; index = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff]), index + 3)) {
      images += 1;
      const nested = emptyReport();
      try {
        const layout = walkJpeg(new BufferSource(bytes.subarray(index)));
        mergeNested(nested, bytes.subarray(index, index + layout.endOfImage), `${where}/image${images}/`, depth);
        index += layout.endOfImage - 3;
      } catch {
        // A JPEG signature inside a video or an unreadable image: reported as trailer data below.
      }
      mergeReport(report, nested);
    }
  }
  if (images > 0) kinds.unshift(`${images} more image(s)`);
  const text = `${formatBytes(trailer.length)} after the end of the image${kinds.length ? `: ${kinds.join(', ')}` : ''}`;
  report.findings.push({ category: 'embedded', where, tag: 'Trailer', label: 'Data after the image', meaning: 'embedded-data', value: trailer.length, text });
}
