/**
 * Re-emits the item properties that a clean copy keeps, from their parsed fields: each known
 * property is read against its defined layout and written back with exactly those fields — no
 * bytes after them, names and free text never carried over. A property whose type or version
 * traceless does not know, or whose fields do not parse, is `unknown`: the caller removes it, or
 * refuses when it is marked essential for a kept image (removing it would change the picture).
 *
 * References: ISO/IEC 23008-12:2022 section 6.5 (ispe 6.5.3, pasp 6.5.4, colr 6.5.5, pixi 6.5.6,
 * rloc 6.5.7, auxC 6.5.8, clap 6.5.9, irot 6.5.10, lsel 6.5.11, imir 6.5.12); ISO/IEC 14496-15:2022
 * section 8.3.2 (HEVCDecoderConfigurationRecord); AV1-ISOBMFF 1.2 section 2.3 (av1C); AVIF 1.1
 * sections 2.3.1 (a1op) and 2.3.2 (a1lx); ISO/IEC 23008-12 amendment (clli, mdcv, amve as in
 * ISO/IEC 14496-12 12.1.5); ISO/IEC 23008-12 annex (jpgC); ICC.1:2022 section 7 (profile header and
 * tag table); Apple and ISO 21496-1 auxiliary URNs as libheif and ExifTool name them.
 */
import { sanitiseIccProfile } from '../../decode/icc.js';
import { TracelessError } from '../../errors.js';
import { Cursor, Writer, makeBox, makeFullBox } from './cursor.js';
import { cleanJpegTables } from './jpeg-item.js';

/** Auxiliary image types whose `auxC` is kept (the rest, and their images, are removed). */
export const knownAuxiliaryTypes: ReadonlySet<string> = new Set([
  'urn:mpeg:mpegB:cicp:systems:auxiliary:alpha',
  'urn:mpeg:hevc:2015:auxid:1',
  'urn:mpeg:mpegB:cicp:systems:auxiliary:depth',
  'urn:mpeg:hevc:2015:auxid:2',
  'urn:com:apple:photo:2020:aux:hdrgainmap',
  'urn:iso:std:iso:ts:21496:-1',
]);

/** Depth auxiliaries carry a depth-representation SEI in aux_subtype that readers use; others carry nothing we keep. */
const auxiliarySubtypeKept: ReadonlySet<string> = new Set(['urn:mpeg:mpegB:cicp:systems:auxiliary:depth', 'urn:mpeg:hevc:2015:auxid:2']);

/** A property as the clean copy writes it. */
export interface EmittedProperty {
  /** The whole re-emitted box. */
  data: Buffer;
  /** Bytes of the input box that the re-emitted one leaves out (trailing bytes, names, slack). */
  droppedBytes: number;
  /** What was left out, for `removed` and for `scan`. */
  note?: string;
  /** Readable text the input carried where the output carries none (shown by `scan`). */
  hiddenText?: string;
}

export type PropertyJudgement =
  | { kind: 'kept'; property: EmittedProperty }
  | { kind: 'unknown'; reason: string }
  | { kind: 'auxiliary-unknown'; urn: string };

const fullHeader = (cursor: Cursor) => ({ version: cursor.u8('version'), flags: (cursor.u8('flags') << 16) | cursor.u16('flags') });

/** Printable text of some bytes (for notes), or undefined when they hold nothing readable. */
export function readableText(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').trim();
  return /[A-Za-z0-9]{3}/.test(text) ? text.slice(0, 200) : undefined;
}

function kept(type: string, data: Buffer, payload: Buffer, used: number, note?: string): PropertyJudgement {
  return keptProperty(type, data, payload, used, note);
}

function keptProperty(type: string, data: Buffer, payload: Buffer, used: number, note?: string): PropertyJudgement {
  const droppedBytes = payload.length - used;
  const property: EmittedProperty = { data, droppedBytes };
  if (droppedBytes > 0) {
    property.note = note ?? `${droppedBytes} byte(s) after the defined fields of '${type}' removed`;
    const hidden = readableText(payload.subarray(used));
    if (hidden) property.hiddenText = hidden;
  } else if (note) property.note = note;
  return { kind: 'kept', property };
}

/**
 * Judges one property from its type and payload (the bytes after the box header). Never throws
 * for bad fields: those make the property `unknown`.
 */
export function emitProperty(type: string, payload: Buffer): PropertyJudgement {
  try {
    return emit(type, payload);
  } catch (error) {
    if (error instanceof TracelessError) return { kind: 'unknown', reason: error.message };
    throw error;
  }
}

function emit(type: string, payload: Buffer): PropertyJudgement {
  const where = `meta/iprp/ipco/${type}`;
  const cursor = new Cursor(payload, where);
  switch (type) {
    case 'ispe': {
      const { version } = fullHeader(cursor);
      if (version !== 0) return { kind: 'unknown', reason: `ispe version ${version}` };
      const width = cursor.u32('image_width');
      const height = cursor.u32('image_height');
      return kept(type, makeFullBox('ispe', 0, 0, new Writer().uint(4, width).uint(4, height).toBuffer()), payload, cursor.position);
    }
    case 'pixi': {
      const { version } = fullHeader(cursor);
      if (version !== 0) return { kind: 'unknown', reason: `pixi version ${version}` };
      const channels = cursor.u8('num_channels');
      const bits = cursor.bytes(channels, 'bits_per_channel');
      return kept(type, makeFullBox('pixi', 0, 0, Buffer.concat([Buffer.from([channels]), bits])), payload, cursor.position);
    }
    case 'colr':
      return emitColour(cursor, payload);
    case 'irot': {
      const angle = cursor.u8('angle') & 0x03;
      return kept(type, makeBox('irot', Buffer.from([angle])), payload, cursor.position);
    }
    case 'imir': {
      const axis = cursor.u8('axis') & 0x01;
      return kept(type, makeBox('imir', Buffer.from([axis])), payload, cursor.position);
    }
    case 'clap': {
      const writer = new Writer();
      for (const field of ['cleanApertureWidthN', 'cleanApertureWidthD', 'cleanApertureHeightN', 'cleanApertureHeightD', 'horizOffN', 'horizOffD', 'vertOffN', 'vertOffD']) writer.uint(4, cursor.u32(field));
      return kept(type, makeBox('clap', writer.toBuffer()), payload, cursor.position);
    }
    case 'pasp': {
      const writer = new Writer().uint(4, cursor.u32('hSpacing')).uint(4, cursor.u32('vSpacing'));
      return kept(type, makeBox('pasp', writer.toBuffer()), payload, cursor.position);
    }
    case 'rloc': {
      const { version } = fullHeader(cursor);
      if (version !== 0) return { kind: 'unknown', reason: `rloc version ${version}` };
      const writer = new Writer().uint(4, cursor.u32('horizontal_offset')).uint(4, cursor.u32('vertical_offset'));
      return kept(type, makeFullBox('rloc', 0, 0, writer.toBuffer()), payload, cursor.position);
    }
    case 'lsel':
      return kept(type, makeBox('lsel', new Writer().uint(2, cursor.u16('layer_id')).toBuffer()), payload, cursor.position);
    case 'a1op':
      return kept(type, makeBox('a1op', Buffer.from([cursor.u8('op_index')])), payload, cursor.position);
    case 'a1lx': {
      const large = cursor.u8('large_size') & 0x01;
      const writer = new Writer().uint(1, large);
      for (let index = 0; index < 3; index++) writer.uint(large ? 4 : 2, cursor.uint(large ? 4 : 2, 'layer_size'));
      return kept(type, makeBox('a1lx', writer.toBuffer()), payload, cursor.position);
    }
    case 'clli': {
      const writer = new Writer().uint(2, cursor.u16('max_content_light_level')).uint(2, cursor.u16('max_pic_average_light_level'));
      return kept(type, makeBox('clli', writer.toBuffer()), payload, cursor.position);
    }
    case 'mdcv': {
      const writer = new Writer();
      for (let index = 0; index < 8; index++) writer.uint(2, cursor.u16('chromaticity'));
      writer.uint(4, cursor.u32('max_display_mastering_luminance')).uint(4, cursor.u32('min_display_mastering_luminance'));
      return kept(type, makeBox('mdcv', writer.toBuffer()), payload, cursor.position);
    }
    case 'amve': {
      const writer = new Writer().uint(4, cursor.u32('ambient_illuminance')).uint(2, cursor.u16('ambient_light_x')).uint(2, cursor.u16('ambient_light_y'));
      return kept(type, makeBox('amve', writer.toBuffer()), payload, cursor.position);
    }
    case 'ccst': {
      const { version } = fullHeader(cursor);
      if (version !== 0) return { kind: 'unknown', reason: `ccst version ${version}` };
      // Only the defined top bits (all_ref_pics_intra, intra_pred_used, max_ref_per_pic); the 26 reserved bits are written as zero.
      const value = cursor.u32('coding constraints') & 0xfc000000;
      return kept(type, makeFullBox('ccst', 0, 0, new Writer().uint(4, value >>> 0).toBuffer()), payload, cursor.position);
    }
    case 'auxC':
      return emitAuxiliary(cursor, payload);
    case 'hvcC':
      return emitHevcConfig(cursor, payload);
    case 'av1C':
      return emitAv1Config(cursor, payload);
    case 'jpgC': {
      const tables = cleanJpegTables(payload);
      return kept(type, makeBox('jpgC', tables.data), payload, payload.length - tables.droppedBytes, tables.droppedBytes > 0 ? `${tables.droppedBytes} byte(s) of non-table JPEG segments removed from jpgC` : undefined);
    }
    case 'crtt':
    case 'mdft': {
      const { version } = fullHeader(cursor);
      if (version !== 0) return { kind: 'unknown', reason: `${type} version ${version}` };
      const time = cursor.u64('time');
      return kept(type, makeFullBox(type, 0, 0, new Writer().uint(8, time).toBuffer()), payload, cursor.position);
    }
    default:
      return { kind: 'unknown', reason: `'${type}' is not a property traceless re-writes` };
  }
}

/** colr: nclx re-emitted field by field; an ICC profile checked against its own header and tag table. */
function emitColour(cursor: Cursor, payload: Buffer): PropertyJudgement {
  const colourType = cursor.fourcc('colour_type');
  if (colourType === 'nclx') {
    const writer = new Writer().raw(Buffer.from('nclx', 'latin1'));
    writer.uint(2, cursor.u16('colour_primaries')).uint(2, cursor.u16('transfer_characteristics')).uint(2, cursor.u16('matrix_coefficients'));
    // full_range_flag is the top bit; the 7 reserved bits are written as zero.
    writer.uint(1, cursor.u8('full_range_flag') & 0x80);
    return kept('colr', makeBox('colr', writer.toBuffer()), payload, cursor.position);
  }
  if (colourType === 'prof' || colourType === 'rICC') {
    const profile = cleanIccProfile(payload.subarray(4));
    // Then re-written through decode/icc: a standard profile stays as it is; any other keeps its
    // colour data and loses its text, device fields and dates.
    const sanitised = sanitiseIccProfile(profile.data, 'colr');
    const notes = [profile.note, sanitised.removed.length > 0 ? `colour profile re-written: ${sanitised.removed.join('; ')}` : undefined].filter(Boolean).join('; ');
    return kept('colr', makeBox('colr', Buffer.concat([Buffer.from(colourType, 'latin1'), sanitised.profile])), payload, 4 + profile.declaredSize, notes || undefined);
  }
  return { kind: 'unknown', reason: `colour type '${colourType}'` };
}

/** ICC header layout (ICC.1:2022 section 7.2): profile size at 0, 'acsp' at 36, tag count at 128. */
const iccHeaderBytes = 128;
const iccSignatureOffset = 36;
const iccTagEntryBytes = 12;
const iccMaximumTags = 1024;

/**
 * The ICC profile cut to its declared size, with every byte that neither the header, the tag
 * table nor a tag's data covers set to zero (slack between tags can hold anything). The colour
 * data itself is untouched. Text tags are kept as they are: see the threat model.
 */
export function cleanIccProfile(bytes: Buffer): { data: Buffer; declaredSize: number; note?: string } {
  if (bytes.length < iccHeaderBytes + 4) throw new TracelessError('MALFORMED', 'ICC profile shorter than its header');
  const declaredSize = bytes.readUInt32BE(0);
  if (declaredSize < iccHeaderBytes + 4 || declaredSize > bytes.length) throw new TracelessError('MALFORMED', `ICC profile declares ${declaredSize} bytes but ${bytes.length} are there`);
  if (bytes.toString('latin1', iccSignatureOffset, iccSignatureOffset + 4) !== 'acsp') throw new TracelessError('MALFORMED', 'ICC profile without the acsp signature');
  const data = Buffer.from(bytes.subarray(0, declaredSize));
  const count = data.readUInt32BE(iccHeaderBytes);
  if (count > iccMaximumTags || iccHeaderBytes + 4 + count * iccTagEntryBytes > declaredSize) throw new TracelessError('MALFORMED', `ICC tag table of ${count} entries does not fit`);
  const covered = new Uint8Array(declaredSize);
  covered.fill(1, 0, iccHeaderBytes + 4 + count * iccTagEntryBytes);
  for (let index = 0; index < count; index++) {
    const at = iccHeaderBytes + 4 + index * iccTagEntryBytes;
    const offset = data.readUInt32BE(at + 4);
    const size = data.readUInt32BE(at + 8);
    if (offset + size > declaredSize) throw new TracelessError('MALFORMED', `ICC tag ${index} runs past the profile`);
    covered.fill(1, offset, offset + size);
  }
  let slack = 0;
  for (let at = 0; at < declaredSize; at++) {
    if (!covered[at] && data[at] !== 0) {
      data[at] = 0;
      slack++;
    }
  }
  const parts: string[] = [];
  if (bytes.length > declaredSize) parts.push(`${bytes.length - declaredSize} byte(s) after the ICC profile removed`);
  if (slack > 0) parts.push(`${slack} byte(s) between ICC tags zeroed`);
  const result: { data: Buffer; declaredSize: number; note?: string } = { data, declaredSize };
  if (parts.length > 0) result.note = parts.join('; ');
  return result;
}

function emitAuxiliary(cursor: Cursor, payload: Buffer): PropertyJudgement {
  const { version } = fullHeader(cursor);
  if (version !== 0) return { kind: 'unknown', reason: `auxC version ${version}` };
  const end = payload.indexOf(0, cursor.position);
  if (end === -1) throw new TracelessError('MALFORMED', 'auxC type without its terminating NUL');
  const urn = payload.toString('utf8', cursor.position, end);
  if (!knownAuxiliaryTypes.has(urn)) return { kind: 'auxiliary-unknown', urn };
  cursor.position = end + 1;
  const subtype = auxiliarySubtypeKept.has(urn) ? cursor.bytes(cursor.remaining, 'aux_subtype') : Buffer.alloc(0);
  const data = makeFullBox('auxC', 0, 0, Buffer.concat([Buffer.from(`${urn}\0`, 'utf8'), subtype]));
  return kept('auxC', data, payload, cursor.position);
}

/** HEVCDecoderConfigurationRecord: 22 bytes of fixed fields, then arrays of parameter-set NAL units. */
const hevcFixedBytes = 22;

function emitHevcConfig(cursor: Cursor, payload: Buffer): PropertyJudgement {
  const version = cursor.u8('configurationVersion');
  if (version !== 1) return { kind: 'unknown', reason: `hvcC configuration version ${version}` };
  const writer = new Writer().uint(1, version).raw(cursor.bytes(hevcFixedBytes - 1, 'general fields'));
  const arrays = cursor.u8('numOfArrays');
  const kept: { header: number; units: Buffer[] }[] = [];
  const dropped: Buffer[] = [];
  for (let index = 0; index < arrays; index++) {
    const header = cursor.u8('NAL_unit_type');
    const count = cursor.u16('numNalus');
    const units: Buffer[] = [];
    for (let nal = 0; nal < count; nal++) {
      const length = cursor.u16('nalUnitLength');
      const unit = cursor.bytes(length, 'nalUnit');
      // SEI units (39 prefix, 40 suffix) are kept only when every message in them is one of the
      // known decoding/display payloads; user data (registered or not) and unknown payloads are text.
      if ((header & 0x3f) === 39 || (header & 0x3f) === 40) {
        if (!seiHoldsOnlyKnownMessages(unit)) {
          dropped.push(unit);
          continue;
        }
      }
      units.push(unit);
    }
    if (units.length > 0) kept.push({ header, units });
  }
  writer.uint(1, kept.length);
  for (const array of kept) {
    writer.uint(1, array.header).uint(2, array.units.length);
    for (const unit of array.units) writer.uint(2, unit.length).raw(unit);
  }
  const data = makeBox('hvcC', writer.toBuffer());
  const trailing = payload.length - cursor.position;
  if (dropped.length === 0) return keptProperty('hvcC', data, payload, cursor.position);
  const removedBytes = payload.length - (data.length - 8);
  const hidden = readableText(Buffer.concat([...dropped, payload.subarray(cursor.position)]));
  const property: EmittedProperty = { data, droppedBytes: removedBytes, note: `${dropped.length} SEI unit(s) with user data or unknown messages removed from hvcC${trailing > 0 ? `; ${trailing} byte(s) after its fields removed` : ''}` };
  if (hidden) property.hiddenText = hidden;
  return { kind: 'kept', property };
}

/**
 * SEI payload types (ITU-T H.265 Annex D) that describe decoding or display and carry no free text:
 * buffering period, picture timing, pan-scan, recovery point, decoded picture hash, active
 * parameter sets, mastering display colour volume, content light level, alternative transfer
 * characteristics, ambient viewing environment, content colour volume, alpha channel information.
 */
const knownSeiPayloads = new Set([0, 1, 2, 3, 6, 9, 45, 47, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 144, 147, 148, 149, 165]);

/** True when the SEI NAL unit parses in full and holds only known message types. */
function seiHoldsOnlyKnownMessages(unit: Buffer): boolean {
  // Remove emulation-prevention bytes (00 00 03) to read the RBSP.
  const rbsp: number[] = [];
  for (let at = 2, zeros = 0; at < unit.length; at++) {
    const byte = unit[at]!;
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    rbsp.push(byte);
  }
  let at = 0;
  const readValue = (): number | undefined => {
    let value = 0;
    while (at < rbsp.length && rbsp[at] === 0xff) {
      value += 255;
      at++;
    }
    if (at >= rbsp.length) return undefined;
    return value + rbsp[at++]!;
  };
  let messages = 0;
  while (at < rbsp.length) {
    // The RBSP trailing bits: 0x80 then nothing but zeros.
    if (rbsp[at] === 0x80 && rbsp.slice(at + 1).every((byte) => byte === 0)) return messages > 0;
    const type = readValue();
    const size = readValue();
    if (type === undefined || size === undefined || at + size > rbsp.length || !knownSeiPayloads.has(type)) return false;
    at += size;
    messages++;
  }
  return false;
}

/** AV1CodecConfigurationRecord: 4 fixed bytes (marker and version 1 in the first), then configOBUs. */
function emitAv1Config(cursor: Cursor, payload: Buffer): PropertyJudgement {
  const first = cursor.u8('marker/version');
  if (first !== 0x81) return { kind: 'unknown', reason: `av1C marker/version byte 0x${first.toString(16)}` };
  const fixed = cursor.bytes(3, 'av1C fields');
  // configOBUs run to the end of the box: only sequence headers and HDR metadata OBUs (content
  // light level, mastering display) are kept; ITU-T T.35 and unknown metadata, padding and any
  // other OBU can carry free data and go (AV1 spec §5.3, §5.8, §6.7).
  const obus = cursor.bytes(cursor.remaining, 'configOBUs');
  const keptObus: Buffer[] = [];
  let dropped = 0;
  for (let at = 0; at < obus.length; ) {
    const header = obus[at]!;
    const type = (header >> 3) & 0x0f;
    let body = at + 1 + ((header & 0x04) ? 1 : 0);
    let size = obus.length - body;
    if (header & 0x02) {
      let value = 0;
      let shift = 0;
      let ok = false;
      for (let index = 0; index < 8 && body < obus.length; index++) {
        const byte = obus[body++]!;
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(byte & 0x80)) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        dropped += obus.length - at;
        break;
      }
      size = value;
    }
    if (header & 0x80 || body + size > obus.length) {
      dropped += obus.length - at;
      break;
    }
    const end = body + size;
    const metadataType = type === 5 && size > 0 ? obus[body]! : -1;
    if (type === 1 || metadataType === 1 || metadataType === 2) keptObus.push(obus.subarray(at, end));
    else dropped += end - at;
    at = end;
  }
  if (dropped > 0) {
    const property: EmittedProperty = { data: makeBox('av1C', Buffer.concat([Buffer.from([first]), fixed, ...keptObus])), droppedBytes: dropped, note: `${dropped} byte(s) of configuration OBUs other than the sequence header and HDR metadata removed from av1C` };
    const hidden = readableText(obus);
    if (hidden) property.hiddenText = hidden;
    return { kind: 'kept', property };
  }
return keptProperty('av1C', makeBox('av1C', Buffer.concat([Buffer.from([first]), fixed, obus])), payload, cursor.position);
}
