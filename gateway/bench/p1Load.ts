import { loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { PROBLEM_TYPE_PREFIX } from '../../schemas/problems.ts';
import { answerParent, isChildEntry } from './child.ts';
import { processCpuTime, type CpuTime } from './processCpu.ts';

/**
 * P1's load generator, a process of its own beside the gateway's: every
 * party sends `inFlight` signed requests at a time through one client (so
 * one party's sequence numbers overtake each other in flight), first a
 * warm-up, then a measured window; bounded in time and in count.
 */

export interface LoadPlan {
  url: string;
  pkiDir: string;
  /** The parties' URNs, each with a certificate in the PKI. */
  parties: string[];
  inFlight: number;
  warmupMs: number;
  measureMs: number;
  /** At most this many requests per phase, whatever the time. */
  maxRequests: number;
  /** The server's process, whose CPU time the measured window is charged with. */
  serverPid: number;
}

export interface PhaseResult {
  /** Requests started in the measured window. */
  requests: number;
  /** Seconds from the window's start to the last of them answered. */
  seconds: number;
  accepted: number;
  /** Correctly signed requests refused only because another of the party's own overtook them. */
  overtaken: number;
  /** Other refusals and failures, by problem code or error message. */
  otherFailures: Record<string, number>;
  latencyMs: { p50: number; p99: number };
  /** CPU time per request started in the measured window; absent where /proc cannot be read. */
  cpuPerRequestUs?: { server: number; serverMainThread: number; generator: number };
}

export interface LoadResult {
  post: PhaseResult;
  get: PhaseResult;
}

/** A 10-entry merit order list in JSON, as an ANM posts it. */
export function tenEntryMeritOrderList(): string {
  return JSON.stringify({
    issuedAt: '2026-11-30T12:00:00Z',
    periodStart: '2026-11-30T13:00:00Z',
    entries: Array.from({ length: 10 }, (_, i) => ({
      order: i + 1,
      contractId: `BENCH-C-${i + 1}`,
      resourceId: `BENCH-R-${i + 1}`,
      operationType: i % 2 ? 'FlexibleOutputChange' : 'ConstrainedGeneration',
      value_kW: 0,
      mic_kW: 100 * (i + 1),
      mec_kW: 200 * (i + 1),
      activity: i % 2 ? 'Seller' : 'Buyer',
      traded: false,
      registered: true,
    })),
  });
}

/** Sequence refusals: the envelope rule ("not above the last one") or a replay window's ("below the window"). */
const OVERTAKING = /^envelope\.(sequence|replay)/;

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN);

async function phase(plan: LoadPlan, clients: FlexgateClient[], send: (client: FlexgateClient, index: number) => Promise<{ status: number; body: Buffer }>) {
  const latencies: number[] = [];
  const result: PhaseResult = { requests: 0, seconds: 0, accepted: 0, overtaken: 0, otherFailures: {}, latencyMs: { p50: 0, p99: 0 } };
  const fail = (reason: string) => (result.otherFailures[reason] = (result.otherFailures[reason] ?? 0) + 1);
  const measureFrom = performance.now() + plan.warmupMs;
  const stopAt = measureFrom + plan.measureMs;
  let lastAnswer = measureFrom;
  let before: { server: CpuTime | undefined; generator: NodeJS.CpuUsage } | undefined;
  const windowOpens = setTimeout(() => (before = { server: processCpuTime(plan.serverPid), generator: process.cpuUsage() }), plan.warmupMs);
  const worker = async (client: FlexgateClient, index: number) => {
    while (performance.now() < stopAt && result.requests < plan.maxRequests) {
      const begin = performance.now();
      const measured = begin >= measureFrom;
      if (measured) result.requests++;
      let outcome: string;
      try {
        const response = await send(client, index);
        outcome = response.status < 300 ? 'accepted' : (problemCode(response.body) ?? `HTTP ${response.status}`);
      } catch (error) {
        outcome = (error as Error).message.slice(0, 120);
      }
      if (!measured) continue;
      const end = performance.now();
      lastAnswer = Math.max(lastAnswer, end);
      latencies.push(end - begin);
      if (outcome === 'accepted') result.accepted++;
      else if (OVERTAKING.test(outcome)) result.overtaken++;
      else fail(outcome);
    }
  };
  await Promise.all(clients.flatMap((client, index) => Array.from({ length: plan.inFlight }, () => worker(client, index))));
  clearTimeout(windowOpens);
  const server = processCpuTime(plan.serverPid);
  if (before?.server && server && result.requests) {
    const generator = process.cpuUsage(before.generator);
    const perRequestUs = (ms: number) => (ms * 1000) / result.requests;
    result.cpuPerRequestUs = {
      server: perRequestUs(server.allThreadsMs - before.server.allThreadsMs),
      serverMainThread: perRequestUs(server.mainThreadMs - before.server.mainThreadMs),
      generator: (generator.user + generator.system) / result.requests,
    };
  }
  latencies.sort((a, b) => a - b);
  result.seconds = (lastAnswer - measureFrom) / 1000;
  result.latencyMs = { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
  return result;
}

function problemCode(body: Buffer): string | undefined {
  try {
    const type = (JSON.parse(body.toString('utf8')) as { type?: unknown }).type;
    return typeof type === 'string' && type.startsWith(PROBLEM_TYPE_PREFIX) ? type.slice(PROBLEM_TYPE_PREFIX.length) : undefined;
  } catch {
    return undefined;
  }
}

export async function generateLoad(plan: LoadPlan): Promise<LoadResult> {
  const clients = await Promise.all(plan.parties.map(async (urn) => new FlexgateClient(plan.url, await loadTlsCredentials(plan.pkiDir, urn))));
  try {
    const mol = tenEntryMeritOrderList();
    const post = (client: FlexgateClient) => client.request('POST', '/anm/v1/merit-order-lists', { body: mol, contentType: 'application/json' });
    // Each party reads back a list it posted itself.
    const own = await Promise.all(
      clients.map(async (client) => {
        const response = await post(client);
        if (response.status !== 201) throw new Error(`setup POST as ${client.party}: HTTP ${response.status} ${response.text()}`);
        return `/anm/v1/merit-order-lists/${encodeURIComponent(response.json<{ id: string }>().id)}`;
      }),
    );
    return {
      post: await phase(plan, clients, post),
      get: await phase(plan, clients, (client, index) => client.request('GET', own[index]!)),
    };
  } finally {
    for (const client of clients) client.close();
  }
}

if (isChildEntry(import.meta.url)) await answerParent(await generateLoad(JSON.parse(process.argv[2]!) as LoadPlan));
