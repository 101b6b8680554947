import type { ProblemCode } from '../../schemas/problems.ts';
import type { ProblemItem } from '../../protocol/problem.ts';

/** The part of an ajv error the VTN reads (openapi-backend reports ajv's errors). */
export interface ValidationError {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: unknown;
}

/** Most violations listed in one refusal; `detail` says how many more there were. */
export const MAX_VIOLATIONS = 50;

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Where a violation is, as a JSON pointer: into the body (openapi-backend's
 * `/requestBody` prefix taken off), or into the parameters it validated
 * (`/query/limit`, `/path/eventID`); a missing or unexpected member is
 * named in the pointer itself.
 */
function pointerOf(error: ValidationError): string {
  const params = (error.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  const base = error.instancePath.startsWith('/requestBody') ? error.instancePath.slice('/requestBody'.length) : error.instancePath;
  return child === undefined ? base : `${base}/${escapePointer(child)}`;
}

const UNION_KEYWORDS = new Set(['anyOf', 'oneOf']);

/**
 * Every violation ajv found (it runs with `allErrors`), one item per place
 * and message, each with its pointer: the alternatives of a union (a VEN or
 * business-logic registration) are reported by what each branch lacks, and
 * the union's own summary only when nothing more precise was found. At most
 * MAX_VIOLATIONS items; the count beyond is in the last one.
 */
export function requestViolations(errors: readonly ValidationError[], code: ProblemCode): ProblemItem[] {
  const precise = errors.filter((e) => !UNION_KEYWORDS.has(e.keyword));
  const chosen = precise.length > 0 ? precise : errors;
  const allowed = new Map<string, Set<unknown>>();
  const items = new Map<string, ProblemItem>();
  for (const error of chosen) {
    const pointer = pointerOf(error);
    const values = (error.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
    if (values) {
      const known = allowed.get(pointer) ?? new Set();
      values.forEach((v) => known.add(v));
      allowed.set(pointer, known);
      items.set(`${pointer} enum`, { code, pointer, detail: `${pointer || 'body'} must be one of ${[...known].map(String).join(', ')}` });
      continue;
    }
    const detail = `${pointer || 'body'} ${error.message ?? 'is invalid'}`;
    items.set(`${pointer} ${detail}`, { code, pointer, detail });
  }
  const all = [...items.values()];
  if (all.length <= MAX_VIOLATIONS) return all;
  const listed = all.slice(0, MAX_VIOLATIONS);
  const last = listed[MAX_VIOLATIONS - 1]!;
  listed[MAX_VIOLATIONS - 1] = { ...last, detail: `${last.detail} (${all.length - MAX_VIOLATIONS} further violations not listed)` };
  return listed;
}
