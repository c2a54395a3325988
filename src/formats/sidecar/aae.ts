/**
 * Apple photo edit files (`IMG_1234.AAE`): an XML property list with the edit recipe, the editing
 * app and a timestamp. Scanned, not rewritten (clean refuses them and leaves them alone).
 * Reference: Apple "Property List Programming Guide" (XML plist format).
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import type { Category } from '../../types.js';
import { emptyReport, type ContainerReport, type FormatHandler } from '../types.js';

export function isPlist(head: Buffer): boolean {
  const text = head.toString('latin1').replace(/^\xef\xbb\xbf/, '').trimStart();
  return text.startsWith('<?xml') && text.includes('<!DOCTYPE plist');
}

const interestingKeys: Record<string, { category: Category; label: string }> = {
  adjustmentEditorBundleID: { category: 'device', label: 'Editing app' },
  adjustmentTimestamp: { category: 'time', label: 'Edited' },
  adjustmentFormatIdentifier: { category: 'other', label: 'Edit format' },
};

function inspectPlist(source: ByteSource): ContainerReport {
  if (source.size > limits.maxMetadataBytes) throw new TracelessError('LIMIT_EXCEEDED', `property list of ${source.size} bytes is larger than ${limits.maxMetadataBytes}`);
  const report = emptyReport();
  const text = source.read(0, source.size).toString('utf8');
  report.blocks.push({ where: 'plist', kind: 'other', offset: 0, length: source.size });
  for (const match of text.matchAll(/<key>([^<]{1,100})<\/key>\s*<(?:string|date)>([^<]{0,300})<\/(?:string|date)>/g)) {
    const info = interestingKeys[match[1]!];
    if (info) report.findings.push({ category: info.category, where: 'plist', tag: match[1]!, label: info.label, meaning: info.category === 'device' ? 'software' : info.category === 'time' ? 'modified' : 'other', value: match[2]!, text: match[2]! });
  }
  report.unreadable.push('Apple edit files (.AAE) are reported but not rewritten');
  return report;
}

export const applePlist: FormatHandler = {
  id: 'aae',
  name: 'Apple edit file (AAE)',
  extensions: ['aae'],
  cleanable: false,
  sniff: isPlist,
  inspect: inspectPlist,
};
