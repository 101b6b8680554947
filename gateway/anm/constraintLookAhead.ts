import { ConstraintLookAheadInput, type Constraint, type ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import { ProblemCollector } from '../../protocol/problem.ts';
import { formatUtc, parseInstant } from '../../protocol/time/ukTime.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { attempt, type Locator } from '../../protocol/anmTabular/reading.ts';

export const validateLookAheadInput = compileValidator(ConstraintLookAheadInput);

/** Turns a schema-valid look-ahead into canonical form after checking the rules a schema cannot state. */
export function normaliseLookAhead(input: ConstraintLookAheadInput, locate: Locator): ConstraintLookAhead {
  const problems = new ProblemCollector();
  const at = (pointer: string) => ({ pointer, ...locate(pointer) });
  const epoch = (value: string | number, pointer: string) => attempt(problems, () => parseInstant(value, at(pointer)));

  const issuedAt = input.issuedAt === undefined ? undefined : epoch(input.issuedAt, '/issuedAt');
  const seen = new Map<string, number>();
  const constraints: Constraint[] = [];
  input.constraints.forEach((constraint, k) => {
    const pointer = `/constraints/${k}`;
    const start = epoch(constraint.start, `${pointer}/start`);
    const end = epoch(constraint.end, `${pointer}/end`);
    if (start !== undefined && end !== undefined && start >= end) {
      problems.add('anm.period-invalid', `Constraint ${constraint.constraintId} ends at or before it starts`, at(`${pointer}/end`));
    }
    if (constraint.size_kW <= 0) {
      problems.add('anm.constraint-size-invalid', `Constraint ${constraint.constraintId} has size ${constraint.size_kW} kW`, at(`${pointer}/size_kW`));
    }
    const key = `${constraint.constraintId}\u0000${start}`;
    const twin = seen.get(key);
    if (twin !== undefined && start !== undefined) {
      problems.add(
        'anm.constraint-duplicate',
        `Constraint ${constraint.constraintId} is already given for this period at constraint ${twin}`,
        at(`${pointer}/constraintId`),
      );
    } else {
      seen.set(key, k);
    }
    const resources = new Map<string, number>();
    constraint.resources.forEach((resource, j) => {
      const first = resources.get(resource.resourceId);
      if (first !== undefined) {
        problems.add(
          'anm.resource-duplicate',
          `Resource ${resource.resourceId} is listed twice under ${constraint.constraintId}`,
          at(`${pointer}/resources/${j}/resourceId`),
        );
      } else {
        resources.set(resource.resourceId, j);
      }
    });
    if (start !== undefined && end !== undefined) {
      constraints.push({ ...constraint, start: formatUtc(start), end: formatUtc(end) });
    }
  });
  problems.throwIfAny();
  return { ...(issuedAt !== undefined ? { issuedAt: formatUtc(issuedAt) } : {}), constraints };
}
