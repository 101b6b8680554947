import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { DEV_GATEWAY_URN, ensureDevPki, issueCertificate, loadTlsCredentials, revokeCertificate, type TlsCredentials } from '../../certs/index.ts';
import { pkiLayout } from '../../certs/pkiLayout.ts';
import { x509 } from '../../certs/x509.ts';
import { forEachBackend } from '../store/testStores.ts';
import { DEFAULT_BUDGETS, type Budgets } from '../budgets.ts';
import { testLogger } from '../testing/silentLogger.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, DEV_FSP, startTestGateway, temporaryDevPki, type TestGateway } from '../testing/testGateway.ts';
import { createMutualTlsServer, type MutualTlsListener } from './mutualTls.ts';

/** Opens a TLS connection as a party and sends one HTTP request: `HTTP <status>` if the server replied, else how it refused. */
async function tryRequest(running: TestGateway, party: string | TlsCredentials, extra: ConnectionOptions = {}): Promise<string> {
  const { cert, key, ca } = typeof party === 'string' ? await loadTlsCredentials(running.pkiDir, party) : party;
  const url = new URL(running.gateway.url);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), cert, key, ca, ...extra }, () => {
      socket.write('GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    socket.once('data', (data: Buffer) => {
      resolve(/^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))?.[0] ?? 'answered');
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
  });
}

/** What a party sees for an unsigned GET of a route that does not exist: the request was let in. */
const LET_IN = 'HTTP/1.1 404';

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
      assert.doesNotMatch(await tryRequest(running, DEV_ANM, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }), /^HTTP/);
      assert.doesNotMatch(await tryRequest(running, DEV_ANM, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:AES128-GCM-SHA256' }), /^HTTP/);
      assert.equal(await tryRequest(running, DEV_ANM, { maxVersion: 'TLSv1.2' }), LET_IN);
    });

    it('refuses a revoked FSP on its next connection within one second, without a restart, and closes its open connections', async () => {
      const fsp = 'urn:flexgate:fsp:fsp-revoked';
      await issueCertificate(running.pkiDir, { role: 'fsp', id: 'fsp-revoked' });
      const credentials = await loadTlsCredentials(running.pkiDir, fsp);
      assert.equal(await tryRequest(running, credentials), LET_IN);
      const open = await openConnection(running, credentials);
      const openClosed = new Promise<number>((resolve) => open.once('close', () => resolve(Date.now())));
      const bystander = await openConnection(running, DEV_FSP);

      const revokedAt = Date.now();
      await revokeCertificate(running.pkiDir, fsp, 'keyCompromise');
      let refusedAfter: number | undefined;
      while (Date.now() - revokedAt < 3000) {
        if ((await tryRequest(running, credentials)) !== LET_IN) {
          refusedAfter = Date.now() - revokedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      console.log(`      refused ${refusedAfter} ms after the revocation`);
      assert.ok(refusedAfter !== undefined && refusedAfter < 1000, `refused after ${refusedAfter} ms`);
      assert.ok((await openClosed) - revokedAt < 1000, 'the revoked party’s open connection is closed');
      assert.equal(bystander.destroyed, false, 'other parties keep their connections');
      assert.equal(await tryRequest(running, DEV_FSP), LET_IN);
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
      assert.equal(await tryRequest(running, DEV_ANM), LET_IN);
    } finally {
      await running.close();
    }
  });
});

/** Sends one more request on an open connection: its status line, or how the connection ended. */
function ask(socket: TLSSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data: Buffer) => resolve(/^HTTP\/1\.1 \d{3}/.exec(data.toString('latin1'))?.[0] ?? 'answered'));
    socket.once('close', () => resolve('closed'));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.write('GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
  });
}

/** The real gateway with some budgets changed (SQLite, a fresh dev PKI). */
const startWithBudgets = (budgets: Partial<Budgets>) => startTestGateway({ dataDir: mkdtempSync(join(tmpdir(), 'flexgate-test-')) }, { budgets });

describe('the mutual TLS listener tells a refused client why, over a real connection', function () {
  this.timeout(60_000);
  let running: TestGateway;
  before(async () => {
    running = await startWithBudgets({});
  });
  after(async () => running?.close());

  it('a certificate from an unknown CA gets a problem naming the reason, not an empty reply', async () => {
    const foreign = await loadTlsCredentials(await temporaryDevPki(), DEV_FSP);
    const url = new URL(running.gateway.url);
    const gatewayCa = (await loadTlsCredentials(running.pkiDir, DEV_FSP)).ca;
    const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = httpsRequest(
        { host: url.hostname, port: url.port, path: '/anm/v1/merit-order-lists', cert: foreign.cert, key: foreign.key, ca: gatewayCa },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer.status, 401);
    const problem = JSON.parse(answer.body) as { type: string; detail: string };
    assert.equal(problem.type, 'urn:flexgate:problem:auth.client-certificate-required');
    assert.match(problem.detail, /unknown CA/);
    assert.equal(answer.connection, 'close');
  });

  it('a request on a connection opened before the revocation is refused as soon as the revoke returns', async () => {
    const fsp = 'urn:flexgate:fsp:fsp-revoked-open';
    await issueCertificate(running.pkiDir, { role: 'fsp', id: 'fsp-revoked-open' });
    const open = await openConnection(running, await loadTlsCredentials(running.pkiDir, fsp));
    assert.equal(await ask(open), LET_IN);
    await revokeCertificate(running.pkiDir, fsp, 'keyCompromise');
    const answer = await ask(open);
    assert.ok(answer === 'HTTP/1.1 401' || answer === 'closed', `the next request on the open connection is refused, not ${answer}`);
    open.destroy();
  });

  it('refuses TLS 1.2 renegotiation', async () => {
    const { cert, key, ca } = await loadTlsCredentials(running.pkiDir, DEV_ANM);
    const url = new URL(running.gateway.url);
    const socket = connect({ host: url.hostname, port: Number(url.port), cert, key, ca, maxVersion: 'TLSv1.2' });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    const outcome = await new Promise<string>((resolve) => {
      socket.once('close', () => resolve('closed'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.renegotiate({ rejectUnauthorized: true }, (error) => resolve(error ? `refused: ${error.message}` : 'renegotiated'));
    });
    socket.destroy();
    assert.notEqual(outcome, 'renegotiated');
  });
});

describe('the mutual TLS listener bounds connections', function () {
  this.timeout(60_000);
  let running: TestGateway;
  before(async () => {
    running = await startWithBudgets({ maxConnections: 6, maxConnectionsPerParty: 2, idleConnectionMs: 800 });
  });
  after(async () => running?.close());

  it('closes a connection that sends nothing after the handshake, and one idle after its request', async () => {
    const { cert, key, ca } = await loadTlsCredentials(running.pkiDir, DEV_ANM);
    const url = new URL(running.gateway.url);
    const silent = connect({ host: url.hostname, port: Number(url.port), cert, key, ca });
    await new Promise((resolve) => silent.once('secureConnect', resolve));
    const openedAt = Date.now();
    await new Promise((resolve) => silent.once('close', resolve));
    const silentFor = Date.now() - openedAt;
    assert.ok(silentFor >= 600 && silentFor < 5000, `closed after ${silentFor} ms`);

    const used = await openConnection(running, DEV_ANM);
    const answeredAt = Date.now();
    await new Promise((resolve) => used.once('close', resolve));
    assert.ok(Date.now() - answeredAt < 5000, 'an idle kept-alive connection is closed');
  });

  it('answers a party over its connection limit with a problem; other parties and freed slots are unaffected', async () => {
    const first = await openConnection(running, DEV_FSP);
    const second = await openConnection(running, DEV_FSP);
    assert.equal(await tryRequest(running, DEV_FSP), 'HTTP/1.1 429');
    assert.equal(await tryRequest(running, DEV_ANM), LET_IN);
    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await tryRequest(running, DEV_FSP), LET_IN);
    second.destroy();
  });

  it('drops connections over the server-wide limit', async () => {
    const parties = [DEV_FSP, DEV_FSP, DEV_ANM, DEV_ANM, DEV_DSO, DEV_DSO];
    const held = await Promise.all(parties.map((party) => openConnection(running, party)));
    assert.doesNotMatch(await tryRequest(running, DEV_ADMIN), /^HTTP/);
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await tryRequest(running, DEV_ADMIN), LET_IN);
  });
});

describe('the mutual TLS listener and a request still in progress', function () {
  this.timeout(30_000);
  const IDLE_MS = 300;
  let listener: MutualTlsListener;
  let port: number;
  let client: TlsCredentials;
  /** The server's side of every connection, with when it closed. */
  let connections: { closedAt?: number }[];

  beforeEach(async () => {
    const pkiDir = await temporaryDevPki();
    listener = await createMutualTlsServer({
      pkiDir,
      identity: DEV_GATEWAY_URN,
      logger: testLogger,
      budgets: { ...DEFAULT_BUDGETS, idleConnectionMs: IDLE_MS },
    });
    connections = [];
    listener.server.on('secureConnection', (socket: TLSSocket) => {
      const connection: { closedAt?: number } = {};
      connections.push(connection);
      socket.once('close', () => (connection.closedAt = Date.now()));
    });
    await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
    port = (listener.server.address() as AddressInfo).port;
    client = await loadTlsCredentials(pkiDir, DEV_ANM);
  });
  afterEach(async () => {
    listener.stop();
    listener.server.closeAllConnections();
    await new Promise((resolve) => listener.server.close(resolve));
  });

  /** Answers `/large` at once with more than the socket buffers hold, and anything else after three idle timeouts, as a large document's work does. */
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/large') res.end(Buffer.alloc(32 * 1024 * 1024));
    else setTimeout(() => res.end('late answer'), 3 * IDLE_MS);
  };

  /** A raw TLS connection as the dev ANM: the test decides when it reads, and it never closes first. */
  const open = async (): Promise<TLSSocket> => {
    const socket = connect({ host: '127.0.0.1', port, ...client });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    return socket;
  };

  it('answers a request that takes longer than the idle timeout, then closes the connection once it is idle', async () => {
    listener.server.on('request', answer);
    const socket = await open();
    try {
      let received = '';
      const answered = new Promise<number>((resolve) =>
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (received.endsWith('late answer')) resolve(Date.now());
        }),
      );
      socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const answeredAt = await answered;
      assert.match(received, /^HTTP\/1\.1 200/);
      await until(() => connections[0]?.closedAt !== undefined);
      const idleFor = connections[0]!.closedAt! - answeredAt;
      assert.ok(idleFor >= IDLE_MS - 50 && idleFor < 5_000, `closed by the server ${idleFor} ms after the answer`);
    } finally {
      socket.destroy();
    }
  });

  for (const [what, requests] of [
    ['asks for a large answer, then', ['/large']],
    ['asks for a large answer and a slow one, then', ['/large', '/slow']],
  ] as const) {
    it(`still closes the connection of a client that ${what} stops reading`, async () => {
      listener.server.on('request', answer);
      const socket = await open();
      try {
        socket.pause();
        socket.write(requests.map((path) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`).join(''));
        const sentAt = Date.now();
        await until(() => connections[0]?.closedAt !== undefined);
        const heldFor = connections[0]!.closedAt! - sentAt;
        assert.ok(heldFor < 5_000, `closed ${heldFor} ms after the requests`);
      } finally {
        socket.destroy();
      }
    });
  }
});

/** Waits (at most 10 s) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
