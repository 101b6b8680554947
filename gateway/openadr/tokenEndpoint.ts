import type { Context } from 'openapi-backend';
import type { PartyRole } from '../../protocol/identity/partyUrn.ts';
import type { Scope } from '../../schemas/openadr/openapi.ts';
import type { AuthErrorCode, ClientCredentialResponse } from '../../schemas/openadr/wire.ts';
import type { ProblemCode } from '../../schemas/problems.ts';
import { Problem } from '../../protocol/problem.ts';
import type { Store } from '../store/store.ts';
import type { OpenadrConfig } from './config.ts';
import { enforceSignaturePolicy } from './privacy.ts';
import { requestViolations } from './requestViolations.ts';
import { clientSecretMatches, issueToken, scopesOfRole } from './tokens.ts';
import type { VtnRequest } from './vtnRequest.ts';

const OAUTH_ERRORS: Partial<Record<ProblemCode, AuthErrorCode>> = {
  'openadr.token-invalid-request': 'invalid_request',
  'openadr.token-unsupported-grant': 'unsupported_grant_type',
  'openadr.token-invalid-scope': 'invalid_scope',
  'openadr.token-invalid-client': 'invalid_client',
  'openadr.signature-required': 'unauthorized_client',
};

/** The RFC 6749 §5.2 error code a token refusal also carries. */
export const oauthError = (code: ProblemCode): AuthErrorCode | undefined => OAUTH_ERRORS[code];

/**
 * A form the document refused: an unknown grant type is told apart from a
 * malformed request (RFC 6749 §5.2); otherwise every violation, each with
 * its pointer into the form.
 */
export function tokenRequestProblem(c: Context): Problem {
  const grant = (c.request.requestBody as { grant_type?: unknown } | undefined)?.grant_type;
  if (typeof grant === 'string' && grant !== 'client_credentials')
    return new Problem('openadr.token-unsupported-grant', `grant_type ${grant} is not supported; use client_credentials`, { pointer: '/grant_type' });
  const items = requestViolations(c.validation.errors ?? [], 'openadr.token-invalid-request');
  const guidance = 'Send grant_type=client_credentials, form-encoded, with client_id and client_secret in the form or as HTTP Basic';
  if (items.length === 0) return new Problem('openadr.token-invalid-request', guidance);
  return Problem.of(items.map((item, i) => (i === 0 ? { ...item, detail: `${item.detail}. ${guidance}` } : item)));
}

/**
 * How an API version words scopes: the model (and 3.1.0) splits reading by
 * role; 3.0.1 has one `read_all`. A token answer names the granted scopes in
 * the words of the version asked, or OAuth clients see them "changed".
 */
export interface ScopeWords {
  /** The scopes a request names, in the model's words, for the caller's role. */
  toModel(asked: readonly string[], role: PartyRole): string[];
  /** Granted scopes in the version's words. */
  toWire(granted: readonly Scope[]): string;
}

export const MODEL_SCOPE_WORDS: ScopeWords = {
  toModel: (asked) => [...asked],
  toWire: (granted) => granted.join(' '),
};

export interface TokenAnswer {
  status: 200;
  headers: Record<string, string>;
  body: ClientCredentialResponse;
}

/** The form /auth/token reads (validated by the OpenAPI document first). */
interface TokenForm {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
}

const formDecode = (value: string) => new URLSearchParams(`v=${value}`).get('v') ?? '';

/**
 * Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1, RFC
 * 7617): base64 of the form-urlencoded client id and secret joined by a
 * colon. Split at the last colon: flexgate's secrets have none, so a client
 * that did not form-encode its URN client id (colons and all) is read right too.
 */
function basicCredentials(authorization: string): { clientId: string; clientSecret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization.trim());
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.lastIndexOf(':');
  if (!match || colon <= 0) {
    throw new Problem(
      'openadr.token-invalid-request',
      'Authorization: Basic must carry base64(<client_id>:<client_secret>), each form-urlencoded first (RFC 6749 §2.3.1)',
    );
  }
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
}

/** The client's credentials by exactly one method: HTTP Basic or the form (RFC 6749 §2.3: never both). */
function clientCredentialsOf(request: VtnRequest, form: TokenForm): { clientId: string; clientSecret: string } {
  // Only Basic authenticates a client here; a stale `Bearer` some clients send along is not a second method.
  if (request.authorization !== undefined && /^Basic\b/i.test(request.authorization.trim())) {
    const basic = basicCredentials(request.authorization);
    if (form.client_secret !== undefined)
      throw new Problem(
        'openadr.token-invalid-request',
        'The client authenticated twice, with HTTP Basic and client_secret in the form: use one method (RFC 6749 §2.3)',
        { pointer: '/client_secret' },
      );
    if (form.client_id !== undefined && form.client_id !== basic.clientId)
      throw new Problem('openadr.token-invalid-request', 'client_id in the form is not the client id of the HTTP Basic credentials', { pointer: '/client_id' });
    return basic;
  }
  if (form.client_id === undefined && form.client_secret === undefined)
    throw new Problem(
      'openadr.token-invalid-client',
      'No client authentication: send client_id and client_secret in the form, or as HTTP Basic (RFC 6749 §2.3.1)',
    );
  if (form.client_id === undefined || form.client_secret === undefined)
    throw new Problem('openadr.token-invalid-request', 'client_id and client_secret go together in the form', {
      pointer: form.client_id === undefined ? '/client_id' : '/client_secret',
    });
  return { clientId: form.client_id, clientSecret: form.client_secret };
}

/**
 * OAuth2 client credentials over mutual TLS, the credentials in the form or
 * as HTTP Basic. The client id is the party URN of the client certificate,
 * so credentials are useless on another party's connection; the token is
 * bound to the certificate (RFC 8705) and is not journalled through the
 * intake, whose idempotency record would keep the bearer secret: the token
 * table records the issue instead. Asked-for scopes beyond the role's are
 * left out and the answer names what was granted (RFC 6749 §3.3);
 * `invalid_scope` only when nothing asked for can be granted.
 */
export async function fetchToken({
  store,
  config,
  request,
  form,
  scopes,
}: {
  store: Store;
  config: OpenadrConfig;
  request: VtnRequest;
  form: unknown;
  scopes: ScopeWords;
}): Promise<TokenAnswer> {
  const fields = (form ?? {}) as TokenForm;
  const { caller } = request;
  await enforceSignaturePolicy(store.db, caller.party.urn, request.envelope !== undefined);
  const credentials = clientCredentialsOf(request, fields);
  if (credentials.clientId !== caller.party.urn) {
    throw new Problem('openadr.token-invalid-client', 'client_id must be the party URN of the client certificate this request came with');
  }
  if (!(await clientSecretMatches(store.db, credentials.clientId, credentials.clientSecret))) {
    throw new Problem('openadr.token-invalid-client', 'The client credentials are not valid; ask the VTN administrator for new ones');
  }
  const allowed = scopesOfRole(caller.party.role);
  if (allowed.length === 0) throw new Problem('openadr.token-invalid-client', `Role ${caller.party.role} has no OpenADR access`);
  const asked = scopes.toModel(fields.scope?.split(' ').filter(Boolean) ?? [], caller.party.role);
  const granted = asked.length === 0 ? [...allowed] : allowed.filter((s) => asked.includes(s));
  if (granted.length === 0) {
    throw new Problem(
      'openadr.token-invalid-scope',
      `None of the scopes asked for (${fields.scope ?? ''}) is granted to a ${caller.party.role}; ask for some of: ${scopes.toWire(allowed)}`,
      { pointer: '/scope' },
    );
  }
  const accessToken = await issueToken(store.db, {
    clientId: caller.party.urn,
    role: caller.party.role,
    scopes: granted,
    certificateThumbprint: caller.certificateThumbprint,
    lifetimeSeconds: config.tokenLifetimeSeconds,
    userAgent: caller.userAgent,
  });
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    body: { access_token: accessToken, token_type: 'Bearer', expires_in: config.tokenLifetimeSeconds, scope: scopes.toWire(granted) },
  };
}
