import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { issueCertificate, loadTlsCredentials, revokeCertificate } from '../../certs/index.ts';
import { certificateThumbprint } from '../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { constraintLookAheadProfile } from '../../profiles/constraintLookAhead.ts';
import { buildDocument } from '../../profiles/machinery/builder.ts';
import { CRITICAL_MEMBERS, REPLAY_WINDOW } from '../../schemas/envelope.ts';
import { decodeAnmDocument } from '../anm/decode.ts';
import { getJournalEntry } from '../store/journal.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ANM, DEV_DSO, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import type { FlexgateClient, SignedResponse } from '../../client/flexgateClient.ts';
import { clockSequence, signEnvelope, type EnvelopeSigner } from '../../protocol/envelope/index.ts';

const TSV = 'text/tab-separated-values';
const MOLS = '/anm/v1/merit-order-lists';
const LOOK_AHEADS = '/anm/v1/constraint-look-aheads';

function assertProblem(response: SignedResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.text());
  assert.equal(response.json<{ type: string }>().type, `urn:flexgate:problem:${code}`);
  // Refusals are signed like everything else.
  assert.equal(response.signature.issuer, 'urn:flexgate:gateway:flexgate-dev');
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A signature header with any protected header we like and a random signature: for refusals that come before the signature check. */
function forged(header: Record<string, unknown>): string {
  return `${b64url(JSON.stringify(header))}..${b64url(randomBytes(64))}`;
}

async function signerOf(pkiDir: string, urn: string, x5c: boolean): Promise<EnvelopeSigner> {
  const credentials = await loadTlsCredentials(pkiDir, urn);
  const chain = splitPemCertificates(credentials.cert);
  return { issuer: urn, key: createPrivateKey(credentials.key), certificateThumbprint: certificateThumbprint(chain[0]!), ...(x5c ? { x5c: chain } : {}) };
}

forEachBackend((backend) => {
  describe(`trust layer over real mutual TLS on ${backend.name}`, function () {
    this.timeout(180_000);
    let running: TestGateway;
    let anm: FlexgateClient;
    let molTsv: Buffer;

    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
      anm = await running.client(DEV_ANM);
      molTsv = bitraderFixture(this, 'mol-original-figure6.tsv');
    });
    after(async () => running?.close());

    const validHeader = (overrides: Record<string, unknown> = {}) => ({
      alg: 'ES256',
      kid: 'A'.repeat(43),
      'x5t#S256': 'A'.repeat(43),
      b64: false,
      crit: [...CRITICAL_MEMBERS],
      iss: DEV_ANM,
      aud: running.gateway.identity,
      jti: randomUUID(),
      seq: clockSequence()(),
      iat: Math.floor(Date.now() / 1000),
      ver: 'anm/v1',
      htm: 'POST',
      htu: MOLS,
      ...overrides,
    });

    describe('accepts', () => {
      it('an ES256-signed ANM table, journals sender, signature and chain, and answers with a signed receipt', async () => {
        const response = await anm.request('POST', MOLS, { body: molTsv, contentType: TSV });
        assert.equal(response.status, 201, response.text());
        assert.ok(response.signature.receipt, 'a 2xx to a signed request carries a receipt');
        assert.equal(response.signature.audience, DEV_ANM);
        const journalId = (await running.gateway.store.db.selectFrom('journal').select('id').orderBy('seq', 'desc').executeTakeFirstOrThrow()).id;
        const entry = await getJournalEntry(running.gateway.store.db, journalId);
        assert.equal(entry?.sender, DEV_ANM);
        assert.equal(entry?.verification?.result, 'verified');
        assert.equal(entry?.verification?.alg, 'ES256');
        assert.equal(entry?.certificateChain.length, 3, 'leaf, issuing CA and root');
        assert.match(entry?.jws ?? '', /^[\w-]+\.\.[\w-]+$/);
        assert.equal(entry?.userAgent, 'flexgate-client/0.1');
      });

      it('an EdDSA-signed JSON look-ahead from an Ed25519 certificate', async function () {
        await issueCertificate(running.pkiDir, { role: 'anm', id: 'anm-ed25519', algorithm: 'EdDSA' });
        const ed = await running.client('urn:flexgate:anm:anm-ed25519');
        const body = JSON.stringify({
          constraints: [
            { constraintId: 'C-ED', start: '2024-10-18T08:00:00Z', end: '2024-10-18T09:00:00Z', size_kW: 500, resources: [{ resourceId: 'G1_A1' }] },
          ],
        });
        const response = await ed.request('POST', LOOK_AHEADS, { body, contentType: 'application/json' });
        assert.equal(response.status, 201, response.text());
        const journalId = (await running.gateway.store.db.selectFrom('journal').select('id').orderBy('seq', 'desc').executeTakeFirstOrThrow()).id;
        assert.equal((await getJournalEntry(running.gateway.store.db, journalId))?.verification?.alg, 'EdDSA');
      });

      it('a signed XML (CIM) document from a DSO', async function () {
        const dso = await running.client(DEV_DSO);
        const model = decodeAnmDocument('constraint-look-ahead', bitraderFixture(this, 'cla-figure5.tsv'), TSV);
        const xml = buildDocument(constraintLookAheadProfile, model, {
          mRID: randomUUID().replaceAll('-', ''),
          revisionNumber: 1,
          createdDateTime: '2024-10-17T13:00:00Z',
          sender: { mRID: 'GB-DSO-ANM', codingScheme: 'NGB', role: 'A50' },
          receiver: { mRID: 'FLEXGATE', codingScheme: 'NGB', role: 'A56' },
        });
        const response = await dso.request('POST', '/cim/v1/documents', { body: xml, contentType: 'application/xml' });
        assert.equal(response.status, 201, response.text());
        assert.ok(response.signature.receipt);
      });

      it('the same message again (same id, same body) as an idempotent success with the original response, storing nothing new', async () => {
        const messageId = randomUUID();
        const first = await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { messageId } });
        const again = await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { messageId } });
        assert.equal(first.status, 201);
        assert.equal(again.status, 201);
        assert.equal(again.headers.location, first.headers.location);
        assert.equal(again.headers['idempotency-replayed'], 'true');
        assert.equal(again.text(), first.text());
        // Kept once, under its message id: a signed message's repeat is found by that alone, never by its body.
        const kept = await running.gateway.store.db.selectFrom('idempotency_records').select('idem_key').where('body', '=', first.text()).execute();
        assert.deepEqual(
          kept.map((record) => record.idem_key),
          [`envelope:${DEV_ANM}:${messageId}`],
        );
      });

      it('the same message again once its signature is no longer fresh, still with the original response (kept 24 h)', async () => {
        const messageId = randomUUID();
        const first = await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { messageId, issuedAt: new Date(Date.now() - 110_000) } });
        assert.equal(first.status, 201, first.text());
        // The retry of an answer that got lost, sent after the ±120 s skew: a new message would be refused as stale.
        const late = await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { messageId, issuedAt: new Date(Date.now() - 130_000) } });
        assert.equal(late.status, 201, late.text());
        assert.equal(late.headers['idempotency-replayed'], 'true');
        assert.equal(late.text(), first.text());
      });
    });

    describe('one party with many requests in flight', () => {
      it('accepts 64 signed requests sent at once over mutual TLS, none refused for overtaking another', async function () {
        this.timeout(180_000);
        const responses = await Promise.all(
          Array.from({ length: 64 }, (_, i) =>
            i % 4 === 0 ? anm.request('POST', MOLS, { body: molTsv, contentType: TSV }) : anm.request('GET', `${MOLS}?limit=1`),
          ),
        );
        assert.deepEqual(
          responses.filter((response) => response.status >= 300).map((response) => response.text()),
          [],
        );
      });
      it('answers twins sent at once (same message id and request) as one message, and keeps every other message sent with them', async function () {
        this.timeout(180_000);
        const ids = Array.from({ length: 8 }, () => randomUUID());
        // On SQLite the requests of one turn share a transaction; a twin refused inside it must not take the others with it.
        const responses = await Promise.all(
          [...ids, ...ids].map((messageId) => anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { messageId } })),
        );
        ids.forEach((_, i) => {
          const [first, twin] = [responses[i]!, responses[i + ids.length]!];
          assert.equal(first.status, 201, first.text());
          assert.equal(twin.status, 201, twin.text());
          assert.equal(twin.headers.location, first.headers.location);
        });
        assert.equal(responses.filter((response) => response.headers['idempotency-replayed'] === 'true').length, ids.length);
        const locations = new Set(responses.map((response) => String(response.headers.location)));
        assert.equal(locations.size, ids.length);
        for (const location of locations) assert.equal((await anm.request('GET', location)).status, 200);
      });
    });

    describe('refuses, each with its own problem type', () => {
      it('an unsigned request', async () => {
        assertProblem(await anm.request('GET', MOLS, { signature: null }), 401, 'envelope.signature-missing');
      });

      it('a signature that is not a detached compact JWS', async () => {
        assertProblem(await anm.request('GET', MOLS, { signature: 'eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA.c2ln' }), 400, 'envelope.malformed');
      });

      it('alg none, HMAC and RSA', async () => {
        for (const alg of ['none', 'HS256', 'RS256']) {
          assertProblem(
            await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signature: forged(validHeader({ alg })) }),
            401,
            'envelope.algorithm-not-allowed',
          );
        }
      });

      it('a critical member flexgate does not understand', async () => {
        const header = validHeader({ crit: [...CRITICAL_MEMBERS, 'exp'], exp: 1 });
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signature: forged(header) }), 400, 'envelope.unknown-critical');
      });

      it('a signature that leaves a required member out of crit', async () => {
        const header = validHeader({ crit: CRITICAL_MEMBERS.filter((name) => name !== 'seq') });
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signature: forged(header) }), 400, 'envelope.malformed');
      });

      it('a key nobody knows', async () => {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const signer: EnvelopeSigner = { issuer: DEV_ANM, key: privateKey, certificateThumbprint: b64url(randomBytes(32)) };
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signer }), 401, 'envelope.unknown-key');
      });

      it('a valid certificate of another party than the TLS client', async () => {
        const signer = { ...(await signerOf(running.pkiDir, DEV_DSO, true)), issuer: DEV_ANM };
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signer }), 401, 'envelope.key-mismatch');
      });

      it('a revoked certificate', async () => {
        await issueCertificate(running.pkiDir, { role: 'anm', id: 'anm-revoked' });
        const signer = { ...(await signerOf(running.pkiDir, 'urn:flexgate:anm:anm-revoked', true)), issuer: DEV_ANM };
        await revokeCertificate(running.pkiDir, 'urn:flexgate:anm:anm-revoked', 'keyCompromise');
        // The gateway learns of the revocation from the re-issued CRL, within the watcher's debounce.
        await waitFor(async () => (await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signer })).text().includes('certificate-revoked'), 1000);
      });

      it('an expired certificate', async () => {
        const longAgo = new Date(Date.now() - 3 * 86_400_000);
        const issued = await issueCertificate(running.pkiDir, { role: 'anm', id: 'anm-lapsed', lifetimeDays: 1, now: longAgo }).catch(() => undefined);
        if (!issued) return assert.fail('the PKI could not issue a backdated certificate');
        const pem = await readFile(issued.certificatePath, 'utf8');
        const chainPem = await readFile(issued.chainPath, 'utf8');
        const signer: EnvelopeSigner = {
          issuer: DEV_ANM,
          key: createPrivateKey(await readFile(issued.privateKeyPath, 'utf8')),
          certificateThumbprint: certificateThumbprint(pem),
          x5c: [pem, ...splitPemCertificates(chainPem)],
        };
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signer }), 401, 'envelope.certificate-expired');
      });

      it('a signature over other bytes than the body sent', async () => {
        const signature = await signatureFor(anm, running, MOLS, Buffer.from('something else'));
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signature }), 401, 'envelope.bad-signature');
      });

      it('an issuer other than the certificate party', async () => {
        const signer = { ...(await signerOf(running.pkiDir, DEV_ANM, false)), issuer: DEV_DSO };
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, signer }), 403, 'envelope.issuer-mismatch');
      });

      it('a message addressed to another gateway', async () => {
        assertProblem(
          await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { audience: 'urn:flexgate:gateway:elsewhere' } }),
          403,
          'envelope.wrong-audience',
        );
      });

      it('a signature made for another path, method or API version', async () => {
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { path: LOOK_AHEADS } }), 400, 'envelope.request-mismatch');
        assertProblem(await anm.request('GET', MOLS, { envelope: { method: 'DELETE' } }), 400, 'envelope.request-mismatch');
        assertProblem(await anm.request('GET', MOLS, { envelope: { apiVersion: 'cim/v1' } }), 400, 'envelope.request-mismatch');
      });

      it('a stale signature and one from the future (±120 s)', async () => {
        assertProblem(
          await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { issuedAt: new Date(Date.now() - 121_000) } }),
          401,
          'envelope.stale',
        );
        assertProblem(await anm.request('GET', MOLS, { envelope: { issuedAt: new Date(Date.now() + 180_000) } }), 401, 'envelope.from-future');
      });

      it('a replayed read', async () => {
        const messageId = randomUUID();
        assert.equal((await anm.request('GET', MOLS, { envelope: { messageId } })).status, 200);
        assertProblem(await anm.request('GET', MOLS, { envelope: { messageId } }), 409, 'envelope.replayed');
      });

      it('a message id used again for different content', async () => {
        const messageId = randomUUID();
        assert.equal((await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { messageId } })).status, 201);
        const changed = Buffer.concat([molTsv, Buffer.from('\n')]);
        assertProblem(await anm.request('POST', MOLS, { body: changed, contentType: TSV, envelope: { messageId } }), 409, 'envelope.message-id-reused');
      });

      it('a sequence number already accepted, and one below the replay window, and stores nothing', async () => {
        const before = await countDocuments(running);
        const next = clockSequence();
        const overtaken = next();
        const top = Number(next());
        assert.equal((await anm.request('GET', MOLS, { envelope: { sequence: String(top) } })).status, 200);
        assertProblem(
          await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { sequence: String(top) } }),
          409,
          'envelope.sequence-replayed',
        );
        assertProblem(await anm.request('GET', MOLS, { envelope: { sequence: String(top - REPLAY_WINDOW) } }), 409, 'envelope.sequence-too-old');
        assert.equal(await countDocuments(running), before);
        // Inside the window and not seen: a request that was overtaken in flight.
        assert.equal((await anm.request('GET', MOLS, { envelope: { sequence: overtaken } })).status, 200);
      });

      it('a message id used again for another path, query or method, without carrying out either', async () => {
        const messageId = randomUUID();
        const first = await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { messageId } });
        assert.equal(first.status, 201, first.text());
        const before = await countDocuments(running);
        for (const path of [`${MOLS}?again=1`, `${MOLS}?source=elsewhere`]) {
          const again = await anm.request('POST', path, { body: molTsv, contentType: TSV, envelope: { messageId } });
          assert.equal(again.headers['idempotency-replayed'], undefined, path);
          assertProblem(again, 409, 'envelope.message-id-reused');
        }
        assertProblem(await anm.request('GET', `${MOLS}?limit=1`, { envelope: { messageId } }), 409, 'envelope.message-id-reused');
        assert.equal(await countDocuments(running), before);
        const read = randomUUID();
        assert.equal((await anm.request('GET', MOLS, { envelope: { messageId: read } })).status, 200);
        assertProblem(await anm.request('GET', `${MOLS}?limit=2`, { envelope: { messageId: read } }), 409, 'envelope.message-id-reused');
      });

      it('an issue time beyond what a date can name (1e20, 9e15), as malformed', async () => {
        for (const iat of [1e20, 9e15, 253_402_300_800]) {
          assertProblem(await anm.request('GET', MOLS, { signature: forged(validHeader({ htm: 'GET', iat })) }), 400, 'envelope.malformed');
        }
      });

      it('a sequence number above 2^53 - 1, without locking the party out', async () => {
        for (const sequence of ['9007199254740992', '9999999999999999']) {
          const refused = await anm.request('GET', MOLS, { envelope: { sequence } });
          assertProblem(refused, 400, 'envelope.malformed');
          assert.equal(refused.json<{ errors?: Array<{ pointer?: string }> }>().errors?.[0]?.pointer, '/seq');
        }
        assert.equal((await anm.request('GET', MOLS)).status, 200, 'the next ordinary request is accepted');
      });

      it('a request carrying the response-only members sts or rcpt', async () => {
        const receipt = { jti: randomUUID(), 'body#S256': 'A'.repeat(43), 'protected#S256': 'B'.repeat(43) };
        assertProblem(await anm.request('GET', MOLS, { envelope: { status: 200 } }), 400, 'envelope.malformed');
        assertProblem(await anm.request('POST', MOLS, { body: molTsv, contentType: TSV, envelope: { receipt } }), 400, 'envelope.malformed');
      });

      it('an FSP posting a merit order list (role not authorised for the route)', async () => {
        const fsp = await running.client(DEV_FSP);
        assertProblem(await fsp.request('POST', MOLS, { body: molTsv, contentType: TSV }), 403, 'auth.role-forbidden');
      });

      it('a TLS client without a certificate, at the handshake', async () => {
        const ca = (await loadTlsCredentials(running.pkiDir, DEV_ANM)).ca;
        const url = new URL(running.gateway.url);
        const outcome = await new Promise<string>((resolve) => {
          const socket = connect({ host: url.hostname, port: Number(url.port), ca }, () => {
            socket.write('GET /anm/v1/merit-order-lists HTTP/1.1\r\nHost: x\r\n\r\n');
          });
          socket.on('data', () => resolve('answered'));
          socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
          socket.on('close', () => resolve('closed'));
        });
        assert.notEqual(outcome, 'answered');
      });
    });
  });
});

forEachBackend((backend) => {
  if (backend.name !== 'PostgreSQL') return;
  describe('two gateways on one PostgreSQL database share the replay window', function () {
    this.timeout(180_000);
    let one: TestGateway;
    let two: TestGateway;

    before(async function () {
      const store = await backend.storeOptions(this);
      one = await startTestGateway(store);
      two = await startTestGateway(store, { pkiDir: one.pkiDir });
    });
    after(async () => Promise.all([one?.close(), two?.close()]));

    it('accepts the requests of one party spread over both at once, and refuses at one what the other admitted', async () => {
      const [a, b] = [await one.client(DEV_ANM), await two.client(DEV_ANM)];
      const responses = await Promise.all(Array.from({ length: 32 }, (_, i) => (i % 2 ? a : b).request('GET', `${MOLS}?limit=1`)));
      assert.deepEqual(
        responses.filter((response) => response.status !== 200).map((response) => response.text()),
        [],
      );
      const next = clockSequence();
      const [sequence, messageId] = [next(), randomUUID()];
      assert.equal((await a.request('GET', MOLS, { envelope: { sequence, messageId } })).status, 200);
      assertProblem(await b.request('GET', MOLS, { envelope: { sequence, messageId } }), 409, 'envelope.replayed');
      assertProblem(await b.request('GET', MOLS, { envelope: { sequence } }), 409, 'envelope.sequence-replayed');
    });
  });
});

async function signatureFor(client: FlexgateClient, running: TestGateway, path: string, body: Buffer): Promise<string> {
  const signer = await signerOf(running.pkiDir, client.party, false);
  return signEnvelope(signer, { audience: running.gateway.identity, sequence: clockSequence()(), method: 'POST', path, apiVersion: 'anm/v1' }, body);
}

async function countDocuments(running: TestGateway): Promise<number> {
  const row = await running.gateway.store.db
    .selectFrom('anm_documents')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
