/**
 * XMP red-team (location mode): a packet's slack (comments, processing instructions, attributes of
 * the wrapper, qualifiers in unknown namespaces, entities) never survives the rebuild, and a
 * free-text property that spells coordinates or a map link is a place and goes.
 */
import { describe, expect, it } from 'vitest';
import { removeXmpLocation } from '../../src/decode/location-edit.js';
import { sentinel } from '../helpers/sentinel.js';

const S = sentinel;
const wrap = (body: string, extra = '') =>
  `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/" ${extra}><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${body}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
const D = (attrs: string, inner = '') =>
  `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" ${attrs}>${inner}</rdf:Description>`;

describe('XMP red-team, location mode', () => {
  const slack: [string, string][] = [
    ['an unknown namespace', wrap(D(`xmlns:zz="http://example.com/zz/" zz:Foo="${S}"`))],
    ['x:xmptk', wrap(D('xmp:CreatorTool="x"'), `x:xmptk="${S}"`)],
    ['rdf:about', wrap(D('xmp:CreatorTool="x"').replace('rdf:about=""', `rdf:about="${S}"`))],
    ['xml:lang', wrap(D('', `<dc:title><rdf:Alt><rdf:li xml:lang="${S}">t</rdf:li></rdf:Alt></dc:title>`))],
    ['a comment', wrap(D('xmp:CreatorTool="x"', `<!-- ${S} -->`))],
    ['a processing instruction', wrap(D('xmp:CreatorTool="x"', `<?foo ${S}?>`))],
    ['the xpacket id', wrap(D('xmp:CreatorTool="x"')).replace('W5M0MpCehiHzreSzNTczkc9d', S)],
    ['text after the packet', wrap(D('xmp:CreatorTool="x"')) + S],
    ['rdf:ID', wrap(D('', `<dc:title rdf:ID="${S}"><rdf:Alt><rdf:li xml:lang="x-default">t</rdf:li></rdf:Alt></dc:title>`))],
    ['a literal', wrap(D('', `<dc:rights rdf:parseType="Literal"><b>${S}</b></dc:rights>`))],
    ['a qualifier in an unknown namespace', wrap(D('', `<dc:creator><rdf:Seq><rdf:li rdf:parseType="Resource"><rdf:value>a</rdf:value><zz:q xmlns:zz="http://example.com/zz/">${S}</zz:q></rdf:li></rdf:Seq></dc:creator>`))],
    ['an internal entity', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "${S}">]>` + wrap(D('', '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">&e;</rdf:li></rdf:Alt></dc:title>'))],
  ];
  for (const [where, packet] of slack) {
    it(`the sentinel in ${where} is gone (or the packet removed whole)`, () => {
      const edit = removeXmpLocation(packet);
      if (edit.safe) expect(edit.data).not.toContain(S);
    });
  }

  const places: [string, string][] = [
    ['dc:description', wrap(D('', '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">at 48.8584N, 2.2945E</rdf:li></rdf:Alt></dc:description>'))],
    ['xmp:Label', wrap(D('xmp:Label="Trip 48.8584N 2.2945E"'))],
    ['dc:title (degrees, minutes, seconds)', wrap(D('', `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">48°51'30.1"N 2°17'40.2"E</rdf:li></rdf:Alt></dc:title>`))],
    ['dc:subject (a map link)', wrap(D('', '<dc:subject><rdf:Bag><rdf:li>https://maps.google.com/?q=48.8584,2.2945</rdf:li></rdf:Bag></dc:subject>'))],
  ];
  for (const [where, packet] of places) {
    it(`coordinates spelled out in ${where} are removed`, () => {
      const edit = removeXmpLocation(packet);
      if (edit.safe) expect(edit.data).not.toMatch(/48\.8584|48°51/);
    });
  }

  it('a free-text title without a place is kept', () => {
    const edit = removeXmpLocation(wrap(D('', '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Birthday, version 2.1</rdf:li></rdf:Alt></dc:title>')));
    expect(edit.safe).toBe(true);
    expect(edit.data).toContain('Birthday, version 2.1');
  });
});
