/**
 * Matroska and WebM (scan only): the segment's Info (title, muxing/writing application, date),
 * Tags (SimpleTag name/value pairs such as DATE_RECORDED, LOCATION, ENCODER), track names and
 * attachments are reported; clusters (the media) are skipped by their sizes.
 * References: IETF RFC 8794 (EBML) §4 (variable-size integers) and RFC 9559 (Matroska) §5.1
 * (element IDs: Segment 0x18538067, Info 0x1549A966, Tags 0x1254C367, Attachments 0x1941A469).
 */
import { checkCount, TracelessError } from '../../errors.js';
import { limits } from '../../limits.js';
import { formatBytes } from '../../decode/exif.js';
import type { ByteSource } from '../../io/source.js';
import type { Category } from '../../types.js';
import type { ContainerReport } from '../types.js';
import { addFinding, guarded, maxScanBytes } from './common.js';
import { parseIso6709 } from '../isobmff/iso6709.js';

const ids = {
  ebml: 0x1a45dfa3, docType: 0x4282, segment: 0x18538067, info: 0x1549a966, tracks: 0x1654ae6b, cluster: 0x1f43b675,
  tags: 0x1254c367, attachments: 0x1941a469, title: 0x7ba9, muxingApp: 0x4d80, writingApp: 0x5741, dateUtc: 0x4461,
  tag: 0x7373, simpleTag: 0x67c8, tagName: 0x45a3, tagString: 0x4487, trackEntry: 0xae, trackName: 0x536e,
  attachedFile: 0x61a7, fileName: 0x466e, fileMimeType: 0x4660, fileData: 0x465c,
} as const;

export function isMatroska(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32BE(0) === ids.ebml;
}

interface Element {
  id: number;
  /** Payload size, or -1 when unknown (live streams). */
  size: number;
  headerLength: number;
}

/** Reads an element header from `bytes` at `offset` (IDs keep their marker bit, sizes lose it). */
function readHeader(bytes: Buffer, offset: number): Element {
  const first = bytes[offset];
  if (first === undefined || first === 0) throw new TracelessError('MALFORMED', `invalid EBML element ID at ${offset}`);
  const idLength = Math.clz32(first) - 23;
  if (idLength > 4 || offset + idLength > bytes.length) throw new TracelessError('MALFORMED', `invalid EBML element ID at ${offset}`);
  const id = bytes.readUIntBE(offset, idLength);
  const sizeFirst = bytes[offset + idLength];
  if (sizeFirst === undefined || sizeFirst === 0) throw new TracelessError('MALFORMED', `invalid EBML size at ${offset}`);
  const sizeLength = Math.clz32(sizeFirst) - 23;
  if (offset + idLength + sizeLength > bytes.length) throw new TracelessError('TRUNCATED', `EBML size at ${offset} is cut short`);
  let size = sizeFirst & (0xff >> sizeLength);
  let allOnes = size === 0xff >> sizeLength;
  for (let index = 1; index < sizeLength; index++) {
    const byte = bytes[offset + idLength + index]!;
    size = size * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { id, size: allOnes ? -1 : size, headerLength: idLength + sizeLength };
}

/** Children of a master element held in memory. */
function* children(bytes: Buffer, start: number, end: number, budget: { count: number }): Generator<Element & { offset: number }> {
  let offset = start;
  while (offset < end) {
    checkCount(++budget.count, limits.maxSegmentCount, 'Matroska element count');
    const element = readHeader(bytes, offset);
    const size = element.size === -1 ? end - offset - element.headerLength : element.size;
    if (offset + element.headerLength + size > end) throw new TracelessError('TRUNCATED', `Matroska element 0x${element.id.toString(16)} runs past its parent`);
    yield { ...element, size, offset };
    offset += element.headerLength + size;
  }
}

const text = (bytes: Buffer, element: Element & { offset: number }) => bytes.toString('utf8', element.offset + element.headerLength, element.offset + element.headerLength + element.size).replace(/\0+$/, '').trim();

export function readMatroska(source: ByteSource, report: ContainerReport): void {
  const budget = { count: 0 };
  const head = source.read(0, Math.min(source.size, 64));
  const ebml = readHeader(head, 0);
  let offset = ebml.headerLength + ebml.size;
  while (offset + 2 <= source.size) {
    const header = readHeader(source.read(offset, Math.min(12, source.size - offset)), 0);
    if (header.id !== ids.segment) {
      if (header.size === -1) break;
      offset += header.headerLength + header.size;
      continue;
    }
    readSegment(source, offset + header.headerLength, header.size === -1 ? source.size : Math.min(source.size, offset + header.headerLength + header.size), report, budget);
    if (header.size === -1) break;
    offset += header.headerLength + header.size;
  }
}

function readSegment(source: ByteSource, start: number, end: number, report: ContainerReport, budget: { count: number }): void {
  let offset = start;
  while (offset + 2 <= end) {
    checkCount(++budget.count, limits.maxSegmentCount, 'Matroska element count');
    const header = readHeader(source.read(offset, Math.min(12, end - offset)), 0);
    const bodyStart = offset + header.headerLength;
    if (header.size === -1) {
      if (header.id === ids.cluster) {
        report.unreadable.push('Matroska: the media has clusters of unknown size (a live recording); tags stored after them are not read by traceless');
        return;
      }
      throw new TracelessError('MALFORMED', `Matroska element 0x${header.id.toString(16)} of unknown size`);
    }
    if (bodyStart + header.size > end) {
      report.unreadable.push('Matroska: the segment is cut short; what follows was not read');
      return;
    }
    const interesting: readonly number[] = [ids.info, ids.tags, ids.attachments, ids.tracks];
    if (interesting.includes(header.id)) {
      guarded(report, 'Matroska', () => {
        if (header.size > maxScanBytes && header.id !== ids.attachments) throw new TracelessError('LIMIT_EXCEEDED', `an element of ${formatBytes(header.size)} is more than traceless reads`);
        if (header.id === ids.attachments) readAttachments(source, bodyStart, header.size, report, budget);
        else readMaster(source.read(bodyStart, header.size), header.id, report, budget);
      });
    }
    offset = bodyStart + header.size;
  }
}

function readMaster(bytes: Buffer, id: number, report: ContainerReport, budget: { count: number }): void {
  if (id === ids.info) {
    for (const child of children(bytes, 0, bytes.length, budget)) {
      if (child.id === ids.title) add(report, 'other', 'Matroska/Info', 'Title', 'Title', text(bytes, child));
      if (child.id === ids.muxingApp) add(report, 'device', 'Matroska/Info', 'MuxingApp', 'Software', text(bytes, child));
      if (child.id === ids.writingApp) add(report, 'device', 'Matroska/Info', 'WritingApp', 'Software', text(bytes, child));
      if (child.id === ids.dateUtc && child.size === 8) {
        const nanoseconds = bytes.readBigInt64BE(child.offset + child.headerLength);
        const date = new Date(Date.UTC(2001, 0, 1) + Number(nanoseconds / 1_000_000n));
        if (!Number.isNaN(date.getTime())) add(report, 'time', 'Matroska/Info', 'DateUTC', 'Created', date.toISOString());
      }
    }
  } else if (id === ids.tracks) {
    for (const entry of children(bytes, 0, bytes.length, budget)) {
      if (entry.id !== ids.trackEntry) continue;
      for (const child of children(bytes, entry.offset + entry.headerLength, entry.offset + entry.headerLength + entry.size, budget)) {
        if (child.id === ids.trackName) add(report, 'other', 'Matroska/Tracks', 'TrackName', 'Track name', text(bytes, child));
      }
    }
  } else if (id === ids.tags) {
    for (const tag of children(bytes, 0, bytes.length, budget)) {
      if (tag.id === ids.tag) readSimpleTags(bytes, tag.offset + tag.headerLength, tag.offset + tag.headerLength + tag.size, report, budget, 0);
    }
  }
}

function readSimpleTags(bytes: Buffer, start: number, end: number, report: ContainerReport, budget: { count: number }, depth: number): void {
  if (depth > 16) throw new TracelessError('LIMIT_EXCEEDED', 'Matroska tags nested too deeply');
  for (const element of children(bytes, start, end, budget)) {
    if (element.id !== ids.simpleTag) continue;
    const inner = { start: element.offset + element.headerLength, end: element.offset + element.headerLength + element.size };
    let name = '';
    let value = '';
    for (const child of children(bytes, inner.start, inner.end, budget)) {
      if (child.id === ids.tagName) name = text(bytes, child);
      if (child.id === ids.tagString) value = text(bytes, child);
    }
    if (name && value) add(report, tagCategory(name), 'Matroska/Tags', name, name, value);
    // FFmpeg copies an MP4 `©xyz` into a LOCATION tag as the same ISO 6709 string.
    const point = name && value && /LOCATION|GPS|COORD/i.test(name) ? parseIso6709(value, 'Matroska/Tags') : undefined;
    if (point) report.locations.push(point);
    readSimpleTags(bytes, inner.start, inner.end, report, budget, depth + 1);
  }
}

function tagCategory(name: string): Category {
  if (/LOCATION|GPS|COORD|CITY|COUNTRY/i.test(name)) return 'location';
  if (/DATE|TIME/i.test(name)) return 'time';
  if (/ENCODER|SOFTWARE|MAKE|MODEL|DEVICE|SERIAL|HANDLER/i.test(name)) return 'device';
  if (/ARTIST|AUTHOR|COPYRIGHT|COMPOSER|DIRECTOR|PRODUCER|OWNER|PUBLISHER/i.test(name)) return 'owner';
  return 'other';
}

/** Attachments: file names and types only (the files themselves can be large). */
function readAttachments(source: ByteSource, start: number, size: number, report: ContainerReport, budget: { count: number }): void {
  let offset = start;
  const end = start + size;
  while (offset + 2 <= end) {
    checkCount(++budget.count, limits.maxSegmentCount, 'Matroska element count');
    const file = readHeader(source.read(offset, Math.min(12, end - offset)), 0);
    if (file.size < 0 || offset + file.headerLength + file.size > end) throw new TracelessError('MALFORMED', 'Matroska attachment runs past its list');
    if (file.id === ids.attachedFile) {
      let name = '';
      let mime = '';
      let inner = offset + file.headerLength;
      const innerEnd = inner + file.size;
      while (inner + 2 <= innerEnd) {
        checkCount(++budget.count, limits.maxSegmentCount, 'Matroska element count');
        const child = readHeader(source.read(inner, Math.min(12, innerEnd - inner)), 0);
        if (child.size < 0) break;
        const body = () => source.read(inner + child.headerLength, Math.min(child.size, 4096)).toString('utf8').replace(/\0+$/, '').trim();
        if (child.id === ids.fileName) name = body();
        if (child.id === ids.fileMimeType) mime = body();
        inner += child.headerLength + child.size;
      }
      add(report, 'embedded', 'Matroska/Attachments', 'AttachedFile', 'Attached file', `${name || 'unnamed'}${mime ? ` (${mime})` : ''}`);
      report.unreadable.push(`Matroska/Attachments: the attached file ${JSON.stringify(name || 'unnamed')} is not read by traceless`);
    }
    offset += file.headerLength + file.size;
  }
}

function add(report: ContainerReport, category: Category, where: string, tag: string, label: string, value: string): void {
  if (value) addFinding(report, category, where, tag, label, value);
}
