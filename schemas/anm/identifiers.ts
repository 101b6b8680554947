import { Type, type TString, type TUnsafe } from '@sinclair/typebox';

/**
 * The identifier alphabet, defined once for every input path (JSON, the
 * ANM's tables, CIM) is every Unicode character except controls (C0, DEL, C1),
 * lone surrogates and the non-characters U+FFFE and U+FFFF, with no
 * whitespace at either end (so never only whitespace). Such an id renders
 * unchanged in TSV (cells are trimmed), in XML and in JSON.
 */
const CHARACTER = '[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff\\ufffe\\uffff]';
const EDGE = '[^\\s\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff\\ufffe\\uffff]';
export const IDENTIFIER_PATTERN = `^${EDGE}(?:${CHARACTER}*${EDGE})?$`;

const identifierExpression = new RegExp(IDENTIFIER_PATTERN, 'u');

/** Whether a text is in the identifier alphabet (length is checked by the schema that uses it). */
export const isIdentifierText = (text: string): boolean => identifierExpression.test(text);

/** A string of the identifier alphabet, 1 to `maxLength` characters. */
export const identifierString = (maxLength: number, description?: string): TString =>
  Type.String({ minLength: 1, maxLength, pattern: IDENTIFIER_PATTERN, ...(description ? { description } : {}) });

/** Contract and resource ids travel into CIM documents as mRIDs, which may be at most 60 characters. */
export const AnmIdentifier = identifierString(60);

export const DisplayName = identifierString(200);

/** Whole kilowatts; the unit is in the field name (`_kW`), never implied. */
export function kilowatts(description: string) {
  return Type.Integer({ minimum: -2_000_000_000, maximum: 2_000_000_000, description });
}

/** A whole number that JSON carries exactly (at most 2^53 − 1). */
export const exactInteger = (minimum: number, description?: string) =>
  Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) });

/** A closed list of codes, as a plain JSON Schema `enum` (clearer errors than a union of constants). */
export function codeList<const T extends readonly string[]>(codes: T, description?: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...codes], ...(description ? { description } : {}) });
}
