import assert from 'node:assert/strict';
import type { Store } from '../../store/store.ts';
import { forEachBackend } from '../../store/testStores.ts';
import type { VenClient } from '../../../client/openadr/venClient.ts';
import { OfficialSpec } from '../../../client/testing/officialSpec.ts';
import type { OfficialVen } from '../../../client/testing/officialVen.ts';
import { AnmSide, enrolVen, eventsOf, registerVen301, signedIn, signedInVen, type EnrolledVen, type RegisteredVen } from '../testing/scenario.ts';
import { startVtn, type RunningVtn, sharedTestPki } from '../testing/vtnServer.ts';
import { type HttpAnswer } from '../../../client/testing/mtlsClient.ts';

type Json = Record<string, unknown>;

/** What a VEN acts on, read the same way from either version: 3.0.1 targets are valuesMaps, 3.1.0 targets strings. */
function dispatchView(event: Json) {
  const targets = ((event.targets ?? []) as Array<string | { values: string[] }>).flatMap((t) => (typeof t === 'string' ? [t] : t.values));
  const { id, programID, eventName, priority, intervals, intervalPeriod, payloadDescriptors, dispatchStage, createdDateTime, modificationDateTime } = event;
  return { id, programID, eventName, priority, targets, intervals, intervalPeriod, payloadDescriptors, dispatchStage, createdDateTime, modificationDateTime };
}
const byId = (a: { id: unknown }, b: { id: unknown }) => String(a.id).localeCompare(String(b.id));
const viewOf = (events: ReadonlyArray<object>) => (events as Json[]).map(dispatchView).sort(byId);

/** Every 3.0.1 answer, for the deprecation check at the end. */
const answers301: Array<{ operationId: string; answer: HttpAnswer }> = [];
const observe = (answer: HttpAnswer, operationId: string) => answers301.push({ operationId, answer });

forEachBackend((backend) => {
  describe(`OpenADR 3.0.1 beside 3.1.0: VENs of either version (3.0.1 from the official file, 3.1.0 client/'s VEN client) see the same events, on ${backend.name}`, function () {
    this.timeout(120_000);
    let store: Store;
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let spec301: OfficialSpec;
    let anm: AnmSide;
    let fsp1: EnrolledVen;
    let fsp1On301: OfficialVen;
    let fsp2On301: RegisteredVen;
    let fsp2On310: VenClient;
    let listId: string;
    let lookAheadId: string;

    before(async function () {
      spec = OfficialSpec.load(this);
      spec301 = OfficialSpec.load(this, '3.0.1');
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      store = vtn.store;
      anm = await AnmSide.of(vtn);
      const dso = await signedInVen(spec, vtn, 'dso');
      const dso301 = await signedIn(spec301, vtn, 'dso', observe);
      // fsp1 registered on 3.1.0 and also polls on 3.0.1; fsp2 registered entirely on 3.0.1 and also polls on 3.1.0.
      fsp1 = await enrolVen(spec, vtn, dso, 'fsp1');
      fsp1On301 = await signedIn(spec301, vtn, 'fsp1', observe);
      fsp2On301 = await registerVen301(spec301, vtn, dso301, 'fsp2', observe);
      fsp2On310 = await signedInVen(spec, vtn, 'fsp2');
    });
    after(async () => {
      await vtn?.close();
    });

    it('polls no events for figure 6 on either version', async function () {
      ({ lookAheadId, listId } = await anm.figures5And6(this));
      for (const ven of [fsp1On301, fsp2On301.ven]) assert.deepEqual(await eventsOf(ven), []);
      for (const ven of [fsp1.ven, fsp2On310]) assert.deepEqual(await ven.events(), []);
    });

    it('polls the same figure 7 events on 3.0.1 as on 3.1.0, each within its own version’s official schema', async function () {
      await anm.tradeToFigure7(listId, lookAheadId);
      const fsp1Events = await fsp1.ven.events();
      assert.equal(fsp1Events.length, 2);
      assert.deepEqual(viewOf(await eventsOf(fsp1On301)), viewOf(fsp1Events));
      const fsp2Events = await eventsOf(fsp2On301.ven);
      assert.deepEqual(viewOf(fsp2Events), viewOf(await fsp2On310.events()));
      assert.deepEqual(fsp2Events.map((e) => (e.intervals as Array<{ payloads: Array<{ values: number[] }> }>)[0]!.payloads[0]!.values[0]).sort(), [-500, 500]);
      const seller = fsp2Events.find((e) => JSON.stringify(e.targets).includes('Agg_Seller_2'))!;
      assert.deepEqual(seller.targets, [{ type: 'GROUP', values: ['G1_Agg2', 'Agg_Seller_2'] }]);
      const one = await fsp2On301.ven.call('searchEventsByID', { params: { eventID: seller.id as string } });
      assert.deepEqual(one.json, seller);
      const filtered = await eventsOf(fsp2On301.ven, { targetType: 'GROUP', targetValues: ['Agg_Seller_2'] });
      assert.deepEqual(
        filtered.map((e) => e.id),
        [seller.id],
      );
    });

    it('takes a 3.0.1 report (with its programID) that 3.1.0 serves without one, and reads it back with the event’s program', async function () {
      const [event] = (await eventsOf(fsp2On301.ven)).filter((e) => JSON.stringify(e.targets).includes('A2_Buyer'));
      const created = await fsp2On301.ven.call('createReport', {
        body: {
          programID: event!.programID,
          eventID: event!.id,
          clientName: 'fsp2-ven-301',
          payloadDescriptors: [{ payloadType: 'OPERATING_STATE' }],
          resources: [{ resourceName: 'G1_A2', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
        },
      });
      assert.equal(created.status, 201, created.text);
      const report = created.json as Json;
      assert.equal(report.programID, event!.programID);
      const on310 = (await fsp2On310.report(report.id as string)) as unknown as Json;
      assert.equal(on310.programID, undefined);
      assert.deepEqual(on310.payloadDescriptors, [{ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: 'OPERATING_STATE' }]);
      const listed = await fsp2On301.ven.call('searchAllReports', { query: { eventID: event!.id as string } });
      assert.deepEqual(
        (listed.json as Json[]).map((r) => r.programID),
        [event!.programID],
      );
    });

    it('reflects a cancellation on both versions (verification cancels T2)', async function () {
      await anm.verifyOnTheDay(listId, ['G1_A1', 'G1_A2', 'G1_A3', 'G1_A4', 'G1_A5', 'G1_Agg1', 'G1_Agg3', 'G1_Agg4', 'G1_Agg5']);
      assert.deepEqual(await eventsOf(fsp2On301.ven), []);
      assert.deepEqual(await fsp2On310.events(), []);
      assert.deepEqual(viewOf(await eventsOf(fsp1On301)), viewOf(await fsp1.ven.events()));
    });

    it('accepts a token from either version on both: one client, one certificate binding, one set of scopes', async function () {
      const from301 = fsp1On301.token!;
      const from310 = await fsp1.ven.accessToken();
      assert.equal((await fsp1.ven.call('searchAllEvents', { token: from301 })).status, 200);
      assert.equal((await fsp1On301.call('searchAllEvents', { token: from310 })).status, 200);
      const tokens = await store.db.selectFrom('openadr_tokens').select('scopes').where('client_id', '=', fsp1.ven.party).execute();
      assert.ok(tokens.length >= 2 && tokens.every((t) => t.scopes === tokens[0]!.scopes), 'same scopes whichever version issued the token');
    });

    it('maps 3.0.1’s read_all to the reads of the caller’s role, and answers the granted scopes in 3.0.1’s words', async function () {
      const { clientId, clientSecret } = await vtn.credentialsOf('fsp1');
      const answer = await fsp1On301.call('fetchToken', {
        body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'read_all write_reports' },
      });
      assert.equal(answer.status, 200, answer.text);
      // The words asked for come back (OAuth libraries such as oauthlib raise "scope has changed" otherwise) …
      assert.equal((answer.json as Json).scope, 'read_all write_reports');
      // … while the token holds the 3.1.0 scopes they mean for a VEN.
      const token = await store.db
        .selectFrom('openadr_tokens')
        .select('scopes')
        .where('client_id', '=', clientId)
        .orderBy('issued_at', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(token.scopes, 'read_targets read_ven_objects write_reports');
      const all = await fsp1On301.call('fetchToken', { body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } });
      assert.equal((all.json as Json).scope, 'read_all write_reports write_subscriptions write_vens', 'no scope asked: all the role’s, in 3.0.1 words');
    });

    it('refuses authentication failures with 3.0.1’s 403 (it lists no 401), still with the Bearer challenge', async function () {
      const refused = await fsp1On301.call('searchAllEvents', { token: 'not-a-token' });
      assert.equal(refused.status, 403);
      assert.match((refused.json as { type: string }).type, /openadr\.token-invalid$/);
      assert.equal((refused.json as Json).status, 403);
      assert.match(String(refused.headers['www-authenticate']), /^Bearer /);
      const { clientId } = await vtn.credentialsOf('fsp1');
      const badSecret = await fsp1On301.call('fetchToken', { body: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' } });
      assert.equal(badSecret.status, 400);
      assert.equal((badSecret.json as Json).error, 'invalid_client');
    });

    it('signals deprecation on every 3.0.1 answer: Deprecation (RFC 9745), Sunset (RFC 8594) and the policy link', async function () {
      assert.ok(answers301.length > 10);
      for (const { operationId, answer } of answers301) {
        assert.match(String(answer.headers.deprecation), /^@\d+$/, operationId);
        assert.match(String(answer.headers.sunset), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, operationId);
        assert.match(String(answer.headers.link), /rel="deprecation"/, operationId);
      }
      const link = /<([^>]+)>; rel="deprecation"/.exec(String(answers301[0]!.answer.headers.link))![1]!;
      const policy = await vtn.client('fsp1').request('GET', new URL(link).pathname);
      assert.equal(policy.status, 200);
      assert.match(policy.text, /sunset 2027-12-01/);
      assert.match(String(policy.headers.deprecation), /^@\d+$/);
      assert.ok(!answers301.some(({ answer }) => answer.status === 401), '3.0.1 never answers 401');
    });
  });
});
