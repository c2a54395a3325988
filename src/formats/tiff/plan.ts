/**
 * Plans a clean TIFF/DNG with the layout kept: nothing moves, so every strip, tile and IFD offset
 * stays valid and the output has the input's length. Every output byte is one of three things
 * (keep-list rule "re-emit, don't copy"):
 * - image data of the kept images (strips, tiles, JPEG previews), copied byte for byte — minus the
 *   APPn/COM payloads and trailers inside JPEG strips, which become zeros;
 * - the header, the kept IFD tables and the kept tag values, written by traceless from the parsed
 *   fields (`reemitTiff`, src/decode/tiff-edit.ts): kept entries only, inline slack zeroed, text cut
 *   at its NUL, single-value tags cut to their value, JPEGTables re-written from their tables;
 * - zeros: removed IFDs, entries and values, thumbnails, DNG previews, and every byte nothing kept
 *   points to.
 *
 * Full clean (`all`): image IFDs (IFD0…, SubIFDs) keep only `keptImageTags` (tags.ts), what a
 * reader needs to show the pixels; the Exif, GPS and Interoperability IFDs and EXIF-style
 * thumbnail IFDs go whole. In both modes DNG `UniqueCameraModel` keeps its entry (DNG readers
 * expect it) as an empty string; calibration signatures and semantic names are emptied too.
 * Location clean: an allow-list as well — image IFDs also keep the tags of
 * `locationSafeTags.image` (make, model, software, dates, artist, copyright…), the Exif and
 * Interoperability IFDs keep the tags known to hold no place; the GPS IFD, GeoTIFF tags, XMP,
 * IPTC, Photoshop records, maker notes, free text and every unknown tag go; thumbnails go.
 *
 * References: TIFF 6.0 section 2; Adobe DNG 1.7.1 section 4 (UniqueCameraModel); CIPA DC-008
 * (Exif 3.0) section 4.6; ITU-T T.81 annex B (JPEG streams in strips and JPEGTables).
 */
import { sanitiseIccProfile } from '../../decode/icc.js';
import { TracelessError, asTracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { imageTags, locationSafeTags, locationSafeTagsOf, tiffTags } from '../../decode/exif-tags.js';
import { readNumbers, readUint, tiffTypeSizes, type Ifd, type IfdEntry } from '../../decode/tiff.js';
import { locationSafeValue } from '../../decode/exif-shapes.js';
import { reemitTiff, writeUint, type EmittedValue, type ReemitRules, type ReemittedTiff } from '../../decode/tiff-edit.js';
import { PlanBuilder } from '../plan-builder.js';
import type { CleanPlan, PlanOptions } from '../types.js';
import { embeddedMetadata, startsJpeg } from './embedded-jpeg.js';
import { wherePrefix } from './inspect.js';
import { cleanJpegTables } from './jpeg-tables.js';
import { dataTagPairs, expectedLayout } from './layout.js';
import { blockKindOf } from './payloads.js';
import { assemblePieces, subtractRanges } from './pieces.js';
import {
  firstNumber, gapsBetween, hex4, imageDataOf, ifdLeafName, isImageIfdName, loadTiffBytes, maxStripsPerIfd, mergeRanges, outOfLineValue, readTiffFile,
  unreadableKeptEntries, type ByteRange, type TiffFile,
} from './structure.js';
import {
  blobTags, dngTags, emptiedTextTags, extraTags, geoTiffTags, jpegTablesTag, keptImageTags, metadataTags, perSampleTags,
  samplesPerPixelTag, singleValueTags, textTags, fixedCountTags, colourPlaneTags,
} from './tags.js';

interface KeptImage {
  ifd: Ifd;
  /** Strips, tiles and JPEG streams: copied. */
  pixels: ByteRange[];
  /** Old-style JPEG tables (tags 0x0207–0x0209), written from their parsed lengths. */
  tables: ByteRange[];
  /** The pixel ranges that are JPEG streams. */
  jpegStreams: ByteRange[];
}

/** InterColorProfile and the DNG AsShot/Current ICC profiles. */
const iccProfileTags: ReadonlySet<number> = new Set([0x8773, 0xc68f, 0xc691]);

/**
 * A kept ICC profile re-written through decode/icc (standard profiles stay as they are). It is
 * written in place, so it must not grow: a re-written profile is nearly always shorter (private
 * tags and device text go); one that would not fit is refused rather than dropped, because without
 * its profile the picture displays differently.
 */
function rewrittenIccProfile(entry: IfdEntry, value: Buffer, notes: Map<IfdEntry, string>): EmittedValue | undefined {
  let sanitised;
  try {
    sanitised = sanitiseIccProfile(value, 'ICC_Profile');
  } catch (error) {
    throw new TracelessError('MALFORMED', `the ICC colour profile cannot be read (${asTracelessError(error).message}); removing it would change how the picture displays`);
  }
  if (sanitised.profile.length > value.length) sanitised = sanitiseIccProfile(value, 'ICC_Profile', { compact: true });
  if (sanitised.profile.equals(value)) return undefined;
  if (sanitised.profile.length > value.length) {
    throw new TracelessError('UNSUPPORTED_FORMAT', 'the ICC colour profile, re-written without its text and device fields, would not fit in its place; removing it would change how the picture displays');
  }
  notes.set(entry, `colour profile re-written: ${sanitised.removed.join('; ') || 'header fields neutralised'}`);
  return { type: entry.type, count: Math.ceil(sanitised.profile.length / (tiffTypeSizes[entry.type] ?? 1)), data: sanitised.profile };
}

export function planTiff(source: ByteSource, options: PlanOptions): CleanPlan {
  const original = loadTiffBytes(source);
  const file = readTiffFile(original);
  if (file.rawKind) {
    throw new TracelessError('UNSUPPORTED_FORMAT', `camera RAW files (${file.rawKind}) can be scanned but not cleaned: their readers need the maker notes a clean would remove; nothing was written`);
  }
  // TIFF 6.0 requires IFD0; a header pointing nowhere (offset 0) leaves nothing to keep.
  if (file.structure.ifds.length === 0) throw new TracelessError('MALFORMED', 'the TIFF header points to no IFD0, so the file holds no image; nothing was written');
  checkStructure(file);
  const plan = new PlanBuilder();
  const images = keptImages(file);
  const notes = new Map<IfdEntry, string>();
  const emitted = reemitTiff(file.structure, rulesFor(file, options, notes));
  reportRemovals(file, emitted, plan, options, notes);
  // Old-style JPEG tables have a length defined by their content (64 bytes, or 16 + symbols).
  for (const image of images) {
    for (const table of image.tables) original.copy(emitted.data, table.offset, table.offset, table.offset + table.length);
  }
  const zeroed = embeddedJpegMetadata(images, original, plan);
  reportUnreferenced(file, plan);
  const copies = subtractRanges(mergeRanges(images.flatMap((image) => image.pixels)), zeroed);
  const output = assemblePieces(plan, original, emitted.data, copies);
  const after = readTiffFile(output);
  checkResult(after, images.length, options);
  if (plan.removed.length === 0 && !output.equals(original)) {
    plan.remove(`${wherePrefix}/structure`, 'other', differingBytes(original, output), 'unused bytes inside kept structures (inline value slack, padding)');
  }
  describeKept(file, after, plan, options);
  return plan.build();
}

/** Refuses what cannot be proven clean: loops, unreadable image IFDs, image data outside the file. */
function checkStructure(file: TiffFile): void {
  for (const name of file.brokenIfds) {
    // A broken Exif/GPS/Interop IFD goes with its pointer (nothing of it is written back); a broken
    // image IFD is a page or image that removing would lose, so the file is refused.
    if (!isImageIfdName(name)) continue;
    throw new TracelessError('MALFORMED', `${name} cannot be read or loops back to an earlier IFD; removing it would lose an image, so nothing was written`);
  }
  const unreadable = unreadableKeptEntries(file);
  if (unreadable.length > 0) throw new TracelessError('MALFORMED', `unreadable image tags (${unreadable.slice(0, 3).join(', ')}); nothing was written`);
  const thumbnails = new Set(file.thumbnailIfds);
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

/** Tags that make an IFD hold pixels: a DNG IFD0 preview loses them and keeps its DNG tags. */
const pixelTags: ReadonlySet<number> = new Set([
  0x0111, 0x0116, 0x0117, 0x0142, 0x0143, 0x0144, 0x0145, jpegTablesTag, 0x0201, 0x0202, 0x0207, 0x0208, 0x0209,
]);

/**
 * DNG previews: reduced-resolution images (NewSubfileType bit 0) beside the raw data. A raw
 * converter renders the raw data; a preview is a picture made by some earlier software (with the
 * edits of its time), so a clean removes it in both modes, as it removes thumbnails. In plain TIFF
 * files reduced-resolution images are part of the document (pyramids, pages) and stay.
 */
function dngPreviews(file: TiffFile): Ifd[] {
  if (!file.isDng) return [];
  return file.imageIfds.filter((ifd) => ((firstNumber(file.structure, ifd, metadataTags.newSubfileType) ?? 0) & 1) === 1);
}

/** IFDs removed whole: thumbnail-only chain IFDs, DNG previews other than IFD0. */
function droppedImageIfds(file: TiffFile): Set<Ifd> {
  return new Set([...file.thumbnailIfds, ...dngPreviews(file).filter((ifd) => ifd.name !== 'IFD0')]);
}

/** The image IFDs a clean keeps, with where their pixels lie (none for a DNG IFD0 preview). */
function keptImages(file: TiffFile): KeptImage[] {
  const dropped = droppedImageIfds(file);
  const previews = new Set(dngPreviews(file));
  const { structure } = file;
  return file.imageIfds.filter((ifd) => !dropped.has(ifd)).map((ifd) => {
    if (previews.has(ifd)) return { ifd, pixels: [], tables: [], jpegStreams: [] };
    const image = { ...imageDataOf(structure, ifd), pixels: decodedPixels(file, ifd) };
    const streamOffset = firstNumber(structure, ifd, tiffTags.thumbnailOffset);
    const jpegStreams = image.pixels.filter((range) => (image.jpeg || range.offset === streamOffset) && startsJpeg(structure.data, range.offset));
    return { ifd, pixels: image.pixels, tables: image.tables, jpegStreams };
  });
}

/**
 * The strips, tiles and JPEG stream a reader decodes: strips or tiles past the count the image
 * tags call for, and bytes past the fixed size of uncompressed ones, are left out (layout.ts).
 * Ranges were checked against the file by `imageDataOf`.
 */
function decodedPixels(file: TiffFile, ifd: Ifd): ByteRange[] {
  const { structure } = file;
  const ranges: ByteRange[] = [];
  for (const pair of dataTagPairs) {
    const offsetsEntry = ifd.entries.find((entry) => entry.tag === pair.offsets);
    const countsEntry = ifd.entries.find((entry) => entry.tag === pair.counts);
    if (!offsetsEntry || !countsEntry) continue;
    const offsets = readNumbers(structure, offsetsEntry, maxStripsPerIfd);
    const counts = readNumbers(structure, countsEntry, maxStripsPerIfd);
    const layout = expectedLayout(structure, ifd, pair.tile);
    const used = Math.min(offsets.length, layout?.count ?? offsets.length);
    for (let index = 0; index < used; index++) {
      const length = Math.min(counts[index] ?? 0, layout?.maxBytes?.(index) ?? Infinity);
      if (length > 0) ranges.push({ offset: offsets[index]!, length });
    }
  }
  const jpegOffset = firstNumber(structure, ifd, tiffTags.thumbnailOffset);
  const jpegLength = firstNumber(structure, ifd, tiffTags.thumbnailLength);
  if (jpegOffset !== undefined && jpegLength !== undefined && jpegLength > 0) ranges.push({ offset: jpegOffset, length: jpegLength });
  return ranges;
}

/** Offsets and byte counts cut to the strips or tiles a reader decodes, and the counts to their fixed size. */
function trimmedDataTag(file: TiffFile, ifd: Ifd, entry: IfdEntry, value: Buffer): EmittedValue | undefined {
  const pair = dataTagPairs.find((candidate) => candidate.offsets === entry.tag || candidate.counts === entry.tag);
  if (!pair) return undefined;
  const layout = expectedLayout(file.structure, ifd, pair.tile);
  if (!layout) return undefined;
  const size = tiffTypeSizes[entry.type] ?? 4;
  const used = Math.min(entry.count, layout.count);
  if (entry.tag === pair.offsets) return used < entry.count ? { type: entry.type, count: used, data: value.subarray(0, used * size) } : undefined;
  const { littleEndian } = file.structure;
  const data = Buffer.from(value.subarray(0, used * size));
  let changed = used < entry.count;
  for (let index = 0; index < used && layout.maxBytes; index++) {
    const count = readUint(data, index * size, size, littleEndian);
    const maximum = layout.maxBytes(index);
    if (count > maximum) {
      writeUint(data, index * size, size, maximum, littleEndian);
      changed = true;
    }
  }
  return changed ? { type: entry.type, count: used, data } : undefined;
}

/** A kept image tag must have the kind of value it is defined with: text only where text belongs, blobs only where blobs belong. */
function hasExpectedType(entry: IfdEntry): boolean {
  if (entry.type === 2) return textTags.has(entry.tag);
  if (entry.type === 1 || entry.type === 6 || entry.type === 7) return blobTags.has(entry.tag);
  return true;
}

function rulesFor(file: TiffFile, options: PlanOptions, notes: Map<IfdEntry, string>): ReemitRules {
  const dropped = droppedImageIfds(file);
  const previews = new Set(dngPreviews(file));
  const location = options.mode === 'location';
  const samplesPerPixel = new Map(file.imageIfds.map((ifd) => [ifd, firstNumber(file.structure, ifd, samplesPerPixelTag) ?? 1]));
  const { data, littleEndian } = file.structure;
  const shaped = (leaf: string, entry: IfdEntry) =>
    entry.readable ? locationSafeValue(leaf, entry.tag, entry.type, entry.count, data.subarray(entry.valueOffset, entry.valueOffset + entry.valueLength), littleEndian) : undefined;
  const cfaPlaneColor = file.imageIfds.map((ifd) => ifd.entries.find((entry) => entry.tag === 0xc616)).find((entry) => entry !== undefined);
  const linearRaw = file.imageIfds.find((ifd) => firstNumber(file.structure, ifd, 0x0106) === 34892);
  const colourPlanes = cfaPlaneColor?.count ?? (linearRaw ? samplesPerPixel.get(linearRaw) : undefined) ?? 3;
  // Tables with one value per possible sample value (TIFF 6.0 sections 5, 8 and 20): GrayResponseCurve,
  // ColorMap (×3) and TransferFunction (×1 or ×3); values past the table are slack.
  const depthTableCount = (ifd: Ifd, entry: IfdEntry): number | undefined => {
    const bits = firstNumber(file.structure, ifd, 0x0102) ?? 1;
    if (bits < 1 || bits > 16) return undefined;
    const values = 2 ** bits;
    if (entry.tag === 0x0123) return values;
    if (entry.tag === 0x0140) return 3 * values;
    if (entry.tag === 0x012d) return entry.count >= 3 * values ? 3 * values : values;
    return undefined;
  };
  return {
    keepIfd: (ifd) => {
      if (isImageIfdName(ifd.name)) return !dropped.has(ifd);
      return location && locationSafeTagsOf(ifdLeafName(ifd)) !== undefined && ifdLeafName(ifd) !== 'IFD0';
    },
    keepEntry: (ifd, entry) => {
      if (!isImageIfdName(ifd.name)) return locationSafeTagsOf(ifdLeafName(ifd))?.has(entry.tag) === true && shaped(ifdLeafName(ifd), entry) !== undefined;
      if (previews.has(ifd) && pixelTags.has(entry.tag)) return false;
      if (entry.tag === tiffTags.orientation) return location || options.keepOrientation;
      if (keptImageTags.has(entry.tag)) return hasExpectedType(entry);
      return location && locationSafeTags.image.has(entry.tag) && shaped('IFD0', entry) !== undefined;
    },
    rewrite: (ifd, entry, value) => {
      // Metadata location mode keeps is written from its defined type and count (decode/exif-shapes.ts).
      if (!isImageIfdName(ifd.name)) return shaped(ifdLeafName(ifd), entry);
      if (!keptImageTags.has(entry.tag) && entry.tag !== tiffTags.orientation) return shaped('IFD0', entry);
      const empty: EmittedValue = { type: 2, count: 1, data: Buffer.alloc(1) };
      if (emptiedTextTags.has(entry.tag) || entry.tag === dngTags.uniqueCameraModel) {
        notes.set(entry, entry.tag === dngTags.uniqueCameraModel ? 'camera model text removed; the (empty) tag stays' : 'free text emptied; the (empty) tag stays');
        return empty;
      }
      if (iccProfileTags.has(entry.tag)) return rewrittenIccProfile(entry, value, notes);
      if (entry.tag === jpegTablesTag) {
        const cleaned = cleanJpegTables(value);
        if (cleaned.removed.length > 0) notes.set(entry, `removed from JPEGTables: ${cleaned.removed.join(', ')}; the tables stay`);
        return { type: entry.type, count: cleaned.data.length, data: cleaned.data };
      }
      const trimmed = trimmedDataTag(file, ifd, entry, value);
      if (trimmed) {
        notes.set(entry, 'strips, tiles or bytes past what the image tags say a reader decodes');
        return trimmed;
      }
      const size = tiffTypeSizes[entry.type] ?? 1;
      const wanted = singleValueTags.has(entry.tag) ? 1 : perSampleTags.has(entry.tag) ? samplesPerPixel.get(ifd) ?? 1 : fixedCountTags.get(entry.tag) ?? depthTableCount(ifd, entry) ?? colourPlaneTags.get(entry.tag)?.(colourPlanes) ?? entry.count;
      if (entry.count > wanted && wanted >= 1) {
        notes.set(entry, `${entry.count - wanted} extra value(s) a reader never reads`);
        return { type: entry.type, count: wanted, data: value.subarray(0, wanted * size) };
      }
      return undefined;
    },
  };
}

const pointerNames: ReadonlyMap<number, string> = new Map([[0x8769, 'ExifIFDPointer'], [0x8825, 'GPSInfoPointer'], [0xa005, 'InteropPointer'], [0x014a, 'SubIFDs']]);

function tagName(tag: number): string {
  return imageTags.get(tag)?.name ?? extraTags.get(tag)?.name ?? geoTiffTags.get(tag) ?? pointerNames.get(tag) ?? (tag === jpegTablesTag ? 'JPEGTables' : `tag 0x${hex4(tag)}`);
}

function reportRemovals(file: TiffFile, emitted: ReemittedTiff, plan: PlanBuilder, options: PlanOptions, notes: Map<IfdEntry, string>): void {
  const removedIfds = new Set(emitted.removedIfds);
  const previews = new Set(dngPreviews(file));
  for (const ifd of emitted.removedIfds) {
    if (previews.has(ifd)) {
      plan.remove(`${wherePrefix}/${ifd.name}`, 'thumbnail', ifd.tableLength + imageBytesOf(file, ifd), 'DNG preview image (raw converters render the raw data)');
      continue;
    }
    if (file.thumbnailIfds.includes(ifd)) {
      const length = firstNumber(file.structure, ifd, tiffTags.thumbnailLength) ?? 0;
      plan.remove(`${wherePrefix}/${ifd.name}`, 'thumbnail', ifd.tableLength + length, 'EXIF-style thumbnail');
      continue;
    }
    const bytes = ifd.tableLength + ifd.entries.reduce((sum, entry) => sum + (entry.inline ? 0 : entry.valueLength), 0);
    const note = ifdLeafName(ifd) === 'GPS' ? 'GPS position' : options.mode === 'location' ? 'not known to be free of places' : 'camera settings, dates, serial numbers, maker notes';
    plan.remove(`${wherePrefix}/${ifd.name}`, 'exif', bytes, note);
  }
  const ifd0 = file.structure.ifds[0]!;
  if (previews.has(ifd0) && emitted.removedEntries.some(({ entry }) => pixelTags.has(entry.tag))) {
    plan.remove(`${wherePrefix}/IFD0/PreviewImage`, 'thumbnail', imageBytesOf(file, ifd0), 'DNG preview image (raw converters render the raw data); the DNG tags of IFD0 stay');
  }
  for (const { ifd, entry } of emitted.removedEntries) {
    if (ifd === ifd0 && previews.has(ifd) && pixelTags.has(entry.tag)) continue;
    // A pointer to a removed IFD is reported with that IFD.
    if (pointerNames.has(entry.tag) && file.structure.ifds.some((child) => child.parentOffset === ifd.offset && removedIfds.has(child))) continue;
    const known = imageTags.has(entry.tag) || extraTags.has(entry.tag) || geoTiffTags.has(entry.tag) || pointerNames.has(entry.tag);
    const kind = blockKindOf(entry.tag);
    let note: string | undefined;
    if (options.mode === 'location') note = geoTiffTags.has(entry.tag) ? 'map position' : 'not known to be free of places';
    else if (keptImageTags.has(entry.tag)) note = 'a value of a kind this tag does not have';
    plan.remove(`${wherePrefix}/${ifd.name}/${tagName(entry.tag)}`, kind === 'other' && known ? 'exif' : kind, entry.valueLength, note);
  }
  for (const { ifd, entry, before } of emitted.rewrittenEntries) {
    const note = notes.get(entry) ?? (entry.type === 2 ? 'bytes after the end of the text' : 'unused bytes');
    plan.remove(`${wherePrefix}/${ifd.name}/${tagName(entry.tag)}`, entry.tag === jpegTablesTag ? 'other' : 'exif', before.length, note);
  }
}

function imageBytesOf(file: TiffFile, ifd: Ifd): number {
  try {
    return imageDataOf(file.structure, ifd).pixels.reduce((sum, range) => sum + range.length, 0);
  } catch {
    return 0;
  }
}

/** APPn/COM payloads and trailers of JPEG streams in kept images: reported, and returned to be zeroed. */
function embeddedJpegMetadata(images: readonly KeptImage[], data: Buffer, plan: PlanBuilder): ByteRange[] {
  const zeroed: ByteRange[] = [];
  for (const image of images) {
    for (const range of image.jpegStreams) {
      for (const found of embeddedMetadata(data, range, `${wherePrefix}/${image.ifd.name}/JPEG@${range.offset}`)) {
        zeroed.push(found.zero);
        plan.remove(found.where, found.kind === 'other' ? 'vendor' : found.kind, found.zero.length, 'metadata inside an embedded JPEG (payload zeroed)');
      }
    }
  }
  return zeroed;
}

/** Non-zero bytes that nothing in the input points to: the re-written output has zeros there. */
function reportUnreferenced(file: TiffFile, plan: PlanBuilder): void {
  const { structure } = file;
  const owned: ByteRange[] = [{ offset: 0, length: file.headerLength }];
  for (const ifd of structure.ifds) {
    owned.push({ offset: ifd.offset, length: ifd.tableLength });
    for (const entry of ifd.entries) {
      const value = outOfLineValue(entry);
      if (value) owned.push(value);
    }
    if (!isImageIfdName(ifd.name)) continue;
    try {
      const image = imageDataOf(structure, ifd);
      owned.push(...image.pixels, ...image.tables);
    } catch {
      // a removed thumbnail pointing outside the file owns nothing
    }
  }
  let cleared = 0;
  for (const gap of gapsBetween(mergeRanges(owned), structure.data.length)) {
    const bytes = structure.data.subarray(gap.offset, gap.offset + gap.length);
    for (const byte of bytes) if (byte !== 0) cleared += 1;
  }
  if (cleared > 0) plan.remove(`${wherePrefix}/unreferenced`, 'other', cleared, 'bytes nothing in the file points to (leftovers of removed or earlier-deleted data)');
}

function differingBytes(a: Buffer, b: Buffer): number {
  let count = 0;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) count += 1;
  return count;
}

function describeKept(file: TiffFile, after: TiffFile, plan: PlanBuilder, options: PlanOptions): void {
  const output = after.structure.data;
  const ifd0 = after.structure.ifds[0]!;
  const orientation = ifd0.entries.find((entry) => entry.tag === tiffTags.orientation);
  if (orientation && orientation.readable) plan.keep(`orientation ${readUint(output, orientation.valueOffset, 2, after.structure.littleEndian)}`);
  if (after.imageIfds.some((ifd) => ifd.entries.some((entry) => entry.tag === metadataTags.icc))) plan.keep('ICC colour profile');
  if (after.imageIfds.some((ifd) => ifd.entries.some((entry) => entry.tag === dngTags.uniqueCameraModel))) {
    plan.keep('DNG UniqueCameraModel tag, emptied (DNG readers expect the tag)');
  }
  if (file.isDng && ifd0.entries.some((entry) => entry.tag === 0xc621)) plan.keep('DNG colour calibration (needed to render; it can hint at the camera model)');
  const hasPixels = (ifd: Ifd) => ifd.entries.some((entry) => entry.tag === tiffTags.stripOffsets || entry.tag === tiffTags.tileOffsets || entry.tag === tiffTags.thumbnailOffset);
  const previews = after.imageIfds.filter((ifd) => hasPixels(ifd) && ((firstNumber(after.structure, ifd, metadataTags.newSubfileType) ?? 0) & 1) === 1);
  if (previews.length > 0) plan.keep(`${previews.length} preview image(s): they show the same picture as the main image`);
  if (after.imageIfds.length > 1 + previews.length) plan.keep(`${after.imageIfds.length - previews.length} images (pages or layers)`);
  if (options.mode === 'location') plan.keep('metadata known to hold no place (camera, settings, dates, owner)');
}

/** The written copy must still read as a TIFF with the same images. */
function checkResult(after: TiffFile, imageCount: number, options: PlanOptions): void {
  if (after.brokenIfds.length > 0) throw new TracelessError('MALFORMED', 'the cleaned copy would have unreadable IFDs; nothing was written');
  if (after.imageIfds.length !== imageCount) throw new TracelessError('MALFORMED', `the cleaned copy would have ${after.imageIfds.length} images instead of ${imageCount}; nothing was written`);
  if (options.mode === 'all' && after.metadataIfds.length > 0) throw new TracelessError('MALFORMED', 'metadata IFDs are still linked after cleaning; nothing was written');
  if (after.metadataIfds.some((ifd) => ifdLeafName(ifd) === 'GPS')) throw new TracelessError('MALFORMED', 'the GPS IFD is still linked after cleaning; nothing was written');
}
