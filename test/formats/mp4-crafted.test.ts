/**
 * Crafted MP4/MOV files (issue 10, "Keep-list down to the byte"): a sentinel hidden in the slack of
 * every structure the MP4 cleaner keeps — trailing bytes of kept boxes, names, unknown and metadata
 * boxes at every depth, extra brands, media-data bytes no sample references, fragments, timed text —
 * must be gone from the output in both modes, the file must clean (not be refused) with its
 * audio/video packets unchanged, and `scan` must report what was hidden.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectSync } from '../../src/index.js';
import { findCoordinatesInText } from '../../src/decode/coordinates.js';
import { expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes, type ModeOutcome } from '../helpers/sentinel.js';
import { appendToBox, appendToFragment, appendToFragmentedMovie, appleKeysMeta, box, u16, editBox, ffmpegClip, fullBox, listBoxes, packetDigests, removeScratch, streamTypes, textAtom, u32, u64, xmpUuidBox } from '../fixtures/mp4.js';
import { scratchFolder } from '../helpers/scratch.js';

const { save } = scratchFolder('traceless-mp4-crafted-', '.mp4');
let clip: Buffer;
let fragmented: Buffer;
beforeAll(() => {
  clip = ffmpegClip({});
  fragmented = ffmpegClip({ fragmented: true });
});
afterAll(() => removeScratch());

/** A box named `type` whose payload is the sentinel (in an unknown atom, so no mode may keep it). */
const hiding = (type: string) => box(type, box('zzzz', sentinelBytes));

/** The law, plus: cleaned in both modes, packets unchanged, and `scan` saw something at `where`. */
function expectRemovedAndPlayable(input: Buffer, where: RegExp): ModeOutcome[] {
  const findings = inspectSync(input).findings;
  expect(findings.some((finding) => where.test(finding.where)), `scan reports ${where}: ${findings.map((finding) => finding.where).join(', ')}`).toBe(true);
  const outcomes = expectSentinelGone(input);
  expectCleanedInBothModes(outcomes);
  const digests = packetDigests(save(input));
  for (const outcome of outcomes) {
    expect(outcome.data!.length).toBe(input.length);
    expect(packetDigests(save(outcome.data!)), `${outcome.mode}: packets`).toEqual(digests);
    // The output re-inspects with nothing left at the crafted place.
    expect(inspectSync(outcome.data!).findings.filter((finding) => where.test(finding.where) && !finding.retained)).toEqual([]);
  }
  return outcomes;
}

const video = 'moov/trak[0]';
const stbl = `${video}/mdia/minf/stbl`;

describe('MP4 crafted: metadata and unknown boxes at every depth', () => {
  const places: [string, string, RegExp][] = [
    ['udta inside minf', `${video}/mdia/minf`, /minf\/udta/],
    ['udta inside stbl', stbl, /stbl\/udta/],
    ['udta inside dinf', `${video}/mdia/minf/dinf`, /dinf\/udta/],
    ['udta inside edts', `${video}/edts`, /edts\/udta/],
    ['udta inside a sample entry', `${stbl}/stsd/avc1`, /avc1\/udta/],
    ['meta inside stbl', stbl, /stbl\/meta/],
    ['unknown box in moov', 'moov', /moov\/zzzz/],
    ['unknown box in trak', video, /trak\[1\]\/zzzz/],
    ['unknown box in mdia', `${video}/mdia`, /mdia\/zzzz/],
    ['unknown box in minf', `${video}/mdia/minf`, /minf\/zzzz/],
    ['unknown box in stbl', stbl, /stbl\/zzzz/],
    ['unknown box in an audio sample entry', 'moov/trak[1]/mdia/minf/stbl/stsd/mp4a', /mp4a\/zzzz/],
  ];
  it.each(places)('%s', (name, path, where) => {
    const extra = name.startsWith('udta') ? hiding('udta') : name.startsWith('meta') ? box('meta', u32(0), box('zzzz', sentinelBytes)) : box('zzzz', sentinelBytes);
    expectRemovedAndPlayable(appendToBox(clip, path, extra), where);
  });

  it('a tref holding the sentinel as track IDs', () => {
    const input = appendToBox(clip, video, box('tref', box('cdsc', sentinelBytes.subarray(0, 20))));
    expectRemovedAndPlayable(input, /tref\/cdsc/);
  });

  it('a non-XMP uuid box and a non-empty free box inside stbl', () => {
    const uuid = box('uuid', Buffer.alloc(16, 0x42), sentinelBytes);
    expectRemovedAndPlayable(appendToBox(clip, stbl, uuid), /stbl\/uuid/);
    expectRemovedAndPlayable(appendToBox(clip, stbl, box('free', sentinelBytes)), /stbl\/free/);
  });

  it('an unknown top-level box and a top-level free box with content', () => {
    const moov = listBoxes(clip).find((entry) => entry.type === 'moov')!;
    for (const [extra, where] of [[box('zzzz', sentinelBytes), /^zzzz$/], [box('free', sentinelBytes), /^free$/]] as const) {
      // Placed after moov, so no chunk offset moves.
      const input = Buffer.concat([clip.subarray(0, moov.offset + moov.size), extra]);
      expectRemovedAndPlayable(input, where);
    }
  });
});

describe('MP4 crafted: bytes past the defined fields of kept boxes', () => {
  const leaves: [string, RegExp][] = [
    ['moov/mvhd', /mvhd$/],
    [`${video}/tkhd`, /tkhd$/],
    [`${video}/mdia/mdhd`, /mdhd$/],
    [`${video}/mdia/minf/vmhd`, /vmhd$/],
    ['moov/trak[1]/mdia/minf/smhd', /smhd$/],
    [`${stbl}/stts`, /stts$/],
    [`${stbl}/stss`, /stss$/],
    [`${stbl}/stsc`, /stsc$/],
    [`${stbl}/stsz`, /stsz$/],
    [`${stbl}/stco`, /stco$/],
  ];
  it.each(leaves)('%s', (path, where) => {
    expectRemovedAndPlayable(appendToBox(clip, path, sentinelBytes), where);
  });

  it('moov/iods (re-written with its profile levels only)', () => {
    // An MP4_IOD descriptor: 4-byte length, OD ID and flags, five profile levels, then the sentinel.
    const iods = fullBox('iods', 0, 0, Buffer.from([0x10, 0x80, 0x80, 0x80, 7 + 2 + sentinel.length, 0x00, 0x4f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, sentinel.length]), sentinelBytes);
    expectRemovedAndPlayable(appendToBox(clip, 'moov', iods), /iods$/);
    expectRemovedAndPlayable(appendToBox(clip, 'moov', fullBox('iods', 0, 0, Buffer.from([0x10, 0x07, 0x00, 0x4f, 0xff, 0xff, 0xff, 0xff, 0xff]), sentinelBytes)), /iods$/);
  });

  it('elst: FFmpeg reads bytes past the entry count as edits, the output has none', () => {
    const input = appendToBox(clip, `${video}/edts/elst`, sentinelBytes);
    expect(inspectSync(input).findings.some((finding) => /elst$/.test(finding.where))).toBe(true);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    // The slack becomes a free box after a shortened elst: the original clip's packets, not the misread ones.
    const digests = packetDigests(save(clip));
    for (const outcome of outcomes) expect(packetDigests(save(outcome.data!))).toEqual(digests);
  });

  it('the handler name (emptied in both modes), also when the sentinel follows it', () => {
    const input = editBox(clip, `${video}/mdia/hdlr`, (payload) => Buffer.concat([payload.subarray(0, 24), Buffer.from(`Video\0${sentinel}`, 'latin1')]));
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) expect(outcome.result.removed.some((removal) => removal.note === 'handler name emptied')).toBe(true);
  });

  it('the compressor name of a video sample entry', () => {
    const input = editBox(clip, `${stbl}/stsd/avc1`, (payload) => {
      const name = Buffer.alloc(32);
      name[0] = sentinel.length;
      sentinelBytes.copy(name, 1);
      name.copy(payload, 42);
      return payload;
    });
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    const digests = packetDigests(save(input));
    for (const outcome of outcomes) expect(packetDigests(save(outcome.data!))).toEqual(digests);
  });

  it('a data reference URL on a self-contained entry, and an entry past the count', () => {
    const url = editBox(clip, `${video}/mdia/minf/dinf/dref`, (payload) => Buffer.concat([payload.subarray(0, 8), fullBox('url ', 0, 1, sentinelBytes)]));
    expectRemovedAndPlayable(url, /dref\/url /);
    const extra = appendToBox(clip, `${video}/mdia/minf/dinf/dref`, fullBox('url ', 0, 1), box('zzzz', sentinelBytes));
    expectRemovedAndPlayable(extra, /dref\/zzzz/);
  });

  it('a sample description past the entry count', () => {
    expectRemovedAndPlayable(appendToBox(clip, `${stbl}/stsd`, box('avc1', Buffer.alloc(78), box('zzzz', sentinelBytes))), /stsd\/avc1/);
  });

  it('unregistered brands spelling the sentinel, and bytes after the brand list', () => {
    const ftyp = listBoxes(clip)[0]!;
    expect(ftyp.type).toBe('ftyp');
    const text = Buffer.from(`${sentinel}X`, 'latin1'); // 24 bytes: six brands
    const brands = Buffer.concat([clip.subarray(ftyp.offset + 8, ftyp.offset + 16), text]);
    const newFtyp = box('ftyp', brands);
    const rest = clip.subarray(ftyp.offset + ftyp.size);
    const grown = Buffer.concat([newFtyp, rest]);
    // Every chunk offset moves by the growth of ftyp.
    const delta = newFtyp.length - ftyp.size;
    const input = editBox(grown, `${stbl}/stco`, (payload) => shiftStco(payload, delta));
    const fixed = editBox(input, 'moov/trak[1]/mdia/minf/stbl/stco', (payload) => shiftStco(payload, delta));
    expectRemovedAndPlayable(fixed, /^ftyp$/);
  });

  it('media-data bytes that no sample references', () => {
    const mdat = listBoxes(clip).find((entry) => entry.type === 'mdat')!;
    // The mdat grows by the sentinel; only the moov after it moves (chunk offsets point before the growth).
    const grown = Buffer.concat([clip.subarray(0, mdat.offset + mdat.size), sentinelBytes, clip.subarray(mdat.offset + mdat.size)]);
    grown.writeUInt32BE(mdat.size + sentinelBytes.length, mdat.offset);
    expectRemovedAndPlayable(grown, /^mdat$/);
  });
});

describe('MP4 crafted: codec configurations that do not read as laid out', () => {
  it('an avcC whose parameter-set count runs past the box is not kept as decoder data: the video needs it, so the clean is refused', () => {
    // 31 sequence parameter sets announced, one there, then the sentinel: before, the box was kept whole.
    const input = editBox(clip, `${stbl}/stsd/avc1/avcC`, (payload) => {
      const out = Buffer.concat([payload, sentinelBytes]);
      out[5] = 0xe0 | 0x1f;
      return out;
    });
    for (const outcome of expectSentinelGone(input)) {
      expect(outcome.data, outcome.mode).toBeNull();
      expect(outcome.result.status).toBe('refused');
      expect(outcome.result.error?.message).toMatch(/codec configuration 'avcC' does not read/);
    }
    // scan still reads the movie.
    const scanned = inspectSync(input);
    expect(scanned.format.id).toBe('mp4');
    expect(scanned.unreadable).toEqual([]);
  });

  it('an hvcC traceless cannot re-write (version 2) is not kept as read: its SEI unit carries the sentinel', () => {
    // configurationVersion 2, 22 bytes of general fields, one array of one prefix SEI unit (type 39) holding the sentinel.
    const sei = Buffer.concat([Buffer.from([39 << 1, 1, 5, sentinel.length]), sentinelBytes, Buffer.from([0x80])]);
    const hvcC = box('hvcC', Buffer.from([2]), Buffer.alloc(21), Buffer.from([1, 39, 0, 1]), u16(sei.length), sei);
    for (const outcome of expectSentinelGone(appendToBox(clip, `${stbl}/stsd/avc1`, hvcC))) {
      expect(outcome.data, outcome.mode).toBeNull();
      expect(outcome.result.error?.message).toMatch(/codec configuration 'hvcC' cannot be re-written/);
    }
  });

  it('a display property with a 64-bit size (its fields cannot be placed) is removed, and the file is cleaned', () => {
    const payload = Buffer.concat([Buffer.from('nclx'), Buffer.from([0, 1, 0, 1, 0, 1, 0]), sentinelBytes]);
    const colr = Buffer.concat([u32(1), Buffer.from('colr'), u64(16 + payload.length), payload]);
    const outcomes = expectRemovedAndPlayable(appendToBox(clip, `${stbl}/stsd/avc1`, colr), /avc1\/colr/);
    for (const outcome of outcomes) expect(outcome.result.removed.some((removal) => /colr/.test(removal.where))).toBe(true);
  });
});

describe('MP4 crafted: fragmented files', () => {
  it('udta and an unknown box inside a track fragment, and a uuid inside moof', () => {
    expectRemovedAndPlayable(appendToFragment(fragmented, 'moof/traf', hiding('udta')), /traf\/udta/);
    expectRemovedAndPlayable(appendToFragment(fragmented, 'moof/traf', box('zzzz', sentinelBytes)), /traf\/zzzz/);
    expectRemovedAndPlayable(appendToFragment(fragmented, 'moof', box('uuid', Buffer.alloc(16, 7), sentinelBytes)), /moof\/uuid/);
  });

  it('bytes past the defined fields of mfhd and tfhd', () => {
    expectRemovedAndPlayable(appendToFragment(fragmented, 'moof/mfhd', sentinelBytes), /mfhd$/);
    expectRemovedAndPlayable(appendToFragment(fragmented, 'moof/traf/tfhd', sentinelBytes), /tfhd$/);
  });

  it('udta inside mvex', () => {
    expectRemovedAndPlayable(appendToFragmentedMovie(fragmented, 'moov/mvex', hiding('udta')), /mvex\/udta/);
    expectRemovedAndPlayable(appendToFragmentedMovie(fragmented, 'moov/mvex/trex', sentinelBytes), /trex$/);
  });
});

describe('MP4 crafted: timed text that spells out coordinates', () => {
  const notations = [`48°51'30.1"N 2°17'40.2"E`, 'N48.8584 E2.2945', '48.8584N, 2.2945E', '48.858, 2.294', '2024/05/01 10:11:12 N:48.8584 E:2.2945 52km/h', '$GPRMC,101112,A,4851.5040,N,00217.6700,E'];
  it.each(notations)('%s', (text) => {
    const input = ffmpegClip({ subtitles: `1\n00:00:00,000 --> 00:00:00,900\nHello ${text} ${sentinel}\n` });
    expect(streamTypes(save(input))).toContain('subtitle');
    const report = inspectSync(input);
    expect(report.locations.some((location) => Math.abs(location.latitude - 48.8584) < 0.01 && Math.abs(location.longitude - 2.2945) < 0.01)).toBe(true);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) {
      const path = save(outcome.data!);
      expect(streamTypes(path)).not.toContain('subtitle');
      expect(packetDigests(path)).toEqual(packetDigests(save(input)));
    }
  });

  it('keeps ordinary subtitles', () => {
    const input = ffmpegClip({ subtitles: '1\n00:00:00,000 --> 00:00:00,900\nChapter 1.5, page 2\n' });
    for (const outcome of expectSentinelGone(input)) expect(streamTypes(save(outcome.data!))).toContain('subtitle');
  });

  it('finds coordinates in every common notation and leaves times and numbers alone', () => {
    for (const text of notations) expect(findCoordinatesInText(text).length, text).toBeGreaterThan(0);
    for (const text of ['00:00:01,000 --> 00:00:02,000', 'Speed 45.50 km/h', 'Chapter 1.5, page 2', 'Score 3-2']) expect(findCoordinatesInText(text), text).toEqual([]);
  });
});

describe('MP4 crafted: location mode', () => {
  it('removes an XMP packet traceless cannot read whole, and Apple keys it does not know', () => {
    const unreadable = appendToBox(clip, 'moov', xmpUuidBox(`<x:xmpmeta ${sentinel}`));
    const outcomes = expectSentinelGone(unreadable);
    expectCleanedInBothModes(outcomes);
  });

  it('removes unknown user-data atoms in location mode', () => {
    expectRemovedAndPlayable(appendToBox(clip, 'moov', box('udta', textAtom('©zzz', sentinel))), /udta\/©zzz/);
  });
});

function shiftStco(payload: Buffer, delta: number): Buffer {
  const count = payload.readUInt32BE(4);
  for (let index = 0; index < count; index++) payload.writeUInt32BE(payload.readUInt32BE(8 + index * 4) + delta, 8 + index * 4);
  return payload;
}

describe('MP4 crafted: what location mode keeps is cut to its defined value', () => {
  it('bytes after the text of a kept user-data atom and of a 3GPP asset string', () => {
    const title = Buffer.concat([textAtom('©nam', 'Holiday'), sentinelBytes]);
    const titled = box('©nam', title.subarray(8));
    expectSentinelGone(appendToBox(clip, 'moov', box('udta', titled)));
    const asset = fullBox('titl', 0, 0, u16(0x15c7), Buffer.from('Holiday\0', 'utf8'), sentinelBytes);
    const outcomes = expectSentinelGone(appendToBox(clip, 'moov', box('udta', asset)));
    expectCleanedInBothModes(outcomes);
    // The title itself is kept in location mode.
    expect(outcomes.find((outcome) => outcome.mode === 'location')!.data!.includes(Buffer.from('Holiday\0'))).toBe(true);
  });

  it('Apple keys traceless does not know: item removed, key name zeroed; known keys kept', () => {
    const input = appendToBox(clip, 'moov', appleKeysMeta({ 'com.apple.quicktime.make': 'Apple', [`com.example.${sentinel}`]: 'value', 'com.example.note': sentinel }));
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    const location = outcomes.find((outcome) => outcome.mode === 'location')!;
    expect(inspectSync(location.data!).findings.some((finding) => finding.tag === 'com.apple.quicktime.make')).toBe(true);
  });

  it('a name hidden in the handler of the metadata box', () => {
    const meta = box('meta', fullBox('hdlr', 0, 0, u32(0), Buffer.from('mdta', 'latin1'), Buffer.alloc(12), sentinelBytes), fullBox('keys', 0, 0, u32(0)), box('ilst'));
    expectCleanedInBothModes(expectSentinelGone(appendToBox(clip, 'moov', meta)));
  });
});

describe('MP4 crafted: timed text in every encoding and in fragments', () => {
  it('a tx3g sample in UTF-16 with a byte-order mark', () => {
    const placeholder = 'A'.repeat(60);
    const input = Buffer.from(ffmpegClip({ subtitles: `1\n00:00:00,000 --> 00:00:00,900\n${placeholder}\n` }));
    const at = input.indexOf(Buffer.from(placeholder, 'latin1'));
    expect(at).toBeGreaterThan(0);
    const text = Buffer.from(`\ufeffN48.8584 E2.2945${' '.repeat(13)}`, 'utf16le').swap16(); // UTF-16BE with its BOM, 60 bytes
    expect(text.length).toBe(60);
    text.copy(input, at);
    expect(inspectSync(input).locations.some((location) => Math.abs(location.latitude - 48.8584) < 0.001)).toBe(true);
    for (const outcome of expectSentinelGone(input, 'N48.8584 E2.2945')) {
      expect(outcome.data).not.toBeNull();
      expect(streamTypes(save(outcome.data!))).not.toContain('subtitle');
      expect(outcome.data!.includes(text)).toBe(false);
    }
  });

  it('subtitles of a fragmented file are read from the fragments', () => {
    const input = ffmpegClip({ fragmented: true, subtitles: `1\n00:00:00,000 --> 00:00:00,900\nN48.8584 E2.2945 ${sentinel}\n` });
    expect(inspectSync(input).locations.length).toBeGreaterThan(0);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    const digests = packetDigests(save(input));
    for (const outcome of outcomes) expect(packetDigests(save(outcome.data!))).toEqual(digests);
  });
});

describe('MP4 crafted: data after the end of the movie', () => {
  it('is removed in both modes and reported by scan', () => {
    const input = Buffer.concat([clip, Buffer.from(`trailing ${sentinel} data`, 'latin1')]);
    expect(inspectSync(input).findings.some((finding) => finding.tag === 'TrailingData')).toBe(true);
    const outcomes = expectSentinelGone(input);
    expectCleanedInBothModes(outcomes);
    for (const outcome of outcomes) {
      expect(outcome.data!.length).toBe(clip.length);
      expect(packetDigests(save(outcome.data!))).toEqual(packetDigests(save(clip)));
    }
    // Fewer than 8 bytes, not zeros: removed too.
    expect(expectSentinelGone(Buffer.concat([clip, Buffer.from('TRAIL', 'latin1')]), 'TRAIL').every((outcome) => outcome.data?.length === clip.length)).toBe(true);
  });
});
