import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_GATEWAY_URN, ensureDevPki } from '../../certs/index.ts';
import { loadGatewaySigner, type GatewaySigningIdentity } from '../journal/gatewaySigner.ts';
import { trustedRootsFromPem } from '../journal/verifyBundle.ts';
import { insertObject } from '../openadr/objectWrites.ts';
import { createProgramObject } from '../openadr/operations/programs.ts';
import { provisionClientCredentials } from '../openadr/tokens.ts';
import { importIntoRegistry } from '../registry/registryRecords.ts';
import { bitraderRegistry } from '../registry/testing/bitraderRegistry.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend, type TestBackend } from '../store/testStores.ts';
import { exportStateBundle, importStateBundle, serialiseBundle, type StateBundle } from './stateBundle.ts';

const backends: TestBackend[] = [];
forEachBackend((backend) => backends.push(backend));
const [sqlite, postgres] = backends as [TestBackend, TestBackend];

/** The bundle's bytes without what differs between two exports of the same state: the export time and the signature over it. */
const comparable = (bundle: StateBundle) => serialiseBundle({ ...bundle, exportedAt: '', signature: '' });

const NOW = '2024-10-17T20:08:45.000Z';

async function seed(store: Store): Promise<void> {
  await importIntoRegistry(store, bitraderRegistry(), true);
  await provisionClientCredentials(store.db, 'urn:flexgate:fsp:fsp-agg1');
  await store.transaction(async (tx) => {
    const program = await createProgramObject(tx, { programName: 'bitrader-c1' }, NOW);
    await insertObject(tx, {
      id: 'subscription-1',
      objectType: 'SUBSCRIPTION',
      clientId: 'urn:flexgate:fsp:fsp-agg1',
      venId: null,
      programId: program.id,
      eventId: null,
      name: null,
      targets: [],
      sourceKey: null,
      lifecycle: null,
      createdAt: NOW,
      body: {
        id: 'subscription-1',
        programID: program.id,
        clientName: 'ven-agg1',
        objectOperations: [{ objects: ['EVENT'], operations: ['POST', 'PUT'], callbackUrl: 'https://fsp-agg1.example/openadr', bearerToken: 'callback-token' }],
      },
    });
    await tx
      .insertInto('settlement_lines')
      .values({
        event_id: 'event-agg1',
        event_revision: 2,
        start: '2024-10-18T07:00:00Z',
        fsp_party_id: 'fsp-agg1',
        contract_key: 'agg_seller_1',
        trade_ids: ' T1 ',
        dso_asset_ids: ' ENWL-G1_Agg1 ',
        verified_at: NOW,
        body: '{"contractId":"Agg_Seller_1"}',
      })
      .execute();
  });
}

describe('State bundle: export and import across backends', function () {
  this.timeout(120_000);
  let pkiDir: string;
  let identity: GatewaySigningIdentity;
  let instanceRoot: X509Certificate[];
  const stores: Store[] = [];
  const open = async (backend: TestBackend, context: Mocha.Context) => {
    const store = await backend.open(context);
    stores.push(store);
    return store;
  };

  before(async () => {
    pkiDir = mkdtempSync(join(tmpdir(), 'flexgate-bundle-pki-'));
    instanceRoot = trustedRootsFromPem(readFileSync((await ensureDevPki(pkiDir)).rootCertificatePath, 'utf8'));
    identity = await loadGatewaySigner(pkiDir, DEV_GATEWAY_URN);
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  after(() => rmSync(pkiDir, { recursive: true, force: true }));

  it('SQLite → PostgreSQL → SQLite reproduces the state: the same canonical JSON apart from the export time', async function () {
    const source = await open(sqlite, this);
    await seed(source);
    const first = await exportStateBundle(source, identity, pkiDir);
    assert.equal(first.contents.registry.contracts.length, 10);
    assert.equal(first.contents.openadrObjects.length, 2);
    assert.deepEqual(
      first.contents.openadrClients.map((c) => c.clientId),
      ['urn:flexgate:fsp:fsp-agg1'],
    );
    assert.ok(first.contents.certificates.length > 0 && first.contents.certificates.every((c) => c.pem.startsWith('-----BEGIN CERTIFICATE-----')));
    assert.ok(!serialiseBundle(first).includes('scrypt:'), 'no client secret travels');
    assert.ok(!serialiseBundle(first).includes('PRIVATE KEY'), 'only public parts of certificates');

    const onPostgres = await open(postgres, this);
    await importStateBundle(onPostgres, JSON.parse(serialiseBundle(first)) as StateBundle, instanceRoot);
    const second = await exportStateBundle(onPostgres, identity, pkiDir, new Date(Date.now() + 60_000));
    assert.notEqual(second.exportedAt, first.exportedAt);
    assert.equal(comparable(second), comparable(first));

    const back = await open(sqlite, this);
    await importStateBundle(back, second, instanceRoot);
    assert.equal(comparable(await exportStateBundle(back, identity, pkiDir)), comparable(first));
  });

  it('refuses an altered bundle, and an import into an instance that already holds state', async function () {
    const source = await open(sqlite, this);
    await seed(source);
    const bundle = await exportStateBundle(source, identity, pkiDir);
    const altered: StateBundle = JSON.parse(serialiseBundle(bundle).replace('"amount":15000', '"amount":1500000')) as StateBundle;
    await assert.rejects(importStateBundle(await open(sqlite, this), altered, instanceRoot), { code: 'portability.bundle-refused' });
    await assert.rejects(importStateBundle(source, bundle, instanceRoot), { code: 'portability.bundle-refused' });
  });

  it("trusts the signer only when its certificate chains to the importer's CA, never because the bundle carries a certificate", async function () {
    const source = await open(sqlite, this);
    await seed(source);
    // Anyone can make a PKI of their own, with certificates naming the same parties as the real one.
    const selfMadeDir = mkdtempSync(join(tmpdir(), 'flexgate-bundle-self-made-'));
    try {
      const selfMadePki = await ensureDevPki(selfMadeDir);
      const selfMade = await exportStateBundle(source, await loadGatewaySigner(selfMadeDir, DEV_GATEWAY_URN), pkiDir);
      assert.equal(selfMade.issuer, identity.signer.issuer, 'the same party URN as the genuine signer');
      const target = await open(sqlite, this);
      await assert.rejects(importStateBundle(target, selfMade, instanceRoot), { code: 'portability.signer-untrusted' });
      assert.equal((await target.db.selectFrom('registry_contracts').select('contract_key').execute()).length, 0, 'nothing imported');
      // The self-made CA, when the operator names it as trusted, is what makes it acceptable.
      const selfMadeRoot = trustedRootsFromPem(readFileSync(selfMadePki.rootCertificatePath, 'utf8'));
      await importStateBundle(await open(sqlite, this), selfMade, selfMadeRoot);
    } finally {
      rmSync(selfMadeDir, { recursive: true, force: true });
    }
    const byAdmin = await exportStateBundle(source, await loadGatewaySigner(pkiDir, 'urn:flexgate:admin:admin-dev'), pkiDir);
    assert.equal(byAdmin.issuer, 'urn:flexgate:admin:admin-dev');
    await importStateBundle(await open(postgres, this), byAdmin, instanceRoot);
  });
});
