/**
 * What a QuickTime/MP4 finding means (the closed vocabulary of `Finding.meaning`), decided by the
 * decoder from the atom type, item key or GPMF key it came from — the reports never read tag names.
 * References: Apple QuickTime File Format (user data atoms, metadata keys `com.apple.quicktime.*`);
 * ExifTool QuickTime and GoPro tag tables (GPMF `CASN`, `MINF`, `LINF`, `FMWR`, `MUID`).
 */
import type { Category, FindingMeaning, FindingValue } from '../../types.js';

const byTag: Record<string, FindingMeaning> = {
  '©mak': 'make', manu: 'make', 'com.apple.quicktime.make': 'make', 'com.android.manufacturer': 'make',
  '©mod': 'model', modl: 'model', CNMN: 'model', SDLN: 'model', 'com.apple.quicktime.model': 'model', 'com.android.model': 'model', 'GPMF/MINF': 'model', 'GPMF/DVNM': 'device-setting',
  CAME: 'serial', LENS: 'serial', 'GPMF/CASN': 'serial', 'GPMF/LINF': 'serial',
  '©swr': 'software', '©too': 'software', '©enc': 'software', '©hst': 'software', FIRM: 'software', CNFV: 'software', CNCV: 'software',
  'com.apple.quicktime.software': 'software', 'com.android.version': 'software', 'GPMF/FMWR': 'software',
  HandlerName: 'software', HandlerVendorID: 'software', VendorID: 'software', CompressorName: 'software',
  '©day': 'taken', 'com.apple.quicktime.creationdate': 'taken', yrrc: 'taken',
  CreateDate: 'timestamp', TrackCreateDate: 'timestamp', MediaCreateDate: 'timestamp', ModifyDate: 'modified', TrackModifyDate: 'modified', MediaModifyDate: 'modified',
  'com.apple.quicktime.content.identifier': 'identifier', MUID: 'identifier', GUMI: 'identifier', 'GPMF/MUID': 'identifier',
  '©nam': 'description', titl: 'description', '©cmt': 'description', '©des': 'description', dscp: 'description', '©inf': 'description',
  '©key': 'description', kywd: 'description', 'com.apple.quicktime.title': 'description', 'com.apple.quicktime.description': 'description',
  'com.apple.quicktime.keywords': 'description', 'com.apple.quicktime.comment': 'description',
  gpmd: 'telemetry-track', camm: 'telemetry-track', mebx: 'telemetry-track', GPS5: 'telemetry-track', GPS9: 'telemetry-track',
  '©xyz': 'gps-detail', loci: 'gps-detail', 'com.apple.quicktime.location.ISO6709': 'gps-detail',
  'com.apple.quicktime.location.accuracy.horizontal': 'gps-detail',
};

/** Numbers, rationals, codes and hashes are not names (of a device or of a place). */
const notAName = /^(?:[-+]?[\d.]+(?:\/[\d.]+)?[\s,;/]*)+$|^[0-9a-f]{16,}$/i;

function isLocation(value: FindingValue): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { latitude?: unknown }).latitude === 'number';
}

export function mp4Meaning(category: Category, tag: string, value: FindingValue, text: string): FindingMeaning {
  if (isLocation(value)) return 'gps-position';
  const known = byTag[tag];
  if (known) return known;
  const local = tag.replace(/^com\.apple\.quicktime\./, '');
  switch (category) {
    case 'location':
      return notAName.test(text) || /coordinates|iso6709|gps|latitude|longitude|altitude|accuracy/i.test(local) ? 'gps-detail' : 'place-name';
    case 'thumbnail':
      return 'thumbnail';
    case 'embedded':
      return 'embedded-data';
    case 'owner':
      return 'owner';
    case 'time':
      return 'timestamp';
    case 'device':
      if (/serial/i.test(local)) return 'serial';
      if (notAName.test(text)) return 'device-setting';
      if (/^make$|manufacturer/i.test(local)) return 'make';
      if (/^model$/i.test(local)) return 'model';
      if (/lens/i.test(local)) return 'lens';
      if (/software|encoder|firmware|version/i.test(local)) return 'software';
      return 'device-setting';
    default:
      return /identifier|uuid|unique/i.test(local) ? 'identifier' : 'other';
  }
}
