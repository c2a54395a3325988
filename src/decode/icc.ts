/**
 * ICC colour profiles: recognise the well-known standard ones, re-write every other one from its
 * parsed fields, and report what a profile carries.
 * References: ICC.1:2010 (profile version 4.3) §7 "Profile structure" (header §7.2, tag table
 * §7.3), §9 "Tag definitions", §10 "Tag type definitions"; ICC.1:2001-04 (version 2) for the v2
 * `textDescriptionType`; ICC.1:2022 annex B.4 for JPEG APP2 `ICC_PROFILE` chunks.
 *
 * Why re-write: a profile is copied into the output because colours would display wrong without
 * it, but its header and text tags are free-form (a creation date, a device manufacturer/model,
 * a description naming a monitor or a person), and a crafted one can hide anything in gaps
 * between tags, private tags or trailing bytes. So only colour data (the tags a colour engine
 * reads) is kept, re-laid out by us with no slack; text becomes a neutral value.
 */
import { TracelessError, checkCount, checkRange } from '../errors.js';
import type { Finding } from '../types.js';
// SHA-256 in JavaScript (@noble/hashes, audited): Node's crypto module costs a one-photo scan 6-7 ms to load, for one hash of a few KB.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Header layout (ICC.1:2010 §7.2), as byte offsets into the profile. */
const header = {
  size: 0,
  preferredCmm: 4,
  version: 8,
  deviceClass: 12,
  colourSpace: 16,
  connectionSpace: 20,
  creationDate: 24,
  signature: 36,
  primaryPlatform: 40,
  flags: 44,
  deviceManufacturer: 48,
  deviceModel: 52,
  deviceAttributes: 56,
  renderingIntent: 64,
  illuminant: 68,
  creator: 80,
  profileId: 84,
  reserved: 100,
  length: 128,
} as const;

const profileSignature = 'acsp';
const tagCountLength = 4;
const tagEntryLength = 12;
/** Real profiles hold under 50 tags; a count past this is not a colour profile we will walk. */
export const maxIccTagCount = 1024;
/** Flag bits 0–1 (embedded, not independent) are the ICC's; bits 16–31 are vendor-private. */
const iccFlagMask = 0x0000_0003;

/**
 * Well-known standard profiles, by the SHA-256 of their exact bytes, computed from profiles
 * embedded by phones, cameras and editors in the real-file corpus (../shared/corpus). A profile is
 * kept untouched only when every byte matches: a crafted profile can claim any name in `desc`.
 */
const standardProfiles: ReadonlyMap<string, string> = new Map([
  ['2b3aa1645779a9e634744faf9b01e9102b0c9b88fd6deced7934df86b949af7e', 'sRGB IEC61966-2.1 (HP, v2)'],
  ['3f6d674174f3804eb0dabdac90ae17486e898c5063a66f861c116ea033da8301', 'sRGB IEC61966-2.1 (HP, v2, perceptual intent)'],
  ['33c34ecfeb998459e0075ba26a0f1ea5042e20e2419c5962e495eba3208576f2', 'sRGB IEC61966-2.1 (Google, v4)'],
  ['e468e89239fc0493d5e8fb9b014e91b210c6caa73c81edf04c3d21a734f377cc', 'Display P3 (Apple)'],
  ['7e1c7ec53e8ea35fed3e169dee62115ac045f26c7bc256fab16a5c26c29eacbd', 'Display P3 (Apple)'],
  ['20789fdbea9835251a4f0796c8bf45cbd964896044886540da21ffc7457af0ab', 'Display P3 (Apple)'],
  ['e5f6ffb83b6d3491301dd750975684cc5cc2a1951c994a14b08cfdaa0d75a041', 'Adobe RGB (1998)'],
  ['0a8ef7d1d958d98225b3b71d93d9e8e3cecd9c302e014973d025d2a977ecf27c', 'ProPhoto RGB (Kodak)'],
  ['c65aa46e6499e788132cd2b9d0ce936e8903e32903e5c25a1aaef7230dff71e2', 'Apple RGB (Adobe)'],
]);

/** Their sizes in bytes: a profile of any other size is not one of them, and is not hashed. */
const standardProfileSizes: ReadonlySet<number> = new Set([3144, 3144, 596, 548, 548, 536, 560, 940, 552]);

/** The name of a well-known standard profile these exact bytes are, or null. */
export function standardProfileName(profile: Buffer): string | null {
  if (!standardProfileSizes.has(profile.length)) return null;
  return standardProfiles.get(bytesToHex(sha256(profile))) ?? null;
}

/**
 * Tags a colour engine reads, with the tag types each may hold. Kept as colour data (re-laid out,
 * bytes past the type's defined fields dropped or zeroed).
 */
const colourTypes = {
  xyz: ['XYZ '],
  curve: ['curv', 'para'],
  lut: ['mft1', 'mft2', 'mAB ', 'mBA '],
  floatLut: ['mpet'],
  signature: ['sig '],
} as const;

const colourTags: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ...['wtpt', 'bkpt', 'rXYZ', 'gXYZ', 'bXYZ', 'lumi'].map((tag) => [tag, colourTypes.xyz] as const),
  ...['rTRC', 'gTRC', 'bTRC', 'kTRC'].map((tag) => [tag, colourTypes.curve] as const),
  ...['A2B0', 'A2B1', 'A2B2', 'B2A0', 'B2A1', 'B2A2', 'gamt', 'pre0', 'pre1', 'pre2'].map((tag) => [tag, colourTypes.lut] as const),
  ...['D2B0', 'D2B1', 'D2B2', 'D2B3', 'B2D0', 'B2D1', 'B2D2', 'B2D3'].map((tag) => [tag, colourTypes.floatLut] as const),
  ...['rig0', 'rig2', 'ciis'].map((tag) => [tag, colourTypes.signature] as const),
  ['chad', ['sf32']],
  ['chrm', ['chrm']],
  ['clro', ['clro']],
  ['clrt', ['clrt']],
  ['clot', ['clrt']],
  ['meas', ['meas']],
  ['view', ['view']],
  ['cicp', ['cicp']],
]);

/** Text tags replaced by a neutral value (required by the specification, so not dropped). */
const neutralText: ReadonlyMap<string, string> = new Map([
  ['desc', 'ICC profile'],
  ['cprt', 'No copyright information'],
]);

/** Text tags that are reported (their value is what a profile tells about its maker). */
const reportedTextTags: ReadonlyMap<string, { label: string; category: Finding['category'] }> = new Map([
  ['desc', { label: 'Colour profile description', category: 'other' }],
  ['cprt', { label: 'Colour profile copyright', category: 'other' }],
  // The profile's own fields are written by whoever made the profile (usually a software or monitor
  // vendor), not by the camera: reported as other data (low), re-written by clean all the same.
  ['dmnd', { label: 'Colour profile device manufacturer', category: 'other' }],
  ['dmdd', { label: 'Colour profile device model', category: 'other' }],
  ['vued', { label: 'Colour profile viewing conditions', category: 'other' }],
  ['targ', { label: 'Colour profile characterisation target', category: 'other' }],
  ['dscm', { label: 'Colour profile description (Apple)', category: 'other' }],
]);

export interface IccSanitised {
  /** The profile to write: the input itself when standard, else the re-written profile. */
  profile: Buffer;
  /** The standard profile's name when kept as is, else null. */
  standard: string | null;
  /** What the re-write removed or neutralised, in a few words each. */
  removed: string[];
  /** What the input profile carried (description, copyright, device, creation date). */
  findings: Finding[];
}

interface TagEntry {
  signature: string;
  offset: number;
  size: number;
}

/**
 * Keeps a well-known standard profile as it is; re-writes any other from its parsed fields (see
 * the module comment). Throws TRUNCATED/MALFORMED/LIMIT_EXCEEDED for a profile that cannot be read.
 */
export function sanitiseIccProfile(profile: Buffer, where = 'ICC', options: { compact?: boolean } = {}): IccSanitised {
  const key = memoKey(profile, where, options.compact === true);
  const cached = key === undefined ? undefined : recentSanitised.get(key);
  if (cached) {
    // Copies: callers own what they get (and a standard profile is the caller's own bytes).
    return { profile: cached.standard !== null ? profile : Buffer.from(cached.profile), standard: cached.standard, removed: [...cached.removed], findings: cached.findings.map((finding) => ({ ...finding })) };
  }
  const sanitised = sanitiseUncached(profile, where, options);
  if (key !== undefined) remember(recentSanitised, key, { ...sanitised, profile: sanitised.standard !== null ? Buffer.alloc(0) : Buffer.from(sanitised.profile), removed: [...sanitised.removed], findings: sanitised.findings.map((finding) => ({ ...finding })) });
  return sanitised;
}

/**
 * The last few results by the profile's exact bytes (with the other arguments): the same profile
 * comes in every photo of a folder (a phone's Display P3), and a clean reads it four times (the
 * plan, the plan's verification of its own output, the inspections of input and output). Both
 * functions are pure in their arguments; the hash and the tag walk are what is saved.
 */
const recentSanitised = new Map<string, IccSanitised>();
const recentInspected = new Map<string, { standard: string | null; findings: Finding[] }>();
const maxRecentProfiles = 4;
/** Larger profiles (printer profiles of megabytes) are read each time: the cache stays small. */
const maxCachedProfileBytes = 64 * 1024;

function memoKey(profile: Buffer, where: string, compact: boolean): string | undefined {
  if (profile.length > maxCachedProfileBytes) return undefined;
  return `${compact ? 'c' : 'n'}${where}\0${profile.toString('latin1')}`;
}

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= maxRecentProfiles) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

function sanitiseUncached(profile: Buffer, where: string, options: { compact?: boolean }): IccSanitised {
  const { standard, findings } = inspectIccProfile(profile, where);
  if (standard !== null) return { profile, standard, removed: [], findings };
  const declaredSize = profile.readUInt32BE(header.size);
  const body = profile.subarray(0, declaredSize);
  const removed: string[] = [];
  if (profile.length > declaredSize) removed.push(`${profile.length - declaredSize} bytes after the profile's end`);
  const rewritten = rewriteProfile(body, removed, options.compact === true);
  return { profile: rewritten, standard: null, removed, findings };
}

/**
 * What a profile carries, for `scan`, without re-writing it: the standard's name when it is one
 * (its findings then marked retained, as the profile is kept as is), else what the re-write removes.
 */
export function inspectIccProfile(profile: Buffer, where = 'ICC'): { standard: string | null; findings: Finding[] } {
  const key = memoKey(profile, where, false);
  const cached = key === undefined ? undefined : recentInspected.get(key);
  if (cached) return { standard: cached.standard, findings: cached.findings.map((finding) => ({ ...finding })) };
  const inspected = inspectUncached(profile, where);
  if (key !== undefined) remember(recentInspected, key, { standard: inspected.standard, findings: inspected.findings.map((finding) => ({ ...finding })) });
  return inspected;
}

function inspectUncached(profile: Buffer, where: string): { standard: string | null; findings: Finding[] } {
  const declaredSize = readHeaderSize(profile);
  const findings = describeProfile(profile.subarray(0, declaredSize), where);
  const standard = declaredSize === profile.length ? standardProfileName(profile) : null;
  return { standard, findings: standard === null ? findings : findings.map((finding) => ({ ...finding, retained: true })) };
}

function readHeaderSize(profile: Buffer): number {
  if (profile.length < header.length + tagCountLength) {
    throw new TracelessError('TRUNCATED', `ICC profile of ${profile.length} bytes is shorter than its ${header.length}-byte header and tag count`);
  }
  if (profile.toString('latin1', header.signature, header.signature + 4) !== profileSignature) {
    throw new TracelessError('MALFORMED', `ICC profile lacks the '${profileSignature}' signature`);
  }
  const declaredSize = profile.readUInt32BE(header.size);
  if (declaredSize < header.length + tagCountLength) throw new TracelessError('MALFORMED', `ICC profile declares a size of ${declaredSize} bytes, smaller than its header`);
  checkRange(0, declaredSize, profile.length, 'ICC profile');
  return declaredSize;
}

function readTagTable(body: Buffer): TagEntry[] {
  const count = body.readUInt32BE(header.length);
  checkCount(count, maxIccTagCount, 'ICC tag count');
  const tableEnd = header.length + tagCountLength + count * tagEntryLength;
  checkRange(0, tableEnd, body.length, 'ICC tag table');
  const tags: TagEntry[] = [];
  for (let index = 0; index < count; index++) {
    const entry = header.length + tagCountLength + index * tagEntryLength;
    const tag: TagEntry = { signature: body.toString('latin1', entry, entry + 4), offset: body.readUInt32BE(entry + 4), size: body.readUInt32BE(entry + 8) };
    checkRange(tag.offset, tag.size, body.length, `ICC tag '${printable(tag.signature)}'`);
    if (tag.offset < tableEnd) throw new TracelessError('MALFORMED', `ICC tag '${printable(tag.signature)}' overlaps the profile header or tag table`);
    tags.push(tag);
  }
  return tags;
}

/**
 * `compact`: the neutral texts are empty, so the re-written profile is never longer than a profile
 * with the same tags — for containers that must write it in the place of the original (TIFF).
 */
function rewriteProfile(body: Buffer, removed: string[], compact: boolean): Buffer {
  const tags = readTagTable(body);
  const seen = new Set<string>();
  const kept: { signature: string; data: Buffer; shareKey?: string }[] = [];
  for (const tag of tags) {
    const name = printable(tag.signature);
    if (seen.has(tag.signature)) {
      removed.push(`duplicate tag '${name}'`);
      continue;
    }
    seen.add(tag.signature);
    const data = body.subarray(tag.offset, tag.offset + tag.size);
    const allowedTypes = colourTags.get(tag.signature);
    if (allowedTypes) {
      const type = data.length >= 8 ? data.toString('latin1', 0, 4) : '';
      if (!allowedTypes.includes(type)) {
        removed.push(`tag '${name}' (type '${printable(type)}' is not colour data this tag may hold)`);
        continue;
      }
      const colourData = trimColourData(data, type);
      if (colourData === undefined) {
        removed.push(`tag '${name}' (its '${printable(type)}' data is cut short or unreadable)`);
        continue;
      }
      kept.push({ signature: tag.signature, data: colourData, shareKey: `${tag.offset}:${tag.size}` });
      continue;
    }
    const neutral = neutralText.get(tag.signature);
    if (neutral !== undefined) {
      const existing = readIccText(data);
      // An already neutral text (a profile traceless wrote, also the empty text of a compact one) is
      // kept as it is and is not a removal: cleaning is idempotent.
      const text = existing === '' ? '' : compact ? '' : neutral;
      kept.push({ signature: tag.signature, data: encodeText(text, body.readUInt8(header.version), data) });
      if (existing !== text) removed.push(`text of tag '${name}' (replaced by "${text}")`);
      continue;
    }
    removed.push(`tag '${name}'`);
  }
  return layOut(body, kept);
}

/** Writes the header (device fields neutral) and the kept tags, each 4-byte aligned, no gaps. */
function layOut(body: Buffer, kept: { signature: string; data: Buffer; shareKey?: string }[]): Buffer {
  const tableLength = tagCountLength + kept.length * tagEntryLength;
  const parts: Buffer[] = [];
  const table = Buffer.alloc(tableLength);
  table.writeUInt32BE(kept.length, 0);
  const shared = new Map<string, { offset: number; size: number }>();
  let offset = header.length + tableLength;
  kept.forEach((tag, index) => {
    let placed = tag.shareKey === undefined ? undefined : shared.get(tag.shareKey);
    if (placed === undefined) {
      placed = { offset, size: tag.data.length };
      const padding = (4 - (tag.data.length % 4)) % 4;
      parts.push(tag.data, Buffer.alloc(padding));
      offset += tag.data.length + padding;
      if (tag.shareKey !== undefined) shared.set(tag.shareKey, placed);
    }
    const entry = tagCountLength + index * tagEntryLength;
    table.write(tag.signature, entry, 4, 'latin1');
    table.writeUInt32BE(placed.offset, entry + 4);
    table.writeUInt32BE(placed.size, entry + 8);
  });
  const head = Buffer.alloc(header.length);
  // Kept: version, device class, colour spaces, rendering intent and illuminant (they change how
  // colours convert). Zero (ICC: "not specified"): CMM, platform, device, creator, date, profile ID.
  body.copy(head, header.version, header.version, header.creationDate);
  head.write(profileSignature, header.signature, 4, 'latin1');
  head.writeUInt32BE(body.readUInt32BE(header.flags) & iccFlagMask, header.flags);
  body.copy(head, header.renderingIntent, header.renderingIntent, header.creator);
  head.writeUInt32BE(offset, header.size);
  return Buffer.concat([head, table, ...parts], offset);
}

/**
 * The tag's colour data up to the end of its type's defined fields; bytes no field covers inside
 * a lookup table (padding between its elements) are zeroed. Undefined when the data is too short
 * for its own fields (the tag is then dropped: no engine could read it).
 */
function trimColourData(data: Buffer, type: string): Buffer | undefined {
  try {
    const covered = coveredRanges(data, type);
    const end = Math.max(...covered.map(([start, length]) => start + length));
    const out = Buffer.alloc(end);
    for (const [start, length] of covered) data.copy(out, start, start, start + length);
    if (type === 'clrt') blankColorantNames(out);
    return out;
  } catch (error) {
    if (error instanceof TracelessError) return undefined;
    throw error;
  }
}

type Range = [start: number, length: number];

/** The byte ranges of `data` (a tag of type `type`) that the type's fields define. */
function coveredRanges(data: Buffer, type: string): Range[] {
  const need = (length: number): Range => {
    checkRange(0, length, data.length, `ICC '${type}' data`);
    return [0, length];
  };
  switch (type) {
    // Every XYZ tag kept (wtpt, bkpt, rXYZ, gXYZ, bXYZ, lumi) holds exactly one XYZNumber, and
    // chad exactly one 3×3 matrix (ICC.1:2010 §9.2): more values would be slack.
    case 'XYZ ':
      return [need(8 + 12)];
    case 'sf32':
      return [need(8 + 9 * 4)];
    case 'curv':
    case 'para':
      return [[0, curveLength(data, 0)]];
    case 'sig ':
      return [need(12)];
    case 'cicp':
      return [need(12)];
    case 'meas':
    case 'view':
      return [need(36)];
    case 'chrm':
      need(12);
      return [need(12 + 8 * data.readUInt16BE(8))];
    case 'clro':
      need(12);
      return [need(12 + data.readUInt32BE(8))];
    case 'clrt':
      need(12);
      return [need(12 + 38 * data.readUInt32BE(8))];
    case 'mft1':
    case 'mft2':
      return [need(legacyLutLength(data, type))];
    case 'mAB ':
    case 'mBA ':
      return lutAbRanges(data, type);
    case 'mpet':
      return multiProcessRanges(data);
    default:
      throw new TracelessError('MALFORMED', `ICC tag type '${printable(type)}' is not colour data`);
  }
}

/** Parameter counts of `para` function types 0–4 (ICC.1:2010 table 65). */
const parametricCounts = [1, 3, 4, 5, 7];

/** Length of a `curv` or `para` element at `start`, without its alignment padding. */
function curveLength(data: Buffer, start: number): number {
  checkRange(start, 12, data.length, 'ICC curve');
  const type = data.toString('latin1', start, start + 4);
  let length: number;
  if (type === 'curv') length = 12 + 2 * data.readUInt32BE(start + 8);
  else if (type === 'para') {
    const count = parametricCounts[data.readUInt16BE(start + 8)];
    if (count === undefined) throw new TracelessError('MALFORMED', 'ICC parametric curve has an unknown function type');
    length = 12 + 4 * count;
  } else throw new TracelessError('MALFORMED', `ICC curve has type '${printable(type)}'`);
  checkRange(start, length, data.length, 'ICC curve');
  return length;
}

function legacyLutLength(data: Buffer, type: 'mft1' | 'mft2'): number {
  const inputs = readByte(data, 8);
  const outputs = readByte(data, 9);
  const gridPoints = readByte(data, 10);
  const clutEntries = gridPoints ** inputs * outputs;
  if (type === 'mft1') return 48 + 256 * inputs + clutEntries + 256 * outputs;
  checkRange(0, 52, data.length, 'ICC mft2 data');
  const inputEntries = data.readUInt16BE(48);
  const outputEntries = data.readUInt16BE(50);
  return 52 + 2 * (inputEntries * inputs + clutEntries + outputEntries * outputs);
}

/** `lutAToBType`/`lutBToAType` (ICC.1:2010 §10.10, §10.11): elements found through offsets. */
function lutAbRanges(data: Buffer, type: 'mAB ' | 'mBA '): Range[] {
  checkRange(0, 32, data.length, `ICC ${type} data`);
  const inputs = readByte(data, 8);
  const outputs = readByte(data, 9);
  const [bOffset, matrixOffset, mOffset, clutOffset, aOffset] = [12, 16, 20, 24, 28].map((at) => data.readUInt32BE(at));
  const ranges: Range[] = [[0, 32]];
  const curves = (offset: number, count: number) => {
    let at = offset;
    for (let index = 0; index < count; index++) {
      const length = curveLength(data, at);
      ranges.push([at, length]);
      at += length + ((4 - (length % 4)) % 4);
    }
  };
  // B curves sit on the PCS side: outputs of mAB, inputs of mBA; A curves on the device side.
  const [pcsChannels, deviceChannels] = type === 'mAB ' ? [outputs, inputs] : [inputs, outputs];
  if (bOffset) curves(bOffset!, pcsChannels);
  if (matrixOffset) {
    checkRange(matrixOffset!, 48, data.length, 'ICC matrix');
    ranges.push([matrixOffset!, 48]);
  }
  if (mOffset) curves(mOffset!, pcsChannels);
  if (aOffset) curves(aOffset!, deviceChannels);
  if (clutOffset) {
    checkRange(clutOffset!, 20, data.length, 'ICC colour lookup table');
    let entries = inputs > 16 ? Number.POSITIVE_INFINITY : outputs;
    for (let index = 0; index < inputs; index++) entries *= data[clutOffset! + index]!;
    const precision = readByte(data, clutOffset! + 16);
    if (precision !== 1 && precision !== 2) throw new TracelessError('MALFORMED', 'ICC colour lookup table precision is neither 1 nor 2 bytes');
    ranges.push([clutOffset!, 17]);
    const tableLength = entries * precision;
    checkRange(clutOffset! + 20, tableLength, data.length, 'ICC colour lookup table');
    ranges.push([clutOffset! + 20, tableLength]);
  }
  return ranges;
}

/**
 * `multiProcessElementsType` (ICC.1:2010 §10.14): header, position table, then each element —
 * a matrix (`matf`) or lookup table (`clut`) to its defined end, a curve set (`cvst`) as its own
 * header, position table and curves. Any other element type makes the tag unreadable here.
 */
function multiProcessRanges(data: Buffer): Range[] {
  checkRange(0, 16, data.length, 'ICC mpet data');
  const count = data.readUInt32BE(12);
  checkCount(count, maxIccTagCount, 'ICC processing element count');
  const tableEnd = 16 + 8 * count;
  checkRange(0, tableEnd, data.length, 'ICC mpet position table');
  const ranges: Range[] = [[0, tableEnd]];
  for (let index = 0; index < count; index++) {
    const offset = data.readUInt32BE(16 + 8 * index);
    const size = data.readUInt32BE(20 + 8 * index);
    checkRange(offset, size, data.length, 'ICC processing element');
    ranges.push(...processingElementRanges(data.subarray(offset, offset + size)).map(([start, length]): Range => [offset + start, length]));
  }
  return ranges;
}

const float32Bytes = 4;

function processingElementRanges(element: Buffer): Range[] {
  checkRange(0, 12, element.length, 'ICC processing element');
  const type = element.toString('latin1', 0, 4);
  const inputs = element.readUInt16BE(8);
  const outputs = element.readUInt16BE(10);
  const need = (length: number): Range[] => {
    checkRange(0, length, element.length, `ICC '${printable(type)}' element`);
    return [[0, length]];
  };
  if (type === 'matf') return need(12 + float32Bytes * (inputs * outputs + outputs));
  if (type === 'clut') {
    checkRange(0, 28, element.length, 'ICC clut element');
    let entries = inputs > 16 ? Number.POSITIVE_INFINITY : outputs;
    for (let index = 0; index < inputs; index++) entries *= element[12 + index]!;
    return need(28 + float32Bytes * entries);
  }
  if (type === 'cvst') {
    checkCount(inputs, maxIccTagCount, 'ICC curve set size');
    const tableEnd = 12 + 8 * inputs;
    checkRange(0, tableEnd, element.length, 'ICC curve set');
    const ranges: Range[] = [[0, tableEnd]];
    for (let index = 0; index < inputs; index++) {
      const offset = element.readUInt32BE(12 + 8 * index);
      const size = element.readUInt32BE(16 + 8 * index);
      checkRange(offset, size, element.length, 'ICC curve set curve');
      ranges.push([offset, size]);
    }
    return ranges;
  }
  throw new TracelessError('MALFORMED', `ICC processing element '${printable(type)}' is not one traceless can check`);
}

/** Colorant names (32 bytes each, text) are not colour data: emptied. */
function blankColorantNames(clrt: Buffer): void {
  const count = clrt.readUInt32BE(8);
  for (let index = 0; index < count; index++) clrt.fill(0, 12 + 38 * index, 12 + 38 * index + 32);
}

function readByte(data: Buffer, at: number): number {
  checkRange(at, 1, data.length, 'ICC tag data');
  return data[at]!;
}

/** A neutral text in the type the tag had (or the one its profile version expects). */
function encodeText(text: string, majorVersion: number, original: Buffer): Buffer {
  const originalType = original.length >= 4 ? original.toString('latin1', 0, 4) : '';
  const type = ['desc', 'mluc', 'text'].includes(originalType) ? originalType : majorVersion >= 4 ? 'mluc' : 'desc';
  if (type === 'mluc') {
    const utf16 = Buffer.from(text, 'utf16le').swap16();
    const out = Buffer.alloc(28 + utf16.length);
    out.write('mluc', 0, 'latin1');
    out.writeUInt32BE(1, 8); // one record
    out.writeUInt32BE(12, 12); // record size
    out.write('enUS', 16, 'latin1');
    out.writeUInt32BE(utf16.length, 20);
    out.writeUInt32BE(28, 24);
    utf16.copy(out, 28);
    return out;
  }
  const ascii = Buffer.from(`${text}\0`, 'latin1');
  if (type === 'text') return Buffer.concat([Buffer.from('text\0\0\0\0', 'latin1'), ascii]);
  // textDescriptionType: ASCII count + text, then empty Unicode and ScriptCode parts (67 bytes).
  const out = Buffer.alloc(12 + ascii.length + 4 + 4 + 2 + 1 + 67);
  out.write('desc', 0, 'latin1');
  out.writeUInt32BE(ascii.length, 8);
  ascii.copy(out, 12);
  return out;
}

/** Reads the text of a `desc`, `mluc` or `text` tag (first record of `mluc`), or undefined. */
export function readIccText(data: Buffer): string | undefined {
  if (data.length < 12) return undefined;
  const type = data.toString('latin1', 0, 4);
  let text: string | undefined;
  if (type === 'text') text = data.toString('latin1', 8);
  else if (type === 'desc') {
    const count = data.readUInt32BE(8);
    if (12 + count > data.length) return undefined;
    text = data.toString('latin1', 12, 12 + count);
  } else if (type === 'mluc') {
    if (data.length < 28 || data.readUInt32BE(8) < 1) return undefined;
    const length = data.readUInt32BE(20);
    const offset = data.readUInt32BE(24);
    if (offset + length > data.length) return undefined;
    text = Buffer.from(data.subarray(offset, offset + (length & ~1))).swap16().toString('utf16le');
  }
  const cleaned = text?.replace(/\0[\s\S]*$/, '').trim();
  return cleaned ? cleaned : undefined;
}

/** Findings for what a profile carries: text tags, device and creator signatures, creation date. */
function describeProfile(body: Buffer, where: string): Finding[] {
  const findings: Finding[] = [];
  const push = (category: Finding['category'], tag: string, label: string, text: string) => findings.push({ category, where, tag, label, meaning: 'colour-profile', value: text, text });
  for (const tag of readTagTable(body)) {
    const info = reportedTextTags.get(tag.signature);
    if (!info) continue;
    const text = readIccText(body.subarray(tag.offset, tag.offset + tag.size));
    if (text !== undefined && text !== '' && text !== neutralText.get(tag.signature)) push(info.category, `ICC:${tag.signature}`, info.label, text);
  }
  const signatureFields: [number, string, string, Finding['category']][] = [
    [header.deviceManufacturer, 'ICC:DeviceManufacturer', 'Colour profile device manufacturer', 'other'],
    [header.deviceModel, 'ICC:DeviceModel', 'Colour profile device model', 'other'],
    [header.creator, 'ICC:ProfileCreator', 'Colour profile creator', 'other'],
  ];
  for (const [at, tag, label, category] of signatureFields) {
    const value = body.readUInt32BE(at);
    if (value !== 0) push(category, tag, label, printable(body.toString('latin1', at, at + 4)).trim());
  }
  const date = [0, 1, 2, 3, 4, 5].map((index) => body.readUInt16BE(header.creationDate + 2 * index));
  if (date.some((part) => part !== 0)) {
    const pad = (value: number, width = 2) => String(value).padStart(width, '0');
    push('other', 'ICC:ProfileDateTime', 'Colour profile created', `${pad(date[0]!, 4)}-${pad(date[1]!)}-${pad(date[2]!)}T${pad(date[3]!)}:${pad(date[4]!)}:${pad(date[5]!)}`);
  }
  return findings;
}

function printable(signature: string): string {
  return signature.replace(/[^\x20-\x7e]/g, '?');
}

/** One JPEG APP2 `ICC_PROFILE` chunk: its 1-based sequence number, the declared total, its bytes. */
export interface IccChunk {
  sequence: number;
  count: number;
  data: Buffer;
}

/**
 * Re-assembles a profile from JPEG APP2 chunks (ICC.1:2022 annex B.4). Each count the chunks
 * declare is tried in the order it first appears; the first that makes a complete sequence wins,
 * each sequence number 1…count taken once, from the first chunk carrying it with that count.
 * Other chunks (sequence 0, past the count, another count, duplicates) are dropped. Throws
 * MALFORMED when no count has all its chunks.
 */
export function assembleIccChunks(chunks: readonly IccChunk[]): Buffer {
  const counts = [...new Set(chunks.map((chunk) => chunk.count).filter((count) => count >= 1))];
  if (counts.length === 0) throw new TracelessError('MALFORMED', 'ICC profile chunks: no chunk declares a chunk count');
  let missing = '';
  for (const total of counts) {
    const bySequence = new Map<number, Buffer>();
    for (const chunk of chunks) {
      if (chunk.count !== total || chunk.sequence < 1 || chunk.sequence > total || bySequence.has(chunk.sequence)) continue;
      bySequence.set(chunk.sequence, chunk.data);
    }
    const parts: Buffer[] = [];
    for (let sequence = 1; sequence <= total; sequence++) {
      const part = bySequence.get(sequence);
      if (!part) break;
      parts.push(part);
    }
    if (parts.length === total) return Buffer.concat(parts);
    missing ||= `ICC profile chunk ${parts.length + 1} of ${total} is missing`;
  }
  throw new TracelessError('MALFORMED', missing);
}

/** `ICC_PROFILE\0`, then the 1-based sequence number and the chunk count (one byte each). */
const app2Identifier = Buffer.from('ICC_PROFILE\0', 'latin1');
/** A JPEG segment holds 65,535 bytes with its 2-byte length: 65,519 are left for profile data. */
export const maxIccBytesPerApp2 = 0xffff - 2 - app2Identifier.length - 2;
const maxApp2Chunks = 255;

/**
 * Splits a profile into APP2 payloads (identifier, sequence, count, data; without the marker
 * and length), the inverse of `assembleIccChunks`. Throws LIMIT_EXCEEDED past 255 chunks.
 */
export function encodeIccChunks(profile: Buffer): Buffer[] {
  const count = Math.max(1, Math.ceil(profile.length / maxIccBytesPerApp2));
  checkCount(count, maxApp2Chunks, 'ICC profile APP2 chunks');
  return Array.from({ length: count }, (_, index) =>
    Buffer.concat([app2Identifier, Buffer.from([index + 1, count]), profile.subarray(index * maxIccBytesPerApp2, (index + 1) * maxIccBytesPerApp2)]),
  );
}
