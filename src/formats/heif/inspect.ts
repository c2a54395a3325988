/**
 * What a HEIF/AVIF file reveals: the Exif item (with GPS, device, times and Apple's MakerNote
 * identifiers), XMP items, other metadata items, descriptive item properties, vendor boxes, an
 * embedded motion-photo video, and for image sequences the movie's user data and times.
 * References: ISO/IEC 23008-12:2022 annex A.2 (Exif item: a 4-byte offset to the TIFF header,
 * then the Exif data), annex A.3 (XMP item: MIME type application/rdf+xml).
 */
import { decodeExif } from '../../decode/exif.js';
import { isTiffHeader, parseTiff } from '../../decode/tiff.js';
import { decodeXmp } from '../../decode/xmp.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import type { BlockKind, Finding } from '../../types.js';
import { emptyReport, mergeReport, reportFor as recordingInto, type ContainerInspectOptions, type ContainerReport } from '../types.js';
import { TracelessError } from '../../errors.js';
import { payloadSize, payloadStart, printable, type Box } from '../isobmff/boxes.js';
import { analyse, type AnalysedItem, type Analysis } from './analyse.js';
import { readItem } from './items.js';
import { describeProperty } from './properties.js';
import { boxWhere, describeMetadataBox, metadataMetaChildren, metadataTopBoxes, readBrands, xmpUuid } from './structure.js';
import { registeredBrands } from './brands.js';
import { decide } from './decide.js';
import { readableText } from './property-emit.js';
import { chunkRanges } from './moov.js';
import { zlib } from '../../io/builtins.js';

export function inspectHeif(source: ByteSource, options?: ContainerInspectOptions): ContainerReport {
  const lenient = options?.bestEffort ?? false;
  const analysis = analyse(source, lenient);
  const report = reportFor(source, analysis, lenient ? recordingInto(options) : undefined);
  report.unreadable.push(...analysis.file.budget.damage);
  report.findings.push(...hiddenFindings(source, analysis));
  return report;
}

/**
 * What the structures a clean copy re-writes hide (handler and item names, data-reference URLs,
 * auxiliary-type text, bytes after a property's fields, unknown boxes and properties, brands and
 * bytes no item references): found by the same judgement the plan makes, so that `scan` never
 * calls a file clean that `clean` would change. A file the plan refuses gets none (its refusal says why).
 */
function hiddenFindings(source: ByteSource, analysis: Analysis): Finding[] {
  try {
    const findings = decide(source, analysis, { mode: 'all', keepOrientation: true, keepDates: false }).findings;
    for (const { box, role } of analysis.file.top) {
      if (role === 'trailer') {
        const text = readableText(source.read(box.offset, Math.min(box.size, 4096)));
        findings.push({ category: 'other', where: 'end of file', tag: 'Trailer', label: 'Data after the last box', value: box.size, text: `${box.size} byte(s)${text ? `: "${text.slice(0, 80)}"` : ''}` });
        continue;
      }
      if (role === 'padding' && !analysis.dirtyPadding.has(box)) continue;
      if (role !== 'metadata' || box.type in metadataTopBoxes || box.type === 'uuid') continue;
      const text = readableText(source.read(payloadStart(box), Math.min(payloadSize(box), 4096)));
      findings.push({ category: 'other', where: boxWhere(box), tag: 'UnknownBox', label: 'Unknown box', value: box.size, text: `unknown '${printable(box.type)}' box of ${box.size} bytes${text ? `: "${text.slice(0, 80)}"` : ''}` });
    }
    const ftyp = analysis.file.top.find(({ role }) => role === 'ftyp');
    if (ftyp) {
      const unregistered = readBrands(source, ftyp.box).filter((brand) => !registeredBrands.has(brand));
      if (unregistered.length > 0) findings.push({ category: 'other', where: 'ftyp', tag: 'Brands', label: 'Unregistered brands', value: unregistered.length, text: unregistered.map(printable).join(', ') });
    }
    const unreferenced = unreferencedMdatBytes(source, analysis);
    if (unreferenced > 0) findings.push({ category: 'other', where: 'mdat', tag: 'UnreferencedData', label: 'Data no image uses', value: unreferenced, text: `${unreferenced} non-zero byte(s) in mdat that no item references` });
    return findings;
  } catch {
    return [];
  }
}

/**
 * `into` (best-effort inspection): the report to record into; an item that cannot be read is then
 * said to be unreadable and the others are still described.
 */
export function reportFor(source: ByteSource, analysis: Analysis, into?: ContainerReport): ContainerReport {
  const report = into ?? emptyReport();
  for (const item of analysis.items) {
    if (item.role === 'image') continue;
    if (!into) {
      describeItem(source, item, report);
      continue;
    }
    try {
      describeItem(source, item, report);
    } catch (error) {
      if (!(error instanceof TracelessError) || error.code === 'INTERNAL') throw error;
      report.unreadable.push(`${item.where}: ${error.message}`);
    }
  }
  const thumbnails = analysis.file.meta?.iref?.references.filter((reference) => reference.type === 'thmb') ?? [];
  if (thumbnails.length > 0) {
    report.findings.push({
      category: 'thumbnail', where: 'meta/iref/thmb', tag: 'ThumbnailItem', label: 'Thumbnail image', meaning: 'embedded-image',
      value: thumbnails.length, text: `${thumbnails.length} smaller copy(ies) of the picture, stored as image items`, retained: true,
    });
  }
  const propertyFindings: Finding[] = [];
  for (const property of analysis.properties) describeProperty(source, property.box, propertyFindings, report.blocks);
  // Each image has its own colr/irot properties; one line per distinct value is enough.
  const seen = new Set<string>();
  for (const finding of propertyFindings) {
    const key = `${finding.tag}\0${finding.text}`;
    if (finding.retained && seen.has(key)) continue;
    seen.add(key);
    report.findings.push(finding);
  }
  for (const { box, role } of analysis.file.top) {
    if (role === 'metadata') describeDroppedBox(source, box, '', metadataTopBoxes, report);
    if (role === 'padding' && analysis.dirtyPadding.has(box)) describeLeftovers(box, '', report);
  }
  for (const extra of analysis.metaExtras) {
    if (extra.role === 'metadata') describeDroppedBox(source, extra.box, 'meta', metadataMetaChildren, report);
    else if (extra.dirty) describeLeftovers(extra.box, 'meta', report);
  }
  if (analysis.moov) {
    report.findings.push(...analysis.moov.findings);
    report.blocks.push(...analysis.moov.blocks);
    report.locations.push(...analysis.moov.locations);
  }
  return report;
}

function describeLeftovers(box: Box, parent: string, report: ContainerReport): void {
  const where = boxWhere(box, parent);
  report.blocks.push({ where, kind: 'other', offset: box.offset, length: box.size, note: 'unused space holding old bytes' });
  report.findings.push({ category: 'other', where, tag: box.type, label: 'Unused space holding old bytes', value: payloadSize(box), text: `${payloadSize(box)} bytes that are not all zero (leftovers of an earlier edit)` });
}

function describeDroppedBox(
  source: ByteSource,
  box: Box,
  parent: string,
  table: Parameters<typeof describeMetadataBox>[1],
  report: ContainerReport,
): void {
  const where = boxWhere(box, parent);
  const { kind, label } = describeMetadataBox(box, table);
  report.blocks.push({ where, kind, offset: box.offset, length: box.size, note: label });
  const isXmp = (box.type === 'uuid' && box.uuid === xmpUuid) || box.type === 'xml ';
  if (isXmp && payloadSize(box) <= limits.maxMetadataBytes) {
    const decoded = decodeXmp(source.read(payloadStart(box), payloadSize(box)).toString('utf8'), where);
    report.findings.push(...decoded.findings);
    report.locations.push(...decoded.locations);
  }
  const category: Finding['category'] = box.type === 'mpvd' ? 'embedded' : 'other';
  report.findings.push({ category, where, tag: box.type, label: label[0]!.toUpperCase() + label.slice(1), value: box.size, text: `${box.size} bytes` });
}

function itemBlock(item: AnalysedItem, kind: BlockKind, report: ContainerReport, note: string): void {
  const ranges = item.place?.ranges ?? [];
  const length = ranges.reduce((sum, range) => sum + range.length, 0);
  report.blocks.push({ where: item.where, kind, offset: ranges[0]?.offset ?? 0, length, note: item.place?.inIdat ? `${note} (in idat)` : note });
}

function describeItem(source: ByteSource, item: AnalysedItem, report: ContainerReport): void {
  if (!item.place && item.location) {
    report.unreadable.push(`${item.where}: ${item.unplaced ?? 'built from other items (iloc construction method 2)'}, not decoded`);
  }
  switch (item.role) {
    case 'exif':
      itemBlock(item, 'exif', report, `Exif item ${item.id}`);
      if (item.place) decodeExifItem(readItem(source, item.place), item.where, report);
      return;
    case 'xmp': {
      itemBlock(item, 'xmp', report, `XMP item ${item.id}`);
      if (!item.place) return;
      const packet = xmpText(readItem(source, item.place), item.info.contentEncoding);
      if (packet === undefined) {
        report.unreadable.push(`${item.where}: XMP with content encoding '${item.info.contentEncoding}' could not be decoded`);
        report.findings.push({ category: 'other', where: item.where, tag: 'XMP', label: 'XMP packet', value: item.info.contentEncoding ?? '', text: 'compressed XMP packet' });
        return;
      }
      const decoded = decodeXmp(packet, item.where);
      report.findings.push(...decoded.findings);
      report.locations.push(...decoded.locations);
      if (decoded.findings.length === 0) {
        report.findings.push({ category: 'other', where: item.where, tag: 'XMP', label: 'XMP packet', value: packet.length, text: `XMP packet of ${packet.length} characters` });
      }
      return;
    }
    case 'mime': {
      const contentType = item.info.contentType ?? '';
      const c2pa = /c2pa/i.test(contentType);
      itemBlock(item, c2pa ? 'c2pa' : 'other', report, `metadata item ${item.id} (${contentType})`);
      report.findings.push({ category: 'other', where: item.where, tag: 'MIMEItem', label: c2pa ? 'Content credentials (C2PA)' : 'Metadata item', value: contentType, text: `${contentType} item` });
      return;
    }
    case 'uri': {
      itemBlock(item, 'other', report, `URI item ${item.id}`);
      const uri = item.info.uriType ?? '';
      report.findings.push({ category: 'other', where: item.where, tag: 'URIItem', label: 'Metadata item', value: uri, text: `item of URI type ${uri}` });
      return;
    }
    default:
      return;
  }
}

/** The XMP text of an item, inflating it when the item says it is deflate-compressed. */
export function xmpText(payload: Buffer, encoding: string | undefined): string | undefined {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '') return payload.toString('utf8');
  if (name !== 'deflate') return undefined;
  try {
    return zlib().inflateSync(payload, { maxOutputLength: limits.maxMetadataBytes }).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * The TIFF bytes of an Exif item payload: after the 4-byte offset field and the bytes it skips
 * (often `Exif\0\0`). Some writers put a wrong offset there: the header is then looked for in the
 * first bytes, as ExifTool and libheif do.
 */
export function exifTiffStart(payload: Buffer): number | undefined {
  if (payload.length < 4 + 8) return undefined;
  const declared = 4 + payload.readUInt32BE(0);
  if (declared < payload.length && isTiffHeader(payload.subarray(declared))) return declared;
  for (let at = 4; at + 8 <= Math.min(payload.length, 4 + 64); at++) {
    if (isTiffHeader(payload.subarray(at))) return at;
  }
  return undefined;
}

function decodeExifItem(payload: Buffer, where: string, report: ContainerReport): void {
  const start = exifTiffStart(payload);
  if (start === undefined) {
    report.unreadable.push(`${where}: no TIFF header in the Exif item`);
    return;
  }
  try {
    const structure = parseTiff(payload.subarray(start));
    const decoded = decodeExif(structure, { where });
    // HEIF readers take orientation from irot/imir, never from Exif, and the Exif item goes with a clean.
    for (const finding of decoded.findings) if (finding.tag === 'Orientation') delete finding.retained;
    // decodeExif reads the maker note too (Apple's identifiers, other vendors' serials and places).
    mergeReport(report, decoded);
  } catch (error) {
    report.unreadable.push(`${where}: ${(error as Error).message}`);
  }
}

/**
 * Non-zero mdat bytes that neither an item nor a sample of the sequence references (what a clean
 * copy zeroes). Items are counted whole here; JPEG segments cut from an item are reported by `decide`.
 */
function unreferencedMdatBytes(source: ByteSource, analysis: Analysis): number {
  const used: { offset: number; length: number }[] = [];
  for (const item of analysis.items) for (const range of item.place?.ranges ?? []) used.push(range);
  if (analysis.moov) used.push(...chunkRanges(source, analysis.moov));
  used.sort((a, b) => a.offset - b.offset);
  let count = 0;
  for (const { box, role } of analysis.file.top) {
    if (role !== 'mdat') continue;
    let at = payloadStart(box);
    const end = box.offset + box.size;
    const gap = (from: number, to: number) => {
      for (let offset = from; offset < to; offset += 1024 * 1024) {
        const bytes = source.read(offset, Math.min(1024 * 1024, to - offset));
        for (const byte of bytes) if (byte !== 0) count++;
      }
    };
    for (const range of used) {
      if (range.offset + range.length <= at || range.offset >= end) continue;
      if (range.offset > at) gap(at, range.offset);
      at = Math.max(at, range.offset + range.length);
    }
    if (at < end) gap(at, end);
  }
  return count;
}
