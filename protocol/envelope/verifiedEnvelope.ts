import type { Receipt } from '../../schemas/envelope.ts';

/** A signature that verified (verify.ts): the protected header members a receiver acts on. */
export interface VerifiedEnvelope {
  /** The detached compact JWS as received: `<protected>..<signature>`. */
  jws: string;
  alg: string;
  issuer: string;
  audience: string;
  messageId: string;
  /** Decimal string: compared as a big integer, never as a float. */
  sequence: string;
  /** `iat`, seconds since the epoch. */
  issuedAt: number;
  schemaVersion: string;
  /** The certificate chain the signature was verified with, PEM, leaf first. */
  certificateChain: string[];
  /** Admitted by the trust layer already; otherwise the intake admits it with the message. */
  admittedOnArrival?: boolean;
  /** SHA-256 (base64url) of the body bytes and of the protected header, named by the signed receipt. */
  bodySha256: string;
  protectedHeaderSha256: string;
  /** SHA-256 of the signed request (method, path with query, body digest): what the message id is bound to. */
  requestSha256: string;
  /** A response's proof of receipt (`rcpt`): the request it acknowledges. */
  receipt?: Receipt;
}
