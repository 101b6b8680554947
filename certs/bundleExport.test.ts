import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportBundle } from './bundleExport.ts';
import { PkiError } from './errors.ts';
import { issueCertificate, type IssuedCertificate } from './issuance.ts';
import { initPki } from './pkiInit.ts';
import { pkiLayout } from './pkiLayout.ts';
import { revokeCertificate } from './revocation.ts';
import { openssl, requireOpenssl, temporaryDirectories } from './testSupport.ts';

const pemBlocks = (text: string) =>
  [...text.matchAll(/-----BEGIN ([A-Z ]+)-----\n[\s\S]+?\n-----END \1-----\n/g)].map((match) => ({ label: match[1]!, pem: match[0] }));

describe('exporting a bundle', function () {
  const newDir = temporaryDirectories();
  let dir: string;
  let party: IssuedCertificate;

  before(async function () {
    dir = await newDir();
    await initPki(dir);
    party = await issueCertificate(dir, { role: 'fsp', id: 'fsp-export' });
  });

  it('as PEM: the certificate, the issuing CA, the root, then the private key', async function () {
    const blocks = pemBlocks((await exportBundle(dir, party.urn, { format: 'pem' })).toString('utf8'));
    assert.deepEqual(
      blocks.map((block) => block.label),
      ['CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE', 'PRIVATE KEY'],
    );
    const [leaf, issuing, root, key] = blocks.map((block) => block.pem) as [string, string, string, string];
    const layout = pkiLayout(dir);
    assert.equal(new X509Certificate(leaf).serialNumber, party.serial);
    assert.ok(new X509Certificate(issuing).raw.equals(new X509Certificate(await readFile(layout.authorityCertificate('issuing'))).raw));
    assert.ok(new X509Certificate(root).raw.equals(new X509Certificate(await readFile(layout.authorityCertificate('root'))).raw));
    assert.ok(createPublicKey(createPrivateKey(key)).equals(new X509Certificate(leaf).publicKey));
  });

  it('as PEM without the key, for handing a chain to a peer', async function () {
    const text = (await exportBundle(dir, party.serial, { format: 'pem', includeKey: false })).toString('utf8');
    assert.deepEqual(
      pemBlocks(text).map((block) => block.label),
      ['CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE'],
    );
    assert.doesNotMatch(text, /PRIVATE KEY/);
  });

  it('as PKCS#12 that openssl opens with the password, holding the chain and the key', async function () {
    requireOpenssl(this);
    const p12 = join(dir, 'party.p12');
    const passwordFile = join(dir, 'password');
    await writeFile(p12, await exportBundle(dir, party.urn, { format: 'pkcs12', password: 'correct horse' }));
    await writeFile(passwordFile, 'correct horse\n');

    const info = await openssl(['pkcs12', '-info', '-nokeys', '-in', p12, '-passin', `file:${passwordFile}`]);
    assert.equal(info.status, 0, info.stderr);
    assert.equal(info.stdout.match(/-----BEGIN CERTIFICATE-----/g)?.length, 3);
    assert.match(info.stdout, /subject=O = flexgate, OU = fsp, CN = fsp-export/);
    assert.match(info.stdout, /friendlyName: urn:flexgate:fsp:fsp-export/);

    const keys = await openssl(['pkcs12', '-in', p12, '-nocerts', '-nodes', '-passin', `file:${passwordFile}`]);
    assert.equal(keys.status, 0, keys.stderr);
    const key = keys.stdout.slice(keys.stdout.indexOf('-----BEGIN PRIVATE KEY-----'));
    const certificate = new X509Certificate(await readFile(party.certificatePath));
    assert.ok(createPublicKey(createPrivateKey(key)).equals(certificate.publicKey));

    await writeFile(passwordFile, 'wrong\n');
    assert.notEqual((await openssl(['pkcs12', '-info', '-nokeys', '-in', p12, '-passin', `file:${passwordFile}`])).status, 0);
  });

  it('refuses PKCS#12 without a password, and a revoked certificate in any form', async function () {
    const code = (expected: string) => (error: PkiError) => {
      assert.equal(error.code, expected, error.message);
      return true;
    };
    await assert.rejects(exportBundle(dir, party.urn, { format: 'pkcs12' }), code('pki.invalid-option'));
    const gone = await issueCertificate(dir, { role: 'fsp', id: 'fsp-gone' });
    await revokeCertificate(dir, gone.serial, 'keyCompromise');
    await assert.rejects(exportBundle(dir, gone.serial, { format: 'pem' }), code('pki.certificate-unusable'));
    await assert.rejects(exportBundle(dir, gone.urn, { format: 'pem' }), code('pki.certificate-unusable'));
  });
});
