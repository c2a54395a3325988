/**
 * Finds the structure of a seed file generically, so that mutators can aim at it: where units
 * (segments, chunks, boxes, blocks, IFDs) start and end, and where their length, count, offset and
 * type fields sit. The walkers here are deliberately independent of the parsers under test (a bug
 * shared by both would hide itself) and forgiving: they stop quietly at the first thing that does
 * not fit, never throw, and are bounded in the work they do.
 *
 * What is recognised, wherever it sits in the file (so a JPEG thumbnail inside EXIF inside a HEIF
 * item is walked too): JPEG segments, TIFF/EXIF IFDs (classic and BigTIFF), PNG chunks, RIFF chunks
 * (WebP, AVI), ISOBMFF boxes (HEIF, AVIF, MP4, MOV, CR3, JPEG XL, JPEG 2000), GIF blocks and
 * sub-blocks, EBML elements (Matroska), MPEG-TS packets, Photoshop `8BIM` resources, IPTC datasets,
 * and the tags and numbers of text formats. On top of that, every 16- and 32-bit value in the first
 * bytes of the file that could be a length or an offset becomes a candidate field.
 */

export type FieldRole = 'length' | 'count' | 'offset' | 'ifd-pointer' | 'type' | 'version';

export interface Field {
  offset: number;
  width: 1 | 2 | 4 | 8;
  littleEndian: boolean;
  role: FieldRole;
  /** The unit this field belongs to (a length field sizes it). */
  unit?: Unit;
}

export interface Unit {
  start: number;
  end: number;
  /** Bytes of header before the payload. */
  headerBytes: number;
  /** End of the enclosing unit (or of the file). */
  parentEnd: number;
  depth: number;
  family: 'jpeg' | 'png' | 'riff' | 'box' | 'gif' | 'ebml' | 'ts' | 'irb' | 'iptc' | 'ifd';
  /** Where the unit's type tag sits (4CC, marker byte) and how wide it is. */
  typeOffset?: number;
  typeWidth?: number;
}

export interface TiffStructure {
  /** Offset of the TIFF header in the file; IFD offsets are relative to it. */
  base: number;
  littleEndian: boolean;
  bigTiff: boolean;
  /** IFD offsets relative to `base`, in the order they were found. */
  ifdOffsets: number[];
  /** Fields that hold an IFD offset: the header's, next-IFD links, and Exif/GPS/Interop/SubIFD pointers. */
  pointers: Field[];
}

export interface Structure {
  size: number;
  /** Sorted, unique offsets where a structural piece starts or ends. */
  boundaries: number[];
  fields: Field[];
  units: Unit[];
  tiffs: TiffStructure[];
  /** Mostly printable text (XMP, SRT, AAE, PDF). */
  text: boolean;
  /** Offsets of numbers in text files (for text mutations). */
  numbers: { offset: number; length: number }[];
  /** Types seen (4CCs, chunk names), so that a unit can be retyped to another real type. */
  typeNames: Buffer[];
}

const maxUnits = 20_000;
const maxFields = 50_000;
const maxEmbedded = 24;

class Collector {
  readonly boundaries = new Set<number>();
  readonly fields: Field[] = [];
  readonly units: Unit[] = [];
  readonly tiffs: TiffStructure[] = [];
  readonly typeNames = new Map<string, Buffer>();
  readonly walkedTiffs = new Set<number>();
  readonly walkedJpegs = new Set<number>();

  constructor(readonly data: Buffer) {}

  full(): boolean {
    return this.units.length >= maxUnits || this.fields.length >= maxFields;
  }

  boundary(offset: number): void {
    if (offset >= 0 && offset <= this.data.length) this.boundaries.add(offset);
  }

  field(field: Field): void {
    if (field.offset < 0 || field.offset + field.width > this.data.length || this.fields.length >= maxFields) return;
    this.fields.push(field);
    // Candidate fields found by scanning (no unit) are guesses: they do not mark boundaries.
    if (field.unit) this.boundary(field.offset);
  }

  unit(unit: Unit): Unit {
    if (this.units.length < maxUnits) this.units.push(unit);
    this.boundary(unit.start);
    this.boundary(unit.start + unit.headerBytes);
    this.boundary(unit.end);
    if (unit.typeOffset !== undefined && unit.typeWidth) {
      const type = this.data.subarray(unit.typeOffset, unit.typeOffset + unit.typeWidth);
      const key = `${unit.family}:${type.toString('hex')}`;
      if (!this.typeNames.has(key) && this.typeNames.size < 256) this.typeNames.set(key, Buffer.from(type));
    }
    return unit;
  }
}

/** Analyses a seed. Never throws; bounded by the size of the data and the caps above. */
export function analyse(data: Buffer): Structure {
  const c = new Collector(data);
  c.boundary(0);
  c.boundary(data.length);
  const text = isText(data);
  const numbers: { offset: number; length: number }[] = [];
  const guard = (walk: () => void) => {
    try {
      walk();
    } catch {
      // A walker that meets something it does not understand just stops.
    }
  };
  if (text) guard(() => walkText(c, numbers));
  guard(() => walkTopLevel(c));
  guard(() => scanEmbedded(c));
  guard(() => scanPlausibleFields(c));
  return {
    size: data.length,
    boundaries: [...c.boundaries].sort((a, b) => a - b),
    fields: c.fields,
    units: c.units,
    tiffs: c.tiffs,
    text,
    numbers,
    typeNames: [...c.typeNames.values()],
  };
}

function isText(data: Buffer): boolean {
  const sample = data.subarray(0, 4096);
  if (sample.length === 0) return false;
  let printable = 0;
  for (const byte of sample) if (byte === 9 || byte === 10 || byte === 13 || (byte >= 0x20 && byte < 0x7f) || byte >= 0x80) printable++;
  return printable / sample.length > 0.97 && !sample.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}

function walkTopLevel(c: Collector): void {
  const d = c.data;
  const at = (text: string, offset = 0) => d.length >= offset + text.length && d.toString('latin1', offset, offset + text.length) === text;
  if (d[0] === 0xff && d[1] === 0xd8) walkJpeg(c, 0, 0);
  if (at('\x89PNG\r\n\x1a\n')) walkPng(c);
  if (at('RIFF') || at('RIFX')) walkRiff(c, 12, d.length >= 8 ? Math.min(d.length, 8 + d.readUInt32LE(4)) : d.length, 0, d.length);
  if (at('GIF8')) walkGif(c);
  if (d[0] === 0x1a && d[1] === 0x45 && d[2] === 0xdf && d[3] === 0xa3) walkEbml(c, 0, d.length, 0);
  if (d[0] === 0x47 || (d.length > 4 && d[4] === 0x47)) walkTransportStream(c);
  if (at('II*\0') || at('MM\0*') || at('II+\0') || at('MM\0+') || at('IIRO') || at('IIU\0')) walkTiff(c, 0);
  if (looksLikeBox(d, 0, d.length)) walkBoxes(c, 0, d.length, 0);
  if (at('\0MRM')) walkMrw(c);
}

// ---- JPEG -----------------------------------------------------------------------------------

function walkJpeg(c: Collector, start: number, depth: number): void {
  if (c.walkedJpegs.has(start) || c.walkedJpegs.size > maxEmbedded) return;
  c.walkedJpegs.add(start);
  const d = c.data;
  c.boundary(start);
  let offset = start + 2;
  while (offset + 4 <= d.length && !c.full()) {
    if (d[offset] !== 0xff) return;
    const marker = d[offset + 1]!;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0xd9) {
      c.unit({ start: offset, end: offset + 2, headerBytes: 2, parentEnd: d.length, depth, family: 'jpeg', typeOffset: offset + 1, typeWidth: 1 });
      return;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = d.readUInt16BE(offset + 2);
    const end = offset + 2 + length;
    const unit = c.unit({ start: offset, end: Math.min(end, d.length), headerBytes: 4, parentEnd: d.length, depth, family: 'jpeg', typeOffset: offset + 1, typeWidth: 1 });
    c.field({ offset: offset + 2, width: 2, littleEndian: false, role: 'length', unit });
    if (marker === 0xe1 && d.toString('latin1', offset + 4, offset + 10) === 'Exif\0\0') walkTiff(c, offset + 10, end);
    if (marker === 0xe1 && d.toString('latin1', offset + 4, offset + 39) === 'http://ns.adobe.com/xmp/extension/') {
      // Extended XMP: full length and chunk offset (u32 each) after the 32-byte GUID.
      c.field({ offset: offset + 4 + 35 + 32, width: 4, littleEndian: false, role: 'length', unit });
      c.field({ offset: offset + 4 + 35 + 36, width: 4, littleEndian: false, role: 'offset', unit });
    }
    if (marker === 0xda) {
      // Entropy-coded data: the next marker that is not a stuffed byte or a restart.
      let scan = end;
      while (scan + 1 < d.length) {
        if (d[scan] === 0xff && d[scan + 1] !== 0 && !(d[scan + 1]! >= 0xd0 && d[scan + 1]! <= 0xd7) && d[scan + 1] !== 0xff) break;
        scan++;
      }
      c.boundary(scan);
      offset = scan;
      continue;
    }
    offset = end;
  }
}

// ---- TIFF / EXIF ----------------------------------------------------------------------------

const ifdPointerTags = new Set([0x8769, 0x8825, 0xa005, 0x014a]);
const typeSizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

function walkTiff(c: Collector, base: number, limit = c.data.length): void {
  if (c.walkedTiffs.has(base) || c.walkedTiffs.size > maxEmbedded) return;
  c.walkedTiffs.add(base);
  const d = c.data;
  if (base + 8 > d.length) return;
  const order = d.toString('latin1', base, base + 2);
  if (order !== 'II' && order !== 'MM') return;
  const le = order === 'II';
  const u16 = (at: number) => (le ? d.readUInt16LE(at) : d.readUInt16BE(at));
  const u32 = (at: number) => (le ? d.readUInt32LE(at) : d.readUInt32BE(at));
  const magic = u16(base + 2);
  const bigTiff = magic === 43;
  const offsetWidth = bigTiff ? 8 : 4;
  const readOffset = (at: number) => (bigTiff ? Number(le ? d.readBigUInt64LE(at) : d.readBigUInt64BE(at)) : u32(at));
  const tiff: TiffStructure = { base, littleEndian: le, bigTiff, ifdOffsets: [], pointers: [] };
  c.tiffs.push(tiff);
  c.boundary(base);
  const headerPointer: Field = { offset: base + (bigTiff ? 8 : 4), width: offsetWidth as 4 | 8, littleEndian: le, role: 'ifd-pointer' };
  c.field(headerPointer);
  tiff.pointers.push(headerPointer);
  const queue: number[] = [readOffset(headerPointer.offset)];
  const seen = new Set<number>();
  while (queue.length > 0 && seen.size < 64 && !c.full()) {
    const ifd = queue.shift()!;
    if (seen.has(ifd) || ifd < 8 || base + ifd + 2 > Math.min(limit, d.length)) continue;
    seen.add(ifd);
    tiff.ifdOffsets.push(ifd);
    const at = base + ifd;
    const count = bigTiff ? Number(le ? d.readBigUInt64LE(at) : d.readBigUInt64BE(at)) : u16(at);
    const countWidth = bigTiff ? 8 : 2;
    const entryWidth = bigTiff ? 20 : 12;
    const tableEnd = at + countWidth + count * entryWidth + offsetWidth;
    if (count > 4096 || tableEnd > d.length) continue;
    const unit = c.unit({ start: at, end: tableEnd, headerBytes: countWidth, parentEnd: Math.min(limit, d.length), depth: 1, family: 'ifd' });
    c.field({ offset: at, width: countWidth as 2 | 8, littleEndian: le, role: 'count', unit });
    for (let index = 0; index < count; index++) {
      const entry = at + countWidth + index * entryWidth;
      c.boundary(entry);
      const tag = u16(entry);
      const type = u16(entry + 2);
      const valueCount = bigTiff ? Number(le ? d.readBigUInt64LE(entry + 4) : d.readBigUInt64BE(entry + 4)) : u32(entry + 4);
      const valueField = entry + (bigTiff ? 12 : 8);
      c.field({ offset: entry + 2, width: 2, littleEndian: le, role: 'type', unit });
      c.field({ offset: entry + 4, width: bigTiff ? 8 : 4, littleEndian: le, role: 'count', unit });
      const bytes = (typeSizes[type] ?? 1) * valueCount;
      if (bytes > offsetWidth) {
        c.field({ offset: valueField, width: offsetWidth as 4 | 8, littleEndian: le, role: 'offset', unit });
        const valueOffset = readOffset(valueField);
        c.boundary(base + valueOffset);
        c.boundary(base + valueOffset + bytes);
      }
      if (ifdPointerTags.has(tag)) {
        const pointerCount = Math.min(valueCount, 16);
        const inline = (typeSizes[type] ?? 4) * valueCount <= offsetWidth;
        const first = inline ? valueField : base + readOffset(valueField);
        for (let pointer = 0; pointer < pointerCount; pointer++) {
          const pointerAt = first + pointer * (type === 16 || type === 18 ? 8 : 4);
          if (pointerAt + 4 > d.length) break;
          const field: Field = { offset: pointerAt, width: type === 16 || type === 18 ? 8 : 4, littleEndian: le, role: 'ifd-pointer', unit };
          c.field(field);
          tiff.pointers.push(field);
          queue.push(field.width === 8 ? Number(le ? d.readBigUInt64LE(pointerAt) : d.readBigUInt64BE(pointerAt)) : u32(pointerAt));
        }
      }
      // A JPEG thumbnail (IFD1 0x0201) or a strip that is a JPEG: walk it too.
      if (tag === 0x0201 || tag === 0x0111) {
        const first = bytes > offsetWidth ? base + readOffset(valueField) : valueField;
        if (first + offsetWidth <= d.length) {
          const target = base + (type === 3 ? u16(first) : readOffset(first));
          if (target + 3 < d.length && d[target] === 0xff && d[target + 1] === 0xd8) walkJpeg(c, target, 2);
        }
      }
    }
    const nextField: Field = { offset: at + countWidth + count * entryWidth, width: offsetWidth as 4 | 8, littleEndian: le, role: 'ifd-pointer', unit };
    c.field(nextField);
    tiff.pointers.push(nextField);
    queue.push(readOffset(nextField.offset));
  }
}

// ---- PNG ------------------------------------------------------------------------------------

function walkPng(c: Collector): void {
  const d = c.data;
  let offset = 8;
  while (offset + 12 <= d.length && !c.full()) {
    const length = d.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > d.length || length > d.length) return;
    const unit = c.unit({ start: offset, end, headerBytes: 8, parentEnd: d.length, depth: 0, family: 'png', typeOffset: offset + 4, typeWidth: 4 });
    c.field({ offset, width: 4, littleEndian: false, role: 'length', unit });
    const type = d.toString('latin1', offset + 4, offset + 8);
    if (type === 'eXIf') walkTiff(c, offset + 8, end - 4);
    if (type === 'acTL' || type === 'fcTL') c.field({ offset: offset + 8, width: 4, littleEndian: false, role: 'count', unit });
    if (type === 'IEND') return;
    offset = end;
  }
}

// ---- RIFF -----------------------------------------------------------------------------------

function walkRiff(c: Collector, start: number, end: number, depth: number, parentEnd: number): void {
  const d = c.data;
  if (depth === 0) {
    const unit = c.unit({ start: 0, end: Math.min(end, d.length), headerBytes: 12, parentEnd: d.length, depth: 0, family: 'riff', typeOffset: 8, typeWidth: 4 });
    c.field({ offset: 4, width: 4, littleEndian: true, role: 'length', unit });
  }
  let offset = start;
  while (offset + 8 <= Math.min(end, d.length) && !c.full() && depth < 8) {
    const length = d.readUInt32LE(offset + 4);
    const chunkEnd = offset + 8 + length + (length & 1);
    if (offset + 8 + length > d.length) return;
    const unit = c.unit({ start: offset, end: offset + 8 + length, headerBytes: 8, parentEnd, depth: depth + 1, family: 'riff', typeOffset: offset, typeWidth: 4 });
    c.field({ offset: offset + 4, width: 4, littleEndian: true, role: 'length', unit });
    const type = d.toString('latin1', offset, offset + 4);
    if (type === 'EXIF') {
      const tiffAt = d.toString('latin1', offset + 8, offset + 14) === 'Exif\0\0' ? offset + 14 : offset + 8;
      walkTiff(c, tiffAt, offset + 8 + length);
    }
    if (type === 'LIST' || type === 'RIFF') walkRiff(c, offset + 12, offset + 8 + length, depth + 1, offset + 8 + length);
    if (type === 'ANMF') walkRiff(c, offset + 24, offset + 8 + length, depth + 1, offset + 8 + length);
    if (type === 'VP8X' || type === 'avih' || type === 'strh') c.field({ offset: offset + 8, width: 4, littleEndian: true, role: 'count', unit });
    offset = chunkEnd;
  }
}

// ---- ISOBMFF --------------------------------------------------------------------------------

function plausibleType(d: Buffer, at: number): boolean {
  for (let index = 0; index < 4; index++) {
    const byte = d[at + index]!;
    if (!((byte >= 0x20 && byte < 0x7f) || byte === 0xa9)) return false;
  }
  return true;
}

function boxSize(d: Buffer, at: number, end: number): { size: number; header: number } | undefined {
  if (at + 8 > end) return undefined;
  let size = d.readUInt32BE(at);
  let header = 8;
  if (size === 1) {
    if (at + 16 > end) return undefined;
    size = Number(d.readBigUInt64BE(at + 8));
    header = 16;
  } else if (size === 0) size = end - at;
  if (size < header || at + size > end) return undefined;
  return { size, header };
}

/** Whether `[start, end)` is a run of boxes that fills it exactly. */
function looksLikeBox(d: Buffer, start: number, end: number): boolean {
  let offset = start;
  let count = 0;
  while (offset < end && count < 4096) {
    if (end - offset < 8) return count > 0 && d.subarray(offset, end).every((byte) => byte === 0);
    if (!plausibleType(d, offset + 4)) return false;
    const box = boxSize(d, offset, end);
    if (!box) return false;
    offset += box.size;
    count++;
  }
  return count > 0 && offset === end;
}

/** Offsets inside a box's payload where child boxes may start (full boxes, sample entries, …). */
const childSkips = [0, 4, 8, 12, 16, 20, 28, 36, 78, 86];

function walkBoxes(c: Collector, start: number, end: number, depth: number): void {
  const d = c.data;
  let offset = start;
  while (offset + 8 <= end && !c.full() && depth < 40) {
    const box = boxSize(d, offset, end);
    if (!box) return;
    const boxEnd = offset + box.size;
    const type = d.toString('latin1', offset + 4, offset + 8);
    const header = box.header + (type === 'uuid' ? 16 : 0);
    const unit = c.unit({ start: offset, end: boxEnd, headerBytes: header, parentEnd: end, depth, family: 'box', typeOffset: offset + 4, typeWidth: 4 });
    c.field({ offset, width: 4, littleEndian: false, role: 'length', unit });
    if (box.header === 16) c.field({ offset: offset + 8, width: 8, littleEndian: false, role: 'length', unit });
    const payload = offset + header;
    if (boxEnd - payload >= 4 && d[payload]! <= 3) {
      // Probably a full box: version byte, then (often) an entry count.
      c.field({ offset: payload, width: 1, littleEndian: false, role: 'version', unit });
      if (boxEnd - payload >= 8) c.field({ offset: payload + 4, width: 4, littleEndian: false, role: 'count', unit });
      if (boxEnd - payload >= 6) c.field({ offset: payload + 4, width: 2, littleEndian: false, role: 'count', unit });
    }
    if (type === 'Exif' || (type === 'CMT1' || type === 'CMT2' || type === 'CMT3' || type === 'CMT4')) {
      const tiffAt = d.indexOf('MM\0*', payload, 'latin1');
      const tiffLe = d.indexOf('II*\0', payload, 'latin1');
      for (const candidate of [tiffAt, tiffLe]) if (candidate >= 0 && candidate < boxEnd) walkTiff(c, candidate, boxEnd);
    }
    if (type !== 'mdat' && type !== 'idat') {
      for (const skip of childSkips) {
        if (payload + skip + 8 <= boxEnd && looksLikeBox(d, payload + skip, boxEnd)) {
          walkBoxes(c, payload + skip, boxEnd, depth + 1);
          break;
        }
      }
    }
    offset = boxEnd;
  }
}

// ---- GIF ------------------------------------------------------------------------------------

function walkGif(c: Collector): void {
  const d = c.data;
  if (d.length < 13) return;
  const packed = d[10]!;
  let offset = 13 + (packed & 0x80 ? 3 * (1 << ((packed & 7) + 1)) : 0);
  c.boundary(13);
  c.boundary(offset);
  const subBlocks = (at: number, unit: Unit): number => {
    let cursor = at;
    while (cursor < d.length && !c.full()) {
      const length = d[cursor]!;
      c.field({ offset: cursor, width: 1, littleEndian: false, role: 'length', unit });
      if (length === 0) return cursor + 1;
      cursor += 1 + length;
    }
    return cursor;
  };
  while (offset < d.length && !c.full()) {
    const introducer = d[offset]!;
    if (introducer === 0x3b) {
      c.unit({ start: offset, end: offset + 1, headerBytes: 1, parentEnd: d.length, depth: 0, family: 'gif', typeOffset: offset, typeWidth: 1 });
      return;
    }
    if (introducer === 0x21) {
      const unit: Unit = { start: offset, end: offset, headerBytes: 2, parentEnd: d.length, depth: 0, family: 'gif', typeOffset: offset + 1, typeWidth: 1 };
      unit.end = subBlocks(offset + 2, unit);
      c.unit(unit);
      offset = unit.end;
    } else if (introducer === 0x2c) {
      if (offset + 10 > d.length) return;
      const local = d[offset + 9]!;
      const dataAt = offset + 10 + (local & 0x80 ? 3 * (1 << ((local & 7) + 1)) : 0) + 1;
      const unit: Unit = { start: offset, end: offset, headerBytes: dataAt - offset, parentEnd: d.length, depth: 0, family: 'gif', typeOffset: offset, typeWidth: 1 };
      unit.end = subBlocks(dataAt, unit);
      c.unit(unit);
      offset = unit.end;
    } else return;
  }
}

// ---- EBML (Matroska) ------------------------------------------------------------------------

function vint(d: Buffer, at: number): { length: number; value: number } | undefined {
  const first = d[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (at + length > d.length) return undefined;
  let value = first & (0xff >> length);
  for (let index = 1; index < length; index++) value = value * 256 + d[at + index]!;
  return { length, value };
}

const ebmlMasters = new Set(['1a45dfa3', '18538067', '1549a966', '1654ae6b', 'ae', '1254c367', '7373', '67c8', '1f43b675', 'a0', '114d9b74', '4dbb', '1941a469', '61a7', '1043a770', '45b9', 'b6', '80', 'e0', 'e1']);

function walkEbml(c: Collector, start: number, end: number, depth: number): void {
  const d = c.data;
  let offset = start;
  while (offset < end && !c.full() && depth < 12) {
    const id = vint(d, offset);
    if (!id || id.length > 4) return;
    const size = vint(d, offset + id.length);
    if (!size) return;
    const header = id.length + size.length;
    const unknownSize = size.value === 2 ** (7 * size.length) - 1;
    const elementEnd = unknownSize ? end : Math.min(offset + header + size.value, end);
    const unit = c.unit({ start: offset, end: elementEnd, headerBytes: header, parentEnd: end, depth, family: 'ebml', typeOffset: offset, typeWidth: id.length });
    c.field({ offset: offset + id.length, width: size.length === 1 ? 1 : size.length <= 2 ? 2 : size.length <= 4 ? 4 : 8, littleEndian: false, role: 'length', unit });
    const idHex = d.subarray(offset, offset + id.length).toString('hex');
    if (ebmlMasters.has(idHex)) walkEbml(c, offset + header, elementEnd, depth + 1);
    if (offset + header + size.value > end && !unknownSize) return;
    offset = elementEnd;
  }
}

// ---- MPEG-TS --------------------------------------------------------------------------------

function walkTransportStream(c: Collector): void {
  const d = c.data;
  const packet = d[0] === 0x47 ? 188 : 192;
  const sync = packet === 188 ? 0 : 4;
  for (let offset = 0; offset + packet <= d.length && !c.full(); offset += packet) {
    if (d[offset + sync] !== 0x47) return;
    c.unit({ start: offset, end: offset + packet, headerBytes: sync + 4, parentEnd: d.length, depth: 0, family: 'ts' });
  }
}

// ---- MRW ------------------------------------------------------------------------------------

function walkMrw(c: Collector): void {
  const d = c.data;
  const unit = c.unit({ start: 0, end: Math.min(d.length, 8 + d.readUInt32BE(4)), headerBytes: 8, parentEnd: d.length, depth: 0, family: 'box', typeOffset: 0, typeWidth: 4 });
  c.field({ offset: 4, width: 4, littleEndian: false, role: 'length', unit });
  let offset = 8;
  while (offset + 8 <= unit.end && !c.full()) {
    const length = d.readUInt32BE(offset + 4);
    const block = c.unit({ start: offset, end: Math.min(d.length, offset + 8 + length), headerBytes: 8, parentEnd: unit.end, depth: 1, family: 'box', typeOffset: offset, typeWidth: 4 });
    c.field({ offset: offset + 4, width: 4, littleEndian: false, role: 'length', unit: block });
    if (d.toString('latin1', offset, offset + 4) === '\0TTW') walkTiff(c, offset + 8, block.end);
    offset += 8 + length;
  }
}

// ---- things found anywhere ------------------------------------------------------------------

function scanEmbedded(c: Collector): void {
  const d = c.data;
  const find = (needle: Buffer, visit: (at: number) => void, cap = maxEmbedded) => {
    let found = 0;
    for (let at = d.indexOf(needle, 1); at !== -1 && found < cap && !c.full(); at = d.indexOf(needle, at + 1)) {
      visit(at);
      found++;
    }
  };
  find(Buffer.from([0xff, 0xd8, 0xff]), (at) => walkJpeg(c, at, 2));
  for (const header of ['II*\0\x08\0\0\0', 'MM\0*\0\0\0\x08', 'II*\0', 'MM\0*']) find(Buffer.from(header, 'latin1'), (at) => walkTiff(c, at));
  find(Buffer.from('8BIM', 'latin1'), (at) => {
    // Photoshop image resource: 8BIM, id (2), Pascal name padded to even, size (4).
    const nameLength = d[at + 6];
    if (nameLength === undefined) return;
    const sizeAt = at + 6 + ((nameLength + 2) & ~1);
    if (sizeAt + 4 > d.length) return;
    const size = d.readUInt32BE(sizeAt);
    const unit = c.unit({ start: at, end: Math.min(d.length, sizeAt + 4 + size), headerBytes: sizeAt + 4 - at, parentEnd: d.length, depth: 3, family: 'irb', typeOffset: at + 4, typeWidth: 2 });
    c.field({ offset: sizeAt, width: 4, littleEndian: false, role: 'length', unit });
  }, 256);
  find(Buffer.from([0x1c, 0x02]), (at) => {
    if (at + 5 > d.length) return;
    const size = d.readUInt16BE(at + 3);
    const unit = c.unit({ start: at, end: Math.min(d.length, at + 5 + size), headerBytes: 5, parentEnd: d.length, depth: 3, family: 'iptc', typeOffset: at + 2, typeWidth: 1 });
    c.field({ offset: at + 3, width: 2, littleEndian: false, role: 'length', unit });
  }, 256);
  // XMP packets and GPMF/QuickTime text inside binary files.
  find(Buffer.from('<x:xmpmeta', 'latin1'), (at) => c.boundary(at), 8);
}

/** Every 16/32-bit value in the first bytes that could be a length or an offset into the file. */
function scanPlausibleFields(c: Collector): void {
  const d = c.data;
  const limit = Math.min(d.length - 4, 1024);
  for (let at = 0; at < limit && c.fields.length < maxFields; at++) {
    for (const littleEndian of [false, true]) {
      const value32 = littleEndian ? d.readUInt32LE(at) : d.readUInt32BE(at);
      if (value32 >= 8 && value32 <= d.length + 16) c.field({ offset: at, width: 4, littleEndian, role: 'length' });
      const value16 = littleEndian ? d.readUInt16LE(at) : d.readUInt16BE(at);
      if (value16 >= 4 && value16 <= Math.min(d.length, 0xffff) && at % 2 === 0) c.field({ offset: at, width: 2, littleEndian, role: 'length' });
    }
  }
}

// ---- text -----------------------------------------------------------------------------------

function walkText(c: Collector, numbers: { offset: number; length: number }[]): void {
  const d = c.data;
  const limit = Math.min(d.length, 1 << 20);
  for (let at = 0; at < limit; at++) {
    const byte = d[at]!;
    if (byte === 0x3c || byte === 0x3e || byte === 0x0a || byte === 0x22 || byte === 0x28 || byte === 0x29 || byte === 0x5b || byte === 0x5d) {
      c.boundary(at);
      c.boundary(at + 1);
    }
    if (byte >= 0x30 && byte <= 0x39 && numbers.length < 4096) {
      let end = at;
      while (end < limit && ((d[end]! >= 0x30 && d[end]! <= 0x39) || d[end] === 0x2e)) end++;
      numbers.push({ offset: at, length: end - at });
      at = end;
    }
  }
}
