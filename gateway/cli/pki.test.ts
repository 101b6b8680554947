import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl, requireOpenssl } from '../../certs/testSupport.ts';
import { runFlexgate, type CliRun } from '../testing/gatewayProcess.ts';

const flexgate = (args: string[]) => runFlexgate(...args);

interface Listing {
  certificates: { serial: string; urn: string; status: string }[];
}

describe('flexgate pki (real processes, as an operator runs it)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'flexgate-pki-cli-'));
  const pki = (...args: string[]) => flexgate(['pki', ...args, '--dir', dir]);
  const ok = (run: CliRun) => assert.equal(run.code, 0, run.stderr);

  it('initialises the CAs, issues an FSP certificate, lists it, exports it, revokes it; openssl agrees at every step', async function () {
    requireOpenssl(this);
    ok(await pki('init', '--organisation', 'Test DSO'));
    ok(await pki('issue', '--role', 'fsp', '--id', 'acme-flex'));
    const listed = JSON.parse((await pki('list', '--json')).stdout) as Listing;
    const issued = listed.certificates.find((certificate) => certificate.urn === 'urn:flexgate:fsp:acme-flex');
    assert.equal(issued?.status, 'valid');

    const bundle = join(dir, 'acme.pem');
    ok(await pki('export', '--party', 'urn:flexgate:fsp:acme-flex', '--out', bundle));
    assert.equal(statSync(bundle).mode & 0o777, 0o600, 'a bundle with a private key is written 0600');
    assert.match(readFileSync(bundle, 'utf8'), /BEGIN PRIVATE KEY/);

    const crlCheck = async () =>
      openssl([
        'verify',
        '-crl_check',
        '-CAfile',
        join(dir, 'root', 'ca.pem'),
        '-untrusted',
        join(dir, 'issuing', 'ca.pem'),
        '-CRLfile',
        join(dir, 'crl', 'issuing.crl.pem'),
        bundle,
      ]);
    assert.equal((await crlCheck()).status, 0, 'openssl accepts the issued certificate');

    ok(await pki('revoke', '--party', 'urn:flexgate:fsp:acme-flex', '--reason', 'keyCompromise'));
    const refused = await crlCheck();
    assert.notEqual(refused.status, 0);
    assert.match(refused.stdout + refused.stderr, /revoked/i);
    const after = JSON.parse((await pki('list', '--json')).stdout) as Listing;
    assert.equal(after.certificates.find((certificate) => certificate.serial === issued!.serial)?.status, 'revoked');
  });

  it('refuses a bad role or id with exit 1 or 2 and says why', async () => {
    const bad = await pki('issue', '--role', 'market', '--id', 'x');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /role/);
  });
});
