/**
 * What a Matroska/WebM file says about its maker: the segment's Info (title, muxing and writing
 * application, date, file names and identifiers linking it to other files), Tags (SimpleTag
 * name/value pairs such as DATE_RECORDED, RECORDING_LOCATION, ENCODER, COMMENT), track and codec
 * names, chapter titles and attachments (cover art, fonts). Clusters (the media) are skipped by
 * their sizes; an unknown-size Cluster (live WebM) is walked header by header to its end.
 * References: RFC 9559 (Matroska) §5.1 (elements), §5.1.2.6 (DateUTC), §5.1.8 (Tags);
 * Matroska tagging guidelines (https://www.matroska.org/technical/tagging.html: RECORDING_LOCATION
 * is ISO 6709); RFC 8794 (EBML).
 */
import { TracelessError, asTracelessError } from '../../errors.js';
import { limits } from '../../limits.js';
import { formatBytes } from '../../decode/exif.js';
import type { ByteSource } from '../../io/source.js';
import type { Category } from '../../types.js';
import { parseIso6709 } from '../isobmff/iso6709.js';
import { addFinding } from '../other/common.js';
import { emptyReport, type ContainerReport } from '../types.js';
import { WalkBudget, children, elementAt, endOf, readHeader, type ElementHeader } from './ebml.js';
import { clusterChildren, elementName, ids, matroskaEpochMs } from './elements.js';

/** Text read from one element at most (a title, a tag value). */
const maxTextBytes = 64 * 1024;
/** SimpleTags nest; deeper than this is refused. */
const maxTagDepth = 16;

export function isMatroska(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32BE(0) === ids.ebml;
}

class Inspector {
  readonly report = emptyReport();
  private readonly budget = new WalkBudget(limits.maxBoxCount);
  /** TrackEntry elements read so far, in every Tracks element (limits.maxTrackCount). */
  private trackEntries = 0;
  constructor(private readonly source: ByteSource) {}

  run(): void {
    let offset = 0;
    const size = this.source.size;
    while (elementAt(this.source, offset, size)) {
      this.budget.step();
      const header = readHeader(this.source, offset, size, Number.MAX_SAFE_INTEGER);
      if (header.size !== undefined && endOf(header) > size) {
        if (header.id !== ids.segment) throw new TracelessError('TRUNCATED', `${elementName(header.id)} at ${offset} runs past the end of the file`);
        // A recording cut short: read what is there, and say so.
        this.report.unreadable.push(`Matroska: the segment is cut short (${size - header.dataOffset} of ${header.size} bytes); what follows the cut was not read`);
        this.segment({ ...header, size: size - header.dataOffset });
        return;
      }
      if (header.id === ids.segment) offset = this.segment(header);
      else if (header.size === undefined) throw new TracelessError('MALFORMED', `top-level element 0x${header.id.toString(16)} has an unknown size`);
      else {
        if (header.id !== ids.ebml && header.id !== ids.void) this.block(header, elementName(header.id), 'unknown top-level element');
        offset = endOf(header);
      }
    }
  }

  private block(header: ElementHeader, where: string, note: string): void {
    this.report.blocks.push({ where, kind: where.endsWith('Tags') || where.endsWith('Chapters') ? 'text' : where.endsWith('Attachments') ? 'thumbnail' : 'other', offset: header.offset, length: (header.size ?? 0) + header.headerLength, note });
  }

  private segment(header: ElementHeader): number {
    const end = header.size === undefined ? this.source.size : endOf(header);
    let offset = header.dataOffset;
    while (elementAt(this.source, offset, end)) {
      this.budget.step();
      const child = readHeader(this.source, offset, end);
      if (header.size === undefined && (child.id === ids.ebml || child.id === ids.segment)) return offset;
      if (child.size === undefined) {
        if (child.id !== ids.cluster) throw new TracelessError('MALFORMED', `Matroska ${elementName(child.id)} has an unknown size`);
        offset = this.skipLiveCluster(child, end);
        continue;
      }
      const where = `Matroska/${elementName(child.id)}`;
      const read = (what: () => void) => {
        try {
          what();
        } catch (error) {
          this.report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
        }
      };
      if (child.id === ids.info) read(() => this.info(child));
      else if (child.id === ids.tracks) read(() => this.tracks(child));
      else if (child.id === ids.tags) {
        this.block(child, where, 'tags');
        read(() => this.tags(child));
      } else if (child.id === ids.chapters) {
        this.block(child, where, 'chapters');
        read(() => this.chapters(child, 0));
      } else if (child.id === ids.attachments) {
        this.block(child, where, 'attached files');
        read(() => this.attachments(child));
      } else if (![ids.cluster, ids.cues, ids.seekHead, ids.void, ids.crc32].includes(child.id as never)) this.block(child, where, 'unknown element');
      offset = endOf(child);
    }
    return end;
  }

  /** Where an unknown-size Cluster ends: at the first element that cannot be its child. */
  private skipLiveCluster(header: ElementHeader, end: number): number {
    let offset = header.dataOffset;
    while (elementAt(this.source, offset, end)) {
      const child = readHeader(this.source, offset, end);
      if (!clusterChildren.has(child.id)) return offset;
      this.budget.step();
      if (child.size === undefined) throw new TracelessError('MALFORMED', 'a Cluster child has an unknown size');
      offset = endOf(child);
    }
    return end;
  }

  private *kids(header: ElementHeader): Generator<ElementHeader> {
    yield* children(this.source, header.dataOffset, endOf(header), this.budget);
  }

  private text(header: ElementHeader): string {
    const bytes = this.source.read(header.dataOffset, Math.min(header.size!, maxTextBytes));
    const nul = bytes.indexOf(0);
    return bytes.toString('utf8', 0, nul === -1 ? bytes.length : nul).trim();
  }

  /** Findings already reported (a file repeating one element thousands of times reports it once). */
  private readonly seen = new Set<string>();

  private add(category: Category, where: string, tag: string, label: string, value: string): void {
    if (!value) return;
    const key = `${where}\u0000${tag}\u0000${value}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    addFinding(this.report, category, where, tag, label, value);
  }

  private info(info: ElementHeader): void {
    const where = 'Matroska/Info';
    for (const child of this.kids(info)) {
      if (child.id === ids.title) this.add('other', where, 'Title', 'Title', this.text(child));
      else if (child.id === ids.muxingApp) this.add('device', where, 'MuxingApp', 'Software', this.text(child));
      else if (child.id === ids.writingApp) this.add('device', where, 'WritingApp', 'Software', this.text(child));
      else if (child.id === ids.segmentFilename || child.id === ids.prevFilename || child.id === ids.nextFilename) {
        this.add('other', where, elementName(child.id), 'File name', this.text(child));
      } else if ((child.id === ids.segmentUuid || child.id === ids.prevUuid || child.id === ids.nextUuid) && child.size! <= 64) {
        this.add('other', where, elementName(child.id), 'Identifier linking files', this.source.read(child.dataOffset, child.size!).toString('hex'));
      } else if (child.id === ids.dateUtc && child.size === 8) {
        const nanoseconds = this.source.read(child.dataOffset, 8).readBigInt64BE(0);
        const date = new Date(matroskaEpochMs + Number(nanoseconds / 1_000_000n));
        if (!Number.isNaN(date.getTime())) this.add('time', where, 'DateUTC', 'Created', date.toISOString());
      }
    }
  }

  private tracks(tracks: ElementHeader): void {
    for (const entry of this.kids(tracks)) {
      if (entry.id !== ids.trackEntry) continue;
      // The first tracks are reported; past the limit, the caller says the rest was not read.
      if (++this.trackEntries > limits.maxTrackCount) {
        // Said once (a crafted file may repeat Tracks thousands of times).
        if (this.trackEntries === limits.maxTrackCount + 1) throw new TracelessError('LIMIT_EXCEEDED', `more than the maximum of ${limits.maxTrackCount} tracks; the others were not read`);
        return;
      }
      for (const child of this.kids(entry)) {
        if (child.id === ids.name) this.add('other', 'Matroska/Tracks', 'TrackName', 'Track name', this.text(child));
        if (child.id === ids.codecName) this.add('device', 'Matroska/Tracks', 'CodecName', 'Encoder', this.text(child));
      }
    }
  }

  private tags(tags: ElementHeader): void {
    for (const tag of this.kids(tags)) {
      if (tag.id !== ids.tag) continue;
      for (const child of this.kids(tag)) if (child.id === ids.simpleTag) this.simpleTag(child, 0);
    }
  }

  private simpleTag(simpleTag: ElementHeader, depth: number): void {
    if (depth > maxTagDepth) throw new TracelessError('LIMIT_EXCEEDED', 'Matroska tags nested too deeply');
    const where = 'Matroska/Tags';
    let name = '';
    let value = '';
    let binary = 0;
    const nested: ElementHeader[] = [];
    for (const child of this.kids(simpleTag)) {
      if (child.id === ids.tagName) name = this.text(child);
      else if (child.id === ids.tagString) value = this.text(child);
      else if (child.id === ids.tagBinary) binary = child.size!;
      else if (child.id === ids.simpleTag) nested.push(child);
    }
    const tagName = name || 'SimpleTag';
    if (value) {
      this.add(tagCategory(tagName), where, tagName, tagName, value);
      if (tagCategory(tagName) === 'location') {
        const location = parseIso6709(value, `${where}/${tagName}`);
        if (location) this.report.locations.push(location);
      }
    }
    if (binary > 0) this.add('other', where, tagName, `${tagName} (binary)`, formatBytes(binary));
    for (const child of nested) this.simpleTag(child, depth + 1);
  }

  private chapters(header: ElementHeader, depth: number): void {
    WalkBudget.depth(depth);
    for (const child of this.kids(header)) {
      if (child.id === ids.chapString || child.id === ids.editionString) this.add('other', 'Matroska/Chapters', elementName(child.id), 'Chapter title', this.text(child));
      else if ([ids.editionEntry, ids.chapterAtom, ids.chapterDisplay, ids.editionDisplay].includes(child.id as never)) this.chapters(child, depth + 1);
    }
  }

  /** Attached files: name, type and size (their data, cover art or fonts, is not read). */
  private attachments(header: ElementHeader): void {
    for (const file of this.kids(header)) {
      if (file.id !== ids.attachedFile) continue;
      let name = '';
      let mime = '';
      let description = '';
      let size = 0;
      for (const child of this.kids(file)) {
        if (child.id === ids.fileName) name = this.text(child);
        else if (child.id === ids.fileMediaType) mime = this.text(child);
        else if (child.id === ids.fileDescription) description = this.text(child);
        else if (child.id === ids.fileData) size = child.size!;
      }
      this.add('embedded', 'Matroska/Attachments', 'AttachedFile', 'Attached file', `${name || 'unnamed'}${mime ? ` (${mime}, ${formatBytes(size)})` : ` (${formatBytes(size)})`}`);
      if (name) this.add('other', 'Matroska/Attachments', 'FileName', 'Attached file name', name);
      this.add('other', 'Matroska/Attachments', 'FileDescription', 'Attached file description', description);
    }
  }
}

function tagCategory(name: string): Category {
  if (/LOCATION|GPS|COORD|CITY|COUNTRY|LATITUDE|LONGITUDE|ADDRESS|PLACE/i.test(name)) return 'location';
  if (/DATE|TIME/i.test(name)) return 'time';
  if (/ENCODER|SOFTWARE|MAKE|MODEL|DEVICE|SERIAL|HANDLER/i.test(name)) return 'device';
  if (/ARTIST|AUTHOR|COPYRIGHT|COMPOSER|DIRECTOR|PRODUCER|OWNER|PUBLISHER/i.test(name)) return 'owner';
  return 'other';
}

/**
 * Reads the file. A structure that breaks off (a cut recording) ends the walk with a plain
 * sentence: what was found before it is still reported.
 */
export function inspectMatroska(source: ByteSource): ContainerReport {
  const inspector = new Inspector(source);
  try {
    inspector.run();
  } catch (error) {
    inspector.report.unreadable.push(`Matroska structure: ${asTracelessError(error).message}; what follows was not read`);
  }
  return inspector.report;
}
