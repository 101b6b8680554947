import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki, issueCertificate } from '../../certs/index.ts';
import { openGatewayStore } from '../storage.ts';
import type { Store } from '../store/store.ts';
import { startGatewayProcess } from '../testing/gatewayProcess.ts';
import { BASELINE_NAME, measureBaseline } from './baseline.ts';
import { runInChild } from './child.ts';
import { startCeilingServer } from './p1Ceiling.ts';
import type { LoadPlan, LoadResult, LoadShape, PhaseResult } from './p1Load.ts';
import type { BenchRow } from './row.ts';

/**
 * P1: concurrent signed ingest end to end. A real `flexgate serve` process on
 * SQLite (durable before it answers) over loopback mutual TLS, and a load
 * generator in another process: 16 ANM parties × 4 requests in flight,
 * signed POSTs of a 10-entry merit order list, then signed GETs of one,
 * each saturated (the rate the gateway reaches) and then paced at the goal's
 * rate (the latency it gives at that load; p1Load.ts). With every party
 * always 4 requests in flight, a saturated phase's latency is fixed by its
 * rate (Little's law: 64 in flight / rate), so its p99 says how fast, not how
 * responsive: a server answering POSTs saturated at exactly the goal's 0.10 ×
 * a baseline of ~10k verifies/s would take 64 ms at the mean. The goals' rate
 * and p99 hold together only at the goal's load, so that is where the p99
 * goal is read. The saturated load then runs against a bare server
 * (p1Ceiling.ts): what any signed mTLS exchange costs on this machine,
 * before a framework or a store; and
 * against that server doing the gateway's durable store work too, so that
 * what is left is the cost of the gateway's own layers.
 */

export interface IngestBenchOptions extends LoadShape {
  parties: number;
}

export const FULL_INGEST: IngestBenchOptions = { parties: 16, inFlight: 4, warmupMs: 5_000, measureMs: 15_000, maxRequests: 200_000, presignPerSecond: 10_000 };

const GOALS = { post: 0.1, get: 0.2, p99Ms: 50 } as const;

/** What P1's ratios are to: the baseline measured just before the gateway's process starts and just after its saturated phases end. */
const P1_BASELINE = `${BASELINE_NAME} around P1`;

/**
 * P1's rows. The baseline its ratios are to is measured again around the
 * gateway's saturated phases: `baselineMs` just before its process starts and
 * just after they end (the gateway idle), so that nothing of the gateway's
 * runs beside it; the mean of the two. The paced phases offer the goals'
 * rates of that mean: the goals' load by the table's own yardstick. On these
 * shared machines the speed a core gives drifts by a third within a quarter
 * of an hour (one read 12.0k and 16.0k verifies/s twenty minutes apart), so
 * a yardstick taken minutes earlier, before the other groups ran, can make
 * the same server read much slower or faster.
 */
export async function ingestBench(options: IngestBenchOptions, baselineMs: number): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'flexgate-bench-p1-'));
  try {
    const pkiDir = join(root, 'pki');
    await ensureDevPki(pkiDir);
    const parties: string[] = [];
    for (let n = 1; n <= options.parties; n++) {
      const id = `anm-bench-${String(n).padStart(2, '0')}`;
      await issueCertificate(pkiDir, { role: 'anm', id });
      parties.push(`urn:flexgate:anm:${id}`);
    }
    // The per-party rate limit is a deployment's policy, not the gateway's capacity: raised above what the load asks.
    const unlimited = String(1_000_000);
    const around = [await measureBaseline(baselineMs)];
    const gateway = await startGatewayProcess([
      '--data-dir',
      join(root, 'data'),
      '--pki-dir',
      pkiDir,
      '--requests-per-second',
      unlimited,
      '--request-burst',
      unlimited,
    ]);
    let load: LoadResult;
    try {
      const pace = { ratios: { post: GOALS.post, get: GOALS.get }, baselineMs, yardstickBefore: around[0]! };
      load = await runLoad({ ...options, url: gateway.url, pkiDir, parties, serverPid: gateway.child.pid!, pace });
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    const paced = load.paced!;
    around.push(paced.yardstickAfter);
    // The bare servers run in this process, otherwise idle while the load runs.
    const ceiling = await ceilingLoad(options, pkiDir, parties);
    const store = await openGatewayStore({ dataDir: join(root, 'ceiling-data'), checkpointInBackground: true });
    let stored: LoadResult;
    try {
      stored = await ceilingLoad(options, pkiDir, parties, store);
    } finally {
      await store.close();
    }
    const shape = { text: `${options.parties} parties × ${options.inFlight} in flight`, inFlight: options.parties * options.inFlight };
    const baselinePerSecond = (around[0]! + around[1]!) / 2;
    return [
      {
        group: 'P1',
        what: `${P1_BASELINE}: ${BASELINE_NAME} as the baseline row measures it, just before the gateway's process starts and just after its saturated phases end (${around.map((rate) => Math.round(rate)).join(' and ')}), the mean`,
        value: baselinePerSecond,
        unit: 'verifies/s',
      },
      ...phaseRows(
        'signed POST of a 10-entry MOL',
        shape,
        { gateway: load.post, paced: paced.post, bare: ceiling.post, stored: stored.post },
        GOALS.post,
        baselinePerSecond,
      ),
      ...phaseRows('signed GET of a MOL', shape, { gateway: load.get, paced: paced.get, bare: ceiling.get, stored: stored.get }, GOALS.get, baselinePerSecond),
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function ceilingLoad(options: IngestBenchOptions, pkiDir: string, parties: string[], store?: Store): Promise<LoadResult> {
  const server = await startCeilingServer(pkiDir, store);
  try {
    return await runLoad({ ...options, url: server.url, pkiDir, parties, serverPid: process.pid });
  } finally {
    await server.close();
  }
}

/** One kind of request's results: the gateway's (saturated and paced), the bare server's, and the bare server's doing the gateway's store work. */
interface PhaseResults {
  gateway: PhaseResult;
  paced: PhaseResult;
  bare: PhaseResult;
  stored: PhaseResult;
}

const runLoad = (plan: LoadPlan) => runInChild<LoadResult>(new URL('./p1Load.ts', import.meta.url).href, [JSON.stringify(plan)]);

/** Requests accepted per second of the window; none when nothing was answered in it. */
const rate = (result: PhaseResult) => (result.seconds > 0 ? result.accepted / result.seconds : 0);

function phaseRows(what: string, shape: { text: string; inFlight: number }, results: PhaseResults, goalRatio: number, baselinePerSecond: number): BenchRow[] {
  const { gateway: result, paced, bare: ceiling, stored } = results;
  const perSecond = rate(result);
  const ratio = perSecond / baselinePerSecond;
  const offered = paced.offeredPerSecond ?? Number.NaN;
  return [
    {
      group: 'P1',
      what: `${what}, ${shape.text}, saturated, accepted${result.ranOut ? ' (the pre-signed requests ran out before the window closed: a shorter window)' : ''}`,
      value: perSecond,
      unit: 'requests/s',
      ratio,
      baseline: P1_BASELINE,
      goal: `≥ ${goalRatio.toFixed(2)} ×`,
      met: ratio >= goalRatio,
    },
    { group: 'P1', what: `${what}, saturated, p50 latency`, value: result.latencyMs.p50, unit: 'ms' },
    { group: 'P1', what: `${what}, saturated, p99 latency`, value: result.latencyMs.p99, unit: 'ms' },
    {
      group: 'P1',
      what: `${what}, saturated, the least mean latency, and so p99, of any server answering this rate with ${shape.inFlight} requests always in flight (Little's law: in flight / rate)`,
      value: (1000 * shape.inFlight) / perSecond,
      unit: 'ms',
    },
    ...refusalRows(`${what}, saturated`, result),
    {
      group: 'P1',
      what: `${what}, paced at the goal's load: offered evenly, ${shape.text} at most`,
      value: offered,
      unit: 'requests/s',
      ratio: offered / baselinePerSecond,
      baseline: P1_BASELINE,
    },
    {
      group: 'P1',
      what: `${what}, paced, accepted${paced.ranOut ? ' (the pre-signed requests ran out before the window closed: a shorter window)' : ''}`,
      value: rate(paced),
      unit: 'requests/s',
      ratio: rate(paced) / baselinePerSecond,
      baseline: P1_BASELINE,
    },
    { group: 'P1', what: `${what}, paced, p50 latency from when each request was due`, value: paced.latencyMs.p50, unit: 'ms' },
    {
      group: 'P1',
      what: `${what}, paced, p99 latency from when each request was due`,
      value: paced.latencyMs.p99,
      unit: 'ms',
      goal: `< ${GOALS.p99Ms} ms`,
      met: paced.latencyMs.p99 < GOALS.p99Ms,
    },
    ...refusalRows(`${what}, paced`, paced),
    {
      group: 'P1',
      what: `${what}, the same load answered by a bare Node mTLS server (envelopes verified and signed; no framework, no store)`,
      value: rate(ceiling),
      unit: 'requests/s',
      ratio: rate(ceiling) / baselinePerSecond,
      baseline: P1_BASELINE,
    },
    {
      group: 'P1',
      what: `${what}, the gateway's share of that bare server's rate`,
      value: perSecond / rate(ceiling),
      unit: '×',
    },
    {
      group: 'P1',
      what: `${what}, the same load answered by that bare server doing the gateway's durable store work too (admission, and a POST's journal entry and document, committed in groups before each answer; a GET's document read back)`,
      value: rate(stored),
      unit: 'requests/s',
      ratio: rate(stored) / baselinePerSecond,
      baseline: P1_BASELINE,
    },
    { group: 'P1', what: `${what}, the gateway's share of that server's rate`, value: perSecond / rate(stored), unit: '×' },
    ...cpuRows(what, results, baselinePerSecond),
  ];
}

/** A phase's refusals: none for overtaking, none of other kinds. */
function refusalRows(what: string, result: PhaseResult): BenchRow[] {
  const failures = Object.entries(result.otherFailures);
  const failed = failures.reduce((sum, [, count]) => sum + count, 0);
  return [
    {
      group: 'P1',
      what: `${what}, correctly signed but refused for overtaking (of ${result.requests})`,
      value: result.overtaken,
      unit: 'requests',
      goal: '0',
      met: result.overtaken === 0,
    },
    {
      group: 'P1',
      what: `${what}, other refusals and failures${failures.length ? ` (${failures.map(([reason, count]) => `${count} ${reason}`).join('; ')})` : ''}`,
      value: failed,
      unit: 'requests',
      goal: '0',
      met: failed === 0,
    },
  ];
}

/**
 * Where the machine's time went, per request: the gateway's CPU (all threads,
 * and its event loop alone), the bare server's (alone and with the store
 * work), the load generator's, and what they bound. With the generator on the same cores, no server can answer
 * more than cores / (its CPU + the generator's) per request, nor one process
 * more than its event loop allows.
 */
function cpuRows(what: string, results: PhaseResults, baselinePerSecond: number): BenchRow[] {
  const gateway = results.gateway.cpuPerRequestUs;
  const bare = results.bare.cpuPerRequestUs;
  const stored = results.stored.cpuPerRequestUs;
  if (!gateway || !bare || !stored) return [];
  const cores = availableParallelism();
  const allCores = (serverUs: number, generatorUs: number) => (cores * 1e6) / (serverUs + generatorUs);
  const gatewayBound = Math.min(allCores(gateway.server, gateway.generator), 1e6 / gateway.serverMainThread);
  const bareBound = allCores(bare.server, bare.generator);
  return [
    {
      group: 'P1',
      what: `${what}, CPU per request in the gateway, all threads`,
      value: gateway.server,
      unit: 'µs',
      ratio: gateway.server / bare.server,
      baseline: "the bare server's",
    },
    { group: 'P1', what: `${what}, CPU per request in the gateway's event loop (main thread)`, value: gateway.serverMainThread, unit: 'µs' },
    { group: 'P1', what: `${what}, CPU per request in the bare server, all threads`, value: bare.server, unit: 'µs' },
    {
      group: 'P1',
      what: `${what}, CPU per request in the load generator (${gateway.generator.toFixed(0)} µs beside the gateway, ${bare.generator.toFixed(0)} beside the bare server)`,
      value: gateway.generator,
      unit: 'µs',
    },
    {
      group: 'P1',
      what: `${what}, the most the gateway could answer at its CPU per request beside this load generator on ${cores} cores (every core busy, or its one event loop busy)`,
      value: gatewayBound,
      unit: 'requests/s',
      ratio: gatewayBound / baselinePerSecond,
      baseline: P1_BASELINE,
    },
    {
      group: 'P1',
      what: `${what}, the most any server costing what the bare one does could answer beside this load generator on ${cores} cores`,
      value: bareBound,
      unit: 'requests/s',
      ratio: bareBound / baselinePerSecond,
      baseline: P1_BASELINE,
    },
    { group: 'P1', what: `${what}, CPU per request in the bare server with the store work, all threads`, value: stored.server, unit: 'µs' },
    {
      group: 'P1',
      what: `${what}, CPU per request in the bare server with the store work, its event loop (main thread)`,
      value: stored.serverMainThread,
      unit: 'µs',
    },
  ];
}
