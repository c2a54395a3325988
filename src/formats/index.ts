/**
 * The explicit, ordered list of formats. Order matters only where magic numbers overlap: more
 * specific sniffers come first. No format registers itself by being imported.
 */
import type { FormatHandler } from './types.js';
import { xmpSidecar } from './sidecar/xmp.js';
import { subtitleSidecar } from './sidecar/srt.js';
import { applePlist } from './sidecar/aae.js';
import { jpeg } from './jpeg/index.js';
import { png } from './png/index.js';
import { webp } from './webp/index.js';
import { gif } from './gif/index.js';
import { heif } from './heif/index.js';
import { rawTiff, tiff } from './tiff/index.js';
import { cr3, crw, jp2, mpegTs, mrw, pdf, psd, raf, x3f } from './other/index.js';
import { mp4 } from './mp4/index.js';
import { avi } from './avi/index.js';
import { jxl } from './jxl/index.js';
import { matroska } from './matroska/index.js';

export const formats: readonly FormatHandler[] = [
  jpeg, png, webp, gif, heif, mp4, rawTiff, tiff, cr3, raf, mrw, x3f, crw, jxl, jp2, psd, avi, matroska, pdf, xmpSidecar, subtitleSidecar, applePlist, mpegTs,
];

/** Bytes read from the start of a file for sniffing. */
export const sniffLength = 64;

/** The handler whose sniffer accepts these first bytes, or undefined for unknown bytes. */
export function detectFormat(head: Buffer): FormatHandler | undefined {
  return formats.find((format) => format.sniff(head));
}

export type { FormatHandler } from './types.js';
