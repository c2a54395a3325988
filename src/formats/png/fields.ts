/**
 * The defined fields of every PNG chunk that traceless keeps besides image data, and how each is
 * written again from those fields alone: the length the specification defines for the image's
 * colour type and bit depth, the values it allows, nothing after them.
 * Reference: PNG Specification, Third Edition (W3C), sections 11.2 (IHDR, PLTE, IEND), 11.3.2
 * (tRNS), 11.3.3 (cHRM, gAMA, sBIT, sRGB, cICP, mDCV, cLLI), 11.3.5 (bKGD, hIST, pHYs) and the
 * APNG chunks acTL/fcTL (section 11.3.6); https://www.w3.org/TR/png-3/
 *
 * A chunk that breaks its definition is either refused (when a decoder needs it to draw the
 * picture: IHDR, PLTE of a palette image, tRNS, acTL, fcTL) or removed (everything else here:
 * decoders ignore a malformed gAMA, cHRM, sRGB, pHYs, sBIT, bKGD, hIST, cICP, mDCV or cLLI).
 */

/** The image header (section 11.2.2). */
export interface ImageHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
}

/** Colour types (section 11.2.2, table 11). */
export const colourTypes = { greyscale: 0, truecolour: 2, indexed: 3, greyscaleAlpha: 4, truecolourAlpha: 6 } as const;

/** Bit depths allowed for each colour type (section 11.2.2, table 11). */
const allowedBitDepths: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
]);

/** Channels per colour type, as sBIT counts them (an indexed image's palette has three). */
const significantBitsLength: ReadonlyMap<number, number> = new Map([[0, 1], [2, 3], [3, 3], [4, 2], [6, 4]]);

export const ihdrLength = 13;
const maxDimension = 0x7fffffff;
const maxPaletteEntries = 256;
const paletteEntryBytes = 3;
const gammaLength = 4;
const chromaticitiesLength = 32;
const srgbLength = 1;
const maxRenderingIntent = 3;
const physLength = 9;
const maxPhysUnit = 1;
const cicpLength = 4;
const mdcvLength = 24;
const clliLength = 8;
const actlLength = 8;
const fctlLength = 26;
const maxDisposeOp = 2;
const maxBlendOp = 1;
/**
 * Bounds on fields that are free numbers in their chunk's layout, so a kept chunk cannot spell
 * text: cHRM chromaticities are at most 1.0 (100000 units); mDCV chromaticities at most 1.0
 * (50000 units of 0.00002) and luminances, like cLLI's, at most 10000 cd/m² (units of 0.0001).
 * Real encoders stay far inside them (BT.2020, Display P3, ProPhoto; HDR10 peaks of 10000 cd/m²).
 */
const maxChromaticity = 100000;
const maxMdcvChromaticity = 50000;
const maxLuminance = 100000000;

/** What decoding the image needs to know while its later chunks are checked. */
export interface ImageContext {
  header: ImageHeader;
  /** Entries of the PLTE seen so far (undefined before PLTE, or when it was removed). */
  paletteEntries?: number;
  /** Text chunks decoded so far (past a bound, more are removed unread). */
  textChunks?: number;
}

/** A chunk as traceless would write it again, or why it cannot be kept. */
export type FieldCheck =
  | { ok: true; data: Buffer }
  /** `refuse`: a decoder needs this chunk to draw the picture, so removing it would change pixels. */
  | { ok: false; reason: string; refuse: boolean };

function keep(data: Buffer, length: number): FieldCheck {
  return { ok: true, data: Buffer.from(data.subarray(0, length)) };
}

function wrongLength(type: string, actual: number, expected: string, refuse = false): FieldCheck {
  return { ok: false, reason: `${type} has ${actual} data bytes where its definition has ${expected}`, refuse };
}

/** Parses IHDR; throws nothing, returns a reason when the header breaks the specification. */
export function parseImageHeader(data: Buffer): ImageHeader | string {
  if (data.length !== ihdrLength) return `IHDR has ${data.length} bytes instead of ${ihdrLength}`;
  const header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8]!, colourType: data[9]!, interlace: data[12]! };
  if (header.width === 0 || header.height === 0 || header.width > maxDimension || header.height > maxDimension) return `IHDR gives an impossible size ${header.width}×${header.height}`;
  if (!allowedBitDepths.get(header.colourType)?.includes(header.bitDepth)) return `IHDR combines colour type ${header.colourType} with bit depth ${header.bitDepth}, which PNG does not allow`;
  if (data[10] !== 0 || data[11] !== 0) return 'IHDR names a compression or filter method that PNG does not define';
  if (header.interlace > 1) return `IHDR names interlace method ${header.interlace}, which PNG does not define`;
  return header;
}

export function encodeImageHeader(header: ImageHeader): Buffer {
  const data = Buffer.alloc(ihdrLength);
  data.writeUInt32BE(header.width, 0);
  data.writeUInt32BE(header.height, 4);
  data[8] = header.bitDepth;
  data[9] = header.colourType;
  data[12] = header.interlace;
  return data;
}

/** Depth of one sample: palette entries are always 8 bits per channel. */
function sampleDepth(header: ImageHeader): number {
  return header.colourType === colourTypes.indexed ? 8 : header.bitDepth;
}

function checkPalette(data: Buffer, context: ImageContext): FieldCheck {
  const indexed = context.header.colourType === colourTypes.indexed;
  if (!indexed) {
    // Greyscale images must not have one; truecolour ones may carry a suggested palette that no
    // decoder needs to draw the picture.
    return { ok: false, reason: 'PLTE in an image that is not indexed (a suggested palette, not needed to draw it)', refuse: false };
  }
  const entries = data.length / paletteEntryBytes;
  const maxEntries = Math.min(maxPaletteEntries, 2 ** context.header.bitDepth);
  if (!Number.isInteger(entries) || entries < 1 || entries > maxEntries) {
    return { ok: false, reason: `PLTE has ${data.length} bytes; an indexed image of bit depth ${context.header.bitDepth} needs 1 to ${maxEntries} entries of 3 bytes`, refuse: true };
  }
  return keep(data, data.length);
}

function checkTransparency(data: Buffer, context: ImageContext): FieldCheck {
  const { colourType } = context.header;
  if (colourType === colourTypes.greyscale) return data.length === 2 ? keep(data, 2) : wrongLength('tRNS', data.length, '2', true);
  if (colourType === colourTypes.truecolour) return data.length === 6 ? keep(data, 6) : wrongLength('tRNS', data.length, '6', true);
  if (colourType === colourTypes.indexed) {
    if (context.paletteEntries === undefined) return { ok: false, reason: 'tRNS comes before the palette it applies to', refuse: true };
    if (data.length < 1 || data.length > context.paletteEntries) return wrongLength('tRNS', data.length, `1 to ${context.paletteEntries} (one per palette entry)`, true);
    return keep(data, data.length);
  }
  // Section 11.3.2.1: "A tRNS chunk shall not appear for colour types 4 and 6"; decoders ignore it.
  return { ok: false, reason: 'tRNS in an image that already has an alpha channel (decoders ignore it)', refuse: false };
}

function checkSignificantBits(data: Buffer, context: ImageContext): FieldCheck {
  const expected = significantBitsLength.get(context.header.colourType)!;
  if (data.length !== expected) return wrongLength('sBIT', data.length, String(expected));
  const depth = sampleDepth(context.header);
  if (data.subarray(0, expected).some((bits) => bits === 0 || bits > depth)) return { ok: false, reason: `sBIT gives a value outside 1..${depth}`, refuse: false };
  return keep(data, expected);
}

function checkBackground(data: Buffer, context: ImageContext): FieldCheck {
  const { colourType, bitDepth } = context.header;
  if (colourType === colourTypes.indexed) {
    if (context.paletteEntries === undefined) return { ok: false, reason: 'bKGD comes before the palette it indexes', refuse: false };
    if (data.length !== 1) return wrongLength('bKGD', data.length, '1');
    if (data[0]! >= context.paletteEntries) return { ok: false, reason: `bKGD names palette entry ${data[0]} of ${context.paletteEntries}`, refuse: false };
    return keep(data, 1);
  }
  const samples = colourType === colourTypes.greyscale || colourType === colourTypes.greyscaleAlpha ? 1 : 3;
  if (data.length !== samples * 2) return wrongLength('bKGD', data.length, String(samples * 2));
  for (let index = 0; index < samples; index++) {
    if (data.readUInt16BE(index * 2) >= 2 ** bitDepth) return { ok: false, reason: `bKGD gives a sample beyond bit depth ${bitDepth}`, refuse: false };
  }
  return keep(data, samples * 2);
}

function checkHistogram(data: Buffer, context: ImageContext): FieldCheck {
  if (context.paletteEntries === undefined) return { ok: false, reason: 'hIST without a palette before it', refuse: false };
  return data.length === context.paletteEntries * 2 ? keep(data, data.length) : wrongLength('hIST', data.length, `${context.paletteEntries * 2} (two per palette entry)`);
}

function frameInsideCanvas(value: Buffer, header: ImageHeader): boolean {
  const [width, height, x, y] = [4, 8, 12, 16].map((offset) => value.readUInt32BE(offset)) as [number, number, number, number];
  return width > 0 && height > 0 && x + width <= header.width && y + height <= header.height;
}

function checkFixed(type: string, data: Buffer, length: number, valid: (data: Buffer) => boolean, refuse = false): FieldCheck {
  if (data.length !== length) return wrongLength(type, data.length, String(length), refuse);
  if (!valid(data)) return { ok: false, reason: `${type} holds values its definition does not allow`, refuse };
  return keep(data, length);
}

/** Chunk types this module checks (besides IHDR, which the walker and `parseImageHeader` handle). */
export const checkedTypes = new Set(['PLTE', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'sBIT', 'bKGD', 'hIST', 'pHYs', 'cICP', 'mDCV', 'cLLI', 'acTL', 'fcTL', 'IEND']);

/** Checks one chunk's data against its definition and returns the data to write again. */
export function checkChunkFields(type: string, data: Buffer, context: ImageContext): FieldCheck {
  switch (type) {
    case 'PLTE':
      return checkPalette(data, context);
    case 'tRNS':
      return checkTransparency(data, context);
    case 'gAMA':
      return checkFixed(type, data, gammaLength, (value) => value.readUInt32BE(0) > 0);
    case 'cHRM':
      return checkFixed(type, data, chromaticitiesLength, (value) => [0, 1, 2, 3, 4, 5, 6, 7].every((index) => value.readUInt32BE(index * 4) <= maxChromaticity));
    case 'sRGB':
      return checkFixed(type, data, srgbLength, (value) => value[0]! <= maxRenderingIntent);
    case 'sBIT':
      return checkSignificantBits(data, context);
    case 'bKGD':
      return checkBackground(data, context);
    case 'hIST': {
      // A histogram of how often each palette entry is used: no decoder needs it to draw the
      // picture, and its counts are free numbers (two bytes per entry), so it is removed.
      const check = checkHistogram(data, context);
      return check.ok ? { ok: false, reason: 'hIST (a palette histogram: not needed to draw the picture)', refuse: false } : check;
    }
    case 'pHYs':
      return checkFixed(type, data, physLength, (value) => value[8]! <= maxPhysUnit);
    case 'cICP':
      // Section 11.3.3.7: only RGB (matrix coefficients 0) is allowed; the range flag is 0 or 1.
      return checkFixed(type, data, cicpLength, (value) => value[2] === 0 && value[3]! <= 1);
    case 'mDCV':
      return checkFixed(type, data, mdcvLength, (value) => [0, 1, 2, 3, 4, 5, 6, 7].every((index) => value.readUInt16BE(index * 2) <= maxMdcvChromaticity) && value.readUInt32BE(16) <= maxLuminance && value.readUInt32BE(20) <= value.readUInt32BE(16));
    case 'cLLI':
      return checkFixed(type, data, clliLength, (value) => value.readUInt32BE(0) <= maxLuminance && value.readUInt32BE(4) <= maxLuminance);
    case 'acTL':
      return checkFixed(type, data, actlLength, (value) => value.readUInt32BE(0) > 0, true);
    case 'fcTL':
      // Section 11.3.6.2: the frame lies inside the canvas, and is not empty.
      return checkFixed(type, data, fctlLength, (value) => frameInsideCanvas(value, context.header) && value[24]! <= maxDisposeOp && value[25]! <= maxBlendOp, true);
    case 'IEND':
      return data.length === 0 ? keep(data, 0) : wrongLength('IEND', data.length, '0', true);
    default:
      return { ok: false, reason: `${type} is not a chunk traceless keeps`, refuse: false };
  }
}
