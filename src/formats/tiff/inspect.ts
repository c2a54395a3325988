/**
 * Lists what a TIFF/DNG (or TIFF-based camera RAW) file reveals: the EXIF tags of every IFD, the
 * GPS IFD, XMP/IPTC/Photoshop payloads, GeoTIFF georeferencing, DNG text tags, metadata inside
 * embedded JPEG previews, and bytes that nothing in the file points to.
 */
import { asTracelessError } from '../../errors.js';
import { decodeExif, formatBytes } from '../../decode/exif.js';
import { imageTags, tiffTags } from '../../decode/exif-tags.js';
import type { Finding } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport } from '../types.js';
import { embeddedMetadata, startsJpeg } from './embedded-jpeg.js';
import { blockKindOf, describeExtraTag, describeGeoTiff, describePayload, unnamedRemovedTags } from './payloads.js';
import { dngTags, geoTiffTags, jpegTablesTag, keptImageTags, metadataTags } from './tags.js';
import { cleanJpegTables } from './jpeg-tables.js';
import { planTiff } from './plan.js';
import { BufferSource } from '../../io/source.js';
import {
  firstNumber, gapsBetween, hex4, imageDataOf, mergeRanges, outOfLineValue, readTiffFile,
  type ByteRange, type TiffFile,
} from './structure.js';

export const wherePrefix = 'TIFF';

const payloadTags: ReadonlySet<number> = new Set([metadataTags.xmp, metadataTags.iptc, metadataTags.photoshop, metadataTags.icc]);

export interface InspectOptions {
  /** True for camera RAW handlers: maker data is expected, so unreferenced bytes are not reported. */
  raw?: boolean;
  /** The report to record into (best-effort inspection keeps what was found before a throw). */
  into?: ContainerReport;
}

/** The report for a whole TIFF file held in `data`. */
export function inspectTiffData(data: Buffer, options: InspectOptions = {}): ContainerReport {
  const file = readTiffFile(data);
  const { structure } = file;
  const report = options.into ?? emptyReport();
  const exif = decodeExif(structure, { where: wherePrefix });
  report.warnings.push(...exif.warnings);
  report.locations.push(...exif.locations);
  const raw = options.raw === true || file.rawKind !== undefined;
  const thumbnailIfdNames = new Set(file.thumbnailIfds.map((ifd) => ifd.name));
  for (const finding of exif.findings) report.findings.push(raw ? finding : adjustExifFinding(finding, thumbnailIfdNames));
  for (const name of file.brokenIfds) report.unreadable.push(`${wherePrefix}/${name}: an IFD that cannot be read or that loops back`);

  for (const ifd of file.imageIfds) {
    const where = `${wherePrefix}/${ifd.name}`;
    for (const entry of ifd.entries) {
      const value = outOfLineValue(entry);
      if (payloadTags.has(entry.tag) || entry.tag === metadataTags.makerNote || entry.tag === metadataTags.dngPrivateData || entry.tag === 0xc68c) {
        if (value) report.blocks.push({ where: `${where}/0x${hex4(entry.tag)}`, kind: blockKindOf(entry.tag), offset: value.offset, length: value.length, note: imageTags.get(entry.tag)?.name ?? '' });
      }
      if (payloadTags.has(entry.tag)) mergeReport(report, describePayload(structure, entry, where));
      const extra = describeExtraTag(structure, entry, where);
      if (extra) report.findings.push(extra);
      if (value && !keptImageTags.has(entry.tag) && (entry.type === 7 || entry.type === 1) && startsJpeg(data, value.offset)) {
        mergeEmbedded(report, data, value, `${where}/0x${hex4(entry.tag)}`);
      }
      if (value && entry.tag === jpegTablesTag) describeJpegTables(report, data, value, `${where}/JPEGTables`);
    }
    const geo = describeGeoTiff(structure, ifd, where);
    report.findings.push(...geo.findings);
    report.locations.push(...geo.locations);
    const unnamed = unnamedRemovedTags(ifd).filter((tag) => !geoTiffTags.has(tag));
    if (unnamed.length > 0) {
      const list = unnamed.slice(0, 12).map((tag) => `0x${hex4(tag)}`).join(', ') + (unnamed.length > 12 ? ', …' : '');
      report.findings.push({ category: 'other', where, tag: 'OtherTags', label: 'Other tags', value: unnamed.length, text: `${unnamed.length} tag(s) not needed to show the image (${list})` });
    }
    describeImageData(file, ifd.name, data, report, raw);
  }

  for (const ifd of file.metadataIfds) {
    report.blocks.push({ where: `${wherePrefix}/${ifd.name}`, kind: 'exif', offset: ifd.offset, length: ifd.tableLength, note: `${ifd.entries.length} entries` });
    const named = report.findings.some((finding) => finding.where === `${wherePrefix}/${ifd.name}` && !finding.retained);
    if (!named && ifd.entries.length > 0) {
      const gps = ifd.name.endsWith('GPS');
      report.findings.push({
        category: gps ? 'location' : 'other', where: `${wherePrefix}/${ifd.name}`, tag: gps ? 'GPSInfo' : 'ExifData',
        label: gps ? 'GPS block (no position)' : 'Camera settings (Exif)', value: ifd.entries.length, text: `${ifd.entries.length} tag(s)`,
      });
    }
  }

  if (file.isDng) addDngNotes(file, report);
  if (file.rawKind) {
    report.warnings.push({ code: 'TIFF_CAMERA_RAW', message: `camera RAW file (${file.rawKind}): traceless can scan it but not clean it`, severity: 'info' });
    if (file.imageIfds.some((ifd) => ifd.entries.some((entry) => entry.tag === metadataTags.makerNote)) || file.metadataIfds.some((ifd) => ifd.entries.some((entry) => entry.tag === metadataTags.makerNote))) {
      report.unreadable.push('camera maker notes are not decoded by traceless (they can hold serial numbers and more)');
    }
  } else if (!options.raw) {
    describeUnreferencedBytes(file, report);
    describeWhatACleanRemoves(data, report);
  }
  return report;
}

/**
 * JPEGTables hold a JPEG stream, which can carry APPn segments (Exif with GPS, XMP), comments and
 * bytes after EOI: they are decoded like a JPEG preview's, and a clean re-writes the tables alone.
 */
function describeJpegTables(report: ContainerReport, data: Buffer, value: ByteRange, where: string): void {
  let cleaned;
  try {
    cleaned = cleanJpegTables(data.subarray(value.offset, value.offset + value.length));
  } catch (error) {
    report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
    return;
  }
  if (cleaned.removed.length === 0) return;
  const before = report.findings.length;
  try {
    for (const found of embeddedMetadata(data, value, where)) {
      report.blocks.push({ where: found.where, kind: found.kind === 'trailer' ? 'trailer' : found.kind === 'other' ? 'vendor' : found.kind, offset: found.zero.offset, length: found.zero.length });
      mergeReport(report, found.report);
    }
  } catch {
    // An abbreviated stream the JPEG walker does not take: the line below still says what is there.
  }
  if (report.findings.length === before) {
    report.findings.push({ category: 'embedded', where, tag: 'JPEGTables', label: 'Data inside JPEG tables', value: cleaned.removed.length, text: `${cleaned.removed.join(', ')} (a clean keeps the tables only)` });
  }
}

/**
 * The keep-list rule for scans: whatever a full clean would remove must show up in the report, so
 * a file that hides data in kept structures (text after a NUL, extra values of a one-value tag, a
 * tag of the wrong type) is never called clean: when no finding names anything, each removal a
 * clean would make gets a line.
 */
function describeWhatACleanRemoves(data: Buffer, report: ContainerReport): void {
  // A report that already names something is not "nothing revealing"; planning again would only
  // cost time (verification inspects every output).
  if (report.findings.some((finding) => !finding.retained) || report.unreadable.length > 0) return;
  let removed;
  try {
    removed = planTiff(new BufferSource(data), { mode: 'all', keepOrientation: true, keepDates: false }).removed;
  } catch {
    return; // the clean refuses: nothing it would write to describe
  }
  for (const removal of removed.slice(0, 20)) {
    report.findings.push({ category: 'other', where: removal.where, tag: 'HiddenData', label: 'Data a clean removes', value: removal.bytes, text: removal.note ?? `${formatBytes(removal.bytes)}` });
  }
}

/** Orientation stays retained; a thumbnail in an IFD that a clean keeps is a kept preview. */
function adjustExifFinding(finding: Finding, thumbnailIfds: ReadonlySet<string>): Finding {
  if (finding.tag === 'ThumbnailImage') {
    const ifdName = finding.where.slice(wherePrefix.length + 1);
    if (!thumbnailIfds.has(ifdName) && /^(IFD|SubIFD)\d+$/.test(ifdName.slice(ifdName.lastIndexOf('/') + 1))) {
      return { ...finding, label: 'Preview image', meaning: 'embedded-image', text: `${finding.text}, kept: it is an image of the file itself`, retained: true };
    }
  }
  if (finding.tag === 'UniqueCameraModel') {
    return { ...finding, text: `${finding.text} (a clean empties this text but keeps the tag, which DNG readers expect)` };
  }
  return finding;
}

function addDngNotes(file: TiffFile, report: ContainerReport): void {
  const ifd0 = file.structure.ifds[0]!;
  const calibrated = ifd0.entries.some((entry) => entry.tag === 0xc621);
  if (calibrated) {
    report.findings.push({
      category: 'other', where: `${wherePrefix}/IFD0`, tag: 'ColorMatrix1', label: 'DNG colour calibration', meaning: 'colour-profile', value: 'kept',
      text: 'colour matrices and calibration, kept: a raw converter needs them (they can hint at the camera model)', retained: true,
    });
  }
  if (!ifd0.entries.some((entry) => entry.tag === dngTags.uniqueCameraModel)) {
    report.warnings.push({ code: 'DNG_NO_UNIQUE_CAMERA_MODEL', message: 'DNG without UniqueCameraModel', severity: 'info' });
  }
}

/** Previews kept by a clean, and metadata inside JPEG strips, tiles and previews. */
function describeImageData(file: TiffFile, ifdName: string, data: Buffer, report: ContainerReport, raw: boolean): void {
  const ifd = file.structure.ifds.find((candidate) => candidate.name === ifdName)!;
  const where = `${wherePrefix}/${ifd.name}`;
  let image;
  try {
    image = imageDataOf(file.structure, ifd);
  } catch (error) {
    // RAW files often point at sensor data in their own ways: not a problem for a scan.
    if (raw) report.warnings.push({ code: 'TIFF_IMAGE_DATA_UNREADABLE', message: `${where}: ${asTracelessError(error).message}`, severity: 'info' });
    else report.unreadable.push(`${where}: image data (${asTracelessError(error).message})`);
    return;
  }
  const newSubfileType = firstNumber(file.structure, ifd, metadataTags.newSubfileType) ?? 0;
  const isThumbnailIfd = file.thumbnailIfds.includes(ifd);
  const isPreview = (newSubfileType & 1) === 1 && !isThumbnailIfd && (ifd.name !== 'IFD0' || file.isDng);
  if (isPreview && !raw && image.pixels.length > 0) {
    const width = firstNumber(file.structure, ifd, 0x0100);
    const height = firstNumber(file.structure, ifd, 0x0101);
    const size = width && height ? `${width}×${height}` : 'reduced-size';
    if (file.isDng) {
      // A DNG preview was rendered by earlier software; a clean removes it (plan.ts `dngPreviews`).
      report.findings.push({ category: 'thumbnail', where, tag: 'PreviewImage', label: 'Preview image', meaning: 'embedded-image', value: size, text: `${size} picture rendered by earlier software, removed by a clean (raw converters render the raw data)` });
    } else {
      report.findings.push({ category: 'thumbnail', where, tag: 'PreviewImage', label: 'Preview image', meaning: 'embedded-image', value: size, text: `${size}, kept: it shows the same picture as the main image`, retained: true });
    }
  }
  const jpegRanges = image.pixels.filter((range) => (image.jpeg || findsThumbnail(ifd, range, file)) && startsJpeg(data, range.offset));
  for (const range of jpegRanges) mergeEmbedded(report, data, range, `${where}/JPEG@${range.offset}`);
}

function findsThumbnail(ifd: TiffFile['imageIfds'][number], range: ByteRange, file: TiffFile): boolean {
  return firstNumber(file.structure, ifd, tiffTags.thumbnailOffset) === range.offset;
}

function mergeEmbedded(report: ContainerReport, data: Buffer, range: ByteRange, where: string): void {
  try {
    for (const found of embeddedMetadata(data, range, where)) {
      report.blocks.push({ where: found.where, kind: found.kind === 'trailer' ? 'trailer' : found.kind === 'other' ? 'vendor' : found.kind, offset: found.zero.offset, length: found.zero.length });
      mergeReport(report, found.report);
    }
  } catch (error) {
    report.unreadable.push(asTracelessError(error).message);
  }
}

/**
 * Bytes that no IFD, value or image points to. Tools that "delete" a tag often leave its value
 * behind; a clean zeroes them, so the scan says how many there are.
 */
function describeUnreferencedBytes(file: TiffFile, report: ContainerReport): void {
  const { structure } = file;
  const owned: ByteRange[] = [{ offset: 0, length: file.headerLength }];
  try {
    for (const ifd of structure.ifds) {
      owned.push({ offset: ifd.offset, length: ifd.tableLength });
      for (const entry of ifd.entries) {
        const value = outOfLineValue(entry);
        if (value) owned.push(value);
      }
      if (file.imageIfds.includes(ifd)) {
        const image = imageDataOf(structure, ifd);
        owned.push(...image.pixels, ...image.tables);
      }
    }
  } catch {
    return; // already reported as unreadable image data
  }
  // Maker notes may point outside their own value: then some of these bytes are theirs.
  const makerNotes = file.metadataIfds.some((ifd) => ifd.entries.some((entry) => entry.tag === metadataTags.makerNote));
  let nonZero = 0;
  for (const gap of gapsBetween(mergeRanges(owned), structure.data.length)) {
    const bytes = structure.data.subarray(gap.offset, gap.offset + gap.length);
    for (const byte of bytes) if (byte !== 0) nonZero += 1;
  }
  if (nonZero > 0) {
    report.findings.push({
      category: 'other', where: `${wherePrefix}/unreferenced`, tag: 'UnreferencedData', label: 'Unreferenced bytes', value: nonZero,
      text: `${formatBytes(nonZero)} that nothing in the file points to (they can hold leftovers of deleted metadata${makerNotes ? ', or data of the maker notes' : ''})`,
    });
  }
}
