/**
 * HDR gain maps and multi-picture JPEGs: which images after the first one are part of the picture
 * (an HDR gain map, a view of a stereo or multi-angle MPO), and which of each image's segments a
 * renderer needs to find and apply them. Shared by `inspect` (which reports them as kept) and the
 * planner (`plan-images.ts`, which writes them again from these parsed fields).
 *
 * What renderers read (see README "HDR gain maps"):
 * - Chromium (Skia src/codec/SkJpegMetadataDecoderImpl.cpp findGainmapImage): the MPF index of the
 *   first image (images found by offset from the MPF segment) or else the GContainer directory in
 *   its XMP; the base image announces the gain map by an ISO 21496-1 version block (APP2), by
 *   `hdrgm:Version` in its XMP, or (Apple) by HDR headroom in its EXIF maker note; the gain-map
 *   image carries the parameters (ISO 21496-1 APP2, hdrgm XMP, or Apple's apdi/HDRGainMap XMP).
 * - Android (libultrahdr jpegr.cpp, jpegrutils.cpp): the same MPF index and hdrgm XMP, or ISO.
 * References: CIPA DC-007 (MPF); ISO 21496-1; Adobe Gain Map Specification 1.0; Google Ultra HDR
 * Image Format v1.1; Apple "Applying Apple HDR effect to your photos".
 *
 * Kept: gain maps (any MPF or GContainer image whose own metadata says it is one) and MPF views
 * (type codes 0x020001 panorama, 0x020002 disparity, 0x020003 multi-angle). Not kept: large
 * thumbnails (0x010001, 0x010002: previews of the same picture), images of undefined type that
 * are not gain maps (depth maps, mattes), videos and anything else after EOI.
 */
import { asTracelessError } from '../../errors.js';
import { SliceSource } from '../../io/slice-source.js';
import type { ByteSource } from '../../io/source.js';
import { isoGainMapIdentifier, parseIsoGainMap, type IsoGainMap } from '../../decode/iso-gain-map.js';
import { parseXmp } from '../../decode/xmp-model.js';
import { gainMapTags, hasHdrgm, readGainMapXmp, type GainMapXmp } from '../../decode/xmp-gain-map.js';
import { xmpText } from '../../decode/xmp.js';
import { analyseJpeg, payloadOf, type ClassifiedSegment } from './inspect.js';
import { isJpeg, markers } from './markers.js';
import { mpType, parseMpf, viewTypes, type MpIndex } from './mpf.js';
import { identifiers } from './segments.js';
import { headroomOrientation, readAppleHeadroom, type AppleHeadroom } from './apple-headroom.js';
import { parseTiff } from '../../decode/tiff.js';

/** What an image is to the file: the first image, a kept extra image, or a JPEG inside metadata. */
export type ImageRole = 'primary' | 'gain-map' | 'view' | 'embedded';

/** Extra images followed per file, and candidates looked at (each is walked to its EOI). */
const maxExtraImages = 16;
const maxCandidates = 32;

export interface ImageRendering {
  /** The first standard XMP segment and its gain-map parts (empty parts when unreadable). */
  xmp?: { offset: number; parts: GainMapXmp };
  /** The first ISO 21496-1 APP2 segment that validates. */
  iso?: { offset: number; metadata: IsoGainMap };
  /** The first MPF segment that parses, and where its TIFF header is in the source. */
  mpf?: { offset: number; index: MpIndex; tiffAt: number };
  /** The first EXIF segment, when it holds Apple's HDR headroom (and its orientation). */
  exif?: { offset: number; headroom: AppleHeadroom; orientation?: number };
}

export interface ExtraImage {
  offset: number;
  length: number;
  role: 'gain-map' | 'view';
  /** Its entry in the primary's MPF index. */
  mpEntry?: number;
  /** Its item in the primary's GContainer directory. */
  containerItem?: number;
}

export interface FileRendering {
  primary: ImageRendering;
  /** Kept images, in file order, none overlapping. */
  extras: ExtraImage[];
  /** Why candidates were not kept, for the report. */
  dropped: { offset: number; length: number; why: string }[];
}

export function isIsoSegment(segment: ClassifiedSegment): boolean {
  return segment.marker === markers.APP0 + 2 && segment.info.identifier === isoGainMapIdentifier.slice(0, -1);
}

const imageCache = new WeakMap<ByteSource, ImageRendering>();

/** The rendering segments of one JPEG image (its own segments only). */
export function imageRendering(source: ByteSource): ImageRendering {
  const cached = imageCache.get(source);
  if (cached) return cached;
  const rendering: ImageRendering = {};
  // Only the first EXIF block is read (as Skia does): a file of thousands must not cost a parse each.
  let exifSeen = false;
  for (const segment of analyseJpeg(source).segments) {
    try {
      if (segment.info.kind === 'xmp' && !rendering.xmp) {
        const parsed = parseXmp(xmpText(payloadOf(source, segment)));
        rendering.xmp = { offset: segment.offset, parts: parsed.ok ? readGainMapXmp(parsed.model) : { hdrgm: [], apple: [] } };
      } else if (segment.info.kind === 'mpf' && !rendering.mpf) {
        const index = parseMpf(payloadOf(source, segment));
        rendering.mpf = { offset: segment.offset, index, tiffAt: segment.payloadOffset + identifiers.mpf.length };
      } else if (segment.info.kind === 'exif' && !exifSeen) {
        exifSeen = true;
        const tiff = parseTiff(payloadOf(source, segment));
        const headroom = readAppleHeadroom(tiff);
        const orientation = headroomOrientation(tiff);
        if (headroom) rendering.exif = { offset: segment.offset, headroom, ...(orientation !== undefined ? { orientation } : {}) };
      } else if (isIsoSegment(segment) && !rendering.iso) {
        const data = source.read(segment.payloadOffset + isoGainMapIdentifier.length, segment.payloadLength - isoGainMapIdentifier.length);
        rendering.iso = { offset: segment.offset, metadata: parseIsoGainMap(data) };
      }
    } catch {
      // A segment that does not validate is not kept; the next one of its kind may be.
    }
  }
  imageCache.set(source, rendering);
  return rendering;
}

/** True when an image's own metadata says it is a gain map. */
export function isGainMapImage(rendering: ImageRendering): boolean {
  const xmp = rendering.xmp?.parts;
  return rendering.iso?.metadata.body !== undefined || (xmp !== undefined && (hasHdrgm(xmp) || xmp.apple.length > 0));
}

const fileCache = new WeakMap<ByteSource, FileRendering>();

/** The primary image's rendering segments and the extra images a clean keeps. */
export function fileRendering(source: ByteSource): FileRendering {
  const cached = fileCache.get(source);
  if (cached) return cached;
  const primary = imageRendering(source);
  const { layout } = analyseJpeg(source);
  const result: FileRendering = { primary, extras: [], dropped: [] };
  if (layout.trailer) findExtraImages(source, primary, layout.endOfImage, result);
  fileCache.set(source, result);
  return result;
}

interface Candidate {
  offset: number;
  length: number;
  type?: number;
  mpEntry?: number;
  containerItem?: number;
}

function findExtraImages(source: ByteSource, primary: ImageRendering, endOfImage: number, result: FileRendering): void {
  const candidates: Candidate[] = [];
  const mpf = primary.mpf;
  if (mpf) {
    mpf.index.entries.forEach((entry, index) => {
      if (index === 0 || entry.offset === 0 || entry.size === 0) return;
      candidates.push({ offset: mpf.tiffAt + entry.offset, length: entry.size, type: mpType(entry.attribute), mpEntry: index });
    });
  }
  const directory = primary.xmp?.parts.directory;
  if (directory && directory[0]?.semantic === 'Primary') {
    let position = endOfImage + (directory[0].padding ?? 0);
    for (let index = 1; index < directory.length; index++) {
      const item = directory[index]!;
      if (item.length === undefined) break;
      const same = candidates.find((candidate) => candidate.offset === position && candidate.length === item.length);
      if (same) same.containerItem = index;
      else candidates.push({ offset: position, length: item.length, containerItem: index });
      position += item.length;
    }
  }
  candidates.sort((a, b) => a.offset - b.offset);
  let end = endOfImage;
  let looked = 0;
  for (const candidate of candidates) {
    const drop = (why: string) => result.dropped.push({ offset: candidate.offset, length: candidate.length, why });
    if (result.extras.length >= maxExtraImages || ++looked > maxCandidates) {
      drop('more extra images than traceless follows');
      continue;
    }
    if (candidate.offset < end || candidate.offset + candidate.length > source.size) {
      drop('its place in the index overlaps another image or runs past the file');
      continue;
    }
    const role = roleOf(source, candidate);
    if (typeof role !== 'string' || (role !== 'gain-map' && role !== 'view')) {
      drop(role.why);
      continue;
    }
    const extra: ExtraImage = { offset: candidate.offset, length: candidate.length, role };
    if (candidate.mpEntry !== undefined) extra.mpEntry = candidate.mpEntry;
    if (candidate.containerItem !== undefined) extra.containerItem = candidate.containerItem;
    result.extras.push(extra);
    end = candidate.offset + candidate.length;
  }
}

function roleOf(source: ByteSource, candidate: Candidate): 'gain-map' | 'view' | { why: string } {
  if (candidate.length < 4 || !isJpeg(source.read(candidate.offset, 3))) return { why: 'not a JPEG image' };
  try {
    const image = sliceOf(source, candidate.offset, candidate.length);
    analyseJpeg(image);
    if (isGainMapImage(imageRendering(image))) return 'gain-map';
    if (candidate.type !== undefined && viewTypes.has(candidate.type)) return 'view';
    return { why: candidate.type === undefined ? 'an image that is not a gain map' : `an image of MP type 0x${candidate.type.toString(16).padStart(6, '0')} (a preview or an auxiliary image, not part of the picture)` };
  } catch (error) {
    return { why: `unreadable (${asTracelessError(error).message})` };
  }
}

const slices = new WeakMap<ByteSource, Map<string, SliceSource>>();

/** One source object per image, so that inspect and plan share its (cached) analysis. */
function sliceOf(source: ByteSource, offset: number, length: number): SliceSource {
  const bySource = slices.get(source) ?? new Map<string, SliceSource>();
  slices.set(source, bySource);
  const key = `${offset}:${length}`;
  let slice = bySource.get(key);
  if (!slice) {
    slice = new SliceSource(source, offset, length);
    bySource.set(key, slice);
  }
  return slice;
}

/** A kept extra image as a source of its own. */
export function extraSource(source: ByteSource, extra: ExtraImage): ByteSource {
  return sliceOf(source, extra.offset, extra.length);
}

/** True when a kept gain map is Apple's (Chromium then needs the primary's maker-note headroom). */
export function keepsAppleGainMap(source: ByteSource, file: FileRendering): boolean {
  return file.extras.some((extra) => extra.role === 'gain-map' && (imageRendering(extraSource(source, extra)).xmp?.parts.apple.length ?? 0) > 0);
}

/**
 * The GContainer directory traceless writes for the kept images (lengths filled in by the caller),
 * or undefined when it writes none: every kept image must be a GainMap item (the directory locates
 * items by adding up lengths), the first item the Primary. Only the fixed words Primary, GainMap
 * and image/jpeg are written (each kept image was read as a JPEG), whatever the input said.
 */
export function keptDirectory(primary: ImageRendering, extras: readonly ExtraImage[]): { semantic: string; mime: string }[] | undefined {
  const original = primary.xmp?.parts.directory;
  if (!original || original[0]?.semantic !== 'Primary') return undefined;
  if (extras.some((extra) => extra.containerItem === undefined || original[extra.containerItem]?.semantic !== 'GainMap')) return undefined;
  return [{ semantic: 'Primary', mime: 'image/jpeg' }, ...extras.map(() => ({ semantic: 'GainMap', mime: 'image/jpeg' }))];
}

/** What a clean keeps of one image's rendering segments, by segment offset (for `scan`). */
export interface KeptRendering {
  xmp?: { offset: number; tags: Set<string> };
  /** The EXIF segment re-written with only Apple's HDR headroom (and the orientation). */
  exif?: number;
  iso?: number;
  mpf?: number;
  /** Kept images after the first (primary only). */
  extras: ExtraImage[];
}

/** The segments and images a (default) clean keeps for an image in `role`. */
export function keptRendering(source: ByteSource, role: ImageRole): KeptRendering {
  if (role === 'primary') {
    // Extra images live after the first image's end: without a trailer there is nothing to keep,
    // and the first image's XMP and EXIF need not be parsed to say so (a one-photo scan's cost).
    if (!analyseJpeg(source).layout.trailer) return { extras: [] };
    const file = fileRendering(source);
    const kept: KeptRendering = { extras: file.extras };
    if (file.extras.length === 0) return kept;
    const { primary } = file;
    const gainMap = file.extras.some((extra) => extra.role === 'gain-map');
    // Lengths as stored (clean writes the new ones): only the property names matter here.
    const directory = keptDirectory(primary, file.extras)?.map((item, index) => (index === 0 ? item : { ...item, length: file.extras[index - 1]!.length }));
    if (primary.xmp) {
      const tags = gainMapTags({ hdrgm: gainMap ? primary.xmp.parts.hdrgm : [], apple: [], ...(directory ? { directory } : {}) });
      if (tags.size > 0) kept.xmp = { offset: primary.xmp.offset, tags };
    }
    if (primary.iso && gainMap) kept.iso = primary.iso.offset;
    if (primary.mpf) kept.mpf = primary.mpf.offset;
    if (primary.exif && keepsAppleGainMap(source, file)) kept.exif = primary.exif.offset;
    return kept;
  }
  const kept: KeptRendering = { extras: [] };
  if (role !== 'gain-map') return kept;
  const image = imageRendering(source);
  if (image.xmp) {
    const tags = gainMapTags({ hdrgm: image.xmp.parts.hdrgm, apple: image.xmp.parts.apple });
    if (tags.size > 0) kept.xmp = { offset: image.xmp.offset, tags };
  }
  if (image.iso) kept.iso = image.iso.offset;
  return kept;
}
