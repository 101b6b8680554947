import assert from 'node:assert/strict';
import type { ReportRequest } from '../../schemas/openadr/wire.ts';
import { clockSequence, signEnvelope, signerFromCredentials } from '../../protocol/envelope/index.ts';
import type { VenClient } from '../../client/openadr/venClient.ts';
import { OfficialSpec } from '../../client/testing/officialSpec.ts';
import { forEachBackend } from '../store/testStores.ts';
import { AnmSide, enrolVen, refusal, signedInVen, type EnrolledVen } from './testing/scenario.ts';
import { PARTIES, startVtn, type RunningVtn, sharedTestPki } from './testing/vtnServer.ts';

type Json = Record<string, unknown>;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * What an independent OpenADR 3 client (a widely used open-source Python
 * VEN, through oauthlib) met against the VTN, one point per test; each
 * fails without its fix (issue 11).
 */
forEachBackend((backend) => {
  describe(`OpenADR interoperability with independent clients, on ${backend.name}`, function () {
    this.timeout(120_000);
    let vtn: RunningVtn;
    let spec: OfficialSpec;
    let dso: VenClient;
    let fsp1: EnrolledVen;
    let eventID: string;

    before(async function () {
      spec = OfficialSpec.load(this);
      vtn = await startVtn(await sharedTestPki(), await backend.storeOptions(this));
      dso = await signedInVen(spec, vtn, 'dso');
      fsp1 = await enrolVen(spec, vtn, dso, 'fsp1');
      const anm = await AnmSide.of(vtn);
      const { lookAheadId, listId } = await anm.figures5And6(this);
      await anm.tradeToFigure7(listId, lookAheadId);
      eventID = (await fsp1.ven.events())[0]!.id;
    });
    after(async () => {
      await vtn?.close();
    });

    describe('token endpoint: HTTP Basic client authentication (RFC 6749 §2.3.1)', function () {
      const token = (headers: Record<string, string>, fields: Record<string, string>) =>
        vtn.client('fsp1').request('POST', '/openadr/3.1.0/auth/token', { headers: { ...FORM, ...headers }, body: new URLSearchParams(fields).toString() });

      it('takes the URN client id and secret form-urlencoded, then base64 (the colons of the URN as %3A)', async function () {
        const { clientId, clientSecret } = await vtn.credentialsOf('fsp1');
        const answer = await token({ authorization: basic(formEncode(clientId), formEncode(clientSecret)) }, { grant_type: 'client_credentials' });
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(spec.responseErrors(spec.operation('fetchToken'), 200, answer.json), []);
        const bearer = (answer.json as Json).access_token as string;
        assert.equal((await vtn.client('fsp1').request('GET', '/openadr/3.1.0/events', { headers: { authorization: `Bearer ${bearer}` } })).status, 200);
      });

      it('also reads a client id sent without form-encoding (the colons left as they are), as many HTTP libraries send it', async function () {
        const { clientId, clientSecret } = await vtn.credentialsOf('fsp1');
        const answer = await token({ authorization: basic(clientId, clientSecret) }, { grant_type: 'client_credentials', scope: 'read_targets' });
        assert.equal(answer.status, 200, answer.text);
        assert.equal((answer.json as Json).scope, 'read_targets');
      });

      it('works from client/’s VEN client set to HTTP Basic', async function () {
        const ven = await vtn.ven('fsp1', { clientAuthentication: 'basic' });
        const fetched = await ven.fetchToken();
        assert.ok(fetched.accessToken);
        assert.ok((await ven.events()).length > 0);
      });

      it('refuses a client authenticating by both methods at once (invalid_request)', async function () {
        const { clientId, clientSecret } = await vtn.credentialsOf('fsp1');
        const answer = await token(
          { authorization: basic(formEncode(clientId), formEncode(clientSecret)) },
          { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
        );
        assert.equal(answer.status, 400, answer.text);
        assert.deepEqual([(answer.json as Json).type, (answer.json as Json).error], ['urn:flexgate:problem:openadr.token-invalid-request', 'invalid_request']);
      });

      it('challenges a wrong Basic secret with its own scheme (401, WWW-Authenticate: Basic)', async function () {
        const { clientId } = await vtn.credentialsOf('fsp1');
        const answer = await token({ authorization: basic(formEncode(clientId), 'wrong') }, { grant_type: 'client_credentials' });
        assert.equal(answer.status, 401);
        assert.equal((answer.json as Json).error, 'invalid_client');
        assert.match(String(answer.headers['www-authenticate']), /^Basic realm=/);
      });

      it('refuses a request with no client authentication at all (invalid_client)', async function () {
        const answer = await token({}, { grant_type: 'client_credentials' });
        assert.deepEqual([answer.status, (answer.json as Json).error], [401, 'invalid_client']);
      });
    });

    describe('token endpoint: scopes (RFC 6749 §3.3)', function () {
      it('grants the allowed subset of the scopes asked for and names it in `scope`', async function () {
        const ven = await vtn.ven('fsp1', { scope: 'read_targets write_events write_reports' });
        const answer = await ven.tokenResponse();
        assert.equal(answer.scope, 'read_targets write_reports');
        const rows = await vtn.store.db.selectFrom('openadr_tokens').select('scopes').where('client_id', '=', PARTIES.fsp1).execute();
        assert.ok(rows.some((r) => r.scopes === 'read_targets write_reports'));
      });

      it('answers invalid_scope only when nothing asked for is allowed, naming what is', async function () {
        const ven = await vtn.ven('fsp1', { scope: 'write_events write_programs' });
        const refused = await refusal(ven.tokenResponse());
        assert.deepEqual([refused.status, refused.problem.error], [400, 'invalid_scope']);
        assert.match(refused.problem.detail!, /ask for some of: read_targets read_ven_objects write_reports write_subscriptions write_vens/);
      });
    });

    describe('validation errors: every failure (at most 50), each with its JSON pointer', function () {
      const brokenReport = (resources: number): unknown => ({
        eventID,
        resources: Array.from({ length: resources }, (_, i) => ({ resourceName: `r${i}`, intervals: [{ id: 'not-a-number', payloads: [] }] })),
      });

      it('lists every failure of a 3.1.0 body', async function () {
        const refused = await refusal(fsp1.ven.call('createReport', { body: brokenReport(2) }));
        assert.equal(refused.code, 'openadr.invalid-request');
        assert.deepEqual(refused.problem.errors?.map((e) => e.pointer).sort(), ['/clientName', '/resources/0/intervals/0/id', '/resources/1/intervals/0/id']);
        assert.match(refused.problem.detail!, /\(and 2 more\)$/);
      });

      it('bounds the list at 50, saying how many more there were', async function () {
        const refused = await refusal(fsp1.ven.call('createReport', { body: brokenReport(60) }));
        assert.equal(refused.problem.errors?.length, 50);
        assert.match(refused.problem.errors![49]!.detail, /\(11 further violations not listed\)$/);
      });

      it('lists every failure of a 3.0.1 body', async function () {
        const { clientId, clientSecret } = await vtn.credentialsOf('fsp1');
        const token = (
          await vtn.client('fsp1').request('POST', '/openadr/3.0.1/auth/token', {
            headers: FORM,
            body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
          })
        ).json as Json;
        const answer = await vtn.client('fsp1').request('POST', '/openadr/3.0.1/reports', {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token as string}` },
          body: JSON.stringify({ eventID, resources: 'none' }),
        });
        assert.equal(answer.status, 400, answer.text);
        const errors = (answer.json as { errors: Array<{ pointer: string }> }).errors;
        assert.deepEqual(errors.map((e) => e.pointer).sort(), ['/clientName', '/programID', '/resources']);
      });

      it('lists every failure of a token request, with pointers into the form', async function () {
        const answer = await vtn.client('fsp1').request('POST', '/openadr/3.1.0/auth/token', {
          headers: FORM,
          body: new URLSearchParams({ client_id: 'x'.repeat(5000), scope: 'y'.repeat(5000) }).toString(),
        });
        assert.equal(answer.status, 400, answer.text);
        const problem = answer.json as { error: string; errors: Array<{ pointer: string }> };
        assert.equal(problem.error, 'invalid_request');
        assert.deepEqual(problem.errors.map((e) => e.pointer).sort(), ['/client_id', '/grant_type', '/scope']);
      });
    });

    describe('signed requests', function () {
      it('answers an identical signed write sent twice with the original answer (idempotent), not envelope.replayed', async function () {
        const signing = await vtn.flexgate('fsp1');
        const headers = { authorization: `Bearer ${await fsp1.ven.accessToken()}` };
        const report: ReportRequest = {
          eventID,
          clientName: 'fsp1-ven',
          resources: [{ resourceName: 'G1_Agg1', intervals: [{ id: 0, payloads: [{ type: 'OPERATING_STATE', values: ['NORMAL'] }] }] }],
        };
        const body = Buffer.from(JSON.stringify(report));
        const path = '/openadr/3.1.0/reports';
        const signature = await signEnvelope(
          signerFromCredentials(await (await sharedTestPki()).credentials(PARTIES.fsp1)),
          { audience: vtn.gateway.identity, sequence: clockSequence()(), method: 'POST', path, apiVersion: 'openadr/3.1.0' },
          body,
        );
        const first = await signing.request('POST', path, { body, contentType: 'application/json', headers, signature });
        assert.equal(first.status, 201, first.text());
        const again = await signing.request('POST', path, { body, contentType: 'application/json', headers, signature });
        assert.equal(again.status, 201, again.text());
        assert.equal(again.headers['idempotency-replayed'], 'true');
        assert.equal(again.text(), first.text());
        assert.equal(again.signature.receipt?.jti, first.signature.receipt?.jti);
        assert.equal((await fsp1.ven.reports({ eventID })).filter((r) => r.clientName === 'fsp1-ven').length, 1, 'stored once');
      });

      it('refuses the same signed read sent twice (its message id was used): reads are admitted on arrival', async function () {
        const signing = await vtn.flexgate('fsp1');
        const headers = { authorization: `Bearer ${await fsp1.ven.accessToken()}` };
        const path = '/openadr/3.1.0/programs';
        const signature = await signEnvelope(
          signerFromCredentials(await (await sharedTestPki()).credentials(PARTIES.fsp1)),
          { audience: vtn.gateway.identity, sequence: clockSequence()(), method: 'GET', path, apiVersion: 'openadr/3.1.0' },
          Buffer.alloc(0),
        );
        assert.equal((await signing.request('GET', path, { headers, signature })).status, 200);
        const again = await signing.request('GET', path, { headers, signature });
        assert.deepEqual([again.status, again.json<Json>().type], [409, 'urn:flexgate:problem:envelope.replayed']);
      });
    });
  });
});
