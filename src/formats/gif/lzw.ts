/**
 * Reads a GIF image's LZW code stream without building its pixels: which colour indices it
 * draws with, and where the stream ends (its end-of-information code, or the code that completes
 * the image). Bytes after that end are read by no decoder, and colour table entries no image
 * draws with are free bytes: both are hiding places the plan removes.
 * Reference: GIF89a Appendix F (variable-length-code LZW compression).
 */
/** The largest image whose code stream is followed (pixels); larger ones are copied as they are. */
export const maxScannedPixels = 256 * 1024 * 1024;
const maxCodeBits = 12;
const maxCodes = 1 << maxCodeBits;

export interface LzwScan {
  /** Bytes of the concatenated sub-block data that the decoder reads. */
  end: number;
  /** used[index] is 1 when a pixel is drawn with colour index `index`. */
  used: Uint8Array;
  /** The code stream produces more pixels than the image has (decoders ignore the rest). */
  excess: boolean;
}

export function scanLzw(data: Buffer, minimumCodeSize: number, pixels: number): LzwScan {
  const used = new Uint8Array(256);
  const clear = 1 << minimumCodeSize;
  const endCode = clear + 1;
  const lengths = new Uint32Array(maxCodes);
  for (let code = 0; code < clear; code++) lengths[code] = 1;
  let codeSize = minimumCodeSize + 1;
  let next = clear + 2;
  let previous = -1;
  let produced = 0;
  let bitPosition = 0;
  const totalBits = data.length * 8;
  while (bitPosition + codeSize <= totalBits) {
    let code = 0;
    for (let bit = 0; bit < codeSize; bit++) {
      const at = bitPosition + bit;
      code |= ((data[at >> 3]! >> (at & 7)) & 1) << bit;
    }
    bitPosition += codeSize;
    if (code === clear) {
      codeSize = minimumCodeSize + 1;
      next = clear + 2;
      previous = -1;
      continue;
    }
    if (code === endCode) return { end: Math.ceil(bitPosition / 8), used, excess: false };
    let length: number;
    if (code < clear) {
      used[code] = 1;
      length = 1;
    } else if (code < next && code > endCode) {
      length = lengths[code]!;
    } else if (code === next && previous !== -1) {
      length = lengths[previous]! + 1;
    } else {
      // A code the table does not hold yet: decoders stop here.
      return { end: Math.ceil(bitPosition / 8), used, excess: false };
    }
    if (previous !== -1 && next < maxCodes) {
      lengths[next] = lengths[previous]! + 1;
      next++;
      if (next === 1 << codeSize && codeSize < maxCodeBits) codeSize++;
    }
    previous = code;
    produced += length;
    if (produced >= pixels) {
      // The image is complete; an end code right after it belongs to the stream.
      if (bitPosition + codeSize <= totalBits && readCode(data, bitPosition, codeSize) === endCode) bitPosition += codeSize;
      return { end: Math.ceil(bitPosition / 8), used, excess: produced > pixels };
    }
  }
  // Cut short (or stopped at a code it cannot read): every byte is kept, as decoders may read it.
  return { end: data.length, used, excess: false };
}

function readCode(data: Buffer, position: number, size: number): number {
  let code = 0;
  for (let bit = 0; bit < size; bit++) {
    const at = position + bit;
    code |= ((data[at >> 3]! >> (at & 7)) & 1) << bit;
  }
  return code;
}
