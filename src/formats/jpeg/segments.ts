/**
 * What each JPEG segment is, from its marker and the identifier at the start of its payload.
 * References: JFIF 1.02; Exif 2.32 §4.5.4 (APP1 "Exif\0\0"), §4.7.2 (APP2 FlashPix);
 * Adobe XMP Specification Part 3 §1.1.3 (APP1 XMP and Extended XMP); ICC.1:2022 annex B.4
 * (APP2 ICC_PROFILE chunks); CIPA DC-007 (APP2 MPF); Adobe Photoshop file formats (APP13 IRB);
 * Adobe Technical Note 5116 (APP14 Adobe).
 */
import type { BlockKind } from '../../types.js';
import { hex, markers, type JpegSegment } from './markers.js';

export const identifiers = {
  exif: 'Exif\0',
  xmp: 'http://ns.adobe.com/xap/1.0/\0',
  xmpExtended: 'http://ns.adobe.com/xmp/extension/\0',
  icc: 'ICC_PROFILE\0',
  mpf: 'MPF\0',
  flashPix: 'FPXR\0',
  photoshop: 'Photoshop 3.0\0',
  jfif: 'JFIF\0',
  jfxx: 'JFXX\0',
  adobe: 'Adobe',
} as const;

export interface SegmentClass {
  /** `image` for segments the decoder needs (tables, frame and scan headers). */
  kind: BlockKind | 'image';
  /** Path for reports: `APP1/Exif`, `APP2/ICC_PROFILE`, `COM`. */
  where: string;
  /** Length of the identifier that precedes the payload proper. */
  identifierLength: number;
  /** The identifier as printable text, for notes. */
  identifier: string;
}

/** Classifies a segment given the first bytes of its payload (up to 40 are enough). */
export function classifySegment(segment: JpegSegment, payloadHead: Buffer): SegmentClass {
  const { marker } = segment;
  const startsWith = (identifier: string) => payloadHead.length >= identifier.length && payloadHead.toString('latin1', 0, identifier.length) === identifier;
  const app = marker >= markers.APP0 && marker <= markers.APP15 ? marker - markers.APP0 : -1;
  const name = app >= 0 ? `APP${app}` : marker === markers.COM ? 'COM' : `0xFF${hex(marker)}`;
  const printableId = payloadHead.toString('latin1', 0, Math.max(0, payloadHead.indexOf(0) === -1 ? Math.min(16, payloadHead.length) : Math.min(payloadHead.indexOf(0), 32))).replace(/[^\x20-\x7e]/g, '?');
  const make = (kind: SegmentClass['kind'], label: string, identifierLength = 0): SegmentClass => ({ kind, where: label ? `${name}/${label}` : name, identifierLength, identifier: printableId });
  if (marker === markers.COM) return make('comment', '');
  if (app < 0) return make('image', '');
  switch (app) {
    case 0:
      if (startsWith(identifiers.jfif)) return make('jfif', 'JFIF', identifiers.jfif.length);
      if (startsWith(identifiers.jfxx)) return make('thumbnail', 'JFXX', identifiers.jfxx.length);
      break;
    case 1:
      // Some writers use "Exif\0\xff" instead of "Exif\0\0"; both are Exif.
      if (startsWith(identifiers.exif)) return make('exif', 'Exif', 6);
      if (startsWith(identifiers.xmp)) return make('xmp', 'XMP', identifiers.xmp.length);
      if (startsWith(identifiers.xmpExtended)) return make('xmp-extended', 'ExtendedXMP', identifiers.xmpExtended.length);
      break;
    case 2:
      if (startsWith(identifiers.icc)) return make('icc', 'ICC_PROFILE', identifiers.icc.length);
      if (startsWith(identifiers.mpf)) return make('mpf', 'MPF', identifiers.mpf.length);
      if (startsWith(identifiers.flashPix)) return make('flashpix', 'FlashPix', identifiers.flashPix.length);
      break;
    case 13:
      if (startsWith(identifiers.photoshop)) return make('photoshop', 'Photoshop', identifiers.photoshop.length);
      break;
    case 14:
      if (startsWith(identifiers.adobe)) return make('adobe', 'Adobe', identifiers.adobe.length);
      break;
  }
  return make('vendor', printableId || 'unknown');
}

/** Segment kinds a full clean keeps: the decoder needs them, or they change how colours decode. */
export const keptKinds: ReadonlySet<SegmentClass['kind']> = new Set(['image', 'jfif', 'adobe', 'icc']);
