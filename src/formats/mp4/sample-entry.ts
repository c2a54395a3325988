/**
 * Sample entries (the codec descriptions in `stsd`) that traceless knows, with the length of their
 * fixed fields and the child boxes (codec configurations) their samples need.
 *
 * References: ISO/IEC 14496-12:2022 §8.5.2 (VisualSampleEntry: 78 bytes of fields, AudioSampleEntry:
 * 28, §12.1–12.6), ISO/IEC 14496-15 (avcC, hvcC, lhvC), 14496-14 (esds), AV1-ISOBMFF (av1C),
 * VP-codec-ISOBMFF (vpcC), Opus-in-ISOBMFF (dOps), FLAC-in-ISOBMFF (dfLa), ETSI TS 102 366 (dac3,
 * dec3), 3GPP TS 26.245 (tx3g: 38 bytes of fields, ftab), ISO/IEC 14496-30 (wvtt, stpp), Apple
 * QuickTime File Format (sound description versions 1 and 2: 16 and 36 more bytes; text, tmcd).
 */

export type EntryFamily = 'visual' | 'audio' | 'tx3g' | 'qttext' | 'strings' | 'plain' | 'tmcd' | 'metadata';

/** Video sample entry formats (ISO, MP4RA and QuickTime codecs). */
const visualFormats = new Set([
  'avc1', 'avc2', 'avc3', 'avc4', 'hvc1', 'hev1', 'hvc2', 'hev2', 'dvh1', 'dvhe', 'dvav', 'dva1', 'dav1', 'av01', 'vp08', 'vp09',
  'mp4v', 's263', 'h263', 'jpeg', 'mjpa', 'mjpb', 'mjp2', 'apcn', 'apch', 'apcs', 'apco', 'ap4h', 'ap4x', 'raw ', '2vuy', 'yuv2',
  'v210', 'v410', 'dvc ', 'dvcp', 'dvpp', 'dv5n', 'dv5p', 'dvh2', 'dvh3', 'dvh5', 'dvh6', 'dvhp', 'dvhq', 'AVdn', 'AVdh', 'CFHD',
  'SVQ1', 'SVQ3', 'cvid', 'rle ', 'png ', 'hvt1', 'vvc1', 'vvi1', 'xalg', 'mp2v', 'xdvc', 'xd5b', 'xd5c', 'xd5d', 'xd59', 'xd5a',
  'xd5e', 'xd5f', 'xdv1', 'xdv2', 'xdv3', 'xdv4', 'xdv5', 'xdv6', 'xdv7', 'xdv8', 'xdv9', 'xdva', 'xdvb', 'xdvd', 'xdve', 'xdvf',
  'ai5p', 'ai5q', 'ai52', 'ai53', 'ai55', 'ai56', 'ai1p', 'ai1q', 'ai12', 'ai13', 'ai15', 'ai16', 'AVin', 'encv', 'resv',
]);

/** Audio sample entry formats. */
const audioFormats = new Set([
  'mp4a', 'ac-3', 'ec-3', 'ac-4', 'Opus', 'fLaC', 'alac', 'sowt', 'twos', 'lpcm', 'in24', 'in32', 'fl32', 'fl64', 'raw ', 'NONE',
  'ulaw', 'alaw', 'ima4', 'samr', 'sawb', 'sawp', 'sevc', 'sqcp', 'ssmv', '.mp3', 'mp3 ', 'ipcm', 'fpcm', 'dtsc', 'dtsh', 'dtsl',
  'dtse', 'dtsx', 'mha1', 'mha2', 'mhm1', 'mhm2', 'enca', 'QDM2', 'QDMC', 'agsm', 'MAC3', 'MAC6', 'spex', 'mlpa',
]);

/** Timed text formats whose samples are text (read in full for coordinates). */
export const timedTextFormats: ReadonlySet<string> = new Set(['tx3g', 'text', 'wvtt', 'stpp', 'sbtt', 'stxt', 'c608', 'c708']);

/**
 * Child boxes of a sample entry that decoders need (codec configurations and display properties),
 * kept whole: their content is decoder data, not text.
 */
export const codecConfigurationBoxes: ReadonlySet<string> = new Set([
  'avcC', 'hvcC', 'lhvC', 'av1C', 'vpcC', 'vvcC', 'dvcC', 'dvvC', 'dvwC', 'esds', 'dOps', 'dfLa', 'alac', 'dac3', 'dec3', 'dac4', 'ddts',
  'btrt', 'pasp', 'colr', 'clap', 'fiel', 'gama', 'chan', 'chnl', 'wave', 'mdcv', 'clli', 'CoLL', 'SmDm', 'st3d', 'sv3d', 'SA3D',
  'glbl', 'ACLR', 'APRG', 'ARES', 'AORD', 'avcE', 'hvcE', 'damr', 'd263', 'dmlp', 'jP2h', 'ftab', 'vttC', 'vlab', 'sinf', 'srat',
  'enda', 'frma', 'dvc1', 'dvvC', 'cmpd', 'uncC', 'amve', 'ccst', 'lsel', 'hfov', 'vexu', 'pcmC', 'mhaC',
]);

export interface EntryLayout {
  family: EntryFamily;
  /** Bytes of fixed fields after the 8-byte box header (children follow them), or -1 when variable (strings). */
  fieldsLength: number;
}

/**
 * The layout of a known sample entry under `handler`, or undefined when traceless does not know it.
 * `payload` is the entry's payload (after its header), needed for the QuickTime sound versions.
 */
export function sampleEntryLayout(format: string, handler: string, payload: Buffer): EntryLayout | undefined {
  if (handler === 'vide' && visualFormats.has(format)) return { family: 'visual', fieldsLength: 78 };
  if (handler === 'soun' && audioFormats.has(format)) {
    if (payload.length < 10) return undefined;
    const version = payload.readUInt16BE(8);
    if (version > 2) return undefined;
    return { family: 'audio', fieldsLength: [28, 44, 64][version]! };
  }
  if (format === 'tx3g') return { family: 'tx3g', fieldsLength: 38 };
  if (format === 'text') return { family: 'qttext', fieldsLength: 51 };
  if (format === 'stpp' || format === 'sbtt' || format === 'stxt' || format === 'mett') return { family: 'strings', fieldsLength: 8 };
  if (format === 'wvtt' || format === 'c608' || format === 'c708') return { family: 'plain', fieldsLength: 8 };
  if (format === 'tmcd') return { family: 'tmcd', fieldsLength: 26 };
  if (format === 'mebx') return { family: 'metadata', fieldsLength: 8 };
  return undefined;
}

/** Null-terminated strings after the 8 common bytes of `stpp` (3), `sbtt`/`stxt`/`mett` (2). */
export function entryStringCount(format: string): number {
  return format === 'stpp' ? 3 : 2;
}

/** Offset of the 32-byte compressor name in a visual sample entry's payload. */
export const compressorNameOffset = 42;
export const compressorNameLength = 32;
/** Compressor names FFmpeg uses to choose a decoder (libavformat/mov.c): kept, samples need them. */
export const decodingCompressorNames = /^(Planar Y'CbCr|Sorenson H263)/;
