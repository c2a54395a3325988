/**
 * What `scan` says about the rendering data a clean keeps in an HDR photo or MPO (gain-map.ts
 * decides what that is): the MPF index, the gain-map XMP properties and the ISO 21496-1 block are
 * reported as kept (`retained`), each kept image after the first as a finding of its own, its
 * metadata inspected like any image's; the rest of the data after EOI is reported as removable.
 */
import { asTracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { formatBytes } from '../../decode/exif.js';
import type { Finding } from '../../types.js';
import { mergeReport, type ContainerReport } from '../types.js';
import { extraSource, keptRendering, type ImageRole, type KeptRendering } from './gain-map.js';
import type { ClassifiedSegment } from './inspect.js';

export const gainMapText = 'HDR gain map (kept: it changes how the photo displays on HDR screens)';
export const viewText = 'another view of a multi-picture image (kept: it is part of the picture)';

/** The kept rendering data of an image in `role`; nothing for JPEGs inside metadata. */
export function keptFor(source: ByteSource, role: ImageRole): KeptRendering | undefined {
  if (role === 'embedded') return undefined;
  try {
    return keptRendering(source, role);
  } catch {
    // The image cannot be analysed: inspect says so elsewhere, and clean refuses it.
    return undefined;
  }
}

/** A finding for a kept MPF or ISO 21496-1 segment, or undefined for any other segment. */
export function keptSegmentFinding(kept: KeptRendering | undefined, segment: ClassifiedSegment, where: string): Finding | undefined {
  if (!kept) return undefined;
  if (segment.offset === kept.mpf) {
    return { category: 'embedded', where, tag: 'MPF', label: 'Multi-picture index', value: segment.payloadLength, text: 'index of the images that make up the picture (kept, re-written with their new places)', retained: true };
  }
  if (segment.offset === kept.iso) {
    return { category: 'other', where, tag: 'ISO21496GainMap', label: 'HDR gain-map parameters (ISO 21496-1)', value: segment.payloadLength, text: 'gain-map parameters (kept: they change how the photo displays on HDR screens)', retained: true };
  }
  return undefined;
}

/** Marks the maker-note finding of an EXIF block re-written with only Apple's HDR headroom as kept. */
export function retainAppleHeadroom(kept: KeptRendering | undefined, segment: ClassifiedSegment, findings: Finding[]): void {
  if (kept?.exif !== segment.offset) return;
  for (const finding of findings) {
    if (finding.tag !== 'MakerNote') continue;
    finding.retained = true;
    finding.text = `${finding.text}; clean keeps only Apple's HDR headroom from it (two numbers an Apple gain map needs)`;
  }
}

/** Marks the XMP findings of the gain-map properties a clean writes again as kept. */
export function retainGainMapXmp(kept: KeptRendering | undefined, segment: ClassifiedSegment, findings: Finding[]): void {
  if (!kept?.xmp || kept.xmp.offset !== segment.offset) return;
  for (const finding of findings) if (kept.xmp.tags.has(finding.tag)) finding.retained = true;
}

/**
 * Reports the kept images after EOI (each inspected in its role by `inspectImage`) and hands the
 * ranges between and after them to `inspectRest` (reported as data after the image).
 */
export function inspectKeptImages(
  source: ByteSource,
  kept: KeptRendering,
  trailer: { offset: number; length: number },
  prefix: string,
  report: ContainerReport,
  inspectImage: (image: ByteSource, prefix: string, role: ImageRole) => ContainerReport,
  inspectRest: (range: { offset: number; length: number }) => void,
): void {
  let position = trailer.offset;
  kept.extras.forEach((extra, number) => {
    if (extra.offset > position) inspectRest({ offset: position, length: extra.offset - position });
    const where = `${prefix}trailer/image${number + 2}`;
    report.blocks.push({ where, kind: 'mpf', offset: extra.offset, length: extra.length, note: extra.role });
    const text = extra.role === 'gain-map' ? gainMapText : viewText;
    report.findings.push({ category: 'embedded', where, tag: extra.role === 'gain-map' ? 'GainMapImage' : 'MPImage', label: extra.role === 'gain-map' ? 'HDR gain map' : 'Multi-picture view', value: extra.length, text: `${text}, ${formatBytes(extra.length)}`, retained: true });
    try {
      mergeReport(report, inspectImage(extraSource(source, extra), `${where}/`, extra.role));
    } catch (error) {
      report.unreadable.push(`${where}: ${asTracelessError(error).message}`);
    }
    position = extra.offset + extra.length;
  });
  const end = trailer.offset + trailer.length;
  if (end > position) inspectRest({ offset: position, length: end - position });
}
