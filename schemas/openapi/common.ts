import { Type } from '@sinclair/typebox';
import { SIGNATURE_HEADER } from '../envelope.ts';

// Pieces every flexgate OpenAPI document shares: how a caller authenticates
// (mutual TLS and the signed envelope) and how refusals look (RFC 9457).

/** The document's security: a client certificate from the flexgate PKI on every request (OpenAPI 3.1 `mutualTLS`). */
export const MUTUAL_TLS = {
  securitySchemes: {
    mutualTLS: { type: 'mutualTLS', description: 'A client certificate issued by the flexgate CA, naming the party as a SAN URI urn:flexgate:<role>:<id>' },
  },
  security: [{ mutualTLS: [] }],
} as const;

/** The signature header on a request: required on every operation of the signed APIs. */
export const signatureParameter = (required: boolean) => ({
  name: SIGNATURE_HEADER,
  in: 'header',
  required,
  description:
    'Detached JWS (RFC 7515, RFC 7797 b64:false) over the exact body bytes, signed with the key of the TLS client certificate; protected header iss, aud, jti, seq, iat, ver, htm, htu, all listed in crit. See the README, "Message envelope".',
  schema: { type: 'string', maxLength: 65536 },
});

/** An RFC 9457 problem as flexgate sends it: `type` is urn:flexgate:problem:<code> (schemas/problems.md). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'urn:flexgate:problem:<code>, stable; the catalogue is schemas/problems.md' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          type: Type.String(),
          detail: Type.String(),
          pointer: Type.Optional(Type.String({ description: 'JSON pointer into the request body' })),
          row: Type.Optional(Type.Integer({ minimum: 1 })),
          column: Type.Optional(Type.Integer({ minimum: 1 })),
          columnName: Type.Optional(Type.String()),
        }),
      ),
    ),
  },
  { description: 'RFC 9457 problem details' },
);

/** The problem response for a status, by reference. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The refusals every signed operation can meet before its own rules: identity, authorisation, envelope, body size. */
export const ENVELOPE_REFUSALS = {
  '401': problemResponse('No or a bad signature: envelope.* problem types (signature-missing, bad-signature, replayed, …)'),
  '403': problemResponse('The certificate’s role may not call this operation (auth.role-forbidden)'),
  '413': problemResponse('The body exceeds the gateway’s limit (request.body-too-large)'),
  '429': problemResponse('The party’s request rate is above its budget; retry after the Retry-After header'),
} as const;

/** Cursor paging of collections: `limit` and the opaque `cursor` of the previous page's `next` link. */
export const PAGING_PARAMETERS = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  { name: 'cursor', in: 'query', required: false, description: 'From the previous page’s `next` (also sent as Link: rel="next")', schema: { type: 'string' } },
] as const;

export const pathId = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', minLength: 1, maxLength: 100 },
});
