/**
 * Clears the bytes of an EXIF (TIFF) payload that no header, IFD table or entry value covers: the
 * gaps where an earlier edit left old values, or where a crafted file hides text that no EXIF
 * reader shows but the bytes still carry. Used for the eXIf chunk and EXIF raw profiles kept by
 * `--only location`. (A candidate for src/decode/ once the TIFF keep-list lands there.)
 * Reference: TIFF 6.0 section 2 (header, IFD, values), CIPA DC-008 (Exif 3.0) section 4.6.
 */
import { parseTiff } from '../../decode/tiff.js';

/** Byte order mark, 42 and the offset of IFD0. */
const tiffHeaderBytes = 8;

export interface SlackClearing {
  data: Buffer;
  /** How many non-zero bytes were cleared. */
  cleared: number;
  /** False when the payload could not be read in full (keep none of it). */
  readable: boolean;
  /** True when an IFD1 (thumbnail) or later image IFD is present. */
  hasThumbnailIfd: boolean;
}

/**
 * Removes the thumbnail: IFD0's link to IFD1 (and any IFD chained after it) is set to zero, and the
 * slack clearing below then zeroes the IFD1 table and the picture, which nothing points at any more.
 */
export function dropThumbnailIfds(tiff: Buffer): { data: Buffer; dropped: boolean } {
  let structure;
  try {
    structure = parseTiff(Buffer.from(tiff));
  } catch {
    return { data: tiff, dropped: false };
  }
  const ifd0 = structure.ifds.find((ifd) => ifd.name === 'IFD0');
  if (!ifd0 || ifd0.nextIfdOffset === 0) return { data: tiff, dropped: false };
  structure.data.fill(0, ifd0.nextLinkOffset, ifd0.nextLinkOffset + (structure.bigTiff ? 8 : 4));
  return { data: clearTiffSlack(structure.data).data, dropped: true };
}

export function clearTiffSlack(tiff: Buffer): SlackClearing {
  let structure;
  try {
    structure = parseTiff(Buffer.from(tiff));
  } catch {
    return { data: tiff, cleared: 0, readable: false, hasThumbnailIfd: false };
  }
  if (structure.warnings.some((warning) => warning.code === 'TIFF_IFD_UNREADABLE')) return { data: tiff, cleared: 0, readable: false, hasThumbnailIfd: false };
  const hasThumbnailIfd = structure.ifds.some((ifd) => /^IFD[1-9]/.test(ifd.name));
  const data = structure.data;
  const covered = new Uint8Array(data.length);
  covered.fill(1, 0, Math.min(tiffHeaderBytes, data.length));
  for (const ifd of structure.ifds) {
    covered.fill(1, ifd.offset, Math.min(data.length, ifd.offset + ifd.tableLength));
    for (const entry of ifd.entries) {
      if (!entry.inline && entry.readable) covered.fill(1, entry.valueOffset, Math.min(data.length, entry.valueOffset + entry.valueLength));
    }
  }
  let cleared = 0;
  for (let index = 0; index < data.length; index++) {
    if (covered[index] === 0 && data[index] !== 0) {
      data[index] = 0;
      cleared++;
    }
  }
  return { data, cleared, readable: true, hasThumbnailIfd };
}
