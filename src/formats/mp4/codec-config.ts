/**
 * The defined length of the codec configurations and display properties a sample entry keeps:
 * the bytes their fields take. What follows inside the box is slack that no decoder reads, and is
 * written as zeros (the box keeps its size, so nothing moves).
 *
 * References: ISO/IEC 14496-15 §5.3.2.1 (avcC, with the High-profile extension), §8.3.2.1 (hvcC);
 * ISO/IEC 14496-14 §3.1.2 (esds: one ES_Descriptor); ISO/IEC 14496-12 §12.1.4 (pasp, clap), §12.1.5
 * (colr: nclx 7 bytes of fields, prof an ICC profile), §8.5.2.2 (btrt); Apple QuickTime File Format
 * (fiel, gama, colr nclc); SMPTE ST 2086/CTA-861.3 as boxed by ISO/IEC 23001-8 (mdcv, clli);
 * Opus-in-ISOBMFF §4.3.2 (dOps); VP-codec-ISOBMFF (vpcC v1); ETSI TS 102 366 Annex F (dac3);
 * Google Spherical Video V2 (st3d); Apple HDR (CoLL, SmDm).
 */
import { descriptorEnd } from '../isobmff/descriptor.js';

const fixedLengths: Record<string, number> = {
  pasp: 8,
  btrt: 12,
  fiel: 2,
  gama: 4,
  clli: 4,
  mdcv: 24,
  CoLL: 8,
  SmDm: 24,
  st3d: 5,
  dac3: 3,
  clap: 32,
};

function avcC(payload: Buffer): number | undefined {
  if (payload.length < 6) return undefined;
  let at = 6;
  const sets = (count: number): boolean => {
    for (let index = 0; index < count; index++) {
      if (at + 2 > payload.length) return false;
      at += 2 + payload.readUInt16BE(at);
      if (at > payload.length) return false;
    }
    return true;
  };
  if (!sets(payload[5]! & 0x1f)) return undefined;
  if (at + 1 > payload.length) return undefined;
  const pictureSets = payload[at++]!;
  if (!sets(pictureSets)) return undefined;
  // High profiles may carry chroma format, bit depths and SPS extensions (4 bytes, then the sets).
  // Many writers leave them out; they are there only when their reserved bits are (6, 5 and 5 bits
  // of ones) and the sets they count fit. Otherwise the record ends before them, and what follows
  // is slack — never decoder data kept whole because it did not parse.
  if ([100, 110, 122, 144].includes(payload[1]!) && at + 4 <= payload.length && hasHighProfileFields(payload, at)) {
    const end = at;
    const extensions = payload[at + 3]!;
    at += 4;
    if (!sets(extensions)) return end;
  }
  return at;
}

/** Whether the 4 bytes at `at` have the reserved bits of avcC's High-profile fields (ISO/IEC 14496-15 §5.3.2.1.2). */
function hasHighProfileFields(payload: Buffer, at: number): boolean {
  return (payload[at]! & 0xfc) === 0xfc && (payload[at + 1]! & 0xf8) === 0xf8 && (payload[at + 2]! & 0xf8) === 0xf8;
}

function hvcC(payload: Buffer): number | undefined {
  if (payload.length < 23) return undefined;
  let at = 23;
  for (let array = 0; array < payload[22]!; array++) {
    if (at + 3 > payload.length) return undefined;
    const count = payload.readUInt16BE(at + 1);
    at += 3;
    for (let index = 0; index < count; index++) {
      if (at + 2 > payload.length) return undefined;
      at += 2 + payload.readUInt16BE(at);
      if (at > payload.length) return undefined;
    }
  }
  return at;
}

/**
 * Payload bytes the fields of a kept sample-entry child take, or undefined when traceless does not
 * know its layout (or cannot read it): then the box is kept whole, as decoder data.
 */
export function codecConfigurationLength(type: string, payload: Buffer): number | undefined {
  const fixed = fixedLengths[type];
  if (fixed !== undefined) return payload.length >= fixed ? fixed : undefined;
  switch (type) {
    case 'avcC':
      return avcC(payload);
    case 'hvcC':
      return hvcC(payload);
    case 'esds':
      return payload.length > 4 && payload[4] === 0x03 ? descriptorEnd(payload, 4) : undefined;
    case 'dOps': {
      if (payload.length < 11) return undefined;
      const length = payload[10] === 0 ? 11 : 13 + payload[1]!;
      return payload.length >= length ? length : undefined;
    }
    case 'vpcC': {
      if (payload.length < 14 || payload[0] !== 1) return undefined;
      const length = 14 + payload.readUInt16BE(12);
      return payload.length >= length ? length : undefined;
    }
    case 'colr': {
      const kind = payload.toString('latin1', 0, 4);
      const length = kind === 'nclx' ? 11 : kind === 'nclc' ? 10 : undefined;
      return length !== undefined && payload.length >= length ? length : undefined;
    }
    default:
      return undefined;
  }
}

/** Types whose layout `codecConfigurationLength` knows: one of them that does not read is not decoder data. */
const layoutTypes: ReadonlySet<string> = new Set([...Object.keys(fixedLengths), 'avcC', 'hvcC', 'esds', 'dOps', 'vpcC', 'colr']);

export function hasKnownLayout(type: string): boolean {
  return layoutTypes.has(type);
}

/** Decoder configurations among them (the samples cannot be decoded without one), as opposed to display properties. */
const decoderConfigurations: ReadonlySet<string> = new Set(['avcC', 'hvcC', 'esds', 'dOps', 'vpcC', 'dac3']);

export function decodesSamples(type: string): boolean {
  return decoderConfigurations.has(type);
}

/** `colr` kinds that carry an ICC profile (re-written by decode/icc). */
export function colourProfileKind(payload: Buffer): boolean {
  const kind = payload.toString('latin1', 0, 4);
  return kind === 'prof' || kind === 'rICC';
}
