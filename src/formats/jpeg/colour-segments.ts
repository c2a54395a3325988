/**
 * The APPn segments a full clean keeps because they change how colours decode: APP0 JFIF, APP14
 * Adobe and the ICC profile in APP2 chunks. Each is parsed to its defined fields and written again
 * from them; whatever a file carries beyond (a JFIF thumbnail, bytes after Adobe's 12, extra ICC
 * chunks, bytes past the profile's declared size) is left out.
 * References: JFIF 1.02 (APP0 layout, 16-byte segment without thumbnail); Adobe Technical Note
 * 5116 §18 (APP14 "Adobe": version, flags0, flags1, transform); ICC.1:2022 annex B.4 (embedding
 * in JPEG: "ICC_PROFILE\0", sequence number, chunk count) and §7.2.2 (profile size field).
 * libjpeg (jdmarker.c examine_app0/examine_app14, jdicc.c) reads them the same way.
 */
import { sanitiseIccProfile as sanitiseIcc } from '../../decode/icc.js';
import { asTracelessError } from '../../errors.js';
import { TracelessError } from '../../errors.js';
import { markerSegment } from './coding.js';
import { identifiers } from './segments.js';

const app0 = 0xe0;
const app2 = 0xe2;
const app14 = 0xee;

/** JFIF after its identifier: version (2), units (1), X and Y density (2 + 2), thumbnail size (1 + 1). */
const jfifFieldBytes = 9;
const jfifThumbnailWidthAt = 7;
/** Adobe after its identifier: version (2), flags0 (2), flags1 (2), transform (1). */
const adobeFieldBytes = 7;
/** ICC chunk after its identifier: sequence number (1), chunk count (1). */
const iccChunkHeaderBytes = 2;
/** A JPEG segment holds at most 65533 payload bytes; minus the identifier and chunk header. */
export const maxIccChunkData = 65533 - identifiers.icc.length - iccChunkHeaderBytes;
/** An ICC profile starts with a 128-byte header whose first field is the profile's size. */
const iccHeaderBytes = 128;
const iccSignatureAt = 36;
/** The chunk count is one byte. */
const maxIccChunks = 255;

export interface JfifFields {
  fields: Buffer;
  thumbnailPixels: number;
  trailing: number;
}

/** Reads JFIF's defined fields from the payload after `JFIF\0`; undefined when too short to be JFIF (libjpeg ignores it then). */
export function parseJfif(body: Buffer): JfifFields | undefined {
  if (body.length < jfifFieldBytes) return undefined;
  const thumbnailPixels = body[jfifThumbnailWidthAt]! * body[jfifThumbnailWidthAt + 1]!;
  const defined = jfifFieldBytes + 3 * thumbnailPixels;
  return { fields: Buffer.from(body.subarray(0, jfifFieldBytes)), thumbnailPixels, trailing: Math.max(0, body.length - defined) };
}

/** The 16-byte JFIF segment with the parsed fields and no thumbnail. */
export function encodeJfif(jfif: JfifFields): Buffer {
  const fields = Buffer.from(jfif.fields);
  fields[jfifThumbnailWidthAt] = 0;
  fields[jfifThumbnailWidthAt + 1] = 0;
  return markerSegment(app0, Buffer.concat([Buffer.from(identifiers.jfif, 'latin1'), fields]));
}

/** Reads Adobe's 7 defined bytes after `Adobe`; undefined when too short (libjpeg ignores it then). */
export function parseAdobe(body: Buffer): { fields: Buffer; trailing: number } | undefined {
  if (body.length < adobeFieldBytes) return undefined;
  return { fields: Buffer.from(body.subarray(0, adobeFieldBytes)), trailing: body.length - adobeFieldBytes };
}

/** The 14-byte APP14 segment (12 defined payload bytes). */
export function encodeAdobe(fields: Buffer): Buffer {
  return markerSegment(app14, Buffer.concat([Buffer.from(identifiers.adobe, 'latin1'), fields]));
}

export interface IccChunk {
  sequence: number;
  count: number;
  data: Buffer;
}

export function parseIccChunk(body: Buffer): IccChunk | undefined {
  if (body.length < iccChunkHeaderBytes) return undefined;
  return { sequence: body[0]!, count: body[1]!, data: body.subarray(iccChunkHeaderBytes) };
}

export interface AssembledIcc {
  /** The profile's bytes (declared size), or undefined when no complete, valid profile is there. */
  profile: Buffer | undefined;
  /** Data lengths of the chunks used, in sequence, to re-chunk the same way. */
  chunkLengths: number[];
  /** What was left out, for people. */
  notes: string[];
}

/**
 * Re-assembles the profile the way libjpeg's jpeg_read_icc_profile does: the chunk count comes
 * from the first chunk; chunks 1…count are taken in sequence (the first of each number); chunks
 * with another count, a repeated or out-of-range number are extra and left out. A profile with a
 * missing chunk or a bad header is not applied by readers, so it is left out whole.
 */
export function assembleIcc(chunks: readonly (IccChunk | undefined)[]): AssembledIcc {
  const notes: string[] = [];
  const valid = chunks.filter((chunk): chunk is IccChunk => chunk !== undefined);
  if (valid.length < chunks.length) notes.push(`${chunks.length - valid.length} ICC chunk(s) too short to hold a chunk header`);
  const count = valid[0]?.count ?? 0;
  const bySequence = new Map<number, IccChunk>();
  let extra = 0;
  for (const chunk of valid) {
    if (chunk.count !== count || chunk.sequence < 1 || chunk.sequence > count || bySequence.has(chunk.sequence)) extra += 1;
    else bySequence.set(chunk.sequence, chunk);
  }
  if (extra > 0) notes.push(`${extra} ICC chunk(s) out of sequence, repeated or extra`);
  const ordered: IccChunk[] = [];
  for (let sequence = 1; sequence <= count; sequence++) {
    const chunk = bySequence.get(sequence);
    if (!chunk) return { profile: undefined, chunkLengths: [], notes: [...notes, `ICC profile incomplete (chunk ${sequence} of ${count} missing); readers ignore it`] };
    ordered.push(chunk);
  }
  const joined = Buffer.concat(ordered.map((chunk) => chunk.data));
  if (joined.length < iccHeaderBytes || joined.toString('latin1', iccSignatureAt, iccSignatureAt + 4) !== 'acsp') {
    return { profile: undefined, chunkLengths: [], notes: [...notes, 'not a valid ICC profile (no "acsp" header); readers ignore it'] };
  }
  const declared = joined.readUInt32BE(0);
  if (declared < iccHeaderBytes || declared > joined.length) {
    return { profile: undefined, chunkLengths: [], notes: [...notes, `ICC profile declares ${declared} bytes but ${joined.length} are there; readers ignore it`] };
  }
  if (declared < joined.length) notes.push(`${joined.length - declared} bytes after the ICC profile's declared end`);
  const chunkLengths: number[] = [];
  let remaining = declared;
  for (const chunk of ordered) {
    const length = Math.min(chunk.data.length, remaining);
    if (length > 0) chunkLengths.push(length);
    remaining -= length;
  }
  return { profile: joined.subarray(0, declared), chunkLengths, notes };
}

/**
 * The assembled profile as traceless writes it (src/decode/icc.ts): a well-known standard profile as
 * it is, any other re-written with neutral text, date and device fields; an unreadable one removed
 * (readers ignore a broken profile), with a note either way.
 */
export function sanitiseIccProfile(profile: Buffer): { profile: Buffer | undefined; notes: string[] } {
  try {
    const sanitised = sanitiseIcc(profile, 'APP2/ICC_PROFILE');
    return { profile: sanitised.profile, notes: sanitised.removed.length > 0 ? [`colour profile re-written: ${sanitised.removed.join('; ')}`] : [] };
  } catch (error) {
    return { profile: undefined, notes: [`an unreadable colour profile was removed (${asTracelessError(error).message})`] };
  }
}

/** APP2 segments carrying `profile`, chunked like the input (or at the largest size allowed). */
export function encodeIccChunks(profile: Buffer, chunkLengths: readonly number[]): Buffer[] {
  const lengths: number[] = [];
  let covered = 0;
  // A profile that grew in its re-write (neutral text longer than the original) is chunked at the
  // largest size; otherwise like the input, so that a clean file stays byte for byte the same.
  const originalTotal = chunkLengths.reduce((sum, length) => sum + length, 0);
  for (const length of profile.length > originalTotal ? [] : chunkLengths) {
    if (covered >= profile.length) break;
    const take = Math.min(length, maxIccChunkData, profile.length - covered);
    lengths.push(take);
    covered += take;
  }
  for (; covered < profile.length; covered += lengths[lengths.length - 1]!) lengths.push(Math.min(maxIccChunkData, profile.length - covered));
  if (lengths.length > maxIccChunks) throw new TracelessError('LIMIT_EXCEEDED', `an ICC profile of ${profile.length} bytes needs more than ${maxIccChunks} JPEG chunks`);
  const segments: Buffer[] = [];
  let offset = 0;
  lengths.forEach((length, index) => {
    const header = Buffer.from([index + 1, lengths.length]);
    segments.push(markerSegment(app2, Buffer.concat([Buffer.from(identifiers.icc, 'latin1'), header, profile.subarray(offset, offset + length)])));
    offset += length;
  });
  return segments;
}
