import type { ProblemSpecs } from './spec.ts';

/**
 * The OpenADR 3.1.0 VTN (gateway/openadr/). Statuses are ones the OpenADR
 * specification lists for the operations that send them, so a VEN written
 * against it can read every refusal as its `problem` schema.
 */
export const openadrProblems = {
  'openadr.invalid-request': { status: 400, title: 'OpenADR request does not match the specification' },
  'openadr.token-invalid-request': { status: 400, title: 'Token request is malformed (RFC 6749 invalid_request)' },
  'openadr.token-unsupported-grant': { status: 400, title: 'Only the client_credentials grant is supported' },
  'openadr.token-invalid-scope': { status: 400, title: 'Requested scope is not granted to this client' },
  'openadr.token-invalid-client': { status: 401, title: 'Client credentials are wrong or not for this certificate' },
  'openadr.token-missing': { status: 401, title: 'Bearer token required' },
  'openadr.token-invalid': { status: 401, title: 'Bearer token is unknown or expired' },
  'openadr.token-certificate-mismatch': { status: 401, title: 'Bearer token is bound to another client certificate' },
  'openadr.signature-required': { status: 401, title: "This VEN's policy requires signed requests" },
  'openadr.legacy-not-expressible': { status: 400, title: 'OpenADR 3.0.1 cannot express this; use OpenADR 3.1.0' },
  'openadr.scope-missing': { status: 403, title: 'Token lacks the scope this operation needs' },
  'openadr.business-logic-only': { status: 403, title: 'Only the business logic (DSO) may set this' },
  'openadr.not-found': { status: 404, title: 'No such OpenADR object visible to the caller' },
  'openadr.name-taken': { status: 409, title: 'Name is already used by another object of this type' },
  'openadr.unknown-reference': { status: 409, title: 'Referenced program, VEN or event does not exist' },
  'openadr.lifecycle-unknown-event': { status: 409, title: 'Report names an event the VEN was not sent' },
  'openadr.lifecycle-cease-before-instruction': { status: 409, title: 'Cannot cease a dispatch that was never instructed' },
  'openadr.lifecycle-instruction-after-cease': { status: 409, title: 'Cannot instruct a dispatch that has ceased' },
  'openadr.lifecycle-variation-after-cancellation': { status: 409, title: 'Cannot vary a cancelled dispatch' },
  'openadr.lifecycle-variation-after-end': { status: 409, title: 'Cannot vary a dispatch that has ceased or completed' },
  'openadr.lifecycle-already-cancelled': { status: 404, title: 'Dispatch was already cancelled' },
  'openadr.lifecycle-cancel-after-delivery': { status: 400, title: 'Cannot cancel a dispatch that has ceased or completed' },
  'openadr.lifecycle-report-after-cancellation': { status: 409, title: 'Cannot report on a cancelled dispatch' },
  'openadr.lifecycle-out-of-order': { status: 409, title: 'Dispatch lifecycle stage does not follow from the current one' },
  'openadr.lifecycle-declaration-invalid': { status: 400, title: 'Declaration of availability lacks a required field' },
} as const satisfies ProblemSpecs;
