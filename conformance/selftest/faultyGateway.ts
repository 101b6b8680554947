import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadTlsCredentials } from '../../certs/index.ts';
import { clockSequence, readEnvelopeHeader, receiptFor, sha256Base64url, signEnvelope, signerFromCredentials } from '../../protocol/envelope/index.ts';
import { partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { answerApiVersionOfPath, SIGNATURE_HEADER, type Receipt } from '../../schemas/envelope.ts';
import { PROBLEM_TYPE_PREFIX } from '../../schemas/problems.ts';
import type { Answer, Fault } from './faults.ts';
import type { ReferenceGateway } from '../runner/referenceGateway.ts';
import type { TLSSocket } from 'node:tls';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Turns the reference gateway into a faulty one until the returned
 * function restores it: every answer passes through the
 * fault, and an answer it replaces is signed again with the gateway's own
 * key, so the suite sees a consistent (wrong) implementation, not a broken
 * signature.
 */
export async function installFault(reference: ReferenceGateway, fault: Fault): Promise<() => void> {
  const { server, pkiDir, identity } = reference.gateway;
  const listeners = server.listeners('request') as RequestListener[];
  // The first listener is Node's own HTTP parser (the https.Server constructor adds it); the gateway's come after it.
  const [httpParser, ...gatewayOnSecure] = server.listeners('secureConnection') as ((...args: unknown[]) => void)[];
  const restore = () => {
    server.removeAllListeners('request');
    for (const listener of listeners) server.on('request', listener);
    for (const listener of gatewayOnSecure) if (!server.listeners('secureConnection').includes(listener)) server.on('secureConnection', listener);
  };
  // The gateway drops a connection without a client certificate as it is made; the fault keeps it (and still parses HTTP).
  if (fault.tls === 'accept-without-client-certificate' && httpParser) for (const listener of gatewayOnSecure) server.off('secureConnection', listener);
  const rewrite = fault.rewrite;
  if (!rewrite) return restore;
  const signer = signerFromCredentials(await loadTlsCredentials(pkiDir, identity));
  const sequence = clockSequence();
  const memory = new Map<string, Buffer>();
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Routers rewrite req.url as they mount: the path as it arrived is the one signed for.
    const path = req.url ?? '/';
    const end = res.end.bind(res) as (chunk?: unknown, encoding?: unknown, callback?: unknown) => ServerResponse;
    res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
      const body = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.alloc(0);
      const answer: Answer = { method: req.method ?? 'GET', path, status: res.statusCode, body, ...problemOf(res, body) };
      const replaced = res.headersSent ? undefined : rewrite(answer, req, memory);
      if (!replaced) return end(chunk, encoding, callback);
      const peer = (req.socket as TLSSocket).getPeerCertificate?.();
      const audience = (peer?.raw ? partyFromCertificate(peer.raw)?.urn : undefined) ?? 'urn:flexgate:unknown:unidentified';
      void signEnvelope(
        signer,
        {
          audience,
          sequence: sequence(),
          method: answer.method,
          path,
          apiVersion: answerApiVersionOfPath(path.split('?')[0]!),
          status: replaced.status,
          ...(replaced.status >= 200 && replaced.status < 300 ? receiptOf(req) : {}),
        },
        replaced.body,
      ).then((signature) => {
        res.statusCode = replaced.status;
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-length', String(replaced.body.length));
        res.setHeader(SIGNATURE_HEADER, signature);
        end(replaced.body);
      });
      return res;
    }) as ServerResponse['end'];
    for (const listener of listeners) listener.call(server, req, res);
  });
  return restore;
}

/**
 * The receipt a success to a signed request carries, as the gateway would give
 * it: the fault is the status or body it answers with, not a missing receipt.
 */
function receiptOf(req: IncomingMessage): { receipt?: Receipt } {
  const jws = req.headers[SIGNATURE_HEADER];
  if (typeof jws !== 'string') return {};
  try {
    const { header, protectedPart } = readEnvelopeHeader(jws);
    // express.raw left the body bytes as they arrived on the request.
    const body = (req as IncomingMessage & { body?: unknown }).body;
    return {
      receipt: receiptFor({
        messageId: header.jti,
        bodySha256: sha256Base64url(Buffer.isBuffer(body) ? body : Buffer.alloc(0)),
        protectedHeaderSha256: sha256Base64url(protectedPart),
      }),
    };
  } catch {
    return {};
  }
}

function problemOf(res: ServerResponse, body: Buffer): { problem?: string } {
  if (!String(res.getHeader('content-type') ?? '').startsWith('application/problem+json')) return {};
  try {
    const type = (JSON.parse(body.toString('utf8')) as { type?: unknown }).type;
    return typeof type === 'string' && type.startsWith(PROBLEM_TYPE_PREFIX) ? { problem: type.slice(PROBLEM_TYPE_PREFIX.length) } : {};
  } catch {
    return {};
  }
}
