/**
 * The EXIF/TIFF tags that say something about a person, with the category and plain words used in
 * reports. Tags not listed here are still removed by a clean; they are just not worth a line.
 * Reference: CIPA DC-008 (Exif 3.0) tables 4–7; Adobe DNG 1.7 chapter 4; ExifTool's Exif tag table.
 */
import type { Category, FindingMeaning } from '../types.js';

export interface TagInfo {
  name: string;
  label: string;
  category: Category;
  /** What the tag means, for risk and the readable report (never inferred from the name). */
  meaning: FindingMeaning;
  /** How to render the value. */
  render?: 'text' | 'bytes' | 'number' | 'date';
}

const t = (name: string, label: string, category: Category, meaning: FindingMeaning, render: TagInfo['render'] = 'text'): TagInfo => ({ name, label, category, meaning, render });

/** Tags of IFD0, IFD1, SubIFDs and the Exif IFD (one numbering space). */
export const imageTags: ReadonlyMap<number, TagInfo> = new Map([
  [0x010d, t('DocumentName', 'Document name', 'other', 'description')],
  [0x010e, t('ImageDescription', 'Description', 'other', 'description')],
  [0x010f, t('Make', 'Camera make', 'device', 'make')],
  [0x0110, t('Model', 'Camera model', 'device', 'model')],
  [0x0112, t('Orientation', 'Orientation', 'other', 'orientation', 'number')],
  [0x0131, t('Software', 'Software', 'device', 'software')],
  [0x0132, t('DateTime', 'Modified', 'time', 'modified', 'date')],
  [0x013b, t('Artist', 'Artist', 'owner', 'owner')],
  [0x013c, t('HostComputer', 'Computer', 'device', 'software')],
  [0x02bc, t('XMP', 'XMP packet', 'other', 'embedded-data', 'bytes')],
  [0x8298, t('Copyright', 'Copyright', 'owner', 'owner')],
  [0x83bb, t('IPTC-NAA', 'IPTC record', 'other', 'embedded-data', 'bytes')],
  [0x8649, t('PhotoshopSettings', 'Photoshop resources', 'other', 'embedded-data', 'bytes')],
  [0x9003, t('DateTimeOriginal', 'Taken', 'time', 'taken', 'date')],
  [0x9004, t('CreateDate', 'Digitised', 'time', 'timestamp', 'date')],
  [0x9010, t('OffsetTime', 'Time zone (modified)', 'time', 'timestamp')],
  [0x9011, t('OffsetTimeOriginal', 'Time zone', 'time', 'timestamp')],
  [0x9012, t('OffsetTimeDigitized', 'Time zone (digitised)', 'time', 'timestamp')],
  [0x927c, t('MakerNote', 'Maker notes (camera-private data)', 'device', 'device-setting', 'bytes')],
  [0x9286, t('UserComment', 'Comment', 'other', 'description')],
  [0x9c9b, t('XPTitle', 'Title', 'other', 'description')],
  [0x9c9c, t('XPComment', 'Comment', 'other', 'description')],
  [0x9c9d, t('XPAuthor', 'Author', 'owner', 'owner')],
  [0x9c9e, t('XPKeywords', 'Keywords', 'other', 'description')],
  [0x9c9f, t('XPSubject', 'Subject', 'other', 'description')],
  [0xa420, t('ImageUniqueID', 'Unique image ID', 'device', 'identifier')],
  [0xa430, t('CameraOwnerName', 'Camera owner', 'owner', 'owner')],
  [0xa431, t('BodySerialNumber', 'Camera serial number', 'device', 'serial')],
  [0xa433, t('LensMake', 'Lens make', 'device', 'lens')],
  [0xa434, t('LensModel', 'Lens model', 'device', 'lens')],
  [0xa435, t('LensSerialNumber', 'Lens serial number', 'device', 'serial')],
  [0xa436, t('ImageTitle', 'Title', 'other', 'description')],
  [0xa437, t('Photographer', 'Photographer', 'owner', 'owner')],
  [0xa438, t('ImageEditor', 'Editor', 'owner', 'owner')],
  [0xa439, t('CameraFirmware', 'Camera firmware', 'device', 'software')],
  [0xa43a, t('RAWDevelopingSoftware', 'Raw developing software', 'device', 'software')],
  [0xa43b, t('ImageEditingSoftware', 'Editing software', 'device', 'software')],
  [0xa43c, t('MetadataEditingSoftware', 'Metadata software', 'device', 'software')],
  [0xc4a5, t('PrintIM', 'Printer settings (PrintIM)', 'device', 'device-setting', 'bytes')],
  [0xc614, t('UniqueCameraModel', 'Camera model (DNG)', 'device', 'model')],
  [0xc615, t('LocalizedCameraModel', 'Camera model (localised)', 'device', 'model')],
  [0xc62f, t('CameraSerialNumber', 'Camera serial number', 'device', 'serial')],
  [0xc634, t('DNGPrivateData', 'Maker notes (DNG private data)', 'device', 'device-setting', 'bytes')],
  [0xc65d, t('RawDataUniqueID', 'Raw data unique ID', 'device', 'identifier', 'bytes')],
  [0xc68b, t('OriginalRawFileName', 'Original raw file name', 'other', 'description')],
  [0xc68c, t('OriginalRawFileData', 'Original raw file', 'embedded', 'embedded-data', 'bytes')],
]);

/** GPS IFD tags (their own numbering space). Every GPS tag but the version is a location finding. */
export const gpsTagNames: ReadonlyMap<number, string> = new Map([
  [0x00, 'GPSVersionID'], [0x01, 'GPSLatitudeRef'], [0x02, 'GPSLatitude'], [0x03, 'GPSLongitudeRef'],
  [0x04, 'GPSLongitude'], [0x05, 'GPSAltitudeRef'], [0x06, 'GPSAltitude'], [0x07, 'GPSTimeStamp'],
  [0x08, 'GPSSatellites'], [0x09, 'GPSStatus'], [0x0a, 'GPSMeasureMode'], [0x0b, 'GPSDOP'],
  [0x0c, 'GPSSpeedRef'], [0x0d, 'GPSSpeed'], [0x0e, 'GPSTrackRef'], [0x0f, 'GPSTrack'],
  [0x10, 'GPSImgDirectionRef'], [0x11, 'GPSImgDirection'], [0x12, 'GPSMapDatum'], [0x13, 'GPSDestLatitudeRef'],
  [0x14, 'GPSDestLatitude'], [0x15, 'GPSDestLongitudeRef'], [0x16, 'GPSDestLongitude'], [0x17, 'GPSDestBearingRef'],
  [0x18, 'GPSDestBearing'], [0x19, 'GPSDestDistanceRef'], [0x1a, 'GPSDestDistance'], [0x1b, 'GPSProcessingMethod'],
  [0x1c, 'GPSAreaInformation'], [0x1d, 'GPSDateStamp'], [0x1e, 'GPSDifferential'], [0x1f, 'GPSHPositioningError'],
]);

export const tiffTags = {
  orientation: 0x0112,
  thumbnailOffset: 0x0201,
  thumbnailLength: 0x0202,
  stripOffsets: 0x0111,
  stripByteCounts: 0x0117,
  tileOffsets: 0x0144,
  tileByteCounts: 0x0145,
} as const;

/**
 * Location mode is an allow-list (keep-list issue, point 5): an EXIF structure keeps only the tags
 * below, known to hold no place. Everything else goes: the GPS IFD, maker notes, embedded XMP,
 * IPTC and Photoshop records, GeoTIFF and map tags, free text a person may have typed a place into
 * (descriptions, comments, titles, keywords, file names), environment readings that give away an
 * altitude or a depth (pressure, water depth), thumbnails (IFD1) and every tag not listed.
 * References: CIPA DC-008 (Exif 3.0) tables 4, 7, 8, 9 and 11 (tag codes checked against
 * ExifTool's Exif tag table); TIFF 6.0 section 8.
 */
export const locationSafeTags = {
  /** IFD0 of an EXIF block (and the metadata tags of a TIFF file's image IFDs). */
  image: new Set<number>([
    0x00fe, 0x0100, 0x0101, 0x0102, 0x0103, 0x0106, 0x0112, 0x0115, 0x011a, 0x011b, 0x011c, 0x0128, // image structure
    0x012d, 0x013e, 0x013f, 0x0211, 0x0212, 0x0213, 0x0214, // colour: transfer function, white point, primaries, YCbCr
    0x010f, 0x0110, 0x0131, 0x0132, 0x013b, 0x013c, 0x8298, // Make, Model, Software, DateTime, Artist, HostComputer, Copyright
    0x9c9d, // XPAuthor
    0x8769, // Exif IFD pointer (its IFD is filtered by `exif`)
  ]),
  /** The Exif IFD: camera settings, dates, device and owner (Exif 3.0 tables 7–9). */
  exif: new Set<number>([
    0x829a, 0x829d, 0x8822, 0x8824, 0x8827, 0x8830, 0x8831, 0x8832, 0x8833, 0x8834, 0x8835, // exposure, ISO
    0x9000, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9101, 0x9102, // version, dates, time zones, components
    0x9201, 0x9202, 0x9203, 0x9204, 0x9205, 0x9206, 0x9207, 0x9208, 0x9209, 0x920a, 0x9214, // APEX values, flash, focal length, subject area
    0x9290, 0x9291, 0x9292, // sub-second times
    0xa000, 0xa001, 0xa002, 0xa003, 0xa005, // FlashPix version, colour space, pixel dimensions, Interop pointer
    0xa20b, 0xa20e, 0xa20f, 0xa210, 0xa214, 0xa215, 0xa217, 0xa300, 0xa301, 0xa302, // flash energy, focal plane, subject position in the frame, sensing
    0xa401, 0xa402, 0xa403, 0xa404, 0xa405, 0xa406, 0xa407, 0xa408, 0xa409, 0xa40a, 0xa40c, // rendering, exposure mode, white balance, zoom, scene
    0xa420, 0xa430, 0xa431, 0xa432, 0xa433, 0xa434, 0xa435, // unique ID, owner, body serial, lens specification, make, model, serial
    0xa437, 0xa438, 0xa439, 0xa43a, 0xa43b, 0xa43c, // photographer, editor, firmware, software
    0xa460, 0xa461, 0xa462, 0xa500, // composite image, gamma
  ]),
  /** The Interoperability IFD (Exif 3.0 table 11). */
  interop: new Set<number>([0x0001, 0x0002, 0x1000, 0x1001, 0x1002]),
} as const;

/** Which allow-list applies to an IFD, by its name in the parsed structure; undefined: the IFD goes. */
export function locationSafeTagsOf(ifdName: string): ReadonlySet<number> | undefined {
  const leaf = ifdName.slice(ifdName.lastIndexOf('/') + 1);
  if (leaf === 'ExifIFD') return locationSafeTags.exif;
  if (leaf === 'InteropIFD') return locationSafeTags.interop;
  if (leaf === 'IFD0') return locationSafeTags.image;
  return undefined;
}
