import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Context } from 'openapi-backend';
import { OPENADR_BASE_PATH, openadrOpenApi, operationScopes } from '../../schemas/openadr/openapi.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { PROBLEM_MEDIA_TYPE } from '../http/problemResponse.ts';
import { sha256Hex, type Intake } from '../intake.ts';
import type { Store } from '../store/store.ts';
import { Problem } from '../../protocol/problem.ts';
import { DEFAULT_OPENADR_CONFIG, type OpenadrConfig } from './config.ts';
import { ObjectChanged } from './objectWrites.ts';
import { eventOperations } from './operations/events.ts';
import { notifierOperations } from './operations/notifiers.ts';
import { type Operation, type OperationRequest, type Reply, requireScope } from './operations/operation.ts';
import { programOperations } from './operations/programs.ts';
import { reportOperations } from './operations/reports.ts';
import { subscriptionOperations } from './operations/subscriptions.ts';
import { venOperations } from './operations/vens.ts';
import { enforceSignaturePolicy } from './privacy.ts';
import { openadrBackend } from './openapiBackend.ts';
import { fetchToken, MODEL_SCOPE_WORDS, oauthError, type TokenAnswer } from './tokenEndpoint.ts';
import { authenticateToken, type Principal } from './tokens.ts';
import { journalMessage, vtnRequestOf, type VtnRequest } from './vtnRequest.ts';

export interface OpenadrRouterOptions {
  intake: Intake;
  maxBodyBytes: number;
  config?: OpenadrConfig;
}

const tables = [programOperations, eventOperations, reportOperations, subscriptionOperations, venOperations, notifierOperations];
const READS: Record<string, Operation> = Object.assign({}, ...tables.map((t) => t.reads));
const WRITES: Record<string, Operation> = Object.assign({}, ...tables.map((t) => t.writes));
const SCOPES = operationScopes();
const CONCURRENT_UPDATE_ATTEMPTS = 3;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The OpenADR 3.1.0 VTN under /openadr/3.1.0. Routing and request validation
 * come from flexgate's OpenAPI document (schemas/openadr/openapi.ts) through
 * openapi-backend; every operation authenticates a certificate-bound token,
 * checks its scope and the VEN's signature policy, and writes through the
 * intake (journalled, idempotent, in one transaction).
 */
export function openadrRouter({ intake, maxBodyBytes, config = DEFAULT_OPENADR_CONFIG }: OpenadrRouterOptions): Router & { ready: Promise<void> } {
  const { store } = intake;
  const handle = async (c: Context, req: Request, res: Response) => {
    const operationId = c.operation.operationId!;
    const body = c.request.requestBody as unknown;
    if (operationId === 'getAuthServerInfo') return send(res, { status: 200, body: { tokenURL: `${config.publicBaseUrl}/auth/token` } });
    const request = vtnRequestOf(req);
    if (operationId === 'fetchToken') return sendToken(res, await fetchToken({ store, config, request, form: body, scopes: MODEL_SCOPE_WORDS }));
    const caller = await authenticate(store, request);
    const answer = await runOperation({ intake, config }, request, caller, {
      operationId,
      params: c.request.params as Record<string, string>,
      query: c.request.query as Record<string, unknown>,
      body,
    });
    if (answer.replayed) res.setHeader('Idempotency-Replayed', 'true');
    send(res, answer);
  };
  const serve = openadrBackend({ definition: openadrOpenApi, version: '3.1.0', basePath: OPENADR_BASE_PATH, operationIds: [...SCOPES.keys()], handle });

  const inner = express.Router();
  inner.use(express.raw({ type: () => true, limit: maxBodyBytes }));
  inner.use(serve);
  inner.use(problemResponder(config.publicBaseUrl));
  const router = express.Router();
  router.use(OPENADR_BASE_PATH, inner);
  return Object.assign(router, { ready: serve.ready });
}

/** An operation of flexgate's OpenADR model (3.1.0 operation ids and shapes), whichever API version it arrived through. */
export interface ModelCall {
  operationId: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface ModelAnswer {
  status: number;
  body: unknown;
  /** The intake replayed an earlier answer (repeated Idempotency-Key or POST body). */
  replayed: boolean;
}

export interface AuthenticatedCaller {
  principal: Principal;
  /** The request carried a verified flexgate signature. */
  signed: boolean;
}

/** The caller of an API operation: a certificate-bound bearer token, and the signature policy of its VENs. */
export async function authenticate(store: Store, request: VtnRequest): Promise<AuthenticatedCaller> {
  const principal = await authenticateToken(store.db, request.authorization, request.caller.certificateThumbprint);
  const signed = request.envelope !== undefined;
  await enforceSignaturePolicy(store.db, principal.clientId, signed);
  return { principal, signed };
}

/**
 * Runs a model operation for an authenticated caller: the scope its 3.1.0
 * operation needs, then a read on the store or a write through the intake
 * (journalled as the request arrived, idempotent, retried on a concurrent
 * update).
 */
export async function runOperation(
  { intake, config }: { intake: Intake; config: OpenadrConfig },
  vtnRequest: VtnRequest,
  { principal, signed }: AuthenticatedCaller,
  call: ModelCall,
): Promise<ModelAnswer> {
  const scope = SCOPES.get(call.operationId);
  if (scope) requireScope(principal, scope);
  const request: OperationRequest = { principal, params: call.params, query: call.query, body: call.body, signed };
  const read = READS[call.operationId];
  if (read) return { ...(await read({ db: intake.store.db, request, config, now: new Date().toISOString() })), replayed: false };
  const write = WRITES[call.operationId];
  if (!write) throw new Error(`No OpenADR operation ${call.operationId}`);
  const message = journalMessage(vtnRequest, idempotencyKeyOf(vtnRequest, principal.clientId));
  for (let attempt = 1; ; attempt++) {
    try {
      const { response, replayed } = await intake.accept(message, async ({ tx, receivedAt }) => {
        const reply = await write({ db: tx, request, config, now: receivedAt });
        return { derived: reply.derived ?? [], response: { status: reply.status, headers: {}, body: canonicalJson(reply.body) } };
      });
      return { status: response.status, body: JSON.parse(response.body) as unknown, replayed };
    } catch (error) {
      if (!(error instanceof ObjectChanged) || attempt >= CONCURRENT_UPDATE_ATTEMPTS) throw error;
    }
  }
}

function send(res: Response, reply: Pick<Reply, 'body'> & { status: number }): void {
  res.status(reply.status).type('application/json').send(canonicalJson(reply.body));
}

/** A token answer, with its no-store headers (RFC 6749 §5.1). */
export function sendToken(res: Response, answer: TokenAnswer): void {
  res.status(answer.status).set(answer.headers).type('application/json').send(JSON.stringify(answer.body));
}

/**
 * Per-caller idempotency: a repeated Idempotency-Key, or a repeated POST
 * body, from the same client replays the first answer; another client's
 * identical request is its own. PUT and DELETE without a key are applied as
 * sent (the same body may legitimately follow a different one).
 */
function idempotencyKeyOf(request: VtnRequest, clientUrn: string): string {
  const header = request.idempotencyKey;
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header))
    throw new Problem('idempotency.key-invalid', 'Idempotency-Key must be 1-255 printable ASCII characters');
  const basis = header !== undefined ? `key:${header}` : request.method === 'POST' ? `body:${sha256Hex(request.body)}` : `once:${randomUUID()}`;
  return sha256Hex(Buffer.from(`${clientUrn}\n${basis}`));
}

/**
 * Problems on OpenADR routes: problem+json whose `instance` is an absolute
 * URI under `baseUrl` (the specification's `problem` schema requires one),
 * the RFC 6749 `error` member on token errors and RFC 6750's challenge on
 * 401. `statusOf` lets an older API version answer with the statuses its
 * own specification lists.
 */
export function problemResponder(
  baseUrl: string,
  statusOf: (problem: Problem, tokenEndpoint: boolean) => number = (problem) => problem.status,
): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (!(error instanceof Problem) || res.headersSent) return next(error);
    const tokenEndpoint = req.path === '/auth/token';
    const status = statusOf(error, tokenEndpoint);
    const document: Record<string, unknown> = { ...error.toDocument(`${baseUrl}${req.url}`), status };
    const oauth = oauthError(error.code);
    if (oauth && tokenEndpoint) Object.assign(document, { error: oauth, error_description: error.message });
    if (error.status === 401 && !tokenEndpoint) {
      res.setHeader('WWW-Authenticate', `Bearer realm="flexgate", error="${error.code === 'openadr.token-missing' ? 'invalid_request' : 'invalid_token'}"`);
    }
    // RFC 6749 §5.2: a client that authenticated with HTTP Basic and failed is challenged with its scheme.
    if (tokenEndpoint && error.code === 'openadr.token-invalid-client' && /^Basic /i.test(req.headers.authorization ?? '')) {
      res.setHeader('WWW-Authenticate', 'Basic realm="flexgate"');
    }
    if (tokenEndpoint) res.setHeader('Cache-Control', 'no-store');
    res.status(status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(document));
  };
}
