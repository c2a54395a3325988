/** GPS tracks in the reports: one plain line under the location in text, a line on the HTML map. */
import { describe, expect, it } from 'vitest';
import type { GeoLocation, Inspection } from '../../src/types.js';
import { renderInspection, renderTrack } from '../../src/report/text.js';
import { renderMap, renderTrack as renderMapTrack } from '../../src/report/html/map.js';
import { renderHtmlReport } from '../../src/report/html/index.js';
import { TrackBuilder } from '../../src/decode/geo-track.js';

function trackInspection(): Inspection {
  const builder = new TrackBuilder();
  for (let index = 0; index < 30; index++) builder.add({ latitude: 47 + index * 0.001, longitude: 8 + index * 0.002, time: `2024-05-01T10:00:${String(index).padStart(2, '0')}Z` });
  const location = builder.location('moov/trak[3]') as GeoLocation;
  return {
    file: 'GOPR0001.MP4',
    format: { id: 'mp4', name: 'MP4', cleanable: true },
    size: 1000,
    blocks: [],
    findings: [{ category: 'location', where: 'moov/trak[3]', tag: 'GPSTrack', label: 'GPS track (GoPro telemetry)', meaning: 'telemetry-track', value: location, text: '30 GPS fixes' }],
    locations: [location],
    warnings: [],
    unreadable: [],
  };
}

describe('tracks in the text report', () => {
  it('prints fixes, start and end, and the extent under the location line', () => {
    const inspection = trackInspection();
    expect(renderTrack(inspection.locations[0]!.track!)).toBe('30 fixes, 2024-05-01 10:00:00 Z → 2024-05-01 10:00:29 Z, extent 47.0000 N to 47.0290 N, 8.0000 E to 8.0580 E');
    const text = renderInspection(inspection);
    expect(text).toMatch(/Location: 47\.00000 N, 8\.00000 E[^\n]*\n {2}GPS track: 30 fixes/);
  });
});

describe('tracks on the HTML map', () => {
  it('draws a track as a polyline under the markers', () => {
    const svg = renderMap([{ id: 'p0', latitude: 47, longitude: 8, placeName: 'Zürich', files: 1 }], [{ path: [[47, 8], [47.5, 8.5], [48, 9]], placeId: 'p0' }]);
    const line = /<polyline class="track" data-place="p0" points="([^"]+)"/.exec(svg);
    expect(line).not.toBeNull();
    expect(line![1]!.split(' ')).toHaveLength(3);
    expect(svg.indexOf('class="tracks"')).toBeLessThan(svg.indexOf('class="markers"'));
  });

  it('splits a track that crosses the antimeridian instead of drawing it across the world', () => {
    const lines = renderMapTrack({ path: [[-17, 178], [-17, 179.5], [-17, -179.5], [-17, -178]] }).match(/<polyline/g);
    expect(lines).toHaveLength(2);
  });

  it('a report of a file with a track carries its line', () => {
    const html = renderHtmlReport([{ inspection: trackInspection(), thumbnail: null }]);
    expect(html).toContain('<polyline class="track"');
  });
});
