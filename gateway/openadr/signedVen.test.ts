import assert from 'node:assert/strict';
import type { Event } from '../../schemas/openadr/wire.ts';
import type { VenAnswer, VenClient } from '../../client/openadr/venClient.ts';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import { forEachBackend } from '../store/testStores.ts';
import { AnmSide, enrolVen, officialObserver, refusal, signedInVen, type EnrolledVen } from './testing/scenario.ts';
import { PARTIES, startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

forEachBackend((backend) => {
  describe(`OpenADR 3.1.0 behind the trust layer: a plain VEN and a signing VEN, on ${backend.name}`, function () {
    this.timeout(120_000);
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let plain: EnrolledVen;
    let strict: EnrolledVen;
    let signing: VenClient;
    const signedAnswers: VenAnswer[] = [];

    before(async function () {
      spec = OfficialSpec.load(this);
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      const dso = await signedInVen(spec, vtn, 'dso');
      plain = await enrolVen(spec, vtn, dso, 'fsp1');
      strict = await enrolVen(spec, vtn, dso, 'fsp2');
      const anm = await AnmSide.of(vtn);
      const { lookAheadId, listId } = await anm.figures5And6(this);
      await anm.tradeToFigure7(listId, lookAheadId);
      await strict.ven.updateVen(strict.venId, {
        objectType: 'VEN_VEN_REQUEST',
        venName: 'fsp2-ven',
        attributes: [{ type: 'FLEXGATE_SIGNATURES_REQUIRED', values: [true] }],
      });
      const official = officialObserver(spec);
      signing = await vtn.ven('fsp2', {
        sign: true,
        observe: (answer) => {
          official(answer);
          signedAnswers.push(answer);
        },
      });
    });
    after(async () => {
      await vtn?.close();
    });

    it('serves a plain VEN unsigned requests; its responses carry the gateway signature it may ignore', async function () {
      const answer = await plain.ven.call<Event[]>('searchAllEvents');
      assert.ok(answer.body.length > 0);
      assert.equal(answer.request.headers['x-jws-signature'], undefined, 'sent unsigned');
      assert.equal(answer.signature.issuer, vtn.gateway.identity, 'answered signed, and the signature verified');
    });

    it('refuses an unsigned request from the VEN whose registration requires signatures', async function () {
      const unsigned = await refusal(strict.ven.events());
      assert.equal(unsigned.status, 401);
      assert.equal(unsigned.problem.type, 'urn:flexgate:problem:openadr.signature-required');
    });

    it('serves that VEN signed requests: token, events, a report — each answer signed with a receipt', async function () {
      await signing.fetchToken();
      assert.ok(signedAnswers.at(-1)!.signature.receipt, 'a signed request gets a receipt');
      const events = await signing.call<Event[]>('searchAllEvents');
      assert.ok(events.signature.receipt);
      assert.deepEqual(events.body.map((e) => e.targets![1]).sort(), ['A2_Buyer', 'Agg_Seller_2']);
      const report = {
        eventID: events.body[0]!.id,
        clientName: 'fsp2-ven',
        resources: [{ resourceName: 'G1_Agg2', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
      };
      const posted = await signing.call('createReport', { body: report });
      assert.equal(posted.status, 201);
      assert.ok(posted.signature.receipt);
      const journal = await vtn.store.db
        .selectFrom('journal')
        .select(['jws', 'sender'])
        .where('path', '=', '/openadr/3.1.0/reports')
        .where('sender', '=', PARTIES.fsp2)
        .executeTakeFirst();
      assert.ok(journal?.jws, 'the signature is kept with the journalled report');
      assert.ok((await plain.ven.events()).length > 0, 'the plain VEN is unaffected');
    });
  });
});
