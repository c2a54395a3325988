/**
 * What an image IFD's own tags say its strips or tiles must be: how many a reader decodes, and —
 * for uncompressed data, whose size is fixed — how many bytes each holds. Strips past that count,
 * and bytes past the end of an uncompressed strip, are never decoded: they are slack where
 * anything can hide, so a clean neither copies nor points to them.
 * References: TIFF 6.0 section 3 (StripsPerImage = floor((ImageLength + RowsPerStrip - 1) /
 * RowsPerStrip)), section 15 (TilesAcross/TilesDown), section 21 (PlanarConfiguration 2: one set
 * per sample).
 */
import { findEntry, readNumbers, type Ifd, type TiffStructure } from '../../decode/tiff.js';
import { tiffTags } from '../../decode/exif-tags.js';
import { firstNumber, maxStripsPerIfd } from './structure.js';

const tags = { width: 0x0100, length: 0x0101, bitsPerSample: 0x0102, compression: 0x0103, photometric: 0x0106, samplesPerPixel: 0x0115, rowsPerStrip: 0x0116, planar: 0x011c, tileWidth: 0x0142, tileLength: 0x0143 } as const;
const uncompressed = 1;
const photometricYCbCr = 6;

export interface ExpectedLayout {
  /** Strips or tiles a reader decodes. */
  count: number;
  /** Bytes each one holds when that is fixed (uncompressed data), by index. */
  maxBytes?: (index: number) => number;
}

/** The expected layout of the strips (`tile` false) or tiles of `ifd`, or undefined when its tags do not say. */
export function expectedLayout(structure: TiffStructure, ifd: Ifd, tile: boolean): ExpectedLayout | undefined {
  const number = (tag: number) => firstNumber(structure, ifd, tag);
  const width = number(tags.width);
  const length = number(tags.length);
  if (!isPositive(width) || !isPositive(length)) return undefined;
  const samples = number(tags.samplesPerPixel) ?? 1;
  const planes = number(tags.planar) === 2 ? samples : 1;
  if (!isPositive(samples) || samples > 64) return undefined;
  const bitsEntry = findEntry(ifd, tags.bitsPerSample);
  const bits = bitsEntry ? readNumbers(structure, bitsEntry, 64) : [1];
  const bitsOf = (sample: number) => bits[Math.min(sample, bits.length - 1)] ?? 1;
  const pixelBits = Array.from({ length: samples }, (_, sample) => bitsOf(sample)).reduce((sum, value) => sum + value, 0);
  // Only plain byte-aligned uncompressed data has a size fixed by the tags alone.
  const fixedSize = (number(tags.compression) ?? 1) === uncompressed && number(tags.photometric) !== photometricYCbCr
    && bits.every((value) => value > 0 && value % 8 === 0);
  const rowBytes = (columns: number, plane: number) => Math.ceil((columns * (planes > 1 ? bitsOf(plane) : pixelBits)) / 8);
  if (!tile) {
    const rowsPerStrip = Math.min(number(tags.rowsPerStrip) ?? length, length);
    if (!isPositive(rowsPerStrip)) return undefined;
    const perPlane = Math.ceil(length / rowsPerStrip);
    const count = perPlane * planes;
    if (count > maxStripsPerIfd) return undefined;
    const layout: ExpectedLayout = { count };
    if (fixedSize) {
      layout.maxBytes = (index) => {
        const firstRow = (index % perPlane) * rowsPerStrip;
        return Math.min(rowsPerStrip, length - firstRow) * rowBytes(width, Math.floor(index / perPlane));
      };
    }
    return layout;
  }
  const tileWidth = number(tags.tileWidth);
  const tileLength = number(tags.tileLength);
  if (!isPositive(tileWidth) || !isPositive(tileLength)) return undefined;
  const perPlane = Math.ceil(width / tileWidth) * Math.ceil(length / tileLength);
  const count = perPlane * planes;
  if (count > maxStripsPerIfd) return undefined;
  const layout: ExpectedLayout = { count };
  if (fixedSize) layout.maxBytes = (index) => tileLength * rowBytes(tileWidth, Math.floor(index / perPlane));
  return layout;
}

function isPositive(value: number | undefined): value is number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0;
}

/** The offsets/byte-counts tag pairs of strips and tiles. */
export const dataTagPairs = [
  { offsets: tiffTags.stripOffsets, counts: tiffTags.stripByteCounts, tile: false },
  { offsets: tiffTags.tileOffsets, counts: tiffTags.tileByteCounts, tile: true },
] as const;
