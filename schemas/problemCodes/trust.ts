import type { ProblemSpecs } from './spec.ts';

/** Transport identity, authorisation and the signed message envelope (schemas/envelope.ts). */
export const trustProblems = {
  'auth.client-certificate-required': { status: 401, title: 'Mutual TLS client certificate required' },
  'auth.certificate-revoked': { status: 401, title: 'Client certificate is revoked' },
  'auth.unknown-party': { status: 403, title: 'Client certificate names no flexgate party' },
  'auth.role-forbidden': { status: 403, title: "The caller's role may not use this route" },
  'envelope.signature-missing': { status: 401, title: 'Request is not signed' },
  'envelope.malformed': { status: 400, title: 'Signature header is not a well-formed envelope' },
  'envelope.algorithm-not-allowed': { status: 401, title: 'Signature algorithm not allowed for this API version' },
  'envelope.unknown-critical': { status: 400, title: 'Signature marks as critical a member flexgate does not understand' },
  'envelope.unknown-key': { status: 401, title: 'Signing key is not known' },
  'envelope.key-mismatch': { status: 401, title: 'Signing certificate is not the TLS client certificate' },
  'envelope.certificate-revoked': { status: 401, title: 'Signing certificate is revoked' },
  'envelope.certificate-expired': { status: 401, title: 'Signing certificate is expired or not yet valid' },
  'envelope.bad-signature': { status: 401, title: 'Signature does not verify' },
  'envelope.issuer-mismatch': { status: 403, title: 'Signature issuer is not the party of the client certificate' },
  'envelope.wrong-audience': { status: 403, title: 'Signature is addressed to another party' },
  'envelope.request-mismatch': { status: 400, title: 'Signature was made for another method, path or API version' },
  'envelope.stale': { status: 401, title: 'Signature issue time is too far in the past' },
  'envelope.from-future': { status: 401, title: 'Signature issue time is in the future' },
  'envelope.replayed': { status: 409, title: 'Message id was already used' },
  'envelope.message-id-reused': { status: 409, title: 'Message id was already used for different content' },
  'envelope.sequence-replayed': { status: 409, title: 'Sequence number was already accepted' },
  'envelope.sequence-too-old': { status: 409, title: 'Sequence number is below the replay window' },
} as const satisfies ProblemSpecs;
