/**
 * Apple's HDR headroom: two values of Apple's EXIF maker note (tags 33 and 48, signed rationals)
 * from which a renderer computes how far an Apple gain-map photo may be brightened. Chromium needs
 * them to apply an Apple gain map at all (Skia src/codec/SkExif.cpp get_maker_note_hdr_headroom;
 * SkJpegMetadataDecoderImpl.cpp: no headroom, no Apple gain map). traceless keeps those two values
 * and nothing else of EXIF (besides the orientation): the EXIF block is written again as IFD0
 * (Orientation, the Exif IFD pointer), an Exif IFD with one MakerNote entry, and a maker note of
 * Apple's header and an IFD of the two entries.
 * References: Apple "Applying Apple HDR effect to your photos" (maker note keys 33 and 48);
 * ExifTool Apple.pm (0x0021 HDRHeadroom, 0x0030 HDRGain; the maker note starts "Apple iOS\0",
 * version 0x0001, "MM", its offsets counted from its own start); TIFF 6.0 §2 (IFD layout).
 */
import { findEntry, findIfd, readBytes, type TiffStructure } from '../../decode/tiff.js';
import { orientationOf } from '../../decode/tiff-edit.js';

/** What Skia compares, byte for byte, before reading the maker note's IFD. */
const signature = Buffer.from('Apple iOS\0\0\x01MM', 'latin1');
const makerNoteTag = 0x927c;
const exifPointerTag = 0x8769;
const orientationTag = 0x0112;
const headroomTags = [33, 48] as const;
const typeRational = 5;
const typeSignedRational = 10;
const typeShort = 3;
const typeLong = 4;
const typeUndefined = 7;
const entryBytes = 12;

export interface AppleHeadroom {
  /** Tag 33 then tag 48: type (rational or signed rational), numerator and denominator. */
  values: { tag: number; type: number; numerator: number; denominator: number }[];
}

/** The two headroom values of an Apple maker note, when both are there and readable. */
export function readAppleHeadroom(structure: TiffStructure): AppleHeadroom | undefined {
  const entry = findEntry(findIfd(structure, 'ExifIFD'), makerNoteTag);
  if (!entry) return undefined;
  const note = readBytes(structure, entry);
  if (note.length < signature.length + 2 || !note.subarray(0, signature.length).equals(signature)) return undefined;
  const count = note.readUInt16BE(signature.length);
  if (signature.length + 2 + count * entryBytes > note.length) return undefined;
  const values: AppleHeadroom['values'] = [];
  for (const tag of headroomTags) {
    for (let index = 0; index < count; index++) {
      const at = signature.length + 2 + index * entryBytes;
      if (note.readUInt16BE(at) !== tag) continue;
      const type = note.readUInt16BE(at + 2);
      const valueAt = note.readUInt32BE(at + 8);
      if ((type !== typeRational && type !== typeSignedRational) || note.readUInt32BE(at + 4) !== 1 || valueAt + 8 > note.length) return undefined;
      const numerator = type === typeSignedRational ? note.readInt32BE(valueAt) : note.readUInt32BE(valueAt);
      const denominator = type === typeSignedRational ? note.readInt32BE(valueAt + 4) : note.readUInt32BE(valueAt + 4);
      if (denominator === 0) return undefined;
      values.push({ tag, type, numerator, denominator });
      break;
    }
  }
  return values.length === headroomTags.length ? { values } : undefined;
}

/** The orientation to write with the headroom (undefined when upright or absent). */
export function headroomOrientation(structure: TiffStructure): number | undefined {
  const orientation = orientationOf(structure);
  return orientation !== undefined && orientation !== 1 ? orientation : undefined;
}

/** The TIFF data of the EXIF block: IFD0 → Exif IFD → MakerNote with only the two values. */
export function buildHeadroomTiff(headroom: AppleHeadroom, orientation: number | undefined): Buffer {
  const ifd0Entries = orientation !== undefined ? 2 : 1;
  const ifd0At = 8;
  const exifIfdAt = ifd0At + 2 + ifd0Entries * entryBytes + 4;
  const noteAt = exifIfdAt + 2 + entryBytes + 4;
  const noteIfdBytes = 2 + headroomTags.length * entryBytes + 4;
  const noteLength = signature.length + noteIfdBytes + headroomTags.length * 8;
  const tiff = Buffer.alloc(noteAt + noteLength);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(ifd0At, 4);
  const entry = (at: number, tag: number, type: number, count: number, value: (valueAt: number) => void) => {
    tiff.writeUInt16BE(tag, at);
    tiff.writeUInt16BE(type, at + 2);
    tiff.writeUInt32BE(count, at + 4);
    value(at + 8);
  };
  // IFD0, entries in ascending tag order (TIFF 6.0 §2).
  tiff.writeUInt16BE(ifd0Entries, ifd0At);
  let at = ifd0At + 2;
  if (orientation !== undefined) {
    entry(at, orientationTag, typeShort, 1, (valueAt) => tiff.writeUInt16BE(orientation, valueAt));
    at += entryBytes;
  }
  entry(at, exifPointerTag, typeLong, 1, (valueAt) => tiff.writeUInt32BE(exifIfdAt, valueAt));
  tiff.writeUInt32BE(0, at + entryBytes);
  // The Exif IFD: the maker note only.
  tiff.writeUInt16BE(1, exifIfdAt);
  entry(exifIfdAt + 2, makerNoteTag, typeUndefined, noteLength, (valueAt) => tiff.writeUInt32BE(noteAt, valueAt));
  tiff.writeUInt32BE(0, exifIfdAt + 2 + entryBytes);
  // The maker note: Apple's header, then its IFD; offsets from the maker note's start.
  signature.copy(tiff, noteAt);
  const noteIfdAt = noteAt + signature.length;
  tiff.writeUInt16BE(headroomTags.length, noteIfdAt);
  const valuesAt = signature.length + noteIfdBytes;
  headroom.values.forEach((value, index) => {
    const valueOffset = valuesAt + index * 8;
    entry(noteIfdAt + 2 + index * entryBytes, value.tag, value.type, 1, (valueAt) => tiff.writeUInt32BE(valueOffset, valueAt));
    if (value.type === typeSignedRational) {
      tiff.writeInt32BE(value.numerator, noteAt + valueOffset);
      tiff.writeInt32BE(value.denominator, noteAt + valueOffset + 4);
    } else {
      tiff.writeUInt32BE(value.numerator, noteAt + valueOffset);
      tiff.writeUInt32BE(value.denominator, noteAt + valueOffset + 4);
    }
  });
  tiff.writeUInt32BE(0, noteIfdAt + 2 + headroomTags.length * entryBytes);
  return tiff;
}
