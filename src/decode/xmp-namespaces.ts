/**
 * XMP namespaces traceless knows, by URI, with the prefix it writes for each.
 * References: ISO 16684-1 Annex and Adobe XMP Specification Part 2 (standard schemas); IPTC Photo
 * Metadata Standard 2023.2; PLUS License Data Format; MWG Guidelines 2.0 (regions, keywords);
 * ExifTool's XMP tag tables (vendor namespaces: DJI, Google, digiKam, Microsoft, darktable).
 */
export const namespaces = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  x: 'adobe:ns:meta/',
  dc: 'http://purl.org/dc/elements/1.1/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  xmpRights: 'http://ns.adobe.com/xap/1.0/rights/',
  xmpMM: 'http://ns.adobe.com/xap/1.0/mm/',
  xmpBJ: 'http://ns.adobe.com/xap/1.0/bj/',
  xmpTPg: 'http://ns.adobe.com/xap/1.0/t/pg/',
  xmpG: 'http://ns.adobe.com/xap/1.0/g/',
  xmpGImg: 'http://ns.adobe.com/xap/1.0/g/img/',
  xmpDM: 'http://ns.adobe.com/xmp/1.0/DynamicMedia/',
  xmpNote: 'http://ns.adobe.com/xmp/note/',
  xmpidq: 'http://ns.adobe.com/xmp/Identifier/qual/1.0/',
  stRef: 'http://ns.adobe.com/xap/1.0/sType/ResourceRef#',
  stEvt: 'http://ns.adobe.com/xap/1.0/sType/ResourceEvent#',
  stVer: 'http://ns.adobe.com/xap/1.0/sType/Version#',
  stDim: 'http://ns.adobe.com/xap/1.0/sType/Dimensions#',
  stFnt: 'http://ns.adobe.com/xap/1.0/sType/Font#',
  stJob: 'http://ns.adobe.com/xap/1.0/sType/Job#',
  stArea: 'http://ns.adobe.com/xmp/sType/Area#',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  tiff: 'http://ns.adobe.com/tiff/1.0/',
  exif: 'http://ns.adobe.com/exif/1.0/',
  exifEX: 'http://cipa.jp/exif/1.0/',
  aux: 'http://ns.adobe.com/exif/1.0/aux/',
  crs: 'http://ns.adobe.com/camera-raw-settings/1.0/',
  crss: 'http://ns.adobe.com/camera-raw-saved-settings/1.0/',
  crd: 'http://ns.adobe.com/camera-raw-defaults/1.0/',
  lr: 'http://ns.adobe.com/lightroom/1.0/',
  pdf: 'http://ns.adobe.com/pdf/1.3/',
  Iptc4xmpCore: 'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/',
  Iptc4xmpExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  plus: 'http://ns.useplus.org/ldf/xmp/1.0/',
  'mwg-rs': 'http://www.metadataworkinggroup.com/schemas/regions/',
  'mwg-kw': 'http://www.metadataworkinggroup.com/schemas/keywords/',
  'mwg-coll': 'http://www.metadataworkinggroup.com/schemas/collections/',
  'drone-dji': 'http://www.dji.com/drone-dji/1.0/',
  GCamera: 'http://ns.google.com/photos/1.0/camera/',
  Container: 'http://ns.google.com/photos/1.0/container/',
  Item: 'http://ns.google.com/photos/1.0/container/item/',
  GDepth: 'http://ns.google.com/photos/1.0/depthmap/',
  GImage: 'http://ns.google.com/photos/1.0/image/',
  GPano: 'http://ns.google.com/photos/1.0/panorama/',
  hdrgm: 'http://ns.adobe.com/hdr-gain-map/1.0/',
  apdi: 'http://ns.apple.com/pixeldatainfo/1.0/',
  HDRGainMap: 'http://ns.apple.com/HDRGainMap/1.0/',
  digiKam: 'http://www.digikam.org/ns/1.0/',
  MicrosoftPhoto: 'http://ns.microsoft.com/photo/1.0/',
  MP: 'http://ns.microsoft.com/photo/1.2/',
  acdsee: 'http://ns.acdsee.com/iptc/1.0/',
  mediapro: 'http://ns.iview-multimedia.com/mediapro/1.0/',
  Camera: 'http://pix4d.com/camera/1.0/',
  darktable: 'http://darktable.sf.net/',
} as const;

export type KnownPrefix = keyof typeof namespaces;

const prefixByUri = new Map<string, string>(Object.entries(namespaces).map(([prefix, uri]) => [uri, prefix]));

/** The prefix traceless uses for a known namespace URI. */
export function knownPrefix(uri: string): string | undefined {
  return prefixByUri.get(uri);
}

/** `prefix:local` with the standard prefix when the namespace is known, else the packet's own. */
export function qualifiedName(name: { uri: string; local: string; prefix: string }): string {
  return `${knownPrefix(name.uri) ?? (name.prefix || 'ns')}:${name.local}`;
}
