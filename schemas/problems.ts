/**
 * The one catalogue of problem types (RFC 9457). The API, the logs and the
 * conformance suite all name failures by these codes; a code, once published,
 * never changes meaning.
 */
export const problemCatalogue = {
  'request.body-too-large': { status: 413, title: 'Request body too large' },
  'request.unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'request.not-acceptable': { status: 406, title: 'No acceptable representation' },
  'request.malformed-json': { status: 400, title: 'Body is not well-formed JSON' },
  'request.nesting-too-deep': { status: 400, title: 'Body nests deeper than allowed' },
  'request.invalid-encoding': { status: 400, title: 'Body is not valid UTF-8' },
  'request.invalid-query': { status: 400, title: 'Invalid query parameter' },
  'request.not-found': { status: 404, title: 'No such resource' },
  'request.method-not-allowed': { status: 405, title: 'Method not allowed on this resource' },
  'idempotency.key-reused': { status: 422, title: 'Idempotency-Key reused with a different body' },
  'idempotency.key-invalid': { status: 400, title: 'Idempotency-Key header is not acceptable' },
  'schema.violation': { status: 400, title: 'Document does not match its schema' },
  'tabular.malformed': { status: 400, title: 'Tabular body cannot be read' },
  'tabular.header-missing': { status: 400, title: 'No header row with the expected columns' },
  'tabular.unknown-column': { status: 400, title: 'Column not understood' },
  'tabular.missing-column': { status: 400, title: 'Required column missing' },
  'tabular.duplicate-column': { status: 400, title: 'Column given twice' },
  'tabular.ragged-row': { status: 400, title: 'Row has more cells than the header' },
  'tabular.invalid-value': { status: 400, title: 'Cell value cannot be read' },
  'tabular.period-missing': { status: 400, title: 'No period line before the data rows' },
  'tabular.inconsistent-rows': { status: 422, title: 'Rows disagree on a value they must share' },
  'time.invalid': { status: 400, title: 'Not a recognised time' },
  'time.nonexistent-local': { status: 422, title: 'Local UK time does not exist (clocks went forward)' },
  'time.ambiguous-local': { status: 422, title: 'Local UK time is ambiguous (clocks went back); give an offset' },
  'time.mismatch': { status: 422, title: 'Two renderings of the same instant disagree' },
  'units.unknown': { status: 422, title: 'Unit not recognised' },
  'units.not-whole-kw': { status: 422, title: 'Quantity is not a whole number of kW' },
  'anm.order-duplicate': { status: 422, title: 'Merit order position given twice' },
  'anm.order-gap': { status: 422, title: 'Merit order positions are not 1..n without gaps' },
  'anm.contract-duplicate': { status: 422, title: 'Contract id appears twice in the merit order list' },
  'anm.activity-mismatch': { status: 422, title: 'Activity does not match the operation type' },
  'anm.negative-capacity': { status: 422, title: 'MIC or MEC is negative' },
  'anm.period-invalid': { status: 422, title: 'Start is not before end' },
  'anm.constraint-size-invalid': { status: 422, title: 'Constraint size must be greater than zero' },
  'anm.constraint-duplicate': { status: 422, title: 'Constraint given twice for the same period' },
  'anm.resource-duplicate': { status: 422, title: 'Resource listed twice under one constraint' },
  'internal.error': { status: 500, title: 'Internal error' },
  'service.unavailable': { status: 503, title: 'Service is shutting down or not ready' },
} as const satisfies Record<string, { status: number; title: string }>;

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
