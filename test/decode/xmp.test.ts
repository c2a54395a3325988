/**
 * XMP read by a real XML parser: every serialisation shape ISO 16684-1 allows is read by namespace
 * URI and local name; anything that cannot be read in full (ill-formed, ambiguous encoding, shapes
 * XMP does not use) is reported unreadable and removed whole; hostile packets parse in linear time.
 */
import { describe, expect, it } from 'vitest';
import { removeXmpLocation } from '../../src/decode/location-edit.js';
import { decodeXmp, editXmpForLocation, isLocationProperty, readXmpProperties, removeXmpProperties, xmpText } from '../../src/decode/xmp.js';
import { decodeXmpBytes, detectXmpEncoding } from '../../src/decode/xmp-encoding.js';
import { parseXmp } from '../../src/decode/xmp-model.js';

const rdfNs = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const ns = {
  exif: 'http://ns.adobe.com/exif/1.0/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  dc: 'http://purl.org/dc/elements/1.1/',
  iptc: 'http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/',
  iptcExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
};

/** A packet around `description` (the attributes and content of one rdf:Description). */
function packet(attributes: string, content = '', declarations = `xmlns:exif="${ns.exif}" xmlns:photoshop="${ns.photoshop}" xmlns:dc="${ns.dc}"`): string {
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${rdfNs}"><rdf:Description rdf:about="" ${declarations} ${attributes}>${content}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
}

const names = (text: string) => readXmpProperties(text).map((property) => `${property.name}=${property.value}`);

describe('XMP shapes, read by namespace URI and local name', () => {
  it('reads a property whose prefix has non-ASCII letters', () => {
    const text = packet('', '<ÉxÏf:GPSLatitude>48,51.5N</ÉxÏf:GPSLatitude><ÉxÏf:GPSLongitude>2,17.7E</ÉxÏf:GPSLongitude>', `xmlns:ÉxÏf="${ns.exif}"`);
    expect(names(text)).toEqual(['exif:GPSLatitude=48,51.5N', 'exif:GPSLongitude=2,17.7E']);
    const decoded = decodeXmp(text, 'XMP');
    expect(decoded.locations[0]?.latitude).toBeCloseTo(48.858, 3);
  });

  it('reads attributes written without white space between them', () => {
    const text = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${rdfNs}"><rdf:Description rdf:about=""xmlns:p="${ns.photoshop}"p:City="Hiddenville"p:Country="Hiddenland"/></rdf:RDF></x:xmpmeta>`;
    // XML requires white space between attributes: not well-formed, so unreadable (removed whole).
    expect(parseXmp(text).ok).toBe(false);
    expect(decodeXmp(text, 'XMP').unreadable).toHaveLength(1);
    expect(removeXmpProperties(text, isLocationProperty)).toBe('');
    expect(removeXmpLocation(text).safe).toBe(false);
  });

  it('reads rdf:Description attributes and child elements alike', () => {
    const text = packet('photoshop:City="AttrCity"', '<photoshop:Country>ElementCountry</photoshop:Country>');
    expect(names(text)).toEqual(['photoshop:City=AttrCity', 'photoshop:Country=ElementCountry']);
  });

  it('reads rdf:Bag, rdf:Seq and rdf:Alt with xml:lang alternatives', () => {
    const text = packet('', '<dc:subject><rdf:Bag><rdf:li>one</rdf:li><rdf:li>two</rdf:li></rdf:Bag></dc:subject><dc:creator><rdf:Seq><rdf:li>Ann</rdf:li></rdf:Seq></dc:creator><dc:title><rdf:Alt><rdf:li xml:lang="x-default">T</rdf:li><rdf:li xml:lang="fr-FR">Titre</rdf:li></rdf:Alt></dc:title>');
    expect(names(text)).toEqual(['dc:subject=one', 'dc:subject=two', 'dc:creator=Ann', 'dc:title=T', 'dc:title=Titre']);
  });

  it('reads rdf:parseType="Resource" structs, nested structs and struct short forms', () => {
    const text = packet(
      `xmlns:Iptc4xmpCore="${ns.iptc}" xmlns:Iptc4xmpExt="${ns.iptcExt}"`,
      '<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource"><Iptc4xmpCore:CiAdrCity>Homeville</Iptc4xmpCore:CiAdrCity><Iptc4xmpCore:CiEmailWork>a@b.c</Iptc4xmpCore:CiEmailWork></Iptc4xmpCore:CreatorContactInfo>' +
        '<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li><rdf:Description Iptc4xmpExt:City="ShownCity"><Iptc4xmpExt:LocationId><rdf:Bag><rdf:li>id1</rdf:li></rdf:Bag></Iptc4xmpExt:LocationId></rdf:Description></rdf:li></rdf:Bag></Iptc4xmpExt:LocationShown>' +
        '<exif:Flash exif:Fired="False" exif:Mode="2"/>',
    );
    expect(names(text)).toEqual([
      'Iptc4xmpCore:CiAdrCity=Homeville', 'Iptc4xmpCore:CiEmailWork=a@b.c', 'Iptc4xmpExt:City=ShownCity', 'Iptc4xmpExt:LocationId=id1', 'exif:Fired=False', 'exif:Mode=2',
    ].map((line) => line.replace('exif:Fired', 'exif:Fired').replace('exif:Mode', 'exif:Mode')));
    const findings = decodeXmp(text, 'XMP').findings;
    expect(findings.find((finding) => finding.tag === 'Iptc4xmpCore:CiAdrCity')?.category).toBe('location');
    expect(findings.find((finding) => finding.tag === 'Iptc4xmpExt:LocationId')?.category).toBe('location');
    expect(findings.find((finding) => finding.tag === 'Iptc4xmpCore:CiEmailWork')?.category).toBe('owner');
  });

  it('decodes entities, character references and CDATA', () => {
    const text = packet('', '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">a &amp; b &#x263A; <![CDATA[<c>]]></rdf:li></rdf:Alt></dc:description>');
    expect(names(text)).toEqual(['dc:description=a & b ☺ <c>']);
  });

  it('identifies a property by its namespace URI, not by its prefix text', () => {
    const text = packet('', '<exif:GPSLatitude>1,2N</exif:GPSLatitude>', `xmlns:exif="http://example.com/not-exif/"`);
    expect(readXmpProperties(text)[0]).toMatchObject({ uri: 'http://example.com/not-exif/', local: 'GPSLatitude' });
    const spoof = packet('', '<photoshop:Headline>x</photoshop:Headline>', `xmlns:photoshop="${ns.exif}"`);
    expect(readXmpProperties(spoof)[0]!.name).toBe('exif:Headline');
  });

  it('reports what sidecars used to hide: licensor names, face regions, shutter counts, file names, keyword trees', () => {
    const text = packet(
      `xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" aux:ImageNumber="48213" xmpMM:PreservedFileName="IMG_0001.CR3" crs:RawFileName="IMG_0001.CR3" crs:Exposure2012="+0.50"`,
      '<plus:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource"><plus:LicensorName>Licensor Person</plus:LicensorName><plus:LicensorCity>LicCity</plus:LicensorCity></rdf:li></rdf:Seq></plus:Licensor>' +
        '<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource"><mwg-rs:Name>Face Person</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type></rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>' +
        '<lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|France|Paris</rdf:li></rdf:Bag></lr:hierarchicalSubject>',
    );
    const findings = decodeXmp(text, 'XMP sidecar').findings;
    const category = (tag: string) => findings.find((finding) => finding.tag === tag)?.category;
    expect(category('plus:LicensorName')).toBe('owner');
    expect(category('plus:LicensorCity')).toBe('location');
    expect(category('mwg-rs:Name')).toBe('owner');
    expect(category('aux:ImageNumber')).toBe('device');
    expect(findings.find((finding) => finding.tag === 'xmpMM:PreservedFileName')?.value).toBe('IMG_0001.CR3');
    expect(findings.find((finding) => finding.tag === 'crs:RawFileName')?.value).toBe('IMG_0001.CR3');
    expect(findings.find((finding) => finding.tag === 'lr:hierarchicalSubject')?.value).toBe('Places|France|Paris');
    expect(findings.find((finding) => finding.tag === 'XMP settings')).toMatchObject({ value: 1, retained: true });
  });
});

describe('packets that cannot be read in full are unreadable, never half-read', () => {
  const bad: [string, string][] = [
    ['unclosed element', packet('photoshop:City="X"').replace('</rdf:RDF>', '')],
    ['undeclared prefix', packet('', '<zz:City>X</zz:City>')],
    ['a DTD with entities', `<!DOCTYPE x [<!ENTITY e "GPS">]>${packet('')}`],
    ['rdf:parseType="Literal"', packet('', '<dc:title rdf:parseType="Literal"><b>x</b></dc:title>')],
    ['a typed node', packet('', '<dc:creator><exif:Thing>x</exif:Thing></dc:creator>')],
    ['a property on rdf:RDF', packet('').replace('<rdf:RDF ', `<rdf:RDF xmlns:p="${ns.photoshop}" p:City="X" `)],
    ['text beside elements', packet('', '<dc:title>a<rdf:Alt/></dc:title>')],
    ['a second value', packet('', '<dc:subject><rdf:Bag/><rdf:Seq/></dc:subject>')],
    ['text after the root', `${packet('')}GPS 48.85N`],
    ['an element without a namespace', packet('', '<City>X</City>')],
    ['a root that is not XMP', `<html xmlns="http://www.w3.org/1999/xhtml"/>`],
    ['a begin attribute for another encoding', packet('').replace('begin="\ufeff"', 'begin="\u00fe\u00ff"')],
    ['a NUL inside', packet('photoshop:City="A\u0000B"')],
  ];
  for (const [shape, text] of bad) {
    it(shape, () => {
      const decoded = decodeXmp(text, 'XMP');
      expect(decoded.unreadable, shape).toHaveLength(1);
      expect(decoded.findings.map((finding) => finding.category)).toEqual(['location']);
      expect(removeXmpProperties(text, () => false)).toBe('');
      expect(removeXmpLocation(text).safe).toBe(false);
      expect(editXmpForLocation(text).ok).toBe(false);
    });
  }

  it('an empty or white-space packet is read as empty', () => {
    expect(decodeXmp('  \n', 'XMP')).toMatchObject({ findings: [], unreadable: [] });
  });
});

describe('encoding, decided strictly', () => {
  const body = packet('photoshop:City="Enc"');
  const utf16be = (text: string) => {
    const le = Buffer.from(text, 'utf16le');
    return Buffer.from(le).swap16();
  };

  it('reads UTF-8, UTF-16 and UTF-32 by BOM or by how "<" is spelled', () => {
    const cases: Buffer[] = [
      Buffer.from(body, 'utf8'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]),
      Buffer.from(body, 'utf16le'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]),
      utf16be(body),
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(body)]),
      Buffer.concat([...body].map((character) => { const b = Buffer.alloc(4); b.writeUInt32LE(character.codePointAt(0)!); return b; })),
    ];
    for (const bytes of cases) expect(names(xmpText(bytes))).toEqual(['photoshop:City=Enc']);
  });

  it('two junk bytes before the packet make it ambiguous: unreadable, removed whole', () => {
    for (const junk of [[0x41, 0x00], [0x00, 0x41], [0x20, 0x00], [0xab, 0xcd]]) {
      const bytes = Buffer.concat([Buffer.from(junk), Buffer.from(body, 'utf8')]);
      expect('problem' in detectXmpEncoding(bytes) || !parseXmp(xmpText(bytes)).ok).toBe(true);
      expect(decodeXmp(xmpText(bytes), 'XMP').unreadable).toHaveLength(1);
      expect(removeXmpProperties(xmpText(bytes), isLocationProperty)).toBe('');
    }
  });

  it('decides UTF-8 exactly as a fatal WHATWG TextDecoder does (overlong forms, surrogates, cut sequences)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const pieces = [[0x41], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0xe2, 0x82], [0x80], [0xff], [0x00]];
    let seed = 7;
    for (let round = 0; round < 3000; round++) {
      const parts: number[] = [];
      for (let count = 0; count < 1 + (round % 7); count++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        parts.push(...pieces[seed % pieces.length]!);
      }
      const bytes = Buffer.concat([Buffer.from('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'), Buffer.from(parts)]);
      const detected = detectXmpEncoding(bytes);
      if ('problem' in detected || detected.encoding !== 'utf8') continue;
      let expected: string | undefined;
      try {
        expected = strict.decode(bytes.subarray(detected.bomLength));
      } catch {
        expected = undefined;
      }
      const decoded = decodeXmpBytes(bytes);
      expect('text' in decoded ? decoded.text : undefined).toBe(expected);
    }
  });

  it('invalid UTF-8 is unreadable, not read with replacement characters', () => {
    const bytes = Buffer.concat([Buffer.from(packet('photoshop:Headline="').slice(0, -0 || undefined), 'utf8')]);
    const broken = Buffer.from(packet('photoshop:Headline="X"'), 'utf8');
    const at = broken.indexOf('X"');
    broken[at] = 0xff;
    expect(bytes.length).toBeGreaterThan(0);
    expect(decodeXmp(xmpText(broken), 'XMP').unreadable).toHaveLength(1);
  });
});

describe('linear time on hostile input (16 MB)', () => {
  const size = 16 * 1024 * 1024;
  const head = '<x:xmpmeta xmlns:x="adobe:ns:meta/">';
  /** A flat string, as Buffer#toString gives (a repeated string is a rope V8 flattens on first use). */
  const flat = (text: string) => Buffer.from(text, 'latin1').toString('latin1');
  for (const [shape, unit] of [['unterminated <?', '<?'], ['unterminated <?a ', '<?a '], ['unterminated <!--', '<!--'], ['<!-- without -->', '<!-- a'], ['unterminated CDATA', '<![CDATA['], ['nested elements', '<x:a>']] as const) {
    it(`${shape}: rejected in well under a second`, () => {
      const text = flat(head + unit.repeat(Math.ceil(size / unit.length)));
      const started = performance.now();
      let readable: boolean;
      try {
        readable = parseXmp(text).ok;
      } catch (error) {
        readable = false;
        expect((error as { code?: string }).code).toBe('LIMIT_EXCEEDED');
      }
      expect(readable).toBe(false);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  }

  it('many terminated processing instructions are refused without being parsed one by one', () => {
    const text = flat(packet('') + '<?a b?>'.repeat(size / 7));
    const started = performance.now();
    expect(parseXmp(text).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('location mode re-builds the packet from the parsed model (an allow-list)', () => {
  const text = packet(
    `xmlns:Iptc4xmpCore="${ns.iptc}" xmlns:Iptc4xmpExt="${ns.iptcExt}" xmlns:xmp="${ns.xmp}" xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/" xmlns:vendor="http://example.com/vendor/" exif:GPSLatitude="48,51.5N" exif:GPSLongitude="2,17.7E" exif:ExposureTime="1/250" photoshop:City="PlaceCity" photoshop:Headline="Kept headline" drone-dji:RelativeAltitude="+12.3" drone-dji:FlightYawDegree="+1.0" vendor:Secret="VendorValue" xmp:Rating="4"`,
    '<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource"><Iptc4xmpCore:CiAdrCity>CreatorCity</Iptc4xmpCore:CiAdrCity><Iptc4xmpCore:CiAdrCtry>CreatorCountry</Iptc4xmpCore:CiAdrCtry><Iptc4xmpCore:CiAdrExtadr>1 Street</Iptc4xmpCore:CiAdrExtadr><Iptc4xmpCore:CiAdrPcode>12345</Iptc4xmpCore:CiAdrPcode><Iptc4xmpCore:CiAdrRegion>CreatorRegion</Iptc4xmpCore:CiAdrRegion><Iptc4xmpCore:CiEmailWork>me@example.com</Iptc4xmpCore:CiEmailWork></Iptc4xmpCore:CreatorContactInfo>' +
      '<Iptc4xmpCore:Location>Sublocation</Iptc4xmpCore:Location><Iptc4xmpExt:LocationCreated><rdf:Bag><rdf:li rdf:parseType="Resource"><Iptc4xmpExt:Sublocation>Sub</Iptc4xmpExt:Sublocation></rdf:li></rdf:Bag></Iptc4xmpExt:LocationCreated>' +
      '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Kept &amp; &lt;title&gt;</rdf:li></rdf:Alt></dc:title><!-- a comment with GPS 48.85 -->',
  );

  it('keeps known place-free properties and removes GPS, places, CiAdr*, drone fields and unfamiliar namespaces', () => {
    const edit = removeXmpLocation(text);
    expect(edit.safe).toBe(true);
    expect(edit.changed).toBe(true);
    const kept = names(edit.data);
    expect(kept).toEqual(['exif:ExposureTime=1/250', 'photoshop:Headline=Kept headline', 'xmp:Rating=4', 'Iptc4xmpCore:CiEmailWork=me@example.com', 'dc:title=Kept & <title>']);
    for (const gone of ['CreatorCity', 'CreatorCountry', '1 Street', '12345', 'CreatorRegion', 'PlaceCity', 'VendorValue', 'Sublocation', 'comment', 'GPS', 'drone-dji', 'vendor']) expect(edit.data).not.toContain(gone);
    expect(edit.data.startsWith('<?xpacket begin="\ufeff"')).toBe(true);
    expect(edit.data.endsWith('<?xpacket end="w"?>')).toBe(true);
  });

  it('is idempotent: the re-built packet is returned as it is, padding or not', () => {
    const once = removeXmpLocation(text).data;
    expect(removeXmpLocation(once)).toMatchObject({ changed: false, safe: true, data: once });
    const padded = once.replace('<?xpacket end', `${' '.repeat(300)}\n<?xpacket end`);
    expect(removeXmpLocation(padded)).toMatchObject({ changed: false, data: padded });
    expect(removeXmpProperties(once, isLocationProperty)).toBe(once);
  });

  it('removeXmpProperties also removes struct fields by name', () => {
    const edited = removeXmpProperties(text, (name) => name === 'Iptc4xmpCore:CiEmailWork' || name === 'dc:title');
    // The struct stays, emptied: its address fields went with the allow-list, its e-mail by name.
    expect(names(edited)).toEqual(['exif:ExposureTime=1/250', 'photoshop:Headline=Kept headline', 'xmp:Rating=4', 'Iptc4xmpCore:CreatorContactInfo=']);
  });

  it('keeps the latin1 view of a UTF-8 BOM as it was (same-length editors work on latin1 text)', () => {
    const latin1 = Buffer.from(text, 'utf8').toString('latin1');
    const edited = removeXmpProperties(latin1, isLocationProperty);
    expect(Buffer.from(edited, 'latin1').subarray(0, 20).includes(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(names(xmpText(Buffer.from(edited, 'latin1')))).toContain('photoshop:Headline=Kept headline');
  });
});
