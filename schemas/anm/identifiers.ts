import { Type, type TUnsafe } from '@sinclair/typebox';

/**
 * Contract and resource ids travel into CIM documents as mRIDs, which may be
 * at most 60 characters; control characters would corrupt the tabular forms.
 */
export const AnmIdentifier = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

export const DisplayName = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

/** Whole kilowatts; the unit is in the field name (`_kW`), never implied. */
export function kilowatts(description: string) {
  return Type.Integer({ minimum: -2_000_000_000, maximum: 2_000_000_000, description });
}

/** A closed list of codes, as a plain JSON Schema `enum` (clearer errors than a union of constants). */
export function codeList<const T extends readonly string[]>(codes: T, description?: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...codes], ...(description ? { description } : {}) });
}
