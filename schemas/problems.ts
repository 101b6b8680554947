import { PROBLEM_AREAS } from './problemCatalogue.ts';

/** Every code of the catalogue (`problemCatalogue.ts`, by area) with its status and title. */
export const problemCatalogue = Object.assign({}, ...Object.values(PROBLEM_AREAS).map((area) => area.problems)) as UnionToIntersection<
  (typeof PROBLEM_AREAS)[keyof typeof PROBLEM_AREAS]['problems']
>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export type ProblemCode = keyof typeof problemCatalogue;

export const PROBLEM_TYPE_PREFIX = 'urn:flexgate:problem:';

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_PREFIX + code;
}

/** Where in the request a problem sits: a JSON pointer, and for tabular input the row and column too. */
export interface ProblemLocation {
  pointer?: string;
  row?: number;
  column?: number;
  columnName?: string;
}

export interface ProblemDetailItem extends ProblemLocation {
  type: string;
  detail: string;
}

/** The problem+json body as sent on the wire. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemDetailItem[];
}
