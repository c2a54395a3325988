/**
 * One pass over a HEIF/AVIF file that both `inspect` and `plan` start from: the top-level boxes,
 * the meta model, every item with its role and byte ranges, every property with its role, and the
 * image-sequence `moov`. Whatever cannot be explained is refused here, before anything is decided.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { printable, type Box } from '../isobmff/boxes.js';
import { itemRole, placeItem, type ItemPlace, type ItemRole } from './items.js';
import type { ItemInfo, ItemLocation } from './meta.js';
import { readMoov, type MoovModel } from './moov.js';
import { propertyRole, type PropertyRole } from './properties.js';
import { isZeroFilled, metadataMetaChildren, paddingTypes, readHeifFile, structuralMetaChildren, type HeifFile } from './structure.js';

export interface AnalysedItem {
  id: number;
  info: ItemInfo;
  role: ItemRole;
  location?: ItemLocation;
  /** Undefined for items built from other items (construction method 2) or without a location. */
  place?: ItemPlace;
  /** Report path, e.g. `meta/Exif#3`. */
  where: string;
  /** Why a metadata item's extents could not be resolved (it is removed without reading them). */
  unplaced?: string;
}

export interface AnalysedProperty {
  box: Box;
  /** 1-based, as `ipma` counts. */
  index: number;
  role: PropertyRole;
}

export interface Analysis {
  file: HeifFile;
  items: AnalysedItem[];
  /** Children of meta that are metadata boxes (dropped) or padding. */
  metaExtras: { box: Box; role: 'metadata' | 'padding'; dirty: boolean }[];
  /** Top-level padding boxes that hold something other than zeros. */
  dirtyPadding: Set<Box>;
  properties: AnalysedProperty[];
  moov?: MoovModel;
}

export function itemWhere(info: ItemInfo, role: ItemRole): string {
  const name = role === 'exif' ? 'Exif' : role === 'xmp' ? 'XMP' : role === 'image' || role === 'unknown' ? printable(info.type) : role === 'uri' ? 'uri' : 'mime';
  return `meta/${name}#${info.id}`;
}

/**
 * `lenient` (best-effort inspection): what only a clean must refuse (protected items, references
 * to items that are not described, extents past the end of a cut file, timed-metadata tracks) is
 * recorded in `file.budget.damage` and the rest is still analysed. A plan never analyses leniently.
 */
export function analyse(source: ByteSource, lenient = false): Analysis {
  const file = readHeifFile(source, lenient);
  const analysis: Analysis = { file, items: [], metaExtras: [], dirtyPadding: new Set(), properties: [] };
  /** Strict: throws. Lenient: records the problem and goes on. */
  const refuse = (error: TracelessError): void => {
    if (!lenient) throw error;
    file.budget.damage.push(error.message);
  };
  for (const { box, role } of file.top) {
    if (role === 'padding' && !isZeroFilled(source, box)) analysis.dirtyPadding.add(box);
  }
  const meta = file.meta;
  if (meta) {
    for (const child of meta.children) {
      if (structuralMetaChildren.has(child.type)) continue;
      if (paddingTypes.has(child.type)) analysis.metaExtras.push({ box: child, role: 'padding', dirty: !isZeroFilled(source, child) });
      else if (child.type in metadataMetaChildren) analysis.metaExtras.push({ box: child, role: 'metadata', dirty: true });
      else if (child.type === 'ipro' || child.type === 'sinf') refuse(new TracelessError('UNSUPPORTED_FORMAT', 'protected (encrypted) HEIF items are not supported'));
      // Unknown children of meta play no part in decoding: removed with the metadata.
      else analysis.metaExtras.push({ box: child, role: 'metadata', dirty: true });
    }
    const locations = new Map((meta.iloc?.items ?? []).map((location) => [location.id, location] as const));
    for (const location of locations.values()) {
      if (!meta.itemInfos.has(location.id)) {
        refuse(new TracelessError('MALFORMED', `meta/iloc locates item ${location.id}, which meta/iinf does not describe`));
      }
    }
    for (const info of meta.itemInfos.values()) {
      // An item of a type traceless does not know is removed (or refused when a kept image needs it).
      const role = itemRole(info) ?? 'unknown';
      const item: AnalysedItem = { id: info.id, info, role, where: itemWhere(info, role) };
      const location = locations.get(info.id);
      if (location) {
        item.location = location;
        try {
          const place = placeItem(meta, location, source, true);
          if (place) item.place = place;
        } catch (error) {
          // Extents past the file are damage (refused); data kept in another file only matters for an
          // image: a metadata item is removed whatever its data reference says.
          const unsupported = error instanceof TracelessError && error.code === 'UNSUPPORTED_FORMAT';
          if (!(error instanceof TracelessError) || (!lenient && (role === 'image' || !unsupported))) throw error;
          item.unplaced = error.message;
          // Lenient: an image's data cut off is damage; a metadata item's is reported where it is described.
          if (lenient && role === 'image') file.budget.damage.push(`${item.where}: ${error.message}`);
        }
      }
      analysis.items.push(item);
    }
    if (meta.primaryItemId !== undefined) {
      const primary = analysis.items.find((item) => item.id === meta.primaryItemId);
      if (!primary) refuse(new TracelessError('MALFORMED', `meta/pitm names item ${meta.primaryItemId}, which meta/iinf does not describe`));
      else if (primary.role !== 'image') refuse(new TracelessError('MALFORMED', `the primary item ${primary.id} is not an image`));
    }
    meta.iprp?.properties.forEach((box, index) => {
      // Unknown properties are judged by the plan: removed, or refused when essential for a kept image.
      analysis.properties.push({ box, index: index + 1, role: propertyRole(box) ?? 'unknown' });
    });
  }
  if (file.moov) {
    try {
      analysis.moov = readMoov(source, file.moov, file.budget);
    } catch (error) {
      if (!lenient || !(error instanceof TracelessError)) throw error;
      refuse(new TracelessError(error.code, `moov: ${error.message}`));
    }
  }
  return analysis;
}
