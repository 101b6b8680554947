import type { Script } from './caseContext.ts';
import { clientScenario } from './scripts/clientScenario.ts';
import { fuzzAnmJson, fuzzEnvelopeOrder, fuzzHostileXml, fuzzRandomBytes } from './scripts/fuzz.ts';
import { deliveryOutcome, webhookNotification } from './scripts/notifications.ts';
import {
  tlsExpiredCertificate,
  tlsNoClientCertificate,
  tlsNonAead,
  tlsRevokedCertificate,
  tlsUnknownCa,
  tlsVersion11,
  tlsWrongKeyUsage,
  unknownParty,
} from './scripts/tlsCases.ts';
import { expiredSigningCertificate, revokedSigningCertificate } from './scripts/signingCertificates.ts';
import {
  venDeclaresAvailability,
  venIgnoresForgedEvents,
  venLearnsOfCreation,
  venLearnsOfVariation,
  venRefusesNotification,
  venRegisters,
  venReportMagnitude,
  venReportMatchesDescriptors,
  venReportsAfterCease,
  venReportsInLifecycle,
  venStopsOnCancellation,
  venSubscribes,
} from './scripts/venCases.ts';

/** Every scripted case by the name its vector gives in `script`. */
export const SCRIPTS: Record<string, Script> = {
  'revoked-signing-certificate': revokedSigningCertificate,
  'expired-signing-certificate': expiredSigningCertificate,
  'webhook-notification': webhookNotification,
  'delivery-outcome': deliveryOutcome,
  'tls-no-client-certificate': tlsNoClientCertificate,
  'tls-unknown-ca': tlsUnknownCa,
  'tls-expired-certificate': tlsExpiredCertificate,
  'tls-revoked-certificate': tlsRevokedCertificate,
  'tls-wrong-key-usage': tlsWrongKeyUsage,
  'tls-version-1.1': tlsVersion11,
  'tls-non-aead': tlsNonAead,
  'unknown-party': unknownParty,
  'fuzz-anm-json': fuzzAnmJson,
  'fuzz-random-bytes': fuzzRandomBytes,
  'fuzz-hostile-xml': fuzzHostileXml,
  'fuzz-envelope-order': fuzzEnvelopeOrder,
  'ven-registers': venRegisters,
  'ven-learns-of-creation': venLearnsOfCreation,
  'ven-learns-of-variation': venLearnsOfVariation,
  'ven-subscribes': venSubscribes,
  'ven-declares-availability': venDeclaresAvailability,
  'ven-reports-in-lifecycle': venReportsInLifecycle,
  'ven-reports-after-cease': venReportsAfterCease,
  'ven-report-matches-descriptors': venReportMatchesDescriptors,
  'ven-report-magnitude': venReportMagnitude,
  'ven-stops-on-cancellation': venStopsOnCancellation,
  'ven-refuses-notification': venRefusesNotification,
  'ven-ignores-forged-events': venIgnoresForgedEvents,
  'client-scenario': clientScenario,
};
