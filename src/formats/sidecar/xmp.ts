/**
 * XMP sidecar files (`IMG_1234.xmp` beside a raw file or a photo), as Lightroom, darktable and
 * digiKam write them. Reference: Adobe XMP Specification Part 3 §2 (sidecar files); ISO 16684-1.
 *
 * The output is written by traceless from the parsed packet (`decode/xmp.ts`), never copied:
 * - default mode: an allow-list of what develops the picture (Camera Raw/Lightroom develop
 *   settings, darktable history, orientation and layout, exposure settings; see
 *   `decode/xmp-policy.ts`); everything else — owner and licensor names, face regions, shutter
 *   counts, original file names, keywords, dates, device, software, history, document IDs,
 *   unfamiliar namespaces — is removed;
 * - `--only location`: the location allow-list (GPS, place names, addresses, keyword trees and
 *   unfamiliar namespaces go).
 * A sidecar that cannot be read in full (not well-formed, ambiguous encoding) is replaced by an
 * empty packet: removed whole, never half-read.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import { decodeXmp, editXmpForLocation, editXmpPacket, xmpText, type XmpEdit } from '../../decode/xmp.js';
import { keepForSidecar } from '../../decode/xmp-policy.js';
import { writeXmpPacket } from '../../decode/xmp-write.js';
import { emptyReport, type CleanPlan, type ContainerReport, type FormatHandler, type PlanOptions } from '../types.js';

const where = 'XMP sidecar';

function readPacket(source: ByteSource): string {
  if (source.size > limits.maxMetadataBytes) throw new TracelessError('LIMIT_EXCEEDED', `XMP sidecar of ${source.size} bytes is larger than ${limits.maxMetadataBytes}`);
  return xmpText(source.read(0, source.size));
}

export function isXmpSidecar(head: Buffer): boolean {
  const text = head.toString('latin1').replace(/^\xef\xbb\xbf/, '').trimStart();
  return text.startsWith('<?xpacket') || text.startsWith('<x:xmpmeta') || text.startsWith('<x:xapmeta') || (text.startsWith('<?xml') && /<(x:xmpmeta|rdf:RDF|\?xpacket)/.test(text));
}

function inspectXmpSidecar(source: ByteSource): ContainerReport {
  const report = emptyReport();
  const { findings, locations, unreadable } = decodeXmp(readPacket(source), where);
  report.blocks.push({ where, kind: 'xmp', offset: 0, length: source.size });
  report.findings.push(...findings);
  report.locations.push(...locations);
  report.unreadable.push(...unreadable);
  return report;
}

function planXmpSidecar(source: ByteSource, options: PlanOptions): CleanPlan {
  const packet = readPacket(source);
  const edit: XmpEdit = options.mode === 'location' ? editXmpForLocation(packet) : editXmpPacket(packet, keepForSidecar);
  if (!edit.ok) {
    return {
      pieces: [{ kind: 'bytes', data: Buffer.from(writeXmpPacket({ properties: [] }), 'utf8') }],
      removed: [{ where, kind: 'xmp', bytes: source.size, note: `the whole packet: it cannot be read in full (${edit.reason})` }],
      kept: [],
    };
  }
  const data = Buffer.from(edit.text, 'utf8');
  const kept = edit.model.properties.length > 0 ? [options.mode === 'location' ? 'XMP properties that hold no place' : 'XMP develop settings'] : [];
  const unchanged = edit.removed.length === 0 && data.equals(source.read(0, source.size));
  if (unchanged) return { pieces: [{ kind: 'bytes', data }], removed: [], kept };
  const note =
    edit.removed.length === 0
      ? 're-written from its parsed properties (comments, padding and unused declarations removed)'
      : options.mode === 'location'
        ? `location and unfamiliar properties: ${summarise(edit.removed)}`
        : `every property not on the develop-settings allow-list: ${summarise(edit.removed)}`;
  return { pieces: [{ kind: 'bytes', data }], removed: [{ where, kind: 'xmp', bytes: Math.max(0, source.size - data.length), note }], kept };
}

function summarise(names: string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

export const xmpSidecar: FormatHandler = {
  id: 'xmp',
  name: 'XMP sidecar',
  extensions: ['xmp'],
  cleanable: true,
  sniff: isXmpSidecar,
  inspect: inspectXmpSidecar,
  plan: planXmpSidecar,
};
