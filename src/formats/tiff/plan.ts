/**
 * Plans a clean TIFF/DNG by editing a copy of the file in place: nothing moves, so every strip,
 * tile and IFD offset stays valid and the output has the input's length.
 *
 * Full clean (`all`):
 * - the Exif, GPS and Interoperability IFDs go whole (tables and values zeroed);
 * - every image IFD (IFD0…, SubIFDs) keeps only the tags in `keptImageTags` (tags.ts): what a
 *   reader needs to show the pixels. Make, Model, serial numbers, dates, XMP, IPTC, Photoshop
 *   data, maker notes, DNG private data, GeoTIFF and all unknown tags are removed and zeroed;
 * - DNG `UniqueCameraModel` keeps its entry (DNG readers expect it) but becomes an empty string:
 *   the DNG SDK reads an empty value as "Digital Negative", and the model name is gone;
 * - chain IFDs that hold only an EXIF-style thumbnail are unlinked and zeroed;
 * - APPn/COM payloads inside JPEG strips, tiles and previews are zeroed;
 * - finally every byte that no kept structure points to is zeroed, so leftovers of earlier
 *   edits cannot survive.
 * Location clean: the GPS IFD, GeoTIFF tags and maker notes (some vendors store places there) go;
 * XMP and IPTC lose their location fields in place; JPEG previews lose APPn blocks holding a place.
 *
 * References: TIFF 6.0 section 2; Adobe DNG 1.7.1 section 4 (UniqueCameraModel);
 * Adobe XMP Specification Part 3 §1.1.4; IPTC-IIM 4.2.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { imageTags, tiffTags } from '../../decode/exif-tags.js';
import { readBytes, readUint, type Ifd, type IfdEntry } from '../../decode/tiff.js';
import { removeTiffEntries, writeUint } from '../../decode/tiff-edit.js';
import type { CleanPlan, PlanOptions, PlanRemoval } from '../types.js';
import { embeddedMetadata, startsJpeg, type EmbeddedMetadata } from './embedded-jpeg.js';
import { editImageResourcesInPlace, editIptcInPlace, editXmpInPlace, type InPlaceEdit } from './location.js';
import { blockKindOf } from './payloads.js';
import { diffPieces } from './pieces.js';
import {
  gapsBetween, hex4, imageDataOf, ifdLeafName, isImageIfdName, loadTiffBytes, mergeRanges, outOfLineValue, readTiffFile,
  unreadableKeptEntries, type ByteRange, type TiffFile,
} from './structure.js';
import { dngTags, extraTags, geoTiffTags, keptImageTags, metadataTags } from './tags.js';
import { wherePrefix } from './inspect.js';

interface KeptImage {
  ifd: Ifd;
  /** Pixel data and old-style JPEG tables, read before any edit. */
  ranges: ByteRange[];
  /** The pixel ranges that are JPEG streams. */
  jpegStreams: ByteRange[];
}

interface Context {
  file: TiffFile;
  images: KeptImage[];
  original: Buffer;
  edited: Buffer;
  options: PlanOptions;
  removed: PlanRemoval[];
  kept: Set<string>;
}

export function planTiff(source: ByteSource, options: PlanOptions): CleanPlan {
  const original = loadTiffBytes(source);
  const edited = Buffer.from(original);
  const file = readTiffFile(edited);
  if (file.rawKind) {
    throw new TracelessError('UNSUPPORTED_FORMAT', `camera RAW files (${file.rawKind}) can be scanned but not cleaned: their readers need the maker notes a clean would remove; nothing was written`);
  }
  // TIFF 6.0 requires IFD0; a header pointing nowhere (offset 0) leaves nothing to keep.
  if (file.structure.ifds.length === 0) throw new TracelessError('MALFORMED', 'the TIFF header points to no IFD0, so the file holds no image; nothing was written');
  checkStructure(file, options);
  const context: Context = { file, images: keptImages(file, options), original, edited, options, removed: [], kept: new Set() };
  if (options.mode === 'all') cleanAll(context);
  else cleanLocation(context);
  checkResult(context);
  return { pieces: diffPieces(original, edited), removed: context.removed, kept: [...context.kept] };
}

/** Refuses what cannot be proven clean: loops, unreadable image IFDs, image data outside the file. */
function checkStructure(file: TiffFile, options: PlanOptions): void {
  for (const name of file.brokenIfds) {
    // In a full clean a broken Exif/GPS IFD goes with its pointer; anything else is refused.
    if (options.mode === 'location' || isImageIfdName(name)) {
      throw new TracelessError('MALFORMED', `${name} cannot be read or loops back to an earlier IFD, so the file cannot be proven clean; nothing was written`);
    }
  }
  const unreadable = unreadableKeptEntries(file);
  if (unreadable.length > 0) throw new TracelessError('MALFORMED', `unreadable image tags (${unreadable.slice(0, 3).join(', ')}); nothing was written`);
  // Thumbnails are removed in a full clean, but kept (and their bytes restored) in location mode.
  const thumbnails = new Set(options.mode === 'all' ? file.thumbnailIfds : []);
  const pixels: ByteRange[] = [];
  for (const ifd of file.imageIfds) {
    if (thumbnails.has(ifd)) continue;
    pixels.push(...imageDataOf(file.structure, ifd).pixels);
  }
  // A table that overlaps pixel data cannot be rewritten without changing the picture.
  const merged = mergeRanges(pixels);
  for (const ifd of file.structure.ifds) {
    const start = ifd.offset;
    const end = ifd.offset + ifd.tableLength;
    if (merged.some((range) => range.offset < end && start < range.offset + range.length) || start < file.headerLength) {
      throw new TracelessError('MALFORMED', `${ifd.name} overlaps the image data or the header; nothing was written`);
    }
  }
}

const pointerNames: ReadonlyMap<number, string> = new Map([[0x8769, 'ExifIFDPointer'], [0x8825, 'GPSInfoPointer'], [0xa005, 'InteropPointer']]);

function removalFor(ifd: Ifd, entry: IfdEntry, note?: string): PlanRemoval {
  const known = imageTags.get(entry.tag)?.name ?? extraTags.get(entry.tag)?.name ?? geoTiffTags.get(entry.tag) ?? pointerNames.get(entry.tag);
  const name = known ?? `tag 0x${hex4(entry.tag)}`;
  const kind = blockKindOf(entry.tag);
  const removal: PlanRemoval = { where: `${wherePrefix}/${ifd.name}/${name}`, kind: kind === 'other' && known ? 'exif' : kind, bytes: entry.valueLength };
  if (note) removal.note = note;
  return removal;
}

function cleanAll(context: Context): void {
  const { file, options, removed } = context;
  const { structure } = file;
  unlinkThumbnails(context);
  blankUniqueCameraModel(context);
  const removeIfds = new Set([...file.metadataIfds, ...file.thumbnailIfds].map((ifd) => ifd.name));
  const entriesByIfd = new Map<string, Ifd>(structure.ifds.map((ifd) => [ifd.name, ifd]));
  const result = removeTiffEntries(
    structure,
    (ifd, entry) => isImageIfdName(ifd.name) && (!keptImageTags.has(entry.tag) || (entry.tag === tiffTags.orientation && !options.keepOrientation)),
    removeIfds,
  );
  for (const name of result.ifds) {
    const ifd = entriesByIfd.get(name);
    if (!ifd || file.thumbnailIfds.includes(ifd)) continue;
    const bytes = ifd.tableLength + ifd.entries.reduce((sum, entry) => sum + (entry.inline ? 0 : entry.valueLength), 0);
    removed.push({ where: `${wherePrefix}/${name}`, kind: 'exif', bytes, note: ifdLeafName(name) === 'GPS' ? 'GPS position' : 'camera settings, dates, serial numbers, maker notes' });
  }
  for (const entry of result.entries) {
    const ifd = entriesByIfd.get(entry.ifd);
    const original = ifd?.entries.find((candidate) => candidate.tag === entry.tag);
    if (ifd && original) removed.push(removalFor(ifd, original));
  }
  restoreImageData(context);
  zeroEmbeddedJpegMetadata(context, () => true);
  zeroUnreferencedBytes(context);
  describeKept(context);
}

/** Unlinks chain IFDs that hold only an EXIF-style thumbnail: the previous IFD skips over them. */
function unlinkThumbnails(context: Context): void {
  const { file, edited, removed } = context;
  const { structure } = file;
  const linkBytes = structure.bigTiff ? 8 : 4;
  const chain = structure.ifds.filter((ifd) => /^IFD\d+$/.test(ifd.name));
  for (const thumbnail of file.thumbnailIfds) {
    const previous = chain.find((ifd) => !file.thumbnailIfds.includes(ifd) && readUint(edited, ifd.nextLinkOffset, linkBytes, structure.littleEndian) === thumbnail.offset)
      ?? chain.find((ifd) => readUint(edited, ifd.nextLinkOffset, linkBytes, structure.littleEndian) === thumbnail.offset);
    if (!previous) throw new TracelessError('MALFORMED', `${thumbnail.name} is not linked from an earlier IFD; nothing was written`);
    writeUint(edited, previous.nextLinkOffset, linkBytes, thumbnail.nextIfdOffset, structure.littleEndian);
    const jpegLength = thumbnail.entries.find((entry) => entry.tag === tiffTags.thumbnailLength);
    const length = jpegLength ? readUint(edited, jpegLength.valueOffset, jpegLength.type === 3 ? 2 : 4, structure.littleEndian) : 0;
    removed.push({ where: `${wherePrefix}/${thumbnail.name}`, kind: 'thumbnail', bytes: thumbnail.tableLength + length, note: 'EXIF-style thumbnail' });
  }
}

/**
 * Empties DNG UniqueCameraModel, keeping the entry that DNG readers expect: the entry becomes one
 * NUL (count 1, stored inline), and the old text, now pointed to by nothing, is zeroed with the
 * other unreferenced bytes. An empty string (rather than NULs of the old length) keeps libtiff
 * quiet and does not hint at the length of the model name.
 */
function blankUniqueCameraModel(context: Context): void {
  const { file, edited, removed, kept } = context;
  const { structure } = file;
  const countBytes = structure.bigTiff ? 8 : 4;
  for (const ifd of file.imageIfds) {
    const entry = ifd.entries.find((candidate) => candidate.tag === dngTags.uniqueCameraModel);
    if (!entry || !entry.readable) continue;
    kept.add('DNG UniqueCameraModel tag, emptied (DNG readers expect the tag)');
    const field = entry.entryOffset + 4 + countBytes;
    const fieldEnd = field + countBytes;
    if (entry.count === 1 && entry.type === 2 && edited.subarray(field, fieldEnd).every((byte) => byte === 0)) continue;
    writeUint(edited, entry.entryOffset + 2, 2, 2, structure.littleEndian); // ASCII
    writeUint(edited, entry.entryOffset + 4, countBytes, 1, structure.littleEndian);
    edited.fill(0, field, fieldEnd);
    removed.push({ where: `${wherePrefix}/${ifd.name}/UniqueCameraModel`, kind: 'exif', bytes: entry.valueLength, note: 'camera model text removed; the (empty) tag stays' });
  }
}

/** The image IFDs a clean keeps, with where their pixels lie (read before anything is edited). */
function keptImages(file: TiffFile, options: PlanOptions): KeptImage[] {
  const thumbnails = new Set(options.mode === 'all' ? file.thumbnailIfds : []);
  const { structure } = file;
  return file.imageIfds.filter((ifd) => !thumbnails.has(ifd)).map((ifd) => {
    const image = imageDataOf(structure, ifd);
    const jpegOffset = ifd.entries.find((entry) => entry.tag === tiffTags.thumbnailOffset);
    const streamOffset = jpegOffset?.readable ? readUint(structure.data, jpegOffset.valueOffset, jpegOffset.type === 3 ? 2 : 4, structure.littleEndian) : undefined;
    const jpegStreams = image.pixels.filter((range) => (image.jpeg || range.offset === streamOffset) && startsJpeg(structure.data, range.offset));
    return { ifd, ranges: [...image.pixels, ...image.tables], jpegStreams };
  });
}

/**
 * Zeroing a removed value must never touch pixels: when a removed tag's value overlaps image
 * data (a vendor tag pointing into a strip), the image bytes are put back.
 */
function restoreImageData(context: Context): void {
  const { file, original, edited } = context;
  const ranges = mergeRanges([{ offset: 0, length: file.headerLength }, ...context.images.flatMap((image) => image.ranges)]);
  for (const range of ranges) {
    const before = original.subarray(range.offset, range.offset + range.length);
    if (!before.equals(edited.subarray(range.offset, range.offset + range.length))) before.copy(edited, range.offset);
  }
}

/** Zeroes APPn/COM payloads and trailers of JPEG streams in kept IFDs that `select` picks. */
function zeroEmbeddedJpegMetadata(context: Context, select: (found: EmbeddedMetadata) => boolean): void {
  const { edited, removed } = context;
  for (const image of context.images) {
    for (const range of image.jpegStreams) {
      for (const found of embeddedMetadata(edited, range, `${wherePrefix}/${image.ifd.name}/JPEG@${range.offset}`)) {
        if (!select(found)) continue;
        edited.fill(0, found.zero.offset, found.zero.offset + found.zero.length);
        removed.push({ where: found.where, kind: found.kind === 'other' ? 'vendor' : found.kind, bytes: found.zero.length, note: 'metadata inside an embedded JPEG (payload zeroed)' });
      }
    }
  }
}

/** Zeroes every byte that no kept IFD, value or image points to. */
function zeroUnreferencedBytes(context: Context): void {
  const { edited, removed } = context;
  const after = readTiffFile(edited);
  const owned: ByteRange[] = [{ offset: 0, length: after.headerLength }];
  for (const ifd of after.structure.ifds) {
    owned.push({ offset: ifd.offset, length: ifd.tableLength });
    for (const entry of ifd.entries) {
      const value = outOfLineValue(entry);
      if (value) owned.push(value);
    }
    const image = imageDataOf(after.structure, ifd);
    owned.push(...image.pixels, ...image.tables);
  }
  let cleared = 0;
  for (const gap of gapsBetween(mergeRanges(owned), edited.length)) {
    const bytes = edited.subarray(gap.offset, gap.offset + gap.length);
    let nonZero = 0;
    for (const byte of bytes) if (byte !== 0) nonZero += 1;
    if (nonZero === 0) continue;
    cleared += nonZero;
    bytes.fill(0);
  }
  if (cleared > 0) removed.push({ where: `${wherePrefix}/unreferenced`, kind: 'other', bytes: cleared, note: 'bytes nothing in the file points to (leftovers of removed or earlier-deleted data)' });
}

function describeKept(context: Context): void {
  const { file, edited, kept } = context;
  const after = readTiffFile(edited);
  const ifd0 = after.structure.ifds[0]!;
  const orientation = ifd0.entries.find((entry) => entry.tag === tiffTags.orientation);
  if (orientation && orientation.readable) kept.add(`orientation ${readUint(edited, orientation.valueOffset, 2, after.structure.littleEndian)}`);
  if (after.imageIfds.some((ifd) => ifd.entries.some((entry) => entry.tag === metadataTags.icc))) kept.add('ICC colour profile');
  if (file.isDng && ifd0.entries.some((entry) => entry.tag === 0xc621)) kept.add('DNG colour calibration (needed to render; it can hint at the camera model)');
  const previews = after.imageIfds.filter((ifd) => ifd.entries.some((entry) => entry.tag === metadataTags.newSubfileType && entry.readable && (readUint(edited, entry.valueOffset, entry.type === 3 ? 2 : 4, after.structure.littleEndian) & 1) === 1));
  if (previews.length > 0) kept.add(`${previews.length} preview image(s): they show the same picture as the main image`);
  if (after.imageIfds.length > 1 + previews.length) kept.add(`${after.imageIfds.length - previews.length} images (pages or layers)`);
}

function cleanLocation(context: Context): void {
  const { file, edited, removed, kept } = context;
  const { structure } = file;
  const dropWhole = new Set<IfdEntry>();
  for (const ifd of file.imageIfds) {
    for (const entry of ifd.entries) {
      const edit = editForLocation(entry, readBytes(structure, entry));
      if (edit === undefined) {
        dropWhole.add(entry);
      } else if (edit.changed) {
        edit.data.copy(edited, entry.valueOffset);
        removed.push(removalFor(ifd, entry, 'location fields removed in place; the rest kept'));
      }
    }
  }
  const gpsIfds = file.metadataIfds.filter((ifd) => ifdLeafName(ifd) === 'GPS');
  const opaque = new Set<number>([metadataTags.makerNote, metadataTags.dngPrivateData]);
  const result = removeTiffEntries(
    structure,
    (ifd, entry) => dropWhole.has(entry) || opaque.has(entry.tag) || (isImageIfdName(ifd.name) && geoTiffTags.has(entry.tag)),
    new Set(['GPS', ...gpsIfds.map((ifd) => ifd.name)]),
  );
  for (const ifd of gpsIfds) removed.push({ where: `${wherePrefix}/${ifd.name}`, kind: 'exif', bytes: ifd.tableLength, note: 'GPS position' });
  const byName = new Map(structure.ifds.map((ifd) => [ifd.name, ifd]));
  for (const entry of result.entries) {
    const ifd = byName.get(entry.ifd);
    const original = ifd?.entries.find((candidate) => candidate.tag === entry.tag);
    if (!ifd || !original || original.tag === 0x8825) continue;
    const note = opaque.has(entry.tag) ? 'maker notes can hold places; removed whole' : geoTiffTags.has(entry.tag) ? 'map position' : 'holds a place that cannot be removed in place';
    removed.push(removalFor(ifd, original, note));
  }
  restoreImageData(context);
  zeroEmbeddedJpegMetadata(context, (found) => found.report.locations.length > 0 || found.report.findings.some((finding) => finding.category === 'location'));
  kept.add('everything but location data');
}

function editForLocation(entry: IfdEntry, bytes: Buffer): InPlaceEdit {
  if (!entry.readable || entry.valueLength === 0) return { changed: false };
  switch (entry.tag) {
    case metadataTags.xmp:
      return editXmpInPlace(bytes);
    case metadataTags.iptc:
      return editIptcInPlace(bytes);
    case metadataTags.photoshop:
      return editImageResourcesInPlace(bytes);
    default:
      return { changed: false };
  }
}

/** The edited copy must still read as a TIFF with the same images. */
function checkResult(context: Context): void {
  const after = readTiffFile(context.edited);
  if (after.brokenIfds.length > 0) throw new TracelessError('MALFORMED', 'the edited copy would have unreadable IFDs; nothing was written');
  const imagesBefore = context.images.length;
  if (after.imageIfds.length !== imagesBefore) throw new TracelessError('MALFORMED', `the edited copy would have ${after.imageIfds.length} images instead of ${imagesBefore}; nothing was written`);
  if (context.options.mode === 'all' && after.metadataIfds.length > 0) throw new TracelessError('MALFORMED', 'metadata IFDs are still linked after editing; nothing was written');
}
