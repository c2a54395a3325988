/**
 * The one interface every container format implements. A format module only walks its container:
 * it lists metadata blocks (decoding payloads through `src/decode/`) and plans a clean copy as a
 * list of pieces; reading, writing, verification and reporting are written once, elsewhere.
 */
import type { ByteSource } from '../io/source.js';
import type { BlockKind, CleanMode, Finding, GeoLocation, MetadataBlock, Warning } from '../types.js';

/** What a container walker reports about one file. */
export interface ContainerReport {
  blocks: MetadataBlock[];
  findings: Finding[];
  locations: GeoLocation[];
  warnings: Warning[];
  /** Parts the walker recognised but could not decode (said plainly in `scan`). */
  unreadable: string[];
}

/**
 * What a copied range of the input is. Only image data (entropy-coded JPEG data, IDAT, VP8/VP8L/ALPH
 * bitstreams, HEIF/AVIF coded items, TIFF strips and tiles, GIF image data) and audio/video samples
 * may be copied byte for byte; everything else in an output is written by traceless (`bytes`) from
 * fields it parsed and validated, or is `zeros`. Verification refuses a copy without one of these.
 */
export type CopiedContent = 'image' | 'samples';

/**
 * A piece of the output: image or sample data copied from the input, bytes written by traceless,
 * or zeros. `content` is optional in the type only so a plan under construction type-checks; a
 * plan whose copies lack it is refused by verification (`checkPlanPieces`).
 */
export type Piece =
  | { kind: 'copy'; offset: number; length: number; content?: CopiedContent }
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'zeros'; length: number };

export interface PlanRemoval {
  where: string;
  kind: BlockKind;
  bytes: number;
  note?: string;
}

/** How to write the clean copy. An empty `removed` list means the input is already clean. */
export interface CleanPlan {
  pieces: Piece[];
  removed: PlanRemoval[];
  /** What was kept on purpose, in plain words (`ICC colour profile`, `orientation 6`). */
  kept: string[];
}

export interface PlanOptions {
  mode: CleanMode;
  keepOrientation: boolean;
  keepDates: boolean;
  /** Leave out the images a multi-picture file keeps after its first (HDR gain maps, MPO views). */
  dropExtraImages?: boolean;
}

export interface FormatHandler {
  /** Stable id used in JSON output and the README table. */
  readonly id: string;
  /** Name for people. */
  readonly name: string;
  /** Extensions commonly used (for batch discovery only: the format is always sniffed from bytes). */
  readonly extensions: readonly string[];
  /** True when `plan` is implemented and the format can be cleaned. */
  readonly cleanable: boolean;
  /** Whether these first bytes (up to 64) belong to this format. */
  sniff(head: Buffer): boolean;
  /**
   * Lists the metadata. Strict by default (what `clean` and verification rely on). With
   * `bestEffort`, damage and structures only `clean` needs to refuse are recorded in
   * `unreadable` (where and why) and reading goes on where the format lets it; a walker given a
   * `report` records into it, so whatever it found before a throw is kept by the caller.
   */
  inspect(source: ByteSource, options?: ContainerInspectOptions): ContainerReport;
  plan?(source: ByteSource, options: PlanOptions): CleanPlan;
}

/** How a walker reads (see `FormatHandler.inspect`). */
export interface ContainerInspectOptions {
  /** Read past damage and clean-only strictness, recording it in `unreadable` (scan, check). */
  bestEffort?: boolean;
  /** Where to record findings as they are found (kept when the walker throws part-way). */
  report?: ContainerReport;
}

/** The report a walker records into: the caller's, or a fresh one. */
export function reportFor(options: ContainerInspectOptions | undefined): ContainerReport {
  return options?.report ?? emptyReport();
}

export function emptyReport(): ContainerReport {
  return { blocks: [], findings: [], locations: [], warnings: [], unreadable: [] };
}

/** Adds `other` into `into` (for walkers that decode nested payloads). */
export function mergeReport(into: ContainerReport, other: ContainerReport): ContainerReport {
  into.blocks.push(...other.blocks);
  into.findings.push(...other.findings);
  into.locations.push(...other.locations);
  into.warnings.push(...other.warnings);
  into.unreadable.push(...other.unreadable);
  return into;
}
