import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ensureDevPki, issueCertificate, loadTlsCredentials, revokeCertificate, type TlsCredentials } from '../../certs/index.ts';
import { pkiLayout } from '../../certs/pkiLayout.ts';
import { x509 } from '../../certs/x509.ts';
import { forEachBackend } from '../store/testStores.ts';
import { DEV_ANM, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';

/** Opens a TLS connection as a party and sends one HTTP request: 'answered' if the server replied, else how it refused. */
async function tryRequest(running: TestGateway, party: string | TlsCredentials, extra: ConnectionOptions = {}): Promise<string> {
  const { cert, key, ca } = typeof party === 'string' ? await loadTlsCredentials(running.pkiDir, party) : party;
  const url = new URL(running.gateway.url);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), cert, key, ca, ...extra }, () => {
      socket.write('GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    socket.once('data', () => {
      resolve('answered');
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
  });
}

/** A connection that has been answered once and is kept open. */
async function openConnection(running: TestGateway, party: string | TlsCredentials): Promise<TLSSocket> {
  const { cert, key, ca } = typeof party === 'string' ? await loadTlsCredentials(running.pkiDir, party) : party;
  const url = new URL(running.gateway.url);
  const socket = connect({ host: url.hostname, port: Number(url.port), cert, key, ca });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => socket.write('GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n'));
    socket.once('data', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

forEachBackend((backend) => {
  describe(`the gateway's mutual TLS listener on ${backend.name}`, function () {
    this.timeout(60_000);
    let running: TestGateway;
    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
    });
    after(async () => running?.close());

    it('negotiates TLS 1.3 with a client of the PKI', async () => {
      const socket = await openConnection(running, DEV_ANM);
      assert.equal(socket.getProtocol(), 'TLSv1.3');
      socket.destroy();
    });

    it('refuses TLS 1.1 and TLS 1.2 suites without ECDHE and AEAD', async () => {
      assert.notEqual(await tryRequest(running, DEV_ANM, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }), 'answered');
      assert.notEqual(await tryRequest(running, DEV_ANM, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:AES128-GCM-SHA256' }), 'answered');
      assert.equal(await tryRequest(running, DEV_ANM, { maxVersion: 'TLSv1.2' }), 'answered');
    });

    it('refuses a revoked FSP on its next connection within one second, without a restart, and closes its open connections', async () => {
      const fsp = 'urn:flexgate:fsp:fsp-revoked';
      await issueCertificate(running.pkiDir, { role: 'fsp', id: 'fsp-revoked' });
      const credentials = await loadTlsCredentials(running.pkiDir, fsp);
      assert.equal(await tryRequest(running, credentials), 'answered');
      const open = await openConnection(running, credentials);
      const openClosed = new Promise<number>((resolve) => open.once('close', () => resolve(Date.now())));
      const bystander = await openConnection(running, DEV_FSP);

      const revokedAt = Date.now();
      await revokeCertificate(running.pkiDir, fsp, 'keyCompromise');
      let refusedAfter: number | undefined;
      while (Date.now() - revokedAt < 3000) {
        if ((await tryRequest(running, credentials)) !== 'answered') {
          refusedAfter = Date.now() - revokedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      console.log(`      refused ${refusedAfter} ms after the revocation`);
      assert.ok(refusedAfter !== undefined && refusedAfter < 1000, `refused after ${refusedAfter} ms`);
      assert.ok((await openClosed) - revokedAt < 1000, 'the revoked party’s open connection is closed');
      assert.equal(bystander.destroyed, false, 'other parties keep their connections');
      assert.equal(await tryRequest(running, DEV_FSP), 'answered');
      bystander.destroy();
    });
  });
});

describe('the gateway on a dev PKI whose CRLs are past half their life', function () {
  this.timeout(60_000);
  it('re-issues them before they lapse and keeps accepting clients', async function () {
    const pkiDir = mkdtempSync(join(tmpdir(), 'flexgate-pki-'));
    await ensureDevPki(pkiDir, { now: new Date(Date.now() - 5 * 86_400_000) });
    const crlPath = pkiLayout(pkiDir).crl('issuing');
    const lapsing = new x509.X509Crl(await readFile(crlPath, 'utf8'));
    assert.ok(lapsing.nextUpdate && lapsing.nextUpdate.getTime() - Date.now() < 3 * 86_400_000, 'set-up: the CRL has under 3 days left');

    const dataDir = mkdtempSync(join(tmpdir(), 'flexgate-test-'));
    const running = await startTestGateway({ dataDir }, { pkiDir });
    try {
      const fresh = new x509.X509Crl(await readFile(crlPath, 'utf8'));
      assert.ok(fresh.nextUpdate && fresh.nextUpdate.getTime() - Date.now() > 6 * 86_400_000, 'the re-issued CRL is good for 7 days');
      assert.equal(await tryRequest(running, DEV_ANM), 'answered');
    } finally {
      await running.close();
    }
  });
});
