/**
 * `meta` boxes of movies: `hdlr` `mdta` with `keys` + `ilst` (QuickTime File Format, "Metadata":
 * item boxes are named by the 1-based key index) and `hdlr` `mdir` (iTunes-style `ilst`, items
 * named by their tag such as `©too`). Each item holds `data` atoms: type indicator (1 = UTF-8,
 * 2 = UTF-16, 13/14/27 = JPEG/PNG/BMP image, 21/22 = signed/unsigned big-endian integer,
 * 23/24 = float32/float64), locale, value.
 */
import type { Category } from '../../types.js';
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { BoxBudget, payloadSize, payloadStart, readBoxes, readChildren, type Box } from '../isobmff/boxes.js';
import { decodeText, shorten } from './bytes.js';
import { userDataAtoms } from './user-data.js';

export interface DataValue {
  type: number;
  text: string;
  isImage: boolean;
}

/** Big-endian UTF-16 (QuickTime's `data` type 2) as a string; an odd last byte is ignored. */
function utf16beText(bytes: Buffer): string {
  const swapped = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** Decodes a whole `data` atom (header included). */
export function decodeDataAtom(atom: Buffer): DataValue | undefined {
  if (atom.length < 16 || atom.toString('latin1', 4, 8) !== 'data') return undefined;
  const type = atom.readUInt32BE(8) & 0x00ffffff;
  const value = atom.subarray(16);
  switch (type) {
    case 1:
      return { type, text: shorten(value.toString('utf8').replace(/\0+$/, '')), isImage: false };
    case 2:
      return { type, text: shorten(utf16beText(value).replace(/\0+$/, '')), isImage: false };
    case 13:
    case 14:
    case 27:
      return { type, text: `${['JPEG', 'PNG', 'BMP'][[13, 14, 27].indexOf(type)]} image of ${value.length} bytes`, isImage: true };
    case 21:
    case 22: {
      if (value.length === 0 || value.length > 8) break;
      let number = 0n;
      for (const byte of value) number = (number << 8n) | BigInt(byte);
      if (type === 21 && value[0]! & 0x80) number -= 1n << BigInt(value.length * 8);
      return { type, text: number.toString(), isImage: false };
    }
    case 23:
      if (value.length === 4) return { type, text: String(value.readFloatBE(0)), isImage: false };
      break;
    case 24:
      if (value.length === 8) return { type, text: String(value.readDoubleBE(0)), isImage: false };
      break;
  }
  return { type, text: `${value.length} bytes`, isImage: false };
}

/** Key names of a `keys` box, in order (index 0 is key 1). */
export function readKeys(source: ByteSource, keys: Box): string[] {
  const data = source.read(payloadStart(keys), payloadSize(keys));
  if (data.length < 8) throw new TracelessError('MALFORMED', `'keys' box is too small`);
  const count = data.readUInt32BE(4);
  const names: string[] = [];
  let offset = 8;
  for (let index = 0; index < count; index++) {
    if (offset + 8 > data.length) throw new TracelessError('MALFORMED', `'keys' box lists ${count} keys but holds ${index}`);
    const size = data.readUInt32BE(offset);
    if (size < 8 || offset + size > data.length) throw new TracelessError('MALFORMED', `'keys' entry ${index + 1} has an impossible size ${size}`);
    names.push(data.toString('utf8', offset + 8, offset + size));
    offset += size;
  }
  return names;
}

export interface IlstItem {
  box: Box;
  /** The item's first `data` atom, when it has one. */
  dataAtom?: Box;
  /** The key name (mdta) or item tag (mdir, e.g. `©too`, or `mean:name` for `----`). */
  name: string;
  value?: DataValue;
}

/** The items of an `ilst`, with their names resolved through `keys` when the handler is `mdta`. */
export function readIlstItems(source: ByteSource, ilst: Box, keys: string[] | undefined, budget: BoxBudget, depth: number): IlstItem[] {
  const items: IlstItem[] = [];
  for (const box of readChildren(source, ilst, budget, depth)) {
    // The padding a rewrite leaves (a zero-filled `free` box) is not an item, whatever `keys` says.
    if (box.type === 'free' || box.type === 'skip') continue;
    let name = box.type;
    if (keys) {
      const index = source.read(box.offset + 4, 4).readUInt32BE(0);
      name = keys[index - 1] ?? `key ${index}`;
    }
    const children = readBoxes(source, payloadStart(box), box.offset + box.size, budget, `'ilst' item`);
    const data = children.find((child) => child.type === 'data');
    const item: IlstItem = { box, name };
    if (data) {
      item.dataAtom = data;
      const value = decodeDataAtom(source.read(data.offset, data.size));
      if (value) item.value = value;
    }
    if (box.type === '----') {
      const part = (type: string) => {
        const child = children.find((candidate) => candidate.type === type);
        return child && payloadSize(child) > 4 ? decodeText(source.read(payloadStart(child) + 4, payloadSize(child) - 4)) : '';
      };
      name = `${part('mean')}:${part('name')}`;
      item.name = name;
    }
    items.push(item);
  }
  return items;
}

const applePrefix = /^com\.apple\.quicktime\./;

/** Whether an item's key or tag reveals a place. */
export function isLocationItem(name: string): boolean {
  return name === '©xyz' || /location|iso6709|gps|coordinates|latitude|longitude/i.test(name);
}

/** Category and label of an item, by key name (mdta) or tag (mdir). */
export function classifyItem(name: string, value?: DataValue): { category: Category; label: string } {
  if (value?.isImage) return { category: 'thumbnail', label: 'Embedded image (cover art)' };
  const known = userDataAtoms.get(name);
  if (known) return known;
  const short = name.replace(applePrefix, '');
  if (isLocationItem(name)) return { category: 'location', label: /ISO6709/i.test(name) ? 'GPS coordinates' : `Location (${short})` };
  if (/content\.identifier/i.test(short)) return { category: 'other', label: 'Live Photo pairing identifier' };
  if (/^make$|manufacturer/i.test(short)) return { category: 'device', label: 'Camera make' };
  if (/^model$/i.test(short)) return { category: 'device', label: 'Camera model' };
  if (/software|encoder|firmware|version/i.test(short)) return { category: 'device', label: 'Software' };
  if (/lens|camera|serial|device|capture/i.test(short)) return { category: 'device', label: `Camera (${short})` };
  if (/date|time|year/i.test(short)) return { category: 'time', label: 'Creation date' };
  if (/author|artist|copyright|owner|publisher|creator|displayname|apID|ownr/i.test(short) || ['aART', 'cprt', 'apID', 'ownr'].includes(name)) return { category: 'owner', label: `Owner (${short})` };
  if (name === 'covr') return { category: 'thumbnail', label: 'Embedded image (cover art)' };
  return { category: 'other', label: `Metadata item '${short}'` };
}

/** Well-known `data` atom types (QuickTime File Format, "Well-known types"). */
const dataType = { implicit: 0, utf8: 1, utf16: 2, utf8Sort: 4, utf16Sort: 5, signed: 21, unsigned: 22, float32: 23, float64: 24 } as const;
const dataAtomHeaderBytes = 16;
const boxHeaderBytes = 8;
/** C0 controls other than tab, line feed and carriage return, and DEL: not text a person wrote. */
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * The value a kept item may carry, re-checked by its type: text up to its first NUL (valid UTF-8
 * or UTF-16 without control characters), integers of 1–8 bytes, floats of their size. Anything else
 * (pictures, other types, text with binary in it) cannot be checked: undefined.
 */
function checkedValue(type: number, value: Buffer): Buffer | undefined {
  switch (type) {
    case dataType.utf8:
    case dataType.utf8Sort: {
      const end = value.indexOf(0);
      const text = end === -1 ? value : value.subarray(0, end);
      try {
        return controlCharacters.test(new TextDecoder('utf-8', { fatal: true }).decode(text)) ? undefined : text;
      } catch {
        return undefined;
      }
    }
    case dataType.utf16:
    case dataType.utf16Sort: {
      let end = value.length & ~1;
      for (let index = 0; index < end; index += 2) {
        if (value[index] === 0 && value[index + 1] === 0) end = index;
      }
      const text = utf16beText(value.subarray(0, end));
      return controlCharacters.test(text) || text.includes('\ufffd') ? undefined : value.subarray(0, end);
    }
    case dataType.implicit:
    case dataType.signed:
    case dataType.unsigned:
      return value.length >= 1 && value.length <= 8 ? value : undefined;
    case dataType.float32:
      return value.length === 4 ? value : undefined;
    case dataType.float64:
      return value.length === 8 ? value : undefined;
  }
  return undefined;
}

/** A kept item as location mode writes it back: what it holds beyond its checked value, in bytes. */
export interface ReemittedItem {
  data: Buffer;
  /** Bytes of the original item that are not in the checked value (zeroed or made padding). */
  dropped: number;
}

/**
 * A kept `ilst` item written again from its parsed fields, at its own size (nothing moves): its
 * header, one `data` atom (type, locale 0, the checked value), then a `free` box of zeros for
 * whatever else the item held (more atoms, bytes after the value). Text shorter by fewer than 8
 * bytes is padded with NULs inside the value, as readers end text there. Undefined when the item
 * cannot be written this way (no value, a value that does not check, a 64-bit size): it goes.
 */
export function reemitItem(source: ByteSource, item: IlstItem): ReemittedItem | undefined {
  const { box, dataAtom: data } = item;
  if (box.headerSize !== boxHeaderBytes || !item.value || item.value.isImage) return undefined;
  if (!data || data.headerSize !== boxHeaderBytes || data.size < dataAtomHeaderBytes) return undefined;
  const atom = source.read(data.offset, data.size);
  const type = atom.readUInt32BE(boxHeaderBytes) & 0x00ffffff;
  const value = checkedValue(type, atom.subarray(dataAtomHeaderBytes));
  if (!value) return undefined;
  const isText = type === dataType.utf8 || type === dataType.utf8Sort || type === dataType.utf16 || type === dataType.utf16Sort;
  let atomSize = dataAtomHeaderBytes + value.length;
  const rest = box.size - boxHeaderBytes - atomSize;
  if (rest < 0) return undefined;
  if (rest > 0 && rest < boxHeaderBytes) {
    // Too little room for a free box: NULs after the text, inside the value (a number cannot grow).
    if (!isText) return undefined;
    atomSize += rest;
  }
  const out = Buffer.alloc(box.size);
  out.writeUInt32BE(box.size, 0);
  out.write(box.type, 4, 'latin1');
  out.writeUInt32BE(atomSize, boxHeaderBytes);
  out.write('data', boxHeaderBytes + 4, 'latin1');
  out.writeUInt32BE(type, boxHeaderBytes + 8);
  // Locale (country and language indicators) written as 0, "any": not worth a channel of its own.
  value.copy(out, boxHeaderBytes + dataAtomHeaderBytes);
  const freeBytes = box.size - boxHeaderBytes - atomSize;
  if (freeBytes > 0) {
    out.writeUInt32BE(freeBytes, boxHeaderBytes + atomSize);
    out.write('free', boxHeaderBytes + atomSize + 4, 'latin1');
  }
  return { data: out, dropped: box.size - boxHeaderBytes - dataAtomHeaderBytes - value.length };
}

/**
 * An `ilst` rewritten in place, the same size as before: the kept items as re-emitted, then a
 * `free` box of zeros after the `ilst` where the removed ones (and any padding) were; fewer than
 * 8 bytes left (the stray zeros a writer may leave at the end of a container) stay zeros inside it.
 */
export function rebuildIlst(ilst: Box, kept: readonly Buffer[]): Buffer {
  if (ilst.headerSize !== boxHeaderBytes) throw new TracelessError('UNSUPPORTED_FORMAT', `'ilst' at ${ilst.offset} has a 64-bit size; traceless cannot rewrite it in place`);
  const keptBytes = kept.reduce((sum, part) => sum + part.length, 0);
  const freeBytes = ilst.size - boxHeaderBytes - keptBytes;
  if (freeBytes < 0) throw new TracelessError('INTERNAL', `'ilst' at ${ilst.offset}: the kept items are larger than the box`);
  const header = Buffer.alloc(boxHeaderBytes);
  header.writeUInt32BE(freeBytes >= boxHeaderBytes ? boxHeaderBytes + keptBytes : ilst.size, 0);
  header.write('ilst', 4, 'latin1');
  const free = Buffer.alloc(freeBytes);
  if (freeBytes >= boxHeaderBytes) {
    free.writeUInt32BE(freeBytes, 0);
    free.write('free', 4, 'latin1');
  }
  return Buffer.concat([header, ...kept, free]);
}

/**
 * Metadata items kept in location mode, compared as exact names (the `keys` bytes as UTF-8, or the
 * four bytes of an iTunes tag): Apple's documented QuickTime metadata keys and FFmpeg's, and the
 * iTunes tags, minus anything that names a place. Any other item is removed: its meaning is unknown.
 */
const harmlessItems = new Set([
  ...['make', 'model', 'software', 'creationdate', 'author', 'artist', 'title', 'description', 'comment', 'copyright', 'displayname', 'keywords', 'information',
    'album', 'genre', 'director', 'producer', 'publisher', 'performer', 'composer', 'year', 'rating.user', 'collection.user', 'content.identifier',
    'live-photo.auto', 'live-photo.vitality-score', 'live-photo.vitality-scoring-version', 'full-frame-rate-playback-intent', 'camera.identifier',
    'camera.lens_model', 'camera.focal_length.35mm_equivalent', 'cinematic-video', 'still-image-time', 'detected-face', 'detected-face.bounds',
    'detected-face.face-id', 'detected-face.roll-angle', 'detected-face.yaw-angle', 'video-orientation', 'spatial-overcapture.quality-scoring-version',
    'spatial-overcapture.quality-score', 'encoder', 'original-artist', 'arranger', 'credits', 'phonogram-rights', 'player.movie.audio.gain',
  ].map((key) => `com.apple.quicktime.${key}`),
  'encoder', 'major_brand', 'minor_version', 'compatible_brands', 'creation_time', 'title', 'artist', 'comment', 'date', 'album', 'genre', 'copyright',
  'description', 'composer', 'album_artist', 'track', 'disc', 'language', 'handler_name', 'vendor_id', 'timecode', 'rotate',
  '©nam', '©ART', '©alb', '©day', '©too', '©cmt', '©gen', '©wrt', '©grp', '©lyr', '©enc', '©swr', '©mak', '©mod', 'desc', 'ldes', 'cprt', 'aART',
  'trkn', 'disk', 'tmpo', 'cpil', 'pgap', 'stik', 'rtng', 'tvsh', 'tven', 'tvsn', 'tves', 'purd', 'sonm', 'soar', 'soaa', 'soal', 'soco', 'sosn', 'hdvd',
]);

export function isHarmlessItem(name: string): boolean {
  return harmlessItems.has(name) && !isLocationItem(name);
}

/** Where each key name sits in a `keys` box (ISO/QuickTime: count, then size, namespace, name). */
export function keyNameRanges(source: ByteSource, keys: Box): { name: string; offset: number; length: number }[] {
  const ranges: { name: string; offset: number; length: number }[] = [];
  const payload = source.read(keys.offset + keys.headerSize, keys.size - keys.headerSize);
  if (payload.length < 8) return ranges;
  const count = payload.readUInt32BE(4);
  let at = 8;
  for (let index = 0; index < count && at + 8 <= payload.length; index++) {
    const size = payload.readUInt32BE(at);
    if (size < 8 || at + size > payload.length) break;
    ranges.push({ name: payload.toString('utf8', at + 8, at + size), offset: keys.offset + keys.headerSize + at + 8, length: size - 8 });
    at += size;
  }
  return ranges;
}

/** The bytes of a `keys` box after its counted entries (none in a well-formed box), in file offsets. */
export function keysSlack(source: ByteSource, keys: Box): { offset: number; length: number } | undefined {
  const payloadStart = keys.offset + keys.headerSize;
  const payloadEnd = keys.offset + keys.size;
  if (payloadEnd - payloadStart < 8) return undefined;
  // Each name runs to the end of its entry: the last one ends where the counted entries end.
  const last = keyNameRanges(source, keys).at(-1);
  const end = last ? last.offset + last.length : payloadStart + 8;
  return end < payloadEnd ? { offset: end, length: payloadEnd - end } : undefined;
}
