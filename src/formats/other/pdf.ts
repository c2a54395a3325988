/**
 * PDF (scan only): the document information dictionary (Author, Creator, Producer, dates, …)
 * and XMP metadata streams are searched for in the first and last parts of the file, where
 * writers put them. Compressed object streams and embedded images are not read.
 * Reference: ISO 32000-2:2020 §14.3.3 (document information dictionary), §14.3.2 (metadata
 * streams), §7.9.4 (dates `D:YYYYMMDDHHmmSS`), §7.3.4 (literal and hexadecimal strings).
 */
import type { ByteSource } from '../../io/source.js';
import type { Category } from '../../types.js';
import type { ContainerReport } from '../types.js';
import { addFinding, addXmpPackets, readAtMost } from './common.js';

export function isPdf(head: Buffer): boolean {
  return head.length >= 5 && head.toString('latin1', 0, 5) === '%PDF-';
}

const windowBytes = 4 * 1024 * 1024;

const infoKeys: Readonly<Record<string, { label: string; category: Category }>> = {
  Author: { label: 'Author', category: 'owner' },
  Creator: { label: 'Software', category: 'device' },
  Producer: { label: 'Software', category: 'device' },
  Title: { label: 'Title', category: 'other' },
  Subject: { label: 'Subject', category: 'other' },
  Keywords: { label: 'Keywords', category: 'other' },
  CreationDate: { label: 'Created', category: 'time' },
  ModDate: { label: 'Modified', category: 'time' },
};

export function readPdf(source: ByteSource, report: ContainerReport): void {
  const first = readAtMost(source, 0, windowBytes);
  const lastStart = Math.max(first.length, source.size - windowBytes);
  const last = readAtMost(source, lastStart, windowBytes);
  const seen = new Set<string>();
  for (const [window, where] of [[first, 'PDF'], [last, 'PDF']] as const) {
    const latin = window.toString('latin1');
    const pattern = /\/(Author|Creator|Producer|Title|Subject|Keywords|CreationDate|ModDate)\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)/g;
    for (let match = pattern.exec(latin); match; match = pattern.exec(latin)) {
      const key = match[1]!;
      const value = decodePdfString(match[2]!);
      if (!value || seen.has(`${key}=${value}`)) continue;
      seen.add(`${key}=${value}`);
      const info = infoKeys[key]!;
      addFinding(report, info.category, `${where}/Info`, key, info.label, key.endsWith('Date') ? readPdfDate(value) : value);
    }
    addXmpPackets(report, window, where);
  }
  const partial = source.size > 2 * windowBytes ? ' (only the first and last 4 MB were searched)' : '';
  report.unreadable.push(`PDF compressed object streams and embedded images (which can carry their own EXIF) are not read by traceless${partial}`);
}

/** A literal `( … )` or hexadecimal `< … >` string; UTF-16BE when it starts with a byte-order mark. */
function decodePdfString(token: string): string {
  let bytes: Buffer;
  if (token.startsWith('<')) {
    const hex = token.slice(1, -1).replace(/\s+/g, '');
    bytes = Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  } else {
    const body = token.slice(1, -1).replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, escape: string) => {
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
      return simple[escape] ?? String.fromCharCode(parseInt(escape, 8) & 0xff);
    });
    bytes = Buffer.from(body, 'latin1');
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    swapped.swap16();
    return swapped.toString('utf16le').replace(/\0+$/, '').trim();
  }
  return bytes.toString('latin1').replace(/\0+$/, '').trim();
}

/** `D:20240501101112+02'00'` → `2024-05-01 10:11:12 +02:00` (left as is when it does not parse). */
function readPdfDate(value: string): string {
  const match = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?/.exec(value);
  if (!match) return value;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', zone, zoneHour, zoneMinute] = match;
  const offset = zone === 'Z' ? ' UTC' : zone ? ` ${zone}${zoneHour ?? '00'}:${zoneMinute ?? '00'}` : '';
  return `${year}-${month}-${day} ${hour}:${minute}:${second}${offset}`;
}
