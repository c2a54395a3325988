/**
 * MPEG transport streams: plain TS (188-byte packets) and Blu-ray/AVCHD M2TS/MTS (192-byte
 * packets with a 4-byte timestamp), scan only. The packets of the first part of the file are
 * joined per PID and searched for AVCHD camera data: the "MDPM" user-data SEI of H.264 that
 * camcorders fill with the recording date, the maker and GPS position.
 * References: ISO/IEC 13818-1 §2.4.3 (transport packets); ITU-T H.264 §7.3.1 (emulation
 * prevention) and annex D.2.6 (user data unregistered SEI); ExifTool H264.pm (MDPM tags 0x18/0x19
 * date, 0xb1–0xb8 GPS, 0xe0 make).
 */
import { TracelessError } from '../../errors.js';
import { degrees, formatLocation } from '../../decode/exif.js';
import type { ByteSource } from '../../io/source.js';
import type { GeoLocation } from '../../types.js';
import type { ContainerReport } from '../types.js';
import { addFinding, indexesOf, readAtMost } from './common.js';

/** A TS packet header whose PID is 0 (the program association table comes first). */
function isPatPacket(head: Buffer, at: number): boolean {
  return head.length >= at + 4 && head[at] === 0x47 && (head[at + 1]! & 0x80) === 0 && (head[at + 1]! & 0x1f) === 0 && head[at + 2] === 0 && (head[at + 3]! & 0x30) !== 0;
}

export function isMpegTs(head: Buffer): boolean {
  return isPatPacket(head, 0) || isPatPacket(head, 4);
}

const scanBytes = 8 * 1024 * 1024;
const mdpmUuid = Buffer.from('17ee8c60f84d11d98cd60800200c9a664d44504d', 'hex'); // UUID + "MDPM"
const makers: Readonly<Record<number, string>> = { 0x0103: 'Panasonic', 0x0108: 'Sony', 0x1011: 'Canon', 0x1104: 'JVC' };

export function readMpegTs(source: ByteSource, report: ContainerReport): void {
  const data = readAtMost(source, 0, scanBytes);
  const packetSize = isPatPacket(data, 0) ? 188 : 192;
  const syncAt = packetSize === 188 ? 0 : 4;
  const streams = new Map<number, Buffer[]>();
  let packets = 0;
  for (let offset = 0; offset + packetSize <= data.length; offset += packetSize) {
    const at = offset + syncAt;
    if (data[at] !== 0x47) throw new TracelessError('MALFORMED', `transport packet ${packets} has no sync byte`);
    packets += 1;
    const pid = ((data[at + 1]! & 0x1f) << 8) | data[at + 2]!;
    const control = (data[at + 3]! >> 4) & 0x3;
    let payload = at + 4;
    if (control === 2) continue; // adaptation field only
    if (control === 3) payload += 1 + data[payload]!;
    if (payload >= at + 188) continue;
    const list = streams.get(pid) ?? [];
    list.push(data.subarray(payload, at + 188));
    streams.set(pid, list);
  }
  if (packets === 0) throw new TracelessError('TRUNCATED', 'no complete transport packet');
  let found = false;
  for (const [pid, parts] of streams) {
    const stream = Buffer.concat(parts);
    for (const start of indexesOf(stream, mdpmUuid, 4)) {
      found = readMdpm(unescape(stream.subarray(start + mdpmUuid.length, start + mdpmUuid.length + 2048)), `TS/PID${pid}/MDPM`, report) || found;
      if (found) break;
    }
    if (found) break;
  }
  report.unreadable.push(`only the first ${Math.round(scanBytes / 1024 / 1024)} MB of transport packets are searched for camera data; other stream metadata is not read by traceless`);
}

/** Removes H.264 emulation-prevention bytes (00 00 03 → 00 00). */
function unescape(bytes: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of bytes) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out.push(byte);
  }
  return Buffer.from(out);
}

const bcd = (byte: number) => ((byte >> 4) * 10 + (byte & 0x0f)).toString().padStart(2, '0');

/** MDPM: a count, then 5-byte entries (tag, 4 bytes). Returns true when something was decoded. */
function readMdpm(data: Buffer, where: string, report: ContainerReport): boolean {
  const count = data[0] ?? 0;
  const entries = new Map<number, Buffer>();
  for (let index = 0; index < count && 1 + index * 5 + 5 <= data.length; index++) {
    entries.set(data[1 + index * 5]!, data.subarray(2 + index * 5, 6 + index * 5));
  }
  const date = entries.get(0x18);
  const time = entries.get(0x19);
  if (date && time) {
    const tz = date[0]!;
    const zone = `${tz & 0x20 ? '-' : '+'}${String((tz >> 1) & 0x0f).padStart(2, '0')}:${tz & 0x01 ? '30' : '00'}`;
    addFinding(report, 'time', where, 'DateTimeOriginal', 'Recorded', `${bcd(date[1]!)}${bcd(date[2]!)}-${bcd(date[3]!)}-${bcd(time[0]!)} ${bcd(time[1]!)}:${bcd(time[2]!)}:${bcd(time[3]!)}${zone}`);
  }
  const make = entries.get(0xe0);
  if (make) {
    const code = make.readUInt16BE(0);
    addFinding(report, 'device', where, 'Make', 'Camera make', makers[code] ?? `maker code 0x${code.toString(16).padStart(4, '0')}`);
  }
  const rational = (tag: number) => {
    const value = entries.get(tag);
    return value && value.readUInt16BE(2) !== 0 ? value.readUInt16BE(0) / value.readUInt16BE(2) : NaN;
  };
  const latitude = degrees([rational(0xb2), rational(0xb3), rational(0xb4)], entries.get(0xb1)?.toString('latin1', 0, 1), 'S');
  const longitude = degrees([rational(0xb6), rational(0xb7), rational(0xb8)], entries.get(0xb5)?.toString('latin1', 0, 1), 'W');
  if (latitude !== undefined && longitude !== undefined) {
    const location: GeoLocation = { latitude, longitude, where };
    report.locations.push(location);
    report.findings.push({ category: 'location', where, tag: 'GPSPosition', label: 'GPS position', value: location, text: formatLocation(location) });
  }
  return entries.size > 0;
}
