import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export interface ModelError {
  /** JSON pointer into the model. */
  readonly pointer: string;
  readonly message: string;
}

export type ModelCheck<T> = (value: unknown) => { ok: true; value: T } | { ok: false; errors: ModelError[] };

// The ANM schemas use plain JSON Schema `enum`s (TypeBox `Unsafe`), which ajv checks and TypeBox's own checker cannot.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();
const MAX_ERRORS = 50;

/** Compiles a model schema once into a check that narrows an unknown value or lists what is wrong. */
export function modelCheck<S extends TSchema>(schema: S): ModelCheck<Static<S>> {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const check = validate as ValidateFunction<Static<S>>;
  return (value) => (check(value) ? { ok: true, value } : { ok: false, errors: (check.errors ?? []).slice(0, MAX_ERRORS).map(describe) });
}

function describe(error: ErrorObject): ModelError {
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  const child = params.missingProperty ?? params.additionalProperty;
  const pointer = child === undefined ? error.instancePath : `${error.instancePath}/${child}`;
  const allowed = params.allowedValues ? `: ${params.allowedValues.join(', ')}` : '';
  return { pointer, message: `${pointer || 'document'} ${error.message ?? 'is invalid'}${allowed}` };
}
