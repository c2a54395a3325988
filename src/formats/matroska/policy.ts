/**
 * The keep-list: for each master element, what becomes of each child in a clean. Anything not
 * listed is voided. References: RFC 9559 §5.1 (which elements a player needs: track and codec
 * setup, timing, cues, seek entries) and RFC 8794 §11.2 (the EBML header).
 *
 * - `keep`: re-written from its parsed, validated value, at its own length.
 * - `master`: re-written header, then its children by this same table.
 * - `samples`: codec set-up a decoder needs (CodecPrivate, ContentCompSettings' stripped header
 *   bytes, BlockAddIDExtraData, ProjectionPrivate, a content key ID): copied as sample data.
 * - `empty`: a mandatory string written empty (MuxingApp, WritingApp).
 * - `void`: an EBML Void of the same length, zero-filled.
 */
import type { CleanMode } from '../../types.js';
import { ids } from './elements.js';

export type Action = 'keep' | 'master' | 'samples' | 'empty' | 'void';

export interface PolicyOptions {
  mode: CleanMode;
  keepDates: boolean;
}

const keep = 'keep' as const;
const master = 'master' as const;
const samples = 'samples' as const;

/** What a player needs, whatever the mode. */
const structural = new Map<number, ReadonlyMap<number, Action>>([
  [ids.ebml, new Map([[ids.ebmlVersion, keep], [ids.ebmlReadVersion, keep], [ids.ebmlMaxIdLength, keep], [ids.ebmlMaxSizeLength, keep], [ids.docType, keep], [ids.docTypeVersion, keep], [ids.docTypeReadVersion, keep]])],
  [ids.seekHead, new Map([[ids.seek, master]])],
  [ids.seek, new Map([[ids.seekId, keep], [ids.seekPosition, keep]])],
  [ids.info, new Map([[ids.timestampScale, keep], [ids.duration, keep]])],
  [ids.tracks, new Map([[ids.trackEntry, master]])],
  [ids.trackEntry, new Map<number, Action>([
    ...[ids.trackNumber, ids.trackUid, ids.trackType, ids.flagEnabled, ids.flagDefault, ids.flagForced, ids.flagHearingImpaired,
      ids.flagVisualImpaired, ids.flagTextDescriptions, ids.flagOriginal, ids.flagCommentary, ids.flagLacing, ids.minCache,
      ids.maxCache, ids.defaultDuration, ids.defaultDecodedFieldDuration, ids.trackTimestampScale, ids.maxBlockAdditionId,
      ids.language, ids.languageBcp47, ids.codecId, ids.codecDecodeAll, ids.codecDelay, ids.seekPreRoll].map((id) => [id, keep] as const),
    ...[ids.blockAdditionMapping, ids.video, ids.audio, ids.trackOperation, ids.contentEncodings].map((id) => [id, master] as const),
    [ids.codecPrivate, samples],
  ])],
  [ids.blockAdditionMapping, new Map<number, Action>([[ids.blockAddIdValue, keep], [ids.blockAddIdType, keep], [ids.blockAddIdExtraData, samples]])],
  [ids.video, new Map<number, Action>([
    ...[ids.flagInterlaced, ids.fieldOrder, ids.stereoMode, ids.alphaMode, ids.pixelWidth, ids.pixelHeight, ids.pixelCropBottom,
      ids.pixelCropTop, ids.pixelCropLeft, ids.pixelCropRight, ids.displayWidth, ids.displayHeight, ids.displayUnit,
      ids.aspectRatioType, ids.frameRate].map((id) => [id, keep] as const),
    [ids.colour, master], [ids.projection, master], [ids.uncompressedFourCc, samples],
  ])],
  [ids.colour, new Map<number, Action>([
    ...[ids.matrixCoefficients, ids.bitsPerChannel, ids.chromaSubsamplingHorz, ids.chromaSubsamplingVert, ids.cbSubsamplingHorz,
      ids.cbSubsamplingVert, ids.chromaSitingHorz, ids.chromaSitingVert, ids.range, ids.transferCharacteristics, ids.primaries,
      ids.maxCll, ids.maxFall].map((id) => [id, keep] as const),
    [ids.masteringMetadata, master],
  ])],
  [ids.masteringMetadata, new Map([ids.primaryRx, ids.primaryRy, ids.primaryGx, ids.primaryGy, ids.primaryBx, ids.primaryBy, ids.whitePointX, ids.whitePointY, ids.luminanceMax, ids.luminanceMin].map((id) => [id, keep] as const))],
  [ids.projection, new Map<number, Action>([[ids.projectionType, keep], [ids.projectionPrivate, samples], [ids.projectionPoseYaw, keep], [ids.projectionPosePitch, keep], [ids.projectionPoseRoll, keep]])],
  [ids.audio, new Map([ids.samplingFrequency, ids.outputSamplingFrequency, ids.channels, ids.bitDepth, ids.emphasis].map((id) => [id, keep] as const))],
  [ids.trackOperation, new Map([[ids.trackCombinePlanes, master], [ids.trackJoinBlocks, master]])],
  [ids.trackCombinePlanes, new Map([[ids.trackPlane, master]])],
  [ids.trackPlane, new Map([[ids.trackPlaneUid, keep], [ids.trackPlaneType, keep]])],
  [ids.trackJoinBlocks, new Map([[ids.trackJoinUid, keep]])],
  [ids.contentEncodings, new Map([[ids.contentEncoding, master]])],
  [ids.contentEncoding, new Map<number, Action>([[ids.contentEncodingOrder, keep], [ids.contentEncodingScope, keep], [ids.contentEncodingType, keep], [ids.contentCompression, master], [ids.contentEncryption, master]])],
  [ids.contentCompression, new Map<number, Action>([[ids.contentCompAlgo, keep], [ids.contentCompSettings, samples]])],
  [ids.contentEncryption, new Map<number, Action>([[ids.contentEncAlgo, keep], [ids.contentEncKeyId, samples], [ids.contentEncAesSettings, master]])],
  [ids.contentEncAesSettings, new Map([[ids.aesSettingsCipherMode, keep]])],
  [ids.cues, new Map([[ids.cuePoint, master]])],
  [ids.cuePoint, new Map<number, Action>([[ids.cueTime, keep], [ids.cueTrackPositions, master]])],
  [ids.cueTrackPositions, new Map<number, Action>([
    ...[ids.cueTrack, ids.cueClusterPosition, ids.cueRelativePosition, ids.cueDuration, ids.cueBlockNumber, ids.cueCodecState].map((id) => [id, keep] as const),
    [ids.cueReference, master],
  ])],
  [ids.cueReference, new Map([[ids.cueRefTime, keep]])],
  [ids.chapters, new Map([[ids.editionEntry, master]])],
  [ids.editionEntry, new Map<number, Action>([[ids.editionUid, keep], [ids.editionFlagHidden, keep], [ids.editionFlagDefault, keep], [ids.editionFlagOrdered, keep], [ids.chapterAtom, master]])],
  [ids.chapterAtom, new Map<number, Action>([[ids.chapterUid, keep], [ids.chapterTimeStart, keep], [ids.chapterTimeEnd, keep], [ids.chapterFlagHidden, keep], [ids.chapterFlagEnabled, keep], [ids.chapterSkipType, keep], [ids.chapterAtom, master]])],
]);

/**
 * What a `--only location` clean keeps besides the structure: an allow-list, like every format's
 * location mode (README "`--only location` is an allow-list"): the date, the software names and
 * tags whose names say they hold no place. Free text (titles, track names, chapter titles,
 * comments) may name a place and is removed.
 */
const keptWithoutLocation = new Map<number, ReadonlyMap<number, Action>>([
  [ids.info, new Map<number, Action>([[ids.muxingApp, keep], [ids.writingApp, keep], [ids.dateUtc, keep]])],
  [ids.trackEntry, new Map<number, Action>([[ids.codecName, keep]])],
  [ids.tags, new Map([[ids.tag, master]])],
  [ids.tag, new Map([[ids.targets, master], [ids.simpleTag, master]])],
  [ids.targets, new Map([ids.targetTypeValue, ids.targetType, ids.tagTrackUid, ids.tagEditionUid, ids.tagChapterUid, ids.tagAttachmentUid].map((id) => [id, keep] as const))],
  [ids.simpleTag, new Map<number, Action>([[ids.tagName, keep], [ids.tagLanguage, keep], [ids.tagLanguageBcp47, keep], [ids.tagDefault, keep], [ids.tagString, keep], [ids.simpleTag, master]])],
]);

/** What becomes of `child` inside `parent`. */
export function actionFor(parent: number, child: number, options: PolicyOptions): Action {
  const kept = structural.get(parent)?.get(child);
  if (kept) return kept;
  if (options.mode === 'location') return keptWithoutLocation.get(parent)?.get(child) ?? 'void';
  if (parent === ids.info && (child === ids.muxingApp || child === ids.writingApp)) return 'empty';
  if (parent === ids.info && child === ids.dateUtc && options.keepDates) return 'keep';
  return 'void';
}

/** Top-level elements a SeekHead may point at once cleaned (entries for anything else are voided). */
export function seekTargetKept(target: number, options: PolicyOptions): boolean {
  const kept: number[] = [ids.seekHead, ids.info, ids.tracks, ids.cues, ids.chapters, ids.cluster];
  if (options.mode === 'location') kept.push(ids.tags);
  return kept.includes(target);
}

/** Segment children cleaned by the table above (Clusters are walked on their own; the rest is voided). */
export function segmentAction(child: number, options: PolicyOptions): 'master' | 'void' {
  const masters: number[] = [ids.seekHead, ids.info, ids.tracks, ids.cues, ids.chapters];
  if (options.mode === 'location') masters.push(ids.tags);
  return masters.includes(child) ? 'master' : 'void';
}

/** Printable ASCII a string element must match to be kept (anything else is voided). */
export const stringRules: ReadonlyMap<number, RegExp> = new Map([
  [ids.docType, /^(matroska|webm)$/],
  // ISO 639-2 (three letters) as RFC 9559 §5.1.4.1.18 asks, or BCP 47 tags.
  [ids.language, /^[a-z]{3}(-[a-z]{2})?$/i],
  [ids.tagLanguage, /^[a-z]{3}(-[a-z]{2})?$/i],
  [ids.chapLanguage, /^[a-z]{3}(-[a-z]{2})?$/i],
  [ids.languageBcp47, /^[a-z]{2,8}(-[a-z0-9]{1,8}){0,4}$/i],
  [ids.tagLanguageBcp47, /^[a-z]{2,8}(-[a-z0-9]{1,8}){0,4}$/i],
  [ids.chapLanguageBcp47, /^[a-z]{2,8}(-[a-z0-9]{1,8}){0,4}$/i],
  [ids.chapCountry, /^[a-z]{2}$/i],
  // Codec IDs (RFC 9559 §5.1.4.1.21 and the codec registry): `V_VP9`, `A_OPUS`, `V_MPEG4/ISO/AVC`, `S_TEXT/UTF8`.
  [ids.codecId, /^[A-Z]_[A-Z0-9_/.-]{1,40}$/],
  [ids.targetType, /^[A-Z ]{1,40}$/],
]);

/**
 * SimpleTag names a `--only location` clean keeps (Matroska tagging guidelines, and what ffmpeg and
 * mkvmerge write): software, dates, durations, rights holders, stream statistics. Any other tag,
 * RECORDING_LOCATION and free text such as COMMENT or TITLE included, is removed.
 */
export function tagKeptWithoutLocation(name: string): boolean {
  return /^(ENCODER|ENCODER_SETTINGS|ENCODED_BY|DURATION|CREATION_TIME|DATE_[A-Z_]{1,24}|ARTIST|COMPOSER|COPYRIGHT|PRODUCTION_COPYRIGHT|BPS|NUMBER_OF_FRAMES|NUMBER_OF_BYTES|_STATISTICS_[A-Z_]{1,24})$/.test(name);
}
