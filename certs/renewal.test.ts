import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PkiError } from './errors.ts';
import { issueCertificate } from './issuance.ts';
import { listCertificates } from './listing.ts';
import { initPki } from './pkiInit.ts';
import { pkiLayout } from './pkiLayout.ts';
import { renewCertificate } from './renewal.ts';
import { temporaryDirectories } from './testSupport.ts';
import { loadTlsCredentials } from './tlsMaterial.ts';
import { x509 } from './x509.ts';

const DAY_MS = 86_400_000;
const T0 = new Date('2026-02-01T09:00:00Z');

describe('certificate renewal', function () {
  const newDir = temporaryDirectories();
  let dir: string;
  beforeEach(async function () {
    dir = await newDir();
    await initPki(dir, { now: T0 });
  });

  const statusOf = async (serial: string) => (await listCertificates(dir, { now: new Date(T0.getTime() + 20 * DAY_MS) })).find((c) => c.serial === serial);

  it('issues a new key and certificate for the same party, names, algorithm and lifetime', async function () {
    const old = await issueCertificate(dir, { role: 'gateway', id: 'gw', algorithm: 'EdDSA', lifetimeDays: 60, dnsNames: ['gw.example'], now: T0 });
    const later = new Date(T0.getTime() + 20 * DAY_MS);
    const { issued, revoked } = await renewCertificate(dir, old.serial, { now: later });
    assert.notEqual(issued.serial, old.serial);
    assert.deepEqual([issued.urn, issued.algorithm], [old.urn, 'EdDSA']);
    assert.equal(issued.notAfter.getTime(), later.getTime() + 60 * DAY_MS);
    assert.deepEqual(revoked, []);

    const [before, after] = await Promise.all([readFile(old.certificatePath, 'utf8'), readFile(issued.certificatePath, 'utf8')]);
    assert.equal(new X509Certificate(after).subjectAltName, new X509Certificate(before).subjectAltName);
    assert.ok(!new X509Certificate(after).publicKey.equals(new X509Certificate(before).publicKey), 'a new key');
    assert.notEqual(await readFile(issued.privateKeyPath, 'utf8'), await readFile(old.privateKeyPath, 'utf8'));
  });

  it('leaves the old certificate valid unless asked to revoke it', async function () {
    const old = await issueCertificate(dir, { role: 'fsp', id: 'fsp-1', now: T0 });
    const { issued } = await renewCertificate(dir, 'urn:flexgate:fsp:fsp-1', { now: T0 });
    assert.equal((await statusOf(old.serial))?.status, 'valid');
    assert.equal((await statusOf(issued.serial))?.status, 'valid');
  });

  it('with revokeOld, revokes the replaced certificates as superseded and lists them on the CRL', async function () {
    const first = await issueCertificate(dir, { role: 'fsp', id: 'fsp-2', now: T0 });
    const second = await issueCertificate(dir, { role: 'fsp', id: 'fsp-2', now: T0 });
    const { issued, revoked } = await renewCertificate(dir, 'urn:flexgate:fsp:fsp-2', { revokeOld: true, now: T0 });
    assert.deepEqual(revoked.sort(), [first.serial, second.serial].sort());
    assert.equal((await statusOf(first.serial))?.revocationReason, 'superseded');
    assert.equal((await statusOf(issued.serial))?.status, 'valid');
    const crl = new x509.X509Crl(await readFile(pkiLayout(dir).crl('issuing'), 'utf8'));
    assert.equal(crl.findRevoked(first.serial.toLowerCase())?.reason, x509.X509CrlReason.superseded);
    assert.equal((await loadTlsCredentials(dir, 'urn:flexgate:fsp:fsp-2', { now: T0 })).serial, issued.serial);
  });

  it('can change the algorithm, e.g. to RSA for an OpenADR 2.0b peer that needs it', async function () {
    const old = await issueCertificate(dir, { role: 'dso', id: 'dso-1', now: T0 });
    const { issued } = await renewCertificate(dir, old.serial, { algorithm: 'RS3072', now: T0 });
    assert.equal(new X509Certificate(await readFile(issued.certificatePath, 'utf8')).publicKey.asymmetricKeyType, 'rsa');
  });

  it('renews an expired certificate too, and refuses a party that never had one', async function () {
    const old = await issueCertificate(dir, { role: 'admin', id: 'admin-1', now: T0 });
    const { issued } = await renewCertificate(dir, old.urn, { now: new Date(T0.getTime() + 45 * DAY_MS) });
    assert.equal(issued.urn, old.urn);
    await assert.rejects(renewCertificate(dir, 'urn:flexgate:admin:nobody', { now: T0 }), (error: PkiError) => error.code === 'pki.unknown-certificate');
  });
});
