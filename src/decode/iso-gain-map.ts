/**
 * ISO 21496-1 gain map metadata (the binary block JPEG stores in APP2 after
 * `urn:iso:std:iso:ts:21496:-1\0`): read field by field, validated, and written again from the
 * fields. The primary image carries a version-only block (4 bytes) that says "a gain map follows";
 * the gain-map image carries the full block.
 * References: ISO 21496-1:2025 §6 (metadata) and Annex C (binary encoding), as implemented by
 * libultrahdr (lib/src/gainmapmetadata.cpp encodeGainmapMetadata/decodeGainmapMetadata) and Skia
 * (src/codec/SkGainmapInfo.cpp ParseVersion/Parse): u16 minimum_version, u16 writer_version; then
 * u8 flags (bit 7 multi-channel, bit 6 use base colour space, bit 3 common denominator, bit 2
 * backward direction); then either a common u32 denominator followed by numerators, or
 * numerator/denominator pairs: base and alternate HDR headroom (unsigned), and per channel (1 or 3)
 * gain map min and max (signed), gamma (unsigned), base and alternate offset (signed).
 */
import { TracelessError } from '../errors.js';

export const isoGainMapIdentifier = 'urn:iso:std:iso:ts:21496:-1\0';

const flagMultiChannel = 0x80;
const flagCommonDenominator = 0x08;
/** Flags this reader knows; a block with others set is of a layout it cannot validate. */
const knownFlags = 0x80 | 0x40 | 0x08 | 0x04;
const versionBytes = 4;

export interface IsoGainMap {
  minimumVersion: number;
  writerVersion: number;
  /** Undefined for the version-only block of a primary image. */
  body?: {
    flags: number;
    /** The common denominator when bit 3 is set. */
    denominator?: number;
    /** Numerators (and denominators, without a common one) in file order, as read: signed where the field is signed. */
    values: number[];
    signed: boolean[];
  };
}

/** Signedness of the per-channel fields, in order: min, max, gamma, base offset, alternate offset. */
const channelSigned = [true, true, false, true, true];

/**
 * Parses the block after the identifier. Throws MALFORMED when it is not one of the two layouts
 * (a block too short for its flags, with unknown flags, a zero denominator or a minimum version
 * other than 0 is not kept); bytes after the defined fields are not read.
 */
export function parseIsoGainMap(data: Buffer): IsoGainMap {
  const malformed = (why: string) => new TracelessError('MALFORMED', `ISO 21496-1 gain map metadata: ${why}`);
  if (data.length < versionBytes) throw malformed('shorter than its version fields');
  const minimumVersion = data.readUInt16BE(0);
  const writerVersion = data.readUInt16BE(2);
  // Readers refuse a minimum version above 0 (Skia ParseVersion): its layout is not known.
  if (minimumVersion !== 0) throw malformed(`minimum version ${minimumVersion} is not one traceless can validate`);
  if (data.length === versionBytes) return { minimumVersion, writerVersion };
  const flags = data[versionBytes]!;
  if ((flags & ~knownFlags) !== 0) throw malformed(`unknown flags 0x${flags.toString(16)}`);
  const channels = flags & flagMultiChannel ? 3 : 1;
  const common = (flags & flagCommonDenominator) !== 0;
  const signed: boolean[] = [];
  // Headroom fields are unsigned; then the channel fields.
  const fieldSigned = [false, false, ...Array.from({ length: channels }, () => channelSigned).flat()];
  for (const isSigned of fieldSigned) {
    signed.push(isSigned);
    if (!common) signed.push(false);
  }
  const expected = versionBytes + 1 + (common ? 4 : 0) + signed.length * 4;
  // Bytes past the defined fields are not read by anyone (and not written back).
  if (data.length < expected) throw malformed(`${data.length} bytes where its flags say ${expected}`);
  let at = versionBytes + 1;
  let denominator: number | undefined;
  if (common) {
    denominator = data.readUInt32BE(at);
    at += 4;
  }
  const values = signed.map((isSigned) => {
    const value = isSigned ? data.readInt32BE(at) : data.readUInt32BE(at);
    at += 4;
    return value;
  });
  // A zero denominator is not a number: the block cannot be applied.
  const denominators = common ? [denominator!] : values.filter((_, index) => index % 2 === 1);
  if (denominators.some((value) => value === 0)) throw malformed('a zero denominator');
  const body: NonNullable<IsoGainMap['body']> = { flags, values, signed };
  if (denominator !== undefined) body.denominator = denominator;
  return { minimumVersion, writerVersion, body };
}

/** The block written again from its fields (identifier not included). */
export function encodeIsoGainMap(metadata: IsoGainMap): Buffer {
  const head = Buffer.alloc(versionBytes);
  head.writeUInt16BE(metadata.minimumVersion, 0);
  head.writeUInt16BE(metadata.writerVersion, 2);
  const body = metadata.body;
  if (!body) return head;
  const out = Buffer.alloc(1 + (body.denominator !== undefined ? 4 : 0) + body.values.length * 4);
  out[0] = body.flags;
  let at = 1;
  if (body.denominator !== undefined) {
    out.writeUInt32BE(body.denominator, at);
    at += 4;
  }
  body.values.forEach((value, index) => {
    if (body.signed[index]) out.writeInt32BE(value, at);
    else out.writeUInt32BE(value, at);
    at += 4;
  });
  return Buffer.concat([head, out]);
}
