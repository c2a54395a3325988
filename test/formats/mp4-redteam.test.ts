/**
 * Red-team MP4/MOV files (issue 10): shapes the crafted suite does not build — codec configuration
 * and sample-entry extension boxes with slack, sample groups, top-level fragment boxes, boxes that
 * run to the end of the file, free text kept in location mode that spells coordinates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';
import { addToMovie, appendToBox, appendToFragment, box, editBox, ffmpegClip, fullBox, listBoxes, packetDigests, removeScratch, textAtom, u32, u16, appleKeysMeta } from '../fixtures/mp4.js';

let work: string;
let counter = 0;
function save(data: Buffer): string {
  const path = join(work, `redteam-${++counter}.mp4`);
  writeFileSync(path, data);
  return path;
}

let clip: Buffer;
let fragmented: Buffer;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'traceless-mp4-redteam-'));
  clip = ffmpegClip({});
  fragmented = ffmpegClip({ fragmented: true });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeScratch();
});

const video = 'moov/trak[0]';
const stbl = `${video}/mdia/minf/stbl`;
const S = sentinelBytes;

describe('MP4 red team: sample entries and codec configuration', () => {
  it.each([
    ['avcC trailing bytes', `${stbl}/stsd/avc1/avcC`],
    ['esds trailing bytes', 'moov/trak[1]/mdia/minf/stbl/stsd/mp4a/esds'],
  ])('%s', (_name, path) => {
    const input = appendToBox(clip, path, S);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) expect(packetDigests(save(outcome.data!)), `${outcome.mode}: packets`).toEqual(packetDigests(save(clip)));
  });
  it.each([
    ['pasp with slack', box('pasp', u32(1), u32(1), S)],
    ['btrt with slack', box('btrt', u32(0), u32(1000), u32(1000), S)],
    ['colr nclx with slack', box('colr', Buffer.from('nclx'), u16(1), u16(1), u16(1), Buffer.from([0x80]), S)],
    ['colr prof with the sentinel in the profile', box('colr', Buffer.from('prof'), Buffer.alloc(128), S)],
    ['clap with slack', box('clap', Buffer.alloc(32), S)],
    ['fiel with slack', box('fiel', Buffer.from([1, 0]), S)],
    ['unknown uuid in sample entry', box('uuid', Buffer.alloc(16, 7), S)],
  ])('%s', (_name, extra) => {
    const outcomes = expectSentinelGone(appendToBox(clip, `${stbl}/stsd/avc1`, extra));
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) expect(packetDigests(save(outcome.data!)), `${outcome.mode}: packets`).toEqual(packetDigests(save(clip)));
  });
});

describe('MP4 red team: sample table extras', () => {
  it.each([
    ['sgpd', fullBox('sgpd', 1, 0, Buffer.from('roll'), u32(2), u32(1), S.subarray(0, 2), S)],
    ['sbgp', fullBox('sbgp', 0, 0, Buffer.from('roll'), u32(1), u32(10), u32(1), S)],
    ['sdtp', fullBox('sdtp', 0, 0, S)],
    ['cslg', fullBox('cslg', 0, 0, Buffer.alloc(20), S)],
    ['subs', fullBox('subs', 0, 0, u32(0), S)],
    ['saiz', fullBox('saiz', 0, 0, Buffer.from([0]), u32(1), S)],
  ])('%s in stbl', (_name, extra) => {
    expectSentinelGone(appendToBox(clip, stbl, extra));
  });
  it('ctts slack', () => {
    // ctts may not exist in clip; build one.
    expectSentinelGone(appendToBox(clip, stbl, fullBox('ctts', 0, 0, u32(1), u32(10), u32(0), S)));
  });
});

describe('MP4 red team: top level', () => {
  const afterMoov = (extra: Buffer) => {
    const moov = listBoxes(clip).find((entry) => entry.type === 'moov')!;
    return Buffer.concat([clip.subarray(0, moov.offset + moov.size), extra]);
  };
  it('a free box of size 0 (to the end of the file) after moov', () => {
    const extra = Buffer.concat([u32(0), Buffer.from('free'), S]);
    expectSentinelGone(afterMoov(extra));
  });
  it('an mdat of size 0 after moov holding nothing referenced', () => {
    expectSentinelGone(afterMoov(Buffer.concat([u32(0), Buffer.from('mdat'), S])));
  });
  it('a 64-bit size free box after moov', () => {
    const payload = S;
    const header = Buffer.alloc(16);
    header.writeUInt32BE(1, 0);
    header.write('skip', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(16 + payload.length), 8);
    expectSentinelGone(afterMoov(Buffer.concat([header, payload])));
  });
  it.each([
    ['emsg', fullBox('emsg', 0, 0, Buffer.from(`urn:x:${sentinel}\0v\0`), u32(1000), u32(0), u32(0), u32(1), S)],
    ['sidx', fullBox('sidx', 0, 0, u32(1), u32(1000), u32(0), u32(0), u16(0), u16(0), S)],
    ['prft', fullBox('prft', 0, 0, u32(1), Buffer.alloc(8), u32(0), S)],
    ['styp', box('styp', Buffer.from('msdh'), u32(0), Buffer.from('msdhmsix'), S)],
    ['mfra', box('mfra', fullBox('mfro', 0, 0, u32(16), S))],
  ])('top-level %s after the fragments', (_name, extra) => {
    expectSentinelGone(Buffer.concat([fragmented, extra]));
  });
  it('udta at the top level of a fragmented file between fragments', () => {
    // A comment is kept in location mode; one that spells a place is not.
    expectSentinelGone(Buffer.concat([fragmented, box('udta', textAtom('©cmt', 'At 48.8584, 2.2945'))]), '48.8584, 2.2945');
    expectSentinelGone(Buffer.concat([fragmented, box('udta', textAtom('©zzz', sentinel))]));
  });
  it('sample group boxes in a track fragment', () => {
    expectSentinelGone(appendToFragment(fragmented, 'moof/traf', fullBox('sgpd', 1, 0, Buffer.from('roll'), u32(2), u32(1), S.subarray(0, 2), S)));
    expectSentinelGone(appendToFragment(fragmented, 'moof/traf', fullBox('sbgp', 0, 0, Buffer.from('roll'), u32(1), u32(10), u32(1), S)));
    expectSentinelGone(appendToFragment(fragmented, 'moof/traf', fullBox('tfdt', 1, 0, Buffer.alloc(8), S)));
    expectSentinelGone(appendToFragment(fragmented, 'moof/traf', fullBox('senc', 0, 0, u32(1), S)));
  });
});

describe('MP4 red team: free text kept in location mode that spells a place', () => {
  const coordinates = '48.8584, 2.2945';
  const noPlace = (input: Buffer) => expectSentinelGone(input, coordinates);
  it.each(['©nam', '©cmt', '©des', '©inf', 'titl'])('user-data text atom %s', (type) => {
    noPlace(appendToBox(clip, 'moov', box('udta', textAtom(type, `Trip at ${coordinates}`))));
  });
  it('ISO 6709 in a title', () => {
    expectSentinelGone(appendToBox(clip, 'moov', box('udta', textAtom('©nam', '+48.8584+002.2945/'))), '+48.8584+002.2945/');
  });
  it('Apple keys: a known key whose value spells a place', () => {
    noPlace(appendToBox(clip, 'moov', appleKeysMeta({ 'com.apple.quicktime.description': `At ${coordinates}`, 'com.apple.quicktime.title': `At ${coordinates}` })));
    noPlace(appendToBox(clip, 'moov', appleKeysMeta({ 'com.apple.quicktime.make': `At ${coordinates}` })));
  });
  it('Apple keys: location key with a case variant', () => {
    expectSentinelGone(appendToBox(clip, 'moov', appleKeysMeta({ 'com.apple.quicktime.Location.ISO6709': '+48.8584+002.2945/' })), '+48.8584+002.2945');
    expectSentinelGone(appendToBox(clip, 'moov', appleKeysMeta({ 'com.apple.quicktime.location.iso6709 ': '+48.8584+002.2945/' })), '+48.8584+002.2945');
  });
  it('ffmpeg metadata: comment and title spelling a place', () => {
    noPlace(ffmpegClip({ metadata: { comment: `At ${coordinates}`, title: `At ${coordinates}`, description: `At ${coordinates}` } }));
    noPlace(ffmpegClip({ metadata: { comment: `At ${coordinates}` }, metadataTags: true }));
  });
});

describe('MP4 red team: text inside codec configurations', () => {
  it('an HEVC clip whose hvcC carries a user-data SEI unit', () => {
    const hevc = ffmpegClip({ codec: 'hevc' });
    const at = hevc.indexOf('hvcC', 0, 'latin1') - 4;
    if (at < 0) return; // this ffmpeg cannot write HEVC
    const input = editBox(hevc, `${stbl}/stsd/hvc1/hvcC`, (payload) => {
      const sei = Buffer.concat([Buffer.from([39 << 1, 1, 5, 16 + S.length]), Buffer.alloc(16, 0x33), S, Buffer.from([0x80])]);
      const out = Buffer.concat([payload, Buffer.from([0x80 | 39]), u16(1), u16(sei.length), sei]);
      out[22] = out[22]! + 1;
      return out;
    });
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) expect(packetDigests(save(outcome.data!)), `${outcome.mode}: packets`).toEqual(packetDigests(save(hevc)));
  });
});

describe('MP4 red team: subtitle sample entries', () => {
  it('a font name in the tx3g font table', () => {
    const subtitled = ffmpegClip({ subtitles: '1\n00:00:00,000 --> 00:00:00,900\nHello\n' });
    const ftab = box('ftab', u16(1), u16(1), Buffer.from([S.length]), S);
    const input = appendToBox(subtitled, 'moov/trak[2]/mdia/minf/stbl/stsd/tx3g', ftab);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
  });
});

describe('MP4 red team: strings of a text sample entry', () => {
  it('the namespace and schema location of an stpp entry', () => {
    const entryExtra = Buffer.from(`http://www.w3.org/ns/ttml ${sentinel}\0${sentinel}\0\0`, 'latin1');
    const input = addToMovie(clip, { tracks: [{ trackId: 9, handler: 'subt', format: 'stpp', samples: [Buffer.from('<tt/>')], entryExtra }] });
    expectSentinelGone(input);
  });
});
