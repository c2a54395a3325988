/**
 * Formats traceless reads but does not clean. Each reports what it can cheaply and safely read
 * (EXIF, XMP, IPTC, text tags) and says plainly what it could not. None has a `plan`, so `clean`
 * refuses them with UNSUPPORTED_FORMAT and writes nothing. (AVI and JPEG XL have their own
 * cleaners in `src/formats/avi/` and `src/formats/jxl/`.)
 *
 * Sniffers here only claim their own signatures: CR3 by its `crx ` brand (not any `ftyp`), MPEG-TS by a PID-0 packet header (so a GIF's `G` is
 * never taken for a sync byte); the TS handler is listed last in src/formats/index.ts.
 */
import type { FormatHandler } from '../types.js';
import { isCrw, isMrw, isRaf, isX3f, readCrw, readMrw, readRaf, readX3f } from './camera-raw.js';
import { scanOnly } from './common.js';
import { isCr3, readCr3 } from './cr3.js';
import { isJp2, readJp2 } from './jpeg-family.js';
import { isMpegTs, readMpegTs } from './mpeg-ts.js';
import { isPdf, readPdf } from './pdf.js';
import { isPsd, readPsd } from './psd.js';

export const cr3 = scanOnly({ id: 'cr3', name: 'Canon CR3 raw', extensions: ['cr3'], sniff: isCr3, read: readCr3 });
export const raf = scanOnly({ id: 'raf', name: 'Fujifilm RAF raw', extensions: ['raf'], sniff: isRaf, read: readRaf });
export const mrw = scanOnly({ id: 'mrw', name: 'Minolta MRW raw', extensions: ['mrw'], sniff: isMrw, read: readMrw });
export const x3f = scanOnly({ id: 'x3f', name: 'Sigma X3F raw', extensions: ['x3f'], sniff: isX3f, read: readX3f });
export const crw = scanOnly({ id: 'crw', name: 'Canon CRW raw', extensions: ['crw'], sniff: isCrw, read: readCrw });
export const jp2 = scanOnly({ id: 'jp2', name: 'JPEG 2000', extensions: ['jp2', 'jpx', 'jpf', 'j2k'], sniff: isJp2, read: readJp2 });
export const psd = scanOnly({ id: 'psd', name: 'Photoshop PSD', extensions: ['psd', 'psb'], sniff: isPsd, read: readPsd });
export const pdf = scanOnly({ id: 'pdf', name: 'PDF', extensions: ['pdf'], sniff: isPdf, read: readPdf });
export const mpegTs = scanOnly({ id: 'mpeg-ts', name: 'MPEG-TS/M2TS', extensions: ['ts', 'mts', 'm2ts', 'm2t'], sniff: isMpegTs, read: readMpegTs });

/** Scan-only formats with distinctive signatures, in the order they are tried. */
export const scanOnlyFormats: readonly FormatHandler[] = [cr3, raf, mrw, x3f, crw, jp2, psd, pdf];
