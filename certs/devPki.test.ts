import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { DEV_PARTIES, ensureDevPki } from './devPki.ts';
import { listCertificates } from './listing.ts';
import { pkiLayout } from './pkiLayout.ts';
import { revokeCertificate } from './revocation.ts';
import { temporaryDirectories } from './testSupport.ts';
import { x509 } from './x509.ts';

const DAY_MS = 86_400_000;

const extendedKeyUsages = async (path: string) =>
  [...(new x509.X509Certificate(await readFile(path, 'utf8')).getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])].map(String).sort();

describe('the development PKI', function () {
  const newDir = temporaryDirectories();

  it('is created on first run: CAs, the gateway server certificate and one client certificate per dev party', async function () {
    const dir = await newDir();
    const summary = await ensureDevPki(dir);
    assert.equal(summary.created, true);
    assert.deepEqual(
      summary.credentials.map((credential) => credential.urn),
      [
        'urn:flexgate:gateway:flexgate-dev',
        'urn:flexgate:anm:anm-dev',
        'urn:flexgate:dso:dso-dev',
        'urn:flexgate:fsp:fsp-dev-1',
        'urn:flexgate:fsp:fsp-dev-2',
        'urn:flexgate:admin:admin-dev',
      ],
    );
    assert.ok(summary.credentials.every((credential) => credential.issued));
    assert.equal(DEV_PARTIES.length, 5);

    const [gateway, ...parties] = summary.credentials;
    const server = new X509Certificate(await readFile(gateway!.certificatePath));
    assert.equal(server.subjectAltName, 'URI:urn:flexgate:gateway:flexgate-dev, DNS:localhost, IP Address:127.0.0.1');
    assert.deepEqual(await extendedKeyUsages(gateway!.certificatePath), [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth].sort());
    for (const party of parties) {
      assert.deepEqual(await extendedKeyUsages(party.certificatePath), [x509.ExtendedKeyUsage.clientAuth]);
      assert.equal((await stat(party.privateKeyPath)).mode & 0o777, 0o600);
    }
    await stat(pkiLayout(dir).crl('root'));
    await stat(pkiLayout(dir).crl('issuing'));
  });

  it('is left alone by later runs while everything lasts more than 7 days', async function () {
    const dir = await newDir();
    const first = await ensureDevPki(dir);
    const indexBefore = await readFile(pkiLayout(dir).index, 'utf8');
    const again = await ensureDevPki(dir);
    assert.equal(again.created, false);
    assert.ok(again.credentials.every((credential) => !credential.issued));
    assert.deepEqual(
      again.credentials.map((c) => c.serial),
      first.credentials.map((c) => c.serial),
    );
    assert.deepEqual(again.crlsRefreshed, []);
    assert.equal(await readFile(pkiLayout(dir).index, 'utf8'), indexBefore);
  });

  it('re-issues the certificates that expire within 7 days, and the CRLs that are due', async function () {
    const dir = await newDir();
    const monthAgo = await ensureDevPki(dir, { now: new Date(Date.now() - 25 * DAY_MS) });
    const now = await ensureDevPki(dir);
    assert.ok(now.credentials.every((credential) => credential.issued));
    for (const [index, credential] of now.credentials.entries()) assert.notEqual(credential.serial, monthAgo.credentials[index]!.serial);
    assert.ok(now.credentials.every((credential) => credential.notAfter.getTime() > Date.now() + 29 * DAY_MS));
    assert.deepEqual(now.crlsRefreshed, ['issuing']);

    const afterwards = await ensureDevPki(dir);
    assert.ok(afterwards.credentials.every((credential) => !credential.issued));
    const listing = await listCertificates(dir);
    assert.equal(listing.length, 12, 'the near-expiry ones are kept (valid until they expire), not replaced in place');
  });

  it('re-issues a dev certificate that was revoked', async function () {
    const dir = await newDir();
    const first = await ensureDevPki(dir);
    const fsp = first.credentials.find((credential) => credential.urn === 'urn:flexgate:fsp:fsp-dev-1')!;
    await revokeCertificate(dir, fsp.serial, 'keyCompromise');
    const again = await ensureDevPki(dir);
    const reissued = again.credentials.filter((credential) => credential.issued);
    assert.deepEqual(
      reissued.map((credential) => credential.urn),
      ['urn:flexgate:fsp:fsp-dev-1'],
    );
  });
});
