/** The flexgate message envelope (schemas/envelope.ts): one concept per file, for the gateway and every client. */
export { signEnvelope, type EnvelopeClaims } from './sign.ts';
export { verifyEnvelope, type EnvelopeExpectations } from './verify.ts';
export { readEnvelopeHeader, type EnvelopeParts } from './readHeader.ts';
export { receiptFor, checkReceipt, ReceiptMismatch } from './receipt.ts';
export { signerFromCredentials, envelopeAlgorithmOf, type EnvelopeSigner, type EnvelopeAlgorithm } from './signer.ts';
export { sha256Base64url } from './digest.ts';
export type { VerifiedEnvelope } from './verifiedEnvelope.ts';
export { apiVersionFor, PathOutsideApi } from './apiVersion.ts';
export { clockSequence } from './sequence.ts';
