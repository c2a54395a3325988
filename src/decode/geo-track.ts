/**
 * A GPS track gathered fix by fix (GoPro GPMF, camm, dashcam blocks, timed text): the first fix
 * becomes the location, the rest its `track` — count, start and end time, extent and a thinned
 * path for drawing. Memory stays bounded whatever the number of fixes: the kept path is halved
 * whenever it grows past twice its target, and thinned evenly to at most `maxPathPoints` at the end.
 */
import type { GeoLocation, GeoTrack } from '../types.js';

export interface TrackFix {
  latitude: number;
  longitude: number;
  altitude?: number;
  /** ISO 8601 UTC, when the source records the fix's time. */
  time?: string;
}

/** Most points of a drawn path (the shared type's promise). */
export const maxPathPoints = 500;

/** Whether a pair can be a place: finite, in range, and not the 0,0 receivers write before a fix. */
export function isPlausibleFix(latitude: number, longitude: number): boolean {
  return Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 && !(latitude === 0 && longitude === 0);
}

export class TrackBuilder {
  private first: TrackFix | undefined;
  private count = 0;
  private start: string | undefined;
  private end: string | undefined;
  private south = Infinity;
  private west = Infinity;
  private north = -Infinity;
  private east = -Infinity;
  /** Every `stride`-th fix. */
  private path: [number, number][] = [];
  private stride = 1;

  get fixes(): number {
    return this.count;
  }

  /** Adds a fix; returns false (and ignores it) when it is no place. */
  add(fix: TrackFix): boolean {
    if (!isPlausibleFix(fix.latitude, fix.longitude)) return false;
    if (this.count === 0) this.first = fix;
    if (this.count % this.stride === 0) {
      this.path.push([fix.latitude, fix.longitude]);
      if (this.path.length > 2 * maxPathPoints) {
        this.path = this.path.filter((_, index) => index % 2 === 0);
        this.stride *= 2;
      }
    }
    this.count += 1;
    if (fix.time !== undefined) {
      // Compared as instants: `…:00Z` and `…:00.100Z` do not sort as strings.
      const instant = Date.parse(fix.time);
      if (this.start === undefined || instant < Date.parse(this.start)) this.start = fix.time;
      if (this.end === undefined || instant > Date.parse(this.end)) this.end = fix.time;
    }
    this.south = Math.min(this.south, fix.latitude);
    this.north = Math.max(this.north, fix.latitude);
    this.west = Math.min(this.west, fix.longitude);
    this.east = Math.max(this.east, fix.longitude);
    return true;
  }

  track(): GeoTrack | undefined {
    if (this.count === 0) return undefined;
    const track: GeoTrack = {
      fixes: this.count,
      extent: { south: this.south, west: this.west, north: this.north, east: this.east },
      path: thin(this.path, maxPathPoints),
    };
    if (this.start !== undefined) track.start = this.start;
    if (this.end !== undefined) track.end = this.end;
    return track;
  }

  /** The first fix as a location at `where`, carrying the track; undefined when no fix was added. */
  location(where: string): GeoLocation | undefined {
    const first = this.first;
    const track = this.track();
    if (!first || !track) return undefined;
    const location: GeoLocation = { latitude: first.latitude, longitude: first.longitude, where, track };
    if (first.altitude !== undefined && Number.isFinite(first.altitude)) location.altitude = first.altitude;
    if (first.time !== undefined) location.gpsTime = first.time;
    // Key order as other locations have it: track last.
    delete location.track;
    location.track = track;
    return location;
  }
}

/** At most `limit` points, evenly spaced, first and last kept. */
function thin(points: [number, number][], limit: number): [number, number][] {
  if (points.length <= limit) return points;
  const result: [number, number][] = [];
  for (let index = 0; index < limit; index++) result.push(points[Math.round((index * (points.length - 1)) / (limit - 1))]!);
  return result;
}

/** A short description of a track for a finding's text: `1,234 fixes, 2024-05-01T10:00:00Z to …`. */
export function describeTrack(track: GeoTrack): string {
  const span = track.start && track.end && track.start !== track.end ? `, ${track.start} to ${track.end}` : track.start ? `, ${track.start}` : '';
  return `${track.fixes} GPS fix${track.fixes === 1 ? '' : 'es'}${span}`;
}
