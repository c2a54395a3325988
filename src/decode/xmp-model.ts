/**
 * An XMP packet read in full by a real XML parser into the XMP data model: properties named by
 * namespace URI and local name (never by prefix text), each a simple value, a URI, an array
 * (rdf:Bag/Seq/Alt of items) or a struct of fields, with xml:lang qualifiers.
 * References: ISO 16684-1 (XMP Part 1) §6 (data model) and §7 (RDF/XML serialisation: §7.5
 * rdf:Description attributes and elements, §7.6 rdf:parseType="Resource", §7.7 arrays, §7.8
 * qualifiers); XML 1.0 and Namespaces in XML 1.0 (well-formedness, which saxes enforces).
 *
 * Why saxes: it is namespace-aware (so `exif:GPSLatitude` is found whatever the prefix is spelled,
 * non-ASCII letters included), streaming and non-recursive (a hostile nesting depth cannot exhaust
 * the stack), strict (it rejects what is not well-formed XML instead of guessing, so no reader sees
 * more than we do), has no dependencies, never expands external entities or a DTD, and is linear
 * in the input. It is also slow per character (about 60 ns), so a cheap screening pass below
 * rejects in native string searches the shapes that only hostile packets have (unterminated or
 * repeated processing instructions, unterminated comments, DTD declarations) before it runs.
 *
 * A packet is all or nothing: `parseXmp` returns the whole model, or a reason it could not read
 * every part. Nothing is skipped silently.
 */
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { TracelessError } from '../errors.js';
import { limits } from '../limits.js';
import { unreadableMarker } from './xmp-encoding.js';
import { namespaces } from './xmp-namespaces.js';

export interface XmpName {
  uri: string;
  local: string;
  /** The prefix as the packet wrote it (for display only: identity is uri + local). */
  prefix: string;
}

export type XmpValue =
  | { kind: 'simple'; text: string }
  | { kind: 'uri'; uri: string }
  | { kind: 'array'; form: 'Bag' | 'Seq' | 'Alt'; items: XmpItem[] }
  | { kind: 'struct'; fields: XmpNode[] };

export interface XmpItem {
  value: XmpValue;
  lang?: string;
}

/** A property (top level) or a struct field. */
export interface XmpNode {
  name: XmpName;
  value: XmpValue;
  lang?: string;
}

export interface XmpPacketModel {
  properties: XmpNode[];
  /** The `begin` attribute of the xpacket wrapper, when there was one. */
  begin?: string;
}

export type XmpParse = { ok: true; model: XmpPacketModel } | { ok: false; reason: string };

const rdf = namespaces.rdf;
const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';
const xmlnsNamespace = 'http://www.w3.org/2000/xmlns/';
const metaNamespace = 'adobe:ns:meta/';

/** A packet holds the xpacket header and trailer and perhaps an XML declaration: more is hostile. */
const maxProcessingInstructions = 8;
/** `<?xpacket begin="…" id="W5M0MpCehiHzreSzNTczkc9d"?>` is 53 characters; room for variants. */
const maxProcessingInstructionChars = 512;

/** Comments in XMP are rare and short; a longer one is taken for hostile and the packet refused. */
const maxCommentChars = 64 * 1024;

/**
 * Where `pattern` (a global regex) next matches at or after `from` and at most `window` characters
 * on, or -1. The window keeps a search for a terminator that never comes from reading the rest.
 */
function find(text: string, pattern: RegExp, from: number, window = Infinity): number {
  pattern.lastIndex = from;
  const haystack = window === Infinity ? text : text.slice(0, from + window);
  return pattern.exec(haystack)?.index ?? -1;
}

/**
 * Rejects, in one pass of native regex searches, what a packet never needs and a hostile one uses
 * to make a character-by-character parser crawl: DTDs (entity expansion), unterminated, long or
 * many processing instructions, unterminated comments and CDATA sections. Returns the reason, or
 * undefined. Every search starts after the previous construct, so the packet is scanned once.
 * (Regex searches: `indexOf` and character loops are several times slower on text dense with `<`.)
 */
function screen(text: string): string | undefined {
  const construct = /<[?!]/g;
  const terminators = { pi: /\?>/g, comment: /-->/g, cdata: /\]\]>/g };
  let instructions = 0;
  for (let at = find(text, construct, 0); at !== -1; ) {
    let end: number;
    if (text.charCodeAt(at + 1) === 0x3f) {
      if (++instructions > maxProcessingInstructions) return `more than ${maxProcessingInstructions} processing instructions`;
      end = find(text, terminators.pi, at + 2, maxProcessingInstructionChars);
      if (end === -1) return `a processing instruction not terminated within ${maxProcessingInstructionChars} characters`;
    } else if (text.startsWith('<!--', at)) {
      end = find(text, terminators.comment, at + 4, maxCommentChars);
      if (end === -1) return `an XML comment not terminated within ${maxCommentChars} characters`;
    } else if (text.startsWith('<![CDATA[', at)) {
      end = find(text, terminators.cdata, at + 9);
      if (end === -1) return 'a CDATA section is not terminated';
    } else {
      return 'the packet declares a DTD or entities, which XMP does not allow';
    }
    at = find(text, construct, end + 2);
  }
  return undefined;
}

/** The text without NUL padding at its end (a loop: a `/\0+$/` regex retries at every position). */
function withoutTrailingNuls(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Errors saxes may report before parsing stops (see the error handler). */
const maxErrorsBeforeStopping = 100;

type Frame =
  | { kind: 'meta' }
  | { kind: 'rdf' }
  /** rdf:Description: its attributes and child elements are properties (or struct fields). */
  | { kind: 'description'; into: XmpNode[] }
  /** A property element, a struct field element or an rdf:li: holds one value. */
  | { kind: 'value'; name: XmpName; lang?: string; text: string; resource?: string; parseResource: boolean; fields: XmpNode[]; child?: XmpValue; into: (value: XmpValue, lang?: string) => void }
  | { kind: 'array'; form: 'Bag' | 'Seq' | 'Alt'; items: XmpItem[]; into: (value: XmpValue) => void }
  /** Inside an unreadable part: only counted, to keep the nesting limit. */
  | { kind: 'skip' };

class Unreadable extends Error {}

const isSpace = (text: string) => /^[ \t\r\n]*$/.test(text);

/**
 * The last few parses, by the exact packet text. A clean reads one packet several times (the
 * gain-map check of the plan, the inspection of the input for the residue check, the location
 * edit) and each parse is a full XML pass; the result is a pure function of the text, and it is
 * frozen, so a caller that tried to change a shared model would throw instead of corrupting it.
 */
const recentParses = new Map<string, XmpParse>();
const maxRecentParses = 4;
/**
 * Longer packets (Extended XMP can be megabytes) are kept too, a few at a time and up to
 * `maxLargeCacheChars` in all — the input's and each cleaned output's, which a clean and its checks
 * read in turns: a sidecar of megabytes (~250 ms a parse) is not parsed for every reader again,
 * and memory stays bounded (a packet larger than that is parsed each time).
 */
const maxCachedPacketChars = 256 * 1024;
const recentLargeParses = new Map<string, XmpParse>();
const maxRecentLargeParses = 3;
const maxLargeCacheChars = 8 * 1024 * 1024;

/** Reads the whole packet, or says why it cannot. Throws only LIMIT_EXCEEDED (nesting depth). */
export function parseXmp(input: string): XmpParse {
  if (input.length > maxLargeCacheChars) return parseUncached(input);
  if (input.length > maxCachedPacketChars) return remembered(recentLargeParses, maxRecentLargeParses, input, maxLargeCacheChars);
  return remembered(recentParses, maxRecentParses, input, Infinity);
}

/** The parse of `input` from `cache`, or a new one kept there (the oldest entries make room). */
function remembered(cache: Map<string, XmpParse>, size: number, input: string, maxChars: number): XmpParse {
  const cached = cache.get(input);
  if (cached) return cached;
  const parsed = deepFreeze(parseUncached(input));
  let chars = input.length;
  for (const key of cache.keys()) chars += key.length;
  for (const key of cache.keys()) {
    if (cache.size < size && chars <= maxChars) break;
    cache.delete(key);
    chars -= key.length;
  }
  cache.set(input, parsed);
  return parsed;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

function parseUncached(input: string): XmpParse {
  if (input.startsWith(unreadableMarker)) return { ok: false, reason: input.slice(unreadableMarker.length) };
  // NUL padding after the packet (TIFF and PNG writers leave it) carries nothing; a NUL anywhere
  // else makes the XML ill-formed and the packet unreadable.
  const text = withoutTrailingNuls(input.startsWith('\ufeff') ? input.slice(1) : input);
  if (isSpace(text)) return { ok: true, model: { properties: [] } };
  const rejected = screen(text);
  if (rejected) return { ok: false, reason: rejected };

  const model: XmpPacketModel = { properties: [] };
  const stack: Frame[] = [];
  let problem: string | undefined;
  let sawRoot = false;
  const fail = (reason: string) => {
    problem ??= reason;
  };

  const parser = new SaxesParser({ xmlns: true, position: false });
  // The first error makes the packet unreadable; parsing goes on for a few more only so that a
  // nesting deeper than the limit is still refused as such (LIMIT_EXCEEDED) wherever it starts.
  let errors = 0;
  parser.on('error', (error) => {
    fail(`not well-formed XML: ${error.message}`);
    if (++errors >= maxErrorsBeforeStopping) throw new Unreadable(error.message);
  });
  parser.on('doctype', () => {
    throw new Unreadable('a DTD is not allowed in XMP');
  });
  parser.on('processinginstruction', ({ target, body }) => {
    if (target !== 'xpacket') return; // other instructions carry nothing we keep
    const begin = /\bbegin\s*=\s*(["'])(.*?)\1/s.exec(body);
    if (begin) {
      // §7.3.2: the value is U+FEFF in the packet's own encoding, or empty (UTF-8). Bytes read
      // through latin1 (same-length editors) show the UTF-8 BOM as three characters.
      if (!['', '\ufeff', '\u00ef\u00bb\u00bf'].includes(begin[2]!)) throw new Unreadable('the xpacket "begin" attribute does not match the packet encoding');
      model.begin = begin[2]!;
    }
  });
  parser.on('text', (chunk) => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'value') top.text += chunk;
    else if (top && top.kind !== 'skip' && !isSpace(chunk)) fail('text where XMP has none');
  });
  parser.on('cdata', (chunk) => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'value') top.text += chunk;
    else if (top && top.kind !== 'skip' && !isSpace(chunk)) fail('text where XMP has none');
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= limits.maxXmpDepth) throw new TracelessError('LIMIT_EXCEEDED', `XMP elements nested deeper than ${limits.maxXmpDepth} levels`);
    const parent = stack[stack.length - 1];
    if (problem !== undefined || parent?.kind === 'skip') {
      stack.push({ kind: 'skip' });
      return;
    }
    const frame = open(tag as SaxesTagNS, parent);
    if (!parent) sawRoot = true;
    stack.push(frame ?? { kind: 'skip' });
  });
  parser.on('closetag', () => {
    const frame = stack.pop();
    if (frame && problem === undefined) close(frame);
  });

  /** The frame for a new element under `parent`, or undefined (after `fail`) when XMP has no such shape. */
  function open(tag: SaxesTagNS, parent: Frame | undefined): Frame | undefined {
    const uri = tag.uri;
    const local = tag.local;
    if (!parent) {
      if (uri === metaNamespace && (local === 'xmpmeta' || local === 'xapmeta')) return checkOnly(tag, { kind: 'meta' });
      if (uri === rdf && local === 'RDF') return checkOnly(tag, { kind: 'rdf' });
      fail(`the root element ${tag.name} is not x:xmpmeta or rdf:RDF`);
      return undefined;
    }
    switch (parent.kind) {
      case 'meta':
        if (uri === rdf && local === 'RDF') return checkOnly(tag, { kind: 'rdf' });
        fail(`${tag.name} inside x:xmpmeta`);
        return undefined;
      case 'rdf':
        if (uri === rdf && local === 'Description') return description(tag, model.properties);
        fail(`${tag.name} inside rdf:RDF (only rdf:Description is XMP)`);
        return undefined;
      case 'description':
        if (uri === rdf) {
          fail(`${tag.name} where a property belongs (rdf: names are syntax, not properties)`);
          return undefined;
        }
        return valueElement(tag, (value, lang) => parent.into.push(node(tag, value, lang)));
      case 'array':
        if (uri === rdf && local === 'li') return valueElement(tag, (value, lang) => parent.items.push(lang === undefined ? { value } : { value, lang }));
        fail(`${tag.name} inside an rdf:${parent.form} (only rdf:li)`);
        return undefined;
      case 'value': {
        if (parent.parseResource) return valueElement(tag, (value, lang) => parent.fields.push(node(tag, value, lang)));
        if (parent.child !== undefined || parent.resource !== undefined || parent.fields.length > 0) {
          fail(`${parent.name.prefix}:${parent.name.local} has more than one value`);
          return undefined;
        }
        if (uri === rdf && (local === 'Bag' || local === 'Seq' || local === 'Alt')) {
          const form = local;
          const frame: Frame = { kind: 'array', form, items: [], into: (value) => (parent.child = value) };
          return checkOnly(tag, frame);
        }
        if (uri === rdf && local === 'Description') {
          const fields: XmpNode[] = [];
          parent.child = { kind: 'struct', fields };
          return description(tag, fields);
        }
        fail(`${tag.name} as the value of ${parent.name.prefix}:${parent.name.local} (a typed node, which XMP does not use)`);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * x:xmpmeta, rdf:RDF and the array elements take no attributes besides namespace declarations and
   * x:xmptk (the writer's toolkit name, dropped on rebuild). A property hidden in one of them is
   * read by some tools: the packet cannot be read one way only, so it is unreadable.
   */
  function checkOnly(tag: SaxesTagNS, frame: Frame): Frame | undefined {
    for (const attribute of attributesOf(tag)) {
      if (attribute.uri === xmlnsNamespace || attribute.name === 'xmlns' || attribute.uri === metaNamespace || attribute.uri === xmlNamespace) continue;
      // Unqualified attributes are not XMP properties (Samsung writes `xmptk=""` unprefixed).
      if (attribute.uri === '') continue;
      fail(`the attribute ${attribute.name} on ${tag.name}`);
      return undefined;
    }
    return frame;
  }

  function description(tag: SaxesTagNS, into: XmpNode[]): Frame | undefined {
    for (const attribute of attributesOf(tag)) {
      if (isSyntaxAttribute(attribute)) {
        if (attribute.uri === rdf && attribute.local === 'parseType') {
          fail('rdf:parseType on rdf:Description');
          return undefined;
        }
        continue;
      }
      into.push(node(attribute, { kind: 'simple', text: attribute.value }));
    }
    return { kind: 'description', into };
  }

  function valueElement(tag: SaxesTagNS, into: (value: XmpValue, lang?: string) => void): Frame | undefined {
    if (!tag.uri) {
      fail(`the element ${tag.name} has no namespace`);
      return undefined;
    }
    const frame: Frame = { kind: 'value', name: nameOf(tag), text: '', parseResource: false, fields: [], into };
    for (const attribute of attributesOf(tag)) {
      if (attribute.uri === xmlNamespace && attribute.local === 'lang') {
        frame.lang = attribute.value;
        continue;
      }
      if (attribute.uri === rdf && attribute.local === 'parseType') {
        if (attribute.value !== 'Resource') {
          fail(`rdf:parseType="${attribute.value}" (only "Resource" is XMP)`);
          return undefined;
        }
        frame.parseResource = true;
        continue;
      }
      if (attribute.uri === rdf && attribute.local === 'resource') {
        frame.resource = attribute.value;
        continue;
      }
      if (isSyntaxAttribute(attribute)) continue;
      // Other attributes on a property element are the fields of a struct written in short form.
      frame.fields.push(node(attribute, { kind: 'simple', text: attribute.value }));
    }
    if (frame.resource !== undefined && (frame.parseResource || frame.fields.length > 0)) {
      fail(`${tag.name} has rdf:resource and other content`);
      return undefined;
    }
    return frame;
  }

  function close(frame: Frame): void {
    switch (frame.kind) {
      case 'array':
        frame.into({ kind: 'array', form: frame.form, items: frame.items });
        return;
      case 'value': {
        const hasText = !isSpace(frame.text);
        let value: XmpValue;
        if (frame.parseResource || frame.fields.length > 0) {
          if (hasText || frame.child !== undefined) return fail(`${frame.name.prefix}:${frame.name.local} mixes text and fields`);
          value = { kind: 'struct', fields: frame.fields };
        } else if (frame.child !== undefined) {
          if (hasText) return fail(`${frame.name.prefix}:${frame.name.local} mixes text and elements`);
          value = frame.child;
        } else if (frame.resource !== undefined) {
          if (hasText) return fail(`${frame.name.prefix}:${frame.name.local} has rdf:resource and text`);
          value = { kind: 'uri', uri: frame.resource };
        } else {
          value = { kind: 'simple', text: frame.text };
        }
        frame.into(value, frame.lang);
        return;
      }
      default:
        return;
    }
  }

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof TracelessError) throw error;
    if (error instanceof Unreadable) return { ok: false, reason: problem ?? `not well-formed XML: ${error.message}` };
    // saxes reports every problem through the error handler above; anything else is its bug or
    // ours, and still means the packet was not read in full.
    return { ok: false, reason: `XML parser stopped: ${(error as Error).message}` };
  }
  if (problem !== undefined) return { ok: false, reason: problem };
  if (!sawRoot) return { ok: false, reason: 'no XMP root element' };
  return { ok: true, model };
}

/** rdf:about/ID/nodeID/datatype and friends, xml:*, xmlns: syntax, not properties. */
function isSyntaxAttribute(attribute: SaxesAttributeNS): boolean {
  if (attribute.uri === xmlnsNamespace || attribute.name === 'xmlns') return true;
  if (attribute.uri === xmlNamespace) return true;
  if (attribute.uri === rdf && attribute.local !== 'value' && attribute.local !== 'type') return true;
  // Unqualified attributes (old `about=""`) are not XMP properties; they are dropped on rebuild.
  return attribute.uri === '';
}

function attributesOf(tag: SaxesTagNS): SaxesAttributeNS[] {
  return Object.values(tag.attributes);
}

function nameOf(item: { uri?: string; local?: string; prefix?: string }): XmpName {
  return { uri: item.uri ?? '', local: item.local ?? '', prefix: item.prefix ?? '' };
}

function node(item: { uri?: string; local?: string; prefix?: string }, value: XmpValue, lang?: string): XmpNode {
  const result: XmpNode = { name: nameOf(item), value };
  if (lang !== undefined) result.lang = lang;
  return result;
}
