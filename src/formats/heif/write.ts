/**
 * Serialises the parts of `meta` that a clean copy rebuilds: iinf (fewer entries), iloc (fewer
 * items, moved offsets), iref (references to removed items taken out) and ipma (associations of
 * removed items and properties taken out). Field sizes and versions are those of the input, so a
 * rebuilt box is never larger than the original.
 * References: ISO/IEC 14496-12:2022 sections 8.11.3 (iloc), 8.11.6 (iinf), 8.11.12 (iref), 8.11.14 (ipma).
 */
import { TracelessError } from '../../errors.js';
import { Writer, makeFullBox } from './cursor.js';
import type { Associations, ItemLocation, ItemLocations, ItemReferences } from './meta.js';

export function writeItemInfos(version: number, flags: number, entries: Buffer[]): Buffer {
  const writer = new Writer();
  writer.uint(version === 0 ? 2 : 4, entries.length);
  for (const entry of entries) writer.raw(entry);
  return makeFullBox('iinf', version, flags, writer.toBuffer());
}

export function writeItemLocations(iloc: ItemLocations, items: readonly ItemLocation[]): Buffer {
  const writer = new Writer();
  const { version, offsetSize, lengthSize, baseOffsetSize, indexSize } = iloc;
  writer.uint(1, (offsetSize << 4) | lengthSize);
  writer.uint(1, (baseOffsetSize << 4) | (version === 0 ? 0 : indexSize));
  writer.uint(version < 2 ? 2 : 4, items.length);
  for (const item of items) {
    try {
      writer.uint(version < 2 ? 2 : 4, item.id);
      if (version > 0) writer.uint(2, item.constructionMethod);
      writer.uint(2, item.dataReferenceIndex);
      writer.uint(baseOffsetSize, item.baseOffset);
      writer.uint(2, item.extents.length);
      for (const extent of item.extents) {
        if (version > 0) writer.uint(indexSize, extent.index);
        writer.uint(offsetSize, extent.offset);
        writer.uint(lengthSize, extent.length);
      }
    } catch (error) {
      if (error instanceof TracelessError) {
        throw new TracelessError('UNSUPPORTED_FORMAT', `meta/iloc: item ${item.id} cannot be written back (${error.message})`);
      }
      throw error;
    }
  }
  return makeFullBox('iloc', version, iloc.flags, writer.toBuffer());
}

export function writeItemReferences(iref: ItemReferences, references: ItemReferences['references']): Buffer {
  const idBytes = iref.version === 0 ? 2 : 4;
  const writer = new Writer();
  for (const reference of references) {
    const size = 8 + idBytes + 2 + idBytes * reference.toIds.length;
    writer.uint(4, size).raw(Buffer.from(reference.type, 'latin1')).uint(idBytes, reference.fromId).uint(2, reference.toIds.length);
    for (const id of reference.toIds) writer.uint(idBytes, id);
  }
  return makeFullBox('iref', iref.version, iref.flags, writer.toBuffer());
}

export function writeAssociations(ipma: Associations, entries: Associations['entries']): Buffer {
  const writer = new Writer();
  const wide = (ipma.flags & 1) === 1;
  writer.uint(4, entries.length);
  for (const entry of entries) {
    writer.uint(ipma.version < 1 ? 2 : 4, entry.itemId);
    writer.uint(1, entry.associations.length);
    for (const association of entry.associations) {
      if (wide) writer.uint(2, (association.essential ? 0x8000 : 0) | association.index);
      else writer.uint(1, (association.essential ? 0x80 : 0) | association.index);
    }
  }
  return makeFullBox('ipma', ipma.version, ipma.flags, writer.toBuffer());
}
