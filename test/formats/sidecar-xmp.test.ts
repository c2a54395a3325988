/**
 * XMP sidecars, crafted: the output is written by traceless from the parsed packet, so nothing
 * outside the allow-lists survives — comments, unknown namespaces and attributes, rdf:about,
 * toolkit names, processing instructions, struct fields from other namespaces — and a packet
 * that cannot be read in full is replaced by an empty one. Both modes, through cleanBuffer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanBufferSync as cleanBuffer } from '../../src/clean.js';
import { readXmpProperties, xmpText } from '../../src/decode/xmp.js';
import { inspectSync } from '../../src/index.js';
import { exiftoolTags } from '../helpers/exiftool.js';
import { containsSentinel, expectCleanedInBothModes, expectSentinelGone, sentinel } from '../helpers/sentinel.js';

const rdfNs = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const declarations = [
  'xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"',
  'xmlns:tiff="http://ns.adobe.com/tiff/1.0/"',
  'xmlns:exif="http://ns.adobe.com/exif/1.0/"',
  'xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"',
  'xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
  'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"',
  'xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"',
  'xmlns:dc="http://purl.org/dc/elements/1.1/"',
  'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"',
  'xmlns:lr="http://ns.adobe.com/lightroom/1.0/"',
  'xmlns:digiKam="http://www.digikam.org/ns/1.0/"',
  'xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"',
  'xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"',
  'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"',
  'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"',
  'xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/"',
].join(' ');

/** A Lightroom-style sidecar: develop settings plus `extra` attributes and `content` elements. */
function sidecar(options: { extra?: string; content?: string; about?: string; toolkit?: string; before?: string; after?: string } = {}): Buffer {
  const text =
    `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n` +
    `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="${options.toolkit ?? 'Adobe XMP Core 7.0'}">\n` +
    (options.before ?? '') +
    ` <rdf:RDF xmlns:rdf="${rdfNs}">\n` +
    `  <rdf:Description rdf:about="${options.about ?? ''}" ${declarations}\n` +
    `   crs:Version="15.0" crs:ProcessVersion="11.0" crs:WhiteBalance="As Shot" crs:Exposure2012="+0.50" crs:Contrast2012="+12" tiff:Orientation="6" exif:ExposureTime="1/250" exif:FNumber="28/10" ${options.extra ?? ''}>\n` +
    `   <crs:ToneCurvePV2012><rdf:Seq><rdf:li>0, 0</rdf:li><rdf:li>255, 255</rdf:li></rdf:Seq></crs:ToneCurvePV2012>\n` +
    (options.content ?? '') +
    `  </rdf:Description>\n </rdf:RDF>\n` +
    (options.after ?? '') +
    `</x:xmpmeta>\n${' '.repeat(100)}\n<?xpacket end="w"?>`;
  return Buffer.from(text, 'utf8');
}

const developSettings = ['crs:Version=15.0', 'crs:ProcessVersion=11.0', 'crs:WhiteBalance=As Shot', 'crs:Exposure2012=+0.50', 'crs:Contrast2012=+12', 'tiff:Orientation=6', 'exif:ExposureTime=1/250', 'exif:FNumber=28/10', 'crs:ToneCurvePV2012=0, 0', 'crs:ToneCurvePV2012=255, 255'];
const propertiesOf = (data: Buffer) => readXmpProperties(xmpText(data)).map((property) => `${property.name}=${property.value}`);

describe('XMP sidecar: a sentinel in slack or in anything the allow-lists do not know is gone in both modes', () => {
  const cases: [string, Buffer][] = [
    ['a comment', sidecar({ content: `<!-- ${sentinel} -->` })],
    ['a processing instruction', sidecar({ before: `<?traceless ${sentinel}?>` })],
    ['the rdf:about value', sidecar({ about: sentinel })],
    ['the x:xmptk toolkit name', sidecar({ toolkit: sentinel })],
    ['an unused namespace declaration', sidecar({ extra: `xmlns:unused="http://example.com/${sentinel}/"` })],
    ['a property of an unfamiliar namespace', sidecar({ extra: `xmlns:v="http://example.com/v/" v:Note="${sentinel}"` })],
    ['an unfamiliar namespace whose prefix spells a known one', sidecar({ extra: `xmlns:crs2="http://example.com/crs/"`, content: `<crs2:Exposure2012>${sentinel}</crs2:Exposure2012>` })],
    ['a field of another namespace inside a kept crs struct', sidecar({ extra: 'xmlns:v="http://example.com/v/"', content: `<crs:Look rdf:parseType="Resource"><crs:Amount>1</crs:Amount><v:Hidden>${sentinel}</v:Hidden></crs:Look>` })],
    ['an unqualified attribute', sidecar({ extra: `note="${sentinel}"` })],
    ['rdf:ID and rdf:datatype', sidecar({ content: `<crs:Temperature rdf:ID="${sentinel}" rdf:datatype="http://example.com/${sentinel}">5000</crs:Temperature>` })],
    ['an xml:lang qualifier that is not a language', sidecar({ content: `<crs:Tint xml:lang="${sentinel}-x">3</crs:Tint>` })],
    ['a CDATA section in an unknown property', sidecar({ extra: 'xmlns:v="http://example.com/v/"', content: `<v:Data><![CDATA[${sentinel}]]></v:Data>` })],
    ['GPS', sidecar({ extra: `exif:GPSLatitude="48,51.5N" exif:GPSLongitude="2,17.7E" exif:GPSAreaInformation="${sentinel}"` })],
    ['a city', sidecar({ extra: `photoshop:City="${sentinel}"` })],
    ['the creator address (CiAdr*)', sidecar({ content: `<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource"><Iptc4xmpCore:CiAdrCity>${sentinel}</Iptc4xmpCore:CiAdrCity><Iptc4xmpCore:CiAdrCtry>${sentinel}</Iptc4xmpCore:CiAdrCtry><Iptc4xmpCore:CiAdrExtadr>${sentinel}</Iptc4xmpCore:CiAdrExtadr><Iptc4xmpCore:CiAdrPcode>${sentinel}</Iptc4xmpCore:CiAdrPcode><Iptc4xmpCore:CiAdrRegion>${sentinel}</Iptc4xmpCore:CiAdrRegion></Iptc4xmpCore:CreatorContactInfo>` })],
    ['LocationShown', sidecar({ content: `<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li Iptc4xmpExt:Sublocation="${sentinel}"/></rdf:Bag></Iptc4xmpExt:LocationShown>` })],
    ['keyword trees naming places', sidecar({ content: `<lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|${sentinel}</rdf:li></rdf:Bag></lr:hierarchicalSubject><digiKam:TagsList><rdf:Seq><rdf:li>Places/${sentinel}</rdf:li></rdf:Seq></digiKam:TagsList>` })],
    ['drone fields', sidecar({ extra: `drone-dji:FlightYawDegree="${sentinel}"` })],
    ['a licensor address', sidecar({ content: `<plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource"><plus:LicensorCity>${sentinel}</plus:LicensorCity></rdf:li></rdf:Seq></plus:Licensor>` })],
  ];
  for (const [where, input] of cases) {
    it(where, () => {
      expect(containsSentinel(input)).toBe(true);
      const outcomes = expectSentinelGone(input);
      expectCleanedInBothModes(outcomes);
      // What develops the picture is still there, in both modes.
      for (const outcome of outcomes) expect(propertiesOf(outcome.data!)).toEqual(expect.arrayContaining(developSettings));
    });
  }
});

describe('XMP sidecar: packets that cannot be read in full are removed whole (an empty packet), not half-read', () => {
  const cases: [string, Buffer][] = [
    ['text after the root element', sidecar({ after: `${sentinel}` })],
    ['two junk bytes before the packet (UTF-16 to one reader, UTF-8 to another)', Buffer.concat([Buffer.from('<\0', 'latin1'), sidecar({ extra: `photoshop:City="${sentinel}"` })])],
    ['a DTD', Buffer.from(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "${sentinel}">]>${sidecar().toString('utf8').replace(/^<\?xpacket[^>]*>/, '')}`, 'utf8')],
    ['an undeclared prefix', sidecar({ content: `<zz:Secret>${sentinel}</zz:Secret>` })],
    ['rdf:parseType="Literal"', sidecar({ content: `<crs:Look rdf:parseType="Literal"><b>${sentinel}</b></crs:Look>` })],
    ['a property hidden on rdf:RDF', Buffer.from(sidecar().toString('utf8').replace('<rdf:RDF ', `<rdf:RDF xmlns:p="http://ns.adobe.com/photoshop/1.0/" p:City="${sentinel}" `), 'utf8')],
    ['an unterminated comment', sidecar({ content: `<!-- ${sentinel}` })],
  ];
  for (const [where, input] of cases) {
    it(where, () => {
      const outcomes = expectSentinelGone(input);
      for (const outcome of outcomes) {
        if (outcome.data === null) continue; // refused (the sniffer may not take it for a sidecar)
        expect(propertiesOf(outcome.data)).toEqual([]);
        expect(outcome.result.removed.some((removal) => /cannot be read in full/.test(removal.note ?? ''))).toBe(true);
      }
    });
  }

  it('scan says the packet is unreadable, and that it may hold a place', () => {
    const inspection = inspectSync(sidecar({ after: 'junk' }));
    expect(inspection.unreadable.join('\n')).toMatch(/XMP cannot be read in full/);
    expect(inspection.findings.some((finding) => finding.category === 'location')).toBe(true);
  });
});

describe('XMP sidecar, default mode: an allow-list of develop settings', () => {
  const personal = sidecar({
    extra: `aux:ImageNumber="48213" aux:SerialNumber="SERIAL-1234" xmpMM:PreservedFileName="IMG_0001.CR3" crs:RawFileName="IMG_0001.CR3" crs:LensProfileName="Adobe (Lens 24-70)" xmp:CreateDate="2024-05-01T10:11:12" xmp:CreatorTool="Lightroom Classic" xmpMM:DocumentID="xmp.did:1234" xmp:Label="Red" xmp:Rating="3"`,
    content:
      `<plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource"><plus:LicensorName>Licensor Person</plus:LicensorName></rdf:li></rdf:Seq></plus:Licensor>` +
      `<plus:CopyrightOwner><rdf:Seq><rdf:li rdf:parseType="Resource"><plus:CopyrightOwnerName>Owner Person</plus:CopyrightOwnerName></rdf:li></rdf:Seq></plus:CopyrightOwner>` +
      `<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource"><mwg-rs:Name>Face Person</mwg-rs:Name></rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>` +
      `<xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action><stEvt:softwareAgent>Editor 1.0</stEvt:softwareAgent><stEvt:when>2024-05-02T10:00:00</stEvt:when></rdf:li></rdf:Seq></xmpMM:History>` +
      `<dc:creator><rdf:Seq><rdf:li>Creator Person</rdf:li></rdf:Seq></dc:creator><dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>`,
  });

  it('scan reports every one of them', () => {
    const tags = new Set(inspectSync(personal).findings.map((finding) => finding.tag));
    for (const tag of ['aux:ImageNumber', 'aux:SerialNumber', 'xmpMM:PreservedFileName', 'crs:RawFileName', 'crs:LensProfileName', 'plus:LicensorName', 'plus:CopyrightOwnerName', 'mwg-rs:Name', 'xmpMM:DocumentID', 'stEvt:softwareAgent', 'dc:creator', 'dc:subject']) expect(tags, tag).toContain(tag);
  });

  it('keeps only the develop settings; owner, faces, shutter count, file names, dates, device, history and keywords go', () => {
    const { result, data } = cleanBuffer(personal, { only: 'all' });
    expect(result.error).toBeNull();
    expect(result.status).toBe('cleaned');
    expect(propertiesOf(data!).sort()).toEqual([...developSettings].sort());
    for (const gone of ['48213', 'SERIAL-1234', 'IMG_0001', 'Adobe (Lens', 'Licensor Person', 'Owner Person', 'Face Person', 'Editor 1.0', 'Creator Person', 'holiday', '2024-05-0', 'Lightroom', 'xmp.did', 'Red']) {
      expect(data!.toString('utf8'), gone).not.toContain(gone);
    }
  });

  it('ExifTool reads the output as XMP with the develop settings and nothing revealing', () => {
    const { data } = cleanBuffer(personal, { only: 'all' });
    const path = join(mkdtempSync(join(tmpdir(), 'traceless-sidecar-')), 'clean.xmp');
    writeFileSync(path, data!);
    const tags = exiftoolTags(path);
    expect(Number(tags['XMP:XMP-crs:Exposure2012'])).toBe(0.5);
    expect(tags['XMP:XMP-tiff:Orientation']).toBe(6);
    const revealing = Object.keys(tags).filter((key) => key.startsWith('XMP:') && !/^XMP:XMP-(crs|tiff|exif|x):/.test(key));
    expect(revealing).toEqual([]);
  });

  it('location mode keeps them (they hold no place) and removes only what may', () => {
    const { result, data } = cleanBuffer(personal, { only: 'location' });
    expect(result.error).toBeNull();
    const kept = propertiesOf(data!);
    for (const property of ['aux:ImageNumber=48213', 'xmpMM:PreservedFileName=IMG_0001.CR3', 'plus:LicensorName=Licensor Person', 'mwg-rs:Name=Face Person', 'dc:creator=Creator Person']) expect(kept).toContain(property);
  });

  it('cleaning twice gives the same bytes, and the second clean removes nothing', () => {
    for (const only of ['all', 'location'] as const) {
      const once = cleanBuffer(personal, { only }).data!;
      const twice = cleanBuffer(once, { only });
      expect(twice.data!.equals(once), only).toBe(true);
      expect(twice.result.removed, only).toEqual([]);
    }
  });

  it('writes the output as bytes of its own (no copied piece)', () => {
    const { result } = cleanBuffer(personal, { only: 'all' });
    expect(result.verification?.ok).toBe(true);
  });
});
