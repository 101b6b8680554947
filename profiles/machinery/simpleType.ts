/** The XSD built-in types a profile's simple types restrict. */
export type XsdBase = 'xs:string' | 'xs:token' | 'xs:integer' | 'xs:decimal' | 'xs:dateTime' | 'xs:duration';

/** One value of a code list, with the title the docs page shows. */
export interface CodeValue {
  readonly code: string;
  readonly title: string;
}

/**
 * A simple type of a profile XSD. The same facets are written into the XSD
 * and checked again by the parser, so a document validated only against the
 * official XSD still meets the profile.
 */
export interface SimpleType {
  readonly name: string;
  readonly base: XsdBase;
  readonly description: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** XSD regular expression; written with [0-9] rather than \d so it means the same in JavaScript. */
  readonly pattern?: string;
  readonly minInclusive?: number;
  readonly maxInclusive?: number;
  readonly codes?: readonly CodeValue[];
}

export function simpleType(type: SimpleType): SimpleType {
  return type;
}

/**
 * A code list type. ESMP code lists are NMTOKENs (whitespace collapsed), so
 * `xs:token` by default; identifiers fixed by the profile keep `xs:string`,
 * as the official id types do.
 */
export function codeType(name: string, description: string, codes: readonly CodeValue[], base: XsdBase = 'xs:token'): SimpleType {
  return { name, base, description, codes };
}

/** The code of a single-valued code list, which the builder always writes. */
export function onlyCode(type: SimpleType): string {
  const [only, ...more] = type.codes ?? [];
  if (!only || more.length > 0) throw new Error(`${type.name} is not a single-valued code list`);
  return only.code;
}

// XSD whitespace facets: strings keep every character, the other bases collapse.
const COLLAPSING: ReadonlySet<XsdBase> = new Set(['xs:token', 'xs:integer', 'xs:decimal', 'xs:dateTime', 'xs:duration']);

/** The text as XSD sees it once the base type's whitespace rule has been applied. */
export function lexicalForm(type: SimpleType, raw: string): string {
  return COLLAPSING.has(type.base) ? raw.replace(/[ \t\n\r]+/g, ' ').trim() : raw;
}

const compiledPatterns = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
  let compiled = compiledPatterns.get(source);
  if (!compiled) {
    compiled = new RegExp(`^(?:${source})$`, 'u');
    compiledPatterns.set(source, compiled);
  }
  return compiled;
}

/** Characters as XSD counts them: code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

/** Why a lexical value is not in the type, or undefined when it is. */
export function facetViolation(type: SimpleType, value: string): string | undefined {
  if (type.codes && !type.codes.some((c) => c.code === value)) {
    return `"${shorten(value)}" is not one of ${type.codes.map((c) => c.code).join(', ')}`;
  }
  if (type.minLength !== undefined || type.maxLength !== undefined) {
    const length = codePointLength(value);
    if (type.minLength !== undefined && length < type.minLength) return `must have at least ${type.minLength} characters`;
    if (type.maxLength !== undefined && length > type.maxLength) return `has ${length} characters; at most ${type.maxLength} are allowed`;
  }
  if (type.pattern !== undefined && !patternOf(type.pattern).test(value)) {
    return `"${shorten(value)}" is not a valid ${type.name} (${type.description})`;
  }
  if (type.base === 'xs:integer' || type.base === 'xs:decimal') {
    const number = Number(value);
    if (value === '' || !Number.isFinite(number)) return `"${shorten(value)}" is not a number`;
    if (type.minInclusive !== undefined && number < type.minInclusive) return `${value} is below the minimum ${type.minInclusive}`;
    if (type.maxInclusive !== undefined && number > type.maxInclusive) return `${value} is above the maximum ${type.maxInclusive}`;
  }
  return undefined;
}

function shorten(value: string): string {
  return value.length > 64 ? `${value.slice(0, 61)}...` : value;
}
