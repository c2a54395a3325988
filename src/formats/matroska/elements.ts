/**
 * The Matroska element IDs traceless reads, with their EBML types.
 * References: IETF RFC 9559 (Matroska) §5.1 (the element table) and RFC 8794 (EBML) §11 (the EBML
 * header and global elements); https://www.matroska.org/technical/elements.html (the same table,
 * plus deprecated elements); WebM (https://www.webmproject.org/docs/container/) uses a subset.
 * An ID with its marker bit, as both specifications write it.
 */

/** EBML data types (RFC 8794 §7). `utf8` and `string` are both text; `string` is printable ASCII. */
export type ElementType = 'master' | 'uint' | 'int' | 'float' | 'string' | 'utf8' | 'date' | 'binary';

export const ids = {
  // EBML header (RFC 8794 §11.2)
  ebml: 0x1a45dfa3, ebmlVersion: 0x4286, ebmlReadVersion: 0x42f7, ebmlMaxIdLength: 0x42f2, ebmlMaxSizeLength: 0x42f3,
  docType: 0x4282, docTypeVersion: 0x4287, docTypeReadVersion: 0x4285, docTypeExtension: 0x4281,
  // Global elements (RFC 8794 §11.3)
  void: 0xec, crc32: 0xbf,
  segment: 0x18538067,
  // SeekHead
  seekHead: 0x114d9b74, seek: 0x4dbb, seekId: 0x53ab, seekPosition: 0x53ac,
  // Info
  info: 0x1549a966, segmentUuid: 0x73a4, segmentFilename: 0x7384, prevUuid: 0x3cb923, prevFilename: 0x3c83ab,
  nextUuid: 0x3eb923, nextFilename: 0x3e83bb, segmentFamily: 0x4444, chapterTranslate: 0x6924,
  timestampScale: 0x2ad7b1, duration: 0x4489, dateUtc: 0x4461, title: 0x7ba9, muxingApp: 0x4d80, writingApp: 0x5741,
  // Cluster
  cluster: 0x1f43b675, timestamp: 0xe7, silentTracks: 0x5854, position: 0xa7, prevSize: 0xab, simpleBlock: 0xa3,
  blockGroup: 0xa0, encryptedBlock: 0xaf,
  // Tracks
  tracks: 0x1654ae6b, trackEntry: 0xae, trackNumber: 0xd7, trackUid: 0x73c5, trackType: 0x83, flagEnabled: 0xb9,
  flagDefault: 0x88, flagForced: 0x55aa, flagHearingImpaired: 0x55ab, flagVisualImpaired: 0x55ac,
  flagTextDescriptions: 0x55ad, flagOriginal: 0x55ae, flagCommentary: 0x55af, flagLacing: 0x9c, minCache: 0x6de7,
  maxCache: 0x6df8, defaultDuration: 0x23e383, defaultDecodedFieldDuration: 0x234e7a, trackTimestampScale: 0x23314f,
  maxBlockAdditionId: 0x55ee, blockAdditionMapping: 0x41e4, blockAddIdValue: 0x41f0, blockAddIdName: 0x41a4,
  blockAddIdType: 0x41e7, blockAddIdExtraData: 0x41ed, name: 0x536e, language: 0x22b59c, languageBcp47: 0x22b59d,
  codecId: 0x86, codecPrivate: 0x63a2, codecName: 0x258688, codecDecodeAll: 0xaa, codecDelay: 0x56aa, seekPreRoll: 0x56bb,
  video: 0xe0, flagInterlaced: 0x9a, fieldOrder: 0x9d, stereoMode: 0x53b8, alphaMode: 0x53c0, pixelWidth: 0xb0,
  pixelHeight: 0xba, pixelCropBottom: 0x54aa, pixelCropTop: 0x54bb, pixelCropLeft: 0x54cc, pixelCropRight: 0x54dd,
  displayWidth: 0x54b0, displayHeight: 0x54ba, displayUnit: 0x54b2, aspectRatioType: 0x54b3, uncompressedFourCc: 0x2eb524,
  frameRate: 0x2383e3, colour: 0x55b0, matrixCoefficients: 0x55b1, bitsPerChannel: 0x55b2, chromaSubsamplingHorz: 0x55b3,
  chromaSubsamplingVert: 0x55b4, cbSubsamplingHorz: 0x55b5, cbSubsamplingVert: 0x55b6, chromaSitingHorz: 0x55b7,
  chromaSitingVert: 0x55b8, range: 0x55b9, transferCharacteristics: 0x55ba, primaries: 0x55bb, maxCll: 0x55bc,
  maxFall: 0x55bd, masteringMetadata: 0x55d0, primaryRx: 0x55d1, primaryRy: 0x55d2, primaryGx: 0x55d3, primaryGy: 0x55d4,
  primaryBx: 0x55d5, primaryBy: 0x55d6, whitePointX: 0x55d7, whitePointY: 0x55d8, luminanceMax: 0x55d9, luminanceMin: 0x55da,
  projection: 0x7670, projectionType: 0x7671, projectionPrivate: 0x7672, projectionPoseYaw: 0x7673,
  projectionPosePitch: 0x7674, projectionPoseRoll: 0x7675,
  audio: 0xe1, samplingFrequency: 0xb5, outputSamplingFrequency: 0x78b5, channels: 0x9f, bitDepth: 0x6264, emphasis: 0x52f1,
  trackOperation: 0xe2, trackCombinePlanes: 0xe3, trackPlane: 0xe4, trackPlaneUid: 0xe5, trackPlaneType: 0xe6,
  trackJoinBlocks: 0xe9, trackJoinUid: 0xed,
  contentEncodings: 0x6d80, contentEncoding: 0x6240, contentEncodingOrder: 0x5031, contentEncodingScope: 0x5032,
  contentEncodingType: 0x5033, contentCompression: 0x5034, contentCompAlgo: 0x4254, contentCompSettings: 0x4255,
  contentEncryption: 0x5035, contentEncAlgo: 0x47e1, contentEncKeyId: 0x47e2, contentEncAesSettings: 0x47e7,
  aesSettingsCipherMode: 0x47e8,
  // Cues
  cues: 0x1c53bb6b, cuePoint: 0xbb, cueTime: 0xb3, cueTrackPositions: 0xb7, cueTrack: 0xf7, cueClusterPosition: 0xf1,
  cueRelativePosition: 0xf0, cueDuration: 0xb2, cueBlockNumber: 0x5378, cueCodecState: 0xea, cueReference: 0xdb,
  cueRefTime: 0x96,
  // Attachments
  attachments: 0x1941a469, attachedFile: 0x61a7, fileDescription: 0x467e, fileName: 0x466e, fileMediaType: 0x4660,
  fileData: 0x465c, fileUid: 0x46ae,
  // Chapters
  chapters: 0x1043a770, editionEntry: 0x45b9, editionUid: 0x45bc, editionFlagHidden: 0x45bd, editionFlagDefault: 0x45db,
  editionFlagOrdered: 0x45dd, editionDisplay: 0x4520, editionString: 0x4521, chapterAtom: 0xb6, chapterUid: 0x73c4,
  chapterStringUid: 0x5654, chapterTimeStart: 0x91, chapterTimeEnd: 0x92, chapterFlagHidden: 0x98,
  chapterFlagEnabled: 0x4598, chapterSegmentUuid: 0x6e67, chapterSkipType: 0x4588, chapterDisplay: 0x80,
  chapString: 0x85, chapLanguage: 0x437c, chapLanguageBcp47: 0x437d, chapCountry: 0x437e, chapProcess: 0x6944,
  // Tags
  tags: 0x1254c367, tag: 0x7373, targets: 0x63c0, targetTypeValue: 0x68ca, targetType: 0x63ca, tagTrackUid: 0x63c5,
  tagEditionUid: 0x63c9, tagChapterUid: 0x63c4, tagAttachmentUid: 0x63c6, simpleTag: 0x67c8, tagName: 0x45a3,
  tagLanguage: 0x447a, tagLanguageBcp47: 0x447b, tagDefault: 0x4484, tagString: 0x4487, tagBinary: 0x4485,
} as const;

/** Types of the elements traceless re-writes or decodes (every other element is voided unread). */
export const elementTypes: ReadonlyMap<number, ElementType> = new Map<number, ElementType>([
  ...[ids.ebml, ids.segment, ids.seekHead, ids.seek, ids.info, ids.cluster, ids.blockGroup, ids.tracks, ids.trackEntry,
    ids.blockAdditionMapping, ids.video, ids.colour, ids.masteringMetadata, ids.projection, ids.audio, ids.trackOperation,
    ids.trackCombinePlanes, ids.trackPlane, ids.trackJoinBlocks, ids.contentEncodings, ids.contentEncoding,
    ids.contentCompression, ids.contentEncryption, ids.contentEncAesSettings, ids.cues, ids.cuePoint,
    ids.cueTrackPositions, ids.cueReference, ids.attachments, ids.attachedFile, ids.chapters, ids.editionEntry,
    ids.editionDisplay, ids.chapterAtom, ids.chapterDisplay, ids.chapProcess, ids.tags, ids.tag, ids.targets,
    ids.simpleTag].map((id) => [id, 'master'] as const),
  ...[ids.ebmlVersion, ids.ebmlReadVersion, ids.ebmlMaxIdLength, ids.ebmlMaxSizeLength, ids.docTypeVersion,
    ids.docTypeReadVersion, ids.seekPosition, ids.timestampScale, ids.timestamp, ids.position, ids.prevSize,
    ids.trackNumber, ids.trackUid, ids.trackType, ids.flagEnabled, ids.flagDefault, ids.flagForced,
    ids.flagHearingImpaired, ids.flagVisualImpaired, ids.flagTextDescriptions, ids.flagOriginal, ids.flagCommentary,
    ids.flagLacing, ids.minCache, ids.maxCache, ids.defaultDuration, ids.defaultDecodedFieldDuration,
    ids.maxBlockAdditionId, ids.blockAddIdValue, ids.blockAddIdType, ids.codecDecodeAll, ids.codecDelay, ids.seekPreRoll,
    ids.flagInterlaced, ids.fieldOrder, ids.stereoMode, ids.alphaMode, ids.pixelWidth, ids.pixelHeight,
    ids.pixelCropBottom, ids.pixelCropTop, ids.pixelCropLeft, ids.pixelCropRight, ids.displayWidth, ids.displayHeight,
    ids.displayUnit, ids.aspectRatioType, ids.matrixCoefficients, ids.bitsPerChannel, ids.chromaSubsamplingHorz,
    ids.chromaSubsamplingVert, ids.cbSubsamplingHorz, ids.cbSubsamplingVert, ids.chromaSitingHorz, ids.chromaSitingVert,
    ids.range, ids.transferCharacteristics, ids.primaries, ids.maxCll, ids.maxFall, ids.projectionType, ids.channels,
    ids.bitDepth, ids.emphasis, ids.trackPlaneUid, ids.trackPlaneType, ids.trackJoinUid, ids.contentEncodingOrder,
    ids.contentEncodingScope, ids.contentEncodingType, ids.contentCompAlgo, ids.contentEncAlgo, ids.aesSettingsCipherMode,
    ids.cueTime, ids.cueTrack, ids.cueClusterPosition, ids.cueRelativePosition, ids.cueDuration, ids.cueBlockNumber,
    ids.cueCodecState, ids.cueRefTime, ids.editionUid, ids.editionFlagHidden, ids.editionFlagDefault,
    ids.editionFlagOrdered, ids.chapterUid, ids.chapterTimeStart, ids.chapterTimeEnd, ids.chapterFlagHidden,
    ids.chapterFlagEnabled, ids.chapterSkipType, ids.targetTypeValue, ids.tagTrackUid, ids.tagEditionUid,
    ids.tagChapterUid, ids.tagAttachmentUid, ids.tagDefault, ids.fileUid].map((id) => [id, 'uint'] as const),
  ...[ids.duration, ids.trackTimestampScale, ids.frameRate, ids.primaryRx, ids.primaryRy, ids.primaryGx, ids.primaryGy,
    ids.primaryBx, ids.primaryBy, ids.whitePointX, ids.whitePointY, ids.luminanceMax, ids.luminanceMin,
    ids.projectionPoseYaw, ids.projectionPosePitch, ids.projectionPoseRoll, ids.samplingFrequency,
    ids.outputSamplingFrequency].map((id) => [id, 'float'] as const),
  ...[ids.docType, ids.docTypeExtension, ids.language, ids.languageBcp47, ids.codecId, ids.targetType, ids.tagLanguage,
    ids.tagLanguageBcp47, ids.chapLanguage, ids.chapLanguageBcp47, ids.chapCountry, ids.fileMediaType].map((id) => [id, 'string'] as const),
  ...[ids.segmentFilename, ids.prevFilename, ids.nextFilename, ids.title, ids.muxingApp, ids.writingApp, ids.blockAddIdName,
    ids.name, ids.codecName, ids.chapString, ids.editionString, ids.tagName, ids.tagString, ids.fileDescription,
    ids.fileName].map((id) => [id, 'utf8'] as const),
  [ids.dateUtc, 'date'],
  ...[ids.seekId, ids.segmentUuid, ids.prevUuid, ids.nextUuid, ids.segmentFamily, ids.simpleBlock, ids.encryptedBlock,
    ids.codecPrivate, ids.blockAddIdExtraData, ids.uncompressedFourCc, ids.projectionPrivate, ids.contentCompSettings,
    ids.contentEncKeyId, ids.chapterSegmentUuid, ids.tagBinary, ids.fileData, ids.crc32, ids.void].map((id) => [id, 'binary'] as const),
]);

/** Children a Cluster may hold: in an unknown-size Cluster, the first other ID ends it (RFC 9559 §6.2). */
export const clusterChildren: ReadonlySet<number> = new Set([ids.timestamp, ids.silentTracks, ids.position, ids.prevSize,
  ids.simpleBlock, ids.blockGroup, ids.encryptedBlock, ids.void, ids.crc32]);

/** Children of a BlockGroup (RFC 9559 §5.1.3.5): the block, its additions (alpha, HDR), references, timing. */
export const blockGroupChildren: ReadonlySet<number> = new Set([0xa1, 0xa2, 0x75a1, 0x9b, 0xfa, 0xfb, 0xfd, 0xa4, 0x75a2, 0x8e]);

/** Nanoseconds between the Unix epoch and Matroska's (2001-01-01T00:00:00 UTC, RFC 9559 §5.1.2.6). */
export const matroskaEpochMs = Date.UTC(2001, 0, 1);

const names = new Map<number, string>(Object.entries(ids).map(([name, id]) => [id, name.charAt(0).toUpperCase() + name.slice(1)]));

/** A human name for an ID (for `where` strings). */
export function elementName(id: number): string {
  return names.get(id) ?? `0x${id.toString(16).toUpperCase()}`;
}
