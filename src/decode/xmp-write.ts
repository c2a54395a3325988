/**
 * Writes an XMP packet from the data model: what a cleaner keeps of a packet is re-emitted from
 * the properties it parsed, never copied, so comments, unknown attributes, namespace declarations
 * nobody uses, `rdf:about` values, toolkit names and white-space padding of the input are gone.
 * Reference: ISO 16684-1 §7 (RDF/XML serialisation), §7.3.2 (xpacket wrapper); XML 1.0 §2.4 and
 * §3.3.3 (escaping in text and attribute values).
 *
 * Every value is written in element form (`<dc:title><rdf:Alt><rdf:li xml:lang=…>`): one shape for
 * every kind of value. Known namespaces get their standard prefix; others `ns1`, `ns2`, …
 */
import type { XmpItem, XmpNode, XmpPacketModel, XmpValue } from './xmp-model.js';
import { knownPrefix, namespaces } from './xmp-namespaces.js';

/** The id every xpacket header carries (ISO 16684-1 §7.3.2). */
const xpacketId = 'W5M0MpCehiHzreSzNTczkc9d';

/** A BCP 47 language tag (RFC 5646 §2.1, loosely) — anything else is not written. */
const languageTag = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

const textEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const needsTextEscape = /[&<>\r]/;

/** One pass, and none for the common text with nothing to escape (a packet may hold tens of thousands of values). */
function escapeText(text: string): string {
  return needsTextEscape.test(text) ? text.replace(/[&<>\r]/g, (character) => textEscapes[character]!) : text;
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#xA;').replace(/\t/g, '&#x9;');
}

class Prefixes {
  private readonly byUri = new Map<string, string>();
  private next = 1;

  of(uri: string): string {
    let prefix = this.byUri.get(uri);
    if (prefix === undefined) {
      prefix = knownPrefix(uri) ?? `ns${this.next++}`;
      this.byUri.set(uri, prefix);
    }
    return prefix;
  }

  declarations(): string {
    return [...this.byUri].filter(([uri]) => uri !== namespaces.rdf).map(([uri, prefix]) => ` xmlns:${prefix}="${escapeAttribute(uri)}"`).join('');
  }
}

/**
 * The packet text. `begin` is the xpacket `begin` value to write: U+FEFF normally; editors that
 * work on latin1 text pass the three characters of the UTF-8 BOM so their bytes come out right.
 */
export function writeXmpPacket(model: XmpPacketModel, begin = '\ufeff'): string {
  const prefixes = new Prefixes();
  // Pieces pushed in order and joined once: a packet may hold tens of thousands of values, and
  // strings built up per element were joined again at every level.
  const body: string[] = [];
  for (const property of model.properties) {
    body.push('  ');
    writeNode(property, prefixes, body);
    body.push('\n');
  }
  return (
    `<?xpacket begin="${begin}" id="${xpacketId}"?>\n` +
    `<x:xmpmeta xmlns:x="${namespaces.x}">\n` +
    `<rdf:RDF xmlns:rdf="${namespaces.rdf}">\n` +
    ` <rdf:Description rdf:about=""${prefixes.declarations()}>\n` +
    body.join('') +
    ` </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>`
  );
}

function langAttribute(lang: string | undefined): string {
  return lang !== undefined && languageTag.test(lang) ? ` xml:lang="${lang}"` : '';
}

function writeNode(node: XmpNode, prefixes: Prefixes, out: string[]): void {
  writeElement(`${prefixes.of(node.name.uri)}:${node.name.local}`, node.value, node.lang, prefixes, out);
}

function writeElement(name: string, value: XmpValue, lang: string | undefined, prefixes: Prefixes, out: string[]): void {
  const attributes = langAttribute(lang);
  switch (value.kind) {
    case 'simple':
      out.push('<', name, attributes, '>', escapeText(value.text), '</', name, '>');
      return;
    case 'uri':
      out.push('<', name, attributes, ' rdf:resource="', escapeAttribute(value.uri), '"/>');
      return;
    case 'struct':
      out.push('<', name, attributes, ' rdf:parseType="Resource">');
      for (const field of value.fields) writeNode(field, prefixes, out);
      out.push('</', name, '>');
      return;
    case 'array':
      out.push('<', name, attributes, '><rdf:', value.form, '>');
      for (const item of value.items as readonly XmpItem[]) writeElement('rdf:li', item.value, item.lang, prefixes, out);
      out.push('</rdf:', value.form, '></', name, '>');
      return;
  }
}
