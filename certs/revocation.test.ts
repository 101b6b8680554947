import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { refreshCrls } from './crlKeeper.ts';
import { crlNumberOf } from './crlNumber.ts';
import { generateCrls } from './crls.ts';
import { PkiError } from './errors.ts';
import { issueCertificate, type IssuedCertificate } from './issuance.ts';
import { listAuthorities, listCertificates } from './listing.ts';
import { initPki } from './pkiInit.ts';
import { readPkiIndex } from './pkiIndex.ts';
import { pkiLayout } from './pkiLayout.ts';
import { revokeCertificate } from './revocation.ts';
import { openssl, requireOpenssl, temporaryDirectories } from './testSupport.ts';
import { x509 } from './x509.ts';

const DAY_MS = 86_400_000;

/** openssl's verdict on a certificate, checking the CRL of every CA in the chain (what Node's TLS does). */
async function opensslVerify(dir: string, certificatePath: string, checkAll = true) {
  const layout = pkiLayout(dir);
  const crls = join(dir, 'all-crls.pem');
  await writeFile(crls, (await readFile(layout.crl('root'), 'utf8')) + (await readFile(layout.crl('issuing'), 'utf8')));
  return openssl(['verify', checkAll ? '-crl_check_all' : '-crl_check', '-CAfile', layout.chain, '-CRLfile', crls, certificatePath]);
}

const rejectsWith = (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (error: PkiError) => {
    assert.equal(error.code, code, error.message);
    return true;
  });

describe('revocation and CRLs', function () {
  const newDir = temporaryDirectories();

  describe('checked by openssl verify', function () {
    let dir: string;
    let good: IssuedCertificate;
    let goodEd25519: IssuedCertificate;
    let revoked: IssuedCertificate;

    before(async function () {
      dir = await newDir();
      await initPki(dir);
      good = await issueCertificate(dir, { role: 'anm', id: 'anm-1' });
      goodEd25519 = await issueCertificate(dir, { role: 'fsp', id: 'fsp-ed', algorithm: 'EdDSA' });
      revoked = await issueCertificate(dir, { role: 'fsp', id: 'fsp-1' });
      await revokeCertificate(dir, revoked.serial, 'keyCompromise');
    });

    it('accepts what the PKI issued, with every CA CRL checked', async function () {
      requireOpenssl(this);
      for (const certificate of [good, goodEd25519]) {
        const result = await opensslVerify(dir, certificate.certificatePath);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /: OK$/m);
      }
    });

    it('refuses what was revoked, with -crl_check and -crl_check_all', async function () {
      requireOpenssl(this);
      for (const checkAll of [false, true]) {
        const result = await opensslVerify(dir, revoked.certificatePath, checkAll);
        assert.notEqual(result.status, 0);
        assert.match(result.stdout + result.stderr, /certificate revoked/);
      }
    });

    it('refuses every certificate once the issuing CA is revoked on the root CRL', async function () {
      requireOpenssl(this);
      const ownDir = await newDir();
      await initPki(ownDir);
      const party = await issueCertificate(ownDir, { role: 'dso', id: 'dso-1' });
      const index = await readPkiIndex(pkiLayout(ownDir));
      const result = await revokeCertificate(ownDir, index.issuing.serial, 'cACompromise');
      assert.equal(result.crl.authority, 'root');
      const verdict = await opensslVerify(ownDir, party.certificatePath);
      assert.notEqual(verdict.status, 0);
      assert.match(verdict.stdout + verdict.stderr, /error 23 at 1 depth lookup: certificate revoked/);
      await rejectsWith(issueCertificate(ownDir, { role: 'dso', id: 'dso-2' }), 'pki.certificate-unusable');
    });
  });

  describe('the CRLs', function () {
    const NOW = new Date('2026-05-04T10:00:00Z');
    let dir: string;
    let revoked: IssuedCertificate;

    before(async function () {
      dir = await newDir();
      await initPki(dir, { now: NOW });
      await issueCertificate(dir, { role: 'fsp', id: 'fsp-keep', now: NOW });
      revoked = await issueCertificate(dir, { role: 'fsp', id: 'fsp-gone', now: NOW });
      await revokeCertificate(dir, revoked.serial, 'cessationOfOperation', { now: NOW });
    });

    const readCrl = async (authority: 'root' | 'issuing') => {
      const pem = await readFile(pkiLayout(dir).crl(authority), 'utf8');
      return { pem, crl: new x509.X509Crl(pem) };
    };

    it('are written with the X509 CRL label that Node and openssl accept', async function () {
      for (const authority of ['root', 'issuing'] as const) {
        const { pem } = await readCrl(authority);
        assert.match(pem, /^-----BEGIN X509 CRL-----\n[\s\S]+\n-----END X509 CRL-----\n$/);
      }
    });

    it('list the revoked certificate with its reason and time on the issuing CA CRL, valid 7 days', async function () {
      const { crl } = await readCrl('issuing');
      assert.equal(crl.entries.length, 1);
      const entry = crl.findRevoked(revoked.serial.toLowerCase());
      assert.ok(entry, 'revoked serial listed');
      assert.equal(entry.reason, x509.X509CrlReason.cessationOfOperation);
      assert.equal(entry.revocationDate.toISOString(), NOW.toISOString());
      assert.equal(crl.thisUpdate.toISOString(), NOW.toISOString());
      assert.equal(crl.nextUpdate?.getTime(), NOW.getTime() + 7 * DAY_MS);
    });

    it('give the root CRL a year of validity and no entries while the issuing CA stands', async function () {
      const { crl } = await readCrl('root');
      assert.equal(crl.entries.length, 0);
      assert.equal(crl.nextUpdate?.getTime(), NOW.getTime() + 365 * DAY_MS);
    });

    it('are signed by their CA and carry its key identifier and an increasing CRL number', async function () {
      const layout = pkiLayout(dir);
      for (const authority of ['root', 'issuing'] as const) {
        const ca = new x509.X509Certificate(await readFile(layout.authorityCertificate(authority), 'utf8'));
        const { crl } = await readCrl(authority);
        assert.equal(crl.issuer, ca.subject);
        assert.ok(await crl.verify({ publicKey: ca }), `${authority} CRL signature`);
        const keyId = crl.getExtension(x509.AuthorityKeyIdentifierExtension);
        assert.equal(keyId?.keyId, ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
      }
      const before = crlNumberOf((await readCrl('issuing')).crl)!;
      assert.equal(before, 2, 'one at init, one at the revocation');
      await generateCrls(dir, { now: NOW });
      assert.equal(crlNumberOf((await readCrl('issuing')).crl), before + 1);
      assert.equal((await readPkiIndex(layout)).issuing.crlNumber, before + 1);
    });

    it('drop a revoked certificate once it has expired', async function () {
      await generateCrls(dir, { authorities: ['issuing'], now: new Date(NOW.getTime() + 31 * DAY_MS) });
      assert.equal((await readCrl('issuing')).crl.entries.length, 0);
    });
  });

  describe('revokeCertificate', function () {
    let dir: string;
    before(async function () {
      dir = await newDir();
      await initPki(dir);
    });

    it('by party URN revokes every valid certificate of that party and no other', async function () {
      const first = await issueCertificate(dir, { role: 'fsp', id: 'fsp-7' });
      const second = await issueCertificate(dir, { role: 'fsp', id: 'fsp-7' });
      const bystander = await issueCertificate(dir, { role: 'fsp', id: 'fsp-8' });
      const result = await revokeCertificate(dir, 'urn:flexgate:fsp:fsp-7', 'affiliationChanged');
      assert.deepEqual(result.revoked.sort(), [first.serial, second.serial].sort());
      const listing = await listCertificates(dir);
      const status = (serial: string) => listing.find((entry) => entry.serial === serial);
      assert.equal(status(first.serial)?.status, 'revoked');
      assert.equal(status(first.serial)?.revocationReason, 'affiliationChanged');
      assert.ok(status(first.serial)?.revokedAt instanceof Date);
      assert.equal(status(bystander.serial)?.status, 'valid');
      const crl = new x509.X509Crl(await readFile(pkiLayout(dir).crl('issuing'), 'utf8'));
      assert.ok(crl.findRevoked(first.serial.toLowerCase()) && crl.findRevoked(second.serial.toLowerCase()));
      assert.equal(crl.findRevoked(bystander.serial.toLowerCase()), null);
    });

    it('accepts a serial as openssl prints it (lower case, colons)', async function () {
      const party = await issueCertificate(dir, { role: 'dso', id: 'dso-9' });
      const printed = party.serial.toLowerCase().match(/../g)!.join(':');
      assert.deepEqual((await revokeCertificate(dir, printed, 'superseded')).revoked, [party.serial]);
    });

    it('refuses to revoke twice, an unknown serial, a malformed selector, or the root', async function () {
      const party = await issueCertificate(dir, { role: 'admin', id: 'admin-1' });
      await revokeCertificate(dir, party.serial, 'keyCompromise');
      await rejectsWith(revokeCertificate(dir, party.serial, 'keyCompromise'), 'pki.already-revoked');
      await rejectsWith(revokeCertificate(dir, 'urn:flexgate:admin:admin-1', 'keyCompromise'), 'pki.already-revoked');
      await rejectsWith(revokeCertificate(dir, '1234ABCD', 'keyCompromise'), 'pki.unknown-certificate');
      await rejectsWith(revokeCertificate(dir, 'not a serial', 'keyCompromise'), 'pki.invalid-option');
      await rejectsWith(revokeCertificate(dir, 'urn:flexgate:nobody:x', 'keyCompromise'), 'pki.invalid-party');
      const { root } = await readPkiIndex(pkiLayout(dir));
      await rejectsWith(revokeCertificate(dir, root.serial, 'keyCompromise'), 'pki.invalid-option');
    });
  });

  describe('with the root key offline', function () {
    it('still revokes end-entity certificates; only root CRL signing asks for the key', async function () {
      const dir = await newDir();
      const layout = pkiLayout(dir);
      const start = new Date();
      await initPki(dir, { now: start });
      await rename(layout.authorityKey('root'), join(dir, 'root-key-on-a-usb-stick.pem'));
      assert.deepEqual(
        (await listAuthorities(dir)).map(({ authority, keyOnline }) => [authority, keyOnline]),
        [
          ['root', false],
          ['issuing', true],
        ],
      );
      const party = await issueCertificate(dir, { role: 'fsp', id: 'fsp-1' });
      assert.deepEqual((await revokeCertificate(dir, party.serial, 'keyCompromise')).revoked, [party.serial]);
      await rejectsWith(generateCrls(dir), 'pki.root-key-offline');

      // Ten months on both CRLs are due: the issuing one is still re-issued before the root key is asked for.
      const later = new Date(start.getTime() + 300 * DAY_MS);
      await rejectsWith(refreshCrls(dir, { now: later }), 'pki.root-key-offline');
      const issuingCrl = new x509.X509Crl(await readFile(layout.crl('issuing'), 'utf8'));
      assert.equal(issuingCrl.thisUpdate.getTime(), Math.floor(later.getTime() / 1000) * 1000);
    });
  });
});
