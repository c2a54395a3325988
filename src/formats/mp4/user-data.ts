/**
 * What the atoms of a `udta` box say. References: Apple QuickTime File Format, "User data atoms"
 * (© text atoms: 16-bit length, 16-bit language, text); 3GPP TS 26.244 §8 (asset boxes such as
 * `titl`, `auth`, `loci`: full box, packed language, UTF-8/UTF-16 string); ExifTool QuickTime tags
 * (GoPro `FIRM`/`LENS`/`CAME`/`GPMF`, Canon, Samsung, Microsoft `Xtra`).
 */
import type { Category, GeoLocation } from '../../types.js';
import { PayloadReader, decodeText, isAllZero, shorten } from './bytes.js';
import { decodeGpmfDevice } from './gpmf.js';
import { parseIso6709 } from './iso6709.js';
import { decodeDataAtom } from './item-list.js';

export interface AtomInfo {
  category: Category;
  label: string;
}

/** Known user-data atoms. Anything else is reported as `other` under its own name. */
export const userDataAtoms: ReadonlyMap<string, AtomInfo> = new Map<string, AtomInfo>([
  ['©xyz', { category: 'location', label: 'GPS coordinates' }],
  ['loci', { category: 'location', label: 'Location information' }],
  ['©mak', { category: 'device', label: 'Camera make' }],
  ['©mod', { category: 'device', label: 'Camera model' }],
  ['©swr', { category: 'device', label: 'Software' }],
  ['©too', { category: 'device', label: 'Encoder' }],
  ['©enc', { category: 'device', label: 'Encoded by' }],
  ['©hst', { category: 'device', label: 'Host computer' }],
  ['©req', { category: 'device', label: 'Playback requirements' }],
  ['©fmt', { category: 'device', label: 'Format' }],
  ['©src', { category: 'device', label: 'Source' }],
  ['manu', { category: 'device', label: 'Manufacturer' }],
  ['modl', { category: 'device', label: 'Model' }],
  ['FIRM', { category: 'device', label: 'Firmware version' }],
  ['LENS', { category: 'device', label: 'Lens serial number' }],
  ['CAME', { category: 'device', label: 'Camera serial number (hash)' }],
  ['SETT', { category: 'device', label: 'Camera settings' }],
  ['GPMF', { category: 'device', label: 'GoPro global settings (GPMF)' }],
  ['smta', { category: 'device', label: 'Samsung metadata' }],
  ['SDLN', { category: 'device', label: 'Samsung model code' }],
  ['CNCV', { category: 'device', label: 'Canon compressor version' }],
  ['CNMN', { category: 'device', label: 'Camera model' }],
  ['CNFV', { category: 'device', label: 'Firmware version' }],
  ['NCDT', { category: 'device', label: 'Nikon metadata' }],
  ['PENT', { category: 'device', label: 'Pentax metadata' }],
  ['TAGS', { category: 'device', label: 'Camera maker tags' }],
  ['©day', { category: 'time', label: 'Date' }],
  ['yrrc', { category: 'time', label: 'Recording year' }],
  ['©ART', { category: 'owner', label: 'Artist' }],
  ['©aut', { category: 'owner', label: 'Author' }],
  ['auth', { category: 'owner', label: 'Author' }],
  ['©cpy', { category: 'owner', label: 'Copyright' }],
  ['cprt', { category: 'owner', label: 'Copyright' }],
  ['©prd', { category: 'owner', label: 'Producer' }],
  ['©dir', { category: 'owner', label: 'Director' }],
  ['©wrt', { category: 'owner', label: 'Writer' }],
  ['©com', { category: 'owner', label: 'Composer' }],
  ['©prf', { category: 'owner', label: 'Performers' }],
  ['perf', { category: 'owner', label: 'Performer' }],
  ['©nam', { category: 'other', label: 'Title' }],
  ['titl', { category: 'other', label: 'Title' }],
  ['©cmt', { category: 'other', label: 'Comment' }],
  ['©des', { category: 'other', label: 'Description' }],
  ['dscp', { category: 'other', label: 'Description' }],
  ['©inf', { category: 'other', label: 'Information' }],
  ['©key', { category: 'other', label: 'Keywords' }],
  ['kywd', { category: 'other', label: 'Keywords' }],
  ['MUID', { category: 'other', label: 'Media unique ID' }],
  ['GUMI', { category: 'other', label: 'GoPro unique media ID' }],
  ['HMMT', { category: 'other', label: 'Highlight marks' }],
  ['Xtra', { category: 'other', label: 'Microsoft Xtra tags' }],
  ['CNTH', { category: 'thumbnail', label: 'Embedded thumbnail' }],
  ['PXTH', { category: 'thumbnail', label: 'Embedded thumbnail' }],
  ['thmb', { category: 'thumbnail', label: 'Embedded thumbnail' }],
]);

/** 3GPP asset boxes: full box, 16-bit packed language, string. */
const assetBoxes = new Set(['titl', 'dscp', 'cprt', 'perf', 'auth', 'gnre', 'albm']);

export interface DecodedAtom {
  category: Category;
  label: string;
  text: string;
  location?: GeoLocation;
  /** Extra findings decoded from the atom (e.g. GoPro serial numbers inside `GPMF`). */
  extra: { category: Category; tag: string; label: string; text: string }[];
}

/** QuickTime international text: one or more (length, language, text) records. */
function quickTimeText(payload: Buffer): string | undefined {
  if (payload.length < 4) return undefined;
  const length = payload.readUInt16BE(0);
  if (length === 0 || 4 + length > payload.length) return undefined;
  return decodeText(payload.subarray(4, 4 + length));
}

/** Decodes `loci` (3GPP TS 26.244 §8.10): name, role, longitude, latitude, altitude (16.16 fixed). */
export function decodeLoci(payload: Buffer, where: string): { location?: GeoLocation; text: string } {
  const reader = new PayloadReader(payload, `${where}`);
  reader.skip(4 + 2); // version/flags, language
  const name = reader.cString();
  const role = reader.u8();
  const longitude = reader.i32() / 65536;
  const latitude = reader.i32() / 65536;
  const altitude = reader.i32() / 65536;
  const body = reader.remaining > 0 ? reader.cString() : '';
  const notes = reader.remaining > 0 ? reader.cString() : '';
  const parts = [name && `name ${name}`, `role ${['shooting', 'real', 'fictional'][role] ?? role}`, body && `body ${body}`, notes && `notes ${notes}`].filter(Boolean);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return { text: parts.join(', ') };
  return { location: { latitude, longitude, altitude, where }, text: parts.join(', ') };
}

function binarySummary(payload: Buffer): string {
  return `${payload.length} bytes`;
}

/** Decodes one user-data atom's payload; never throws for odd content (it is reported as bytes). */
export function decodeUserDataAtom(type: string, payload: Buffer, where: string): DecodedAtom {
  const info = userDataAtoms.get(type) ?? { category: 'other' as Category, label: `User data '${type}'` };
  const result: DecodedAtom = { category: info.category, label: info.label, text: binarySummary(payload), extra: [] };
  try {
    if (type === 'loci') {
      const loci = decodeLoci(payload, where);
      if (loci.location) result.location = loci.location;
      result.text = loci.text;
      return result;
    }
    if (type === 'GPMF') {
      for (const fact of decodeGpmfDevice(payload)) result.extra.push({ category: fact.key === 'MUID' ? 'other' : 'device', tag: `GPMF/${fact.key}`, label: fact.label, text: fact.text });
      return result;
    }
    if (assetBoxes.has(type) && payload.length >= 6) {
      result.text = shorten(decodeText(payload.subarray(6)));
      return result;
    }
    if (type === 'yrrc' && payload.length >= 6) {
      result.text = String(payload.readUInt16BE(4));
      return result;
    }
    if (payload.length >= 16 && payload.toString('latin1', 4, 8) === 'data') {
      const value = decodeDataAtom(payload.subarray(0, Math.min(payload.length, payload.readUInt32BE(0))));
      if (value) result.text = shorten(value.text);
    } else if (type.startsWith('©')) {
      const text = quickTimeText(payload);
      if (text !== undefined) result.text = shorten(text);
    } else if (['FIRM', 'LENS', 'CNCV', 'CNMN', 'CNFV', 'SDLN', 'manu', 'modl', 'name'].includes(type)) {
      result.text = shorten(decodeText(payload).trim());
    } else if (['CAME', 'MUID', 'GUMI'].includes(type) && payload.length <= 64 && !isAllZero(payload)) {
      result.text = /^[\x20-\x7e]+$/.test(payload.toString('latin1')) ? payload.toString('latin1') : payload.toString('hex');
    }
    if (type === '©xyz') {
      const location = parseIso6709(result.text, where);
      if (location) result.location = location;
    }
  } catch {
    // A malformed atom is still reported (as its size) and still removed.
  }
  return result;
}

/**
 * Bytes of a user-data atom's payload that its value takes (QuickTime international text records,
 * an iTunes-style `data` atom, a 3GPP asset string), or the whole payload for atoms whose value is
 * the payload itself. Undefined when the layout does not add up.
 */
export function definedUserDataLength(type: string, payload: Buffer): number | undefined {
  if (payload.length >= 16 && payload.toString('latin1', 4, 8) === 'data') {
    const size = payload.readUInt32BE(0);
    return size >= 16 && size <= payload.length ? size : undefined;
  }
  if (type.startsWith('©')) {
    let at = 0;
    while (at + 4 <= payload.length) {
      const length = payload.readUInt16BE(at);
      if (length === 0 || at + 4 + length > payload.length) break;
      at += 4 + length;
    }
    return at > 0 ? at : undefined;
  }
  if (assetBoxes.has(type)) {
    if (payload.length < 6) return undefined;
    const utf16 = payload.length >= 8 && payload[6] === 0xfe && payload[7] === 0xff;
    if (utf16) {
      for (let at = 8; at + 1 < payload.length; at += 2) if (payload[at] === 0 && payload[at + 1] === 0) return at + 2 + (type === 'albm' && at + 3 <= payload.length ? 1 : 0);
      return undefined;
    }
    const end = payload.indexOf(0, 6);
    if (end === -1) return undefined;
    return end + 1 + (type === 'albm' && end + 2 <= payload.length ? 1 : 0);
  }
  if (type === 'yrrc') return payload.length >= 6 ? 6 : undefined;
  return payload.length;
}
