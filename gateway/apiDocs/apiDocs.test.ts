import assert from 'node:assert/strict';
import { loadTlsCredentials } from '../../certs/index.ts';
import { MtlsClient } from '../../client/testing/mtlsClient.ts';
import { ACCESS_RULES } from '../index.ts';
import { accessRuleFor } from '../trust/accessPolicy.ts';
import { forEachBackend } from '../store/testStores.ts';
import { DEV_ADMIN, DEV_ANM, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';
import { API_DOCUMENTS } from './documents.ts';

type Paths = Record<string, Record<string, { operationId?: string }>>;

/** A request path for a documented path template, with made-up ids. */
const concrete = (template: string) => template.replace(/\{revision\}/g, '1').replace(/\{[^}]+\}/g, 'no-such-id');

describe('API documents', () => {
  it('document only operations the access table admits, and give every operation an id', () => {
    for (const api of API_DOCUMENTS) {
      for (const [path, item] of Object.entries((api.document as { paths: Paths }).paths)) {
        for (const [method, operation] of Object.entries(item)) {
          if (!['get', 'post', 'put', 'delete'].includes(method)) continue;
          assert.ok(operation.operationId, `${api.name} ${method} ${path} has an operationId`);
          const full = api.name.startsWith('openadr') ? `${api.jsonPath.replace('/openapi.json', '')}${path}` : path;
          assert.ok(accessRuleFor(method.toUpperCase(), concrete(full), ACCESS_RULES), `${api.name}: ${method.toUpperCase()} ${full} has an access rule`);
        }
      }
    }
  });
});

forEachBackend((backend) => {
  describe(`API documents served by the gateway on ${backend.name}`, () => {
    let running: TestGateway;
    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
    });
    after(() => running?.close());

    it('serves every document as JSON to any party without a signature, and every operation it names is routed', async () => {
      const fsp = new MtlsClient(DEV_FSP, await loadTlsCredentials(running.pkiDir, DEV_FSP), running.gateway.url);
      const anm = await running.client(DEV_ANM);
      for (const api of API_DOCUMENTS) {
        const answer = await fsp.request('GET', api.jsonPath);
        assert.equal(answer.status, 200, `${api.jsonPath}: ${answer.text}`);
        assert.deepEqual(answer.json, JSON.parse(JSON.stringify(api.document)));
      }
      // Every documented ANM and CIM read is routed: an unknown id is "no such document", never "nothing at this path".
      for (const api of API_DOCUMENTS.filter((a) => a.name === 'anm-v1' || a.name === 'cim-v1')) {
        for (const [path, item] of Object.entries((api.document as { paths: Paths }).paths)) {
          if (!item.get || !path.includes('{')) continue;
          const query = path.endsWith('/opportunities') ? '?meritOrderListId=no-such-id' : '';
          const answer = await anm.request('GET', `${concrete(path)}${query}`);
          assert.equal(answer.status, 404, `${path}: ${answer.text()}`);
          assert.doesNotMatch(answer.json<{ detail: string }>().detail, /^Nothing at/, `${path} is routed`);
        }
      }
    });

    it('serves browsable pages: an index and one page per API naming its operations', async () => {
      const admin = new MtlsClient(DEV_ADMIN, await loadTlsCredentials(running.pkiDir, DEV_ADMIN), running.gateway.url);
      const index = await admin.request('GET', '/docs');
      assert.equal(index.status, 200);
      assert.match(String(index.headers['content-type']), /^text\/html/);
      for (const api of API_DOCUMENTS) assert.ok(index.text.includes(`/docs/${api.name}`), `the index links ${api.name}`);
      const anmPage = await admin.request('GET', '/docs/anm-v1');
      assert.equal(anmPage.status, 200);
      for (const operationId of ['postMeritOrderList', 'postTrades', 'getTradingOpportunities'])
        assert.ok(anmPage.text.includes(`id="${operationId}"`), operationId);
      const missing = await admin.request('GET', '/docs/nothing');
      assert.equal(missing.status, 404);
    });
  });
});
