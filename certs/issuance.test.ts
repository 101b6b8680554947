import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { issueCertificate, type IssuedCertificate } from './issuance.ts';
import type { KeyAlgorithm } from './keyAlgorithms.ts';
import { PkiError } from './errors.ts';
import { initPki } from './pkiInit.ts';
import { readPkiIndex } from './pkiIndex.ts';
import { pkiLayout } from './pkiLayout.ts';
import { temporaryDirectories } from './testSupport.ts';
import { x509 } from './x509.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 86_400_000;

async function parsed(path: string) {
  const pem = await readFile(path, 'utf8');
  return { node: new X509Certificate(pem), peculiar: new x509.X509Certificate(pem) };
}

function keyUsage(certificate: x509.X509Certificate) {
  const extension = certificate.getExtension(x509.KeyUsagesExtension);
  assert.ok(extension, 'key usage extension present');
  return extension;
}

function extendedKeyUsages(certificate: x509.X509Certificate): string[] {
  return [...(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])].map(String).sort();
}

describe('certificate issuance', function () {
  const newDir = temporaryDirectories();
  let dir: string;
  let issuingCa: X509Certificate;
  const issued = new Map<KeyAlgorithm, IssuedCertificate>();

  before(async function () {
    dir = await newDir();
    await initPki(dir, { now: NOW });
    issuingCa = new X509Certificate(await readFile(pkiLayout(dir).authorityCertificate('issuing'), 'utf8'));
    // RSA-3072 key generation is the slow part of this file; each algorithm is issued once here.
    for (const algorithm of ['ES256', 'RS3072', 'EdDSA'] as const) {
      issued.set(algorithm, await issueCertificate(dir, { role: 'fsp', id: `fsp-${algorithm.toLowerCase()}`, algorithm, now: NOW }));
    }
  });

  describe('the CAs', function () {
    it('has a self-signed root CA valid for 20 years, allowed to sign certificates and CRLs', async function () {
      const { node, peculiar } = await parsed(pkiLayout(dir).authorityCertificate('root'));
      assert.ok(node.ca);
      assert.ok(node.checkIssued(node) && node.verify(node.publicKey), 'self-signed');
      const constraints = peculiar.getExtension(x509.BasicConstraintsExtension)!;
      assert.equal(constraints.critical, true);
      assert.equal(constraints.pathLength, undefined);
      assert.equal(keyUsage(peculiar).usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      assert.equal(keyUsage(peculiar).critical, true);
      assert.equal(peculiar.notAfter.toISOString(), '2046-03-01T12:00:00.000Z');
      assert.equal(node.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    });

    it('has an issuing CA signed by the root, valid for 5 years, that may sign end-entity certificates only (pathLen 0)', async function () {
      const root = new X509Certificate(await readFile(pkiLayout(dir).authorityCertificate('root'), 'utf8'));
      const { node, peculiar } = await parsed(pkiLayout(dir).authorityCertificate('issuing'));
      assert.ok(node.ca);
      assert.ok(node.checkIssued(root) && node.verify(root.publicKey), 'signed by the root');
      const constraints = peculiar.getExtension(x509.BasicConstraintsExtension)!;
      assert.equal(constraints.critical, true);
      assert.equal(constraints.pathLength, 0);
      assert.equal(keyUsage(peculiar).usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      assert.equal(peculiar.notAfter.toISOString(), '2031-03-01T12:00:00.000Z');
    });

    it('refuses to initialise a folder twice', async function () {
      await assert.rejects(initPki(dir), (error: PkiError) => error.code === 'pki.already-initialised');
    });
  });

  const expectations: Record<KeyAlgorithm, { keyType: string; detail: (key: X509Certificate['publicKey']) => unknown; expected: unknown; usages: number }> = {
    ES256: { keyType: 'ec', detail: (key) => key.asymmetricKeyDetails?.namedCurve, expected: 'prime256v1', usages: x509.KeyUsageFlags.digitalSignature },
    RS3072: {
      keyType: 'rsa',
      detail: (key) => key.asymmetricKeyDetails?.modulusLength,
      expected: 3072,
      usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    },
    EdDSA: { keyType: 'ed25519', detail: () => 'ed25519', expected: 'ed25519', usages: x509.KeyUsageFlags.digitalSignature },
  };

  for (const algorithm of ['ES256', 'RS3072', 'EdDSA'] as const) {
    describe(`an ${algorithm} party certificate`, function () {
      it('names the party as CN and as the SAN URI urn:flexgate:<role>:<id>, and nothing else', async function () {
        const { node } = await parsed(issued.get(algorithm)!.certificatePath);
        const id = `fsp-${algorithm.toLowerCase()}`;
        assert.equal(node.subjectAltName, `URI:urn:flexgate:fsp:${id}`);
        assert.equal(node.subject, `O=flexgate\nOU=fsp\nCN=${id}`);
      });

      it('is an end entity for client authentication only, with the key usage of its algorithm (critical)', async function () {
        const { node, peculiar } = await parsed(issued.get(algorithm)!.certificatePath);
        assert.equal(node.ca, false);
        assert.equal(peculiar.getExtension(x509.BasicConstraintsExtension)?.critical, true);
        assert.deepEqual(extendedKeyUsages(peculiar), [x509.ExtendedKeyUsage.clientAuth]);
        assert.equal(keyUsage(peculiar).usages, expectations[algorithm].usages);
        assert.equal(keyUsage(peculiar).critical, true);
      });

      it('carries a key of the requested algorithm, and its private key file matches it', async function () {
        const certificate = issued.get(algorithm)!;
        const { node } = await parsed(certificate.certificatePath);
        assert.equal(node.publicKey.asymmetricKeyType, expectations[algorithm].keyType);
        assert.equal(expectations[algorithm].detail(node.publicKey), expectations[algorithm].expected);
        const fromPrivate = createPublicKey(createPrivateKey(await readFile(certificate.privateKeyPath, 'utf8')));
        assert.ok(fromPrivate.equals(node.publicKey));
      });

      it('is valid for 30 days from issue, starting 5 minutes early for clock skew', async function () {
        const { peculiar } = await parsed(issued.get(algorithm)!.certificatePath);
        assert.equal(peculiar.notBefore.getTime(), NOW.getTime() - 5 * 60_000);
        assert.equal(peculiar.notAfter.getTime(), NOW.getTime() + 30 * DAY_MS);
      });

      it('is signed by the issuing CA and points at its key', async function () {
        const { node, peculiar } = await parsed(issued.get(algorithm)!.certificatePath);
        assert.ok(node.checkIssued(issuingCa) && node.verify(issuingCa.publicKey));
        const issuerKeyId = new x509.X509Certificate(issuingCa.raw).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
        assert.equal(peculiar.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, issuerKeyId);
        assert.equal(node.serialNumber, issued.get(algorithm)!.serial);
      });
    });
  }

  it('gives a gateway certificate serverAuth as well as clientAuth, with its DNS and IP names', async function () {
    const gateway = await issueCertificate(dir, {
      role: 'gateway',
      id: 'gw-1',
      dnsNames: ['Gateway.Example.org'],
      ipAddresses: ['127.0.0.1', '::1'],
      now: NOW,
    });
    const { node, peculiar } = await parsed(gateway.certificatePath);
    assert.deepEqual(extendedKeyUsages(peculiar), [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth].sort());
    assert.equal(node.subjectAltName, 'URI:urn:flexgate:gateway:gw-1, DNS:gateway.example.org, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.equal(node.checkHost('gateway.example.org'), 'gateway.example.org');
    assert.equal(node.checkIP('127.0.0.1'), '127.0.0.1');
  });

  it('gives serverAuth to any party certificate that names a server', async function () {
    const vtn = await issueCertificate(dir, { role: 'dso', id: 'dso-vtn', dnsNames: ['vtn.dso.example'], now: NOW });
    assert.deepEqual(
      extendedKeyUsages((await parsed(vtn.certificatePath)).peculiar),
      [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth].sort(),
    );
  });

  it('writes private keys 0600 inside folders 0700, certificates 0644', async function () {
    const layout = pkiLayout(dir);
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    for (const certificate of issued.values()) {
      assert.equal(await mode(certificate.privateKeyPath), 0o600, certificate.privateKeyPath);
      assert.equal(await mode(certificate.certificatePath), 0o644, certificate.certificatePath);
      assert.equal(await mode(dirname(certificate.privateKeyPath)), 0o700);
    }
    assert.equal(await mode(layout.authorityKey('root')), 0o600);
    assert.equal(await mode(layout.authorityKey('issuing')), 0o600);
    for (const folder of [dir, layout.authorityDir('root'), layout.authorityDir('issuing'), layout.crlDir, layout.issuedDir]) {
      assert.equal(await mode(folder), 0o700, folder);
    }
  });

  it('records every certificate in the registry, even when issued concurrently', async function () {
    const before = (await readPkiIndex(pkiLayout(dir))).certificates.length;
    const parties = Array.from({ length: 8 }, (_, n) => `fsp-concurrent-${n}`);
    const results = await Promise.all(parties.map((id) => issueCertificate(dir, { role: 'fsp', id, now: NOW })));
    const index = await readPkiIndex(pkiLayout(dir));
    assert.equal(index.certificates.length, before + parties.length);
    for (const result of results) assert.ok(index.certificates.some((record) => record.serial === result.serial));
    assert.equal(new Set(index.certificates.map((record) => record.serial)).size, index.certificates.length, 'serials are unique');
  });

  describe('refuses', function () {
    const refused = (options: Parameters<typeof issueCertificate>[1], code: string) =>
      assert.rejects(issueCertificate(dir, options), (error: PkiError) => {
        assert.equal(error.code, code, error.message);
        return true;
      });

    for (const id of ['', 'FSP-1', '-fsp', 'fsp-', 'a'.repeat(61), 'fsp/1', '../fsp', 'fsp 1', 'fsp:1', 'fsp\n1']) {
      it(`party id ${JSON.stringify(id)}`, () => refused({ role: 'fsp', id, now: NOW }, 'pki.invalid-party'));
    }

    it('a role outside the list', () => refused({ role: 'vtn' as 'fsp', id: 'x', now: NOW }, 'pki.invalid-party'));
    it('a lifetime of 0 or over 397 days', async function () {
      await refused({ role: 'fsp', id: 'x', lifetimeDays: 0, now: NOW }, 'pki.invalid-option');
      await refused({ role: 'fsp', id: 'x', lifetimeDays: 398, now: NOW }, 'pki.invalid-option');
    });
    it('a certificate that would outlive the issuing CA', () =>
      refused({ role: 'fsp', id: 'x', lifetimeDays: 300, now: new Date('2030-12-01T00:00:00Z') }, 'pki.invalid-option'));
    it('malformed server names', async function () {
      await refused({ role: 'gateway', id: 'x', dnsNames: ['*.example.org'], now: NOW }, 'pki.invalid-option');
      await refused({ role: 'gateway', id: 'x', dnsNames: ['bad_name.example'], now: NOW }, 'pki.invalid-option');
      await refused({ role: 'gateway', id: 'x', ipAddresses: ['300.1.1.1'], now: NOW }, 'pki.invalid-option');
    });
    it('to work in a folder without a PKI', async function () {
      await assert.rejects(issueCertificate(join(dir, 'nothing-here'), { role: 'fsp', id: 'x' }), (error: PkiError) => error.code === 'pki.not-initialised');
    });
  });

  it('accepts a 60-character party id', async function () {
    const id = `f${'0'.repeat(58)}f`;
    const certificate = await issueCertificate(dir, { role: 'fsp', id, now: NOW });
    assert.equal(certificate.urn, `urn:flexgate:fsp:${id}`);
  });
});
