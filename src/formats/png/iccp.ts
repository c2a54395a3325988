/**
 * The iCCP chunk written again from its fields: a neutral profile name, compression method 0, and
 * the profile itself re-compressed after it was inflated in full, cut to the size its header
 * declares, and cleared of the bytes that no header field or tag points at.
 * References: PNG Specification, Third Edition, section 11.3.3.4 (iCCP);
 * ICC.1:2022 (profile version 4.4), section 7 (header, tag table).
 *
 * What the profile's own tags say (its description, copyright) is kept: that is the colour data's
 * documentation, shown by `scan` as the kept profile.
 */
import { sanitiseIccProfile } from '../../decode/icc.js';
import { asTracelessError } from '../../errors.js';
import { maxInflatedTextBytes } from './text.js';
import { zlib } from '../../io/builtins.js';

const maxKeywordBytes = 79;
const compressionDeflate = 0;
const iccHeaderBytes = 128;
const iccSignatureOffset = 36;
const iccSignature = 'acsp';
const tagCountBytes = 4;
const tagEntryBytes = 12;
/** Header bytes 84..99: the profile ID, an MD5 over the profile; it is cleared when bytes change. */
const profileIdOffset = 84;
const profileIdBytes = 16;

/**
 * Names writers commonly give the profile. Any other name is free text that could carry anything,
 * so it is replaced by the first one.
 */
const neutralNames = ['ICC profile', 'ICC Profile', 'icc', 'ICC', 'Photoshop ICC profile', 'sRGB', 'Embedded Profile'];

export interface IccpRewrite {
  /** The chunk data to write (keyword, NUL, method, compressed profile). */
  data: Buffer;
  name: string;
  profileBytes: number;
  /** What the rewrite left out, in a few words; empty when nothing but the compression changed. */
  dropped: string[];
  /** The input's profile (decompressed, cut to its declared size), for the report. */
  profile: Buffer;
}

/** Checks and re-writes an iCCP chunk's data; returns a reason string when it cannot be kept. */
export function rewriteIccp(data: Buffer): IccpRewrite | string {
  const nul = data.indexOf(0);
  if (nul < 1 || nul > maxKeywordBytes) return 'iCCP profile name is missing or too long';
  if (nul + 2 > data.length || data[nul + 1] !== compressionDeflate) return 'iCCP names a compression method PNG does not define';
  const originalName = data.toString('latin1', 0, nul);
  let inflated: Buffer;
  let consumed: number;
  try {
    const result = zlib().inflateSync(data.subarray(nul + 2), { info: true, maxOutputLength: maxInflatedTextBytes }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    inflated = result.buffer;
    consumed = result.engine.bytesWritten;
  } catch {
    return 'iCCP profile cannot be decompressed';
  }
  const profile = checkedProfile(inflated);
  if (typeof profile === 'string') return profile;
  // Then re-written through decode/icc: a standard profile stays as it is; any other keeps its
  // colour data and loses its text, device fields and dates.
  let sanitised;
  try {
    sanitised = sanitiseIccProfile(profile.bytes, 'iCCP');
  } catch (error) {
    return `iCCP profile cannot be read (${asTracelessError(error).message})`;
  }
  const dropped: string[] = [...sanitised.removed];
  const name = neutralNames.includes(originalName) ? originalName : neutralNames[0]!;
  if (name !== originalName) dropped.push('profile name');
  if (consumed < data.length - nul - 2) dropped.push(`${data.length - nul - 2 - consumed} bytes after the compressed profile`);
  if (profile.trailing > 0) dropped.push(`${profile.trailing} bytes after the profile's declared end`);
  if (profile.cleared > 0) dropped.push(`${profile.cleared} bytes no tag points at`);
  const out = Buffer.concat([Buffer.from(name, 'latin1'), Buffer.from([0, compressionDeflate]), zlib().deflateSync(sanitised.profile)]);
  return { data: out, name, profileBytes: sanitised.profile.length, dropped, profile: profile.bytes };
}

interface CheckedProfile {
  bytes: Buffer;
  trailing: number;
  cleared: number;
}

/** The profile cut to its declared size, with every byte outside the header and tags zeroed. */
function checkedProfile(inflated: Buffer): CheckedProfile | string {
  if (inflated.length < iccHeaderBytes + tagCountBytes) return 'iCCP profile is shorter than an ICC header';
  const declared = inflated.readUInt32BE(0);
  if (declared < iccHeaderBytes + tagCountBytes || declared > inflated.length) return `iCCP profile declares ${declared} bytes but holds ${inflated.length}`;
  if (inflated.toString('latin1', iccSignatureOffset, iccSignatureOffset + 4) !== iccSignature) return 'iCCP data is not an ICC profile (no "acsp" signature)';
  const bytes = Buffer.from(inflated.subarray(0, declared));
  const tagCount = bytes.readUInt32BE(iccHeaderBytes);
  const tableEnd = iccHeaderBytes + tagCountBytes + tagCount * tagEntryBytes;
  if (tableEnd > declared) return `iCCP profile's tag table (${tagCount} tags) runs past its end`;
  const covered = new Uint8Array(declared);
  covered.fill(1, 0, tableEnd);
  for (let index = 0; index < tagCount; index++) {
    const entry = iccHeaderBytes + tagCountBytes + index * tagEntryBytes;
    const offset = bytes.readUInt32BE(entry + 4);
    const size = bytes.readUInt32BE(entry + 8);
    if (offset + size > declared) return `iCCP profile tag ${index} runs past the profile's end`;
    covered.fill(1, offset, offset + size);
  }
  let cleared = 0;
  for (let index = tableEnd; index < declared; index++) {
    if (covered[index] === 0 && bytes[index] !== 0) {
      bytes[index] = 0;
      cleared++;
    }
  }
  // The profile ID is an MD5 of the bytes; once they change it would be wrong, and zero means "not computed".
  if (cleared > 0) bytes.fill(0, profileIdOffset, profileIdOffset + profileIdBytes);
  return { bytes, trailing: inflated.length - declared, cleared };
}
