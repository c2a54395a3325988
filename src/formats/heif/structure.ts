/**
 * The top level of a HEIF/AVIF file and the judgement of every box in it: what is kept, what is
 * metadata to drop, what is padding to check, and what traceless cannot explain (refused).
 * References: ISO/IEC 23008-12:2022 sections 4 and 10 (brands, file structure); ISO/IEC 14496-12:2022
 * section 8.1.2 (free/skip); Samsung motion photos (`mpvd`, per ExifTool's Samsung tags);
 * C2PA 2.1 section 11.3.3 (the BMFF `uuid` box d8fec3d6-1b0e-483c-9297-5828877ec481).
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { BlockKind } from '../../types.js';
import { BoxBudget, payloadSize, payloadStart, printable, readBoxes, type Box } from '../isobmff/boxes.js';
import { readMeta, type HeifMeta } from './meta.js';

/** The extended type of the `uuid` box that holds an XMP packet (Adobe XMP Specification Part 3, section 1.1.4). */
export const xmpUuid = 'be7acfcb97a942e89c71999491e3afac';

/** UUIDs of `uuid` boxes we can name (their content is dropped either way). */
export const knownUuids: Readonly<Record<string, { kind: BlockKind; label: string }>> = {
  [xmpUuid]: { kind: 'xmp', label: 'XMP packet' },
  d8fec3d61b0e483c92975828877ec481: { kind: 'c2pa', label: 'C2PA content credentials' },
  ffcc8263f8554a938814587a02521fdd: { kind: 'other', label: 'PROF (profile) box' },
};

/** Top-level boxes that only carry metadata: dropped from a clean copy. */
export const metadataTopBoxes: Readonly<Record<string, { kind: BlockKind; label: string }>> = {
  uuid: { kind: 'other', label: 'vendor box' },
  udta: { kind: 'quicktime', label: 'user data box' },
  mpvd: { kind: 'vendor', label: 'Samsung motion-photo video (a whole MP4 with its own metadata)' },
  meco: { kind: 'other', label: 'additional metadata container' },
};

/** Children of `meta` that only carry metadata. */
export const metadataMetaChildren: Readonly<Record<string, { kind: BlockKind; label: string }>> = {
  'xml ': { kind: 'xmp', label: 'XML box' },
  bxml: { kind: 'xmp', label: 'binary XML box' },
  uuid: { kind: 'other', label: 'vendor box' },
};

/** Children of `meta` that describe the image and are kept (some are rebuilt). */
export const structuralMetaChildren: ReadonlySet<string> = new Set(['hdlr', 'pitm', 'iinf', 'iloc', 'iref', 'iprp', 'idat', 'dinf', 'grpl']);

export const paddingTypes: ReadonlySet<string> = new Set(['free', 'skip', 'wide']);

export type TopRole = 'ftyp' | 'meta' | 'mdat' | 'padding' | 'moov' | 'metadata' | 'trailer';

export interface TopBox {
  box: Box;
  role: TopRole;
}

export interface HeifFile {
  top: TopBox[];
  meta?: HeifMeta;
  moov?: Box;
  budget: BoxBudget;
}

/** Image brands from the ftyp box (major and compatible). */
export function readBrands(source: ByteSource, ftyp: Box): string[] {
  const size = payloadSize(ftyp);
  if (size < 8) throw new TracelessError('MALFORMED', `ftyp box is too small (${ftyp.size} bytes)`);
  if (size > 4096) throw new TracelessError('MALFORMED', `ftyp box is implausibly large (${ftyp.size} bytes)`);
  const payload = source.read(payloadStart(ftyp), size);
  const brands = [payload.toString('latin1', 0, 4)];
  for (let at = 8; at + 4 <= payload.length; at += 4) brands.push(payload.toString('latin1', at, at + 4));
  return brands;
}

/** Boxes a reader needs whole: one of them cut short is a damaged file, never "data after the end". */
const essentialTopBoxes: ReadonlySet<string> = new Set(['ftyp', 'meta', 'mdat', 'moov']);

/**
 * The top-level boxes, and where the data after the last whole box starts when what follows is
 * not a box (junk a tool appended): that is data after the container's end, which a clean removes.
 * A cut essential box (ftyp, meta, mdat, moov) is still refused as truncated.
 */
function readTopLevel(source: ByteSource, budget: BoxBudget): { boxes: Box[]; trailer?: Box } {
  try {
    return { boxes: readBoxes(source, 0, source.size, budget, 'file') };
  } catch (error) {
    if (!(error instanceof TracelessError) || (error.code !== 'TRUNCATED' && error.code !== 'MALFORMED')) throw error;
    const boxes: Box[] = [];
    let offset = 0;
    while (offset + 8 <= source.size) {
      const header = source.read(offset, 8);
      const size = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (size < 8 || offset + size > source.size) {
        if (essentialTopBoxes.has(type) || boxes.length === 0) throw error;
        break;
      }
      boxes.push(...readBoxes(source, offset, offset + size, budget, 'file'));
      offset += size;
    }
    if (!boxes.some((box) => box.type === 'meta' || box.type === 'moov')) throw error;
    return { boxes, trailer: { type: 'data after the last box', offset, headerSize: 0, size: source.size - offset } };
  }
}

export function readHeifFile(source: ByteSource, lenient = false): HeifFile {
  const budget = new BoxBudget(lenient);
  const { boxes, trailer } = readTopLevel(source, budget);
  if (boxes[0]?.type !== 'ftyp') throw new TracelessError('MALFORMED', 'the file does not start with an ftyp box');
  readBrands(source, boxes[0]);
  const file: HeifFile = { top: [], budget };
  boxes.forEach((box, index) => {
    const role = topRole(box, index, budget);
    if (role === 'meta') {
      if (file.meta) throw new TracelessError('MALFORMED', 'the file holds more than one top-level meta box');
      file.meta = readMeta(source, box, budget);
      if (file.meta.handler !== 'pict') {
        throw new TracelessError('UNSUPPORTED_FORMAT', `the meta box has handler '${printable(file.meta.handler)}', not 'pict': this is not a HEIF image`);
      }
    }
    if (role === 'moov') {
      if (file.moov) throw new TracelessError('MALFORMED', 'the file holds more than one moov box');
      file.moov = box;
    }
    file.top.push({ box, role });
  });
  if (trailer) file.top.push({ box: trailer, role: 'trailer' });
  if (!file.meta && !file.moov) throw new TracelessError('MALFORMED', 'the file has neither a meta box (images) nor a moov box (image sequence)');
  return file;
}

function topRole(box: Box, index: number, budget: BoxBudget): TopRole {
  if (box.type === 'ftyp') {
    if (index !== 0) throw new TracelessError('MALFORMED', `a second ftyp box at offset ${box.offset}`);
    return 'ftyp';
  }
  if (box.type === 'meta') return 'meta';
  if (box.type === 'mdat') return 'mdat';
  if (box.type === 'moov') return 'moov';
  if (paddingTypes.has(box.type)) return 'padding';
  if (box.type in metadataTopBoxes) return 'metadata';
  if (['moof', 'mfra', 'sidx', 'styp', 'ssix', 'emsg'].includes(box.type)) {
    const message = `fragmented HEIF sequences ('${box.type}' box) are not supported`;
    if (!budget.lenient) throw new TracelessError('UNSUPPORTED_FORMAT', message);
    budget.damage.push(`${message}: the '${box.type}' box at ${box.offset} was not read`);
    return 'metadata';
  }
  // Unknown boxes (Samsung `sefd`, vendor blocks, misnamed ones) play no part in decoding the
  // images, which live in meta and mdat: they are removed, never copied and never refused.
  return 'metadata';
}

/** What a `metadata` top-level box or meta child is, for reports. */
export function describeMetadataBox(box: Box, table: Readonly<Record<string, { kind: BlockKind; label: string }>>): { kind: BlockKind; label: string } {
  if (box.type === 'uuid' && box.uuid && knownUuids[box.uuid]) return knownUuids[box.uuid]!;
  if (box.type === 'sefd') return { kind: 'vendor', label: 'Samsung sefd box (vendor data: capture settings, motion-photo and edit records)' };
  return table[box.type] ?? { kind: 'other', label: `unknown '${printable(box.type)}' box` };
}

/** True when every payload byte of `box` is zero (read in bounded chunks). */
export function isZeroFilled(source: ByteSource, box: Box): boolean {
  const chunk = 1024 * 1024;
  const end = box.offset + box.size;
  for (let at = payloadStart(box); at < end; at += chunk) {
    const bytes = source.read(at, Math.min(chunk, end - at));
    for (const byte of bytes) if (byte !== 0) return false;
  }
  return true;
}

/** Where-path of a top-level box for reports (`uuid` boxes carry their extended type). */
export function boxWhere(box: Box, parent = ''): string {
  const name = box.type === 'uuid' && box.uuid ? `uuid(${box.uuid})` : printable(box.type);
  return parent ? `${parent}/${name}` : name;
}
