import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { loadTlsCredentials, DEV_GATEWAY_URN } from '../../certs/index.ts';
import type { StoreOptions } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { clockSequence, signerFromCredentials, signEnvelope } from '../../protocol/envelope/index.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { startGatewayProcess, type GatewayProcess } from '../testing/gatewayProcess.ts';
import { DEV_ANM, temporaryDevPki } from '../testing/testGateway.ts';
import { openGatewayStore } from '../storage.ts';

const TSV = 'text/tab-separated-values';
const MOLS = '/anm/v1/merit-order-lists';

const storeArgs = (options: StoreOptions) =>
  options.databaseUrl
    ? ['--database-url', options.databaseUrl, ...(options.schema ? ['--database-schema', options.schema] : [])]
    : ['--data-dir', options.dataDir!];

forEachBackend((backend) => {
  describe(`flexgate serve (a real process) on ${backend.name}`, function () {
    this.timeout(90_000);
    let pkiDir: string;
    const running: GatewayProcess[] = [];
    const clients: FlexgateClient[] = [];
    before(async () => {
      pkiDir = await temporaryDevPki();
    });
    afterEach(() => {
      for (const process of running.splice(0)) process.child.kill('SIGKILL');
      for (const client of clients.splice(0)) client.close();
    });
    const start = async (options: StoreOptions) => {
      const started = await startGatewayProcess([...storeArgs(options), '--pki-dir', pkiDir]);
      running.push(started);
      return started;
    };
    const clientOf = async (gateway: GatewayProcess, urn = DEV_ANM) => {
      const client = new FlexgateClient(gateway.url, await loadTlsCredentials(pkiDir, urn));
      clients.push(client);
      return client;
    };

    it('keeps a document it acknowledged with 201 when killed with SIGKILL right after', async function () {
      const options = await backend.storeOptions(this);
      const first = await start(options);
      const created = await (await clientOf(first)).request('POST', MOLS, { body: bitraderFixture(this, 'mol-original-figure6.tsv'), contentType: TSV });
      assert.equal(created.status, 201);
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');

      const second = await start(options);
      const again = await (await clientOf(second)).request('GET', String(created.headers.location), { headers: { accept: TSV } });
      assert.equal(again.status, 200);
      assert.match(again.text(), /^10\tAgg_Seller_5\tG1_Agg5\tAggregate_5\tFlexibleOutputChange\t0\tkW\t200\t0\tSeller\tfalse\ttrue\t$/m);
    });

    it('refuses a replay after a restart: a read with a used message id, a used sequence number and one below the window', async function () {
      const options = await backend.storeOptions(this);
      const first = await start(options);
      const messageId = randomUUID();
      const client = await clientOf(first);
      assert.equal((await client.request('GET', MOLS, { envelope: { messageId, sequence: '5000' } })).status, 200);
      first.child.kill('SIGKILL');
      await first.exited;

      const second = await start(options);
      const after = await clientOf(second);
      const replayed = await after.request('GET', MOLS, { envelope: { messageId, sequence: '5001' } });
      assert.equal(replayed.json<{ type: string }>().type, 'urn:flexgate:problem:envelope.replayed');
      const again = await after.request('GET', MOLS, { envelope: { sequence: '5000' } });
      assert.equal(again.json<{ type: string }>().type, 'urn:flexgate:problem:envelope.sequence-replayed');
      const tooOld = await after.request('GET', MOLS, { envelope: { sequence: '3976' } });
      assert.equal(tooOld.json<{ type: string }>().type, 'urn:flexgate:problem:envelope.sequence-too-old');
      assert.equal((await after.request('GET', MOLS, { envelope: { sequence: '4999' } })).status, 200, 'overtaken, inside the window');
    });

    it('on SIGTERM lets the request in flight finish, then exits 0', async function () {
      const options = await backend.storeOptions(this);
      const gateway = await start(options);
      const body = bitraderFixture(this, 'cla-figure5.tsv');
      const credentials = await loadTlsCredentials(pkiDir, DEV_ANM);
      const path = '/anm/v1/constraint-look-aheads';
      const signature = await signEnvelope(
        signerFromCredentials(credentials),
        { audience: DEV_GATEWAY_URN, sequence: clockSequence()(), method: 'POST', path, apiVersion: 'anm/v1' },
        body,
      );
      const response = new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          new URL(path, gateway.url),
          {
            method: 'POST',
            cert: credentials.cert,
            key: credentials.key,
            ca: credentials.ca,
            headers: { 'content-type': TSV, 'content-length': body.length, [SIGNATURE_HEADER]: signature },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        // Half the body now, SIGTERM, then the rest: the request is in flight during shutdown.
        req.write(body.subarray(0, 100));
        setTimeout(() => {
          gateway.child.kill('SIGTERM');
          setTimeout(() => req.end(body.subarray(100)), 300);
        }, 200);
      });
      assert.equal(await response, 201);
      assert.equal(await gateway.exited, 0);
      assert.match(gateway.stderr(), /"msg":"stopped"/);
    });

    if (backend.name === 'SQLite') {
      it('takes a per-party rate limit from --requests-per-second and --request-burst', async function () {
        const options = await backend.storeOptions(this);
        const gateway = await startGatewayProcess([...storeArgs(options), '--pki-dir', pkiDir, '--requests-per-second', '1', '--request-burst', '2']);
        running.push(gateway);
        const client = await clientOf(gateway);
        const statuses = [];
        for (let n = 0; n < 3; n++) statuses.push((await client.request('GET', MOLS)).status);
        assert.deepEqual(statuses, [200, 200, 429]);
        const refused = await client.request('GET', MOLS);
        assert.equal(refused.json<{ type: string }>().type, 'urn:flexgate:problem:request.rate-limited');
        assert.equal(refused.headers['retry-after'], '1');
      });
    }

    if (backend.name === 'PostgreSQL') {
      it('two gateway processes sharing PostgreSQL accept the same signed message, sent to both at once, exactly once', async function () {
        const options = await backend.storeOptions(this);
        const [one, two] = await Promise.all([start(options), start(options)]);
        const body = bitraderFixture(this, 'mol-original-figure6.tsv');
        const credentials = await loadTlsCredentials(pkiDir, DEV_ANM);
        for (let round = 0; round < 5; round++) {
          const signature = await signEnvelope(
            signerFromCredentials(credentials),
            { audience: DEV_GATEWAY_URN, sequence: clockSequence()(), method: 'POST', path: MOLS, apiVersion: 'anm/v1' },
            body,
          );
          const send = async (gateway: GatewayProcess) => (await clientOf(gateway)).request('POST', MOLS, { body, contentType: TSV, signature });
          const answers = await Promise.all([send(one!), send(two!)]);
          assert.deepEqual(
            answers.map((answer) => answer.status),
            [201, 201],
            answers.map((answer) => answer.text()).join('\n'),
          );
          assert.equal(answers[0]!.headers.location, answers[1]!.headers.location, 'both answers name the one document');
        }
        const store = await openGatewayStore(options);
        try {
          const documents = await store.db
            .selectFrom('anm_documents')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow();
          const journal = await store.db
            .selectFrom('journal')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow();
          assert.equal(Number(documents.n), 5);
          assert.equal(Number(journal.n), 5);
        } finally {
          await store.close();
        }
      });
    }
  });
});
