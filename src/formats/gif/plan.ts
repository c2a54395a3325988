/**
 * Plans a clean GIF from the blocks a reader needs (see `analyse.ts`). The header, logical screen
 * descriptor, image descriptors, graphic control extensions, the looping extension and the
 * trailer are written by traceless from their parsed fields; colour tables are written with the
 * entries no pixel is drawn with zeroed (the background and transparent indices kept), and the
 * LZW code stream is copied up to its end (`lzw.ts`), its sub-block sizes written again. Comments,
 * plain text, XMP, colour profiles, other application data, unknown extensions and bytes after
 * the trailer are left out. With `--only location`, the first XMP packet stays without its
 * location properties (rewritten with its magic trailer); nothing else that is free text stays.
 * Reference: GIF89a sections 17–27; XMP Specification Part 3 section 1.1.2.
 */
import { removeXmpLocation } from '../../decode/location-edit.js';
import type { ByteSource } from '../../io/source.js';
import { PlanBuilder } from '../plan-builder.js';
import type { CleanPlan, PlanOptions } from '../types.js';
import { analyseGif, xmpAppId, xmpMagicTrailer, type KeptBlock } from './analyse.js';
import {
  applicationIdBytes, headerBytes, imageDescriptorBytes, screenDescriptorBytes, trailerByte, writeGraphicControl, writeHead, writeImageDescriptor,
  writeLoopingExtension,
} from './fields.js';

export function planGif(source: ByteSource, options: PlanOptions): CleanPlan {
  const { layout, screenDescriptor, globalTable, kept, removals } = analyseGif(source);
  const plan = new PlanBuilder();
  for (const removal of removals) plan.remove(removal.where, removal.kind, removal.bytes, removal.note);
  plan.bytes(writeHead(layout.version, screenDescriptor));
  // The global colour table, written with the entries no image draws with (but the background) zeroed.
  if (globalTable.length > 0) plan.bytes(globalTable);
  for (const block of kept) emit(plan, block, options);
  plan.bytes(Buffer.from([trailerByte]));
  return plan.build();
}

function emit(plan: PlanBuilder, kept: KeptBlock, options: PlanOptions): void {
  const { block } = kept;
  switch (kept.type) {
    case 'image':
      plan.bytes(writeImageDescriptor(kept.descriptor));
      if (kept.localTable) plan.bytes(kept.localTable);
      if (!kept.lzwPieces) {
        // Not followed (too large): LZW minimum code size and data sub-blocks copied as they are.
        plan.copyImage(kept.lzwOffset, block.offset + block.length - kept.lzwOffset);
        return;
      }
      // LZW minimum code size, then the sub-blocks up to the end of the code stream (sizes written again).
      plan.copyImage(kept.lzwOffset, 1);
      for (const piece of kept.lzwPieces) {
        plan.bytes(Buffer.from([piece.length]));
        plan.copyImage(piece.offset, piece.length);
      }
      plan.bytes(Buffer.from([0]));
      return;
    case 'control':
      plan.bytes(writeGraphicControl(kept.control));
      return;
    case 'looping':
      plan.bytes(writeLoopingExtension(kept.appId, kept.loopCount));
      plan.keep('animation looping');
      return;
    case 'xmp': {
      const drop = (note: string) => plan.remove(kept.where, 'xmp', block.length, note);
      if (options.mode !== 'location') return void drop('XMP');
      if (!kept.readable) return void drop('XMP (cannot be read, so it may hold a place)');
      const edit = removeXmpLocation(kept.packet);
      if (!edit.safe) return void drop(`XMP (${edit.note})`);
      const written = xmpExtension(edit.data);
      if (edit.changed) plan.remove(kept.where, 'xmp', Math.max(1, block.length - written.length), `location removed: ${edit.note}`);
      plan.bytes(written);
      plan.keep('XMP without location');
    }
  }
}

/** An XMP DataXMP application extension: the packet raw, then the magic trailer. */
export function xmpExtension(packet: string): Buffer {
  return Buffer.concat([Buffer.from([0x21, 0xff, applicationIdBytes]), Buffer.from(xmpAppId, 'latin1'), Buffer.from(packet, 'utf8'), xmpMagicTrailer]);
}
