import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { MtlsClient } from '../../client/testing/mtlsClient.ts';
import { loadTlsCredentials } from '../../certs/index.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ADMIN, DEV_ANM, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';

type Families = ReturnType<typeof parsePrometheusTextFormat>;

/** A histogram's `_count` for one label set, read from the text: the parser above merges a histogram's label sets. */
function histogramCount(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}_count{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The value of one sample: the family by name, the sample whose labels include `labels`. */
function sample(families: Families, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!found) return undefined;
  return Number(found.value ?? found.count);
}

forEachBackend((backend) => {
  describe(`operations endpoints (/metrics, /healthz, /readyz) on ${backend.name}`, () => {
    let running: TestGateway;
    let admin: MtlsClient;
    let fsp: MtlsClient;

    before(async function () {
      running = await startTestGateway(await backend.storeOptions(this));
      admin = new MtlsClient(DEV_ADMIN, await loadTlsCredentials(running.pkiDir, DEV_ADMIN), running.gateway.url);
      fsp = new MtlsClient(DEV_FSP, await loadTlsCredentials(running.pkiDir, DEV_FSP), running.gateway.url);
    });
    after(() => running?.close());

    const scrape = async () => {
      const answer = await admin.request('GET', '/metrics');
      assert.equal(answer.status, 200, answer.text);
      assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      return { families: parsePrometheusTextFormat(answer.text), text: answer.text };
    };

    it('serves Prometheus text an independent parser reads, and its values move as requests are made', async function () {
      const { families: before, text: beforeText } = await scrape();
      const anm = await running.client(DEV_ANM);
      const posted = await anm.request('POST', '/anm/v1/merit-order-lists', {
        body: bitraderFixture(this, 'mol-original-figure6.tsv'),
        contentType: 'text/tab-separated-values',
      });
      assert.equal(posted.status, 201, posted.text());
      const refused = await (await running.client(DEV_FSP)).request('POST', '/anm/v1/merit-order-lists', { body: '{}', contentType: 'application/json' });
      assert.equal(refused.status, 403);
      const { families: after, text: afterText } = await scrape();

      const created = { family: 'anm', method: 'POST', status: '201' };
      assert.equal((sample(after, 'flexgate_http_requests_total', created) ?? 0) - (sample(before, 'flexgate_http_requests_total', created) ?? 0), 1);
      const forbidden = { type: 'urn:flexgate:problem:auth.role-forbidden', status: '403' };
      assert.equal((sample(after, 'flexgate_refusals_total', forbidden) ?? 0) - (sample(before, 'flexgate_refusals_total', forbidden) ?? 0), 1);
      const latency = (text: string) => histogramCount(text, 'flexgate_http_request_duration_seconds', 'family="anm"');
      assert.equal(latency(afterText) - latency(beforeText), 2, 'the latency histogram counts both ANM requests');
      assert.equal((sample(after, 'flexgate_journal_entries') ?? 0) - (sample(before, 'flexgate_journal_entries') ?? 0), 1);
      assert.ok((sample(after, 'flexgate_store_bytes') ?? 0) > 0);

      const now = Date.now() / 1000;
      for (const authority of ['root', 'issuing'])
        assert.ok((sample(after, 'flexgate_crl_next_update_timestamp_seconds', { authority }) ?? 0) > now, `${authority} CRL lapses in the future`);
      for (const certificate of ['gateway', 'root-ca', 'issuing-ca'])
        assert.ok((sample(after, 'flexgate_certificate_expiry_timestamp_seconds', { certificate }) ?? 0) > now, `${certificate} expires in the future`);
      assert.ok(
        after.some((f) => f.name === 'flexgate_outbox_subscribers'),
        'the outbox is reported',
      );
    });

    it('gives metrics to administrators only, health and readiness to every party, all without a signature', async () => {
      const denied = await fsp.request('GET', '/metrics');
      assert.equal(denied.status, 403);
      assert.equal((denied.json as { type: string }).type, 'urn:flexgate:problem:auth.role-forbidden');
      const health = await fsp.request('GET', '/healthz');
      assert.equal(health.status, 200);
      assert.deepEqual(health.json, { status: 'ok' });
      const ready = await fsp.request('GET', '/readyz');
      assert.equal(ready.status, 200, ready.text);
      assert.equal((ready.json as { status: string }).status, 'ready');
      assert.ok(health.headers['x-jws-signature'], 'the answer is signed like every other');
    });
  });
});
