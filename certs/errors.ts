/** Every way a PKI operation can fail, by stable code (the CLI, logs and tests name failures by these). */
export const PKI_ERROR_CODES = [
  'pki.not-initialised',
  'pki.already-initialised',
  'pki.invalid-party',
  'pki.invalid-option',
  'pki.unknown-certificate',
  'pki.certificate-unusable',
  'pki.already-revoked',
  'pki.root-key-offline',
  'pki.lock-timeout',
  'pki.index-corrupt',
  'pki.export-failed',
] as const;

export type PkiErrorCode = (typeof PKI_ERROR_CODES)[number];

export class PkiError extends Error {
  readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string) {
    super(message);
    this.name = 'PkiError';
    this.code = code;
  }
}
