/**
 * Every error flexgate code throws on purpose carries a stable `code`, as
 * jose's errors do: callers branch on the code, never on the message. The
 * gateway's refusals are `Problem`s (codes from the problem catalogue);
 * failures that only a caller meets have a class of their own below.
 */
export abstract class FlexgateError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A key that cannot sign envelopes: only P-256 (ES256) and Ed25519 (EdDSA) keys may. */
export class UnsupportedSigningKey extends FlexgateError {
  readonly code = 'envelope.unsupported-signing-key';
}

/** Credentials that name no flexgate party, or hold no certificate. */
export class InvalidCredentials extends FlexgateError {
  readonly code = 'credentials.invalid';
}
