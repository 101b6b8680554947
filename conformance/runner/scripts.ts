import type { Script } from './caseContext.ts';
import { expiredSigningCertificate, revokedSigningCertificate } from './scripts/signingCertificates.ts';

/** Every scripted case by the name its vector gives in `script`. */
export const SCRIPTS: Record<string, Script> = {
  'revoked-signing-certificate': revokedSigningCertificate,
  'expired-signing-certificate': expiredSigningCertificate,
};
