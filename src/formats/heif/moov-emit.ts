/**
 * Re-emits the leaf boxes of an image sequence's `moov` that a clean copy keeps, from their parsed
 * fields: handler boxes with an empty name, data references reduced to "this file", the sample
 * tables cut to their declared entry counts, the visual sample entry with an empty compressor name
 * and only the configuration boxes traceless re-writes (the same ones as item properties), edit
 * lists to their entries. Nothing after the defined fields survives.
 *
 * References: ISO/IEC 14496-12:2022 sections 8.3.3 (tref), 8.4.3 (hdlr), 8.4.5 (vmhd, smhd, nmhd),
 * 8.5.2 (sample entries: VisualSampleEntry, compressorname), 8.6.1 (stts, ctts, cslg), 8.6.2 (stss),
 * 8.6.4 (sdtp), 8.6.6 (edts/elst), 8.7.2 (dinf/dref), 8.7.3 (stsz/stz2), 8.7.4 (stsc), 8.5.2.2 (btrt);
 * ISO/IEC 23008-12:2022 section 7 (image sequences, `auxi`).
 */
import { TracelessError } from '../../errors.js';
import { Cursor, Writer, makeBox, makeFullBox } from './cursor.js';
import { emitProperty, knownAuxiliaryTypes, readableText } from './property-emit.js';

export interface EmittedBox {
  /** The re-written box, or undefined when it is removed. */
  data?: Buffer;
  /** What was left out (names, trailing bytes), when anything was. */
  note?: string;
  /** Readable text that was left out, for scan. */
  hidden?: string;
}

/** Visual sample entry types traceless re-writes (their codec configuration is checked like item properties). */
const visualSampleEntries: ReadonlySet<string> = new Set(['av01', 'hvc1', 'hev1', 'avc1', 'avc3', 'jpeg', 'mjpg']);
/** VisualSampleEntry fields after the 8-byte SampleEntry header, up to compressorname (ISO/IEC 14496-12 8.5.2.2). */
const visualFieldsBeforeName = 16 + 2 + 2 + 4 + 4 + 4 + 2;
const compressorNameBytes = 32;

const header = (cursor: Cursor) => ({ version: cursor.u8('version'), flags: (cursor.u8('flags') << 16) | cursor.u16('flags') });

function result(data: Buffer, payload: Buffer, used: number, extra?: { note: string; hidden?: string }): EmittedBox {
  const emitted: EmittedBox = { data };
  const trailing = payload.length - used;
  const notes: string[] = [];
  let hidden = extra?.hidden;
  if (extra?.note) notes.push(extra.note);
  if (trailing > 0) {
    notes.push(`${trailing} byte(s) after the defined fields removed`);
    hidden ??= readableText(payload.subarray(used));
  }
  if (notes.length > 0) emitted.note = notes.join('; ');
  if (hidden) emitted.hidden = hidden;
  return emitted;
}

/** A full box whose payload is `count` entries of `entryBytes` after the entry count. */
function table(type: string, cursor: Cursor, payload: Buffer, entryBytes: (version: number) => number): EmittedBox {
  const { version, flags } = header(cursor);
  const count = cursor.u32('entry_count');
  const bytes = entryBytes(version);
  if (count * bytes > cursor.remaining) throw new TracelessError('TRUNCATED', `${type}: ${count} entries run past the box`);
  const entries = cursor.bytes(count * bytes, 'entries');
  return result(makeFullBox(type, version, flags, Buffer.concat([new Writer().uint(4, count).toBuffer(), entries])), payload, cursor.position);
}

/** Re-emits one kept leaf box of `moov` from its payload. `path` is for messages. */
export function emitMoovBox(type: string, payload: Buffer, path: string): EmittedBox {
  const cursor = new Cursor(payload, path);
  switch (type) {
    case 'hdlr': {
      const { version } = header(cursor);
      cursor.u32('pre_defined');
      const handler = cursor.fourcc('handler_type');
      cursor.bytes(12, 'reserved');
      const name = payload.toString('utf8', cursor.position).replace(/\0[\s\S]*$/, '');
      const data = makeFullBox('hdlr', version, 0, Buffer.concat([Buffer.alloc(4), Buffer.from(handler, 'latin1'), Buffer.alloc(12), Buffer.from([0])]));
      return result(data, payload, payload.length, name ? { note: 'handler name emptied', hidden: name } : undefined);
    }
    case 'dinf': {
      const data = makeBox('dinf', makeFullBox('dref', 0, 0, Buffer.concat([new Writer().uint(4, 1).toBuffer(), makeFullBox('url ', 0, 1, Buffer.alloc(0))])));
      const plain = payload.equals(data.subarray(8));
      return plain ? { data } : { data, note: 'data references reduced to one self-contained entry', ...(readableText(payload) ? { hidden: readableText(payload)! } : {}) };
    }
    case 'vmhd': {
      const { version, flags } = header(cursor);
      const writer = new Writer().uint(2, cursor.u16('graphicsmode'));
      for (let index = 0; index < 3; index++) writer.uint(2, cursor.u16('opcolor'));
      return result(makeFullBox('vmhd', version, flags, writer.toBuffer()), payload, cursor.position);
    }
    case 'smhd': {
      const { version, flags } = header(cursor);
      const writer = new Writer().uint(2, cursor.u16('balance')).uint(2, cursor.u16('reserved') & 0);
      return result(makeFullBox('smhd', version, flags, writer.toBuffer()), payload, cursor.position);
    }
    case 'nmhd': {
      const { version, flags } = header(cursor);
      return result(makeFullBox('nmhd', version, flags, Buffer.alloc(0)), payload, cursor.position);
    }
    case 'stts':
    case 'ctts':
      return table(type, cursor, payload, () => 8);
    case 'stsc':
      return table(type, cursor, payload, () => 12);
    case 'stss':
      return table(type, cursor, payload, () => 4);
    case 'stsh':
      return table(type, cursor, payload, () => 8);
    case 'elst':
      return table(type, cursor, payload, (version) => (version === 1 ? 20 : 12));
    case 'stsz': {
      const { version, flags } = header(cursor);
      const size = cursor.u32('sample_size');
      const count = cursor.u32('sample_count');
      if (size === 0 && count * 4 > cursor.remaining) throw new TracelessError('TRUNCATED', `${path}: ${count} sample sizes run past the box`);
      const entries = size === 0 ? cursor.bytes(count * 4, 'entry_size') : Buffer.alloc(0);
      return result(makeFullBox('stsz', version, flags, Buffer.concat([new Writer().uint(4, size).uint(4, count).toBuffer(), entries])), payload, cursor.position);
    }
    case 'stz2': {
      const { version, flags } = header(cursor);
      cursor.bytes(3, 'reserved');
      const bits = cursor.u8('field_size');
      const count = cursor.u32('sample_count');
      const entries = cursor.bytes(Math.ceil((count * bits) / 8), 'entry_size');
      return result(makeFullBox('stz2', version, flags, Buffer.concat([Buffer.alloc(3), Buffer.from([bits]), new Writer().uint(4, count).toBuffer(), entries])), payload, cursor.position);
    }
    case 'cslg': {
      const { version, flags } = header(cursor);
      const fields = cursor.bytes(version === 1 ? 40 : 20, 'cslg fields');
      return result(makeFullBox('cslg', version, flags, fields), payload, cursor.position);
    }
    case 'stsd':
      return emitSampleDescriptions(cursor, payload, path);
    case 'sdtp': {
      // One flags byte per sample, all of them fields.
      const { version, flags } = header(cursor);
      return result(makeFullBox('sdtp', version, flags, cursor.bytes(cursor.remaining, 'sample flags')), payload, payload.length);
    }
    case 'tref': {
      // Reference boxes holding track IDs only.
      const boxes: Buffer[] = [];
      while (cursor.remaining >= 8) {
        const size = cursor.u32('reference size');
        const referenceType = cursor.fourcc('reference type');
        if (size < 8 || size - 8 > cursor.remaining) throw new TracelessError('MALFORMED', `${path}: reference '${referenceType}' runs past the box`);
        const ids = cursor.bytes(size - 8, 'track_IDs');
        boxes.push(makeBox(referenceType, ids.subarray(0, ids.length - (ids.length % 4))));
      }
      const data = makeBox('tref', Buffer.concat(boxes));
      return data.length - 8 === payload.length ? { data } : { data, note: 'bytes after the track references removed' };
    }
    default:
      return { note: `'${type}' box removed (traceless does not re-write it)` };
  }
}

/** stsd: each sample entry re-written; an entry traceless does not know is refused (it says how to decode the samples). */
function emitSampleDescriptions(cursor: Cursor, payload: Buffer, path: string): EmittedBox {
  const { version, flags } = header(cursor);
  const count = cursor.u32('entry_count');
  const entries: Buffer[] = [];
  const notes: string[] = [];
  const hidden: string[] = [];
  for (let index = 0; index < count; index++) {
    const size = cursor.u32('sample entry size');
    const type = cursor.fourcc('sample entry type');
    if (size < 8) throw new TracelessError('MALFORMED', `${path}: sample entry of ${size} bytes`);
    const body = cursor.bytes(size - 8, 'sample entry');
    if (!visualSampleEntries.has(type)) {
      throw new TracelessError('UNSUPPORTED_FORMAT', `${path}: sample entry '${type}' is not one traceless can re-write; it says how the frames decode, so it cannot be removed`);
    }
    const entry = new Cursor(body, `${path}/${type}`);
    const fixed = Buffer.from(entry.bytes(6 + 2 + visualFieldsBeforeName, 'VisualSampleEntry fields'));
    fixed.fill(0, 0, 6);
    const name = entry.bytes(compressorNameBytes, 'compressorname');
    const nameText = name.subarray(1, 1 + Math.min(name[0]!, compressorNameBytes - 1)).toString('latin1').replace(/\0+$/, '');
    if (name.some((byte) => byte !== 0)) {
      notes.push('compressor name emptied');
      if (nameText) hidden.push(nameText);
    }
    const tail = entry.bytes(4, 'depth/pre_defined');
    const children: Buffer[] = [];
    while (entry.remaining >= 8) {
      const childSize = entry.u32('child size');
      const childType = entry.fourcc('child type');
      if (childSize < 8 || childSize - 8 > entry.remaining) throw new TracelessError('MALFORMED', `${path}/${type}: child '${childType}' runs past the sample entry`);
      const childPayload = entry.bytes(childSize - 8, childType);
      const emitted = emitSampleEntryChild(childType, childPayload);
      if (emitted.data) children.push(emitted.data);
      if (emitted.note) notes.push(emitted.note);
      if (emitted.hidden) hidden.push(emitted.hidden);
    }
    if (entry.remaining > 0) notes.push(`${entry.remaining} byte(s) after the sample entry's boxes removed`);
    entries.push(makeBox(type, Buffer.concat([fixed, Buffer.alloc(compressorNameBytes), tail, ...children])));
  }
  const data = makeFullBox('stsd', version, flags, Buffer.concat([new Writer().uint(4, entries.length).toBuffer(), ...entries]));
  const emitted = result(data, payload, cursor.position, notes.length > 0 ? { note: notes.join('; '), ...(hidden.length ? { hidden: hidden.join(' ') } : {}) } : undefined);
  return emitted;
}

function emitSampleEntryChild(type: string, payload: Buffer): EmittedBox {
  if (type === 'btrt') {
    const cursor = new Cursor(payload, 'btrt');
    const writer = new Writer().uint(4, cursor.u32('bufferSizeDB')).uint(4, cursor.u32('maxBitrate')).uint(4, cursor.u32('avgBitrate'));
    return result(makeBox('btrt', writer.toBuffer()), payload, cursor.position);
  }
  if (type === 'auxi') {
    // The auxiliary track's type, like auxC: kept only for known types.
    const urn = payload.toString('utf8', 4).replace(/\0[\s\S]*$/, '');
    if (!knownAuxiliaryTypes.has(urn)) return { note: 'auxiliary type of unknown kind removed', hidden: urn };
    return { data: makeFullBox('auxi', 0, 0, Buffer.from(`${urn}\0`, 'utf8')) };
  }
  const judged = emitProperty(type, payload);
  if (judged.kind === 'kept') {
    const emitted: EmittedBox = { data: judged.property.data };
    if (judged.property.note) emitted.note = judged.property.note;
    if (judged.property.hiddenText) emitted.hidden = judged.property.hiddenText;
    return emitted;
  }
  if (type === 'av1C' || type === 'hvcC' || type === 'avcC') {
    throw new TracelessError('UNSUPPORTED_FORMAT', `the '${type}' codec configuration of the sequence cannot be re-written (${judged.kind === 'unknown' ? judged.reason : 'unknown'}); removing it would change the frames`);
  }
  const text = readableText(payload);
  return text ? { note: `'${type}' box removed from the sample entry`, hidden: text } : { note: `'${type}' box removed from the sample entry` };
}
