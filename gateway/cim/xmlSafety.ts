import { Problem } from '../../protocol/problem.ts';
import { DEFAULT_BUDGETS, type Budgets } from '../budgets.ts';

export interface XmlLimits {
  /** Largest document accepted, in bytes. */
  maxBytes: number;
  /** Deepest element nesting accepted (flexgate's documents nest 9 deep). */
  maxDepth: number;
  /** Most elements in one document. */
  maxElements: number;
  /** Most attributes (namespace declarations included) in one document. */
  maxAttributes: number;
  /** Longest run of text between tags, attribute value or CDATA section, in bytes. */
  maxTextLength: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: DEFAULT_BUDGETS.maxBodyBytes,
  maxDepth: DEFAULT_BUDGETS.maxXmlDepth,
  maxElements: DEFAULT_BUDGETS.maxXmlElements,
  maxAttributes: DEFAULT_BUDGETS.maxXmlAttributes,
  maxTextLength: DEFAULT_BUDGETS.maxTextLength,
};

/** The XML limits of a deployment's budgets. */
export function xmlLimitsOf(budgets: Pick<Budgets, 'maxBodyBytes' | 'maxXmlDepth' | 'maxXmlElements' | 'maxXmlAttributes' | 'maxTextLength'>): XmlLimits {
  return {
    maxBytes: budgets.maxBodyBytes,
    maxDepth: budgets.maxXmlDepth,
    maxElements: budgets.maxXmlElements,
    maxAttributes: budgets.maxXmlAttributes,
    maxTextLength: budgets.maxTextLength,
  };
}

/** The document's root element as written: enough to pick a profile without parsing. */
export interface RootElement {
  readonly localName: string;
  readonly namespace: string | undefined;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
// How much of a DOCTYPE is read to say why it is refused.
const DOCTYPE_PEEK = 64 * 1024;

function startsWith(bytes: Buffer, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Names the kind of markup declaration found, so each attack gets its own refusal. */
function refuseDeclaration(bytes: Buffer, at: number): never {
  const text = bytes.toString('latin1', at, Math.min(bytes.length, at + DOCTYPE_PEEK));
  const entities = text.match(/<!ENTITY[^>]*>/gi) ?? [];
  const externalSubset = /^<!DOCTYPE[^[>]*\b(SYSTEM|PUBLIC)\b/i.test(text);
  if (externalSubset || entities.some((declaration) => /\b(SYSTEM|PUBLIC)\b/.test(declaration))) {
    throw new Problem('xml.external-entity-forbidden', 'The document declares an external entity or DTD; flexgate never loads external resources from XML');
  }
  if (entities.length > 0) {
    throw new Problem(
      'xml.entity-forbidden',
      `The document declares ${entities.length} entit${entities.length === 1 ? 'y' : 'ies'}; entity declarations are refused before parsing`,
    );
  }
  throw new Problem('xml.doctype-forbidden', 'The document contains a DOCTYPE or other markup declaration; CIM documents need none');
}

function checkDeclaration(bytes: Buffer, start: number, end: number): void {
  const declaration = bytes.toString('latin1', start, end);
  const encoding = /\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(declaration);
  const name = encoding?.[1] ?? encoding?.[2];
  if (name !== undefined && !/^utf-?8$/i.test(name)) throw new Problem('xml.encoding-unsupported', `The document declares encoding ${name}; send UTF-8`);
}

function rootElement(tag: string): RootElement {
  const name = /^<([^\s/>]+)/.exec(tag)?.[1] ?? '';
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? undefined : name.slice(0, colon);
  const declarations = new Map<string, string>();
  for (const match of tag.matchAll(/\s(xmlns(?::[^\s=]+)?)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) declarations.set(match[1]!, match[2] ?? match[3] ?? '');
  return { localName: colon < 0 ? name : name.slice(colon + 1), namespace: declarations.get(prefix === undefined ? 'xmlns' : `xmlns:${prefix}`) };
}

/**
 * Checks raw bytes before any parser sees them: size, then in one pass over
 * the markup, no DOCTYPE or entity declaration (XXE, billion laughs), no
 * nesting deeper than the limit, and no more elements, attributes or longer
 * texts than the budgets allow. Text between tags is skipped natively, so
 * the pass is linear and stops at the first refusal. Returns the root
 * element as written. Well-formedness proper is left to the parser.
 */
export function checkXmlSafety(body: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS): RootElement {
  if (body.length > limits.maxBytes) {
    throw new Problem('xml.too-large', `The document has ${body.length} bytes; at most ${limits.maxBytes} are accepted`);
  }
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new Problem('xml.encoding-unsupported', 'The document is UTF-16; send UTF-8');
  }
  let root: RootElement | undefined;
  let depth = 0;
  let elements = 0;
  let attributes = 0;
  let at = 0;
  const tooLong = (length: number, what: string) => {
    if (length > limits.maxTextLength) throw new Problem('xml.text-too-long', `${what} has ${length} bytes; at most ${limits.maxTextLength} are accepted`);
  };
  for (;;) {
    const open = bytes.indexOf(LT, at);
    if (open < 0) break;
    tooLong(open - at, 'A text');
    const next = bytes[open + 1];
    if (next === QUESTION) {
      const close = bytes.indexOf('?>', open + 2);
      if (close < 0) break;
      if (startsWith(bytes, open, '<?xml') && root === undefined) checkDeclaration(bytes, open, close);
      at = close + 2;
    } else if (next === BANG) {
      if (startsWith(bytes, open, '<!--')) {
        const close = bytes.indexOf('-->', open + 4);
        if (close < 0) break;
        at = close + 3;
      } else if (startsWith(bytes, open, '<![CDATA[')) {
        const close = bytes.indexOf(']]>', open + 9);
        if (close < 0) break;
        tooLong(close - open - 9, 'A CDATA section');
        at = close + 3;
      } else {
        refuseDeclaration(bytes, open);
      }
    } else if (next === SLASH) {
      depth--;
      const close = bytes.indexOf(GT, open);
      if (close < 0) break;
      at = close + 1;
    } else {
      let close = open + 1;
      let quote = 0;
      let quoteStart = 0;
      for (; close < bytes.length; close++) {
        const byte = bytes[close];
        if (quote !== 0) {
          if (byte === quote) {
            quote = 0;
            tooLong(close - quoteStart - 1, 'An attribute value');
          }
        } else if (byte === DOUBLE_QUOTE || byte === SINGLE_QUOTE) {
          quote = byte;
          quoteStart = close;
          // Every attribute has exactly one quoted value.
          if (++attributes > limits.maxAttributes)
            throw new Problem('xml.too-many-attributes', `The document has more than ${limits.maxAttributes} attributes`);
        } else if (byte === GT) {
          break;
        }
      }
      if (close >= bytes.length) break;
      if (++elements > limits.maxElements) throw new Problem('xml.too-many-elements', `The document has more than ${limits.maxElements} elements`);
      root ??= rootElement(bytes.toString('utf8', open, close + 1));
      if (depth + 1 > limits.maxDepth) throw new Problem('xml.too-deep', `Elements nest deeper than ${limits.maxDepth} levels`);
      if (bytes[close - 1] !== SLASH) depth++;
      at = close + 1;
    }
  }
  if (!root) throw new Problem('xml.malformed', 'The body has no root element');
  return root;
}
