import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { MutualTlsTransport } from '../../client/transport.ts';
import { problemType } from '../../schemas/problems.ts';
import { startGatewayProcess, type GatewayProcess } from '../testing/gatewayProcess.ts';
import { hostileMeritOrderList, postHostileDocuments, sharedClock } from '../testing/hostileCimPost.ts';
import { DEV_ANM, DEV_DSO } from '../testing/testGateway.ts';

/** 1.95 million empty siblings, one per line: 15.6 MB, just under the 16 MiB body budget and the 2,000,000-element budget. */
const SIBLINGS = 1_950_000;
/** 40 GETs a second: inside the party's rate (100/s), and a fraction of what one core serves. */
const GET_SPACING_MS = 25;
const READER_CONNECTIONS = 4;
const MIN_OVERLAPPING_GETS = 100;
const P99_BOUND_MS = 100;

interface TimedGet {
  startedAt: number;
  endedAt: number;
  /** The HTTP status, or why there was none. */
  outcome: number | string;
}

/**
 * The hostile document's documented refusals: the IEC acknowledgement naming
 * the XSD violation, or `work.too-costly` when a loaded machine cannot
 * validate it within the heavy-work budget.
 */
const refusedAsDocumented = ({ status, body }: { status: number; body: string }) =>
  (status === 400 && body.includes('<Acknowledgement_MarketDocument') && body.includes(problemType('cim.schema-invalid'))) ||
  (status === 422 && body.includes(problemType('work.too-costly')));

const latencyOf = (timed: TimedGet) => timed.endedAt - timed.startedAt;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('the event loop while a hostile 16 MB CIM document is refused (issue 14)', function () {
  // Building the gateway, starting it and its heavy-work child, and posts of 16 MB on a loaded machine.
  this.timeout(300_000);
  let gateway: GatewayProcess;
  let dataDir: string;
  let reader: FlexgateClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexgate-responsiveness-'));
    gateway = await startGatewayProcess(['--dev-pki', '--data-dir', dataDir]);
    const credentials = await loadTlsCredentials(join(dataDir, 'pki'), DEV_ANM);
    // A few connections, as a client pool would keep: a GET waiting for one counts that wait in its latency.
    reader = new FlexgateClient(gateway.url, credentials, { transport: new MutualTlsTransport(gateway.url, credentials, { maxSockets: READER_CONNECTIONS }) });
  });

  after(async () => {
    reader?.close();
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers signed GETs from another party within 100 ms (p99) and refuses the document as documented', async () => {
    const get = async (): Promise<TimedGet> => {
      const startedAt = sharedClock();
      const outcome = await reader.request('GET', '/cim/v1/documents?limit=1').then(
        (response) => (response.status === 200 ? 200 : `${response.status} ${response.text().slice(0, 300)}`),
        (error: unknown) => String(error),
      );
      return { startedAt, endedAt: sharedClock(), outcome };
    };
    // Warm-up: connections, JIT, and the heavy-work child started by a document above the inline size.
    for (let k = 0; k < 50; k++) await get();
    const dso = new FlexgateClient(gateway.url, await loadTlsCredentials(join(dataDir, 'pki'), DEV_DSO));
    const warmUp = await dso
      .request('POST', '/cim/v1/documents', { body: hostileMeritOrderList(20_000), contentType: 'application/xml' })
      .finally(() => dso.close());
    assert.ok(refusedAsDocumented({ status: warmUp.status, body: warmUp.text() }), warmUp.text());

    const warmUpLatencies = (await Promise.all(Array.from({ length: 20 }, (_, k) => sleep(k * GET_SPACING_MS).then(get)))).map(latencyOf);

    // An open loop: GETs go out on a fixed schedule while a post is in flight, never waiting for each other,
    // so a stall shows as the latency of every GET it holds up, not as fewer samples.
    const gets: Promise<TimedGet>[] = [];
    let schedule: NodeJS.Timeout | undefined;
    const results = await postHostileDocuments({ url: gateway.url, pkiDir: join(dataDir, 'pki'), party: DEV_DSO, siblings: SIBLINGS, posts: 2 }, (posting) => {
      clearInterval(schedule);
      if (posting) schedule = setInterval(() => gets.push(get()), GET_SPACING_MS);
    }).finally(() => clearInterval(schedule));
    const answered = await Promise.all(gets);

    for (const post of results) assert.ok(refusedAsDocumented(post), `${post.status}: ${post.body.slice(0, 2000)}`);
    const during = (timed: TimedGet) => results.some((post) => timed.startedAt < post.endedAt && timed.endedAt > post.startedAt);
    const overlapping = answered.filter(during);
    const failed = answered.filter((timed) => timed.outcome !== 200);
    const outcomes = new Map<string, number>();
    for (const timed of failed) outcomes.set(String(timed.outcome), (outcomes.get(String(timed.outcome)) ?? 0) + 1);
    assert.deepEqual([...outcomes], [], 'every GET answered 200');
    const latencies = overlapping.map(latencyOf).sort((a, b) => a - b);
    const idle = warmUpLatencies.sort((a, b) => a - b);
    const postMs = results.map((post) => (post.endedAt - post.startedAt).toFixed(0)).join(', ');
    console.log(
      `      ${results.length} posts of ${(results[0]!.bytes / 1e6).toFixed(1)} MB refused (${results.map((post) => post.status).join(', ')}) in ${postMs} ms; ${latencies.length} GETs during them: ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms ` +
        `(idle: p50 ${percentile(idle, 50).toFixed(1)} ms, max ${idle.at(-1)?.toFixed(1)} ms)`,
    );
    assert.ok(latencies.length >= MIN_OVERLAPPING_GETS, `only ${latencies.length} GETs overlapped the posts`);
    assert.ok(percentile(latencies, 99) < P99_BOUND_MS, `p99 ${percentile(latencies, 99).toFixed(1)} ms`);
  });
});
