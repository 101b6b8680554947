import type { X509Certificate } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { answerApiVersionOfPath, SIGNATURE_HEADER, type ApiVersion } from '../../schemas/envelope.ts';
import type { Logger } from '../log.ts';
import { Problem } from '../../protocol/problem.ts';
import type { Store, StoreExecutor } from '../store/store.ts';
import { accessRuleFor, type AccessRule } from './accessPolicy.ts';
import { callerOf, envelopeOf, findCaller, identifyCaller, setEnvelope, type Caller } from './caller.ts';
import { signEnvelope, verifyEnvelope, type EnvelopeSigner, type VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import type { OutboundSequences } from './outboundSequences.ts';
import { admitEnvelope } from './replayGuard.ts';

/** What the gateway currently trusts besides the TLS layer's own checks; replaced when the PKI folder changes. */
export interface TrustState {
  issuingAuthorities: readonly X509Certificate[];
  revokedSerials: ReadonlySet<string>;
}

export interface TrustLayerOptions {
  store: Store;
  /** The gateway's own signing identity: its TLS certificate and key. */
  gateway: EnvelopeSigner;
  trust: () => TrustState;
  logger: Logger;
  skewSeconds?: number;
  /** The authorisation table: every API's rules, collected by the composition root. */
  rules: readonly AccessRule[];
  /** The gateway's response sequence numbers: one source for every response, however it is answered. */
  sequences: OutboundSequences;
}

/** Audience of a response to a peer that named no party: still signed, so nothing leaves unsigned. */
const UNIDENTIFIED = 'urn:flexgate:unknown:unidentified';

/**
 * Everything a request passes before an API router sees it, in order:
 * the caller from its client certificate (revoked since the handshake?),
 * the access rule for the route and role, then the signature over the exact
 * body bytes. The envelope is admitted (fresh, new id, sequence number new
 * in its window) here, or, where the access rule says so, in the intake's
 * transaction with the message it carries.
 */
export function verifyRequests(options: TrustLayerOptions): RequestHandler[] {
  const verify = async (req: Request, next: NextFunction) => {
    const envelope = await verifySignedRequest(options, callerOf(req), {
      method: req.method,
      path: req.path,
      target: req.originalUrl,
      jws: req.header(SIGNATURE_HEADER),
      body: bodyOf(req),
    });
    if (envelope) setEnvelope(req, envelope);
    next();
  };
  return [identifyCaller(), (req, _res, next) => verify(req, next).catch(next)];
}

/** A request as the trust layer judges it: its target (path with query), the path alone, and the exact body bytes. */
export interface SignedRequest {
  method: string;
  path: string;
  target: string;
  jws: string | undefined;
  body: Buffer;
}

/**
 * The trust layer's judgement of one request from an identified caller, in
 * order: revoked since the handshake, the access rule for the route and role,
 * the signature over the exact body, and the envelope's admission where the
 * rule admits on arrival. Resolves with the verified envelope, or undefined
 * for an unsigned request the rule lets through; throws the refusal.
 */
export async function verifySignedRequest(
  options: TrustLayerOptions,
  caller: Caller,
  request: SignedRequest,
  /** 'by-caller': an envelope its rule admits on arrival is left for the caller to admit, with `admitOnArrival`. */
  admission: 'here' | 'by-caller' = 'here',
): Promise<VerifiedEnvelope | undefined> {
  const trust = options.trust();
  // The TLS layer checked the certificate at the handshake; a revocation since then takes effect with the next request.
  if (trust.revokedSerials.has(caller.certificateSerial)) {
    throw new Problem('auth.certificate-revoked', `The client certificate ${caller.certificateSerial} of ${caller.party.urn} is revoked`);
  }
  const rule = accessRuleFor(request.method, request.path, options.rules);
  if (!rule) throw new Problem('request.not-found', `Nothing at ${request.method} ${request.path}`);
  if (!rule.roles.includes(caller.party.role)) {
    throw new Problem(
      'auth.role-forbidden',
      `${caller.party.urn} (role ${caller.party.role}) may not ${request.method} ${request.path}; allowed: ${rule.roles.join(', ')}`,
    );
  }
  if (request.jws === undefined && rule.signature === 'optional') return undefined;
  const envelope = await verifyEnvelope(request.jws, request.body, {
    issuer: caller.party.urn,
    audience: options.gateway.issuer,
    method: request.method,
    path: request.target,
    apiVersion: rule.apiVersion,
    certificate: { thumbprint: caller.certificateThumbprint, chain: caller.certificateChain },
    issuingAuthorities: trust.issuingAuthorities,
    revokedSerials: trust.revokedSerials,
    kind: 'request',
  });
  const verified = { ...envelope, admittedOnArrival: rule.admission === 'on-arrival' };
  if (verified.admittedOnArrival && admission === 'here') await admitOnArrival(options, verified, async () => undefined);
  return verified;
}

/**
 * Admits an envelope its access rule admits on arrival, in one transaction
 * with `work` (reads): an answer read there waits for one commit to be
 * durable, not for its admission's and then for another covering whatever
 * others committed before it read. The admission stands whatever the work
 * gives, a refusal included, as it does admitted on its own.
 */
export async function admitOnArrival<T>(options: TrustLayerOptions, envelope: VerifiedEnvelope, work: (tx: StoreExecutor) => Promise<T>): Promise<T> {
  const outcome = await options.store.transaction(async (tx): Promise<{ value: T } | { error: unknown }> => {
    await admitEnvelope(tx, envelope, options.skewSeconds === undefined ? {} : { skewSeconds: options.skewSeconds });
    try {
      return { value: await work(tx) };
    } catch (error) {
      return { error };
    }
  });
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/**
 * Signs every response body as sent, with the gateway's own sequence per
 * audience (reserved in blocks: no commit of its own per response). A 2xx
 * to a signed request carries a receipt naming the hashes of the request's
 * body and protected header. Mounted first, so problem responses are signed
 * too.
 */
export function signResponses(options: TrustLayerOptions): RequestHandler {
  return (req, res, next) => {
    const chunks: Buffer[] = [];
    const originalEnd = res.end.bind(res) as (body: Buffer, callback?: () => void) => Response;
    res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
      chunks.push(toBuffer(chunk, encoding));
      if (typeof encoding === 'function') (encoding as () => void)();
      else if (typeof callback === 'function') (callback as () => void)();
      return true;
    }) as Response['write'];
    res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, encoding));
      const done = [chunk, encoding, callback].find((argument): argument is () => void => typeof argument === 'function');
      const body = Buffer.concat(chunks);
      const answer = { audience: findCaller(req)?.party.urn, request: envelopeOf(req), method: req.method, target: req.originalUrl, status: res.statusCode };
      signAnswer(options, answer, body).then(
        (jws) => {
          if (!res.headersSent) res.setHeader(SIGNATURE_HEADER, jws);
          originalEnd(body, done);
        },
        (error: unknown) => {
          // Nothing unsigned leaves the gateway: a response that cannot be signed is dropped, and logged.
          options.logger.error({ err: error, method: req.method, path: req.path }, 'could not sign response');
          res.destroy();
        },
      );
      return res;
    }) as Response['end'];
    next();
  };
}

/** A response about to be sent: to whom (undefined: a peer that named no party), for which request, with which status. */
export interface Answer {
  audience: string | undefined;
  /** The request's verified envelope, if it carried one: a 2xx to it carries a receipt. */
  request: VerifiedEnvelope | undefined;
  method: string;
  /** The request target, path and query. */
  target: string;
  status: number;
}

/** The signature header of a response body as sent: the gateway's next sequence for the audience, and a receipt on success. */
export async function signAnswer(options: TrustLayerOptions, answer: Answer, body: Buffer): Promise<string> {
  const audience = answer.audience ?? UNIDENTIFIED;
  const { request } = answer;
  const success = answer.status >= 200 && answer.status < 300;
  return signEnvelope(
    options.gateway,
    {
      audience,
      sequence: await options.sequences.next(audience),
      method: answer.method,
      path: answer.target,
      apiVersion: apiVersionOf(answer.method, answer.target, options.rules),
      status: answer.status,
      ...(request && success ? { receipt: { jti: request.messageId, 'body#S256': request.bodySha256, 'protected#S256': request.protectedHeaderSha256 } } : {}),
    },
    body,
  );
}

/** The API version a response is signed for: the request's, from its full path (a mounted router sees only its own part of it). */
function apiVersionOf(method: string, target: string, rules: readonly AccessRule[]): ApiVersion {
  const path = target.split('?')[0] ?? '/';
  return accessRuleFor(method, path, rules)?.apiVersion ?? answerApiVersionOfPath(path);
}

/** The body as received; the app reads every body raw before the trust layer. */
export function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}
