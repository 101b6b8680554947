import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { Problem, type ProblemItem } from './problem.ts';

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });

const MAX_REPORTED = 50;

export type Validator<T> = (value: unknown) => T;

/** Compiles a schema once into a function that returns the typed value or throws `schema.violation`. */
export function compileValidator<S extends TSchema>(schema: S): Validator<Static<S>> {
  const validate = ajv.compile<Static<S>>(schema);
  return (value) => {
    if (validate(value)) return value;
    throw Problem.of(describeErrors(validate.errors ?? []));
  };
}

/** One item per failing location; the alternatives of a union are summed up rather than listed. */
function describeErrors(errors: readonly ErrorObject[]): ProblemItem[] {
  const byPointer = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const pointer = pointerOf(error);
    byPointer.set(pointer, [...(byPointer.get(pointer) ?? []), error]);
  }
  const items: ProblemItem[] = [];
  for (const [pointer, group] of byPointer) {
    const union = group.find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    const chosen = union ?? group[0]!;
    const detail = union
      ? `${pointer || 'document'} is not any of the allowed forms (${describeSchema(union.parentSchema)})`
      : `${pointer || 'document'} ${chosen.message ?? 'is invalid'}${allowed(chosen)}`;
    items.push({ code: 'schema.violation', pointer, detail });
    if (items.length >= MAX_REPORTED) break;
  }
  return items;
}

function pointerOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  return child === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(child)}`;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function allowed(error: ErrorObject): string {
  const params = error.params as { allowedValues?: unknown[] };
  return params.allowedValues ? `: ${params.allowedValues.join(', ')}` : '';
}

function describeSchema(schema: unknown): string {
  const description = (schema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' ? description : 'see the schema';
}
