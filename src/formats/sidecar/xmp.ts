/**
 * XMP sidecar files (`IMG_1234.xmp` beside a raw file or a photo), as Lightroom, darktable and
 * digiKam write them. Reference: Adobe XMP Specification Part 3 §2 (sidecar files).
 * Clean removes every property that reveals something (location, device, time, owner, titles,
 * descriptions) and keeps the rest (develop settings), or only location with `--only location`.
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import { decodeXmp, isLocationProperty, removeXmpProperties, xmpText } from '../../decode/xmp.js';
import { emptyReport, type CleanPlan, type ContainerReport, type FormatHandler, type PlanOptions } from '../types.js';

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
  const { findings, locations } = decodeXmp(readPacket(source), 'XMP sidecar');
  report.blocks.push({ where: 'XMP sidecar', kind: 'xmp', offset: 0, length: source.size });
  report.findings.push(...findings);
  report.locations.push(...locations);
  return report;
}

function planXmpSidecar(source: ByteSource, options: PlanOptions): CleanPlan {
  const packet = readPacket(source);
  const revealing = new Set(decodeXmp(packet, '').findings.map((finding) => finding.tag));
  const edited = removeXmpProperties(packet, (name) => isLocationProperty(name) || (options.mode === 'all' && revealing.has(name)));
  if (edited === packet) return { pieces: [{ kind: 'copy', offset: 0, length: source.size }], removed: [], kept: ['XMP develop settings'] };
  return {
    pieces: [{ kind: 'bytes', data: Buffer.from(edited, 'utf8') }],
    removed: [{ where: 'XMP sidecar', kind: 'xmp', bytes: Buffer.byteLength(packet) - Buffer.byteLength(edited), note: options.mode === 'all' ? 'location, device, time, owner and descriptive properties' : 'location properties' }],
    kept: ['XMP develop settings'],
  };
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
