/**
 * The countries (and territories, regions) around a point without loading the borders: a 0.1° grid
 * built by scripts/build-countries.mjs from @rapideditor/country-coder's own borders, which records
 * the features containing every cell that no border crosses. A point in such a cell gets exactly
 * the features country-coder would list, in its order; a point in a cell a border crosses (or any
 * point when the file is missing or damaged) gets `undefined`, and the caller asks country-coder.
 * Loading country-coder and indexing its borders costs about 100 ms of a one-photo scan; this
 * costs a handful of small reads.
 */
import { openSync, readSync } from 'node:fs';
import { builtDataFile } from './gazetteer.js';

/** The properties of a country-coder feature that reports use. */
export interface CountryFeature {
  properties: { id?: string; level?: string; nameEn: string; iso1A2?: string; iso1N3?: string };
}

interface Index {
  path: string;
  sub: number;
  blocksAt: number;
  setEndsAt: number;
  entriesAt: number;
  /** Where each feature's JSON ends, from `jsonAt`. */
  featureEnds: Uint32Array;
  jsonAt: number;
  /** Features parsed so far, by index: a report parses only those around its points. */
  features: (CountryFeature | undefined)[];
}

const magic = 0x43434c54;
const version = 3;
const headerBytes = 32;
const coarseCells = 180 * 360;
const mixed = 0xffff;
const blockFlag = 0x8000;

let index: Index | null | undefined;
let indexDescriptor: number | undefined;

function readAt(descriptor: number, offset: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let at = 0; at < length; ) {
    const read = readSync(descriptor, bytes, at, length - at, offset + at);
    if (read === 0) throw new Error('country index cut short');
    at += read;
  }
  return bytes;
}

function load(descriptor: number, path: string): Index | null {
  const header = readAt(descriptor, 0, headerBytes);
  if (header.readUInt32LE(0) !== magic || header.readUInt32LE(4) !== version) return null;
  const sub = header.readUInt32LE(8);
  const blocks = header.readUInt32LE(12);
  const sets = header.readUInt32LE(16);
  const entries = header.readUInt32LE(20);
  const blocksAt = headerBytes + coarseCells * 2;
  const setEndsAt = blocksAt + blocks * sub * sub * 2;
  const entriesAt = setEndsAt + sets * 4;
  const tableAt = (entriesAt + entries * 2 + 3) & ~3;
  const featureCount = header.readUInt32LE(28);
  // Buffer.alloc gives a buffer of its own (offset 0, so aligned); the file is little-endian, as
  // the machines Node runs on.
  const ends = readAt(descriptor, tableAt, featureCount * 4);
  const featureEnds = new Uint32Array(ends.buffer, ends.byteOffset, featureCount);
  return { path, sub, blocksAt, setEndsAt, entriesAt, featureEnds, jsonAt: tableAt + featureCount * 4, features: [] };
}

/** Feature `feature` of the table, parsed on first use; undefined past its end. */
function featureAt(index: Index, descriptor: number, feature: number): CountryFeature | undefined {
  if (feature >= index.featureEnds.length) return undefined;
  let parsed = index.features[feature];
  if (!parsed) {
    const start = feature === 0 ? 0 : index.featureEnds[feature - 1]!;
    parsed = index.features[feature] = JSON.parse(readAt(descriptor, index.jsonAt + start, index.featureEnds[feature]! - start).toString('utf8')) as CountryFeature;
  }
  return parsed;
}

/**
 * The features containing the point, smallest first (as country-coder's `featuresContaining`), or
 * `undefined` when the grid cannot say (a border crosses the cell, or the index is missing).
 */
export function featuresAt(longitude: number, latitude: number): CountryFeature[] | undefined {
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) || index === null) return undefined;
  const path = index?.path ?? builtDataFile('countries.bin');
  if (!path) {
    index = null;
    return undefined;
  }
  let descriptor: number;
  try {
    // Open from the first question on (see gazetteer.ts: one descriptor, not two syscalls per photo).
    descriptor = indexDescriptor ??= openSync(path, 'r');
  } catch {
    index = null;
    return undefined;
  }
  try {
    index ??= load(descriptor, path);
    if (!index) return undefined;
    const row = Math.min(179, Math.floor(latitude) + 90);
    const column = Math.min(359, Math.floor(longitude) + 180);
    let set = readAt(descriptor, headerBytes + (row * 360 + column) * 2, 2).readUInt16LE(0);
    if (set !== mixed && set & blockFlag) {
      const sub = index.sub;
      const fineRow = Math.min(sub - 1, Math.floor((latitude + 90) * sub) - row * sub);
      const fineColumn = Math.min(sub - 1, Math.floor((longitude + 180) * sub) - column * sub);
      if (fineRow < 0 || fineColumn < 0) return undefined;
      set = readAt(descriptor, index.blocksAt + ((set & ~blockFlag) * sub * sub + fineRow * sub + fineColumn) * 2, 2).readUInt16LE(0);
    }
    if (set === mixed) return undefined;
    const ends = readAt(descriptor, index.setEndsAt + Math.max(0, set - 1) * 4, set === 0 ? 4 : 8);
    const start = set === 0 ? 0 : ends.readUInt32LE(0);
    const end = ends.readUInt32LE(set === 0 ? 0 : 4);
    const entries = readAt(descriptor, index.entriesAt + start * 2, (end - start) * 2);
    const features: CountryFeature[] = [];
    for (let at = 0; at < entries.length; at += 2) {
      // Stored as the objects reports use (scripts/build-countries.mjs): parsed, nothing to convert.
      const feature = featureAt(index, descriptor, entries.readUInt16LE(at));
      if (!feature) return undefined;
      features.push(feature);
    }
    return features;
  } catch {
    // A damaged index: country-coder answers instead.
    return undefined;
  }
}
