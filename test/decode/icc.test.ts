/**
 * ICC profiles: standard ones kept byte for byte, every other one re-written with its colour data
 * unchanged (checked by ImageMagick/lcms converting the same pixels through both) and nothing else
 * — text, private tags, gaps, trailing bytes, device fields — left to carry a sentinel.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TracelessError } from '../../src/errors.js';
import { assembleIccChunks, encodeIccChunks, inspectIccProfile, maxIccBytesPerApp2, readIccText, sanitiseIccProfile, standardProfileName } from '../../src/decode/icc.js';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { containsSentinel, sentinel } from '../helpers/sentinel.js';

// ---------------------------------------------------------------- profile builder

interface TagSpec {
  signature: string;
  data: Buffer;
  /** Point at the data of an earlier tag (shared data, as rTRC/gTRC/bTRC often are). */
  shareWith?: string;
}

interface ProfileSpec {
  version?: number;
  tags: TagSpec[];
  /** Bytes written between tag data (inside the declared size, referenced by no tag). */
  gap?: Buffer;
  /** Bytes after the declared size. */
  trailing?: Buffer;
  headerFill?: (head: Buffer) => void;
}

function s15(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(Math.round(value * 65536));
  return out;
}

function xyz(x: number, y: number, z: number, extra = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from('XYZ \0\0\0\0', 'latin1'), s15(x), s15(y), s15(z), extra]);
}

function gammaCurve(gamma: number): Buffer {
  const out = Buffer.alloc(14);
  out.write('curv', 0, 'latin1');
  out.writeUInt32BE(1, 8);
  out.writeUInt16BE(Math.round(gamma * 256), 12);
  return out;
}

function tableCurve(points: number[]): Buffer {
  const out = Buffer.alloc(12 + 2 * points.length);
  out.write('curv', 0, 'latin1');
  out.writeUInt32BE(points.length, 8);
  points.forEach((point, index) => out.writeUInt16BE(point, 12 + 2 * index));
  return out;
}

function parametric(type: number, parameters: number[]): Buffer {
  const head = Buffer.alloc(12);
  head.write('para', 0, 'latin1');
  head.writeUInt16BE(type, 8);
  return Buffer.concat([head, ...parameters.map(s15)]);
}

function textTag(text: string): Buffer {
  return Buffer.concat([Buffer.from('text\0\0\0\0', 'latin1'), Buffer.from(`${text}\0`, 'latin1')]);
}

function descTag(text: string): Buffer {
  const ascii = Buffer.from(`${text}\0`, 'latin1');
  const out = Buffer.alloc(12 + ascii.length + 78);
  out.write('desc', 0, 'latin1');
  out.writeUInt32BE(ascii.length, 8);
  ascii.copy(out, 12);
  return out;
}

function mlucTag(text: string): Buffer {
  const utf16 = Buffer.from(text, 'utf16le').swap16();
  const out = Buffer.alloc(28 + utf16.length);
  out.write('mluc', 0, 'latin1');
  out.writeUInt32BE(1, 8);
  out.writeUInt32BE(12, 12);
  out.write('enUS', 16, 'latin1');
  out.writeUInt32BE(utf16.length, 20);
  out.writeUInt32BE(28, 24);
  utf16.copy(out, 28);
  return out;
}

function buildProfile(spec: ProfileSpec): Buffer {
  const version = spec.version ?? 2;
  const tableLength = 4 + 12 * spec.tags.length;
  const table = Buffer.alloc(tableLength);
  table.writeUInt32BE(spec.tags.length, 0);
  const data: Buffer[] = [];
  const placed = new Map<string, [number, number]>();
  let offset = 128 + tableLength;
  spec.tags.forEach((tag, index) => {
    let where = tag.shareWith ? placed.get(tag.shareWith) : undefined;
    if (!where) {
      where = [offset, tag.data.length];
      const padded = Buffer.concat([tag.data, Buffer.alloc((4 - (tag.data.length % 4)) % 4)]);
      data.push(padded);
      offset += padded.length;
      if (index === 0 && spec.gap) {
        data.push(spec.gap);
        offset += spec.gap.length;
      }
    }
    placed.set(tag.signature, where);
    table.write(tag.signature, 4 + 12 * index, 'latin1');
    table.writeUInt32BE(where[0], 8 + 12 * index);
    table.writeUInt32BE(where[1], 12 + 12 * index);
  });
  const head = Buffer.alloc(128);
  head.writeUInt32BE(offset, 0);
  head.write('lcms', 4, 'latin1');
  head.writeUInt32BE(version === 4 ? 0x04300000 : 0x02100000, 8);
  head.write('mntrRGB XYZ ', 12, 'latin1');
  [2024, 5, 1, 10, 11, 12].forEach((part, index) => head.writeUInt16BE(part, 24 + 2 * index));
  head.write('acspAPPL', 36, 'latin1');
  head.writeUInt32BE(0x00010001, 44); // embedded flag plus a vendor bit
  head.write('DELLU251', 48, 'latin1'); // device manufacturer and model
  head.writeUInt32BE(1, 64); // relative colorimetric
  s15(0.9642).copy(head, 68);
  s15(1).copy(head, 72);
  s15(0.8249).copy(head, 76);
  head.write('ACME', 80, 'latin1');
  head.fill(0xab, 84, 100); // a profile ID
  spec.headerFill?.(head);
  return Buffer.concat([head, table, ...data, spec.trailing ?? Buffer.alloc(0)]);
}

/** A display profile like the ones monitor calibration writes (primaries of sRGB, gamma 2.2). */
function displayTags(text: (value: string) => Buffer = textTag): TagSpec[] {
  return [
    { signature: 'desc', data: descTag(`Monitor of ${sentinel}`) },
    { signature: 'cprt', data: text(`Copyright ${sentinel}`) },
    { signature: 'wtpt', data: xyz(0.9505, 1, 1.089) },
    { signature: 'rXYZ', data: xyz(0.4361, 0.2225, 0.0139) },
    { signature: 'gXYZ', data: xyz(0.3851, 0.7169, 0.0971) },
    { signature: 'bXYZ', data: xyz(0.1431, 0.0606, 0.7141) },
    { signature: 'rTRC', data: tableCurve([0, 1000, 5000, 20000, 40000, 65535]) },
    { signature: 'gTRC', data: Buffer.alloc(0), shareWith: 'rTRC' },
    { signature: 'bTRC', data: parametric(3, [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045]) },
    { signature: 'dmnd', data: descTag(`Maker ${sentinel}`) },
    { signature: 'dmdd', data: descTag(`Model ${sentinel}`) },
    { signature: 'vcgt', data: Buffer.concat([Buffer.from('vcgt\0\0\0\0', 'latin1'), Buffer.from(sentinel)]) },
    { signature: 'ZZZZ', data: textTag(sentinel) },
  ];
}

function tagData(profile: Buffer, signature: string): Buffer | undefined {
  const count = profile.readUInt32BE(128);
  for (let index = 0; index < count; index++) {
    const entry = 132 + 12 * index;
    if (profile.toString('latin1', entry, entry + 4) !== signature) continue;
    const offset = profile.readUInt32BE(entry + 4);
    return profile.subarray(offset, offset + profile.readUInt32BE(entry + 8));
  }
  return undefined;
}

function tagSignatures(profile: Buffer): string[] {
  const count = profile.readUInt32BE(128);
  return Array.from({ length: count }, (_, index) => profile.toString('latin1', 132 + 12 * index, 136 + 12 * index));
}

// ---------------------------------------------------------------- ImageMagick as the colour judge

const work = mkdtempSync(join(tmpdir(), 'traceless-icc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 32×8 PPM covering dark to bright in every channel mix. */
function testImage(): string {
  const width = 32;
  const height = 8;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const at = 3 * (y * width + x);
    pixels[at] = x * 8;
    pixels[at + 1] = (y * 32 + x * 3) & 0xff;
    pixels[at + 2] = 255 - x * 8;
  }
  const path = join(work, 'in.ppm');
  writeFileSync(path, Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), pixels]));
  return path;
}

let counter = 0;
/** Pixels of the test image converted from `source` to `destination` by ImageMagick (lcms). */
function convertThrough(source: Buffer, destination: Buffer): Buffer {
  const id = counter++;
  const sourcePath = join(work, `source-${id}.icc`);
  const destinationPath = join(work, `destination-${id}.icc`);
  writeFileSync(sourcePath, source);
  writeFileSync(destinationPath, destination);
  return execFileSync('/usr/bin/convert', [testImage(), '-profile', sourcePath, '-profile', destinationPath, '-depth', '16', 'rgb:-'], { maxBuffer: 1 << 24 });
}

const destinationProfile = buildProfile({ tags: displayTags().slice(0, 9) });

// ---------------------------------------------------------------- tests

describe('sanitiseIccProfile: non-standard profiles are re-written', () => {
  for (const version of [2, 4]) {
    const input = buildProfile({
      version,
      tags: displayTags(version === 4 ? mlucTag : textTag),
      gap: Buffer.from(`gap ${sentinel} `),
      trailing: Buffer.from(sentinel),
      headerFill: (head) => head.write(sentinel.slice(0, 16), 100, 'latin1'),
    });

    it(`v${version}: no sentinel survives, colour tags are kept bit for bit`, () => {
      const result = sanitiseIccProfile(input);
      expect(result.standard).toBeNull();
      expect(containsSentinel(input)).toBe(true);
      expect(containsSentinel(result.profile)).toBe(false);
      expect(result.profile.includes(Buffer.from(sentinel.slice(0, 16)))).toBe(false);
      expect(tagSignatures(result.profile)).toEqual(['desc', 'cprt', 'wtpt', 'rXYZ', 'gXYZ', 'bXYZ', 'rTRC', 'gTRC', 'bTRC']);
      for (const signature of ['wtpt', 'rXYZ', 'gXYZ', 'bXYZ', 'rTRC', 'gTRC', 'bTRC']) {
        expect(tagData(result.profile, signature), signature).toEqual(tagData(input, signature));
      }
      expect(readIccText(tagData(result.profile, 'desc')!)).toBe('ICC profile');
      expect(readIccText(tagData(result.profile, 'cprt')!)).toBe('No copyright information');
      expect(result.removed).toEqual(expect.arrayContaining(["tag 'dmnd'", "tag 'dmdd'", "tag 'vcgt'", "tag 'ZZZZ'", `${sentinel.length} bytes after the profile's end`]));
    });

    it(`v${version}: the header keeps colour fields and neutralises device fields`, () => {
      const out = sanitiseIccProfile(input).profile;
      expect(out.readUInt32BE(0)).toBe(out.length);
      expect(out.subarray(8, 24)).toEqual(input.subarray(8, 24)); // version, class, spaces
      expect(out.subarray(64, 80)).toEqual(input.subarray(64, 80)); // intent, illuminant
      expect(out.toString('latin1', 36, 40)).toBe('acsp');
      for (const [start, end] of [[4, 8], [24, 36], [40, 44], [48, 64], [80, 128]]) expect(out.subarray(start!, end!).every((byte) => byte === 0), `${start}-${end}`).toBe(true);
      expect(out.readUInt32BE(44)).toBe(1); // embedded flag kept, vendor bit gone
    });

    it(`v${version}: tags are packed 4-byte aligned with no gaps, shared data written once`, () => {
      const out = sanitiseIccProfile(input).profile;
      const count = out.readUInt32BE(128);
      let expected = 132 + 12 * count;
      const starts = new Set<number>();
      for (let index = 0; index < count; index++) {
        const offset = out.readUInt32BE(136 + 12 * index);
        const size = out.readUInt32BE(140 + 12 * index);
        expect(offset % 4).toBe(0);
        if (starts.has(offset)) continue;
        starts.add(offset);
        expect(offset).toBe(expected);
        expected = offset + size + ((4 - (size % 4)) % 4);
      }
      expect(out.length).toBe(expected);
      expect(out.readUInt32BE(136 + 12 * 7)).toBe(out.readUInt32BE(136 + 12 * 6)); // gTRC shares rTRC
    });

    it(`v${version}: ImageMagick (lcms) converts pixels identically through both profiles`, () => {
      const sanitised = sanitiseIccProfile(input).profile;
      const converted = convertThrough(input, destinationProfile);
      // The judge is awake: this profile's curves differ from the destination's, so pixels move.
      expect(converted).not.toEqual(convertThrough(destinationProfile, destinationProfile));
      expect(convertThrough(sanitised, destinationProfile)).toEqual(converted);
      expect(convertThrough(destinationProfile, sanitised)).toEqual(convertThrough(destinationProfile, input));
    });

    it(`v${version}: reports what the profile carried`, () => {
      const findings = sanitiseIccProfile(input, 'APP2/ICC_PROFILE').findings;
      const byTag = new Map(findings.map((finding) => [finding.tag, finding]));
      expect(byTag.get('ICC:desc')?.text).toBe(`Monitor of ${sentinel}`);
      expect(byTag.get('ICC:cprt')?.text).toBe(`Copyright ${sentinel}`);
      expect(byTag.get('ICC:dmnd')?.category).toBe('other');
      expect(byTag.get('ICC:DeviceManufacturer')?.text).toBe('DELL');
      expect(byTag.get('ICC:DeviceModel')?.text).toBe('U251');
      expect(byTag.get('ICC:ProfileDateTime')).toMatchObject({ category: 'other', text: '2024-05-01T10:11:12' });
      expect(findings.every((finding) => finding.where === 'APP2/ICC_PROFILE' && !finding.retained)).toBe(true);
    });

    it(`v${version}: inspectIccProfile reports the same without re-writing`, () => {
      expect(inspectIccProfile(input, 'iCCP')).toEqual({ standard: null, findings: sanitiseIccProfile(input, 'iCCP').findings });
    });

    it(`v${version}: sanitising twice equals sanitising once`, () => {
      const once = sanitiseIccProfile(input).profile;
      const twice = sanitiseIccProfile(once);
      expect(twice.profile).toEqual(once);
      expect(twice.findings).toEqual([]);
      expect(twice.removed).toEqual([]);
    });
  }

  it('drops bytes past an XYZ or curve type’s defined fields', () => {
    const input = buildProfile({
      tags: [
        { signature: 'wtpt', data: xyz(0.9505, 1, 1.089, Buffer.from(`..${sentinel}`)) },
        { signature: 'rTRC', data: Buffer.concat([gammaCurve(2.2), Buffer.from(sentinel)]) },
        { signature: 'gTRC', data: Buffer.concat([parametric(0, [2.2]), Buffer.from(sentinel)]) },
      ],
    });
    const out = sanitiseIccProfile(input).profile;
    expect(containsSentinel(out)).toBe(false);
    expect(tagData(out, 'wtpt')).toEqual(xyz(0.9505, 1, 1.089));
    expect(tagData(out, 'rTRC')).toEqual(gammaCurve(2.2));
    expect(tagData(out, 'gTRC')).toEqual(parametric(0, [2.2]));
  });

  it('zeroes the padding between the elements of an mAB lookup table and empties colorant names', () => {
    // lutAToB with A curves only (3 identity curves), the sentinel in the padding after the header.
    const curves = [gammaCurve(1), gammaCurve(1), gammaCurve(1)].map((curve) => Buffer.concat([curve, Buffer.alloc(2)]));
    const lutHead = Buffer.alloc(32);
    lutHead.write('mAB ', 0, 'latin1');
    lutHead[8] = 3;
    lutHead[9] = 3;
    const padding = Buffer.from(`${sentinel}.`); // 24 bytes: keeps 4-byte alignment
    lutHead.writeUInt32BE(32 + padding.length, 28);
    const mab = Buffer.concat([lutHead, padding, ...curves]);
    const clrt = Buffer.alloc(12 + 38);
    clrt.write('clrt', 0, 'latin1');
    clrt.writeUInt32BE(1, 8);
    clrt.write(sentinel, 12, 'latin1');
    clrt.writeUInt16BE(0x8000, 44);
    const input = buildProfile({ version: 4, tags: [{ signature: 'A2B0', data: mab }, { signature: 'clrt', data: clrt }] });
    const out = sanitiseIccProfile(input).profile;
    expect(containsSentinel(out)).toBe(false);
    const a2b0 = tagData(out, 'A2B0')!;
    expect(a2b0.length).toBe(mab.length - 2); // the last curve's alignment padding is not data
    expect(a2b0.subarray(32, 32 + padding.length).every((byte) => byte === 0)).toBe(true);
    expect(a2b0.subarray(32 + padding.length)).toEqual(mab.subarray(32 + padding.length, mab.length - 2));
    expect(tagData(out, 'clrt')!.subarray(44)).toEqual(clrt.subarray(44));
  });

  it('keeps a floating-point transform (mpet) to its elements’ defined ends', () => {
    const float = (value: number) => {
      const out = Buffer.alloc(4);
      out.writeFloatBE(value);
      return out;
    };
    const matf = Buffer.concat([Buffer.from('matf\0\0\0\0\0\x03\0\x03', 'latin1'), ...[1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0].map(float)]);
    const clutHead = Buffer.alloc(28);
    clutHead.write('clut', 0, 'latin1');
    clutHead.writeUInt16BE(1, 8);
    clutHead.writeUInt16BE(1, 10);
    clutHead[12] = 2;
    const clut = Buffer.concat([clutHead, float(0), float(1)]);
    const elements = [Buffer.concat([matf, Buffer.from(sentinel)]), clut];
    const head = Buffer.alloc(16 + 16);
    head.write('mpet', 0, 'latin1');
    head.writeUInt16BE(3, 8);
    head.writeUInt16BE(3, 10);
    head.writeUInt32BE(2, 12);
    const gap = Buffer.from(`${sentinel}.`);
    head.writeUInt32BE(32, 16);
    head.writeUInt32BE(elements[0]!.length, 20);
    head.writeUInt32BE(32 + elements[0]!.length + gap.length, 24);
    head.writeUInt32BE(clut.length, 28);
    const mpet = Buffer.concat([head, elements[0]!, gap, clut]);
    const input = buildProfile({ version: 4, tags: [{ signature: 'D2B0', data: mpet }] });
    const out = tagData(sanitiseIccProfile(input).profile, 'D2B0')!;
    expect(containsSentinel(out)).toBe(false);
    expect(out.length).toBe(mpet.length);
    expect(out.subarray(32, 32 + matf.length)).toEqual(matf);
    expect(out.subarray(mpet.length - clut.length)).toEqual(clut);
    const unknownElement = Buffer.from(mpet);
    unknownElement.write('calc', 32, 'latin1');
    expect(tagSignatures(sanitiseIccProfile(buildProfile({ version: 4, tags: [{ signature: 'D2B0', data: unknownElement }] })).profile)).toEqual([]);
  });

  it('removes a colour tag holding a type that is not colour data, and keeps the first of duplicate tags', () => {
    const input = buildProfile({
      tags: [
        { signature: 'rXYZ', data: textTag(sentinel) },
        { signature: 'wtpt', data: xyz(0.9505, 1, 1.089) },
        { signature: 'wtpt', data: xyz(0.5, 0.5, 0.5, Buffer.from(sentinel)) },
      ],
    });
    const result = sanitiseIccProfile(input);
    expect(containsSentinel(result.profile)).toBe(false);
    expect(tagSignatures(result.profile)).toEqual(['wtpt']);
    expect(tagData(result.profile, 'wtpt')).toEqual(xyz(0.9505, 1, 1.089));
    expect(result.removed).toEqual(expect.arrayContaining(["duplicate tag 'wtpt'"]));
  });

  it('does not trust a profile that claims a standard name', () => {
    const input = buildProfile({ tags: [{ signature: 'desc', data: descTag('sRGB IEC61966-2.1') }, { signature: 'wtpt', data: xyz(0.9505, 1, 1.089) }, { signature: 'ZZZZ', data: textTag(sentinel) }] });
    const result = sanitiseIccProfile(input);
    expect(result.standard).toBeNull();
    expect(containsSentinel(result.profile)).toBe(false);
  });
});

describe('sanitiseIccProfile: malformed profiles raise TracelessError', () => {
  const good = buildProfile({ tags: displayTags() });
  const cases: [string, Buffer, string][] = [
    ['too short', good.subarray(0, 100), 'TRUNCATED'],
    ['no acsp', Buffer.concat([good.subarray(0, 36), Buffer.from('xxxx'), good.subarray(40)]), 'MALFORMED'],
    ['declared size past the data', good.subarray(0, good.length - 4), 'TRUNCATED'],
  ];
  const hugeCount = Buffer.from(good);
  hugeCount.writeUInt32BE(0x7fffffff, 128);
  cases.push(['absurd tag count', hugeCount, 'LIMIT_EXCEEDED']);
  const tagPastEnd = Buffer.from(good);
  tagPastEnd.writeUInt32BE(good.length, 136);
  cases.push(['tag past the end', tagPastEnd, 'TRUNCATED']);
  const tagInHeader = Buffer.from(good);
  tagInHeader.writeUInt32BE(40, 136);
  cases.push(['tag inside the header', tagInHeader, 'MALFORMED']);
  for (const [name, profile, code] of cases) {
    it(name, () => {
      expect(() => sanitiseIccProfile(profile)).toThrow(TracelessError);
      try {
        sanitiseIccProfile(profile);
      } catch (error) {
        expect((error as TracelessError).code).toBe(code);
      }
    });
  }

  it('only ever throws TracelessError on mutated profiles', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(good.length), (edits, cut) => {
        const mutated = Buffer.from(good.subarray(0, Math.max(cut, 140)));
        for (const [at, value] of edits) if (at < mutated.length) mutated[at] = value;
        try {
          const result = sanitiseIccProfile(mutated);
          expect(containsSentinel(result.profile)).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(TracelessError);
        }
      }),
      { numRuns: 400, seed: 10 },
    );
  });
});

describe('sanitiseIccProfile on the corpus profiles', () => {
  const profiles = corpusAvailable ? corpusProfiles() : [];
  it.skipIf(!corpusAvailable)('keeps the well-known standard profiles byte for byte, re-writes the rest with identical colour', () => {
    expect(profiles.length).toBeGreaterThan(25);
    const standards = new Set<string>();
    for (const { file, profile } of profiles) {
      const result = sanitiseIccProfile(profile);
      if (result.standard !== null) {
        standards.add(result.standard);
        expect(result.profile).toBe(profile);
        expect(result.removed).toEqual([]);
        expect(inspectIccProfile(profile).findings.every((finding) => finding.retained)).toBe(true);
        continue;
      }
      expect(result.profile.length, file).toBeLessThanOrEqual(profile.length + 200);
      expect(convertThrough(result.profile, destinationProfile), file).toEqual(convertThrough(profile, destinationProfile));
    }
    expect([...standards]).toEqual(expect.arrayContaining(['sRGB IEC61966-2.1 (HP, v2)', 'Display P3 (Apple)', 'Adobe RGB (1998)']));
  });
});

/** Every profile ExifTool extracts from a corpus file the manifest marks `icc`. */
function corpusProfiles(): { file: string; profile: Buffer }[] {
  const formats = ['JPEG', 'PNG', 'HEIC', 'HEIF', 'AVIF', 'TIFF', 'DNG', 'JP2', 'PSD', 'NEF', 'Extended WEBP', 'GIF', 'CR2', 'CR3', 'RAF', 'RW2'];
  const out: { file: string; profile: Buffer }[] = [];
  for (const entry of corpusEntries(formats).filter((candidate) => /\bicc\b/.test(candidate.notable))) {
    try {
      const profile = execFileSync('exiftool', ['-b', '-icc_profile', entry.absolute], { maxBuffer: 1 << 26 });
      if (profile.length > 0) out.push({ file: entry.path, profile });
    } catch {
      // exiftool could not read it: the count check above says whether enough were read
    }
  }
  return out;
}

describe('standardProfileName', () => {
  it('recognises only exact bytes', () => {
    expect(standardProfileName(buildProfile({ tags: displayTags() }))).toBeNull();
  });
});

describe('assembleIccChunks', () => {
  const parts = [Buffer.from('aaa'), Buffer.from('bbb'), Buffer.from('ccc')];
  const chunks = parts.map((data, index) => ({ sequence: index + 1, count: 3, data }));
  const whole = Buffer.from('aaabbbccc');

  it('joins chunks in sequence order, whatever order they came in', () => {
    expect(assembleIccChunks(chunks)).toEqual(whole);
    expect(assembleIccChunks([chunks[1]!, chunks[0]!, chunks[2]!])).toEqual(Buffer.concat([parts[0]!, parts[1]!, parts[2]!]));
  });

  it('drops duplicates, sequence 0, chunks past the count and chunks declaring another count', () => {
    const extra = Buffer.from(sentinel);
    const assembled = assembleIccChunks([
      ...chunks,
      { sequence: 2, count: 3, data: extra },
      { sequence: 0, count: 3, data: extra },
      { sequence: 4, count: 3, data: extra },
      { sequence: 1, count: 4, data: extra },
    ]);
    expect(assembled).toEqual(whole);
  });

  it('takes the count that makes a complete sequence when chunks disagree', () => {
    const decoy = { sequence: 1, count: 5, data: Buffer.from(sentinel) };
    expect(assembleIccChunks([decoy, ...chunks])).toEqual(whole);
  });

  it('splits a profile into APP2 payloads that re-assemble to it', () => {
    const profile = Buffer.alloc(2 * maxIccBytesPerApp2 + 10, 7);
    const payloads = encodeIccChunks(profile);
    expect(payloads.map((payload) => payload.length)).toEqual([maxIccBytesPerApp2 + 14, maxIccBytesPerApp2 + 14, 10 + 14]);
    expect(payloads.every((payload) => payload.length + 2 <= 0xffff && payload.toString('latin1', 0, 12) === 'ICC_PROFILE\0')).toBe(true);
    const parsed = payloads.map((payload) => ({ sequence: payload[12]!, count: payload[13]!, data: payload.subarray(14) }));
    expect(assembleIccChunks(parsed)).toEqual(profile);
    expect(() => encodeIccChunks(Buffer.alloc(256 * maxIccBytesPerApp2))).toThrow(TracelessError);
  });

  it('refuses an incomplete sequence', () => {
    expect(() => assembleIccChunks([chunks[0]!, chunks[2]!])).toThrow(/chunk 2 of 3 is missing/);
    expect(() => assembleIccChunks([])).toThrow(TracelessError);
    expect(() => assembleIccChunks([{ sequence: 1, count: 0, data: whole }])).toThrow(TracelessError);
  });
});

