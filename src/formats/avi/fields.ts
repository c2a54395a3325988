/**
 * The fixed structures of an AVI file that readers need, re-written by traceless from their parsed
 * fields: the main header (`avih`), stream headers (`strh`), stream formats (`strf`), video
 * properties (`vprp`), the OpenDML extended header (`dmlh`) and the indexes (`idx1`, `indx`,
 * `ix##`). Every structure keeps its size (nothing in the file moves, so every index stays valid);
 * reserved fields and bytes past the defined fields are written as zeros.
 *
 * References: Microsoft "AVI RIFF File Reference" (AVIMAINHEADER, AVISTREAMHEADER, AVIOLDINDEX,
 * BITMAPINFOHEADER, WAVEFORMATEX); OpenDML AVI File Format Extensions 1.02 (Matrox, 1996:
 * `odml`/`dmlh`, AVISUPERINDEX, AVISTDINDEX, AVIFIELDINDEX, `vprp` VideoPropHeader).
 */

/** A field: its width in bytes, or `zero` for a reserved field that is written as zeros. */
type Field = 1 | 2 | 4 | 8 | { zero: number };

export interface Rewritten {
  data: Buffer;
  /** Non-zero bytes that were not re-written (reserved fields, slack): hidden data removed. */
  droppedBytes: number;
}

/**
 * Re-writes `payload` field by field (little-endian numbers and FourCCs, read and written back) into
 * a zeroed buffer of the same size; `keepTail` bytes after the fields are decoder data kept whole.
 */
export function rewriteFields(payload: Buffer, fields: readonly Field[], keepTail = 0): Rewritten {
  const data = Buffer.alloc(payload.length);
  let at = 0;
  for (const field of fields) {
    const width = typeof field === 'number' ? field : field.zero;
    if (at + width > payload.length) break;
    if (typeof field === 'number') {
      if (field === 8) data.writeBigUInt64LE(payload.readBigUInt64LE(at), at);
      else data.writeUIntLE(payload.readUIntLE(at, field), at, field);
    }
    at += width;
  }
  const tail = Math.max(0, Math.min(keepTail, payload.length - at));
  payload.copy(data, at, at, at + tail);
  return { data, droppedBytes: countDifferent(payload, data) };
}

function countDifferent(before: Buffer, after: Buffer): number {
  let count = 0;
  for (let index = 0; index < before.length; index++) if (before[index] !== after[index]) count++;
  return count;
}

/** AVIMAINHEADER: ten DWORDs (frame period … height), then dwReserved[4]. */
export const mainHeaderFields: readonly Field[] = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, { zero: 16 }];

/**
 * AVISTREAMHEADER: fccType, fccHandler, dwFlags, wPriority, wLanguage, dwInitialFrames, dwScale,
 * dwRate, dwStart, dwLength, dwSuggestedBufferSize, dwQuality, dwSampleSize, then rcFrame as four
 * 16-bit numbers (56 bytes); some writers store rcFrame as four 32-bit numbers (64 bytes).
 */
export function streamHeaderFields(length: number): readonly Field[] {
  const base: Field[] = [4, 4, 4, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4];
  return length >= 64 ? [...base, 4, 4, 4, 4] : [...base, 2, 2, 2, 2];
}

/** BITMAPINFOHEADER (40 bytes); what follows (a palette, codec extradata) is decoder data. */
export const bitmapInfoFields: readonly Field[] = [4, 4, 4, 2, 2, 4, 4, 4, 4, 4, 4];
export const bitmapInfoBytes = 40;

/**
 * Video codecs whose decoders read nothing after BITMAPINFOHEADER (FFmpeg's mjpeg, dvvideo and raw
 * decoders): bytes there are slack, written as zeros. Other codecs keep them whole as codec data
 * (MPEG-4 and H.264 headers, Huffman tables), since a decoder may need them.
 */
const codecsWithoutData = new Set(['MJPG', 'mjpg', 'AVRn', 'JPEG', 'jpeg', 'dmb1', 'dvsd', 'dvhd', 'dvsl', 'dv25', 'dv50', 'CDVC', 'CDVH']);

/** Bytes after BITMAPINFOHEADER a decoder may read: a palette (for 1–8 bits a pixel), or codec data. */
function videoCodecDataLength(payload: Buffer): number {
  const extra = payload.length - bitmapInfoBytes;
  const bitCount = payload.readUInt16LE(14);
  const compression = payload.toString('latin1', 16, 20);
  if (bitCount > 0 && bitCount <= 8 && (compression === '\0\0\0\0' || compression === '\x01\0\0\0' || compression === '\x02\0\0\0')) {
    const colours = payload.readUInt32LE(32) || 2 ** bitCount;
    return Math.min(extra, colours * 4);
  }
  return codecsWithoutData.has(compression) ? 0 : extra;
}

const waveFormat = { pcm: 0x0001, float: 0x0003, extensible: 0xfffe } as const;
/** WAVEFORMATEXTENSIBLE's fields after cbSize: valid bits, channel mask, sub-format GUID. */
const extensibleBytes = 22;

/**
 * The codec data after WAVEFORMATEX's cbSize that is kept: cbSize bytes when they fit (none for PCM
 * and float, whose decoders read none; 22 for WAVEFORMATEXTENSIBLE); undefined when cbSize itself
 * is not there or does not fit (then it is written as zero with the rest).
 */
function audioCodecDataLength(payload: Buffer): number | undefined {
  if (payload.length < waveFormatBytes + 2) return undefined;
  const size = payload.readUInt16LE(waveFormatBytes);
  if (waveFormatBytes + 2 + size > payload.length) return undefined;
  const tag = payload.readUInt16LE(0);
  if (tag === waveFormat.extensible) return size >= extensibleBytes ? extensibleBytes : undefined;
  if (tag === waveFormat.pcm || tag === waveFormat.float) return size === 0 ? 0 : undefined;
  return size;
}

/** WAVEFORMATEX: 16 bytes of fields, then cbSize and cbSize bytes of codec data. */
export const waveFormatFields: readonly Field[] = [2, 2, 4, 4, 2, 2];
export const waveFormatBytes = 16;

/** The `strf` of a stream, by the stream type its `strh` declared. */
export function rewriteStreamFormat(payload: Buffer, streamType: string | undefined): Rewritten {
  if (streamType === 'vids' && payload.length >= bitmapInfoBytes) {
    return rewriteFields(payload, bitmapInfoFields, videoCodecDataLength(payload));
  }
  if (streamType === 'auds' && payload.length >= waveFormatBytes) {
    const extra = audioCodecDataLength(payload);
    return extra === undefined ? rewriteFields(payload, waveFormatFields) : rewriteFields(payload, [...waveFormatFields, 2], extra);
  }
  // A format traceless has no layout for (DV `iavs`, MIDI, text) is decoder data, kept whole.
  return { data: Buffer.from(payload), droppedBytes: 0 };
}

/** VideoPropHeader: nine DWORDs, then nbFieldPerFrame VIDEO_FIELD_DESC of eight DWORDs each (at most 2). */
export function rewriteVideoProperties(payload: Buffer): Rewritten {
  const headerFields: Field[] = [4, 4, 4, 4, 4, 4, 4, 4, 4];
  const fieldCount = payload.length >= 36 ? Math.min(2, payload.readUInt32LE(32)) : 0;
  const fields = [...headerFields];
  for (let index = 0; index < fieldCount; index++) fields.push(4, 4, 4, 4, 4, 4, 4, 4);
  return rewriteFields(payload, fields);
}

/** ODMLExtendedAVIHeader: dwTotalFrames, then 244 reserved bytes. */
export const extendedHeaderFields: readonly Field[] = [4];

export const indexTypes = { indexes: 0x00, chunks: 0x01 } as const;
const indexHeaderBytes = 24;

/**
 * An OpenDML index (`indx` in a stream list, `ix##` in the media data): wLongsPerEntry,
 * bIndexSubType, bIndexType, nEntriesInUse, dwChunkId, then for a super index (type 0)
 * dwReserved[3], for a standard or field index (type 1) qwBaseOffset and dwReserved; then the
 * entries in use, wLongsPerEntry DWORDs each. Unused (pre-allocated) entries are written as zeros.
 * Returns undefined for an index whose layout traceless does not know.
 */
export function rewriteOdmlIndex(payload: Buffer): (Rewritten & { entries: number; type: number }) | undefined {
  if (payload.length < indexHeaderBytes) return undefined;
  const longsPerEntry = payload.readUInt16LE(0);
  const type = payload[3]!;
  const entries = payload.readUInt32LE(4);
  const valid = (type === indexTypes.indexes && longsPerEntry === 4) || (type === indexTypes.chunks && (longsPerEntry === 2 || longsPerEntry === 3));
  if (!valid || indexHeaderBytes + entries * longsPerEntry * 4 > payload.length) return undefined;
  const header: Field[] = type === indexTypes.indexes ? [2, 1, 1, 4, 4, { zero: 12 }] : [2, 1, 1, 4, 4, 8, { zero: 4 }];
  const rewritten = rewriteFields(payload, header);
  const data = rewritten.data;
  const entryBytes = entries * longsPerEntry * 4;
  for (let at = indexHeaderBytes; at < indexHeaderBytes + entryBytes; at += 4) data.writeUInt32LE(payload.readUInt32LE(at), at);
  return { data, droppedBytes: countDifferent(payload, data), entries, type };
}

export const oldIndexEntryBytes = 16;
