/**
 * DJI `djmd` timed metadata (Osmo Action 4/5, Avata 2, Mavic 3, Matrice 30, Mini 4 Pro, Neo):
 * one protobuf message per frame. Field 1-1-1 names the layout (`dvtm_ac203.proto`, …); the GPS
 * message sits at a path that depends on it and holds 1 = units (1 degrees, else radians),
 * 2 = latitude (double), 3 = longitude (double).
 *
 * References: Protocol Buffers encoding (https://protobuf.dev/programming-guides/encoding/: varint,
 * 64-bit, length-delimited and 32-bit wire types); ExifTool lib/Image/ExifTool/DJI.pm 1.15+
 * (`%DJI::Protobuf`, `%DJI::GPSInfo`: the field paths per protocol). Paths are tried in turn, so
 * an unlisted device using one of the known layouts is still read.
 */
import { isPlausibleFix, type TrackFix } from '../../decode/geo-track.js';

const wire = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 };
const maxFields = 4096;

interface Field {
  number: number;
  wireType: number;
  /** Varint value (bounded to 2^53), or the bytes of the other wire types. */
  value: number | Buffer;
}

/** The fields of one protobuf message; stops quietly at the first that does not fit. */
export function readProtobuf(data: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const varint = (): number | undefined => {
    let result = 0;
    let scale = 1;
    for (let count = 0; count < 10 && at < data.length; count++) {
      const byte = data[at++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    return undefined;
  };
  while (at < data.length && fields.length < maxFields) {
    const key = varint();
    if (key === undefined) break;
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === wire.varint) {
      const value = varint();
      if (value === undefined) break;
      fields.push({ number, wireType, value });
    } else if (wireType === wire.fixed64 || wireType === wire.fixed32) {
      const size = wireType === wire.fixed64 ? 8 : 4;
      if (at + size > data.length) break;
      fields.push({ number, wireType, value: data.subarray(at, at + size) });
      at += size;
    } else if (wireType === wire.lengthDelimited) {
      const length = varint();
      if (length === undefined || at + length > data.length) break;
      fields.push({ number, wireType, value: data.subarray(at, at + length) });
      at += length;
    } else break;
  }
  return fields;
}

/** The bytes of the first message at `path` (field numbers, outermost first). */
function messageAt(data: Buffer, path: readonly number[]): Buffer | undefined {
  let current: Buffer | undefined = data;
  for (const number of path) {
    const field: Field | undefined = readProtobuf(current).find((candidate) => candidate.number === number && candidate.wireType === wire.lengthDelimited);
    if (!field) return undefined;
    current = field.value as Buffer;
  }
  return current;
}

/** GPS message paths, per ExifTool's protocol tables (ac203/ac204; AVATA2/neo; wm265e/pm320/Mini4_Pro). */
const gpsPaths: readonly (readonly number[])[] = [
  [3, 4, 2, 1],
  [3, 4, 4, 1],
  [3, 3, 4, 1],
];

/** The protocol name a sample declares (field 1-1-1), e.g. `dvtm_ac203.proto`. */
export function djmdProtocol(sample: Buffer): string | undefined {
  const name = messageAt(sample, [1, 1, 1]);
  return name && /^[\x20-\x7e]{1,64}$/.test(name.toString('latin1')) ? name.toString('latin1') : undefined;
}

/** The GPS fix of one `djmd` sample, when it holds one. */
export function decodeDjmdFix(sample: Buffer): TrackFix | undefined {
  for (const path of gpsPaths) {
    const message = messageAt(sample, path);
    if (!message) continue;
    const fields = readProtobuf(message);
    const double = (number: number) => {
      const field = fields.find((candidate) => candidate.number === number && candidate.wireType === wire.fixed64);
      return field ? (field.value as Buffer).readDoubleLE(0) : undefined;
    };
    let latitude = double(2);
    let longitude = double(3);
    if (latitude === undefined || longitude === undefined) continue;
    const units = fields.find((candidate) => candidate.number === 1 && candidate.wireType === wire.varint)?.value;
    if (units !== 1) {
      latitude = (latitude * 180) / Math.PI;
      longitude = (longitude * 180) / Math.PI;
    }
    if (isPlausibleFix(latitude, longitude)) return { latitude, longitude };
  }
  return undefined;
}
