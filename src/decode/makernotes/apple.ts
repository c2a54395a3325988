/**
 * Apple's MakerNote (iPhone/iPad): the identifiers that tie a photo to its Live Photo video and to
 * the other shots of a burst, and the phone's running time. The MakerNote starts with
 * `Apple iOS\0`, a 2-byte version and a byte-order mark at offset 12; its IFD starts at offset 14
 * and its value offsets count from the start of the MakerNote.
 *
 * References: ExifTool Apple tags (https://exiftool.org/TagNames/Apple.html);
 * Apple "Binary property list" format (CoreFoundation CFBinaryPList.c) for the RunTime value.
 */
import type { Finding } from '../../types.js';
import { findEntry, parseTiff, readNumbers, readText, type TiffStructure } from '../tiff.js';

const signature = Buffer.from('Apple iOS\0', 'latin1');

export function isAppleMakerNote(data: Buffer): boolean {
  return data.length >= 16 && data.subarray(0, signature.length).equals(signature);
}

interface AppleTag {
  tag: number;
  name: string;
  label: string;
  category: Finding['category'];
}

const textTags: readonly AppleTag[] = [
  { tag: 0x0011, name: 'ContentIdentifier', label: 'Live Photo content identifier', category: 'other' },
  { tag: 0x000b, name: 'BurstUUID', label: 'Burst identifier', category: 'other' },
  { tag: 0x0015, name: 'ImageUniqueID', label: 'Apple image identifier', category: 'other' },
  { tag: 0x0020, name: 'ImageCaptureRequestID', label: 'Capture request identifier', category: 'other' },
];

/** Findings for an Apple MakerNote; an unreadable one gives an empty list (the MakerNote itself is reported by decodeExif). */
export function decodeAppleMakerNote(data: Buffer, where: string): Finding[] {
  if (!isAppleMakerNote(data)) return [];
  const order = data.toString('latin1', 12, 14);
  if (order !== 'MM' && order !== 'II') return [];
  // Make the MakerNote read as a TIFF whose IFD0 sits at 14: offsets then count from its start, as Apple's do.
  const copy = Buffer.from(data);
  copy.write(order, 0, 'latin1');
  if (order === 'MM') {
    copy.writeUInt16BE(42, 2);
    copy.writeUInt32BE(14, 4);
  } else {
    copy.writeUInt16LE(42, 2);
    copy.writeUInt32LE(14, 4);
  }
  let structure: TiffStructure;
  try {
    structure = parseTiff(copy);
  } catch {
    return [];
  }
  const ifd = structure.ifds[0];
  const findings: Finding[] = [];
  for (const info of textTags) {
    const entry = findEntry(ifd, info.tag);
    if (!entry || entry.type !== 2) continue;
    const value = readText(structure, entry);
    if (value) findings.push({ category: info.category, where, tag: info.name, label: info.label, meaning: 'identifier', value, text: value });
  }
  const videoIndex = findEntry(ifd, 0x0017);
  if (videoIndex) {
    const value = readNumbers(structure, videoIndex)[0];
    if (value !== undefined) {
      findings.push({ category: 'other', where, tag: 'LivePhotoVideoIndex', label: 'Live Photo video frame', value, text: String(value) });
    }
  }
  const runTime = findEntry(ifd, 0x0003);
  if (runTime?.readable && !runTime.inline) {
    const plist = readSmallPlistDictionary(structure.data.subarray(runTime.valueOffset, runTime.valueOffset + runTime.valueLength));
    const value = plist?.get('value');
    const scale = plist?.get('timescale');
    if (typeof value === 'number' && typeof scale === 'number' && scale > 0) {
      const seconds = value / scale;
      findings.push({ category: 'device', where, tag: 'RunTime', label: 'Time since the phone was started', meaning: 'device-setting', value: Math.round(seconds), text: describeDuration(seconds) });
    }
  }
  return findings;
}

function describeDuration(totalSeconds: number): string {
  const seconds = Math.floor(totalSeconds);
  const days = Math.floor(seconds / 86400);
  const clock = [Math.floor((seconds % 86400) / 3600), Math.floor((seconds % 3600) / 60), seconds % 60].map((part) => String(part).padStart(2, '0')).join(':');
  return days > 0 ? `${days} d ${clock}` : clock;
}

/**
 * Reads a binary property list whose top object is a dictionary of ASCII keys to integers (all the
 * RunTime value holds). Anything else gives undefined: this is a reader of one known shape.
 */
export function readSmallPlistDictionary(data: Buffer): Map<string, number | string> | undefined {
  try {
    if (data.length < 8 + 32 || data.toString('latin1', 0, 8) !== 'bplist00') return undefined;
    const trailer = data.length - 32;
    const offsetSize = data[trailer + 6]!;
    const refSize = data[trailer + 7]!;
    const objectCount = Number(data.readBigUInt64BE(trailer + 8));
    const top = Number(data.readBigUInt64BE(trailer + 16));
    const tableOffset = Number(data.readBigUInt64BE(trailer + 24));
    if (offsetSize < 1 || offsetSize > 4 || refSize < 1 || refSize > 4 || objectCount > 256 || top >= objectCount) return undefined;
    if (tableOffset + objectCount * offsetSize > trailer) return undefined;
    const objectAt = (ref: number): number => data.readUIntBE(tableOffset + ref * offsetSize, offsetSize);
    const readObject = (ref: number): number | string | undefined => {
      if (ref >= objectCount) return undefined;
      const at = objectAt(ref);
      if (at >= trailer) return undefined;
      const marker = data[at]!;
      const low = marker & 0x0f;
      switch (marker >> 4) {
        case 0x1: {
          const bytes = 1 << low;
          if (bytes > 8 || at + 1 + bytes > trailer) return undefined;
          if (bytes === 8) {
            const big = data.readBigInt64BE(at + 1);
            return big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(big);
          }
          return data.readUIntBE(at + 1, bytes);
        }
        case 0x5: {
          if (low === 0x0f || at + 1 + low > trailer) return undefined;
          return data.toString('latin1', at + 1, at + 1 + low);
        }
        default:
          return undefined;
      }
    };
    const at = objectAt(top);
    const marker = data[at]!;
    if (marker >> 4 !== 0xd) return undefined;
    const count = marker & 0x0f;
    if (count === 0x0f || at + 1 + 2 * count * refSize > trailer) return undefined;
    const result = new Map<string, number | string>();
    for (let index = 0; index < count; index++) {
      const key = readObject(data.readUIntBE(at + 1 + index * refSize, refSize));
      const value = readObject(data.readUIntBE(at + 1 + (count + index) * refSize, refSize));
      if (typeof key === 'string' && value !== undefined) result.set(key, value);
    }
    return result;
  } catch {
    return undefined;
  }
}
