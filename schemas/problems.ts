import { adapterProblems } from './problemCodes/adapter.ts';
import { anmProblems } from './problemCodes/anm.ts';
import { cimProblems } from './problemCodes/cim.ts';
import { deliveryProblems } from './problemCodes/delivery.ts';
import { openadrProblems } from './problemCodes/openadr.ts';
import { operationsProblems } from './problemCodes/operations.ts';
import { registryProblems } from './problemCodes/registry.ts';
import { requestProblems } from './problemCodes/request.ts';
import { settlementProblems } from './problemCodes/settlement.ts';
import { trustProblems } from './problemCodes/trust.ts';

/**
 * The one catalogue of problem types (RFC 9457). The API, the logs and the
 * conformance suite all name failures by these codes; a code, once published,
 * never changes meaning. Each area keeps its entries in `problemCodes/`.
 */
export const problemCatalogue = {
  ...requestProblems,
  ...anmProblems,
  ...cimProblems,
  ...adapterProblems,
  ...trustProblems,
  ...deliveryProblems,
  ...openadrProblems,
  ...operationsProblems,
  ...registryProblems,
  ...settlementProblems,
} as const;

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
