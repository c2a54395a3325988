/** Public types of the traceless library: what `inspect`, `clean` and `verify` return. */

/** What a finding reveals about the person who made the file. */
export type Category = 'location' | 'device' | 'time' | 'owner' | 'thumbnail' | 'embedded' | 'other';

/** Report order: location first, because it matters most. */
export const categoryOrder: readonly Category[] = ['location', 'device', 'time', 'owner', 'thumbnail', 'embedded', 'other'];

/**
 * What a finding means, set by the decoder that made it: risk, device lines, summaries and the HTML key on
 * this, never on labels or tag names. A closed vocabulary.
 */
export type FindingMeaning =
  | 'gps-position' | 'gps-detail' | 'place-name' | 'telemetry-track'
  | 'make' | 'model' | 'serial' | 'lens' | 'software' | 'device-setting'
  | 'owner' | 'contact' | 'taken' | 'modified' | 'timestamp'
  | 'thumbnail' | 'embedded-image' | 'embedded-data'
  | 'identifier' | 'colour-profile' | 'orientation' | 'description' | 'other';

/** A GPS track (telemetry, dashcam, timed text): the location carrying it is the first fix. */
export interface GeoTrack {
  /** Number of fixes in the track. */
  fixes: number;
  /** ISO 8601 time of the first and of the last fix, when the track records them. */
  start?: string;
  end?: string;
  /** Bounding box of every fix, signed decimal degrees. */
  extent: { south: number; west: number; north: number; east: number };
  /** At most 500 fixes, evenly thinned, for drawing a line: [latitude, longitude]. */
  path: [number, number][];
}

export type FindingValue = string | number | boolean | null | GeoLocation | readonly (string | number)[];

/** One decoded piece of metadata. */
export interface Finding {
  category: Category;
  /** Where it sits in the file, e.g. `APP1/Exif/GPS` or `moov/udta/©xyz`. */
  where: string;
  /** The tag's own name, e.g. `GPSLatitude`, `Make`, `photoshop:City`. */
  tag: string;
  /** Plain words for people, e.g. `Camera model`. */
  label: string;
  meaning?: FindingMeaning;
  value: FindingValue;
  /** The value rendered for people (may contain hostile characters: renderers sanitise). */
  text: string;
  /**
   * True for what traceless keeps on purpose (orientation, colour profile, what a DNG reader needs):
   * such a finding does not make a cleaned file fail verification.
   */
  retained?: boolean;
}

/** A place, decoded to signed decimal degrees (north and east positive). */
export interface GeoLocation {
  latitude: number;
  longitude: number;
  /** Metres above sea level (negative below). */
  altitude?: number;
  /** The GPS clock, ISO 8601 UTC, when the file records it. */
  gpsTime?: string;
  /** Horizontal accuracy in metres, when the file records it. */
  accuracyMeters?: number;
  where: string;
  track?: GeoTrack;
}

/** Kinds of metadata block a container walker can find. */
export type BlockKind =
  | 'exif' | 'xmp' | 'xmp-extended' | 'iptc' | 'photoshop' | 'icc' | 'comment' | 'text'
  | 'thumbnail' | 'trailer' | 'mpf' | 'flashpix' | 'vendor' | 'jfif' | 'adobe' | 'timestamp'
  | 'c2pa' | 'quicktime' | 'telemetry' | 'other';

/** A block of metadata in the container, with the byte range it occupies. */
export interface MetadataBlock {
  where: string;
  kind: BlockKind;
  offset: number;
  length: number;
  /** Free text for people: the APPn identifier, chunk key, box path. */
  note?: string;
}

export interface Warning {
  code: string;
  message: string;
  severity: 'info' | 'warning';
}

export interface FormatInfo {
  /** Stable id: `jpeg`, `png`, `heic`, `mp4`, … or `unknown`. */
  id: string;
  /** Name for people: `JPEG`, `HEIC`. */
  name: string;
  /** Whether `clean` can write a stripped copy of this format. */
  cleanable: boolean;
}

/** What `inspect` returns for one file. */
export interface Inspection {
  file: string;
  format: FormatInfo;
  size: number;
  blocks: MetadataBlock[];
  findings: Finding[];
  /** Every location found, decoded, in the order found (the most precise first where known). */
  locations: GeoLocation[];
  warnings: Warning[];
  /** Parts of the file that could not be read; a scan says so plainly. */
  unreadable: string[];
}

export type CleanMode = 'all' | 'location';

export interface CleanOptions {
  /** `all` (default) removes every metadata block; `location` removes only what reveals place. */
  only?: CleanMode;
  /** Keep the orientation (default true): written back as a minimal block where needed. */
  keepOrientation?: boolean;
  /** Keep creation/modification times in containers where zeroing is the default (video). */
  keepDates?: boolean;
  /** Replace the input file (temporary file, verify, rename). */
  inPlace?: boolean;
  /** Overwrite an existing output. */
  force?: boolean;
  /** Give the output the input's modification time (people sort photos by it). */
  keepMtime?: boolean;
  /** With inPlace: keep the original beside the clean file, named original + this suffix. */
  backupSuffix?: string;
  /** Plan and verify in memory, report what would be removed and written, write nothing. */
  dryRun?: boolean;
}

/** One thing the cleaner removed. */
export interface Removal {
  where: string;
  kind: BlockKind;
  bytes: number;
  /** Free text: what it held, in a few words. */
  note?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Findings still present that must not be. */
  remaining: Finding[];
  /** Blocks a second clean would still remove. */
  removableBlocks: string[];
  problems: string[];
}

/** `skipped`: the output already existed and verified clean, so it was left as it was (resumable runs). */
export type CleanStatus = 'cleaned' | 'already-clean' | 'skipped' | 'refused' | 'failed';

export interface CleanResult {
  file: string;
  output: string | null;
  status: CleanStatus;
  format: FormatInfo;
  removed: Removal[];
  kept: string[];
  verification: VerifyResult | null;
  error: { code: string; message: string } | null;
  bytesWritten: number;
  /** True when nothing was written because of `dryRun`. */
  dryRun?: boolean;
  /** With `dryRun`: the bytes the output would have. */
  wouldWrite?: number;
  /** Size of the input in bytes. */
  bytesRead?: number;
}
