/**
 * Plans a JPEG that holds more than one image (an HDR photo with its gain map, an MPO): the first
 * image is cleaned as any JPEG, with its gain-map metadata written again by traceless (a minimal
 * XMP with only the hdrgm/GContainer properties, the ISO 21496-1 version block, an MPF index with
 * the new offsets and sizes); each image that is part of the picture (`gain-map.ts` decides) is
 * cleaned by the same cleaner, its own gain-map XMP and ISO 21496-1 block written again; anything
 * else after EOI is removed. `--drop-extra-images` keeps only the first image.
 * References: see gain-map.ts, mpf.ts, src/decode/iso-gain-map.ts, src/decode/xmp-gain-map.ts.
 */
import { internalError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { encodeIsoGainMap, isoGainMapIdentifier } from '../../decode/iso-gain-map.js';
import { decodeXmp, editXmpPacket, isLocationProperty, xmpText } from '../../decode/xmp.js';
import { gainMapProperties, writeGainMapXmp, type ContainerItem, type GainMapXmp } from '../../decode/xmp-gain-map.js';
import { namespaces } from '../../decode/xmp-namespaces.js';
import { keepForLocationMode } from '../../decode/xmp-policy.js';
import { writeXmpPacket } from '../../decode/xmp-write.js';
import type { CleanPlan, Piece, PlanOptions } from '../types.js';
import { buildHeadroomTiff } from './apple-headroom.js';
import { extraSource, fileRendering, imageRendering, keepsAppleGainMap, keptDirectory, type ExtraImage, type ImageRendering } from './gain-map.js';
import { analyseJpeg, payloadOf } from './inspect.js';
import { markers } from './markers.js';
import { encodeMpf, mpfTiffHeaderAt, type MpEntry, type MpIndex } from './mpf.js';
import { buildSegment, planJpegImage, type ImageRewrites } from './plan.js';
import { identifiers } from './segments.js';

const app1 = markers.APP0 + 1;
const app2 = markers.APP0 + 2;
const exifIdentifier = 'Exif\0\0';
const renderingNamespaces: ReadonlySet<string> = new Set([namespaces.hdrgm, namespaces.apdi, namespaces.HDRGainMap, namespaces.Container, namespaces.Item]);

export const keptLabels = {
  xmp: 'HDR gain-map XMP (gain-map properties only)',
  iso: 'ISO 21496-1 gain-map metadata',
  mpf: 'multi-picture index (MPF)',
  exif: "Apple HDR headroom (EXIF maker-note tags 33 and 48 only)",
  'gain-map': 'HDR gain map',
  view: 'second view of a multi-picture image',
} as const;

export function planJpegFile(source: ByteSource, options: PlanOptions): CleanPlan {
  const rendering = fileRendering(source);
  if (options.dropExtraImages || rendering.extras.length === 0) return planJpegImage(source, options).build();
  const images = rendering.extras.map((extra) => {
    const image = extraSource(source, extra);
    const rewrites: ImageRewrites = { segments: new Map(), trailerHandled: false };
    if (extra.role === 'gain-map') addImageRewrites(image, imageRendering(image), options, rewrites, { keepHdrgm: true, keepApple: true, keepIso: true });
    return { extra, plan: planJpegImage(image, options, rewrites) };
  });
  const primary = rendering.primary;
  const gainMapKept = images.some((image) => image.extra.role === 'gain-map');
  const appleGainMap = keepsAppleGainMap(source, rendering);
  const directory = primaryDirectory(primary, images.map(({ extra, plan }) => ({ extra, length: plan.outputLength })));

  const primaryRewrites = (mpf: Buffer | undefined, onMpf?: (at: number) => void): ImageRewrites => {
    const rewrites: ImageRewrites = { segments: new Map(), trailerHandled: true };
    addImageRewrites(source, primary, options, rewrites, { keepHdrgm: gainMapKept, keepApple: false, keepIso: gainMapKept, ...(directory ? { directory } : {}) });
    if (mpf && primary.mpf) rewrites.segments.set(primary.mpf.offset, { emitted: mpf, kept: keptLabels.mpf, ...(onMpf ? { onEmit: onMpf } : {}) });
    // Apple's gain map is applied by Chromium only with the headroom of the primary's maker note.
    // In location mode the EXIF block is the location planner's (it keeps what holds no place).
    if (primary.exif && appleGainMap && options.mode === 'all') {
      const orientation = options.keepOrientation ? primary.exif.orientation : undefined;
      rewrites.segments.set(primary.exif.offset, { emitted: buildSegment(app1, exifIdentifier, buildHeadroomTiff(primary.exif.headroom, orientation)), kept: orientation !== undefined ? `${keptLabels.exif}, orientation ${orientation}` : keptLabels.exif, orientationIncluded: true });
    }
    return rewrites;
  };

  let plan;
  if (primary.mpf) {
    // Two passes: the MPF index holds offsets from its own place, which depends on what comes
    // before it; its length does not depend on the values, so the first pass gives the layout.
    const index = (sizes: number[], offsets: number[]): MpIndex => newIndex(primary.mpf!.index, images.map((image) => image.extra), sizes, offsets);
    let tiffAt = -1;
    const first = planJpegImage(source, options, primaryRewrites(encodeMpf(index([0, ...images.map(() => 0)], [0, ...images.map(() => 0)])), (at) => (tiffAt = at + mpfTiffHeaderAt)));
    if (tiffAt < 0) throw internalError('the MPF segment was not written in the first pass');
    const sizes = [first.outputLength, ...images.map((image) => image.plan.outputLength)];
    const offsets: number[] = [0];
    let position = first.outputLength;
    for (const image of images) {
      offsets.push(position - tiffAt);
      position += image.plan.outputLength;
    }
    plan = planJpegImage(source, options, primaryRewrites(encodeMpf(index(sizes, offsets))));
    if (plan.outputLength !== first.outputLength) throw internalError('the first image changed length between the MPF passes');
  } else {
    plan = planJpegImage(source, options, primaryRewrites(undefined));
  }

  images.forEach(({ extra, plan: imagePlan }, number) => {
    plan.append(imagePlan.pieces.map((piece): Piece => (piece.kind === 'copy' ? { ...piece, offset: piece.offset + extra.offset } : piece)));
    const where = `trailer/image${number + 1}/`;
    for (const removal of imagePlan.removed) plan.remove(where + removal.where, removal.kind, removal.bytes, removal.note);
    for (const kept of imagePlan.build().kept) plan.keep(`${keptLabels[extra.role]}: ${kept}`);
    plan.keep(keptLabels[extra.role]);
  });
  const { layout } = analyseJpeg(source);
  const keptBytes = rendering.extras.reduce((sum, extra) => sum + extra.length, 0);
  const trailerBytes = source.size - layout.endOfImage;
  if (trailerBytes > keptBytes) plan.remove('trailer', 'trailer', trailerBytes - keptBytes, 'data after the end of the image that is not part of the picture');
  return plan.build();
}

/** The primary's new GContainer directory: itself and the kept images, with their new lengths. */
function primaryDirectory(primary: ImageRendering, images: { extra: ExtraImage; length: number }[]): ContainerItem[] | undefined {
  const items = keptDirectory(primary, images.map((image) => image.extra));
  return items?.map((item, index) => (index === 0 ? item : { ...item, length: images[index - 1]!.length }));
}

/** The MPF index for the output: the first image's entry and one per kept image, dependents renumbered. */
function newIndex(original: MpIndex, extras: readonly ExtraImage[], sizes: number[], offsets: number[]): MpIndex {
  const oldNumbers = [0, ...extras.map((extra) => extra.mpEntry ?? -1)];
  const renumber = (dependent: number) => {
    const at = dependent > 0 ? oldNumbers.indexOf(dependent - 1) : -1;
    return at >= 0 ? at + 1 : 0;
  };
  const entries: MpEntry[] = oldNumbers.map((old, number) => {
    const source = old >= 0 ? original.entries[old] : undefined;
    return {
      // An image the index did not list (found through GContainer) gets type "undefined", JPEG.
      attribute: source?.attribute ?? 0,
      size: sizes[number]!,
      offset: offsets[number]!,
      dependent1: source ? renumber(source.dependent1) : 0,
      dependent2: source ? renumber(source.dependent2) : 0,
    };
  });
  return { littleEndian: original.littleEndian, version: original.version, entries };
}

interface RewriteChoice {
  keepHdrgm: boolean;
  keepApple: boolean;
  keepIso: boolean;
  directory?: ContainerItem[];
}

/** The image's XMP and ISO 21496-1 segments as traceless writes them (none when nothing is kept). */
function addImageRewrites(source: ByteSource, rendering: ImageRendering, options: PlanOptions, rewrites: ImageRewrites, choice: RewriteChoice): void {
  if (rendering.xmp) {
    const parts: GainMapXmp = { hdrgm: choice.keepHdrgm ? rendering.xmp.parts.hdrgm : [], apple: choice.keepApple ? rendering.xmp.parts.apple : [] };
    if (choice.directory) parts.directory = choice.directory;
    const text = options.mode === 'location' ? locationPacket(source, rendering.xmp.offset, parts) : writeGainMapXmp(parts);
    if (text) rewrites.segments.set(rendering.xmp.offset, { emitted: buildSegment(app1, identifiers.xmp, Buffer.from(text, 'utf8')), kept: options.mode === 'location' ? 'XMP without location, gain-map properties re-written' : keptLabels.xmp });
  }
  if (rendering.iso && choice.keepIso) {
    rewrites.segments.set(rendering.iso.offset, { emitted: buildSegment(app2, isoGainMapIdentifier, encodeIsoGainMap(rendering.iso.metadata)), kept: keptLabels.iso });
  }
}

/**
 * `--only location`: the packet minus what may name a place (the location allow-list), with its
 * gain-map properties replaced by the re-written ones. '' when it cannot be shown to hold no place
 * (the usual location-mode planner then decides about the packet).
 */
function locationPacket(source: ByteSource, offset: number, parts: GainMapXmp): string {
  const segment = analyseJpeg(source).segments.find((candidate) => candidate.offset === offset)!;
  const edit = editXmpPacket(xmpText(payloadOf(source, segment)), (property) => (renderingNamespaces.has(property.name.uri) || (property.name.uri === namespaces.xmpNote && property.name.local === 'HasExtendedXMP') ? undefined : keepForLocationMode(property)));
  if (!edit.ok) return '';
  const properties = [...edit.model.properties, ...gainMapProperties(parts)];
  if (properties.length === 0) return '';
  const text = writeXmpPacket({ properties });
  const check = decodeXmp(text, 'XMP');
  const placeless = check.unreadable.length === 0 && check.locations.length === 0 && !check.findings.some((finding) => finding.category === 'location') && !check.properties.some((property) => isLocationProperty(property.name) || isLocationProperty(property.topLevel));
  return placeless ? text : '';
}
