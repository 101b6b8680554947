import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { certificatePem } from '../../protocol/identity/pem.ts';
import { certificateThumbprint, partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { normaliseSerial } from '../../protocol/identity/serialNumber.ts';
import { type PartyIdentity } from '../../protocol/identity/partyUrn.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { Problem } from '../../protocol/problem.ts';

/** Who is on the other end of a request, as its verified TLS client certificate says. */
export interface Caller {
  party: PartyIdentity;
  /** `x5t#S256` of the client certificate: what tokens and signatures are bound to. */
  certificateThumbprint: string;
  /** Serial number, normalised as the CRL lists it, to close connections on revocation. */
  certificateSerial: string;
  /** The client's certificate chain as presented, leaf first, PEM. */
  certificateChain: string[];
  userAgent: string | null;
}

/** What a connection's client certificate says about the caller, the same for every request on it. */
export type ConnectionIdentity = Omit<Caller, 'userAgent'>;

const callers = new WeakMap<Request, Caller>();
/** The caller's identity per TLS connection, parsed once: revocation is checked per request (trustLayer.ts), not here. */
const identities = new WeakMap<object, ConnectionIdentity>();
const envelopes = new WeakMap<Request, VerifiedEnvelope>();

export function setEnvelope(req: Request, envelope: VerifiedEnvelope): void {
  envelopes.set(req, envelope);
}

/** The request's verified signature, if it carried one. */
export function envelopeOf(req: Request): VerifiedEnvelope | undefined {
  return envelopes.get(req);
}

/** The authenticated caller, if the request came through `identifyCaller`. */
export function findCaller(req: Request): Caller | undefined {
  return callers.get(req);
}

/** The authenticated caller; only routes behind `identifyCaller` may ask. */
export function callerOf(req: Request): Caller {
  const caller = callers.get(req);
  if (!caller) throw new Error(`No authenticated caller on ${req.method} ${req.path}: route is not behind identifyCaller`);
  return caller;
}

/**
 * The identity in a connection's verified client certificate, parsed once
 * per TLS 1.3 connection (no renegotiation: the handshake's certificate is the
 * connection's for life); undefined when it names no flexgate party.
 */
export function connectionIdentity(socket: TLSSocket): ConnectionIdentity | undefined {
  let identity = identities.get(socket);
  if (!identity) {
    const peer = socket.getPeerCertificate(true);
    const party = partyFromCertificate(peer);
    if (!party) return undefined;
    identity = {
      party,
      certificateThumbprint: certificateThumbprint(peer.raw),
      certificateSerial: normaliseSerial(peer.serialNumber) ?? peer.serialNumber,
      certificateChain: chainOf(peer),
    };
    if (socket.getProtocol() === 'TLSv1.3') identities.set(socket, identity);
  }
  return identity;
}

/**
 * Names the caller from the client certificate the TLS layer already
 * verified against the CA and its CRLs. A certificate without exactly one
 * flexgate party URI is refused: there is nobody to authorise.
 */
export function identifyCaller() {
  return (req: Request, _res: Response, next: NextFunction) => {
    const socket = req.socket as Partial<TLSSocket>;
    if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) {
      return next(new Problem('auth.client-certificate-required', 'A client certificate issued by the flexgate CA is required (mutual TLS)'));
    }
    const identity = connectionIdentity(socket as TLSSocket);
    if (!identity) return next(new Problem('auth.unknown-party', 'The client certificate names no flexgate party (SAN URI urn:flexgate:<role>:<id>)'));
    callers.set(req, { ...identity, userAgent: req.headers['user-agent'] ?? null });
    next();
  };
}

function chainOf(leaf: DetailedPeerCertificate): string[] {
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let cert: DetailedPeerCertificate | undefined = leaf; cert && cert.raw && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate) {
    seen.add(cert.fingerprint256);
    chain.push(certificatePem(cert.raw));
  }
  return chain;
}
