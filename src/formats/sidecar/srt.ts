/**
 * DJI flight subtitle sidecars (`DJI_0001.SRT`): per-frame text with the drone's latitude,
 * longitude and altitude — the whole flight path. Scanned, never rewritten: `clean` refuses them
 * (delete or --exclude them before sharing). Formats seen: `[latitude: 22.5432] [longitude:
 * 113.9501] [rel_alt: 1.2 abs_alt: 15.3]` (newer) and `GPS(113.9501,22.5432,15)` (lon, lat, alt; older).
 */
import { TracelessError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import { limits } from '../../limits.js';
import { formatLocation } from '../../decode/exif.js';
import { TrackBuilder, describeTrack } from '../../decode/geo-track.js';
import type { GeoLocation } from '../../types.js';
import { emptyReport, type ContainerReport, type FormatHandler } from '../types.js';

const cueStart = /^\ufeff?\s*\d+\r?\n\d\d:\d\d:\d\d[,.]\d{3} --> /;

export function isSubtitleSidecar(head: Buffer): boolean {
  return cueStart.test(head.toString('utf8'));
}

const newStyle = /\[latitude\s*:\s*(-?\d+(?:\.\d+)?)\]\s*\[longt?itude\s*:\s*(-?\d+(?:\.\d+)?)\](?:\s*\[(?:rel_alt\s*:\s*-?[\d.]+\s*)?abs_alt\s*:\s*(-?[\d.]+)\])?/gi;
const oldStyle = /GPS\s*\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(-?\d+(?:\.\d+)?))?\s*\)/gi;

function fixes(text: string): GeoLocation[] {
  const found: GeoLocation[] = [];
  for (const match of text.matchAll(newStyle)) {
    const location: GeoLocation = { latitude: Number(match[1]), longitude: Number(match[2]), where: 'SRT subtitles' };
    if (match[3] !== undefined) location.altitude = Number(match[3]);
    found.push(location);
  }
  for (const match of text.matchAll(oldStyle)) {
    const location: GeoLocation = { latitude: Number(match[2]), longitude: Number(match[1]), where: 'SRT subtitles' };
    if (match[3] !== undefined) location.altitude = Number(match[3]);
    found.push(location);
  }
  // 0,0 is what DJI writes before the GPS has a fix: not a place.
  return found.filter((location) => Number.isFinite(location.latitude) && Number.isFinite(location.longitude) && !(location.latitude === 0 && location.longitude === 0));
}

function inspectSubtitles(source: ByteSource): ContainerReport {
  if (source.size > limits.maxMetadataBytes) throw new TracelessError('LIMIT_EXCEEDED', `subtitle file of ${source.size} bytes is larger than ${limits.maxMetadataBytes}`);
  const report = emptyReport();
  const text = source.read(0, source.size).toString('utf8');
  const path = fixes(text);
  report.blocks.push({ where: 'SRT subtitles', kind: 'text', offset: 0, length: source.size });
  const builder = new TrackBuilder();
  for (const fix of path) builder.add(fix);
  const first = builder.location('SRT subtitles');
  if (first) {
    report.locations.push(first);
    report.findings.push({ category: 'location', where: 'SRT subtitles', tag: 'FlightPath', label: 'GPS track', meaning: 'telemetry-track', value: first, text: `${describeTrack(first.track!)}, the first at ${formatLocation(first)}` });
  }
  report.unreadable.push('subtitle sidecars are reported but not rewritten: delete or exclude them before sharing');
  return report;
}

export const subtitleSidecar: FormatHandler = {
  id: 'srt',
  name: 'SRT subtitles (DJI flight log)',
  extensions: ['srt'],
  cleanable: false,
  sniff: isSubtitleSidecar,
  inspect: inspectSubtitles,
};
