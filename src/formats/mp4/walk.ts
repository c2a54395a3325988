/**
 * Walks an MP4/MOV/3GP file once and says, for one clean mode, what it reveals and which bytes
 * to change. Inspection and planning share this walk, so every finding has a matching edit in
 * `all` mode and a cleaned file re-inspects clean.
 *
 * References: ISO/IEC 14496-12:2022 (§8.2 movie/track/media headers, §8.4.3 hdlr, §8.7 sample
 * tables, §8.8 movie fragments, §8.10–8.11 udta/meta); Apple QuickTime File Format (user data,
 * metadata keys, `©xyz`, sample descriptions); 3GPP TS 26.244 §8 (`loci` and other asset boxes).
 *
 * Only box headers and the `moov` box are read (plus a few samples of metadata tracks); `mdat`
 * is never read whole.
 */
import { TracelessError, asTracelessError } from '../../errors.js';
import { limits } from '../../limits.js';
import type { ByteSource } from '../../io/source.js';
import { formatBytes, formatLocation } from '../../decode/exif.js';
import { isLocationProperty, readXmpProperties, removeXmpProperties, xmpText } from '../../decode/xmp.js';
import { reportXmpPacket } from '../../decode/payload-report.js';
import type { BlockKind, Category, Finding, FindingMeaning, FindingValue, GeoLocation } from '../../types.js';
import { emptyReport, mergeReport, type ContainerReport, type PlanOptions, type PlanRemoval } from '../types.js';
import { BoxBudget, payloadSize, payloadStart, printable, readBoxes, readChildren, type Box } from '../isobmff/boxes.js';
import { isAllZero, macTimeToIso, shorten } from './bytes.js';
import { EditList } from './edits.js';
import { decodeGpmfGps } from './gpmf.js';
import { mp4Meaning } from './meaning.js';
import { classifyItem, isHarmlessItem, isLocationItem, keyNameRanges, keysSlack, readIlstItems, readKeys, rebuildIlst, reemitItem, type IlstItem } from './item-list.js';
import { chunkRanges, forEachSample, readSampleTable, type ByteRange, type SampleTable, type SampleTableBoxes } from './sample-table.js';
import { parseIso6709 } from './iso6709.js';
import { loadSlice } from './slice-source.js';
import { cammGpsTypes, decodeCamm, decodeMebxFixes, decodeTimecode, readMebxKeys } from './telemetry.js';
import { TrackBuilder, describeTrack } from '../../decode/geo-track.js';
import { decodeDjmdFix, djmdProtocol } from './djmd.js';
import { mergeRanges, unreferencedRanges } from './media-data.js';
import { decodeFreeGpsBlock, freeGpsBlockAt, readGpsIndex, scanFreeGps, type FreeGpsBlock } from './free-gps.js';
import { readFragmentRuns, readTrackDefaults, type FragmentRun } from './fragments.js';
import { sampleEntryLayout, timedTextFormats } from './sample-entry.js';
import { timedTextOf } from './timed-text.js';
import { findCoordinatesInText } from '../../decode/coordinates.js';
import { decodeUserDataAtom, definedUserDataLength, userDataAtoms } from './user-data.js';

const xmpUuid = 'be7acfcb97a942e89c71999491e3afac';
const paddingTypes = new Set(['free', 'skip', 'wide']);
/** Track handlers whose samples are pictures or sound (kept), timed text (read) or timecode. */
const mediaHandlers = new Set(['vide', 'soun']);
const textHandlers = new Set(['text', 'sbtl', 'subt', 'clcp']);
/** Sample entry formats of timed metadata (telemetry) tracks. */
const telemetryFormats = new Set(['gpmd', 'camm', 'mebx', 'djmd', 'dbgi', 'rtmd', 'fdsc', 'metx', 'mett', 'urim']);
/**
 * User-data atoms known to hold no place, kept in location mode: QuickTime © text atoms other than
 * `©xyz` are added by prefix; 3GPP assets; GoPro's firmware, lens, serial, settings and IDs.
 */
const locationFreeAtoms = new Set(['titl', 'dscp', 'cprt', 'perf', 'auth', 'gnre', 'albm', 'yrrc', 'kywd', 'rtng', 'clsf', 'name', 'hnti', 'hinf', 'chpl', 'tsel', 'kind', 'ludt', 'FIRM', 'LENS', 'CAME', 'SETT', 'MUID', 'HMMT', 'BCID', 'GUMI', 'GPMF', 'manu', 'modl']);
/** Compressor names FFmpeg uses to choose a decoder (libavformat/mov.c): these are kept. */
const decodingCompressorNames = /^(Planar Y'CbCr|Sorenson H263)/;
/** Most bytes of timed text read from one track; a track that cannot be read in full is removed. */
const maxTimedTextBytes = 64 * 1024 * 1024;
/** Handler names that say nothing about the maker (ffmpeg and most muxers write these). */
const genericHandlerName = /^(|(video|sound|audio|data|text|subtitle|hint|meta(data)?|time ?code|chapter|closed ?caption|url|alias)\s*(media\s*)?handler?s?)$/i;

const telemetryLabels: Record<string, string> = {
  gpmd: 'GoPro telemetry track (GPMF: GPS, motion sensors)',
  camm: 'Camera motion metadata track (camm)',
  mebx: 'Apple timed metadata track (mebx)',
  djmd: 'DJI telemetry track (djmd)',
  dbgi: 'DJI debug data track (dbgi)',
  rtmd: 'Sony real-time metadata track (rtmd)',
  fdsc: 'GoPro file recovery track (fdsc)',
};

/**
 * Most samples and bytes read from one metadata track to gather its GPS track: an hour of GoPro
 * telemetry is about 3,600 samples and 30 MB. Past this the track is reported from what was read.
 */
const maxSamplesRead = 100_000;
const maxSampleBytesRead = 64 * 1024 * 1024;
/** A single sample larger than this is not telemetry anyone writes: skipped unread. */
const maxOneSampleBytes = 4 * 1024 * 1024;
/** The same budget for all metadata tracks of one file together (a file may repeat a track). */
const maxFileSamplesRead = 200_000;
const maxFileSampleBytesRead = 256 * 1024 * 1024;

/** Edits and removals of one part of the file (a track's are dropped when the whole track goes). */
class Scope {
  readonly edits = new EditList();
  readonly removed: PlanRemoval[] = [];
  /** Regions zeroed that no kept sample may lie in. */
  readonly guarded: ByteRange[] = [];

  merge(other: Scope): void {
    this.edits.edits.push(...other.edits.edits);
    this.removed.push(...other.removed);
    this.guarded.push(...other.guarded);
  }
}

interface SampleEntry {
  type: string;
  box: Box;
}

interface Track {
  index: number;
  trackId: number;
  where: string;
  box: Box;
  scope: Scope;
  handler: string;
  entries: SampleEntry[];
  tables: SampleTableBoxes;
  externalReferences: string[];
}

export interface Mp4Analysis {
  report: ContainerReport;
  edits: EditList;
  removed: PlanRemoval[];
  kept: string[];
  /** Why this file cannot be cleaned (empty when it can). */
  refusals: string[];
  /** Top-level boxes, in file order. */
  boxes: Box[];
  /** Whether the bytes after the last box are a few zeros, written again as zeros (else they are cut). */
  trailingZeros: boolean;
  /** The `moov` box held in memory. */
  movie: ByteSource;
  /** Byte ranges of the samples of kept tracks (sample tables and fragment runs). */
  keptSamples: ByteRange[];
  /** Offsets of removed `trak` boxes, and their track IDs. */
  droppedTracks: Set<number>;
  droppedTrackIds: Set<number>;
  /** Regions the walker zeroes (removed boxes, samples of removed tracks): no kept sample may lie in one. */
  guarded: ByteRange[];
  budget: BoxBudget;
}

/**
 * How the walk reads. `lenient` (best-effort inspection, never a plan): a box cut short by the end
 * of the file is read as far as it goes, and what was cut is recorded in `report.unreadable`; `report` receives the findings as they are made.
 */
export interface Mp4Reading {
  lenient?: boolean;
  report?: ContainerReport;
}

export function analyseMp4(source: ByteSource, options: PlanOptions, reading: Mp4Reading = {}): Mp4Analysis {
  const walker = new Walker(source, options, reading);
  walker.run();
  const keptSamples: ByteRange[] = [];
  for (const { track, table } of walker.keptTables) keptSamples.push(...chunkRanges(table, source.size, track.where, false));
  const keptIds = new Set(walker.keptTables.map(({ track }) => track.trackId));
  for (const run of walker.fragmentRuns) if (keptIds.has(run.trackId)) keptSamples.push({ offset: run.offset, length: run.length });
  return {
    report: walker.report,
    edits: walker.top.edits,
    removed: walker.top.removed,
    kept: [...walker.kept],
    refusals: walker.refusals,
    boxes: walker.boxes,
    trailingZeros: walker.trailingZeros,
    movie: walker.movieSource,
    keptSamples,
    droppedTracks: walker.droppedTracks,
    droppedTrackIds: walker.droppedTrackIds,
    guarded: walker.top.guarded,
    budget: walker.budget,
  };
}

class Walker {
  readonly report: ContainerReport;
  readonly top = new Scope();
  readonly kept = new Set<string>();
  readonly refusals: string[] = [];
  readonly budget: BoxBudget;
  private readonly lenient: boolean;
  private fragmented = false;
  /** Top-level 'mdat' boxes: the only places where samples to be zeroed may lie. */
  private mediaData: Box[] = [];
  private readonly tracks: Track[] = [];
  readonly keptTables: { track: Track; table: SampleTable }[] = [];
  /** Every track's sample table, kept or removed: what lies between their samples may be dashcam GPS. */
  private readonly allTables: { track: Track; table: SampleTable }[] = [];
  readonly droppedTracks = new Set<number>();
  readonly droppedTrackIds = new Set<number>();
  boxes: Box[] = [];
  /** A few zero bytes after the last box (some writers pad files): kept as zeros. */
  trailingZeros = false;
  fragmentRuns: FragmentRun[] = [];
  private movie: ByteSource | undefined;
  /** Metadata samples read so far in this file (see `maxFileSamplesRead`). */
  private samplesRead = 0;
  private sampleBytesRead = 0;
  /** Blocks the `gps ` box of `moov` points to (dashcams). */
  private gpsIndex: FreeGpsBlock[] = [];

  get movieSource(): ByteSource {
    return this.movie!;
  }

  constructor(
    private readonly source: ByteSource,
    private readonly options: PlanOptions,
    reading: Mp4Reading = {},
  ) {
    this.report = reading.report ?? emptyReport();
    this.lenient = reading.lenient ?? false;
    this.budget = new BoxBudget(this.lenient, this.report.unreadable);
  }

  private get removeAll(): boolean {
    return this.options.mode === 'all';
  }

  private get zeroDates(): boolean {
    return this.options.mode === 'all' && !this.options.keepDates;
  }

  run(): void {
    const { boxes, end } = readTopLevel(this.source, this.budget);
    this.boxes = boxes;
    this.trailingZeros = end < this.source.size && isAllZero(this.source.read(end, Math.min(this.source.size - end, 64 * 1024))) && this.source.size - end <= 64 * 1024;
    if (end < this.source.size && !this.trailingZeros) {
      // Bytes after the last box are no part of the movie: removed (the output ends with the last box).
      const bytes = this.source.size - end;
      this.find('other', 'file', 'TrailingData', 'Data after the end of the movie', bytes, formatBytes(bytes));
      this.report.blocks.push({ where: 'file', kind: 'trailer', offset: end, length: bytes, note: 'data after the last box' });
      this.top.removed.push({ where: 'after the last box', kind: 'trailer', bytes, note: 'data after the end of the movie removed' });
    }
    this.mediaData = boxes.filter((box) => box.type === 'mdat');
    const movies = boxes.filter((box) => box.type === 'moov');
    if (movies.length === 0) throw new TracelessError('MALFORMED', `no 'moov' box: the movie index is missing (an unfinished recording?)`);
    if (movies.length > 1) throw new TracelessError('MALFORMED', `${movies.length} 'moov' boxes: a movie has exactly one`);
    // Known before the tracks are judged: fragments hold samples that sample tables do not list.
    this.fragmented = boxes.some((box) => box.type === 'moof' || box.type === 'mfra');
    const moov = movies[0]!;
    this.movie = loadSlice(this.source, moov.offset, moov.size, limits.maxMetadataBytes, `'moov' box`);
    // Separate budgets (these boxes are counted again by the walk); what is cut short is said once, by the walk.
    const mvex = readChildren(this.movie, moov, new BoxBudget(this.lenient), 1).find((box) => box.type === 'mvex');
    if (mvex) this.fragmented = true;
    const defaults = readTrackDefaults(this.movie, mvex, new BoxBudget(this.lenient));
    for (const moof of boxes.filter((box) => box.type === 'moof')) {
      if (moof.size > limits.maxMetadataBytes) throw new TracelessError('LIMIT_EXCEEDED', `a 'moof' box of ${moof.size} bytes is more than the ${limits.maxMetadataBytes}-byte limit`);
      const slice = loadSlice(this.source, moof.offset, moof.size, limits.maxMetadataBytes, `'moof' box`);
      this.fragmentRuns.push(...readFragmentRuns(slice, moof, defaults, this.budget, `moof at ${moof.offset}`));
    }
    for (const box of boxes) this.topLevel(box);
    this.dashcamGps();
    this.checkKeptSamples();
    if (this.removeAll) this.kept.add('video and audio samples, copied byte for byte');
    else this.kept.add('everything that does not reveal a place');
    if (this.options.keepDates && this.options.mode === 'all') this.kept.add('creation and modification times');
  }

  // ---- findings -------------------------------------------------------------------------------

  private find(category: Category, where: string, tag: string, label: string, value: FindingValue, text: string, retained = false, meaning?: FindingMeaning): void {
    const finding: Finding = { category, where, tag, label, meaning: meaning ?? mp4Meaning(category, tag, value, text), value, text };
    if (retained) finding.retained = true;
    this.report.findings.push(finding);
  }

  private locate(location: GeoLocation, tag: string, label: string, detail?: string): void {
    this.report.locations.push(location);
    this.find('location', location.where, tag, label, location, detail ? `${formatLocation(location)}; ${detail}` : formatLocation(location), false, 'gps-position');
  }

  /** Reports a GPS track as one location (its first fix, carrying the track); false when it holds no fix. */
  private locateTrack(builder: TrackBuilder, where: string, label: string, detail?: string): boolean {
    const location = builder.location(where);
    if (!location) return false;
    this.report.locations.push(location);
    const text = `${describeTrack(location.track!)}, the first at ${formatLocation(location)}${detail ? `; ${detail}` : ''}`;
    this.find('location', where, 'GPSTrack', label, location, text, false, 'telemetry-track');
    return true;
  }

  private block(where: string, kind: BlockKind, box: Box, note?: string): void {
    const block = { where, kind, offset: box.offset, length: box.size };
    this.report.blocks.push(note === undefined ? block : { ...block, note });
  }

  private drop(source: ByteSource, box: Box, where: string, kind: BlockKind, note: string, scope: Scope): void {
    scope.edits.freeBox(source, box);
    scope.removed.push({ where, kind, bytes: box.size, note });
    scope.guarded.push({ offset: box.offset, length: box.size });
  }

  // ---- top level ------------------------------------------------------------------------------

  private topLevel(box: Box): void {
    const where = printable(box.type);
    if (box.type === 'moov') return this.movieBox(box);
    // Metadata boxes outside 'moov' are read whole from the file: the same cap as for 'moov'.
    if ((box.type === 'uuid' || box.type === 'meta' || box.type === 'udta') && box.size > limits.maxMetadataBytes) {
      throw new TracelessError('LIMIT_EXCEEDED', `top-level '${box.type}' box of ${box.size} bytes is more than the ${limits.maxMetadataBytes}-byte metadata limit`);
    }
    if (box.type === 'uuid') return this.uuid(this.source, box, where, this.top, true);
    if (box.type === 'meta') return this.meta(this.source, box, where, this.top, 1, true);
    if (box.type === 'udta') return this.userData(this.source, box, where, this.top, 1, true);
    if (box.type === 'prft') {
      // Producer reference time: the wall-clock time a fragment was made.
      this.find('time', where, 'ProducerReferenceTime', 'Wall-clock time of recording', box.size, 'NTP timestamp');
      this.block(where, 'timestamp', box);
      if (this.zeroDates) this.drop(this.source, box, where, 'timestamp', 'producer reference time', this.top);
      return;
    }
    if (box.type === 'PICT' || box.type === 'pnot') {
      this.find(box.type === 'PICT' ? 'thumbnail' : 'other', where, box.type, box.type === 'PICT' ? 'Preview picture' : 'Preview reference', box.size, formatBytes(box.size));
      this.block(where, 'thumbnail', box);
      // Its own metadata cannot be checked here: removed in both modes.
      this.drop(this.source, box, where, 'thumbnail', 'QuickTime preview', this.top);
    }
    // Everything else at the top level is judged by the keep-list (structure.ts).
  }

  private refuse(reason: string): void {
    if (!this.refusals.includes(reason)) this.refusals.push(reason);
  }

  // ---- moov -----------------------------------------------------------------------------------

  private movieBox(moov: Box): void {
    const movie = this.movie!;
    let trackIndex = 0;
    const children = readChildren(movie, moov, this.budget, 1);
    const trackCount = children.filter((child) => child.type === 'trak').length;
    const tooMany = `moov holds ${trackCount} tracks, more than the maximum of ${limits.maxTrackCount}`;
    if (trackCount > limits.maxTrackCount) {
      // A clean refuses; a best-effort inspection reads the first tracks and the rest of the movie.
      if (!this.lenient) throw new TracelessError('LIMIT_EXCEEDED', tooMany);
      this.report.unreadable.push(`${tooMany}: the tracks after the first ${limits.maxTrackCount} were not read`);
    }
    for (const child of children) {
      const where = `moov/${printable(child.type)}`;
      switch (child.type) {
        case 'mvhd':
          this.dates(movie, child, where, ['CreateDate', 'ModifyDate'], ['Created', 'Modified'], this.top);
          break;
        case 'trak':
          if (trackIndex >= limits.maxTrackCount) break;
          trackIndex += 1;
          this.tracks.push(this.track(movie, child, trackIndex));
          break;
        case 'udta':
          this.userData(movie, child, where, this.top, 2, true);
          break;
        case 'meta':
          this.meta(movie, child, where, this.top, 2, true);
          break;
        case 'uuid':
          this.uuid(movie, child, where, this.top, true);
          break;
        case 'gps ':
          // Dashcam index of GPS blocks in 'mdat'; the box itself goes with every unknown moov box (structure.ts).
          this.gpsIndex = readGpsIndex(movie.read(payloadStart(child), Math.min(payloadSize(child), 8 + 8 * 100_000)));
          this.block(where, 'telemetry', child, 'dashcam GPS index');
          break;
        case 'cmov':
        case 'rmra':
          this.report.unreadable.push(`${where}: ${child.type === 'cmov' ? 'compressed movie header' : 'reference movie'} cannot be read`);
          this.refuse(child.type === 'cmov' ? 'the movie header is compressed (cmov)' : 'this is a reference movie (rmra) that points to other files');
          break;
      }
    }
    for (const track of this.tracks) this.decideTrack(movie, track);
  }

  /** Creation and modification times of mvhd/tkhd/mdhd (32-bit in version 0, 64-bit in version 1). */
  private dates(source: ByteSource, box: Box, where: string, tags: [string, string], labels: [string, string], scope: Scope): void {
    const start = payloadStart(box);
    const head = source.read(start, Math.min(payloadSize(box), 20));
    const version = head[0];
    const width = version === 1 ? 8 : 4;
    if (head.length < 4 + 2 * width) throw new TracelessError('MALFORMED', `${where}: box is too small for its times`);
    let changed = false;
    for (let index = 0; index < 2; index++) {
      const offset = 4 + index * width;
      const seconds = width === 8 ? Number(head.readBigUInt64BE(offset)) : head.readUInt32BE(offset);
      if (seconds === 0) continue;
      const iso = macTimeToIso(seconds);
      if (iso) this.find('time', where, tags[index]!, labels[index]!, iso, iso);
      if (this.zeroDates) {
        scope.edits.zero(start + offset, width);
        changed = true;
      }
    }
    if (changed) scope.removed.push({ where, kind: 'timestamp', bytes: 2 * width, note: 'creation and modification times set to zero' });
  }

  // ---- tracks ---------------------------------------------------------------------------------

  private track(movie: ByteSource, trak: Box, index: number): Track {
    const where = `moov/trak[${index}]`;
    const track: Track = { index, trackId: 0, where, box: trak, scope: new Scope(), handler: '', entries: [], tables: {}, externalReferences: [] };
    for (const child of readChildren(movie, trak, this.budget, 2)) {
      const childWhere = `${where}/${printable(child.type)}`;
      if (child.type === 'tkhd') {
        this.dates(movie, child, childWhere, ['TrackCreateDate', 'TrackModifyDate'], ['Track created', 'Track modified'], track.scope);
        const version = movie.read(payloadStart(child), 1)[0];
        const idAt = payloadStart(child) + (version === 1 ? 20 : 12);
        if (idAt + 4 <= child.offset + child.size) track.trackId = movie.read(idAt, 4).readUInt32BE(0);
      } else if (child.type === 'mdia') this.media(movie, child, track, childWhere);
      else if (child.type === 'udta') this.userData(movie, child, childWhere, track.scope, 3, true);
      else if (child.type === 'meta') this.meta(movie, child, childWhere, track.scope, 3, true);
      else if (child.type === 'uuid') this.uuid(movie, child, childWhere, track.scope, true);
    }
    return track;
  }

  private media(movie: ByteSource, mdia: Box, track: Track, where: string): void {
    for (const child of readChildren(movie, mdia, this.budget, 3)) {
      const childWhere = `${where}/${printable(child.type)}`;
      switch (child.type) {
        case 'mdhd':
          this.dates(movie, child, childWhere, ['MediaCreateDate', 'MediaModifyDate'], ['Media created', 'Media modified'], track.scope);
          break;
        case 'hdlr':
          track.handler = this.handler(movie, child, childWhere, track.scope);
          break;
        case 'minf':
          this.mediaInformation(movie, child, track, childWhere);
          break;
        case 'udta':
          this.userData(movie, child, childWhere, track.scope, 4, true);
          break;
        case 'meta':
          this.meta(movie, child, childWhere, track.scope, 4, true);
          break;
        case 'uuid':
          this.uuid(movie, child, childWhere, track.scope, true);
          break;
      }
    }
  }

  private mediaInformation(movie: ByteSource, minf: Box, track: Track, where: string): void {
    for (const child of readChildren(movie, minf, this.budget, 4)) {
      const childWhere = `${where}/${printable(child.type)}`;
      if (child.type === 'hdlr') this.handler(movie, child, childWhere, track.scope);
      else if (child.type === 'dinf') this.dataReferences(movie, child, track, childWhere);
      else if (child.type === 'stbl') {
        for (const table of readChildren(movie, child, this.budget, 5)) {
          switch (table.type) {
            case 'stsd':
              if (payloadSize(table) < 8) throw new TracelessError('MALFORMED', `${childWhere}/stsd is too small`);
              track.entries = readBoxes(movie, payloadStart(table) + 8, table.offset + table.size, this.budget, `'stsd'`)
                .slice(0, movie.read(payloadStart(table) + 4, 4).readUInt32BE(0))
                .filter((box) => !paddingTypes.has(box.type))
                .map((box) => ({ type: box.type, box }));
              break;
            case 'stsz':
            case 'stz2':
            case 'stsc':
            case 'stco':
            case 'co64':
              track.tables[table.type] = table;
              break;
          }
        }
      }
    }
  }

  /** `hdlr`: returns the handler type; reports (and in `all` mode zeroes) the vendor and a maker's handler name. */
  private handler(source: ByteSource, hdlr: Box, where: string, scope: Scope): string {
    const data = source.read(payloadStart(hdlr), payloadSize(hdlr));
    if (data.length < 12) throw new TracelessError('MALFORMED', `${where}: box is too small`);
    const handlerType = data.toString('latin1', 8, 12);
    if (data.length < 24) return handlerType;
    const vendor = data.subarray(12, 16);
    if (!isAllZero(vendor)) {
      this.find('device', where, 'HandlerVendorID', 'Handler vendor', vendor.toString('latin1'), printable(vendor.toString('latin1')));
      if (this.removeAll) {
        scope.edits.zero(payloadStart(hdlr) + 12, 4);
        scope.removed.push({ where, kind: 'vendor', bytes: 4, note: 'vendor code' });
      }
    }
    const nameBytes = data.subarray(24);
    if (nameBytes.length > 0 && !isAllZero(nameBytes)) {
      const pascal = nameBytes[0]! > 0 && nameBytes[0] === nameBytes.length - 1;
      const raw = pascal ? nameBytes.subarray(1) : nameBytes.subarray(0, nameBytes.indexOf(0) === -1 ? nameBytes.length : nameBytes.indexOf(0));
      const name = raw.toString('utf8').trim();
      const trailing = pascal ? Buffer.alloc(0) : nameBytes.subarray(raw.length);
      const onlyGeneric = genericHandlerName.test(name) && isAllZero(trailing);
      if (!onlyGeneric) {
        // The name itself is emptied by the keep-list (structure.ts), in both modes.
        if (!genericHandlerName.test(name)) this.find('device', where, 'HandlerName', 'Handler name', shorten(name), shorten(name));
        else this.find('other', where, 'HandlerName', 'Bytes after the handler name', trailing.length, formatBytes(trailing.length));
      }
    }
    return handlerType;
  }

  /** Data references: media kept in other files makes this a reference movie, which is refused. */
  private dataReferences(source: ByteSource, dinf: Box, track: Track, where: string): void {
    for (const dref of readChildren(source, dinf, this.budget, 5)) {
      if (dref.type !== 'dref' || payloadSize(dref) < 8) continue;
      const count = source.read(payloadStart(dref) + 4, 4).readUInt32BE(0);
      // Entries past the count are used by no reader (and removed by the keep-list); zeroed padding is no entry.
      for (const entry of readBoxes(source, payloadStart(dref) + 8, dref.offset + dref.size, this.budget, `'dref'`).slice(0, count)) {
        if (payloadSize(entry) < 4 || paddingTypes.has(entry.type)) continue;
        const flags = source.read(payloadStart(entry), 4).readUInt32BE(0) & 0xffffff;
        if (flags & 1) continue; // media in this file
        const body = source.read(payloadStart(entry) + 4, payloadSize(entry) - 4);
        const text = entry.type === 'url ' || entry.type === 'urn ' ? shorten(body.toString('utf8').replace(/\0+$/, '')) : `${printable(entry.type)} record of ${formatBytes(body.length)}`;
        track.externalReferences.push(text);
        this.find('owner', `${where}/dref/${printable(entry.type)}`, 'DataReference', 'External media reference (may name a path)', text, text);
      }
    }
  }

  /** Decides what happens to a track once all its boxes are known. */
  private decideTrack(movie: ByteSource, track: Track): void {
    const formats = track.entries.map((entry) => entry.type);
    const isTelemetry = track.handler === 'meta' || track.handler === 'camm' || formats.some((format) => telemetryFormats.has(format));
    const table = readSampleTable(movie, track.tables, track.where);
    this.allTables.push({ track, table });
    let drop = false;
    let note = '';
    if (isTelemetry) {
      const carriesLocation = this.telemetry(track, table, formats);
      const format = formats[0] ?? track.handler;
      note = telemetryLabels[format] ?? `timed metadata track '${printable(format)}'`;
      // Location mode keeps only Apple timed metadata whose keys name no place; anything else may carry GPS.
      drop = this.removeAll || carriesLocation || !formats.every((entryFormat) => entryFormat === 'mebx');
    } else if (textHandlers.has(track.handler) || formats.some((format) => timedTextFormats.has(format))) {
      const outcome = this.timedText(track, table, formats);
      drop = outcome !== 'clean';
      note = outcome === 'coordinates' ? 'timed text track that spells out coordinates' : 'timed text track that cannot be read in full';
    } else if (track.handler === 'tmcd' && formats.every((format) => format === 'tmcd')) {
      this.timecode(track, table);
    } else if (mediaHandlers.has(track.handler)) {
      this.sampleEntryVendor(movie, track);
    } else {
      // Neither pictures, sound, text nor timecode: nothing a player needs, and nothing traceless can check.
      note = `track of a kind traceless does not know ('${printable(track.handler)}')`;
      this.find('other', track.where, 'HandlerType', `Track of unknown kind '${printable(track.handler)}'`, table.sampleCount, `${table.sampleCount} samples`);
      drop = true;
    }
    if (track.externalReferences.length > 0) this.refuse(`${track.where} keeps its media in other files (a reference movie)`);
    if (!drop) {
      this.top.merge(track.scope);
      this.keptTables.push({ track, table });
      return;
    }
    this.droppedTracks.add(track.box.offset);
    this.droppedTrackIds.add(track.trackId);
    // Samples in movie fragments are not copied (the plan writes zeros); no kept sample may share them.
    for (const run of this.fragmentRuns) if (run.trackId === track.trackId) this.top.guarded.push({ offset: run.offset, length: run.length });
    this.block(track.where, 'telemetry', track.box, note);
    this.top.edits.freeBox(movie, track.box);
    let sampleBytes = 0;
    forEachSample(table, this.source.size, track.where, (range) => {
      // A sample table that points outside the media data would have us zero other boxes.
      if (!this.mediaData.some((mdat) => range.offset >= payloadStart(mdat) && range.offset + range.length <= mdat.offset + mdat.size)) {
        this.refuse(`samples of ${track.where} lie outside the media data ('mdat'), so they cannot be zeroed safely`);
        return false;
      }
      this.top.edits.zero(range.offset, range.length);
      this.top.guarded.push(range);
      sampleBytes += range.length;
    });
    this.top.removed.push({ where: track.where, kind: 'telemetry', bytes: track.box.size + sampleBytes, note: `${note}: track removed and its ${formatBytes(sampleBytes)} of samples zeroed` });
  }

  /**
   * Visits the samples of a metadata track, one at a time, until `visit` returns true (found all
   * it looks for) or the count or byte budget runs out; returns whether every sample was read.
   * Nothing is read in fragmented files, whose samples sit in movie fragments.
   */
  private scanSamples(table: SampleTable, where: string, visit: (sample: Buffer) => boolean): boolean {
    if (this.fragmented) return false;
    let count = 0;
    let bytes = 0;
    let complete = true;
    forEachSample(table, this.source.size, where, (range) => {
      if (range.length === 0 || range.length > maxOneSampleBytes || range.offset + range.length > this.source.size) return true;
      if (this.samplesRead >= maxFileSamplesRead || this.sampleBytesRead >= maxFileSampleBytesRead) {
        complete = false;
        return false;
      }
      count += 1;
      bytes += range.length;
      this.samplesRead += 1;
      this.sampleBytesRead += range.length;
      if (visit(this.source.read(range.offset, range.length))) return false;
      if (count < maxSamplesRead && bytes < maxSampleBytesRead) return true;
      complete = false;
      return false;
    });
    return complete;
  }

  /** Reports a timed metadata track; returns whether it carries (or may carry) a place. */
  private telemetry(track: Track, table: SampleTable, formats: string[]): boolean {
    const format = formats[0] ?? track.handler;
    const label = telemetryLabels[format] ?? `Timed metadata track '${printable(format)}'`;
    const summary = `${table.sampleCount} samples`;
    const partly = (complete: boolean) => (complete ? undefined : `the first ${maxSamplesRead} samples or ${formatBytes(maxSampleBytesRead)} read`);
    if (format === 'gpmd') {
      // Fixes without a lock are the receiver's last known place: used only when the track has no locked fix.
      const locked = new TrackBuilder();
      const unlocked = new TrackBuilder();
      let hasGpsStream = false;
      const complete = this.scanSamples(table, track.where, (sample) => {
        const decoded = decodeGpmfGps(sample, track.where);
        hasGpsStream ||= decoded.hasGpsStream;
        for (const fix of decoded.fixes) (fix.locked ? locked : unlocked).add(fix);
        return false;
      });
      const found = this.locateTrack(locked.fixes > 0 ? locked : unlocked, track.where, 'GPS track (GoPro telemetry)', partly(complete));
      if (!found && hasGpsStream) this.find('location', track.where, 'GPSTrack', 'GPS stream without a fix (GoPro telemetry)', summary, `${summary}: no GPS fix recorded`, false, 'telemetry-track');
      else if (!found && this.fragmented) this.find('location', track.where, 'GPSTrack', 'GoPro telemetry that may hold a GPS track', summary, `${summary} in movie fragments, not read`, false, 'telemetry-track');
      this.find('other', track.where, 'gpmd', label, summary, `${summary}: motion sensors${hasGpsStream ? ' and GPS' : ''}`, false, 'embedded-data');
      return true;
    }
    if (format === 'camm') {
      const types = new Set<number>();
      const builder = new TrackBuilder();
      const complete = this.scanSamples(table, track.where, (sample) => {
        const decoded = decodeCamm([sample], track.where);
        for (const type of decoded.types) types.add(type);
        for (const fix of decoded.fixes) builder.add(fix);
        return false;
      });
      const hasGps = [...types].some((type) => cammGpsTypes.has(type));
      const found = this.locateTrack(builder, track.where, 'GPS track (camera motion metadata)', partly(complete));
      if (!found && hasGps) this.find('location', track.where, 'GPSTrack', 'GPS packets without a fix (camera motion metadata)', summary, summary, false, 'telemetry-track');
      this.find('other', track.where, 'camm', label, summary, `${summary}; packet types ${[...types].sort().join(', ') || 'none read'}`, false, 'embedded-data');
      return hasGps || found;
    }
    if (format === 'mebx') {
      const entry = track.entries.find((candidate) => candidate.type === 'mebx')!;
      const keys = readMebxKeys(this.movie!, entry.box, this.budget);
      const locationIds = new Set(keys.filter((key) => isLocationItem(key.name)).map((key) => key.localId));
      const builder = new TrackBuilder();
      let complete = true;
      if (locationIds.size > 0) {
        complete = this.scanSamples(table, track.where, (sample) => {
          for (const fix of decodeMebxFixes([sample], locationIds)) builder.add(fix);
          return false;
        });
      }
      this.locateTrack(builder, track.where, 'GPS track (timed metadata)', partly(complete));
      const names = keys.map((key) => key.name.replace(/^com\.apple\.quicktime\./, '')).join(', ');
      const carries = locationIds.size > 0;
      this.find(carries && builder.fixes === 0 ? 'location' : 'other', track.where, carries && builder.fixes === 0 ? 'GPSTrack' : 'mebx', label, names, `${summary}; keys: ${shorten(names || 'none')}`, false, carries ? 'telemetry-track' : 'embedded-data');
      return carries;
    }
    if (format === 'djmd') {
      const builder = new TrackBuilder();
      let protocol: string | undefined;
      const complete = this.scanSamples(table, track.where, (sample) => {
        protocol ??= djmdProtocol(sample);
        const fix = decodeDjmdFix(sample);
        if (fix) builder.add(fix);
        return false;
      });
      const found = this.locateTrack(builder, track.where, 'GPS track (DJI telemetry)', partly(complete));
      const detail = protocol ? ` (${printable(protocol)})` : '';
      // Any djmd track may hold GPS in a layout not read here: it is a track either way.
      if (!found) this.find('location', track.where, 'GPSTrack', label, summary, `${summary}${detail}: flight telemetry (GPS, attitude); no GPS fix read`, false, 'telemetry-track');
      else this.find('other', track.where, 'djmd', label, summary, `${summary}${detail}: camera settings and attitude`, false, 'embedded-data');
      return true;
    }
    const category: Category = format === 'dbgi' ? 'device' : 'other';
    this.find(category, track.where, format, label, summary, summary, false, 'embedded-data');
    return false;
  }

  /**
   * Timed text stays unless a sample spells out coordinates. Every sample is read whole (sample
   * tables and fragment runs); a track that cannot be read in full is removed.
   */
  private timedText(track: Track, table: SampleTable, formats: string[]): 'clean' | 'coordinates' | 'unreadable' {
    const ranges: { range: ByteRange; format: string }[] = [];
    const format = formats[0] ?? '';
    let total = 0;
    try {
      forEachSample(table, this.source.size, track.where, (range) => {
        ranges.push({ range, format });
        total += range.length;
        return total <= maxTimedTextBytes;
      });
    } catch (error) {
      if (asTracelessError(error).code === 'LIMIT_EXCEEDED') throw error;
      total = Infinity;
    }
    // In fragment runs, samples sit back to back without their sizes: read as raw text.
    for (const run of this.fragmentRuns) {
      if (run.trackId !== track.trackId) continue;
      ranges.push({ range: run, format: 'raw' });
      total += run.length;
    }
    const label = 'Timed text that cannot be read in full';
    if (total > maxTimedTextBytes || ranges.some(({ range }) => range.offset + range.length > this.source.size)) {
      this.find('other', track.where, 'TimedText', label, total, Number.isFinite(total) ? formatBytes(total) : 'unreadable sample table');
      return 'unreadable';
    }
    const builder = new TrackBuilder();
    let example = '';
    for (const { range, format: sampleFormat } of ranges) {
      if (range.length === 0) continue;
      for (const text of timedTextOf(this.source.read(range.offset, range.length), sampleFormat)) {
        for (const found of findCoordinatesInText(text)) {
          if (builder.add({ latitude: found.latitude, longitude: found.longitude }) && !example) example = found.text;
        }
      }
    }
    if (!this.locateTrack(builder, track.where, 'Coordinates in timed text', `"${shorten(example, 60)}"`)) return 'clean';
    return 'coordinates';
  }

  /** The start timecode (often the time of day the recording began). */
  private timecode(track: Track, table: SampleTable): void {
    const entry = track.entries.find((candidate) => candidate.type === 'tmcd');
    if (!entry || this.fragmented) return;
    let first: ByteRange | undefined;
    try {
      forEachSample(table, this.source.size, track.where, (range) => {
        first = range;
        return false;
      });
    } catch {
      return; // a timecode we cannot find is not decoded (and its track is copied as it is)
    }
    if (!first || first.length < 4) return;
    const sample = this.source.read(first.offset, 4);
    const timecode = decodeTimecode(this.movie!.read(entry.box.offset, Math.min(entry.box.size, 64)), sample);
    if (isAllZero(sample)) return;
    if (timecode) this.find('time', track.where, 'TimeCode', 'Start timecode (time of day)', timecode.text, timecode.text);
    else this.find('time', track.where, 'TimeCode', 'Start timecode', sample.readUInt32BE(0), String(sample.readUInt32BE(0)));
    if (this.zeroDates) {
      track.scope.edits.zero(first.offset, 4);
      track.scope.removed.push({ where: track.where, kind: 'timestamp', bytes: 4, note: 'start timecode set to zero' });
    } else {
      this.kept.add('timecode');
    }
  }

  /**
   * QuickTime sample descriptions name the encoder's vendor (`appl`, `FFMP`) and the compressor
   * (`GoPro AVC encoder`); both are zeroed in `all` mode, except the few compressor names that
   * decoders act on.
   */
  private sampleEntryVendor(movie: ByteSource, track: Track): void {
    for (const entry of track.entries) {
      if (entry.box.headerSize !== 8 || entry.box.size < 8 + 16) continue;
      const where = `${track.where}/stsd/${printable(entry.type)}`;
      const vendor = movie.read(entry.box.offset + 8 + 12, 4);
      if (!isAllZero(vendor)) {
        this.find('device', where, 'VendorID', 'Encoder vendor', vendor.toString('latin1'), printable(vendor.toString('latin1')));
        if (this.removeAll) {
          track.scope.edits.zero(entry.box.offset + 8 + 12, 4);
          track.scope.removed.push({ where, kind: 'vendor', bytes: 4, note: 'vendor code' });
        }
      }
      if (track.handler === 'vide' && entry.box.size >= 8 + 42 + 32) {
        const field = movie.read(entry.box.offset + 8 + 42, 32);
        if (isAllZero(field)) continue;
        const length = Math.min(field[0]!, 31);
        const name = field.toString('latin1', 1, 1 + length).replace(/\0+$/, '').trim();
        if (decodingCompressorNames.test(name)) {
          this.find('other', where, 'CompressorName', 'Compressor name (kept: decoders read it)', name, name, true);
          continue;
        }
        // Emptied by the keep-list (structure.ts), in both modes.
        this.find('device', where, 'CompressorName', 'Compressor name', name, name || formatBytes(32));
      }
    }
  }

  /**
   * Dashcam GPS blocks (`freeGPS `) in the media data, found through the `gps ` index and by a
   * bounded scan of each `mdat`: reported as one track and zeroed in both modes (they are samples
   * of no track, so nothing else removes them). A top-level `free` box holding one is reported
   * here and emptied by the keep-list like any padding.
   */
  private dashcamGps(): void {
    const blocks = new Map<number, FreeGpsBlock>();
    const inMediaData = (offset: number) => this.mediaData.find((mdat) => offset >= payloadStart(mdat) && offset < mdat.offset + mdat.size);
    for (const entry of this.gpsIndex) {
      const mdat = inMediaData(entry.offset);
      const block = mdat ? freeGpsBlockAt(this.source, entry.offset, mdat.offset + mdat.size) : undefined;
      if (block) blocks.set(block.offset, block);
    }
    // Blocks are samples of no track: only the media data between samples is scanned (none in most files).
    const samples = mergeRanges([...this.allTables.flatMap(({ track, table }) => chunkRanges(table, this.source.size, track.where, false)), ...this.fragmentRuns.map((run) => ({ offset: run.offset, length: run.length }))]);
    for (const gap of unreferencedRanges(samples, this.mediaData)) {
      if (gap.length < 12) continue;
      for (const block of scanFreeGps(this.source, gap.offset, gap.offset + gap.length)) blocks.set(block.offset, block);
    }
    const freeBoxes: FreeGpsBlock[] = [];
    for (const box of this.boxes) {
      if (box.type !== 'free' || box.size < 12) continue;
      const block = freeGpsBlockAt(this.source, box.offset, box.offset + box.size);
      if (block) freeBoxes.push(block);
    }
    const all = [...[...blocks.values()].sort((a, b) => a.offset - b.offset), ...freeBoxes];
    if (all.length === 0) return;
    const builder = new TrackBuilder();
    let bytes = 0;
    for (const block of all) {
      const fix = decodeFreeGpsBlock(this.source.read(block.offset, Math.min(block.length, 0x8000)));
      if (fix) builder.add(fix);
      bytes += block.length;
    }
    const where = 'mdat/freeGPS';
    const label = 'Dashcam GPS track (freeGPS blocks in the media data)';
    if (!this.locateTrack(builder, where, label, `${all.length} GPS blocks`)) {
      this.find('location', where, 'GPSTrack', `${label}, not decoded`, all.length, `${all.length} GPS blocks in a layout traceless does not decode`, false, 'telemetry-track');
    }
    this.report.blocks.push({ where, kind: 'telemetry', offset: all[0]!.offset, length: bytes, note: `${all.length} dashcam GPS blocks` });
    let zeroed = 0;
    for (const block of blocks.values()) {
      this.top.edits.zero(block.offset, block.length);
      this.top.guarded.push(block);
      zeroed += block.length;
    }
    if (zeroed > 0) this.top.removed.push({ where, kind: 'telemetry', bytes: zeroed, note: `${blocks.size} dashcam GPS blocks in the media data zeroed` });
  }

  /** No sample of a kept track may lie inside a region that is zeroed. */
  private checkKeptSamples(): void {
    const guarded = [...this.top.guarded].sort((a, b) => a.offset - b.offset);
    if (guarded.length === 0) return;
    const overlaps = (range: ByteRange) => {
      let low = 0;
      let high = guarded.length - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        const region = guarded[middle]!;
        if (region.offset + region.length <= range.offset) low = middle + 1;
        else if (region.offset >= range.offset + Math.max(range.length, 1)) high = middle - 1;
        else return true;
      }
      return false;
    };
    for (const { track, table } of this.keptTables) {
      for (const range of chunkRanges(table, this.source.size, track.where, false)) {
        if (overlaps(range)) {
          this.refuse(`samples of ${track.where} lie inside metadata that must be removed`);
          break;
        }
      }
    }
  }

  // ---- metadata boxes -------------------------------------------------------------------------

  /** Zeroes the content of free/skip/wide boxes that still hold bytes (leftovers of earlier edits). */
  private padding(source: ByteSource, box: Box, where: string, scope: Scope, edit = true): boolean {
    const start = payloadStart(box);
    const length = payloadSize(box);
    const chunkBytes = 4 * 1024 * 1024;
    let clean = true;
    for (let done = 0; done < length && clean; done += chunkBytes) {
      clean = isAllZero(source.read(start + done, Math.min(chunkBytes, length - done)));
    }
    if (clean) return false;
    this.find('other', where, box.type, 'Leftover bytes in padding', length, formatBytes(length));
    this.block(where, 'other', box, 'padding with leftover bytes');
    if (edit) {
      scope.edits.zero(start, length);
      scope.removed.push({ where, kind: 'other', bytes: length, note: 'leftover bytes in free space zeroed' });
      scope.guarded.push({ offset: start, length });
    }
    return true;
  }

  /** A part that cannot be parsed is reported and removed whole (it cannot be checked). */
  private unreadableBox(source: ByteSource, box: Box, where: string, error: unknown, scope: Scope, edit: boolean): void {
    const problem = asTracelessError(error);
    if (problem.code === 'LIMIT_EXCEEDED') throw problem;
    this.report.unreadable.push(`${where}: ${problem.message}`);
    this.find('other', where, box.type, 'Unreadable metadata', box.size, formatBytes(box.size));
    if (edit) this.drop(source, box, where, 'quicktime', 'unreadable metadata', scope);
  }

  private userData(source: ByteSource, udta: Box, where: string, scope: Scope, depth: number, edit: boolean): void {
    let children: Box[];
    try {
      children = readChildren(source, udta, this.budget, depth);
    } catch (error) {
      return this.unreadableBox(source, udta, where, error, scope, edit);
    }
    this.block(where, 'quicktime', udta);
    let hasContent = false;
    const locationMode = edit && !this.removeAll;
    for (const child of children) {
      const childWhere = `${where}/${printable(child.type)}`;
      if (paddingTypes.has(child.type)) {
        hasContent = this.padding(source, child, childWhere, scope, locationMode) || hasContent;
        continue;
      }
      hasContent = true;
      if (child.type === 'meta') {
        this.meta(source, child, childWhere, scope, depth + 1, locationMode);
        continue;
      }
      const payload = source.read(payloadStart(child), payloadSize(child));
      if (child.type === 'XMP_') {
        this.report.blocks.push({ where: childWhere, kind: 'xmp', offset: child.offset, length: child.size });
        mergeReport(this.report, reportXmpPacket(xmpText(payload), childWhere, payload.length));
        if (locationMode) this.xmpWithoutLocation(source, child, payloadStart(child), childWhere, scope);
        continue;
      }
      const decoded = decodeUserDataAtom(child.type, payload, childWhere);
      // Free text that spells out a place (a title `Trip at 48.8584, 2.2945`) is a location too.
      const spelled = !decoded.location && decoded.category !== 'location' ? spelledPlace(decoded.text, childWhere) : undefined;
      if (spelled) {
        decoded.location = spelled;
        decoded.category = 'location';
      }
      const isLocation = decoded.category === 'location' || /gps|xyz|loc[ai]/i.test(child.type);
      // Location mode keeps only atoms known to hold no place; vendor blobs and pictures cannot be checked.
      // Only atoms traceless knows are kept: an unknown © atom is text of unknown meaning.
      const uncheckable = !isLocation && !locationFreeAtoms.has(child.type) && !(child.type.startsWith('©') && userDataAtoms.has(child.type) && decoded.category !== 'thumbnail');
      if (decoded.location) this.locate(decoded.location, child.type, decoded.label, child.type === 'loci' ? decoded.text : undefined);
      else this.find(isLocation ? 'location' : decoded.category, childWhere, child.type, decoded.label, decoded.text, decoded.text);
      for (const extra of decoded.extra) this.find(extra.category, childWhere, extra.tag, extra.label, extra.text, extra.text);
      if (locationMode && (isLocation || uncheckable)) this.drop(source, child, childWhere, 'quicktime', isLocation ? decoded.label : `${decoded.label} (cannot be checked for location)`, scope);
      else if (locationMode) this.userDataSlack(payload, child, childWhere, scope);
    }
    if (edit && this.removeAll) this.drop(source, udta, where, 'quicktime', 'user data (device, dates, names, location)', scope);
  }

  /** A kept user-data atom keeps its defined value only: bytes after it are zeroed. */
  private userDataSlack(payload: Buffer, atom: Box, where: string, scope: Scope): void {
    const defined = definedUserDataLength(atom.type, payload);
    if (defined === undefined) return this.drop(this.movie!, atom, where, 'quicktime', 'user data whose layout cannot be checked', scope);
    const slack = payload.subarray(defined);
    if (slack.length === 0 || isAllZero(slack)) return;
    scope.edits.zero(payloadStart(atom) + defined, slack.length);
    scope.removed.push({ where, kind: 'quicktime', bytes: slack.length, note: 'bytes after the value zeroed' });
    this.find('other', where, atom.type, 'Bytes after a user-data value', slack.length, formatBytes(slack.length));
  }

  private meta(source: ByteSource, meta: Box, where: string, scope: Scope, depth: number, edit: boolean): void {
    let children: Box[];
    try {
      children = readChildren(source, meta, this.budget, depth, metaHeaderBytes(source, meta));
    } catch (error) {
      return this.unreadableBox(source, meta, where, error, scope, edit);
    }
    this.block(where, 'quicktime', meta);
    const locationMode = edit && !this.removeAll;
    const hdlr = children.find((child) => child.type === 'hdlr');
    const handler = hdlr && payloadSize(hdlr) >= 12 ? source.read(payloadStart(hdlr) + 8, 4).toString('latin1') : '';
    const keysBox = children.find((child) => child.type === 'keys');
    let hasContent = false;
    let keys: string[] | undefined;
    try {
      keys = keysBox ? readKeys(source, keysBox) : undefined;
      if (keys && keys.length > 0) hasContent = true;
      for (const ilst of children.filter((child) => child.type === 'ilst')) {
        const items = readIlstItems(source, ilst, handler === 'mdta' ? keys ?? [] : undefined, this.budget, depth + 1);
        if (items.length > 0) hasContent = true;
        const locationItems: IlstItem[] = [];
        for (const item of items) {
          const { category, label } = classifyItem(item.name, item.value);
          const itemWhere = `${where}/ilst`;
          const text = item.value?.text ?? formatBytes(item.box.size);
          const location = isLocationItem(item.name) && item.value ? parseIso6709(item.value.text, itemWhere) : undefined;
          // A known item whose free text spells out a place (`At 48.8584, 2.2945`) is a location too.
          const spelled = !location && category !== 'location' && item.value && !item.value.isImage ? spelledPlace(item.value.text, itemWhere) : undefined;
          if (location) this.locate(location, item.name, 'GPS coordinates');
          else if (spelled) this.locate(spelled, item.name, `${label} spelling out coordinates`, shorten(text, 80));
          else this.find(category, itemWhere, item.name, label, text, text);
          // Location mode keeps only items it knows; it also drops embedded pictures (their own metadata cannot be checked here).
          if (category === 'location' || spelled || item.value?.isImage || !isHarmlessItem(item.name)) locationItems.push(item);
        }
        if (locationMode) {
          // Kept items are written again from their checked values (item-list.ts, reemitItem):
          // whatever else an item held — more atoms, bytes after its text — does not go along.
          const kept: Buffer[] = [];
          let trimmed = 0;
          for (const item of items) {
            if (locationItems.includes(item)) continue;
            const reemitted = reemitItem(source, item);
            if (!reemitted) {
              locationItems.push(item);
              continue;
            }
            kept.push(reemitted.data);
            trimmed += reemitted.dropped;
          }
          const rebuilt = rebuildIlst(ilst, kept);
          if (!rebuilt.equals(source.read(ilst.offset, ilst.size))) {
            scope.edits.write(ilst.offset, rebuilt);
            if (locationItems.length > 0) scope.removed.push({ where: `${where}/ilst`, kind: 'quicktime', bytes: locationItems.reduce((sum, item) => sum + item.box.size, 0), note: `location items, pictures and items that cannot be checked: ${locationItems.map((item) => shorten(item.name, 60)).join(', ')}` });
            else scope.removed.push({ where: `${where}/ilst`, kind: 'quicktime', bytes: trimmed, note: 'kept items written again from their values (locale set to any, bytes beyond the values zeroed)' });
          }
        }
      }
      if (locationMode && keysBox) {
        // Names of keys no kept item uses are text of unknown meaning: zeroed (the key indexes stay).
        for (const key of keyNameRanges(source, keysBox)) {
          if (isHarmlessItem(key.name) || isAllZero(source.read(key.offset, key.length))) continue;
          scope.edits.zero(key.offset, key.length);
          scope.removed.push({ where: `${where}/keys`, kind: 'quicktime', bytes: key.length, note: 'name of a key traceless does not keep' });
        }
        // Bytes after the counted entries are no key: zeroed (a smuggled entry, a writer's leftovers).
        const slack = keysSlack(source, keysBox);
        if (slack && !isAllZero(source.read(slack.offset, slack.length))) {
          scope.edits.zero(slack.offset, slack.length);
          scope.removed.push({ where: `${where}/keys`, kind: 'quicktime', bytes: slack.length, note: 'bytes after the counted keys zeroed' });
        }
      }
      if (locationMode && hdlr && payloadSize(hdlr) > 24 && !isAllZero(source.read(payloadStart(hdlr) + 24, payloadSize(hdlr) - 24))) {
        scope.edits.zero(payloadStart(hdlr) + 24, payloadSize(hdlr) - 24);
        scope.removed.push({ where: `${where}/hdlr`, kind: 'vendor', bytes: payloadSize(hdlr) - 24, note: 'handler name emptied' });
      }
    } catch (error) {
      return this.unreadableBox(source, meta, where, error, scope, edit);
    }
    for (const child of children) {
      if (['hdlr', 'keys', 'ilst'].includes(child.type)) continue;
      const childWhere = `${where}/${printable(child.type)}`;
      if (paddingTypes.has(child.type)) {
        hasContent = this.padding(source, child, childWhere, scope, locationMode) || hasContent;
        continue;
      }
      hasContent = true;
      if (child.type === 'uuid') {
        this.uuid(source, child, childWhere, scope, locationMode);
        continue;
      }
      this.find('other', childWhere, child.type, `Metadata box '${printable(child.type)}'`, child.size, formatBytes(child.size));
      if (locationMode) this.drop(source, child, childWhere, 'quicktime', 'metadata that cannot be checked for location', scope);
    }
    if (edit && this.removeAll) this.drop(source, meta, where, 'quicktime', 'metadata items (device, dates, location, identifiers)', scope);
  }

  private uuid(source: ByteSource, box: Box, where: string, scope: Scope, edit: boolean): void {
    if (box.uuid === xmpUuid) {
      const xmpWhere = `${where}/XMP`;
      const payload = source.read(payloadStart(box), payloadSize(box));
      this.report.blocks.push({ where: xmpWhere, kind: 'xmp', offset: box.offset, length: box.size });
      mergeReport(this.report, reportXmpPacket(xmpText(payload), xmpWhere, payload.length));
      if (!edit) return;
      if (this.removeAll) this.drop(source, box, xmpWhere, 'xmp', 'XMP packet', scope);
      else this.xmpWithoutLocation(source, box, payloadStart(box), xmpWhere, scope);
      return;
    }
    this.find('other', where, `uuid ${box.uuid}`, 'Vendor box (uuid)', box.size, `${box.uuid}, ${formatBytes(box.size)}`);
    this.block(where, 'vendor', box, box.uuid);
    if (edit) this.drop(source, box, where, 'vendor', `vendor box ${box.uuid} (its content cannot be checked)`, scope);
  }

  /** Location mode: the packet without location properties, padded with spaces to the same size. */
  private xmpWithoutLocation(source: ByteSource, box: Box, start: number, where: string, scope: Scope): void {
    const bytes = source.read(start, box.offset + box.size - start);
    const packet = xmpText(bytes);
    if (!readableXmp(packet)) {
      this.drop(source, box, where, 'xmp', 'XMP packet that cannot be read whole (removed, not half-read)', scope);
      return;
    }
    const edited = removeXmpProperties(packet, isLocationProperty);
    if (edited === packet) return;
    if (!Buffer.from(packet, 'utf8').equals(bytes)) {
      this.drop(source, box, where, 'xmp', 'XMP packet in an encoding that cannot be edited in place', scope);
      return;
    }
    const shorter = Buffer.from(edited, 'utf8');
    const padding = ' '.repeat(bytes.length - shorter.length);
    const trailer = edited.lastIndexOf('<?xpacket end');
    const padded = trailer === -1 ? edited + padding : edited.slice(0, trailer) + padding + edited.slice(trailer);
    scope.edits.write(start, Buffer.from(padded, 'utf8'));
    scope.removed.push({ where, kind: 'xmp', bytes: bytes.length - shorter.length, note: 'location properties removed from XMP' });
  }
}

/**
 * Bytes before the first child of a `meta` box: ISO's `meta` is a full box (4 bytes of version and
 * flags), QuickTime's is a plain box. Decided by where the `hdlr` child sits.
 */
function metaHeaderBytes(source: ByteSource, meta: Box): number {
  if (payloadSize(meta) < 12) return 0;
  const head = source.read(payloadStart(meta), 12);
  if (head.toString('latin1', 4, 8) === 'hdlr') return 0;
  if (head.toString('latin1', 8, 12) === 'hdlr') return 4;
  return head.readUInt32BE(0) === 0 ? 4 : 0;
}

/**
 * Whether an XMP packet reads as one whole RDF document: it parses (the XMP reader throws on what it
 * cannot read) and its `rdf:RDF` element is closed. Anything else is removed whole in location mode.
 */
function readableXmp(packet: string): boolean {
  try {
    readXmpProperties(packet);
  } catch {
    return false;
  }
  return /<rdf:RDF[\s>]/.test(packet) && /<\/rdf:RDF\s*>/.test(packet);
}

/** Top-level boxes a file may end with when it was cut short (then the file is refused as truncated). */
const knownTopLevel = new Set(['ftyp', 'styp', 'moov', 'mdat', 'moof', 'mfra', 'free', 'skip', 'wide', 'udta', 'meta', 'uuid', 'sidx', 'pdin', 'prft']);

/**
 * Top-level boxes, and where the last one ends. Bytes that do not start a box (too few for a header,
 * an impossible size, a size past the end under a name no writer uses) are data after the end of
 * the movie; a known box whose size runs past the end means the file was cut short (TRUNCATED).
 */
function readTopLevel(source: ByteSource, budget: BoxBudget): { boxes: Box[]; end: number } {
  const boxes: Box[] = [];
  let offset = 0;
  while (offset < source.size) {
    const remaining = source.size - offset;
    if (remaining < 8) break;
    const header = source.read(offset, Math.min(16, remaining));
    const sizeField = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let size = sizeField === 0 ? remaining : sizeField;
    if (sizeField === 1) {
      if (remaining < 16) break;
      const big = header.readBigUInt64BE(8);
      size = big > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(big);
    }
    if (size > remaining && knownTopLevel.has(type)) {
      if (!budget.lenient || size < (sizeField === 1 ? 16 : 8)) {
        throw new TracelessError('TRUNCATED', `box '${printable(type)}' at ${offset} (${size} bytes) runs past the end of the file at ${source.size}: the file was cut short`);
      }
      // Lenient: the box is read as far as the file goes (a 'moov' cut short still gives its first boxes).
      // (readBoxes records that it was cut short.)
      boxes.push(...readBoxes(source, offset, source.size, budget, 'file'));
      return { boxes, end: source.size };
    }
    if (size < (sizeField === 1 ? 16 : 8) || size > remaining || !/^[\x20-\x7e\xa9]{4}$/.test(type)) break;
    boxes.push(...readBoxes(source, offset, offset + size, budget, 'file'));
    offset += size;
  }
  return { boxes, end: offset };
}

/** The first coordinate pair a free-text value spells out (any common notation, ISO 6709 included). */
function spelledPlace(text: string | undefined, where: string): GeoLocation | undefined {
  if (!text) return undefined;
  const found = findCoordinatesInText(text.length > 64 * 1024 ? text.slice(0, 64 * 1024) : text)[0];
  return found ? { latitude: found.latitude, longitude: found.longitude, where } : undefined;
}
