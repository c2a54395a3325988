/**
 * JPEG XL (issue 14): metadata boxes cut, the codestream copied byte for byte. Judged by `djxl`
 * (same pixels) and ExifTool `-ee` (nothing sensitive), plus sentinels in every box kind.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer, inspectSync } from '../../src/index.js';
import { TracelessError } from '../../src/errors.js';
import { BufferSource } from '../../src/io/source.js';
import { jxl } from '../../src/formats/jxl/index.js';
import { buildExifTiff, defaultExif } from '../fixtures/exif.js';
import { cjxlImage, codestreamOf, djxlPixels, jxlBox, jxlFtyp, jxlScratch, jxlSignature, jxlpBox, removeJxlScratch, splitJxl, withExiftoolMetadata } from '../fixtures/jxl.js';
import { exiftoolTags, sensitiveTags } from '../helpers/exiftool.js';
import { expectCleanedInBothModes, expectSentinelGone, sentinel, sentinelBytes } from '../helpers/sentinel.js';
import { assertOnlyTracelessErrors } from '../helpers/mutated-seeds.js';

let counter = 0;
function exiftoolFinds(data: Buffer): string[] {
  const path = join(jxlScratch(), `check-${++counter}.jxl`);
  writeFileSync(path, data);
  return sensitiveTags(exiftoolTags(path));
}

const xmp = (creator: string) => Buffer.from(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${creator}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`);
const exifPayload = (extra = Buffer.alloc(0)) => Buffer.concat([Buffer.alloc(4), buildExifTiff(), extra]);
const brob = (type: string, payload: Buffer) => jxlBox('brob', Buffer.from(type, 'latin1'), brotliCompressSync(payload));
const plan = (data: Buffer) => jxl.plan!(new BufferSource(data), { mode: 'all', keepOrientation: true, keepDates: false });

describe('JPEG XL', () => {
  let bare: Buffer;
  let container: Buffer;
  let pixels: Buffer;
  beforeAll(async () => {
    bare = await cjxlImage();
    container = await cjxlImage({ container: true });
    pixels = djxlPixels(bare);
  });
  afterAll(() => removeJxlScratch());

  it('a container with EXIF and XMP written by ExifTool: reported, cut, same pixels, nothing left for ExifTool', () => {
    const input = withExiftoolMetadata(container, ['-Artist=Jxl Secret Artist', '-GPSLatitude=37.5', '-GPSLatitudeRef=N', '-GPSLongitude=122.3', '-GPSLongitudeRef=W', '-XMP-dc:Creator=Jxl Secret Creator']);
    expect(splitJxl(input).map((part) => part.type)).toEqual(expect.arrayContaining(['Exif', 'xml ']));
    const inspection = inspectSync(input);
    expect(inspection.findings.find((finding) => finding.tag === 'Artist')?.value).toBe('Jxl Secret Artist');
    expect(inspection.findings.find((finding) => finding.tag === 'dc:creator')?.value).toBe('Jxl Secret Creator');
    expect(inspection.locations[0]?.latitude).toBeCloseTo(37.5, 3);
    expect(exiftoolFinds(input).length).toBeGreaterThan(0);
    const { result, data } = cleanBuffer(input);
    expect(result.status).toBe('cleaned');
    expect(result.removed.map((removal) => removal.where).sort()).toEqual(['JXL/Exif', 'JXL/xml']);
    expect(splitJxl(data!).map((part) => part.type)).toEqual(splitJxl(container).map((part) => part.type));
    expect(codestreamOf(data!)).toEqual(codestreamOf(input));
    expect(djxlPixels(data!)).toEqual(djxlPixels(container));
    expect(exiftoolFinds(data!)).toEqual([]);
    expect(cleanBuffer(data!).result.status).toBe('already-clean');
  });

  it('a bare codestream is already clean: no metadata boxes, said in scan and in kept', () => {
    const inspection = inspectSync(bare);
    expect(inspection.findings).toEqual([]);
    expect(inspection.warnings.map((warning) => warning.message)).toEqual([expect.stringContaining('bare JPEG XL codestream: no metadata boxes')]);
    const { result } = cleanBuffer(bare);
    expect(result.status).toBe('already-clean');
    expect(result.kept).toContain('bare codestream: no metadata boxes');
  });

  it('every box kind hiding a sentinel (Exif, xml, jumb, jbrd, brob, unknown; jxlp parts and jxli kept): reported, cut, same pixels', () => {
    const codestream = codestreamOf(bare);
    const half = Math.floor(codestream.length / 2);
    const frameIndex = Buffer.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1]); // NF=1, TNUM=1, TDEN=1, OFF0=0, T0=0, F0=1
    const file = Buffer.concat([
      jxlSignature, jxlFtyp,
      jxlBox('jxll', Buffer.from([5])),
      jxlBox('Exif', exifPayload(sentinelBytes)),
      brob('Exif', exifPayload(Buffer.from(`brotli ${sentinel}`))),
      brob('xml ', xmp(sentinel)),
      jxlBox('jumb', jxlBox('jumd', Buffer.from(`c2pa ${sentinel}`))),
      jxlBox('jxli', frameIndex),
      jxlpBox(0, false, codestream.subarray(0, half)),
      jxlBox('jbrd', Buffer.from(`reconstruction ${sentinel}`)),
      jxlBox('zzzz', sentinelBytes),
      jxlpBox(1, true, codestream.subarray(half)),
    ]);
    const inspection = inspectSync(file);
    const wheres = inspection.findings.map((finding) => finding.where);
    expect(wheres).toEqual(expect.arrayContaining(['JXL/Exif/IFD0', 'JXL/brob(Exif)/IFD0', 'JXL/brob(xml)', 'JXL/jumb', 'JXL/jbrd', 'JXL/zzzz']));
    expect(inspection.findings.find((finding) => finding.where === 'JXL/brob(Exif)/IFD0' && finding.tag === 'Make')?.value).toBe(defaultExif.make);
    const outcomes = expectSentinelGone(file);
    expectCleanedInBothModes(outcomes);
    const out = outcomes[0]!.data!;
    expect(splitJxl(out).map((part) => part.type)).toEqual(['JXL ', 'ftyp', 'jxll', 'jxli', 'jxlp', 'jxlp']);
    expect(splitJxl(out).find((part) => part.type === 'jxli')!.payload).toEqual(frameIndex);
    expect(codestreamOf(out)).toEqual(codestream);
    expect(djxlPixels(out)).toEqual(pixels);
    expect(exiftoolFinds(out)).toEqual([]);
    expect(cleanBuffer(out).result.status).toBe('already-clean');
  });

  it('slack in kept boxes (ftyp brands, bytes after the level and the frame index) is dropped', () => {
    const codestream = codestreamOf(bare);
    const file = Buffer.concat([
      jxlSignature,
      jxlBox('ftyp', Buffer.from('jxl \0\0\0\0jxl ', 'latin1'), sentinelBytes.subarray(0, 8)),
      jxlBox('jxll', Buffer.from([10]), sentinelBytes),
      jxlBox('jxli', Buffer.from([0, 0, 0, 0, 1, 0, 0, 0, 1]), sentinelBytes),
      jxlBox('jxlc', codestream),
    ]);
    const outcomes = expectSentinelGone(file, sentinel.slice(0, 8));
    expectCleanedInBothModes(outcomes);
    expect(djxlPixels(outcomes[0]!.data!)).toEqual(pixels);
    expect(cleanBuffer(outcomes[0]!.data!).result.status).toBe('already-clean');
  });

  it('a brob box that decompresses past the 16 MB cap is reported as unread and removed', () => {
    const file = Buffer.concat([jxlSignature, jxlFtyp, brob('xml ', Buffer.alloc(17 * 1024 * 1024, 0x20)), jxlBox('jxlc', codestreamOf(bare))]);
    const inspection = inspectSync(file);
    expect(inspection.unreadable).toEqual([expect.stringContaining('larger than 16')]);
    const { result, data } = cleanBuffer(file);
    expect(result.removed.map((removal) => removal.where)).toEqual(['JXL/brob']);
    expect(codestreamOf(data!)).toEqual(codestreamOf(bare));
  });

  it('refuses a container without a codestream (MALFORMED), or whose jxlp parts never end (TRUNCATED)', () => {
    expect(() => plan(Buffer.concat([jxlSignature, jxlFtyp, jxlBox('Exif', exifPayload())]))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => plan(Buffer.concat([jxlSignature, jxlFtyp, jxlpBox(0, false, codestreamOf(bare))]))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => plan(Buffer.concat([jxlSignature, jxlBox('jxlc', codestreamOf(bare))]))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });

  it('scan reads a container cut short as far as it goes and says so', () => {
    const codestream = codestreamOf(bare);
    const cut = Buffer.concat([jxlSignature, jxlFtyp, brob('Exif', exifPayload()), jxlpBox(0, false, codestream.subarray(0, 20))]);
    const inspection = inspectSync(cut);
    expect(inspection.findings.find((finding) => finding.tag === 'Make')?.value).toBe(defaultExif.make);
    expect(inspection.unreadable).toEqual([expect.stringContaining('cut short')]);
    expect(cleanBuffer(cut).result.error?.code).toBe('TRUNCATED');
    const overrun = Buffer.concat([jxlSignature, jxlFtyp, jxlBox('Exif', exifPayload()), jxlBox('jxlc', codestream)]);
    const truncated = overrun.subarray(0, overrun.length - 10);
    expect(inspectSync(truncated).findings.find((finding) => finding.tag === 'Make')?.value).toBe(defaultExif.make);
  });

  it('never lets anything but TracelessError out of inspect or plan, on mutated or cut files (property test)', () => {
    const seeds = [Buffer.concat([jxlSignature, jxlFtyp, jxlBox('jxll', Buffer.from([5])), jxlBox('Exif', exifPayload()), brob('xml ', xmp('me')), jxlBox('jxli', Buffer.from([0, 0, 0, 0, 1, 0, 0, 0, 1])), jxlpBox(0, true, Buffer.from([0xff, 0x0a, 1, 2]))]), container];
    assertOnlyTracelessErrors(seeds, (input) => [() => jxl.inspect(new BufferSource(input)), () => plan(input)]);
  });
});
