import { PkiError } from './errors.ts';
import { partyIdentity } from './partyIdentity.ts';
import { parsePartyUrn, type PartyIdentity } from '../protocol/identity/partyUrn.ts';
import type { CertificateRecord, PkiIndex } from './pkiIndex.ts';
import { normaliseSerial } from '../protocol/identity/serialNumber.ts';

export type CertificateStatus = 'valid' | 'revoked' | 'expired';

export function certificateStatus(record: Pick<CertificateRecord, 'notAfter' | 'revocation'>, now: Date): CertificateStatus {
  if (record.revocation) return 'revoked';
  return new Date(record.notAfter) <= now ? 'expired' : 'valid';
}

export function recordIdentity(record: CertificateRecord): PartyIdentity {
  return partyIdentity(record.role, record.id);
}

/** What a CLI argument or API caller names: one certificate by serial, or all certificates of a party by URN. */
export type CertificateSelector = { serial: string } | { party: PartyIdentity };

export function parseCertificateSelector(serialOrUrn: string): CertificateSelector {
  if (serialOrUrn.startsWith('urn:')) {
    const party = parsePartyUrn(serialOrUrn);
    if (!party) throw new PkiError('pki.invalid-party', `"${serialOrUrn}" is not a party URN (urn:flexgate:<role>:<id>)`);
    return { party };
  }
  const serial = normaliseSerial(serialOrUrn);
  if (!serial) throw new PkiError('pki.invalid-option', `"${serialOrUrn}" is neither a hexadecimal serial number nor a party URN`);
  return { serial };
}

/** The matching end-entity certificates, newest first; a `pki.unknown-certificate` error when there are none. */
export function selectCertificates(index: PkiIndex, selector: CertificateSelector): CertificateRecord[] {
  const matches = index.certificates.filter((record) =>
    'serial' in selector ? record.serial === selector.serial : record.role === selector.party.role && record.id === selector.party.id,
  );
  if (matches.length === 0) {
    const name = 'serial' in selector ? `serial ${selector.serial}` : selector.party.urn;
    throw new PkiError('pki.unknown-certificate', `no certificate was issued for ${name}`);
  }
  return matches.sort(newestFirst);
}

/**
 * The certificate to use for a selector: for a serial, that certificate if it
 * is still valid; for a party, its valid certificate with the latest expiry.
 */
export function usableCertificate(index: PkiIndex, selector: CertificateSelector, now: Date): CertificateRecord {
  const matches = selectCertificates(index, selector);
  const usable = matches.filter((record) => certificateStatus(record, now) === 'valid').sort((a, b) => Date.parse(b.notAfter) - Date.parse(a.notAfter))[0];
  if (!usable) {
    const name = 'serial' in selector ? `certificate ${selector.serial} is` : `every certificate of ${selector.party.urn} is`;
    throw new PkiError('pki.certificate-unusable', `${name} revoked or expired`);
  }
  return usable;
}

function newestFirst(a: CertificateRecord, b: CertificateRecord): number {
  return Date.parse(b.notBefore) - Date.parse(a.notBefore);
}
