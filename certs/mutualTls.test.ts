import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect, createSecureContext, createServer, type Server, type TLSSocket } from 'node:tls';
import { refreshCrls } from './crlKeeper.ts';
import { issueCertificate } from './issuance.ts';
import { partyFromCertificate } from '../protocol/identity/certificateIdentity.ts';
import { initPki } from './pkiInit.ts';
import { pkiLayout } from './pkiLayout.ts';
import { revokeCertificate } from './revocation.ts';
import { temporaryDirectories } from './testSupport.ts';
import { loadTlsCredentials, loadTrustMaterial, revokedSerialNumbers, type TlsCredentials, type TrustMaterial } from './tlsMaterial.ts';

const DAY_MS = 86_400_000;
const GATEWAY = 'urn:flexgate:gateway:gw-test';

type Client = Pick<TlsCredentials, 'ca'> & Partial<Pick<TlsCredentials, 'cert' | 'key'>>;

/**
 * Two TLS servers on the same PKI material: `strict` is configured as the
 * gateway will be (client certificate required, rejectUnauthorized, every
 * CA's CRL); `diagnostic` is the same without rejectUnauthorized and answers
 * with Node's authorizationError, because the strict one just closes the
 * connection and does not say why.
 */
class TestGateway {
  private constructor(
    readonly strict: Server,
    readonly diagnostic: Server,
    private readonly dir: string,
  ) {}

  static async start(dir: string): Promise<TestGateway> {
    const options = { ...(await loadTlsCredentials(dir, GATEWAY)), ...(await loadTrustMaterial(dir)), requestCert: true, minVersion: 'TLSv1.2' } as const;
    const greet = (socket: TLSSocket) => {
      if (!socket.authorized) return socket.end(`unauthorized ${String(socket.authorizationError)}\n`);
      const peer = socket.getPeerCertificate();
      socket.end(`hello ${partyFromCertificate(peer)?.urn ?? 'nobody'} ${peer.serialNumber}\n`);
    };
    const strict = createServer({ ...options, rejectUnauthorized: true }, greet);
    const diagnostic = createServer({ ...options, rejectUnauthorized: false }, greet);
    for (const server of [strict, diagnostic]) {
      server.on('tlsClientError', () => undefined);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    }
    return new TestGateway(strict, diagnostic, dir);
  }

  /** What the running gateway will do on a CRL change: swap in a new secure context, no restart. */
  async reload(trust?: TrustMaterial): Promise<void> {
    const context = { ...(await loadTlsCredentials(this.dir, GATEWAY)), ...(trust ?? (await loadTrustMaterial(this.dir))) };
    this.strict.setSecureContext(context);
    this.diagnostic.setSecureContext(context);
  }

  close(): void {
    this.strict.close();
    this.diagnostic.close();
  }
}

/** Connects as a party; resolves with what the server said (empty when it refused) and the error that ended the connection. */
function callAs(server: Server, client: Client, maxVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3') {
  const { port } = server.address() as AddressInfo;
  const socket = connect({ host: '127.0.0.1', port, ...client, maxVersion });
  let answer = '';
  let failure: Error | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  socket.on('error', (error) => (failure = error));
  return new Promise<{ answer: string; error: Error | undefined }>((resolve) => socket.on('close', () => resolve({ answer, error: failure })));
}

async function assertAccepted(gateway: TestGateway, client: TlsCredentials) {
  const { answer, error } = await callAs(gateway.strict, client);
  const why = answer === '' ? (await callAs(gateway.diagnostic, client)).answer : answer;
  // The serial as Node reports it must be the registry's, for revokedSerialNumbers to find a peer.
  assert.equal(answer, `hello ${client.identity.urn} ${client.serial}\n`, `refused (${why.trim() || error?.message})`);
}

/**
 * Under TLS 1.3 the client's handshake completes before the server has
 * checked its certificate, so the client may see only a reset or a close
 * without an answer; under TLS 1.2, a reset during the handshake.
 */
async function assertRefused(gateway: TestGateway, client: Client, reason: string, maxVersion?: 'TLSv1.2') {
  const { answer, error } = await callAs(gateway.strict, client, maxVersion);
  assert.equal(answer, '', 'the gateway must not answer a refused client');
  if (error) assert.match(String((error as NodeJS.ErrnoException).code), /^(ECONNRESET|ERR_SSL_)/, error.message);
  assert.equal((await callAs(gateway.diagnostic, client, maxVersion)).answer, `unauthorized ${reason}\n`);
}

describe('mutual TLS with Node against the PKI', function () {
  const newDir = temporaryDirectories();
  const running: TestGateway[] = [];
  const start = async (dir: string) => {
    const gateway = await TestGateway.start(dir);
    running.push(gateway);
    return gateway;
  };
  afterEach(() => {
    for (const gateway of running.splice(0)) gateway.close();
  });

  describe('with current CRLs', function () {
    let dir: string;
    const clients = new Map<'es256' | 'eddsa' | 'rsa' | 'revoked', TlsCredentials>();
    const client = (name: 'es256' | 'eddsa' | 'rsa' | 'revoked') => clients.get(name)!;

    before(async function () {
      dir = await newDir();
      await initPki(dir);
      await issueCertificate(dir, { role: 'gateway', id: 'gw-test', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
      for (const [name, algorithm] of [
        ['es256', 'ES256'],
        ['eddsa', 'EdDSA'],
        ['rsa', 'RS3072'],
        ['revoked', 'ES256'],
      ] as const) {
        const issued = await issueCertificate(dir, { role: 'fsp', id: `fsp-${name}`, algorithm });
        clients.set(name, await loadTlsCredentials(dir, issued.urn));
      }
      await revokeCertificate(dir, client('revoked').serial, 'keyCompromise');
    });

    it('accepts a valid client of each algorithm and tells the handler which party it is', async function () {
      const gateway = await start(dir);
      for (const name of ['es256', 'eddsa', 'rsa'] as const) await assertAccepted(gateway, client(name));
    });

    it('refuses a revoked client, under TLS 1.3 and TLS 1.2', async function () {
      const gateway = await start(dir);
      await assertRefused(gateway, client('revoked'), 'CERT_REVOKED');
      await assertRefused(gateway, client('revoked'), 'CERT_REVOKED', 'TLSv1.2');
    });

    it('refuses a client revoked while the server runs, once it reloads the trust material', async function () {
      const gateway = await start(dir);
      const victim = await loadTlsCredentials(dir, (await issueCertificate(dir, { role: 'fsp', id: 'fsp-soon-gone' })).urn);
      await assertAccepted(gateway, victim);
      await revokeCertificate(dir, victim.serial, 'keyCompromise');
      assert.ok(revokedSerialNumbers((await loadTrustMaterial(dir)).crl).has(victim.serial));
      await gateway.reload();
      await assertRefused(gateway, victim, 'CERT_REVOKED');
      await assertAccepted(gateway, client('es256'));
    });

    it('refuses a client that brings no certificate', async function () {
      const gateway = await start(dir);
      const { answer } = await callAs(gateway.strict, { ca: client('es256').ca });
      assert.equal(answer, '');
    });

    it('needs the CRL of every CA in the chain: with only the issuing CA CRL nobody gets in', async function () {
      const gateway = await start(dir);
      await gateway.reload({ ...(await loadTrustMaterial(dir)), crl: [await readFile(pkiLayout(dir).crl('issuing'), 'utf8')] });
      await assertRefused(gateway, client('es256'), 'UNABLE_TO_GET_CRL');
    });
  });

  describe('with an expired CRL', function () {
    it('refuses even a good client until the CRLs are refreshed, then accepts it again', async function () {
      const dir = await newDir();
      // The CAs and their first CRLs date from ten days ago: the 7-day issuing CRL has expired.
      await initPki(dir, { now: new Date(Date.now() - 10 * DAY_MS) });
      await issueCertificate(dir, { role: 'gateway', id: 'gw-test', ipAddresses: ['127.0.0.1'] });
      const good = await loadTlsCredentials(dir, (await issueCertificate(dir, { role: 'fsp', id: 'fsp-good' })).urn);

      const expired = await loadTrustMaterial(dir);
      assert.doesNotThrow(() => createSecureContext(expired), 'an expired CRL loads; it is refused only at handshake time');
      const gateway = await start(dir);
      await assertRefused(gateway, good, 'CRL_HAS_EXPIRED');

      const refreshed = await refreshCrls(dir);
      assert.deepEqual(
        refreshed.map((crl) => crl.authority),
        ['issuing'],
        'the root CRL (a year) is still current',
      );
      await gateway.reload();
      await assertAccepted(gateway, good);
    });
  });
});
