import { readFile } from 'node:fs/promises';
import { parseCertificateSelector, recordIdentity, usableCertificate } from './certificateRegistry.ts';
import type { PartyIdentity } from '../protocol/identity/partyUrn.ts';
import { readPkiIndex } from './pkiIndex.ts';
import { pkiLayout } from './pkiLayout.ts';
import { normaliseSerial } from '../protocol/identity/serialNumber.ts';
import { x509 } from './x509.ts';

/**
 * What a TLS endpoint verifies peers against, shaped for `tls.createServer` /
 * `tls.createSecureContext`. `crl` holds the CRL of every CA: Node checks
 * revocation at each level of the chain once any CRL is given, and refuses
 * every peer when one is missing or past its nextUpdate.
 */
export interface TrustMaterial {
  ca: string[];
  crl: string[];
}

export async function loadTrustMaterial(dir: string): Promise<TrustMaterial> {
  const layout = pkiLayout(dir);
  const read = (path: string) => readFile(path, 'utf8');
  return {
    ca: await Promise.all([read(layout.authorityCertificate('root')), read(layout.authorityCertificate('issuing'))]),
    crl: await Promise.all([read(layout.crl('root')), read(layout.crl('issuing'))]),
  };
}

/** A party's own TLS identity: `cert` is the certificate followed by the issuing CA, so peers can build the chain. */
export interface TlsCredentials {
  identity: PartyIdentity;
  serial: string;
  notAfter: Date;
  cert: string;
  key: string;
  /** The root CA, to verify the other side with. */
  ca: string[];
}

/** Loads the valid certificate of a party (by URN, the one that expires last; or by serial) with its key. */
export async function loadTlsCredentials(dir: string, serialOrUrn: string, options: { now?: Date } = {}): Promise<TlsCredentials> {
  const layout = pkiLayout(dir);
  const index = await readPkiIndex(layout);
  const record = usableCertificate(index, parseCertificateSelector(serialOrUrn), options.now ?? new Date());
  const [certificate, issuing, root, key] = await Promise.all([
    readFile(layout.certificate(record.role, record.id, record.serial), 'utf8'),
    readFile(layout.authorityCertificate('issuing'), 'utf8'),
    readFile(layout.authorityCertificate('root'), 'utf8'),
    readFile(layout.privateKey(record.role, record.id, record.serial), 'utf8'),
  ]);
  return {
    identity: recordIdentity(record),
    serial: record.serial,
    notAfter: new Date(record.notAfter),
    cert: certificate + issuing,
    key,
    ca: [root],
  };
}

/**
 * Serial numbers listed in the given CRLs, in the form of Node's
 * `PeerCertificate.serialNumber`, so the gateway can close connections that
 * were authorised before a revocation.
 */
export function revokedSerialNumbers(crlPems: readonly string[]): ReadonlySet<string> {
  const serials = new Set<string>();
  for (const pem of crlPems) {
    for (const entry of new x509.X509Crl(pem).entries) {
      const serial = normaliseSerial(entry.serialNumber);
      if (serial) serials.add(serial);
    }
  }
  return serials;
}
