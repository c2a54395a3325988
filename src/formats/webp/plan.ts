/**
 * Plans a clean WebP from the chunks a reader needs (see `analyse.ts`), written in the order
 * RFC 9649 gives: RIFF header, VP8X, ICCP, ANIM, then the frames or the still image's ALPH and
 * bitstream, then (location mode only) EXIF and XMP. Bitstreams (VP8, VP8L, ALPH) are copied byte
 * for byte as image data; every header, the VP8X/ANIM/ANMF fields and the ICC profile are written
 * by traceless from their parsed fields; pad bytes are written as zero. Sizes are added up first
 * and the RIFF header written last, the two-pass way RIFF writers work, so nothing is buffered.
 *
 * Orientation: no minimal EXIF is written back. WebP decoders (libwebp) and browsers do not
 * rotate WebP images by an EXIF orientation — RFC 9649 gives EXIF no part in rendering — so the
 * pixels are already stored the way they are shown, and an orientation tag would change nothing.
 * Reference: RFC 9649 sections 2.4, 2.5 (padding), 2.7.1 (VP8X flags), 2.7.1.1 (ANMF).
 */
import { removeExifLocation, removeXmpLocation } from '../../decode/location-edit.js';
import { bytesSpellPlace } from '../../decode/xmp-policy.js';
import { internalError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { keptIccProfile } from '../kept-icc.js';
import { PlanBuilder } from '../plan-builder.js';
import type { CleanPlan, PlanOptions, PlanRemoval } from '../types.js';
import { analyseWebp, type MetadataChunk, type WebpImage } from './analyse.js';
import { anmfHeaderBytes, vp8xFlags, writeAnim, writeAnmfHeader, writeVp8x } from './fields.js';
import { chunkHeader, type RiffChunk } from './riff.js';

export { vp8xFlags };

const riffHeaderBytes = 12;
const chunkHeaderBytes = 8;
const exifPrefix = Buffer.from('Exif\0\0', 'latin1');

/** A metadata payload written back in location mode, with what its edit removed. */
interface EditedPayload {
  payload: Buffer;
  removed?: PlanRemoval;
}

export function planWebp(source: ByteSource, options: PlanOptions): CleanPlan {
  const { keep, removals } = analyseWebp(source);
  const body = new PlanBuilder();
  for (const removal of removals) body.remove(removal.where, removal.kind, removal.bytes, removal.note);
  const exif = keep.exif && metadataDecision(source, keep.exif, options, body);
  const xmp = keep.xmp && metadataDecision(source, keep.xmp, options, body);
  const icc = keep.icc ? keptIccProfile(source.read(keep.icc.chunk.dataOffset, keep.icc.profileLength), 'ICCP', body) : null;
  if (keep.vp8x) {
    let flags = keep.vp8x.flags & ~(vp8xFlags.exif | vp8xFlags.xmp | vp8xFlags.icc);
    if (icc) flags |= vp8xFlags.icc;
    if (exif) flags |= vp8xFlags.exif;
    if (xmp) flags |= vp8xFlags.xmp;
    writtenChunk(body, 'VP8X', writeVp8x(keep.vp8x, flags));
  }
  if (icc) writtenChunk(body, 'ICCP', Buffer.from(icc));
  if (keep.anim) writtenChunk(body, 'ANIM', writeAnim(keep.anim));
  for (const frame of keep.frames) {
    const frameLength = anmfHeaderBytes + imageLength(frame.image);
    body.bytes(Buffer.concat([chunkHeader('ANMF', frameLength), writeAnmfHeader(frame.header)]));
    copiedImage(body, frame.image);
  }
  if (keep.image) copiedImage(body, keep.image);
  if (exif) {
    writtenChunk(body, 'EXIF', exif.payload);
    body.keep('EXIF without location');
  }
  if (xmp) {
    writtenChunk(body, 'XMP ', xmp.payload);
    body.keep('XMP without location');
  }
  // Pass 2: the RIFF header, now that the size is known.
  const header = Buffer.alloc(riffHeaderBytes);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + body.outputLength, 4);
  header.write('WEBP', 8, 'latin1');
  const plan = new PlanBuilder().bytes(header).append(body.pieces);
  for (const removal of body.removed) plan.remove(removal.where, removal.kind, removal.bytes, removal.note);
  for (const what of body.build().kept) plan.keep(what);
  if (plan.outputLength - 8 > 0xffffffff) throw internalError('a WebP output larger than RIFF allows');
  return plan.build();
}

/** What `--only location` keeps of an EXIF or XMP chunk (nothing in the default mode). */
function metadataDecision(source: ByteSource, analysed: MetadataChunk, options: PlanOptions, body: PlanBuilder): EditedPayload | undefined {
  const { chunk, where, kind } = analysed;
  const drop = (note: string) => {
    body.remove(where, kind, chunk.totalLength, note);
    return undefined;
  };
  if (options.mode !== 'location') return drop(analysed.note);
  if (!analysed.readable) return drop(`${analysed.note} (cannot be read, so it may hold a place)`);
  const stored = source.read(chunk.dataOffset, chunk.dataLength);
  const edited = kind === 'exif' ? editedExif(stored, analysed.tiffOffset ?? 0) : editedXmp(stored);
  if ('unsafe' in edited) return drop(edited.unsafe);
  if (edited.removed) body.remove(edited.removed.where, edited.removed.kind, edited.removed.bytes, edited.removed.note);
  return edited;
}

function editedExif(stored: Buffer, tiffOffset: number): EditedPayload | { unsafe: string } {
  const edit = removeExifLocation(Buffer.from(stored.subarray(tiffOffset)));
  if (!edit.safe) return { unsafe: `EXIF (${edit.note})` };
  // A kept text tag (Software, ImageDescription, UserComment…) that spells coordinates is a place.
  if (bytesSpellPlace(edit.data)) return { unsafe: 'EXIF (a text tag spells coordinates or a map link)' };
  // The optional `Exif\0\0` prefix is written as our own constant, never copied.
  const payload = tiffOffset > 0 ? Buffer.concat([exifPrefix, edit.data]) : Buffer.from(edit.data);
  if (!edit.changed) return { payload };
  return { payload, removed: { where: 'EXIF', kind: 'exif', bytes: differingBytes(stored, payload), note: `location removed: ${edit.note}` } };
}

function editedXmp(stored: Buffer): EditedPayload | { unsafe: string } {
  const packet = stored.toString('utf8');
  const edit = removeXmpLocation(packet);
  if (!edit.safe) return { unsafe: `XMP (${edit.note})` };
  const payload = Buffer.from(edit.data, 'utf8');
  if (!edit.changed) return { payload };
  return { payload, removed: { where: 'XMP', kind: 'xmp', bytes: Math.max(1, stored.length - payload.length), note: `location removed: ${edit.note}` } };
}

/** A chunk whose payload traceless wrote; its pad byte, when needed, is zero. */
function writtenChunk(body: PlanBuilder, fourCC: string, payload: Buffer): void {
  body.bytes(Buffer.concat([chunkHeader(fourCC, payload.length), payload, Buffer.alloc(payload.length & 1)]));
}

/** A bitstream or alpha chunk: header written, payload copied as image data, pad written as zero. */
function copiedChunk(body: PlanBuilder, chunk: RiffChunk): void {
  body.bytes(chunkHeader(chunk.fourCC, chunk.dataLength));
  body.copyImage(chunk.dataOffset, chunk.dataLength);
  body.zeros(chunk.dataLength & 1);
}

function copiedImage(body: PlanBuilder, image: WebpImage): void {
  if (image.alpha) copiedChunk(body, image.alpha);
  copiedChunk(body, image.bitstream);
}

function paddedLength(chunk: RiffChunk): number {
  return chunkHeaderBytes + chunk.dataLength + (chunk.dataLength & 1);
}

function imageLength(image: WebpImage): number {
  return (image.alpha ? paddedLength(image.alpha) : 0) + paddedLength(image.bitstream);
}

function differingBytes(before: Buffer, after: Buffer): number {
  let count = Math.abs(before.length - after.length);
  for (let index = 0; index < Math.min(before.length, after.length); index++) if (before[index] !== after[index]) count++;
  return count;
}
