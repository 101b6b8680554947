import type { ProblemSpecs } from './spec.ts';

/** Failures of the request itself, before its content is looked at, and of the service. */
export const requestProblems = {
  'request.body-too-large': { status: 413, title: 'Request body too large' },
  'request.unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'request.not-acceptable': { status: 406, title: 'No acceptable representation' },
  'request.malformed-json': { status: 400, title: 'Body is not well-formed JSON' },
  'request.nesting-too-deep': { status: 400, title: 'Body nests deeper than allowed' },
  'request.invalid-encoding': { status: 400, title: 'Body is not valid UTF-8' },
  'request.invalid-query': { status: 400, title: 'Invalid query parameter' },
  'request.invalid-path': { status: 400, title: 'Path is not valid percent-encoded UTF-8' },
  'request.malformed-http': { status: 400, title: 'Request is not well-formed HTTP/1.1' },
  'request.headers-too-large': { status: 431, title: 'Request headers larger than the gateway reads' },
  'request.target-too-long': { status: 414, title: 'Request path and query longer than a signature may name' },
  'request.unsupported-content-encoding': { status: 415, title: 'Content-Encoding not accepted; send the body as is (identity)' },
  'request.rate-limited': { status: 429, title: 'Too many requests from this party; retry after the time given' },
  'request.too-many-connections': { status: 429, title: 'Too many open connections from this party' },
  'request.not-found': { status: 404, title: 'No such resource' },
  'request.method-not-allowed': { status: 405, title: 'Method not allowed on this resource' },
  'idempotency.key-reused': { status: 422, title: 'Idempotency-Key reused with a different body' },
  'idempotency.key-invalid': { status: 400, title: 'Idempotency-Key header is not acceptable' },
  'schema.violation': { status: 400, title: 'Document does not match its schema' },
  'internal.error': { status: 500, title: 'Internal error' },
  'service.unavailable': { status: 503, title: 'Service is shutting down or not ready' },
} as const satisfies ProblemSpecs;
