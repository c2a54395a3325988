/**
 * `--only location` for PNG metadata chunks: an allow-list. A chunk is kept only when traceless
 * knows it holds no place, and then it is written again from what was parsed (never copied):
 * - tIME (seven date fields);
 * - tEXt/zTXt/iTXt whose keyword is on `harmlessKeywords` and whose text names no place; the
 *   language tag and translated keyword are left empty;
 * - XMP (`XML:com.adobe.xmp`) without its location properties;
 * - eXIf and the EXIF raw profile without GPS and without their thumbnail (IFD1 unlinked, its
 *   table and picture zeroed), with the bytes no entry points at cleared;
 * - ImageMagick raw profiles: XMP like XMP; IPTC and 8BIM reduced to the known IPTC datasets that
 *   name no place (every other Photoshop resource goes).
 * Everything else (dSIG, caBX, sPLT, unknown chunks, ICC-as-text profiles) is removed.
 * References: PNG Specification, Third Edition, sections 11.3.3 (text), 11.3.3.5 (eXIf),
 * 11.3.4.6 (tIME); ImageMagick coders/png.c (raw profiles); IPTC IIM 4.2; Photoshop IRB.
 */
import { iptcDatasets, isLocationDataset, readImageResources, readIptc, encodeImageResource, encodeIptc, resourceIds } from '../../decode/iptc.js';
import { removeExifLocation, removeXmpLocation } from '../../decode/location-edit.js';
import { bytesSpellPlace } from '../../decode/xmp-policy.js';
import { xmpKeyword, type AnalysedChunk } from './analyse.js';
import { buildChunk } from './chunks.js';
import { clearTiffSlack, dropThumbnailIfds } from './exif-slack.js';
import { encodeRawProfile, parseRawProfile, rawProfileName } from './raw-profile.js';
import { encodeText, type PngText } from './text.js';

/**
 * Text keywords kept by `--only location` (compared without case): the ones PNG registers
 * (section 11.3.3.2), the device and date keywords cameras and ImageMagick write, and the AI prompt
 * many tools write. Their text is still checked for a place; `Keywords`-like lists are not here,
 * since they often name places.
 */
export const harmlessKeywords = new Set([
  'title', 'author', 'description', 'copyright', 'creation time', 'software', 'disclaimer', 'warning', 'source', 'comment',
  'make', 'model', 'artist', 'creator', 'create-date', 'modify-date', 'date:create', 'date:modify', 'date:timestamp', 'parameters',
]);

/** Seven bytes: year (2), month, day, hour, minute, second (section 11.3.4.6). */
const timeLength = 7;
const exifHeader = Buffer.from('Exif\0\0', 'latin1');
/** The IPTC coded character set value for UTF-8 (ESC % G), the only one kept in dataset 1:90. */
const iptcUtf8 = Buffer.from([0x1b, 0x25, 0x47]);
const recordVersionBytes = 2;

export type LocationDecision =
  | { action: 'emit'; data: Buffer; dropped?: string }
  | { action: 'drop'; note?: string };

function drop(note?: string): LocationDecision {
  return note === undefined ? { action: 'drop' } : { action: 'drop', note };
}

export function decideLocation(analysed: AnalysedChunk): LocationDecision {
  if (!analysed.readable) return drop(`${analysed.note} (cannot be read, so it may hold a place)`);
  const { chunk } = analysed;
  if (chunk.type === 'eXIf' && analysed.exif) {
    const edited = editExif(analysed.exif);
    return typeof edited === 'string' ? drop(`EXIF (${edited})`) : { action: 'emit', data: buildChunk('eXIf', edited.data), ...(edited.dropped ? { dropped: edited.dropped } : {}) };
  }
  if (chunk.type === 'tIME') return decideTime(analysed);
  if (analysed.text) return decideText(analysed, analysed.text);
  return drop();
}

function decideTime(analysed: AnalysedChunk): LocationDecision {
  // The analysis decoded the seven fields into one finding; anything else is malformed.
  const finding = analysed.report.findings.find((entry) => entry.tag === 'ModifyDate' && typeof entry.value === 'string');
  if (analysed.chunk.dataLength !== timeLength || !finding) return drop('modification time (malformed)');
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/.exec(finding.value as string);
  if (!match) return drop('modification time (malformed)');
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return drop('modification time (impossible date)');
  const data = Buffer.alloc(timeLength);
  data.writeUInt16BE(year, 0);
  data.set([month, day, hour, minute, second], 2);
  return { action: 'emit', data: buildChunk('tIME', data) };
}

function decideText(analysed: AnalysedChunk, text: PngText): LocationDecision {
  if (text.hasNul) return drop(`${analysed.note} (holds a NUL or bytes that are not text: readers disagree on where it ends)`);
  const dropped = textSlack(text);
  const emit = (type: PngText['type'], keyword: string, body: string, extra?: string): LocationDecision => {
    const all = [dropped, extra].filter(Boolean).join(', ');
    return { action: 'emit', data: buildChunk(type, encodeText(type, keyword, body)), ...(all ? { dropped: all } : {}) };
  };
  if (text.keyword === xmpKeyword) {
    const edit = removeXmpLocation(text.text);
    if (!edit.safe) return drop(`XMP (${edit.note})`);
    // Written the way XMP part 3 asks for PNG: uncompressed iTXt.
    return emit('iTXt', xmpKeyword, edit.data, edit.changed ? `location: ${edit.note}` : undefined);
  }
  const profile = rawProfileName(text.keyword);
  if (profile !== undefined) {
    const edited = editRawProfile(text, profile);
    if (typeof edited === 'string') return drop(`${analysed.note} (${edited})`);
    return emit(text.type, `Raw profile type ${profile}`, edited.text, edited.dropped);
  }
  if (!harmlessKeywords.has(text.keyword.toLowerCase())) return drop(`${analysed.note} (not a keyword known to hold no place)`);
  const hasLocation = analysed.report.findings.some((finding) => finding.category === 'location') || analysed.report.locations.length > 0;
  if (hasLocation) return drop(`${analysed.note} (holds a place)`);
  return emit(text.type, text.keyword, text.text);
}

/** What a re-written text chunk leaves out. */
function textSlack(text: PngText): string {
  const parts: string[] = [];
  if (text.languageTag || text.translatedKeyword) parts.push('language tag and translated keyword');
  if (text.bytesAfterStream > 0) parts.push(`${text.bytesAfterStream} bytes after the compressed text`);
  return parts.join(', ');
}

/** Thumbnail and GPS removed, slack cleared; a string says why the EXIF cannot be kept. */
function editExif(tiff: Buffer): { data: Buffer; dropped: string } | string {
  const thumbnail = dropThumbnailIfds(tiff);
  const edit = removeExifLocation(thumbnail.data);
  if (!edit.safe) return edit.note;
  const clearing = clearTiffSlack(edit.data);
  if (!clearing.readable) return 'structure unreadable';
  if (clearing.hasThumbnailIfd) return 'carries a thumbnail, a picture with metadata of its own';
  // A kept text tag (Software, ImageDescription, UserComment…) that spells coordinates is a place.
  if (bytesSpellPlace(clearing.data)) return 'a text tag spells coordinates or a map link';
  const parts = [thumbnail.dropped ? 'thumbnail (IFD1)' : '', edit.changed ? `location: ${edit.note}` : '', clearing.cleared > 0 ? `${clearing.cleared} bytes no entry points at` : ''].filter(Boolean);
  return { data: clearing.data, dropped: parts.join(', ') };
}

/** A raw profile edited for location; a string says why it cannot be kept. */
function editRawProfile(text: PngText, profile: string): { text: string; dropped: string } | string {
  let data: Buffer;
  try {
    data = parseRawProfile(text.keyword, text.text).data;
  } catch {
    return 'hex dump unreadable';
  }
  const done = (bytes: Buffer, dropped: string) => {
    const encoded = encodeRawProfile(profile, bytes);
    const rewritten = encoded !== text.text || text.keyword !== `Raw profile type ${profile}`;
    return { text: encoded, dropped: [dropped, rewritten && !dropped ? 'layout of the hex dump' : ''].filter(Boolean).join(', ') };
  };
  if (profile === 'exif' || profile === 'app1') {
    const prefixed = data.subarray(0, exifHeader.length).equals(exifHeader);
    const edited = editExif(prefixed ? data.subarray(exifHeader.length) : data);
    if (typeof edited === 'string') return edited;
    return done(prefixed ? Buffer.concat([exifHeader, edited.data]) : edited.data, edited.dropped);
  }
  if (profile === 'xmp') {
    const edit = removeXmpLocation(data.toString('utf8'));
    if (!edit.safe || !Buffer.from(data.toString('utf8'), 'utf8').equals(data)) return 'XMP that cannot be edited safely';
    return done(Buffer.from(edit.data, 'utf8'), edit.changed ? `location: ${edit.note}` : '');
  }
  if (profile === 'iptc' || profile === '8bim') return editIptcProfile(data, done);
  return 'not a profile known to hold no place';
}

type Done = (bytes: Buffer, dropped: string) => { text: string; dropped: string };

/** IPTC (bare IIM or inside Photoshop resources): only known datasets that name no place. */
function editIptcProfile(data: Buffer, done: Done): { text: string; dropped: string } | string {
  try {
    const isIrb = data.toString('latin1', 0, 4) === '8BIM';
    const resources = isIrb ? readImageResources(data) : [];
    const iptcResource = resources.find((resource) => resource.id === resourceIds.iptc);
    const iim = isIrb ? (iptcResource ? data.subarray(iptcResource.dataOffset, iptcResource.dataOffset + iptcResource.dataLength) : Buffer.alloc(0)) : data;
    const datasets = readIptc(iim);
    const kept = datasets.filter((dataset) => {
      // Besides record 2's known datasets: the character set (1:90) and record version (2:0), when they hold what they define.
      if (dataset.record === 1 && dataset.dataset === 90) return dataset.value.equals(iptcUtf8);
      if (dataset.record === 2 && dataset.dataset === 0) return dataset.value.length === recordVersionBytes;
      return dataset.record === 2 && iptcDatasets.has(dataset.dataset) && !isLocationDataset(dataset.record, dataset.dataset);
    });
    if (!kept.some((dataset) => dataset.record === 2 && dataset.dataset !== 0)) return 'no IPTC dataset known to hold no place';
    const encoded = encodeIptc(iim, kept);
    const bytes = isIrb ? encodeImageResource(resourceIds.iptc, encoded) : encoded;
    const parts: string[] = [];
    if (kept.length < datasets.length) parts.push(`${datasets.length - kept.length} IPTC datasets that may name a place`);
    const otherResources = resources.length - (iptcResource ? 1 : 0);
    if (otherResources > 0) parts.push(`${otherResources} other Photoshop resources`);
    return done(bytes, parts.join(', '));
  } catch {
    return 'IPTC unreadable';
  }
}
