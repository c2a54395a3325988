/**
 * Which TIFF/DNG tags a clean keeps, and the plain words for tags that `src/decode/exif-tags.ts`
 * does not describe (DNG preview and profile tags, GeoTIFF).
 *
 * References: TIFF 6.0 (Adobe, 1992) sections 8 and 14–22; TIFF/EP (ISO 12234-2) CFA tags;
 * Adobe DNG Specification 1.7.1 chapter 4 (tag codes checked against ExifTool's Exif.pm table);
 * Adobe Photoshop TIFF Technical Note 1 (JPEGTables); GeoTIFF 1.1 (OGC 19-008r4) section 7.
 *
 * The clean is an allow-list: an image IFD keeps only the tags listed here, because a reader
 * needs them to put the pixels on screen with the right colours. Every other tag (known or not)
 * is removed, so that vendor tags nobody has catalogued cannot pass through as "clean".
 */
import type { Category, FindingMeaning } from '../../types.js';

const range = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, index) => first + index);

/** Baseline and extension TIFF tags that describe how the pixels are stored. */
const imageStructureTags = [
  0x00fe, 0x00ff, // NewSubfileType, SubfileType
  0x0100, 0x0101, 0x0102, 0x0103, // ImageWidth, ImageLength, BitsPerSample, Compression
  0x0106, 0x0107, 0x0108, 0x0109, 0x010a, // Photometric, Threshholding, CellWidth, CellLength, FillOrder
  0x0111, 0x0112, 0x0115, 0x0116, 0x0117, // StripOffsets, Orientation, SamplesPerPixel, RowsPerStrip, StripByteCounts
  0x0118, 0x0119, 0x011a, 0x011b, 0x011c, // Min/MaxSampleValue, X/YResolution, PlanarConfiguration
  0x011e, 0x011f, // XPosition, YPosition
  0x0122, 0x0123, 0x0124, 0x0125, 0x0128, 0x0129, // GrayResponse*, T4/T6Options, ResolutionUnit, PageNumber
  0x012d, 0x013d, 0x013e, 0x013f, 0x0140, 0x0141, // TransferFunction, Predictor, WhitePoint, Primaries, ColorMap, HalftoneHints
  0x0142, 0x0143, 0x0144, 0x0145, // TileWidth, TileLength, TileOffsets, TileByteCounts
  0x014a, // SubIFDs: followed and cleaned like every other image IFD
  0x014c, 0x014e, 0x0150, 0x0152, 0x0153, 0x0154, 0x0155, 0x0156, // InkSet, NumberOfInks, DotRange, ExtraSamples, SampleFormat, S*SampleValue, TransferRange
  0x015b, // JPEGTables
  0x0200, 0x0201, 0x0202, 0x0203, 0x0205, 0x0206, 0x0207, 0x0208, 0x0209, // old-style JPEG
  0x0211, 0x0212, 0x0213, 0x0214, // YCbCr coefficients, subsampling, positioning, ReferenceBlackWhite
  0x80e3, 0x80e4, 0x80e5, 0x80e6, // Matteing, DataType, ImageDepth, TileDepth (SGI)
  0x828d, 0x828e, // CFARepeatPatternDim, CFAPattern (TIFF/EP)
  0x8773, // InterColorProfile (ICC): changes how colours display
];

/** DNG tags a raw converter needs to render the raw data (DNG 1.7.1 chapter 4). */
const dngRenderingTags = [
  0xc612, 0xc613, // DNGVersion, DNGBackwardVersion
  0xc614, // UniqueCameraModel: kept with its text blanked (see plan.ts)
  ...range(0xc616, 0xc62e), // CFAPlaneColor … LinearResponseLimit (levels, crop, colour matrices, neutral)
  0xc631, 0xc632, 0xc633, // ChromaBlurRadius, AntiAliasStrength, ShadowScale
  0xc65a, 0xc65b, 0xc65c, // CalibrationIlluminant1/2, BestQualityScale
  0xc68d, 0xc68e, 0xc68f, 0xc690, 0xc691, 0xc692, // ActiveArea, MaskedAreas, AsShot/Current ICC and matrices
  0xc6bf, 0xc6f3, 0xc6f4, // ColorimetricReference, Camera/ProfileCalibrationSignature
  0xc6f7, 0xc6f9, 0xc6fa, 0xc6fb, 0xc6fc, 0xc6fd, // NoiseReductionApplied, hue/sat maps, tone curve, embed policy
  0xc714, 0xc715, // ForwardMatrix1/2
  0xc71a, 0xc71c, 0xc71e, 0xc71f, // PreviewColorSpace, RawImageDigest, SubTileBlockSize, RowInterleaveFactor
  0xc725, 0xc726, // ProfileLookTableDims/Data
  0xc740, 0xc741, 0xc74e, 0xc761, // OpcodeList1–3, NoiseProfile
  0xc764, 0xc772, // FrameRate, TStop
  0xc791, 0xc792, 0xc793, // Original* sizes
  0xc7a3, 0xc7a4, 0xc7a5, 0xc7a6, 0xc7a7, 0xc7a8, // encodings, BaselineExposureOffset, DefaultBlackRender, NewRawImageDigest, RawToPreviewGain
  0xc7b5, // DefaultUserCrop
  0xc7e9, 0xc7ea, 0xc7eb, 0xc7ec, 0xc7ed, // depth map description (DNG 1.5)
  0xcd2d, 0xcd2e, 0xcd30, ...range(0xcd31, 0xcd3b), // gain table map, semantic masks, third illuminant, RGBTables (DNG 1.6)
  0xcd43, // ColumnInterleaveFactor (DNG 1.7)
];

export const keptImageTags: ReadonlySet<number> = new Set([...imageStructureTags, ...dngRenderingTags]);

export const dngTags = {
  dngVersion: 0xc612,
  uniqueCameraModel: 0xc614,
} as const;

export const metadataTags = {
  xmp: 0x02bc,
  iptc: 0x83bb,
  photoshop: 0x8649,
  icc: 0x8773,
  makerNote: 0x927c,
  dngPrivateData: 0xc634,
  newSubfileType: 0x00fe,
  compression: 0x0103,
  photometric: 0x0106,
  jpegQTables: 0x0207,
  jpegDcTables: 0x0208,
  jpegAcTables: 0x0209,
  cfaRepeatPatternDim: 0x828d,
  cfaPattern: 0x828e,
  subIfds: 0x014a,
} as const;

/** GeoTIFF tags: they place the image on a map, so they are location findings. */
export const geoTiffTags: ReadonlyMap<number, string> = new Map([
  [0x830e, 'ModelPixelScale'],
  [0x8480, 'IntergraphMatrix'],
  [0x8482, 'ModelTiePoint'],
  [0x85d8, 'ModelTransform'],
  [0x87af, 'GeoKeyDirectory'],
  [0x87b0, 'GeoDoubleParams'],
  [0x87b1, 'GeoAsciiParams'],
  [0xa480, 'GDALMetadata'],
  [0xa481, 'GDALNoData'],
]);

export interface ExtraTagInfo {
  name: string;
  label: string;
  category: Category;
  /** What the tag means for the reports (numbers such as DNGLensInfo are settings, never names). */
  meaning: FindingMeaning;
}

const x = (name: string, label: string, category: Category, meaning?: FindingMeaning): ExtraTagInfo => ({ name, label, category, meaning: meaning ?? defaultMeaning[category] });
const defaultMeaning: Record<Category, FindingMeaning> = { location: 'gps-detail', device: 'device-setting', time: 'timestamp', owner: 'owner', thumbnail: 'thumbnail', embedded: 'embedded-data', other: 'other' };

/** Tags worth a line in a scan that `imageTags` (src/decode/exif-tags.ts) does not list. */
export const extraTags: ReadonlyMap<number, ExtraTagInfo> = new Map([
  [0x011d, x('PageName', 'Page name', 'other', 'description')],
  [0x0151, x('TargetPrinter', 'Target printer', 'device')],
  [0x800d, x('ImageID', 'Image ID', 'other', 'identifier')],
  [0x882a, x('TimeZoneOffset', 'Time zone', 'time')],
  [0x9211, x('ImageNumber', 'Image number', 'device')],
  [0x935c, x('ImageSourceData', 'Photoshop layers (may hold hidden content)', 'embedded')],
  [0xc630, x('DNGLensInfo', 'Lens', 'device', 'device-setting')],
  [0xc6f5, x('ExtraCameraProfiles', 'Extra camera profiles', 'other')],
  [0xc6f6, x('AsShotProfileName', 'Profile name', 'other')],
  [0xc6f8, x('ProfileName', 'Profile name', 'other')],
  [0xc6fe, x('ProfileCopyright', 'Profile copyright', 'owner')],
  [0xc716, x('PreviewApplicationName', 'Software (preview)', 'device', 'software')],
  [0xc717, x('PreviewApplicationVersion', 'Software version (preview)', 'device', 'software')],
  [0xc718, x('PreviewSettingsName', 'Preview settings', 'other')],
  [0xc71b, x('PreviewDateTime', 'Preview made', 'time')],
  [0xc71d, x('OriginalRawFileDigest', 'Original raw file digest', 'other', 'identifier')],
  [0xc763, x('TimeCodes', 'Time codes', 'time')],
  [0xc789, x('ReelName', 'Reel name', 'other', 'description')],
  [0xc7a1, x('CameraLabel', 'Camera label', 'device')],
  [0xc7ee, x('EnhanceParams', 'Enhance settings', 'other')],
  [0xcd44, x('ImageSequenceInfo', 'Image sequence', 'other')],
  [0xfde8, x('OwnerName', 'Owner', 'owner')],
  [0xfde9, x('SerialNumber', 'Serial number', 'device', 'serial')],
  [0xfdea, x('Lens', 'Lens', 'device', 'lens')],
]);

/**
 * Compression codes used only by camera RAW files (TIFF tag 259): a TIFF that uses one of them is
 * a camera RAW, whose maker notes its readers need, so traceless refuses to clean it.
 */
export const rawCompressions: ReadonlySet<number> = new Set([
  262, // Kodak 262
  32767, // Sony ARW
  32769, // Packed RAW (Epson ERF, Samsung)
  32770, 32771, 32772, // Samsung SRW
  34316, // Panasonic RAW 1
  34713, // Nikon NEF compressed
  34714, 34715, // Nikon
  65000, // Kodak DCR
  65535, // Pentax PEF
]);

/** PhotometricInterpretation values of sensor data: CFA (TIFF/EP) and LinearRaw (DNG). */
export const rawPhotometrics: ReadonlySet<number> = new Set([32803, 34892]);

/** Compression codes whose strips or tiles are JPEG streams (which can carry their own APPn metadata). */
export const jpegCompressions: ReadonlySet<number> = new Set([6, 7, 99, 34892]);

/** Names for RAW files by the maker in IFD0's Make, for refusal messages. */
export function rawKindFromMake(make: string | undefined): string | undefined {
  if (!make) return undefined;
  const rules: [RegExp, string][] = [
    [/^nikon/i, 'NEF'], [/^sony/i, 'ARW'], [/^(pentax|ricoh)/i, 'PEF'], [/^samsung/i, 'SRW'], [/^epson/i, 'ERF'],
    [/^hasselblad/i, '3FR'], [/^mamiya/i, 'MEF'], [/^kodak|eastman/i, 'DCR'], [/^leaf/i, 'MOS'], [/^phase ?one/i, 'IIQ'],
    [/^canon/i, 'CR2'], [/^olympus|^om digital/i, 'ORF'], [/^panasonic|^leica/i, 'RW2'], [/^fuji/i, 'RAF'],
    [/^sigma/i, 'X3F'], [/^(konica|minolta)/i, 'MRW'],
  ];
  return rules.find(([pattern]) => pattern.test(make.trim()))?.[1];
}

/**
 * Kept DNG tags whose value is free text (DNG 1.7.1 chapter 4): readers compare them with other
 * text but do not need their content to render, so a clean keeps the entry and empties the text
 * (one NUL) — in both modes, since free text can say anything, a place included.
 * UniqueCameraModel is emptied the same way (plan.ts), also in both modes.
 */
export const emptiedTextTags: ReadonlySet<number> = new Set([
  0xc6f3, // CameraCalibrationSignature
  0xc6f4, // ProfileCalibrationSignature
  0xcd2e, // SemanticName
  0xcd30, // SemanticInstanceID
]);

/** Kept image tags whose values may legitimately be BYTE/UNDEFINED blobs (everything else is numeric or text). */
export const blobTags: ReadonlySet<number> = new Set([
  0x015b, // JPEGTables (re-written, see jpeg-tables.ts)
  0x0150, // DotRange
  0x828e, // CFAPattern
  0x8773, 0xc68f, 0xc691, // ICC profiles
  0xc612, 0xc613, 0xc616, // DNG versions, CFAPlaneColor
  0xc71c, 0xc7a7, // raw image digests
  0xc740, 0xc741, 0xc74e, // opcode lists
  0xcd2d, 0xcd35, 0xcd36, 0xcd37, 0xcd3b, // gain table map, illuminant data, RGB tables
]);

/** Kept image tags whose value is text. */
export const textTags: ReadonlySet<number> = new Set([dngTags.uniqueCameraModel, ...emptiedTextTags]);

/**
 * Image tags that hold exactly one value (TIFF 6.0 sections 8 and 14–22): extra values are slack a
 * reader never looks at, so a clean writes the first one only.
 */
export const singleValueTags: ReadonlySet<number> = new Set([
  0x00fe, 0x00ff, 0x0100, 0x0101, 0x0103, 0x0106, 0x0107, 0x0108, 0x0109, 0x010a, 0x0112, 0x0115, 0x0116,
  0x011a, 0x011b, 0x011c, 0x011e, 0x011f, 0x0122, 0x0124, 0x0125, 0x0128, 0x013d, 0x0142, 0x0143, 0x014c,
  0x014e, 0x0200, 0x0201, 0x0202, 0x0203, 0x0205, 0x0213,
]);

/** Image tags with a fixed number of values (TIFF 6.0 sections 20–21): values past it are slack. */
export const fixedCountTags: ReadonlyMap<number, number> = new Map([
  [0x011a, 1], [0x011b, 1], // X/YResolution
  [0x0129, 2], // PageNumber
  [0x013e, 2], // WhitePoint
  [0x013f, 6], // PrimaryChromaticities
  [0x0141, 2], // HalftoneHints
  [0x0211, 3], // YCbCrCoefficients
  [0x0212, 2], // YCbCrSubSampling
  [0x0214, 6], // ReferenceBlackWhite
  [0x828d, 2], // CFARepeatPatternDim
  // DNG 1.7.1 chapter 4: tags with one value, or a fixed number of values.
  [0xc612, 4], [0xc613, 4], [0xc617, 1], [0xc619, 2], [0xc61e, 2], [0xc61f, 2], [0xc620, 2], [0xc629, 2],
  [0xc62a, 1], [0xc62b, 1], [0xc62c, 1], [0xc62d, 1], [0xc62e, 1], [0xc631, 1], [0xc632, 1], [0xc633, 1],
  [0xc65a, 1], [0xc65b, 1], [0xc65c, 1], [0xc68d, 4], [0xc6bf, 1], [0xc6f7, 1], [0xc6fd, 1], [0xc71a, 1],
  [0xc71e, 2], [0xc71f, 1], [0xc7a3, 1], [0xc7a4, 1], [0xc7a5, 1], [0xc7a6, 1], [0xc764, 1], [0xc772, 2],
  [0xc7e9, 1], [0xc7ea, 1], [0xc7eb, 1], [0xc7ec, 1], [0xc7ed, 1], [0xcd31, 1], [0xcd43, 1],
]);

/**
 * DNG colour tags whose count is a multiple of the number of colour planes N (DNG 1.7.1: N is
 * CFAPlaneColor's count for CFA data, SamplesPerPixel otherwise, 3 by default): values past
 * multiple × N are slack.
 */
export const colourPlaneTags: ReadonlyMap<number, (planes: number) => number> = new Map([
  [0xc621, (n: number) => 3 * n], [0xc622, (n: number) => 3 * n], [0xcd33, (n: number) => 3 * n], // ColorMatrix1–3
  [0xc623, (n: number) => n * n], [0xc624, (n: number) => n * n], [0xcd32, (n: number) => n * n], // CameraCalibration1–3
  [0xc625, (n: number) => 3 * n], [0xc626, (n: number) => 3 * n], [0xcd3a, (n: number) => 3 * n], // ReductionMatrix1–3
  [0xc627, (n: number) => n], [0xc628, (n: number) => n], // AnalogBalance, AsShotNeutral
  [0xc714, (n: number) => 3 * n], [0xc715, (n: number) => 3 * n], [0xcd34, (n: number) => 3 * n], // ForwardMatrix1–3
]);

/** Image tags with one value per sample (BitsPerSample, Min/MaxSampleValue, SampleFormat). */
export const perSampleTags: ReadonlySet<number> = new Set([0x0102, 0x0118, 0x0119, 0x0153]);

export const jpegTablesTag = 0x015b;
export const samplesPerPixelTag = 0x0115;
