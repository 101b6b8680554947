import type { Constraint } from '../../schemas/anm/constraintLookAhead.ts';

/** Whether the constraint's period contains [start, end). */
export function coversPeriod(constraint: Constraint, start: number, end: number): boolean {
  return Date.parse(constraint.start) <= start && end <= Date.parse(constraint.end);
}

// Look-aheads are read-only once decoded, so each constraint's set is built once.
const behindSets = new WeakMap<Constraint, ReadonlySet<string>>();

export function resourcesBehind(constraint: Constraint): ReadonlySet<string> {
  let set = behindSets.get(constraint);
  if (!set) {
    set = new Set(constraint.resources.map((r) => r.resourceId));
    behindSets.set(constraint, set);
  }
  return set;
}

export const isBehind = (constraint: Constraint, resourceId: string) => resourcesBehind(constraint).has(resourceId);
