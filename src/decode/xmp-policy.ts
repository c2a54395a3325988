/**
 * What each XMP property is, and which ones a cleaner may keep.
 * References: ISO 16684-1 and XMP Part 2 (xmp, xmpMM, xmpRights, dc, tiff, exif); CIPA DC-010
 * (exifEX); IPTC Photo Metadata Standard 2023.2 (Iptc4xmpCore: Location, CountryCode,
 * CreatorContactInfo with CiAdrCity/CiAdrCtry/CiAdrExtadr/CiAdrPcode/CiAdrRegion; Iptc4xmpExt:
 * LocationCreated/LocationShown); PLUS LDF (Licensor, CopyrightOwner, … with their addresses);
 * MWG 2.0 regions; ExifTool XMP tables (aux:ImageNumber, crs:RawFileName, drone-dji fields).
 *
 * Both keep decisions are ALLOW-lists: a property is kept only when its namespace is known and the
 * property is known to hold no place (location mode) or nothing personal (sidecars, default mode).
 * An unfamiliar namespace or property is removed.
 */
import type { XmpName, XmpNode, XmpValue } from './xmp-model.js';
import { findCoordinatesInText } from './coordinates.js';
import { namespaces as ns } from './xmp-namespaces.js';

/** Local names that name or locate a place, in any namespace and at any depth. */
const placeLocalName =
  /GPS|Gps|Latitude|Longitude|Longtitude|Altitude|^City$|City$|^State$|Country|Ctry|Sublocation|^Location|LocationCreated|LocationShown|ProvinceState|Province|WorldRegion|Coordinates|^Geo|Address|Street|Postal|PostCode|Pcode|^CiAdr|Extadr|Region$|Location$/;

/**
 * Local names that look like places and are not: MWG face/area regions, and exif:SubjectLocation
 * (a pixel position in the picture). Checked before `placeLocalName`.
 */
const notPlaceLocalName = /^(Regions|RegionList|RegionInfo|SubjectLocation)$/;

/** True for a property or field local name that reveals a place (GPS, address, city, country, …). */
export function isPlaceLocalName(local: string): boolean {
  return !notPlaceLocalName.test(local) && placeLocalName.test(local);
}

/** Namespaces whose every property is about a place or a flight position. */
const placeNamespaces = new Set<string>([ns['drone-dji'], ns.Camera]);

export function isPlaceProperty(name: XmpName): boolean {
  return placeNamespaces.has(name.uri) || isPlaceLocalName(name.local);
}

type AllowList = ReadonlyMap<string, ReadonlySet<string> | 'all'>;

const allow = (entries: [string, string[] | 'all'][]): AllowList => new Map(entries.map(([uri, names]) => [uri, names === 'all' ? 'all' : new Set(names)]));

/** exif: properties that describe the exposure and the picture, not the device or a time or a place. */
const exifExposure = [
  'ExifVersion', 'FlashpixVersion', 'ColorSpace', 'ComponentsConfiguration', 'CompressedBitsPerPixel', 'PixelXDimension', 'PixelYDimension',
  'ExposureTime', 'FNumber', 'ExposureProgram', 'ISOSpeedRatings', 'ShutterSpeedValue', 'ApertureValue', 'BrightnessValue',
  'ExposureBiasValue', 'MaxApertureValue', 'SubjectDistance', 'MeteringMode', 'LightSource', 'Flash', 'FocalLength', 'SubjectArea',
  'FlashEnergy', 'FocalPlaneXResolution', 'FocalPlaneYResolution', 'FocalPlaneResolutionUnit', 'SubjectLocation', 'ExposureIndex',
  'SensingMethod', 'FileSource', 'SceneType', 'CustomRendered', 'ExposureMode', 'WhiteBalance', 'DigitalZoomRatio',
  'FocalLengthIn35mmFilm', 'SceneCaptureType', 'GainControl', 'Contrast', 'Saturation', 'Sharpness', 'SubjectDistanceRange',
];
const exifExExposure = ['PhotographicSensitivity', 'SensitivityType', 'RecommendedExposureIndex', 'ISOSpeed', 'Gamma'];
/** tiff: properties that describe the image layout and orientation. */
const tiffLayout = [
  'ImageWidth', 'ImageLength', 'BitsPerSample', 'Compression', 'PhotometricInterpretation', 'Orientation', 'SamplesPerPixel',
  'PlanarConfiguration', 'YCbCrSubSampling', 'YCbCrPositioning', 'XResolution', 'YResolution', 'ResolutionUnit',
  'TransferFunction', 'WhitePoint', 'PrimaryChromaticities', 'YCbCrCoefficients', 'ReferenceBlackWhite',
];

/**
 * Location mode (`--only location`): what is kept. Everything else goes: unfamiliar namespaces,
 * GPS and place fields, keyword trees (they hold place hierarchies: `Places|France|Paris`), XMP
 * thumbnails (pictures with their own metadata), xmpMM:Pantry (other documents' whole XMP),
 * motion-photo and depth pointers (their data is removed with the trailer), vendor blocks.
 * Free text that is not a place field (titles, captions, rights) is kept: that is the mode's promise.
 */
const locationModeAllowList: AllowList = allow([
  [ns.dc, ['title', 'description', 'creator', 'rights', 'format', 'date', 'contributor', 'publisher', 'language', 'type', 'identifier', 'source']],
  [ns.xmp, ['CreateDate', 'ModifyDate', 'MetadataDate', 'CreatorTool', 'Rating', 'Label', 'Nickname', 'Identifier']],
  [ns.xmpRights, ['Marked', 'WebStatement', 'UsageTerms', 'Owner', 'Certificate']],
  [ns.xmpMM, ['DocumentID', 'InstanceID', 'OriginalDocumentID', 'DerivedFrom', 'History', 'VersionID', 'RenditionClass', 'PreservedFileName']],
  [ns.photoshop, ['AuthorsPosition', 'CaptionWriter', 'Category', 'ColorMode', 'ICCProfile', 'Credit', 'DateCreated', 'Headline', 'Instructions', 'Source', 'TransmissionReference', 'Urgency', 'History', 'LegacyIPTCDigest']],
  [ns.tiff, [...tiffLayout, 'DateTime', 'ImageDescription', 'Make', 'Model', 'Software', 'Artist', 'Copyright', 'NativeDigest']],
  [ns.exif, [...exifExposure, 'DateTimeOriginal', 'DateTimeDigitized', 'UserComment', 'ImageUniqueID', 'NativeDigest', 'SpectralSensitivity', 'OECF', 'SpatialFrequencyResponse', 'DeviceSettingDescription', 'CFAPattern']],
  [ns.exifEX, [...exifExPosureAll()]],
  [ns.aux, ['SerialNumber', 'Lens', 'LensID', 'LensInfo', 'LensSerialNumber', 'ImageNumber', 'Firmware', 'FlashCompensation', 'OwnerName', 'ApproximateFocusDistance', 'LensDistortInfo', 'IsMergedHDR', 'IsMergedPanorama', 'DistortionCorrectionAlreadyApplied', 'LateralChromaticAberrationCorrectionAlreadyApplied', 'VignetteCorrectionAlreadyApplied', 'EnhanceDetailsAlreadyApplied', 'EnhanceSuperResolutionAlreadyApplied', 'EnhanceDenoiseAlreadyApplied']],
  [ns.crs, 'all'],
  [ns.crss, 'all'],
  [ns.Iptc4xmpCore, ['IntellectualGenre', 'Scene', 'SubjectCode', 'CreatorContactInfo', 'AltTextAccessibility', 'ExtDescrAccessibility']],
  [ns.Iptc4xmpExt, ['PersonInImage', 'Event', 'DigitalSourceType', 'ModelAge', 'OrganisationInImageName', 'OrganisationInImageCode', 'MaxAvailWidth', 'MaxAvailHeight', 'AddlModelInfo']],
  [ns.plus, 'all'],
  [ns['mwg-rs'], ['Regions']],
  [ns.xmpDM, ['duration', 'videoFrameRate', 'videoFrameSize', 'videoPixelAspectRatio', 'videoFieldOrder', 'videoColorSpace', 'videoCompressor', 'audioSampleRate', 'audioSampleType', 'audioChannelType', 'audioCompressor', 'startTimecode', 'altTimecode', 'fileDataRate']],
  [ns.pdf, ['Producer', 'PDFVersion', 'Trapped']],
  [ns.hdrgm, 'all'],
  // Panorama projection (how a viewer wraps the picture); headings are directions, not places.
  [ns.GPano, 'all'],
]);

function exifExPosureAll(): string[] {
  return [...exifExExposure, 'CameraOwnerName', 'BodySerialNumber', 'LensSpecification', 'LensMake', 'LensModel', 'LensSerialNumber', 'InteroperabilityIndex', 'OffsetTime', 'OffsetTimeOriginal', 'OffsetTimeDigitized', 'SubSecTime', 'SubSecTimeOriginal', 'SubSecTimeDigitized', 'CompositeImage'];
}

/**
 * Namespaces of struct fields inside kept properties (resource references, events, dimensions,
 * areas, contact info, licences). A field from any other namespace is removed with its value.
 */
const fieldNamespaces = new Set<string>([
  ns.stRef, ns.stEvt, ns.stVer, ns.stDim, ns.stFnt, ns.stJob, ns.stArea, ns.xmpG, ns['mwg-rs'], ns.Iptc4xmpCore, ns.Iptc4xmpExt,
  ns.plus, ns.exif, ns.exifEX, ns.crs, ns.crss, ns.dc, ns.xmp, ns.xmpidq, ns.rdf, ns.tiff, ns.photoshop, ns.xmpRights,
]);

/**
 * Sidecar files in the default mode keep only what develops the picture: Camera Raw and
 * Lightroom develop settings, darktable's edit history, orientation and image layout, and the
 * exposure settings raw converters read (white balance, exposure, ISO, aperture, flash). These
 * describe how the picture is rendered, not who took it, with what, when or where. Removed from
 * crs: the original file name (crs:RawFileName) and the lens profile names (they name the lens).
 */
const sidecarAllowList: AllowList = allow([
  [ns.crs, 'all'],
  [ns.crss, 'all'],
  [ns.tiff, tiffLayout],
  [ns.exif, exifExposure],
  [ns.exifEX, exifExExposure],
  [ns.darktable, ['xmp_version', 'history', 'history_end', 'history_basic_hash', 'history_current_hash', 'iop_order_version', 'iop_order_list', 'auto_presets_applied', 'masks_history', 'raw_params']],
]);

const sidecarDenied = new Set([`${ns.crs}RawFileName`, `${ns.crs}LensProfileFilename`, `${ns.crs}LensProfileName`, `${ns.crs}LensProfileDigest`, `${ns.crs}CameraProfileDigest`]);

function allowed(list: AllowList, name: XmpName): boolean {
  const names = list.get(name.uri);
  return names === 'all' || (names !== undefined && names.has(name.local));
}

/** Location mode: the property (with its value filtered) to keep, or undefined to remove it. */
export function keepForLocationMode(property: XmpNode): XmpNode | undefined {
  if (isPlaceProperty(property.name) || !allowed(locationModeAllowList, property.name)) return undefined;
  // A free-text value (title, description, label…) that spells coordinates or a map link is a place.
  if (valueTexts(property.value).some(spellsPlace)) return undefined;
  return withFilteredValue(property, (field) => fieldNamespaces.has(field.name.uri) && !isPlaceProperty(field.name));
}

const mapLink = /\bgeo:|maps\.(?:google|apple)|openstreetmap\.org|goo\.gl\/maps|what3words/i;

/** True when text spells coordinates (any notation `findCoordinatesInText` reads) or a map link. */
export function spellsPlace(text: string): boolean {
  return mapLink.test(text) || findCoordinatesInText(text.slice(0, 1024 * 1024)).length > 0;
}

/** True when the printable runs of some bytes (EXIF strings, say) spell a place. */
export function bytesSpellPlace(data: Buffer): boolean {
  const runs = data.subarray(0, 4 * 1024 * 1024).toString('latin1').match(/[\x20-\x7e\xb0\xba]{4,}/g) ?? [];
  return runs.some(spellsPlace);
}

function valueTexts(value: XmpValue): string[] {
  switch (value.kind) {
    case 'simple':
      return [value.text];
    case 'uri':
      return [value.uri];
    case 'array':
      return value.items.flatMap((item) => valueTexts(item.value));
    case 'struct':
      return value.fields.flatMap((field) => valueTexts(field.value));
  }
}

/** Sidecars in the default mode: the property to keep, or undefined to remove it. */
export function keepForSidecar(property: XmpNode): XmpNode | undefined {
  if (isPlaceProperty(property.name) || sidecarDenied.has(property.name.uri + property.name.local) || !allowed(sidecarAllowList, property.name)) return undefined;
  return withFilteredValue(property, (field) => (field.name.uri === property.name.uri || fieldNamespaces.has(field.name.uri)) && !isPlaceProperty(field.name) && !sidecarDenied.has(field.name.uri + field.name.local));
}

/**
 * `node` with only the struct fields (at every depth, in arrays too) that pass `keepField`: a copy
 * where something goes, `node` itself where nothing does.
 */
export function withFilteredValue(node: XmpNode, keepField: (field: XmpNode) => boolean): XmpNode {
  // What nothing was filtered out of is returned as it is (the same object): callers tell a
  // property kept whole from one kept in part by identity, without writing both out to compare.
  const filter = (value: XmpValue): XmpValue => {
    switch (value.kind) {
      case 'struct': {
        let changed = false;
        const fields: XmpNode[] = [];
        for (const field of value.fields) {
          if (!keepField(field)) {
            changed = true;
            continue;
          }
          const inner = filter(field.value);
          changed ||= inner !== field.value;
          fields.push(inner === field.value ? field : { ...field, value: inner });
        }
        return changed ? { kind: 'struct', fields } : value;
      }
      case 'array': {
        let changed = false;
        const items = value.items.map((item) => {
          const inner = filter(item.value);
          if (inner === item.value) return item;
          changed = true;
          return { ...item, value: inner };
        });
        return changed ? { kind: 'array', form: value.form, items } : value;
      }
      default:
        return value;
    }
  };
  const value = filter(node.value);
  return value === node.value ? node : { ...node, value };
}

/** Namespaces summarised in one finding (hundreds of develop settings say nothing about a person). */
export function isDevelopSetting(name: XmpName): boolean {
  if (sidecarDenied.has(name.uri + name.local)) return false;
  return name.uri === ns.crs || name.uri === ns.crss || name.uri === ns.crd || (name.uri === ns.darktable && allowed(sidecarAllowList, name));
}

/** True for properties on the sidecar allow-list (reported together, as develop settings). */
export function isHarmlessSetting(name: XmpName): boolean {
  return isDevelopSetting(name) || (allowed(sidecarAllowList, name) && !isPlaceProperty(name) && !sidecarDenied.has(name.uri + name.local));
}
