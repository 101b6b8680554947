import type { X509Certificate } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { answerApiVersionOfPath, SIGNATURE_HEADER, type ApiVersion } from '../../schemas/envelope.ts';
import type { Logger } from '../log.ts';
import { Problem } from '../../protocol/problem.ts';
import type { Store } from '../store/store.ts';
import { accessRuleFor, type AccessRule } from './accessPolicy.ts';
import { callerOf, envelopeOf, findCaller, identifyCaller, setEnvelope } from './caller.ts';
import { signEnvelope, verifyEnvelope, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { OutboundSequences } from './outboundSequences.ts';
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
  const { rules } = options;
  const verify = async (req: Request, _res: Response, next: NextFunction) => {
    const caller = callerOf(req);
    const trust = options.trust();
    // The TLS layer checked the certificate at the handshake; a revocation since then takes effect with the next request.
    if (trust.revokedSerials.has(caller.certificateSerial)) {
      throw new Problem('auth.certificate-revoked', `The client certificate ${caller.certificateSerial} of ${caller.party.urn} is revoked`);
    }
    const rule = accessRuleFor(req.method, req.path, rules);
    if (!rule) throw new Problem('request.not-found', `Nothing at ${req.method} ${req.path}`);
    if (!rule.roles.includes(caller.party.role)) {
      throw new Problem(
        'auth.role-forbidden',
        `${caller.party.urn} (role ${caller.party.role}) may not ${req.method} ${req.path}; allowed: ${rule.roles.join(', ')}`,
      );
    }
    const jws = req.header(SIGNATURE_HEADER);
    if (jws === undefined && rule.signature === 'optional') return next();
    const envelope = await verifyEnvelope(jws, bodyOf(req), {
      issuer: caller.party.urn,
      audience: options.gateway.issuer,
      method: req.method,
      path: req.originalUrl,
      apiVersion: rule.apiVersion,
      certificate: { thumbprint: caller.certificateThumbprint, chain: caller.certificateChain },
      issuingAuthorities: trust.issuingAuthorities,
      revokedSerials: trust.revokedSerials,
      kind: 'request',
    });
    if (rule.admission === 'on-arrival') {
      await options.store.transaction((tx) => admitEnvelope(tx, envelope, options.skewSeconds === undefined ? {} : { skewSeconds: options.skewSeconds }));
    }
    setEnvelope(req, { ...envelope, admittedOnArrival: rule.admission === 'on-arrival' });
    next();
  };
  return [identifyCaller(), (req, res, next) => verify(req, res, next).catch(next)];
}

/**
 * Signs every response body as sent, with the gateway's own sequence per
 * audience (reserved in blocks: no commit of its own per response). A 2xx
 * to a signed request carries a receipt naming the hashes of the request's
 * body and protected header. Mounted first, so problem responses are signed
 * too.
 */
export function signResponses(options: TrustLayerOptions): RequestHandler {
  const sequences = new OutboundSequences(options.store.db, options.gateway.issuer);
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
      signResponse(options, sequences, req, res, body).then(
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

async function signResponse(options: TrustLayerOptions, sequences: OutboundSequences, req: Request, res: Response, body: Buffer): Promise<string> {
  const audience = findCaller(req)?.party.urn ?? UNIDENTIFIED;
  const request = envelopeOf(req);
  const success = res.statusCode >= 200 && res.statusCode < 300;
  return signEnvelope(
    options.gateway,
    {
      audience,
      sequence: await sequences.next(audience),
      method: req.method,
      path: req.originalUrl,
      apiVersion: apiVersionOf(req, options.rules),
      status: res.statusCode,
      ...(request && success ? { receipt: { jti: request.messageId, 'body#S256': request.bodySha256, 'protected#S256': request.protectedHeaderSha256 } } : {}),
    },
    body,
  );
}

/** The API version a response is signed for: the request's, read from the full path (a mounted router sees only its own part of it). */
function apiVersionOf(req: Request, rules: readonly AccessRule[]): ApiVersion {
  const path = fullPath(req);
  return accessRuleFor(req.method, path, rules)?.apiVersion ?? answerApiVersionOfPath(path);
}

const fullPath = (req: Request) => req.originalUrl.split('?')[0] ?? '/';

/** The body as received; the app reads every body raw before the trust layer. */
export function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}
