import { randomBytes, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { issueCertificate, loadTlsCredentials, revokeCertificate } from '../../../certs/index.ts';
import { x509 } from '../../../certs/x509.ts';
import type { CaseContext, Script } from '../caseContext.ts';
import { CaseFailed } from '../exchange.ts';
import { pkiDirOf } from './signingCertificates.ts';
import { probe, type ProbeOutcome } from './tlsProbe.ts';

/** A party's own valid connection is answered: without this control, a refusal below could be the probe's fault. */
async function control(context: CaseContext): Promise<ConnectionOptions> {
  const credentials = context.target.credentials('fsp');
  const options = { cert: credentials.cert, key: credentials.key, ca: credentials.ca };
  const outcome = await probe(context.target.url, options);
  context.note(`control (valid FSP certificate, default TLS): ${JSON.stringify(outcome)}`);
  if (!outcome.answered) throw new CaseFailed(`the control connection with a valid certificate was not answered (${outcome.reason}); the case cannot judge`);
  return options;
}

/** Refused: at the handshake, or answered 401 with one of the problem types that say the certificate is not accepted. */
const REFUSING_PROBLEMS = ['auth.client-certificate-required', 'auth.certificate-revoked'];

function refused(outcome: ProbeOutcome): boolean {
  return !outcome.answered || (outcome.status === 401 && outcome.problem !== undefined && REFUSING_PROBLEMS.includes(outcome.problem));
}

async function expectRefused(context: CaseContext, label: string, options: ConnectionOptions): Promise<void> {
  const outcome = await probe(context.target.url, options);
  context.note(`${label}: ${JSON.stringify(outcome)}`);
  if (!refused(outcome)) throw new CaseFailed(`${label}: the connection was let through and answered "${outcome.answered ? outcome.statusLine : ''}"`);
}

/** A client that presents no certificate is refused at the handshake. */
export const tlsNoClientCertificate: Script = async (context) => {
  const { ca } = await control(context);
  await expectRefused(context, 'no client certificate', { ca });
};

/** TLS 1.1 is refused (TLS 1.2 is the floor). */
export const tlsVersion11: Script = async (context) => {
  const options = await control(context);
  await expectRefused(context, 'TLS 1.1', { ...options, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
};

/** A TLS 1.2 suite without authenticated encryption (CBC with HMAC) is refused. */
export const tlsNonAead: Script = async (context) => {
  const options = await control(context);
  await expectRefused(context, 'TLS 1.2 with CBC suites only', {
    ...options,
    maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA256:AES128-SHA256:AES128-SHA',
  });
};

/** An expired client certificate of the target's own CA is refused. */
export const tlsExpiredCertificate: Script = async (context) => {
  const { ca } = await control(context);
  const pkiDir = pkiDirOf(context);
  const issued = await issueCertificate(pkiDir, {
    role: 'fsp',
    id: `tls-lapsed-${suffix(context)}`,
    lifetimeDays: 1,
    now: new Date(Date.now() - 3 * 86_400_000),
  });
  const cert = (await readFile(issued.certificatePath, 'utf8')) + (await readFile(issued.chainPath, 'utf8'));
  await expectRefused(context, 'expired client certificate', { ca, cert, key: await readFile(issued.privateKeyPath, 'utf8') });
};

/** A revoked client certificate is refused once the target's CRL names it. */
export const tlsRevokedCertificate: Script = async (context) => {
  const { ca } = await control(context);
  const pkiDir = pkiDirOf(context);
  const issued = await issueCertificate(pkiDir, { role: 'fsp', id: `tls-revoked-${suffix(context)}` });
  const credentials = await loadTlsCredentials(pkiDir, issued.serial);
  await revokeCertificate(pkiDir, issued.urn, 'keyCompromise');
  // The target reloads its CRL after a debounce: retry until it refuses, within 10 s.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const outcome = await probe(context.target.url, { ca, cert: credentials.cert, key: credentials.key });
    if (refused(outcome)) {
      context.note(`revoked client certificate: ${JSON.stringify(outcome)}`);
      // Refused at the handshake, or answered with the type that names the revocation.
      if (outcome.answered && outcome.problem !== 'auth.certificate-revoked') {
        throw new CaseFailed(`a revoked client certificate was refused as ${outcome.problem}, not auth.certificate-revoked`);
      }
      return;
    }
    if (Date.now() > deadline) throw new CaseFailed(`a revoked client certificate is still answered (${JSON.stringify(outcome)}) 10 s after revocation`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** A certificate from a CA the target does not trust, naming a party, is refused. */
export const tlsUnknownCa: Script = async (context) => {
  const { ca } = await control(context);
  const authority = await newAuthority('CN=Conformance stranger CA');
  const leaf = await leafCertificate(authority, { uri: `urn:flexgate:fsp:stranger-${suffix(context)}`, usages: [x509.ExtendedKeyUsage.clientAuth] });
  await expectRefused(context, 'certificate of an unknown CA', { ca, cert: leaf.cert + authority.pem, key: leaf.key });
};

/** A certificate of the target's CA whose purpose is not client authentication is refused. */
export const tlsWrongKeyUsage: Script = async (context) => {
  const { ca } = await control(context);
  const authority = await issuingAuthority(pkiDirOf(context));
  const leaf = await leafCertificate(authority, { uri: `urn:flexgate:fsp:server-only-${suffix(context)}`, usages: [x509.ExtendedKeyUsage.serverAuth] });
  await expectRefused(context, 'certificate for server authentication only', { ca, cert: leaf.cert + authority.pem, key: leaf.key });
};

/** A certificate of the target's CA that names no party is let through TLS and refused by the API with auth.unknown-party. */
export const unknownParty: Script = async (context) => {
  const { ca } = await control(context);
  const authority = await issuingAuthority(pkiDirOf(context));
  const leaf = await leafCertificate(authority, { usages: [x509.ExtendedKeyUsage.clientAuth] });
  const outcome = await probe(context.target.url, { ca, cert: leaf.cert + authority.pem, key: leaf.key });
  context.note(`certificate naming no party: ${JSON.stringify(outcome)}`);
  if (!outcome.answered || outcome.status !== 403 || outcome.problem !== 'auth.unknown-party') {
    throw new CaseFailed(`a certificate naming no party must be answered 403 auth.unknown-party, got ${JSON.stringify(outcome)}`);
  }
};

const suffix = (context: CaseContext) => String(context.variables.get('unique')).slice(0, 8) + randomBytes(2).toString('hex');

interface Authority {
  pem: string;
  certificate: x509.X509Certificate;
  key: CryptoKey;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function newAuthority(subject: string): Promise<Authority> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString('hex'),
    name: subject,
    notBefore: new Date(Date.now() - 300_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { pem: certificate.toString('pem'), certificate, key: keys.privateKey };
}

/** The target's issuing CA, from its PKI folder (certs/README.md: `issuing/ca.pem`, `issuing/ca.key`). */
async function issuingAuthority(pkiDir: string): Promise<Authority> {
  const pem = await readFile(join(pkiDir, 'issuing', 'ca.pem'), 'utf8');
  const keyPem = await readFile(join(pkiDir, 'issuing', 'ca.key'), 'utf8');
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const key = await webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
  return { pem, certificate: new x509.X509Certificate(pem), key };
}

async function leafCertificate(authority: Authority, options: { uri?: string; usages: x509.ExtendedKeyUsage[] }): Promise<{ cert: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(16).toString('hex'),
    subject: 'CN=conformance probe',
    issuer: authority.certificate.subject,
    notBefore: new Date(Date.now() - 300_000),
    notAfter: new Date(Date.now() + 86_400_000),
    publicKey: keys.publicKey,
    signingKey: authority.key,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(options.usages),
      ...(options.uri ? [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: options.uri }])] : []),
      await x509.AuthorityKeyIdentifierExtension.create(authority.certificate),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: certificate.toString('pem') + '\n', key };
}
