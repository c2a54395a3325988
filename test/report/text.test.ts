/**
 * The readable text report, piece by piece: the one date format, GPS codes in words, no time
 * invented from a GPS date alone, repeats merged with a count, the removal wording of `clean`,
 * and meanings (not names) deciding what is a device or a place.
 */
import { describe, expect, it } from 'vitest';
import { decodeExif } from '../../src/decode/exif.js';
import { parseTiff } from '../../src/decode/tiff.js';
import { formatBytes, formatDate } from '../../src/report/format.js';
import { deviceOf } from '../../src/report/device.js';
import { meaningOf } from '../../src/report/meaning.js';
import { describeRemovals, renderCleanResult, renderInspection } from '../../src/report/text.js';
import type { Finding, Inspection } from '../../src/types.js';
import { buildExifTiff } from '../fixtures/exif.js';

const inspectionOf = (findings: Finding[]): Inspection => ({
  file: 'x.tif', format: { id: 'tiff', name: 'TIFF/DNG', cleanable: true }, size: 2048, blocks: [], findings, locations: [], warnings: [], unreadable: [],
});

describe('dates', () => {
  it('are ISO 8601 with a space, with the offset the file records, and a date alone stays a date', () => {
    expect(formatDate('2012:09:29 16:11:25')).toBe('2012-09-29 16:11:25');
    expect(formatDate('2012:09:29 16:11:25', '+0200')).toBe('2012-09-29 16:11:25 +02:00');
    expect(formatDate('2019-08-21T10:11:12Z')).toBe('2019-08-21 10:11:12 Z');
    expect(formatDate('2019:08:21')).toBe('2019-08-21');
    expect(formatDate('not a date')).toBeUndefined();
    expect(formatBytes(1536)).toBe('1.5 KB');
  });
});

describe('the EXIF GPS decoder', () => {
  it('keeps a GPS date without a time a date (no midnight invented), and says GPS codes in words', () => {
    const exif = buildExifTiff({ make: 'Cam', gps: { latitude: 47.627, longitude: -122.337, date: '2019:08:21' } });
    const decoded = decodeExif(parseTiff(exif), { where: 'APP1/Exif' });
    expect(decoded.locations[0]!.gpsTime).toBe('2019-08-21');
    const position = decoded.findings.find((finding) => finding.meaning === 'gps-position');
    expect(position?.value).toMatchObject({ latitude: 47.627 });
    expect(decoded.findings.find((finding) => finding.tag === 'Make')?.meaning).toBe('make');
  });
});

describe('the readable report', () => {
  const finding = (partial: Partial<Finding> & Pick<Finding, 'label' | 'text'>): Finding => ({ category: 'device', where: 'IFD0', tag: 'T', value: partial.text, ...partial });

  it('merges repeats with a count and never shows numbers as a device name', () => {
    const inspection = inspectionOf([
      ...Array.from({ length: 16 }, () => finding({ label: 'Handler name', meaning: 'software', text: 'Core Media Audio' })),
      finding({ label: 'Lens', tag: 'Model', meaning: 'device-setting', text: '24/1 105/1 0/0 0/0' }),
      finding({ label: 'Altitude', tag: 'City', category: 'location', meaning: 'gps-detail', text: '882.5' }),
    ]);
    expect(deviceOf(inspection)).toBeUndefined();
    const text = renderInspection(inspection);
    expect(text).not.toContain('Device:');
    expect(text).not.toContain('Place names:');
    expect(text).toContain('18 more details (--details)');
    const details = renderInspection(inspection, undefined, { details: true });
    expect(details).toContain('Handler name: Core Media Audio ×16');
    expect(details.match(/Core Media Audio/g)).toHaveLength(1);
  });

  it('a finding without a meaning gets the plainest one its category allows, never a name', () => {
    expect(meaningOf(finding({ label: 'Camera model', tag: 'Model', text: 'X' }))).toBe('device-setting');
    expect(meaningOf(finding({ label: 'City', tag: 'City', category: 'location', text: 'Lyon' }))).toBe('gps-detail');
  });
});

describe('clean output', () => {
  it('lists what was removed in plain words, each kind once with a count', () => {
    const removed = [
      { where: 'APP1/Exif', kind: 'exif' as const, bytes: 100 },
      ...Array.from({ length: 23 }, (_, index) => ({ where: `XMP#${index}`, kind: 'xmp' as const, bytes: 10 })),
      { where: 'APP1/Exif/IFD1', kind: 'thumbnail' as const, bytes: 500 },
    ];
    expect(describeRemovals(removed)).toBe('EXIF, XMP ×23, thumbnail');
    const line = renderCleanResult({ file: 'a.jpg', output: 'a.clean.jpg', status: 'cleaned', format: { id: 'jpeg', name: 'JPEG', cleanable: true }, removed, kept: [], verification: null, error: null, bytesWritten: 1 });
    expect(line).toBe('a.jpg: cleaned -> a.clean.jpg (removed EXIF, XMP ×23, thumbnail)');
  });
});
