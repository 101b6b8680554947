import type { Request, Response } from 'express';
import type { Scope } from '../../schemas/openadr/openapi.ts';
import type { AuthErrorCode, ClientCredentialRequest, ClientCredentialResponse } from '../../schemas/openadr/wire.ts';
import type { ProblemCode } from '../../schemas/problems.ts';
import { Problem } from '../../protocol/problem.ts';
import type { Store } from '../store/store.ts';
import { callerOf, envelopeOf } from '../trust/caller.ts';
import type { OpenadrConfig } from './config.ts';
import { enforceSignaturePolicy } from './privacy.ts';
import { clientSecretMatches, issueToken, scopesOfRole } from './tokens.ts';

const OAUTH_ERRORS: Partial<Record<ProblemCode, AuthErrorCode>> = {
  'openadr.token-invalid-request': 'invalid_request',
  'openadr.token-unsupported-grant': 'unsupported_grant_type',
  'openadr.token-invalid-scope': 'invalid_scope',
  'openadr.token-invalid-client': 'invalid_client',
  'openadr.signature-required': 'unauthorized_client',
};

/** The RFC 6749 §5.2 error code a token refusal also carries. */
export const oauthError = (code: ProblemCode): AuthErrorCode | undefined => OAUTH_ERRORS[code];

/** A form the document refused: an unknown grant type is told apart from a malformed request (RFC 6749 §5.2). */
export function tokenRequestProblem(form: unknown): Problem {
  const grant = (form as { grant_type?: unknown } | undefined)?.grant_type;
  if (typeof grant === 'string' && grant !== 'client_credentials')
    return new Problem('openadr.token-unsupported-grant', `grant_type ${grant} is not supported; use client_credentials`);
  return new Problem('openadr.token-invalid-request', 'The token request needs grant_type=client_credentials, client_id and client_secret (form-encoded)');
}

/**
 * OAuth2 client credentials over mutual TLS. The client id is the party URN
 * of the client certificate, so credentials are useless on another party's
 * connection; the token is bound to the certificate (RFC 8705) and is not
 * journalled through the intake, whose idempotency record would keep the
 * bearer secret: the token table records the issue instead.
 */
export async function fetchToken({
  store,
  config,
  req,
  res,
  form,
}: {
  store: Store;
  config: OpenadrConfig;
  req: Request;
  res: Response;
  form: unknown;
}): Promise<void> {
  const request = form as ClientCredentialRequest;
  const caller = callerOf(req);
  await enforceSignaturePolicy(store.db, caller.party.urn, envelopeOf(req) !== undefined);
  if (request.client_id !== caller.party.urn) {
    throw new Problem('openadr.token-invalid-client', 'client_id must be the party URN of the client certificate this request came with');
  }
  if (!(await clientSecretMatches(store.db, request.client_id, request.client_secret))) {
    throw new Problem('openadr.token-invalid-client', 'The client credentials are not valid');
  }
  const granted = scopesOfRole(caller.party.role);
  if (granted.length === 0) throw new Problem('openadr.token-invalid-client', `Role ${caller.party.role} has no OpenADR access`);
  const asked = request.scope?.split(' ').filter(Boolean) as Scope[] | undefined;
  const refused = asked?.filter((s) => !granted.includes(s)) ?? [];
  if (refused.length > 0)
    throw new Problem('openadr.token-invalid-scope', `Scope ${refused.join(' ')} is not granted to a ${caller.party.role}; granted: ${granted.join(' ')}`);
  const scopes = asked && asked.length > 0 ? asked : granted;
  const accessToken = await issueToken(store.db, {
    clientId: caller.party.urn,
    role: caller.party.role,
    scopes,
    certificateThumbprint: caller.certificateThumbprint,
    lifetimeSeconds: config.tokenLifetimeSeconds,
    userAgent: caller.userAgent,
  });
  const response: ClientCredentialResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: config.tokenLifetimeSeconds,
    scope: scopes.join(' '),
  };
  res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).type('application/json').send(JSON.stringify(response));
}
