import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import type { Logger } from '../log.ts';
import type { Caller, ConnectionIdentity } from '../trust/caller.ts';
import type { StoreExecutor } from '../store/store.ts';
import { admitOnArrival, signAnswer, verifySignedRequest, type TrustLayerOptions } from '../trust/trustLayer.ts';
import { PROBLEM_MEDIA_TYPE, problemInstance, problemOf } from './problemResponse.ts';
import type { PartyRateLimit } from './rateLimit.ts';
import { MAX_TARGET_LENGTH } from './requestShape.ts';

/** A request the direct lane took, read and verified: what a route answers from. */
export interface DirectRequest {
  method: string;
  /** Path and query as sent (the lane takes no query: the path alone). */
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  caller: Caller;
  envelope: VerifiedEnvelope | undefined;
  /** The route pattern's groups, in order. */
  params: readonly string[];
  /** For a route that answers in its admission, the transaction the envelope was admitted in. */
  tx?: StoreExecutor;
}

/** An answer before it is signed and sent. */
export interface DirectAnswer {
  status: number;
  headers: Record<string, string>;
  /** The full Content-Type header, charset included. */
  contentType: string;
  body: string;
}

/** A route the direct lane answers. */
export interface DirectRoute {
  method: 'GET' | 'POST';
  /**
   * The paths it answers, whole, in unreserved characters only: a path that
   * matches is well-formed and needs no decoding. Its groups are the params.
   */
  path: RegExp;
  /** Whether the lane may answer from these headers; otherwise the application does (content negotiation the route leaves to it). */
  takes?: (headers: IncomingHttpHeaders) => boolean;
  /**
   * A read that answers in the transaction admitting its envelope (where its
   * access rule admits on arrival): one durable commit before the answer.
   * Only for an answer of statements, never one waiting on other work.
   */
  answersInAdmission?: boolean;
  answer(request: DirectRequest): Promise<DirectAnswer>;
}

/** One answer sent, for metrics and the request log. */
export interface AnsweredExchange {
  method: string;
  target: string;
  status: number;
  seconds: number;
  /** The problem type URI of a refusal. */
  problemType?: string;
}

export interface DirectLaneOptions {
  routes: readonly DirectRoute[];
  /** The trust layer the application's requests pass: the same rules, store, signer and response sequences. */
  trust: TrustLayerOptions;
  /** The mutual-TLS listener's admission of the connection (trustLayer's `admitConnections`), when it has nothing to say. */
  admittedCaller: (socket: TLSSocket) => ConnectionIdentity | undefined;
  rateLimit: PartyRateLimit;
  maxBodyBytes: number;
  publicUrl: string;
  logger: Logger;
  answered: (exchange: AnsweredExchange) => void;
}

/**
 * The direct lane: the gateway's busiest signed exchanges (an ANM posting a
 * document, a party reading one back) answered without the Express chain,
 * by the same functions in the same order — the connection's admission, the
 * party's rate, the body, the signature and its admission, the route, the
 * signed answer or signed problem, metrics and log. The lane takes a request
 * from its head alone, and only one with nothing for the chain to refuse or
 * negotiate (a path of its routes with no query, no content coding, a
 * declared length within the limit, a connection admitted as it stands);
 * every other request, and every other route, goes to the application.
 * Returns whether it took the request.
 */
export function directLane(options: DirectLaneOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { routes, maxBodyBytes } = options;
  return (req, res) => {
    const { method = '', url: target = '', headers } = req;
    if (target.length > MAX_TARGET_LENGTH) return false;
    const matched = routeOf(routes, method, target);
    if (!matched) return false;
    const { route, params } = matched;
    if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
    const length = headers['content-length'] === undefined ? 0 : Number(headers['content-length']);
    if (!(length <= maxBodyBytes)) return false;
    if (route.takes && !route.takes(headers)) return false;
    const identity = options.admittedCaller(req.socket as TLSSocket);
    if (!identity) return false;
    const caller: Caller = { ...identity, userAgent: headers['user-agent'] ?? null };
    exchange(options, route, params, caller, req, res).catch((error: unknown) => {
      options.logger.error({ err: error, method, path: target }, 'request failed');
      res.destroy();
    });
    return true;
  };
}

/** The first route answering this method and path, with the path's params. */
function routeOf(routes: readonly DirectRoute[], method: string, target: string): { route: DirectRoute; params: string[] } | undefined {
  for (const route of routes) {
    const match = route.method === method ? route.path.exec(target) : null;
    if (match) return { route, params: match.slice(1) };
  }
  return undefined;
}

async function exchange(options: DirectLaneOptions, route: DirectRoute, params: string[], caller: Caller, req: IncomingMessage, res: ServerResponse) {
  const started = process.hrtime.bigint();
  const method = route.method;
  const target = req.url!;
  let envelope: VerifiedEnvelope | undefined;
  let answer: DirectAnswer;
  let problemType: string | undefined;
  try {
    const refused = options.rateLimit.take(caller.party.urn);
    if (refused) {
      res.setHeader('Retry-After', String(refused.retryAfter));
      throw refused.problem;
    }
    const body = await bodyOf(req);
    // Where the application keeps the raw body (express.raw), for anything that looks at the request afterwards.
    (req as IncomingMessage & { body?: Buffer }).body = body;
    const jws = req.headers[SIGNATURE_HEADER];
    const signed = { method, path: target, target, jws: typeof jws === 'string' ? jws : undefined, body };
    envelope = await verifySignedRequest(options.trust, caller, signed, route.answersInAdmission ? 'by-caller' : 'here');
    const request: DirectRequest = { method, target, headers: req.headers, body, caller, envelope, params };
    answer =
      route.answersInAdmission && envelope?.admittedOnArrival
        ? await admitOnArrival(options.trust, envelope, (tx) => route.answer({ ...request, tx }))
        : await route.answer(request);
  } catch (error) {
    const problem = problemOf(error);
    if (problem.code === 'internal.error') options.logger.error({ err: error, method, path: target }, 'request failed');
    const document = problem.toDocument(problemInstance(options.publicUrl, target));
    problemType = document.type;
    answer = { status: problem.status, headers: {}, contentType: `${PROBLEM_MEDIA_TYPE}; charset=utf-8`, body: JSON.stringify(document) };
  }
  const body = Buffer.from(answer.body);
  let jws: string;
  try {
    jws = await signAnswer(options.trust, { audience: caller.party.urn, request: envelope, method, target, status: answer.status }, body);
  } catch (error) {
    // Nothing unsigned leaves the gateway: a response that cannot be signed is dropped, and logged.
    options.logger.error({ err: error, method, path: target }, 'could not sign response');
    res.destroy();
    return;
  }
  res.once('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    options.answered({ method, target, status: answer.status, seconds, ...(problemType === undefined ? {} : { problemType }) });
  });
  // Headers set, not written: as Express answers, so anything wrapping `res.end` (a proxy, a test's fault) sees the whole answer.
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', answer.contentType);
  res.setHeader('Content-Length', body.length);
  res.setHeader(SIGNATURE_HEADER, jws);
  res.end(body);
}

/** The whole body as sent; the declared length was checked against the limit, and Node's parser holds the body to it. */
function bodyOf(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    // Named as the body parser names it, so the problem is the same whichever way the request went.
    req.once('close', () => {
      if (!req.complete) reject(Object.assign(new Error('The request was aborted before its body arrived'), { type: 'request.aborted' }));
    });
  });
}
