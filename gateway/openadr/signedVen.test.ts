import assert from 'node:assert/strict';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import type { Store } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import { AnmSide, eventsOf, registerVen, signedIn, type RegisteredVen } from './testing/scenario.ts';
import { PARTIES, startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

type Json = Record<string, unknown>;

forEachBackend((backend) => {
  describe(`OpenADR 3.1.0 behind the trust layer: a plain VEN and a signing VEN, on ${backend.name}`, function () {
    let store: Store;
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let plain: RegisteredVen;
    let strict: RegisteredVen;
    let signing: FlexgateClient;

    before(async function () {
      spec = OfficialSpec.load(this);
      store = await backend.open(this);
      vtn = await startVtn(await sharedTestPki(), store, { trustLayer: true });
      const dso = await signedIn(spec, vtn, 'dso');
      plain = await registerVen(spec, vtn, dso, 'fsp1');
      strict = await registerVen(spec, vtn, dso, 'fsp2');
      const anm = new AnmSide(vtn, new FlexgateClient(vtn.origin, await (await sharedTestPki()).credentials(PARTIES.anm)));
      const { lookAheadId, listId } = await anm.figures5And6(this);
      await anm.tradeToFigure7(listId, lookAheadId);
      const requireSignatures = await strict.ven.call('updateVen', {
        params: { venID: strict.venId },
        body: { objectType: 'VEN_VEN_REQUEST', venName: 'fsp2-ven', attributes: [{ type: 'FLEXGATE_SIGNATURES_REQUIRED', values: [true] }] },
      });
      assert.equal(requireSignatures.status, 200, requireSignatures.text);
      signing = new FlexgateClient(vtn.origin, await (await sharedTestPki()).credentials(PARTIES.fsp2));
    });
    after(async () => {
      await vtn?.close();
      await store?.close();
    });

    it('serves a plain VEN unsigned requests; its responses carry the gateway signature it may ignore', async function () {
      const events = await plain.ven.call('searchAllEvents');
      assert.equal(events.status, 200);
      assert.ok((events.json as Json[]).length > 0);
      assert.equal(typeof events.headers[SIGNATURE_HEADER], 'string');
    });

    it('refuses an unsigned request from the VEN whose registration requires signatures', async function () {
      const unsigned = await strict.ven.call('searchAllEvents');
      assert.equal(unsigned.status, 401);
      assert.equal((unsigned.json as Json).type, 'urn:flexgate:problem:openadr.signature-required');
    });

    it('serves that VEN signed requests: token, events, a report — each answer signed with a receipt', async function () {
      const { clientId, clientSecret } = await vtn.credentialsOf('fsp2');
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
      const token = await signing.request('POST', '/openadr/3.1.0/auth/token', { body: form, contentType: 'application/x-www-form-urlencoded' });
      assert.equal(token.status, 200, token.text());
      assert.ok(token.signature.receipt, 'a signed request gets a receipt');
      const accessToken = token.json<{ access_token: string }>().access_token;
      const auth = { authorization: `Bearer ${accessToken}` };
      const events = await signing.request('GET', '/openadr/3.1.0/events', { headers: auth });
      assert.equal(events.status, 200, events.text());
      const list = events.json<Json[]>();
      assert.deepEqual(spec.responseErrors(spec.operation('searchAllEvents'), 200, list), []);
      assert.deepEqual(list.map((e) => (e.targets as string[])[1]).sort(), ['A2_Buyer', 'Agg_Seller_2']);
      const report = {
        eventID: list[0]!.id,
        clientName: 'fsp2-ven',
        resources: [{ resourceName: 'G1_Agg2', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
      };
      const posted = await signing.request('POST', '/openadr/3.1.0/reports', { body: JSON.stringify(report), contentType: 'application/json', headers: auth });
      assert.equal(posted.status, 201, posted.text());
      assert.deepEqual(spec.responseErrors(spec.operation('createReport'), 201, posted.json()), []);
      const journal = await store.db
        .selectFrom('journal')
        .select(['jws', 'sender'])
        .where('path', '=', '/openadr/3.1.0/reports')
        .where('sender', '=', PARTIES.fsp2)
        .executeTakeFirst();
      assert.ok(journal?.jws, 'the signature is kept with the journalled report');
      assert.equal((await eventsOf(plain.ven)).length > 0, true, 'the plain VEN is unaffected');
    });
  });
});
