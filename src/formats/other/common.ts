/**
 * Shared pieces of the scan-only formats: a handler builder that never lets anything but a
 * report out (a part that cannot be read becomes a plain sentence in `unreadable`), bounded
 * reads, and decoders for the payloads these containers carry (EXIF/TIFF, XMP, embedded JPEG).
 */
import { asTracelessError } from '../../errors.js';
import { BufferSource, type ByteSource } from '../../io/source.js';
import { decodeExif, formatBytes } from '../../decode/exif.js';
import { parseTiff, type TiffStructure } from '../../decode/tiff.js';
import { decodeXmp, xmpText } from '../../decode/xmp.js';
import type { Category, FindingMeaning } from '../../types.js';
import { inspectJpeg } from '../jpeg/inspect.js';
import { emptyReport, mergeReport, type ContainerReport, type FormatHandler } from '../types.js';

/** Bytes a scan-only walker reads from one place at most (metadata is small; media data is skipped). */
export const maxScanBytes = 16 * 1024 * 1024;

export interface ScanOnlyFormat {
  id: string;
  name: string;
  extensions: readonly string[];
  sniff(head: Buffer): boolean;
  /** Fills the report; may throw (the error becomes an `unreadable` sentence). */
  read(source: ByteSource, report: ContainerReport): void;
}

/** A handler that can scan but not clean: `cleanable: false`, no `plan`. */
export function scanOnly(format: ScanOnlyFormat): FormatHandler {
  return {
    id: format.id,
    name: format.name,
    extensions: format.extensions,
    cleanable: false,
    sniff: (head) => {
      try {
        return format.sniff(head);
      } catch {
        return false;
      }
    },
    inspect: (source) => {
      const report = emptyReport();
      try {
        format.read(source, report);
      } catch (error) {
        report.unreadable.push(`${format.name} structure: ${asTracelessError(error).message}`);
      }
      return report;
    },
  };
}

/** Up to `max` bytes from `offset` (fewer at the end of the file). */
export function readAtMost(source: ByteSource, offset: number, max = maxScanBytes): Buffer {
  if (offset >= source.size) return Buffer.alloc(0);
  return source.read(offset, Math.min(max, source.size - offset));
}

/** Runs `decode`, turning any failure into an `unreadable` sentence about `where`. */
export function guarded(report: ContainerReport, where: string, decode: () => void): void {
  try {
    decode();
  } catch (error) {
    report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
  }
}

const exifPrefix = Buffer.from('Exif\0\0', 'latin1');

/** Decodes a TIFF/EXIF payload (optionally preceded by `Exif\0\0`); `adjust` may rename IFDs first. */
export function addExif(report: ContainerReport, bytes: Buffer, where: string, adjust?: (structure: TiffStructure) => void): void {
  guarded(report, where, () => {
    const tiff = bytes.subarray(0, 6).equals(exifPrefix) ? bytes.subarray(6) : bytes;
    const structure = parseTiff(tiff);
    adjust?.(structure);
    mergeReport(report, decodeExif(structure, { where }));
  });
}

export function addXmp(report: ContainerReport, bytes: Buffer, where: string): void {
  guarded(report, where, () => {
    const decoded = decodeXmp(xmpText(bytes), where);
    report.findings.push(...decoded.findings);
    report.locations.push(...decoded.locations);
    if (decoded.findings.length === 0) addFinding(report, 'other', where, 'XMP', 'XMP metadata', formatBytes(bytes.length));
  });
}

/** Decodes the metadata of a JPEG stored inside the file (a preview or thumbnail). */
export function addJpeg(report: ContainerReport, bytes: Buffer, where: string): void {
  guarded(report, where, () => mergeReport(report, inspectJpeg(new BufferSource(bytes), `${where}/`)));
}

/**
 * What the fields these scan-only formats name mean (PDF Info, AVI INFO, Matroska, MPEG-TS, X3F):
 * decided here, by the field the decoder read, so reports never guess from a label.
 */
const fieldMeanings: Readonly<Record<string, FindingMeaning>> = {
  Make: 'make', Model: 'model', SerialNumber: 'serial',
  Software: 'software', MuxingApp: 'software', WritingApp: 'software', Creator: 'software', Producer: 'software', FirmwareVersion: 'software',
  DateTimeOriginal: 'taken', DateCreated: 'taken', CreationDate: 'timestamp', DateUTC: 'timestamp', ModDate: 'modified',
  Title: 'description', Subject: 'description', Keywords: 'description', Comment: 'description',
};

export function addFinding(report: ContainerReport, category: Category, where: string, tag: string, label: string, value: string | number, meaning: FindingMeaning | undefined = fieldMeanings[tag]): void {
  report.findings.push(meaning ? { category, where, tag, label, meaning, value, text: String(value) } : { category, where, tag, label, value, text: String(value) });
}

/** Text with NULs and surrounding space removed. */
export function cleanText(bytes: Buffer, encoding: BufferEncoding = 'latin1'): string {
  return bytes.toString(encoding).replace(/\0[\s\S]*$/, '').trim();
}

/** Every offset of `needle` in `haystack`, at most `max` of them. */
export function indexesOf(haystack: Buffer, needle: Buffer | string, max = 64): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1 && found.length < max; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** XMP packets in a window of bytes (by their `<x:xmpmeta` … `</x:xmpmeta>` markers). */
export function addXmpPackets(report: ContainerReport, window: Buffer, where: string, max = 16): number {
  let count = 0;
  for (const start of indexesOf(window, '<x:xmpmeta', max)) {
    const end = window.indexOf('</x:xmpmeta>', start);
    if (end === -1) {
      report.unreadable.push(`${where}: an XMP packet that does not end inside the part read`);
      continue;
    }
    addXmp(report, window.subarray(start, end + '</x:xmpmeta>'.length), `${where}/XMP`);
    count += 1;
  }
  return count;
}
