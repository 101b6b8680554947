import type { ProblemLocation } from '../../schemas/problems.ts';
import { Problem, ProblemCollector } from '../problem.ts';

/** A document read from a table, with where each JSON pointer came from in the file. */
export interface TabularReading<T> {
  input: T;
  locate: Locator;
}

export type Locator = (pointer: string) => ProblemLocation | undefined;

/** Finds the closest recorded location of a pointer, walking up to its parents. */
export function locatorFrom(locations: ReadonlyMap<string, ProblemLocation>): Locator {
  return (pointer) => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const found = locations.get(p);
      if (found) return found;
      if (p === '') return undefined;
    }
  };
}

/** Runs one cell conversion, recording its refusal so the reader can report every bad cell at once. */
export function attempt<T>(problems: ProblemCollector, convert: () => T): T | undefined {
  try {
    return convert();
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    problems.items.push(...error.items);
    return undefined;
  }
}
