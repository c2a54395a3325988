/**
 * Crafted HEIF/AVIF files (keep-list issue): the sentinel is hidden in the slack of every structure
 * the HEIF cleaner keeps — names, URLs, bytes after a property's fields, unknown or unused
 * properties, unknown boxes at every level, unreferenced mdat bytes, the APPn segments of a JPEG
 * item, bytes after a derived-image descriptor — and must be gone from the output in both modes
 * (or the file refused). Then the real-phone shapes that were refused before (Samsung `sefd`, a
 * `free` property in ipco, an `iptc` item) must clean with identical pixels (heif-convert).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeta } from '../../src/formats/heif/meta.js';
import { BoxBudget, readBoxes } from '../../src/formats/isobmff/boxes.js';
import { BufferSource } from '../../src/io/source.js';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import {
  box, buildHeif, cstring, encodeHeic, fakeImageData, fullBox, haveTool, hvcC, iccProfileFixture, ispe,
  encodeAvifSequence, rebuildHeif, standardHeifFixture, testPicture, uint, xmpPacket, type HeifFixture,
} from '../fixtures/heif.js';
import { expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';

const S = sentinelBytes;
const exifTiff = buildExifTiff(defaultExif);
const xmp = xmpPacket({ latitude: '48,51.5022N', longitude: '2,17.6689E', city: 'Fixtureville' });

function fixture(overrides: Partial<HeifFixture> = {}): HeifFixture {
  return standardHeifFixture({ exifTiff, xmp, icc: iccProfileFixture() }, overrides);
}

/** Replaces the first box of `type` with `replacement` (the caller fixes the sizes of its parents). */
function replaceBox(file: Buffer, type: string, replacement: Buffer): Buffer {
  const at = file.indexOf(type, 0, 'latin1') - 4;
  const size = file.readUInt32BE(at);
  return Buffer.concat([file.subarray(0, at), replacement, file.subarray(at + size)]);
}

/** Item bytes of a HEIF file, read through its iloc. */
function itemBytes(file: Buffer): Map<number, Buffer> {
  const source = new BufferSource(file);
  const budget = new BoxBudget();
  const meta = readMeta(source, readBoxes(source, 0, file.length, budget).find((entry) => entry.type === 'meta')!, budget);
  const result = new Map<number, Buffer>();
  for (const location of meta.iloc!.items) {
    const start = location.constructionMethod === 1 ? meta.idat!.offset + meta.idat!.headerSize : 0;
    result.set(location.id, Buffer.concat(location.extents.map((extent) => file.subarray(start + location.baseOffset + extent.offset, start + location.baseOffset + extent.offset + extent.length))));
  }
  return result;
}

/** The law, plus: both modes wrote an output, the primary image's bytes are intact, and scan saw something. */
function expectRemovedNotRefused(file: Buffer): Buffer[] {
  const before = inspectSync(file).findings.filter((finding) => !finding.retained);
  expect(before.length, 'scan must report what the file hides').toBeGreaterThan(0);
  const outcomes = expectSentinelGone(file);
  expectCleanedInBothModes(outcomes);
  for (const outcome of outcomes) {
    expect(itemBytes(outcome.data!).get(1)!.equals(fakeImageData(400, 1)), `${outcome.mode}: primary image bytes`).toBe(true);
    const again = cleanBuffer(outcome.data!, { only: outcome.mode });
    expect(again.result.status, `${outcome.mode}: second clean`).toBe('already-clean');
    expect(again.data!.equals(outcome.data!)).toBe(true);
  }
  return outcomes.map((outcome) => outcome.data!);
}

describe('HEIF crafted files: the sentinel in kept structures', () => {
  it('hdlr name', () => {
    // mdat first, so that the longer hdlr (and meta) moves no item offset.
    const stable = replaceBox(buildHeif(fixture({ mdatFirst: true })).file, 'hdlr', fullBox('hdlr', 0, 0, uint(4, 0), Buffer.from('pict'), Buffer.alloc(12), cstring(sentinel)));
    fixMetaSize(stable);
    expect(inspectSync(stable).findings.some((finding) => finding.value === sentinel)).toBe(true);
    expectRemovedNotRefused(stable);
  });

  it('dref URL entries (not self-contained, and self-contained with a URL after the flags)', () => {
    for (const entry of [fullBox('url ', 0, 0, cstring(`http://example.com/${sentinel}`)), fullBox('url ', 0, 1, cstring(sentinel)), fullBox('urn ', 0, 1, cstring(sentinel), cstring('x'))]) {
      const dinf = box('dinf', fullBox('dref', 0, 0, uint(4, 1), entry));
      expectRemovedNotRefused(buildHeif(fixture({ metaExtras: [dinf] })).file);
    }
  });

  it('item names of kept images', () => {
    const file = buildHeif(fixture({ itemNames: { 1: sentinel, 2: `thumb ${sentinel}` } })).file;
    expect(inspectSync(file).findings.some((finding) => finding.value === sentinel)).toBe(true);
    expectRemovedNotRefused(file);
  });

  it('auxC of an unknown auxiliary type (the auxiliary image goes with it), and bytes after a known auxC type', () => {
    const unknown = fixture();
    unknown.items.push({ id: 7, type: 'hvc1', data: fakeImageData(50, 7) });
    unknown.references!.push({ type: 'auxl', from: 7, to: [1] });
    unknown.properties!.push(fullBox('auxC', 0, 0, cstring(`urn:example:${sentinel}`)));
    unknown.associations!.push({ item: 7, properties: [0x81, 7] });
    const outputs = expectRemovedNotRefused(buildHeif(unknown).file);
    for (const output of outputs) expect([...itemBytes(output).keys()]).not.toContain(7);

    const alpha = fixture();
    alpha.items.push({ id: 7, type: 'hvc1', data: fakeImageData(50, 7) });
    alpha.references!.push({ type: 'auxl', from: 7, to: [1] });
    alpha.properties!.push(fullBox('auxC', 0, 0, cstring('urn:mpeg:mpegB:cicp:systems:auxiliary:alpha'), S));
    alpha.associations!.push({ item: 7, properties: [0x81, 7] });
    for (const output of expectRemovedNotRefused(buildHeif(alpha).file)) expect(itemBytes(output).get(7)!.equals(fakeImageData(50, 7))).toBe(true);
  });

  it.each([
    ['ispe', fullBox('ispe', 0, 0, uint(4, 64), uint(4, 48), S)],
    ['irot', box('irot', uint(1, 1), S)],
    ['pixi', fullBox('pixi', 0, 0, uint(1, 3), uint(1, 8), uint(1, 8), uint(1, 8), S)],
    ['colr nclx', box('colr', Buffer.from('nclx'), uint(2, 1), uint(2, 13), uint(2, 6), uint(1, 0x80), S)],
    ['colr ICC, bytes after the profile', box('colr', Buffer.from('prof'), iccProfileFixture(), S)],
    ['hvcC', box('hvcC', hvcC().subarray(8), S)],
    ['clap', box('clap', ...Array.from({ length: 8 }, () => uint(4, 1)), S)],
    ['pasp', box('pasp', uint(4, 1), uint(4, 1), S)],
  ])('bytes after the defined fields of %s', (_, property) => {
    const spec = fixture();
    spec.properties!.push(property);
    spec.associations![0]!.properties.push(7);
    expectRemovedNotRefused(buildHeif(spec).file);
  });

  it('slack between the tags of an ICC profile', () => {
    const icc = iccProfileFixture('desc text');
    const withSlack = Buffer.concat([icc, S]);
    withSlack.writeUInt32BE(withSlack.length, 0);
    const spec = fixture();
    spec.properties![3] = box('colr', Buffer.from('prof'), withSlack);
    expectRemovedNotRefused(buildHeif(spec).file);
  });

  it('unknown, descriptive and unused properties, and a free box inside ipco', () => {
    const spec = fixture();
    spec.properties!.push(box('zzzz', S), fullBox('udes', 0, 0, cstring('en'), cstring(sentinel), cstring(''), cstring('')), box('free', S), fullBox('ispe', 0, 0, uint(4, 1), uint(4, 1), S));
    spec.associations![0]!.properties.push(7, 8, 9);
    expectRemovedNotRefused(buildHeif(spec).file);
  });

  it('an unknown property marked essential for the primary image is refused, saying why', () => {
    const spec = fixture();
    spec.properties!.push(box('zzzz', S));
    spec.associations![0]!.properties.push(0x87);
    const { result, data } = cleanBuffer(buildHeif(spec).file);
    expect(data).toBeNull();
    expect(result.error?.code).toBe('UNSUPPORTED_FORMAT');
    expect(result.error?.message).toMatch(/essential.*change the picture/);
  });

  it('unknown boxes at the top level, in meta, in iinf and in iprp; free and uuid boxes', () => {
    const cases: Partial<HeifFixture>[] = [
      { afterMdat: [box('sefd', S)] },
      { beforeMeta: [box('free', S)] },
      { afterMeta: [box('skip', S), box('uuid', Buffer.alloc(16, 0x11), S)] },
      { metaExtras: [box('abcd', S), box('free', S), box('xml ', S)] },
    ];
    for (const overrides of cases) expectRemovedNotRefused(buildHeif(fixture(overrides)).file);
  });

  it('metadata, unknown and iptc items, and bytes of mdat no item references', () => {
    const spec = fixture();
    spec.items.push(
      { id: 8, type: 'iptc', data: Buffer.concat([Buffer.from([0x1c, 2, 90, 0, S.length]), S]) },
      { id: 9, type: 'mime', contentType: 'text/plain', data: S },
      { id: 10, type: 'zzzz', data: S },
    );
    spec.references!.push({ type: 'cdsc', from: 8, to: [1] });
    expectRemovedNotRefused(buildHeif(spec).file);
    // And the sentinel in mdat bytes that no item points to.
    expectRemovedNotRefused(appendToMdat(buildHeif(fixture()).file, S));
  });

  it('a JPEG-coded item with its own APP1 Exif, a comment and a trailer', async () => {
    const jpeg = await sharp(await testPicture(32, 24)).jpeg().toBuffer();
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), uint(2, 2 + 6 + S.length), Buffer.from('Exif\0\0', 'latin1'), S]);
    const com = Buffer.concat([Buffer.from([0xff, 0xfe]), uint(2, 2 + S.length), S]);
    const dirty = Buffer.concat([jpeg.subarray(0, 2), app1, com, jpeg.subarray(2), S]);
    const spec = fixture();
    spec.items[0] = { id: 1, type: 'jpeg', data: dirty };
    spec.properties![0] = ispe(32, 24);
    const outcomes = expectSentinelGone(buildHeif(spec).file);
    expectCleanedInBothModes(outcomes);
    const pixels = async (data: Buffer) => sharp(data).raw().toBuffer();
    for (const outcome of outcomes) {
      const item = itemBytes(outcome.data!).get(1)!;
      expect(item.subarray(0, 2).equals(Buffer.from([0xff, 0xd8]))).toBe(true);
      expect((await pixels(item)).equals(await pixels(jpeg))).toBe(true);
    }
  });

  it('bytes after a grid descriptor (in idat)', () => {
    const spec = fixture();
    spec.items.push({ id: 5, type: 'grid', place: 'idat', data: Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 64, 0, 48]), S]) });
    spec.references!.push({ type: 'dimg', from: 5, to: [1] });
    for (const output of expectRemovedNotRefused(buildHeif(spec).file)) expect(itemBytes(output).get(5)!.equals(Buffer.from([0, 0, 0, 0, 0, 64, 0, 48]))).toBe(true);
  });

  it('bytes between the Exif offset field and the TIFF header (kept Exif in location mode)', () => {
    const spec = fixture();
    spec.items[2] = { id: 3, type: 'Exif', data: Buffer.concat([uint(4, 6 + S.length), Buffer.from('Exif\0\0', 'latin1'), S, exifTiff]) };
    expectRemovedNotRefused(buildHeif(spec).file);
  });

  it('entity groups: bytes after a known group, and a group of unknown type', () => {
    const grpl = box('grpl', fullBox('altr', 0, 0, uint(4, 100), uint(4, 2), uint(4, 1), uint(4, 2), S), fullBox('zzzz', 0, 0, uint(4, 101), uint(4, 1), uint(4, 1), S));
    for (const output of expectRemovedNotRefused(buildHeif(fixture({ metaExtras: [grpl] })).file)) {
      expect(output.includes(Buffer.from('altr'))).toBe(true);
      expect(output.includes(Buffer.from('zzzz'))).toBe(false);
    }
  });

  it('ftyp brands that are not registered', () => {
    const brands = ['heic', 'mif1', 'heic', ...(`${sentinel} `.match(/.{4}/g) ?? [])];
    expectRemovedNotRefused(buildHeif(fixture({ brands })).file);
  });

  it('data after the last box (not a box: removed, not refused)', () => {
    const file = Buffer.concat([buildHeif(fixture()).file, Buffer.from(`junk ${sentinel}`)]);
    expectRemovedNotRefused(file);
  });
});

/** Grows the last box (mdat) by `extra` bytes that no item references. */
function appendToMdat(file: Buffer, extra: Buffer): Buffer {
  const mdatAt = file.lastIndexOf('mdat', file.length, 'latin1') - 4;
  const grown = Buffer.concat([file, extra]);
  grown.writeUInt32BE(grown.length - mdatAt, mdatAt);
  return grown;
}

/** After a same-place replacement inside meta (mdat first, so no offset moves), fixes meta's size. */
function fixMetaSize(file: Buffer): void {
  let at = 0;
  while (file.toString('latin1', at + 4, at + 8) !== 'meta') at += file.readUInt32BE(at);
  file.writeUInt32BE(file.length - at, at);
}

const tools = haveTool('heif-enc') && haveTool('heif-convert') && haveTool('exiftool') && haveTool('convert') && haveTool('ffmpeg');

describe.skipIf(!tools)('HEIF real-phone shapes clean with identical pixels', () => {
  let work: string;
  let original: Buffer;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'traceless-heif-crafted-'));
    original = readFileSync(await encodeHeic(work));
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function pixels(data: Buffer): Buffer[] {
    const dir = mkdtempSync(join(work, 'decoded-'));
    const path = join(dir, 'in.heic');
    writeFileSync(path, data);
    execFileSync('heif-convert', [path, join(dir, 'out.png')], { stdio: 'ignore' });
    return readdirSync(dir).filter((name) => name.endsWith('.png')).sort().map((name) => execFileSync('/usr/bin/convert', [join(dir, name), '-depth', '8', 'rgba:-'], { maxBuffer: 64 * 1024 * 1024 }));
  }

  async function expectSamePixels(edit: (spec: HeifFixture) => void): Promise<void> {
    const crafted = await rebuildHeif(original, edit);
    const reference = pixels(original);
    for (const mode of ['all', 'location'] as const) {
      const { result, data } = cleanBuffer(crafted, { only: mode });
      expect(result.error, mode).toBeNull();
      expect(data!.includes(S), mode).toBe(false);
      const after = pixels(data!);
      expect(after.length).toBe(reference.length);
      after.forEach((image, index) => expect(image.equals(reference[index]!), `${mode}: image ${index}`).toBe(true));
    }
  }

  it('Samsung-style HEIC with a top-level sefd box', async () => {
    await expectSamePixels((spec) => {
      spec.afterMdat = [box('sefd', Buffer.from('SEFH'), S, Buffer.from('SEFT'))];
    });
  });

  it('HEIF with a free property in ipco (Nokia/Samsung), associated but not essential', async () => {
    await expectSamePixels((spec) => {
      spec.properties!.push(box('free', S));
      const index = spec.properties!.length;
      spec.associations![0]!.properties.push(index);
    });
  });

  it('AVIF sequence: text hidden in the compressor name, both handler names and mdat bytes no sample uses', () => {
    const path = encodeAvifSequence(work, 'crafted-sequence.avif');
    const input = Buffer.from(readFileSync(path));
    const hidden = 'QZHIDDENQZX14';
    // Same-length edits only, so that no chunk offset moves: the 32-byte compressor name, the 14-byte handler names.
    const entry = input.indexOf('av01', input.indexOf('stsd', 0, 'latin1'), 'latin1');
    const nameAt = entry + 4 + 6 + 2 + 16 + 2 + 2 + 4 + 4 + 4 + 2;
    input.fill(0, nameAt, nameAt + 32);
    input.writeUInt8(hidden.length, nameAt);
    input.write(hidden, nameAt + 1, 'latin1');
    for (let at = input.indexOf('PictureHandler', 0, 'latin1'); at !== -1; at = input.indexOf('PictureHandler', at + 1, 'latin1')) input.write(`${hidden}X`, at, 'latin1');
    const crafted = appendToMdat(input, Buffer.from(hidden));
    expect(inspectSync(crafted).findings.filter((finding) => !finding.retained && JSON.stringify(finding).includes(hidden)).length).toBeGreaterThan(0);
    const frames = (data: Buffer) => {
      const file = join(work, `frames-${Math.random().toString(36).slice(2)}.avif`);
      writeFileSync(file, data);
      return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' }).split('\n').filter((line) => !line.startsWith('#'));
    };
    const reference = frames(input);
    for (const outcome of expectSentinelGone(crafted, hidden)) {
      expect(outcome.data, outcome.mode).not.toBeNull();
      expect(frames(outcome.data!)).toEqual(reference);
    }
  });

  it('HEIC with an iptc item', async () => {
    await expectSamePixels((spec) => {
      spec.items.push({ id: 99, type: 'iptc', data: Buffer.concat([Buffer.from([0x1c, 2, 90, 0, S.length]), S]) });
      spec.references = [...(spec.references ?? []), { type: 'cdsc', from: 99, to: [spec.primary!] }];
    });
  });
});
