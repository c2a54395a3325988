/**
 * Plans a clean GIF: the header, screen descriptor, colour tables, images, graphic control and
 * plain text extensions, the looping extension and the ICC profile are copied byte for byte;
 * comments, XMP, other application data, unknown extensions and bytes after the trailer are left
 * out. With `--only location`, comments stay, XMP loses its location properties (rewritten with
 * its magic trailer), and what cannot be judged (other application data) is dropped.
 * Reference: GIF89a sections 17–27; XMP Specification Part 3 section 1.1.2.
 */
import { removeXmpLocation } from '../../decode/location-edit.js';
import type { ByteSource } from '../../io/source.js';
import type { CleanPlan, Piece, PlanOptions, PlanRemoval } from '../types.js';
import { analyseGif, xmpAppId, xmpMagicTrailer, type AnalysedBlock } from './analyse.js';

type Decision = { action: 'copy' } | { action: 'drop'; note?: string } | { action: 'replace'; data: Buffer; removed: PlanRemoval };

export function planGif(source: ByteSource, options: PlanOptions): CleanPlan {
  const { layout, blocks } = analyseGif(source);
  const pieces: Piece[] = [{ kind: 'copy', offset: 0, length: layout.headLength }];
  const removed: PlanRemoval[] = [];
  const kept: string[] = [];
  for (const analysed of blocks) {
    const decision = decide(analysed, options);
    const { block } = analysed;
    if (decision.action === 'copy') {
      pushCopy(pieces, block.offset, block.length);
      if (analysed.kind === 'icc') kept.push('ICC colour profile');
      else if (analysed.where === 'plain text') kept.push('plain text drawn on the image');
      else if (analysed.role === 'metadata') kept.push(`${analysed.where} (no location)`);
    } else if (decision.action === 'replace') {
      pieces.push({ kind: 'bytes', data: decision.data });
      removed.push(decision.removed);
      if (analysed.xmp !== undefined) kept.push('XMP without location');
    } else {
      const removal: PlanRemoval = { where: analysed.where, kind: analysed.kind, bytes: block.length };
      const note = decision.note ?? analysed.note;
      if (note) removal.note = note;
      removed.push(removal);
    }
  }
  pushCopy(pieces, layout.trailerOffset, 1);
  if (layout.trailingBytes > 0) removed.push({ where: 'after trailer', kind: 'trailer', bytes: layout.trailingBytes, note: 'data after the end of the image' });
  return { pieces, removed, kept: [...new Set(kept)] };
}

function decide(analysed: AnalysedBlock, options: PlanOptions): Decision {
  if (analysed.standardLooping === false) {
    // Keep the loop count, drop whatever rode along with it.
    const data = analysed.loopCount === undefined ? Buffer.alloc(0) : loopingExtension(analysed.loopCount);
    return { action: 'replace', data, removed: { where: analysed.where, kind: 'other', bytes: analysed.block.length - data.length, note: 'extra data in the looping extension' } };
  }
  if (analysed.role !== 'metadata') return { action: 'copy' };
  if (options.mode !== 'location') return { action: 'drop' };
  if (!analysed.readable) return { action: 'drop', note: `${analysed.note} (cannot be read, so it may hold a place)` };
  if (analysed.kind === 'comment') {
    return analysed.report.findings.some((finding) => finding.category === 'location') ? { action: 'drop' } : { action: 'copy' };
  }
  if (analysed.xmp !== undefined) {
    const edit = removeXmpLocation(analysed.xmp);
    if (!edit.safe) return { action: 'drop', note: `XMP (${edit.note})` };
    if (!edit.changed) return { action: 'copy' };
    const data = xmpExtension(edit.data);
    return { action: 'replace', data, removed: { where: 'XMP', kind: 'xmp', bytes: Math.max(0, analysed.block.length - data.length), note: `location removed: ${edit.note}` } };
  }
  return { action: 'drop' };
}

/** An XMP DataXMP application extension: the packet raw, then the magic trailer. */
export function xmpExtension(packet: string): Buffer {
  return Buffer.concat([Buffer.from([0x21, 0xff, 0x0b]), Buffer.from(xmpAppId, 'latin1'), Buffer.from(packet, 'utf8'), xmpMagicTrailer]);
}

/** A NETSCAPE2.0 extension holding only the loop count. */
function loopingExtension(loopCount: number): Buffer {
  const data = Buffer.concat([Buffer.from([0x21, 0xff, 0x0b]), Buffer.from('NETSCAPE2.0', 'latin1'), Buffer.from([3, 1, 0, 0, 0])]);
  data.writeUInt16LE(loopCount, 16);
  return data;
}

function pushCopy(pieces: Piece[], offset: number, length: number): void {
  const last = pieces[pieces.length - 1];
  if (last?.kind === 'copy' && last.offset + last.length === offset) last.length += length;
  else pieces.push({ kind: 'copy', offset, length });
}
