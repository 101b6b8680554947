import { ConstraintLookAheadInput, type Constraint, type ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import { Problem, ProblemCollector } from '../../protocol/problem.ts';
import { formatUtc, parseInstant } from '../../protocol/time/ukTime.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { attempt, type Locator } from '../../protocol/anmTabular/reading.ts';
import { SETTLEMENT_PERIOD_MS } from '../../protocol/time/settlementPeriod.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './documentLimits.ts';

export const validateLookAheadInput = compileValidator(ConstraintLookAheadInput);

const HOUR_MS = 3_600_000;

/**
 * What a look-ahead costs as CIM: one Point per settlement period of each
 * constraint, and every Point repeats the constraint's resources.
 */
export function lookAheadPoints(constraints: readonly { start: number; end: number; resources: number }[]): number {
  let points = 0;
  for (const { start, end, resources } of constraints) points += Math.ceil(Math.max(0, end - start) / SETTLEMENT_PERIOD_MS) * Math.max(1, resources);
  return points;
}

/** The CIM points of a canonical look-ahead (see `lookAheadPoints`). */
export function pointsOfLookAhead(lookAhead: ConstraintLookAhead): number {
  return lookAheadPoints(lookAhead.constraints.map((c) => ({ start: Date.parse(c.start), end: Date.parse(c.end), resources: c.resources.length })));
}

/**
 * Turns a schema-valid look-ahead into canonical form after checking the
 * rules a schema cannot state, and the budgets: how long one constraint may
 * last and how many CIM points the whole look-ahead may make.
 */
export function normaliseLookAhead(input: ConstraintLookAheadInput, locate: Locator, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): ConstraintLookAhead {
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
    } else if (start !== undefined && end !== undefined && end - start > limits.maxConstraintHours * HOUR_MS) {
      problems.add(
        'anm.constraint-too-long',
        `Constraint ${constraint.constraintId} lasts ${Math.ceil((end - start) / HOUR_MS)} h; at most ${limits.maxConstraintHours} h are accepted`,
        at(`${pointer}/end`),
      );
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
  const points = lookAheadPoints(constraints.map((c) => ({ start: Date.parse(c.start), end: Date.parse(c.end), resources: c.resources.length })));
  if (points > limits.maxPointsPerDocument) {
    throw new Problem(
      'cim.too-many-points',
      `The look-ahead would make ${points} CIM points (settlement periods × resources); at most ${limits.maxPointsPerDocument} are accepted`,
      at('/constraints'),
    );
  }
  return { ...(issuedAt !== undefined ? { issuedAt: formatUtc(issuedAt) } : {}), constraints };
}
