/**
 * The fixed-layout WebP chunks traceless keeps, parsed into their defined fields and written back
 * from those fields only: VP8X (10 bytes), ANIM (6 bytes), the 16-byte ANMF frame header, and the
 * ICC profile's declared length. Reserved bits and bytes past the defined fields are never written.
 * Reference: RFC 9649 "WebP Image Format" sections 2.7.1 (VP8X), 2.7.1.1 (ANIM, ANMF), 2.7.1.4
 * (ICCP); ICC.1:2022 section 7.2.2 (profile size field).
 */
import { TracelessError } from '../../errors.js';

/** VP8X flag bits (RFC 9649 section 2.7.1). */
export const vp8xFlags = { icc: 0x20, alpha: 0x10, exif: 0x08, xmp: 0x04, animation: 0x02 } as const;
/** The flag bits the specification defines; the other three are reserved and written as zero. */
const definedVp8xFlagBits = 0x3e;
export const vp8xPayloadBytes = 10;
const vp8xCanvasWidthOffset = 4;
const vp8xCanvasHeightOffset = 7;

export const animPayloadBytes = 6;
const animLoopCountOffset = 4;

export const anmfHeaderBytes = 16;
const anmfDurationOffset = 12;
const anmfFlagsOffset = 15;
/** Blending (bit 1) and disposal (bit 0); the six bits above are reserved. */
const definedAnmfFlagBits = 0x03;

/** An ICC header is 128 bytes; its first four hold the profile's size, big-endian. */
export const iccHeaderBytes = 128;

export interface Vp8xFields {
  flags: number;
  /** Canvas width and height minus one, as stored (24 bits each). */
  canvasWidthMinusOne: number;
  canvasHeightMinusOne: number;
  /** What the stored chunk carries beyond its defined fields: reserved bits set, extra bytes. */
  slack: string[];
}

/** Parses the first 10 bytes of a VP8X payload of `storedLength` bytes. */
export function parseVp8x(payload: Buffer, storedLength: number): Vp8xFields {
  if (storedLength < vp8xPayloadBytes || payload.length < vp8xPayloadBytes) throw new TracelessError('MALFORMED', `WebP VP8X chunk is ${storedLength} bytes; it must be ${vp8xPayloadBytes}`);
  const flagsByte = payload[0]!;
  const slack: string[] = [];
  if ((flagsByte & ~definedVp8xFlagBits) !== 0 || payload.readUIntLE(1, 3) !== 0) slack.push('reserved bits set');
  if (storedLength > vp8xPayloadBytes) slack.push(`${storedLength - vp8xPayloadBytes} bytes past its ${vp8xPayloadBytes} defined bytes`);
  return {
    flags: flagsByte & definedVp8xFlagBits,
    canvasWidthMinusOne: payload.readUIntLE(vp8xCanvasWidthOffset, 3),
    canvasHeightMinusOne: payload.readUIntLE(vp8xCanvasHeightOffset, 3),
    slack,
  };
}

export function writeVp8x(fields: Vp8xFields, flags: number): Buffer {
  const payload = Buffer.alloc(vp8xPayloadBytes);
  payload[0] = flags & definedVp8xFlagBits;
  payload.writeUIntLE(fields.canvasWidthMinusOne, vp8xCanvasWidthOffset, 3);
  payload.writeUIntLE(fields.canvasHeightMinusOne, vp8xCanvasHeightOffset, 3);
  return payload;
}

export interface AnimFields {
  /** Background colour, stored as blue, green, red, alpha. */
  backgroundColour: number;
  loopCount: number;
  slack: string[];
}

/** Parses the first 6 bytes of an ANIM payload of `storedLength` bytes. */
export function parseAnim(payload: Buffer, storedLength: number): AnimFields {
  if (storedLength < animPayloadBytes || payload.length < animPayloadBytes) throw new TracelessError('MALFORMED', `WebP ANIM chunk is ${storedLength} bytes; it must be ${animPayloadBytes}`);
  const slack = storedLength > animPayloadBytes ? [`${storedLength - animPayloadBytes} bytes past its ${animPayloadBytes} defined bytes`] : [];
  return { backgroundColour: payload.readUInt32LE(0), loopCount: payload.readUInt16LE(animLoopCountOffset), slack };
}

export function writeAnim(fields: AnimFields): Buffer {
  const payload = Buffer.alloc(animPayloadBytes);
  payload.writeUInt32LE(fields.backgroundColour, 0);
  payload.writeUInt16LE(fields.loopCount, animLoopCountOffset);
  return payload;
}

export interface AnmfFields {
  /** Frame X and Y offsets divided by two, width and height minus one, duration in ms (24 bits each). */
  halfX: number;
  halfY: number;
  widthMinusOne: number;
  heightMinusOne: number;
  durationMs: number;
  /** Blending and disposal bits. */
  flags: number;
  slack: string[];
}

export function parseAnmfHeader(header: Buffer): AnmfFields {
  if (header.length < anmfHeaderBytes) throw new TracelessError('MALFORMED', `WebP ANMF frame header is ${header.length} bytes; it must be ${anmfHeaderBytes}`);
  const flagsByte = header[anmfFlagsOffset]!;
  return {
    halfX: header.readUIntLE(0, 3),
    halfY: header.readUIntLE(3, 3),
    widthMinusOne: header.readUIntLE(6, 3),
    heightMinusOne: header.readUIntLE(9, 3),
    durationMs: header.readUIntLE(anmfDurationOffset, 3),
    flags: flagsByte & definedAnmfFlagBits,
    slack: (flagsByte & ~definedAnmfFlagBits) !== 0 ? ['reserved bits set'] : [],
  };
}

export function writeAnmfHeader(fields: AnmfFields): Buffer {
  const header = Buffer.alloc(anmfHeaderBytes);
  header.writeUIntLE(fields.halfX, 0, 3);
  header.writeUIntLE(fields.halfY, 3, 3);
  header.writeUIntLE(fields.widthMinusOne, 6, 3);
  header.writeUIntLE(fields.heightMinusOne, 9, 3);
  header.writeUIntLE(fields.durationMs, anmfDurationOffset, 3);
  header[anmfFlagsOffset] = fields.flags & definedAnmfFlagBits;
  return header;
}

/**
 * The length an ICC profile declares for itself, or a reason it cannot be kept. Readers (skcms,
 * lcms) use the declared length, so bytes after it are slack; a profile longer than its chunk is broken.
 */
export function iccDeclaredLength(payload: Buffer): { length: number } | { problem: string } {
  if (payload.length < iccHeaderBytes) return { problem: `ICC profile of ${payload.length} bytes is shorter than its 128-byte header` };
  const length = payload.readUInt32BE(0);
  if (length < iccHeaderBytes || length > payload.length) return { problem: `ICC profile declares ${length} bytes but its chunk holds ${payload.length}` };
  return { length };
}
