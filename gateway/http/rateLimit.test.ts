import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { loadTlsCredentials } from '../../certs/index.ts';
import { startGateway, type RunningGateway } from '../index.ts';
import { testLogger } from '../testing/silentLogger.ts';
import { DEV_ANM, DEV_FSP, temporaryDevPki } from '../testing/testGateway.ts';
import { problemHandler } from './problemResponse.ts';
import { PartyRateLimit, rateLimitPerParty } from './rateLimit.ts';

describe('the per-party token bucket', () => {
  it('lets a burst through, refuses the next with Retry-After, refills at the sustained rate, and keeps parties apart', async () => {
    let now = 0;
    const app = express();
    app.use(rateLimitPerParty(new PartyRateLimit({ requestsPerSecond: 2, requestBurst: 3 }, () => now), { partyOf: (req) => req.header('x-party') }));
    app.use((_req, res) => res.status(204).end());
    app.use(problemHandler(testLogger));
    const as = (party: string) => request(app).get('/').set('x-party', party);
    for (let i = 0; i < 3; i++) assert.equal((await as('a')).status, 204);
    const refused = await as('a');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.type, 'urn:flexgate:problem:request.rate-limited');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal((await as('b')).status, 204, 'another party has its own bucket');
    now += 499;
    assert.equal((await as('a')).status, 429, 'under one token after 499 ms at 2/s');
    now += 1;
    assert.equal((await as('a')).status, 204, 'one token after 500 ms');
    now += 60_000;
    for (let i = 0; i < 3; i++) assert.equal((await as('a')).status, 204, 'a quiet minute refills the burst, no more');
    assert.equal((await as('a')).status, 429);
    assert.equal((await request(app).get('/')).status, 204, 'no identified caller: nobody to count (the trust layer refuses it)');
  });
});

describe('the gateway limits each party’s request rate', function () {
  this.timeout(120_000);
  let gateway: RunningGateway;
  let anm: FlexgateClient;
  let fsp: FlexgateClient;
  before(async () => {
    const pkiDir = await temporaryDevPki();
    gateway = await startGateway({
      dataDir: mkdtempSync(join(tmpdir(), 'flexgate-test-')),
      port: 0,
      pkiDir,
      devPki: true,
      logger: testLogger,
      budgets: { requestsPerSecond: 1, requestBurst: 3 },
    });
    anm = new FlexgateClient(gateway.url, await loadTlsCredentials(pkiDir, DEV_ANM));
    fsp = new FlexgateClient(gateway.url, await loadTlsCredentials(pkiDir, DEV_FSP));
  });
  after(async () => {
    anm?.close();
    fsp?.close();
    await gateway?.close();
  });

  it('answers 429 request.rate-limited with Retry-After once the burst is spent, for that party only, and lets it in again after the wait', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await anm.request('GET', '/anm/v1/merit-order-lists')).status);
    assert.deepEqual(statuses, [200, 200, 200]);
    const refused = await anm.request('GET', '/anm/v1/merit-order-lists');
    assert.equal(refused.status, 429, refused.text());
    assert.equal(refused.json<{ type: string }>().type, 'urn:flexgate:problem:request.rate-limited');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${refused.headers['retry-after']}`);

    assert.notEqual((await fsp.request('GET', '/openadr/3.1.0/programs')).status, 429, 'another party keeps its own bucket');

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    assert.equal((await anm.request('GET', '/anm/v1/merit-order-lists')).status, 200);
  });
});
