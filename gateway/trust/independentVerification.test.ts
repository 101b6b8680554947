import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTlsCredentials } from '../../certs/index.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ANM, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import { signEnvelope, signerFromCredentials } from '../../protocol/envelope/index.ts';

/** Debian's python3 (not a pyenv shim), where `apt-get install python3-jwcrypto` puts the library. */
const PYTHON = '/usr/bin/python3';

// Verifies a detached, unencoded (RFC 7797) JWS with jwcrypto, which knows nothing of flexgate:
// our private header members are registered as understood, the rest is the library's own checking.
const VERIFY = `
import json, sys
from jwcrypto import jwk, jws
key = jwk.JWK.from_pem(open(sys.argv[1], 'rb').read())
protected, _, signature = open(sys.argv[2]).read().strip().split('.')
payload = open(sys.argv[3], 'rb').read().decode('utf-8')
members = ['iss', 'aud', 'jti', 'seq', 'iat', 'ver', 'htm', 'htu', 'sts', 'rcpt']
token = jws.JWS(header_registry={name: jws.JWSEHeaderParameter(name, False, True, None) for name in members})
token.deserialize(json.dumps({'protected': protected, 'payload': payload, 'signature': signature}))
try:
    token.verify(key)
except Exception as error:
    print('REFUSED', type(error).__name__)
    sys.exit(1)
print('VERIFIED', token.jose_header['alg'], token.jose_header['iss'], token.jose_header['seq'])
`;

function jwcryptoAvailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jwcrypto'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : (probe.stderr || probe.error?.message || 'not found').trim();
}

describe('an independent verifier (python3-jwcrypto) checks flexgate signatures', function () {
  this.timeout(60_000);
  let running: TestGateway;
  let dir: string;

  before(async function () {
    const missing = jwcryptoAvailable();
    if (missing) {
      console.warn(`\n  !! SKIPPED: ${PYTHON} cannot import jwcrypto (${missing}); install it with: apt-get install -y python3-jwcrypto\n`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'flexgate-jwcrypto-'));
    running = await startTestGateway({ dataDir: dir });
  });
  after(async () => running?.close());

  const verify = (certificatePem: string, jws: string, body: Buffer) => {
    writeFileSync(join(dir, 'cert.pem'), certificatePem);
    writeFileSync(join(dir, 'jws'), jws);
    writeFileSync(join(dir, 'body'), body);
    const run = spawnSync(PYTHON, ['-c', VERIFY, join(dir, 'cert.pem'), join(dir, 'jws'), join(dir, 'body')], { encoding: 'utf8' });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
  };

  it("verifies the gateway's signed receipt with the gateway certificate, and refuses it over a body with one byte changed", async function () {
    const anm = await running.client(DEV_ANM);
    const response = await anm.request('POST', '/anm/v1/merit-order-lists', {
      body: bitraderFixture(this, 'mol-original-figure6.tsv'),
      contentType: 'text/tab-separated-values',
    });
    assert.equal(response.status, 201);
    const gatewayCertificate = splitPemCertificates((await loadTlsCredentials(running.pkiDir, running.gateway.identity)).cert)[0]!;
    const jws = String(response.headers[SIGNATURE_HEADER]);

    const good = verify(gatewayCertificate, jws, response.body);
    assert.ok(good.ok, good.output);
    assert.match(good.output, /^VERIFIED ES256 urn:flexgate:gateway:flexgate-dev \d+$/);

    const tampered = Buffer.from(response.body);
    tampered[10] = tampered[10]! ^ 0x01;
    const bad = verify(gatewayCertificate, jws, tampered);
    assert.equal(bad.ok, false, bad.output);
  });

  it('verifies a request signature made by the flexgate client library', async () => {
    const credentials = await loadTlsCredentials(running.pkiDir, DEV_ANM);
    const body = Buffer.from('{"constraints":[]}');
    const jws = await signEnvelope(
      signerFromCredentials(credentials),
      { audience: running.gateway.identity, sequence: '7', method: 'POST', path: '/anm/v1/constraint-look-aheads', apiVersion: 'anm/v1' },
      body,
    );
    const result = verify(splitPemCertificates(credentials.cert)[0]!, jws, body);
    assert.ok(result.ok, result.output);
    assert.match(result.output, /^VERIFIED ES256 urn:flexgate:anm:anm-dev 7$/);
  });

  it('verifies a signature over a body of several megabytes, and refuses it with a byte near its end changed', async () => {
    const credentials = await loadTlsCredentials(running.pkiDir, DEV_ANM);
    const certificate = splitPemCertificates(credentials.cert)[0]!;
    const body = Buffer.from(`{"entries":"${'0123456789abcdef'.repeat(200_000)}x"}`);
    const jws = await signEnvelope(
      signerFromCredentials(credentials),
      { audience: running.gateway.identity, sequence: '8', method: 'POST', path: '/anm/v1/merit-order-lists', apiVersion: 'anm/v1' },
      body,
    );
    const good = verify(certificate, jws, body);
    assert.ok(good.ok, good.output);
    const tampered = Buffer.from(body);
    tampered[tampered.length - 3] = 0x79;
    assert.equal(verify(certificate, jws, tampered).ok, false);
  });
});
