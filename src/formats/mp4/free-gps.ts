/**
 * Dashcam GPS blocks (`freeGPS `) that Novatek-based cameras (Viofo, Azdome, Nextbase, Kenwood…)
 * write inside `mdat`, between the video chunks, one a second. They are samples of no track, so no
 * sample table lists them: a `gps ` box in `moov` may point to them (a table of offset/size pairs),
 * or they are found by scanning the media data.
 *
 * References: ExifTool lib/Image/ExifTool/QuickTimeStream.pl (`ProcessFreeGPS`, the `gps ` box
 * in `ParseTag`, `ScanMediaData`); sergei.nz "Extracting GPS data from Viofo A119 and other
 * Novatek powered cameras" (nvtk_mp42gpx.py). Layouts decoded (offsets from the block's size field):
 *   - Novatek "type 3" (Viofo A119S and most others): 0x30 six uint32 LE hour, minute, second,
 *     year−2000, month, day; 0x48 status `A`; 0x49 `N`/`S`; 0x4a `E`/`W`; 0x4c/0x50 float32 LE
 *     latitude/longitude as DDDMM.MMMM. Some (Transcend) repeat them as doubles at 0x70/0x80.
 *   - "IQS" variant (`IQS` at 0x10): the same header, latitude/longitude int32 LE degrees × 1e7.
 *   - Viofo A119 v3: 0x10 six uint32 LE time fields; 0x28 `A`, 0x29/0x2a hemispheres; float32 at 0x2c/0x30.
 *   - NMEA text (Nextbase): an `$xxRMC` sentence inside the block.
 * Encrypted and other rarer layouts are not decoded: such a block is still found and removed.
 */
import { transientReader, type ByteSource } from '../../io/source.js';
import { isPlausibleFix, type TrackFix } from '../../decode/geo-track.js';

/** `freeGPS ` follows the 4-byte size field (the block reads as a box of type `free`). */
export const freeGpsSignature = Buffer.from('freeGPS ', 'latin1');
const signatureOffset = 4;
/** Novatek writes 0x8000-byte blocks; anything claiming more than this is not a GPS block. */
export const maxFreeGpsBlockBytes = 1024 * 1024;
/** ExifTool's bound: the first block lies within the first 20 MB of the media data, or there is none. */
export const firstBlockWithinBytes = 20 * 1000 * 1000;
/** Most blocks gathered from one file (an hour at one a second is 3,600). */
export const maxFreeGpsBlocks = 100_000;
const scanChunkBytes = 4 * 1024 * 1024;

const status = 'A'.charCodeAt(0);

/** DDDMM.MMMM (NMEA style, as a number) to decimal degrees. */
function fromDegreesMinutes(value: number): number {
  const degrees = Math.trunc(value / 100);
  return degrees + (value - degrees * 100) / 60;
}

function timeOf(year: number, month: number, day: number, hour: number, minute: number, second: number): string | undefined {
  const fullYear = year < 2000 ? year + 2000 : year;
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60 && fullYear <= 2200)) return undefined;
  const milliseconds = Date.UTC(fullYear, month - 1, day, hour, minute, Math.trunc(second));
  return Number.isFinite(milliseconds) ? new Date(milliseconds).toISOString().replace('.000Z', 'Z') : undefined;
}

function hemispheres(block: Buffer, at: number): { north: boolean; east: boolean } | undefined {
  const latitudeRef = String.fromCharCode(block[at]!);
  const longitudeRef = String.fromCharCode(block[at + 1]!);
  if (!/[NS]/.test(latitudeRef) || !/[EW]/.test(longitudeRef)) return undefined;
  return { north: latitudeRef === 'N', east: longitudeRef === 'E' };
}

function signedFix(latitude: number, longitude: number, refs: { north: boolean; east: boolean }, time: string | undefined): TrackFix | undefined {
  const fix: TrackFix = { latitude: refs.north ? Math.abs(latitude) : -Math.abs(latitude), longitude: refs.east ? Math.abs(longitude) : -Math.abs(longitude) };
  if (!isPlausibleFix(fix.latitude, fix.longitude)) return undefined;
  if (time) fix.time = time;
  return fix;
}

const novatek = { time: 0x30, status: 0x48, refs: 0x49, latitude: 0x4c, longitude: 0x50, latitudeDouble: 0x70, longitudeDouble: 0x80, minBytes: 0x54 };
const viofoV3 = { time: 0x10, status: 0x28, refs: 0x29, latitude: 0x2c, longitude: 0x30, minBytes: 0x34 };
const rmcSentence = /\$[A-Z]{2}RMC,(\d{2})(\d{2})(\d{2})(?:\.\d*)?,A?,(\d+\.\d+),([NS]),(\d+\.\d+),([EW]),[^,]*,[^,]*,(\d{2})(\d{2})(\d{2})/;

/** The fix one `freeGPS ` block holds (`block` starts at its size field), or undefined when it holds none we can read. */
export function decodeFreeGpsBlock(block: Buffer): TrackFix | undefined {
  if (block.length < novatek.minBytes || !block.subarray(signatureOffset, signatureOffset + 8).equals(freeGpsSignature)) return undefined;
  const u32 = (offset: number) => block.readUInt32LE(offset);
  if (block[novatek.status] === status) {
    const refs = hemispheres(block, novatek.refs);
    if (refs) {
      const time = timeOf(u32(novatek.time + 12), u32(novatek.time + 16), u32(novatek.time + 20), u32(novatek.time), u32(novatek.time + 4), u32(novatek.time + 8));
      if (block.toString('latin1', 0x10, 0x13) === 'IQS') return signedFix(block.readInt32LE(novatek.latitude) / 1e7, block.readInt32LE(novatek.longitude) / 1e7, refs, time);
      let latitude = fromDegreesMinutes(block.readFloatLE(novatek.latitude));
      let longitude = fromDegreesMinutes(block.readFloatLE(novatek.longitude));
      if (block.length >= novatek.longitudeDouble + 8) {
        // Transcend writes the same place again as doubles: more precise when they agree.
        const latitudeDouble = fromDegreesMinutes(block.readDoubleLE(novatek.latitudeDouble));
        const longitudeDouble = fromDegreesMinutes(block.readDoubleLE(novatek.longitudeDouble));
        if (Math.abs(latitudeDouble - latitude) < 0.001 && Math.abs(longitudeDouble - longitude) < 0.001) {
          latitude = latitudeDouble;
          longitude = longitudeDouble;
        }
      }
      return signedFix(latitude, longitude, refs, time);
    }
  }
  if (block[viofoV3.status] === status && block.readUInt16LE(viofoV3.status - 2) === 0) {
    const refs = hemispheres(block, viofoV3.refs);
    if (refs) {
      const time = timeOf(u32(viofoV3.time + 12), u32(viofoV3.time + 16), u32(viofoV3.time + 20), u32(viofoV3.time), u32(viofoV3.time + 4), u32(viofoV3.time + 8));
      return signedFix(fromDegreesMinutes(block.readFloatLE(viofoV3.latitude)), fromDegreesMinutes(block.readFloatLE(viofoV3.longitude)), refs, time);
    }
  }
  const rmc = rmcSentence.exec(block.toString('latin1'));
  if (rmc) {
    const time = timeOf(Number(rmc[10]), Number(rmc[9]), Number(rmc[8]), Number(rmc[1]), Number(rmc[2]), Number(rmc[3]));
    return signedFix(fromDegreesMinutes(Number(rmc[4])), fromDegreesMinutes(Number(rmc[6])), { north: rmc[5] === 'N', east: rmc[7] === 'E' }, time);
  }
  return undefined;
}

export interface FreeGpsBlock {
  offset: number;
  length: number;
}

/** The `gps ` box of `moov` (Novatek `GPSDataList`): version, count, then (offset, size) pairs, big-endian. */
export function readGpsIndex(payload: Buffer): FreeGpsBlock[] {
  if (payload.length < 8) return [];
  const count = Math.min(payload.readUInt32BE(4), Math.floor((payload.length - 8) / 8), maxFreeGpsBlocks);
  const entries: FreeGpsBlock[] = [];
  for (let index = 0; index < count; index++) {
    const offset = payload.readUInt32BE(8 + index * 8);
    const length = payload.readUInt32BE(12 + index * 8);
    if (offset > 0 && length > 0) entries.push({ offset, length });
  }
  return entries;
}

/** The length of a block starting at `offset` (its size field, bounded by `end`), or undefined when it is not one. */
export function freeGpsBlockAt(source: ByteSource, offset: number, end: number): FreeGpsBlock | undefined {
  if (offset < 0 || offset + 12 > end) return undefined;
  const head = source.read(offset, 12);
  if (!head.subarray(signatureOffset).equals(freeGpsSignature)) return undefined;
  const size = head.readUInt32BE(0);
  // A size field of 0 or one that runs past the media data: the block is taken up to the next one at most.
  const length = size >= 12 && size <= maxFreeGpsBlockBytes ? Math.min(size, end - offset) : Math.min(0x8000, end - offset);
  return { offset, length };
}

/**
 * Every `freeGPS ` block in `[start, end)` of the media data, read in bounded windows: none when
 * the first lies past `firstBlockWithinBytes` (as ExifTool, which finds every camera's first block
 * within 2 MB), else to the end of the range.
 */
export function scanFreeGps(source: ByteSource, start: number, end: number): FreeGpsBlock[] {
  const blocks: FreeGpsBlock[] = [];
  let offset = start;
  const read = transientReader(source, scanChunkBytes);
  while (offset < end && blocks.length < maxFreeGpsBlocks) {
    if (blocks.length === 0 && offset - start > firstBlockWithinBytes) break;
    const length = Math.min(scanChunkBytes, end - offset);
    const window = read(offset, length);
    let at = window.indexOf(freeGpsSignature);
    let next = offset + Math.max(1, length - (freeGpsSignature.length + signatureOffset - 1));
    while (at !== -1) {
      const blockStart = offset + at - signatureOffset;
      const block = blockStart >= start ? freeGpsBlockAt(source, blockStart, end) : undefined;
      const last = blocks[blocks.length - 1];
      if (block && (!last || block.offset >= last.offset + last.length)) {
        blocks.push(block);
        next = Math.max(next, block.offset + block.length);
        if (block.offset + block.length > offset + length) break;
      }
      at = window.indexOf(freeGpsSignature, at + 1);
    }
    if (length < scanChunkBytes) break;
    offset = next;
  }
  return blocks;
}
