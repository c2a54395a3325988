/**
 * One pass over an AVI file that both reports what it holds and plans its clean copy, so `scan`
 * lists every chunk that `clean` takes out. Nothing moves: every chunk keeps its place and size,
 * so `idx1`, the OpenDML indexes and any player's seek positions stay valid.
 *
 * Kept, written by traceless: the RIFF and LIST headers; `avih`, `strh`, `strf`, `vprp`, `dmlh`
 * and the indexes, re-written from their parsed fields (see `fields.ts`); `JUNK` filler, written
 * as zeros. Copied as samples: the media chunks of `movi` (`##dc`, `##db`, `##wb`, `##pc`, `##tx`,
 * their 8-byte headers framing the samples, and their pad bytes once checked to be zero).
 * Removed, each turned into a `JUNK` chunk of the same size (header written by traceless, the rest
 * zeros): `LIST INFO` (IART, ICOP, ICRD, ISFT, INAM, ICMT, …), `IDIT`, `ISMP`, `strd`, `strn`,
 * XMP (`_PMX`), vendor lists (Nikon `ncdt`, Pentax `hydt`, …) and every unknown chunk, such as a
 * dashcam's GPS or G-sensor chunks. Bytes after the last RIFF chunk are cut.
 *
 * References: Microsoft "AVI RIFF File Reference"; OpenDML AVI File Format Extensions 1.02 (AVIX
 * continuation RIFFs, `odml`, `indx`, `ix##`); RIFF INFO list (Microsoft/IBM Multimedia Programming
 * Interface and Data Specifications 1.0, 1991); ExifTool RIFF.pm (IDIT, ISMP, _PMX, strd, Nikon
 * `ncdt`, Pentax `hydt`); FFmpeg libavformat/avidec.c (what a reader needs: strh/strf per stream,
 * vprp for the aspect ratio, indexes optional).
 */
import { TracelessError, asTracelessError, checkCount } from '../../errors.js';
import { formatBytes } from '../../decode/exif.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { BlockKind, Category } from '../../types.js';
import { addExif, addFinding, addXmp, cleanText, guarded, maxScanBytes, readAtMost } from '../other/common.js';
import { PlanBuilder } from '../plan-builder.js';
import {
  chunkHeader, chunkHeaderBytes, checkListDepth, displayFourCC, junkInPlaceOf, listHeader, listType, listTypeBytes, readChunkAt, readChunks, riffHeader, riffHeaderBytes, type RiffChunk,
} from '../riff/chunks.js';
import { emptyReport, type ContainerReport } from '../types.js';
import {
  extendedHeaderFields, mainHeaderFields, oldIndexEntryBytes, rewriteFields, rewriteOdmlIndex, rewriteStreamFormat, rewriteVideoProperties, streamHeaderFields, type Rewritten,
} from './fields.js';

export function isAvi(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'AVI ';
}

const infoTags: Readonly<Record<string, { tag: string; label: string; category: Category }>> = {
  IART: { tag: 'Artist', label: 'Artist', category: 'owner' },
  ICOP: { tag: 'Copyright', label: 'Copyright', category: 'owner' },
  ICRD: { tag: 'DateCreated', label: 'Created', category: 'time' },
  ICMT: { tag: 'Comment', label: 'Comment', category: 'other' },
  INAM: { tag: 'Title', label: 'Title', category: 'other' },
  ISFT: { tag: 'Software', label: 'Software', category: 'device' },
  ISRC: { tag: 'Source', label: 'Source', category: 'owner' },
  IKEY: { tag: 'Keywords', label: 'Keywords', category: 'other' },
  IENG: { tag: 'Engineer', label: 'Engineer', category: 'owner' },
  ITCH: { tag: 'Technician', label: 'Technician', category: 'owner' },
  ISBJ: { tag: 'Subject', label: 'Subject', category: 'other' },
  IPRD: { tag: 'Product', label: 'Product', category: 'other' },
  IGNR: { tag: 'Genre', label: 'Genre', category: 'other' },
  ILNG: { tag: 'Language', label: 'Language', category: 'other' },
  IDIT: { tag: 'DateTimeOriginal', label: 'Taken', category: 'time' },
  ISMP: { tag: 'TimeCode', label: 'Time code', category: 'time' },
};

/** Filler chunks readers skip; written back as zeros under their own (known) name. */
const fillerChunks = new Set(['JUNK', 'JUNQ', 'PAD ']);
/** Media chunk ids in `movi`: two decimal digits (the stream) and the data type. */
const mediaChunk = /^(\d\d)(dc|db|wb|pc|tx)$/;
const indexChunk = /^ix\d\d$/;
/** Media chunks one walk follows (a 4 GB file at 60 frames a second with audio has about a million). */
export const maxMediaChunks = 20_000_000;
/**
 * Vendor chunks, strd and XMP decoded per file (a decode costs up to milliseconds): a file
 * repeating thousands would otherwise take seconds. Past this they are reported undecoded.
 */
export const maxDecodedChunks = 32;
/** Text read from one INFO sub-chunk or stream name. */
const maxTextBytes = 64 * 1024;

interface Stream {
  type?: string;
}

export interface AviWalk {
  report: ContainerReport;
  plan: PlanBuilder;
}

/**
 * `forScan`: a file cut short (a recording that stopped without closing it, the RIFF size left at
 * its placeholder) is read as far as it goes and the rest said plainly in `unreadable`; a clean
 * refuses it (TRUNCATED).
 */
export function walkAvi(source: ByteSource, forScan = false): AviWalk {
  const walker = new AviWalker(source, forScan);
  try {
    return walker.run();
  } catch (error) {
    if (!forScan) throw error;
    walker.report.unreadable.push(`AVI structure: ${asTracelessError(error).message}`);
    return { report: walker.report, plan: walker.plan };
  }
}

class AviWalker {
  readonly report = emptyReport();
  readonly plan = new PlanBuilder();
  private readonly streams: Stream[] = [];
  private mediaCount = 0;
  private chunkCount = 0;
  private decoded = 0;

  constructor(private readonly source: ByteSource, private readonly forScan: boolean) {}

  run(): AviWalk {
    const { source } = this;
    if (source.size < riffHeaderBytes || !isAvi(source.read(0, riffHeaderBytes))) throw new TracelessError('UNSUPPORTED_FORMAT', 'not an AVI file (RIFF/AVI header missing)');
    let offset = 0;
    let first = true;
    // Files over 1 GB continue in further RIFF `AVIX` chunks (OpenDML).
    while (offset < source.size) {
      const head = source.size - offset >= riffHeaderBytes ? source.read(offset, riffHeaderBytes) : undefined;
      const type = head?.toString('latin1', 8, 12);
      if (!head || head.toString('latin1', 0, 4) !== 'RIFF' || type !== (first ? 'AVI ' : 'AVIX')) break;
      const riff = this.forScan ? clampedChunk(source, offset, this.report) : readChunkAt(source, offset, source.size, 'AVI');
      if (riff.dataLength < listTypeBytes) throw new TracelessError('MALFORMED', `AVI: RIFF chunk at offset ${offset} is too short for its type`);
      this.plan.bytes(riffHeader(type, riff.dataLength));
      this.walkChunks(riff.dataOffset + listTypeBytes, riff.dataOffset + riff.dataLength, first ? 'AVI' : 'AVIX', 1);
      this.pad(riff, first ? 'AVI' : 'AVIX');
      offset += riff.totalLength;
      first = false;
    }
    if (offset < source.size) {
      const bytes = source.size - offset;
      const note = 'data after the end of the AVI';
      this.plan.remove('after RIFF', 'trailer', bytes, note);
      this.report.blocks.push({ where: 'after RIFF', kind: 'trailer', offset, length: bytes, note });
      this.report.findings.push({ category: 'embedded', where: 'after RIFF', tag: 'Trailer', label: 'Data after the end of the video', value: bytes, text: formatBytes(bytes) });
    }
    if (this.streams.length === 0) this.report.unreadable.push('AVI: no stream header list (`strl`) was found, so no media chunk can be told from other data');
    return { report: this.report, plan: this.plan };
  }

  private walkChunks(start: number, end: number, path: string, depth: number): void {
    checkListDepth(depth, 'AVI');
    // One chunk at a time, so that a scan of a file cut short reports every chunk before the cut.
    for (let offset = start; offset < end;) {
      const chunk = this.forScan ? clampedChunk(this.source, offset, this.report, end) : readChunkAt(this.source, offset, end, path);
      checkCount(++this.chunkCount, limits.maxSegmentCount, 'AVI chunk count');
      this.chunk(chunk, path, depth);
      offset += chunk.totalLength;
    }
  }

  private chunk(chunk: RiffChunk, path: string, depth: number): void {
    const id = chunk.fourCC;
    const where = `${path}/${displayFourCC(id)}`;
    const context = path.slice(path.lastIndexOf('/') + 1);
    if (id === 'LIST') return this.list(chunk, path, depth);
    if (fillerChunks.has(id)) return this.filler(chunk, where);
    if (id === 'avih' && context === 'LIST(hdrl)') return this.structure(chunk, where, rewriteFields(this.payload(chunk), mainHeaderFields));
    if (id === 'strh' && context === 'LIST(strl)') {
      const payload = this.payload(chunk);
      const stream = this.streams[this.streams.length - 1];
      if (stream && payload.length >= 4) stream.type = payload.toString('latin1', 0, 4);
      if (stream?.type === 'txts') {
        // Subtitle or data text is a stream of samples, copied as it is: said plainly, as it can hold a GPS track.
        this.report.findings.push({ category: 'other', where, tag: 'TextStream', label: 'Text stream (subtitles or data), kept as samples: it can hold a GPS track', value: `stream ${this.streams.length - 1}`, text: `stream ${this.streams.length - 1}`, retained: true });
      }
      return this.structure(chunk, where, rewriteFields(payload, streamHeaderFields(payload.length)));
    }
    if (id === 'strf' && context === 'LIST(strl)') return this.structure(chunk, where, rewriteStreamFormat(this.payload(chunk), this.streams[this.streams.length - 1]?.type));
    if (id === 'vprp' && context === 'LIST(strl)') return this.structure(chunk, where, rewriteVideoProperties(this.payload(chunk)));
    if (id === 'dmlh' && context === 'LIST(odml)') return this.structure(chunk, where, rewriteFields(this.payload(chunk), extendedHeaderFields));
    if ((id === 'indx' && context === 'LIST(strl)') || indexChunk.test(id)) return this.odmlIndex(chunk, where);
    if (id === 'idx1' && context === 'AVI') return this.oldIndex(chunk, where);
    this.describe(chunk, where);
    this.junk(chunk, where, this.kindOf(id), this.noteOf(id, where));
  }

  private list(chunk: RiffChunk, path: string, depth: number): void {
    const type = listType(this.source, chunk);
    const where = `${path}/LIST(${displayFourCC(type ?? '')})`;
    const context = path.slice(path.lastIndexOf('/') + 1);
    const structural = (type === 'hdrl' && (context === 'AVI')) || (type === 'strl' && context === 'LIST(hdrl)') || (type === 'odml' && context === 'LIST(hdrl)');
    if (type !== undefined && structural) {
      if (type === 'strl') {
        // Chunk IDs number streams in two digits; a crafted file of thousands of stream lists only makes every walk longer.
        if (this.streams.length >= limits.maxTrackCount) throw new TracelessError('LIMIT_EXCEEDED', `AVI holds more than the maximum of ${limits.maxTrackCount} streams`);
        this.streams.push({});
      }
      this.plan.bytes(listHeader(type, chunk.dataLength));
      this.walkChunks(chunk.dataOffset + listTypeBytes, chunk.dataOffset + chunk.dataLength, where, depth + 1);
      return this.pad(chunk, where);
    }
    if (type === 'movi' && (context === 'AVI' || context === 'AVIX')) {
      this.plan.bytes(listHeader(type, chunk.dataLength));
      this.walkMedia(chunk.dataOffset + listTypeBytes, chunk.dataOffset + chunk.dataLength, where, depth + 1);
      return this.pad(chunk, where);
    }
    if (type === 'INFO' && ++this.decoded > maxDecodedChunks) {
      addFinding(this.report, 'other', where, 'INFO', 'INFO list (one too many to decode)', formatBytes(chunk.dataLength));
      return this.junk(chunk, where, 'text', 'INFO list (title, artist, dates, software, comments)');
    }
    if (type === 'INFO') {
      guarded(this.report, where, () => {
        checkListDepth(depth + 1, 'AVI');
        for (const item of readChunks(this.source, chunk.dataOffset + listTypeBytes, chunk.dataOffset + chunk.dataLength, where)) this.describe(item, `${where}/${displayFourCC(item.fourCC)}`);
      });
      return this.junk(chunk, where, 'text', 'INFO list (title, artist, dates, software, comments)');
    }
    if (++this.decoded <= maxDecodedChunks) this.vendorData(chunk.dataOffset + listTypeBytes, chunk.dataLength - Math.min(chunk.dataLength, listTypeBytes), where);
    else addFinding(this.report, 'device', where, 'VendorData', 'Camera or vendor data (one list too many to decode)', formatBytes(chunk.dataLength));
    this.junk(chunk, where, 'vendor', type === undefined ? 'an empty LIST chunk' : `vendor list "${displayFourCC(type)}"`);
  }

  /**
   * The media data: runs of media chunks are copied as samples (their headers frame the samples;
   * a pad byte is copied only once read as zero). Indexes are re-written, filler zeroed, `rec `
   * groups walked, anything else turned into JUNK. Chunks are read one header at a time, so the
   * walk holds no list of them (a long video has millions).
   */
  private walkMedia(start: number, end: number, where: string, depth: number): void {
    checkListDepth(depth, 'AVI');
    let offset = start;
    while (offset < end) {
      const chunk = this.forScan ? clampedChunk(this.source, offset, this.report, end) : readChunkAt(this.source, offset, end, where);
      offset += chunk.totalLength;
      const media = mediaChunk.exec(chunk.fourCC);
      if (media && Number(media[1]) < this.streams.length) {
        checkCount(++this.mediaCount, maxMediaChunks, 'AVI media chunk count');
        this.plan.copySamples(chunk.offset, chunkHeaderBytes + chunk.dataLength);
        this.pad(chunk, `${where}/${chunk.fourCC}`, true);
        continue;
      }
      checkCount(++this.chunkCount, limits.maxSegmentCount, 'AVI chunk count');
      const inner = `${where}/${displayFourCC(chunk.fourCC)}`;
      if (chunk.fourCC === 'LIST' && listType(this.source, chunk) === 'rec ') {
        this.plan.bytes(listHeader('rec ', chunk.dataLength));
        this.walkMedia(chunk.dataOffset + listTypeBytes, chunk.dataOffset + chunk.dataLength, `${where}/LIST(rec )`, depth + 1);
        this.pad(chunk, inner);
      } else if (chunk.fourCC === 'LIST') {
        if (++this.decoded <= maxDecodedChunks) this.vendorData(chunk.dataOffset + listTypeBytes, chunk.dataLength - Math.min(chunk.dataLength, listTypeBytes), `${where}/LIST(${displayFourCC(listType(this.source, chunk) ?? '')})`);
        this.junk(chunk, inner, 'vendor', 'a list inside the media data that is not a `rec ` group');
      } else if (fillerChunks.has(chunk.fourCC)) this.filler(chunk, inner);
      else if (indexChunk.test(chunk.fourCC)) this.odmlIndex(chunk, inner);
      else {
        this.describe(chunk, inner);
        this.junk(chunk, inner, media ? 'other' : this.kindOf(chunk.fourCC), media ? 'media chunk of a stream the headers do not declare' : this.noteOf(chunk.fourCC, inner));
      }
    }
  }

  private payload(chunk: RiffChunk): Buffer {
    if (chunk.dataLength > limits.maxMetadataBytes) throw new TracelessError('LIMIT_EXCEEDED', `AVI: chunk "${displayFourCC(chunk.fourCC)}" at offset ${chunk.offset} is too large to re-write (${chunk.dataLength} bytes)`);
    return this.source.read(chunk.dataOffset, chunk.dataLength);
  }

  /** A structure re-written from its parsed fields, same size; reserved or slack bytes that held data are reported. */
  private structure(chunk: RiffChunk, where: string, rewritten: Rewritten): void {
    this.plan.bytes(chunkHeader(chunk.fourCC, chunk.dataLength));
    this.plan.bytes(rewritten.data);
    if (rewritten.droppedBytes > 0) this.slack(where, chunk.dataOffset, rewritten.droppedBytes, 'reserved fields or bytes past the defined fields were not zero');
    this.pad(chunk, where);
  }

  private odmlIndex(chunk: RiffChunk, where: string): void {
    const rewritten = rewriteOdmlIndex(this.payload(chunk));
    if (!rewritten) return this.junk(chunk, where, 'other', 'an index whose layout traceless does not know (players rebuild it by reading the media data)');
    this.structure(chunk, where, rewritten);
  }

  /**
   * `idx1`: entries of ckid, flags, offset and size, re-written from their parsed values, read in
   * windows. An entry whose ckid names no declared stream (nor a `rec ` group) is written as zeros.
   */
  private oldIndex(chunk: RiffChunk, where: string): void {
    this.plan.bytes(chunkHeader('idx1', chunk.dataLength));
    const window = 65536 * oldIndexEntryBytes;
    let dropped = 0;
    for (let at = 0; at < chunk.dataLength; at += window) {
      const payload = this.source.read(chunk.dataOffset + at, Math.min(window, chunk.dataLength - at));
      const data = Buffer.alloc(payload.length);
      for (let entry = 0; entry + oldIndexEntryBytes <= payload.length; entry += oldIndexEntryBytes) {
        const ckid = payload.toString('latin1', entry, entry + 4);
        const media = mediaChunk.exec(ckid);
        if (!(ckid === 'rec ' || (media && Number(media[1]) < this.streams.length))) {
          // An all-zero entry (one traceless zeroed before) holds nothing.
          if (payload.subarray(entry, entry + oldIndexEntryBytes).some((byte) => byte !== 0)) dropped += oldIndexEntryBytes;
          continue;
        }
        data.write(ckid, entry, 'latin1');
        for (let field = 4; field < oldIndexEntryBytes; field += 4) data.writeUInt32LE(payload.readUInt32LE(entry + field), entry + field);
      }
      const tail = payload.subarray(payload.length - (payload.length % oldIndexEntryBytes));
      dropped += tail.filter((byte) => byte !== 0).length;
      this.plan.bytes(data);
    }
    if (dropped > 0) this.slack(where, chunk.dataOffset, dropped, 'index entries that name no stream, or bytes past the last entry');
    this.pad(chunk, where);
  }

  /** A JUNK-like filler chunk: written back under its own name with zeros; data inside it is reported. */
  private filler(chunk: RiffChunk, where: string): void {
    this.plan.bytes(chunkHeader(chunk.fourCC, chunk.dataLength));
    this.plan.zeros(chunk.totalLength - chunkHeaderBytes);
    const nonZero = this.nonZeroBytes(chunk.dataOffset, chunk.totalLength - chunkHeaderBytes);
    if (nonZero > 0) {
      this.describeFiller(chunk, where);
      this.slack(where, chunk.dataOffset, chunk.dataLength, 'filler that held data (leftovers of an earlier write, or hidden text)');
    }
  }

  /** Turns a chunk into JUNK of the same size and records the removal. */
  private junk(chunk: RiffChunk, where: string, kind: BlockKind, note: string): void {
    const { header, zeros } = junkInPlaceOf(chunk);
    this.plan.bytes(header).zeros(zeros);
    this.plan.remove(where, kind, chunk.totalLength, note);
    this.report.blocks.push({ where, kind, offset: chunk.offset, length: chunk.totalLength, note });
  }

  private slack(where: string, offset: number, bytes: number, note: string): void {
    this.plan.remove(where, 'other', bytes, note);
    this.report.blocks.push({ where, kind: 'other', offset, length: bytes, note });
    this.report.findings.push({ category: 'other', where, tag: 'Slack', label: `Hidden data in ${where}: ${note}`, value: bytes, text: formatBytes(bytes) });
  }

  /** A pad byte must be zero: written as zero (or, after media, copied once read as zero). */
  private pad(chunk: RiffChunk, where: string, media = false): void {
    if ((chunk.dataLength & 1) === 0 || !chunk.padPresent) return;
    const padOffset = chunk.dataOffset + chunk.dataLength;
    const value = this.source.read(padOffset, 1)[0];
    if (media && value === 0) {
      this.plan.copySamples(padOffset, 1);
      return;
    }
    this.plan.zeros(1);
    if (value !== 0) this.slack(where, padOffset, 1, 'its pad byte is not zero');
  }

  private nonZeroBytes(offset: number, length: number): number {
    let count = 0;
    const window = 1024 * 1024;
    for (let at = 0; at < length; at += window) {
      const bytes = this.source.read(offset + at, Math.min(window, length - at));
      for (const byte of bytes) if (byte !== 0) count++;
    }
    return count;
  }

  private kindOf(id: string): BlockKind {
    if (infoTags[id]) return id === 'IDIT' || id === 'ISMP' ? 'timestamp' : 'text';
    if (id === '_PMX') return 'xmp';
    if (id === 'strn') return 'text';
    return 'vendor';
  }

  private noteOf(id: string, where: string): string {
    if (infoTags[id]) return `${infoTags[id]!.label} (${id})`;
    if (id === '_PMX') return 'XMP metadata';
    if (id === 'strn') return 'stream name';
    if (id === 'strd') return 'stream data (camera or vendor data, can hold EXIF)';
    return `unknown chunk "${where}"`;
  }

  /** Reports what a removed chunk holds. */
  private describe(chunk: RiffChunk, where: string): void {
    const { source, report } = this;
    const id = chunk.fourCC;
    const info = infoTags[id];
    if (info) {
      const text = cleanText(readAtMost(source, chunk.dataOffset, Math.min(chunk.dataLength, maxTextBytes)), 'utf8');
      if (text) addFinding(report, info.category, where, info.tag, info.label, text);
      else addFinding(report, 'other', where, id, `Empty ${info.label.toLowerCase()}`, formatBytes(chunk.dataLength));
    } else if (++this.decoded > maxDecodedChunks) {
      addFinding(report, 'other', where, 'VendorData', 'Chunk (one too many to decode)', formatBytes(chunk.dataLength));
    } else if (id === '_PMX') {
      addXmp(report, readAtMost(source, chunk.dataOffset, Math.min(chunk.dataLength, maxScanBytes)), where);
    } else if (id === 'strn') {
      const text = cleanText(readAtMost(source, chunk.dataOffset, Math.min(chunk.dataLength, maxTextBytes)), 'utf8');
      addFinding(report, 'other', where, 'StreamName', 'Stream name', text || formatBytes(chunk.dataLength));
    } else {
      this.vendorData(chunk.dataOffset, chunk.dataLength, where);
    }
  }

  private describeFiller(chunk: RiffChunk, where: string): void {
    const body = readAtMost(this.source, chunk.dataOffset, Math.min(chunk.dataLength, maxTextBytes));
    if (addNmea(this.report, body, where)) return;
    const text = /[\x20-\x7e]{12,}/.exec(body.toString('latin1'))?.[0];
    if (text) addFinding(this.report, 'other', where, 'FillerText', 'Text in a filler chunk', text.slice(0, 200));
  }

  /** Vendor data: an EXIF structure inside is decoded; otherwise it is reported as not decoded. */
  private vendorData(start: number, length: number, where: string): void {
    const { report, source } = this;
    guarded(report, where, () => {
      const body = readAtMost(source, start, Math.min(length, maxScanBytes));
      addFinding(report, 'device', where, 'VendorData', 'Camera or vendor data', formatBytes(length));
      const exif = body.indexOf('Exif\0\0', 0, 'latin1');
      const tiff = [body.indexOf('MM\0*', 0, 'latin1'), body.indexOf('II*\0', 0, 'latin1')].filter((at) => at !== -1).sort((a, b) => a - b)[0];
      if (exif !== -1 && tiff === exif + 6) addExif(report, body.subarray(tiff), `${where}/EXIF`);
      else if (tiff === 0) addExif(report, body, `${where}/EXIF`);
      else if (!addNmea(report, body, where)) {
        report.unreadable.push(`${where}: camera or vendor data is not decoded by traceless (it can hold maker notes, serial numbers or GPS); clean removes it`);
      }
    });
  }
}

/** NMEA 0183 RMC sentences (`$GPRMC`, `$GNRMC`): how many dashcams store their GPS track in chunks. */
const rmcSentence = /\$G[A-Z]RMC,(\d{6}(?:\.\d+)?)?,([AV]),(\d{2})(\d{2}\.\d+),([NS]),(\d{3})(\d{2}\.\d+),([EW]),[^\r\n\0$]*/g;
/** Positions reported from one chunk (a track has one a second). */
const maxNmeaPositions = 16;

/** Reports GPS positions written as NMEA text; true when there were any. */
function addNmea(report: ContainerReport, body: Buffer, where: string): boolean {
  const text = body.toString('latin1');
  let count = 0;
  for (const match of text.matchAll(rmcSentence)) {
    const [sentence, , status, latDeg, latMin, ns, lonDeg, lonMin, ew] = match;
    if (status !== 'A') continue;
    const latitude = (Number(latDeg) + Number(latMin) / 60) * (ns === 'S' ? -1 : 1);
    const longitude = (Number(lonDeg) + Number(lonMin) / 60) * (ew === 'W' ? -1 : 1);
    if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) continue;
    if (count === 0) addFinding(report, 'location', `${where}/NMEA`, 'GPSTrack', 'GPS position (NMEA sentence)', sentence.trim().slice(0, 120));
    report.locations.push({ latitude, longitude, where: `${where}/NMEA` });
    if (++count >= maxNmeaPositions) break;
  }
  return count > 0;
}

/**
 * For scan: the chunk at `offset`, its size cut to what the container (or the file) holds, with
 * a sentence in `unreadable` when it had to be cut.
 */
function clampedChunk(source: ByteSource, offset: number, report: ContainerReport, end = source.size): RiffChunk {
  if (offset + chunkHeaderBytes > end) throw new TracelessError('TRUNCATED', `a chunk header at offset ${offset} runs past the end of its container`);
  const header = source.read(offset, chunkHeaderBytes);
  const fourCC = header.toString('latin1', 0, 4);
  const declared = header.readUInt32LE(4);
  const dataOffset = offset + chunkHeaderBytes;
  if (dataOffset + declared <= end) return readChunkAt(source, offset, end, 'AVI');
  const dataLength = end - dataOffset;
  report.unreadable.push(`AVI: chunk "${displayFourCC(fourCC)}" at offset ${offset} declares ${declared} bytes but only ${dataLength} follow (the file is cut short, as when a recording stops without closing it): read as far as it goes; clean refuses such a file`);
  return { fourCC, offset, dataOffset, dataLength, totalLength: chunkHeaderBytes + dataLength, padPresent: false };
}
