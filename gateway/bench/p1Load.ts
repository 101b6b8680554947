import { setTimeout as delay } from 'node:timers/promises';
import { loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient, verifyAnswer, type GatewayIdentity } from '../../client/flexgateClient.ts';
import type { ClientCredentials } from '../../client/transport.ts';
import { apiVersionFor, clockSequence, signEnvelope, signerFromCredentials, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { PROBLEM_TYPE_PREFIX } from '../../schemas/problems.ts';
import { measureBaseline } from './baseline.ts';
import { answerParent, isChildEntry } from './child.ts';
import { processCpuTime, type CpuTime } from './processCpu.ts';
import { requestHead, WireConnection, type WireAnswer } from './wireConnection.ts';

/**
 * P1's load generator, a process of its own beside the gateway's: every
 * party keeps `inFlight` signed requests in flight over as many connections
 * (so one party's sequence numbers overtake each other), first a warm-up,
 * then a measured window; bounded in time and in count. The phases run
 * saturated (a party sends again as soon as an answer comes: the most the
 * server answers), then, when asked, paced at a given rate (each party starts
 * its requests evenly spaced, still at most `inFlight` at once: the latency
 * the server gives at that load, timed from when each request was due, so a
 * server falling behind is charged for the wait). One process runs both, so
 * that every party's sequence numbers keep counting up. The machine's time
 * should go to the server it measures, so the generator signs every request
 * before the phase starts and verifies every answer (signature, status,
 * receipt, as the reference client does) after it ends; in the phase it only
 * writes prepared bytes and reads answers.
 */

/** How much load, and for how long: P1's profiles (p1Ingest.ts) choose these. */
export interface LoadShape {
  inFlight: number;
  warmupMs: number;
  measureMs: number;
  /** At most this many measured requests per phase, whatever the time. */
  maxRequests: number;
  /** Requests signed before a phase, per second of it (warm-up included; the window's at most `maxRequests`): above any rate the machine reaches, or a phase ends early. */
  presignPerSecond: number;
}

export interface LoadPlan extends LoadShape {
  url: string;
  pkiDir: string;
  /** The parties' URNs, each with a certificate in the PKI. */
  parties: string[];
  /** The server's process, whose CPU time the measured window is charged with. */
  serverPid: number;
  /**
   * Then both kinds again, paced at these ratios of the yardstick: the mean
   * of `yardstickBefore` and the baseline measured once the saturated phases
   * are over and the server idle, the baseline the saturated phases' ratios
   * are to.
   */
  pace?: { ratios: { post: number; get: number }; baselineMs: number; yardstickBefore: number };
}

export interface PhaseResult {
  /** Requests started (paced: due) in the measured window. */
  requests: number;
  /** The rate offered, requests per second over every party, in a paced phase. */
  offeredPerSecond?: number;
  /** Seconds from the window's start to the last of them answered. */
  seconds: number;
  accepted: number;
  /** Correctly signed requests refused only because another of the party's own overtook them. */
  overtaken: number;
  /** Other refusals and failures, by problem code or error message. */
  otherFailures: Record<string, number>;
  latencyMs: { p50: number; p99: number };
  /** A party used every request signed for the phase before it ended: the window was cut short (raise `presignPerSecond`). */
  ranOut?: boolean;
  /** CPU time per request started in the measured window; absent where /proc cannot be read. */
  cpuPerRequestUs?: { server: number; serverMainThread: number; generator: number };
}

export interface LoadResult {
  post: PhaseResult;
  get: PhaseResult;
  /** With `pace`: the paced phases, and the baseline measured before them. */
  paced?: { post: PhaseResult; get: PhaseResult; yardstickAfter: number };
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

const RECONNECT_PAUSE_MS = 100;
/** How long after its window a paced phase goes on sending the requests due in it, as a share of the window. */
const PACED_DRAIN_SHARE = 1 / 3;
/** The server is idle once its process spends less than this share of a core. */
const IDLE_SHARE = 0.05;
const IDLE_POLL_MS = 250;
const IDLE_WAIT_MS = 10_000;
/** Requests signed at a time before a phase. */
const SIGN_BATCH = 256;
/** Answers verified at a time once the phase is over. */
const CHECK_BATCH = 1_000;

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN);

/** A party's signed request, ready to write (the body is the phase's one, shared), and what its answer is checked against afterwards. */
interface Prepared {
  head: Buffer;
  body: Buffer;
  method: string;
  path: string;
  signature: string;
}

interface Party {
  urn: string;
  credentials: ClientCredentials;
  signer: EnvelopeSigner;
  gateway: GatewayIdentity;
  /** The path of a list the party posted, which its GETs read. */
  own: string;
  /** The party's own numbering, one by one: at most the requests in flight apart, never a window apart (replayWindow.ts). */
  sequence: () => string;
}

/** What one request of the measured window came to, before its answer is checked. */
interface Exchange {
  party: Party;
  request: Prepared;
  answer?: WireAnswer;
  error?: string;
}

/** Signs `count` requests of one kind for `party`, in order of sequence: every party's numbers overtake each other only in flight. */
async function prepare(party: Party, url: URL, count: number, method: string, path: string, body: Buffer, contentType?: string): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  const apiVersion = apiVersionFor(path);
  for (let first = 0; first < count; first += SIGN_BATCH) {
    const claims = Array.from({ length: Math.min(SIGN_BATCH, count - first) }, () => ({
      audience: party.gateway.party,
      sequence: party.sequence(),
      method,
      path,
      apiVersion,
    }));
    for (const signature of await Promise.all(claims.map((claim) => signEnvelope(party.signer, claim, body)))) {
      const headers = { 'user-agent': 'flexgate-bench', ...(contentType ? { 'content-type': contentType } : {}), [SIGNATURE_HEADER]: signature };
      prepared.push({ head: requestHead(url, method, path, headers, body.length), body, method, path, signature });
    }
  }
  return prepared;
}

/** A phase saturated (`perSecond` absent) or paced at `perSecond` over every party. */
async function phase(
  plan: LoadPlan,
  url: URL,
  parties: Party[],
  requests: (party: Party, count: number) => Promise<Prepared[]>,
  perSecond?: number,
): Promise<PhaseResult> {
  const presign = (ms: number) => ((perSecond ?? plan.presignPerSecond) * ms) / 1000;
  const perParty = Math.ceil((presign(plan.warmupMs) + Math.min(plan.maxRequests, presign(plan.measureMs))) / parties.length);
  const queues = await Promise.all(parties.map((party) => requests(party, perParty)));
  const latencies: number[] = [];
  const exchanges: Exchange[] = [];
  const result: PhaseResult = { requests: 0, seconds: 0, accepted: 0, overtaken: 0, otherFailures: {}, latencyMs: { p50: 0, p99: 0 } };
  if (perSecond) result.offeredPerSecond = perSecond;
  const fail = (reason: string) => (result.otherFailures[reason] = (result.otherFailures[reason] ?? 0) + 1);
  const start = performance.now();
  const measureFrom = start + plan.warmupMs;
  const stopAt = measureFrom + plan.measureMs;
  // Paced, requests due before `stopAt` are still sent until `drainUntil`: a server behind its schedule is measured, not skipped.
  const drainUntil = perSecond ? stopAt + plan.measureMs * PACED_DRAIN_SHARE : stopAt;
  /** When a party's nth request is due in a paced phase: every party's evenly spaced, the parties' staggered. */
  const due = (index: number, n: number) => (perSecond ? start + ((n + index / parties.length) * parties.length * 1000) / perSecond : performance.now());
  let lastAnswer = measureFrom;
  let before: { server: CpuTime | undefined; generator: NodeJS.CpuUsage } | undefined;
  const windowOpens = setTimeout(() => (before = { server: processCpuTime(plan.serverPid), generator: process.cpuUsage() }), plan.warmupMs);
  const taken = parties.map(() => 0);
  /** A new connection for a party, tried again until the phase ends: a refused connection is a failure, not the end of the run. */
  const connect = async (party: Party): Promise<WireConnection | undefined> => {
    while (performance.now() < stopAt) {
      try {
        return await WireConnection.open(url, party.credentials);
      } catch (error) {
        if (performance.now() >= measureFrom) fail(`connection failed: ${(error as Error).message.slice(0, 100)}`);
        await delay(RECONNECT_PAUSE_MS);
      }
    }
    return undefined;
  };
  const worker = async (index: number) => {
    const party = parties[index]!;
    let connection = await connect(party);
    try {
      while (connection && performance.now() < drainUntil && result.requests < plan.maxRequests) {
        // A connection the server closed between requests is replaced before a request is spent on it.
        if (!connection.usable) {
          connection.close();
          connection = await connect(party);
          continue;
        }
        const n = taken[index]!++;
        const begin = due(index, n);
        if (begin >= stopAt) break;
        const request = queues[index]![n];
        if (!request) {
          result.ranOut = true;
          break;
        }
        const wait = begin - performance.now();
        if (wait > 0) await delay(wait);
        const measured = begin >= measureFrom;
        if (measured) result.requests++;
        const exchange: Exchange = { party, request };
        try {
          exchange.answer = await connection.exchange(request.head, request.body);
        } catch (error) {
          exchange.error = (error as Error).message.slice(0, 120);
        }
        if (!measured) continue;
        const end = performance.now();
        lastAnswer = Math.max(lastAnswer, end);
        latencies.push(end - begin);
        exchanges.push(exchange);
      }
    } finally {
      connection?.close();
    }
  };
  await Promise.all(parties.flatMap((_, index) => Array.from({ length: plan.inFlight }, () => worker(index))));
  if (perSecond) {
    // Requests due in the window but never sent: the server fell that far behind; each waited at least until the phase ended.
    for (const [index, next] of taken.entries()) {
      for (let n = next; n < queues[index]!.length && result.requests < plan.maxRequests; n++) {
        const dueAt = due(index, n);
        if (dueAt >= stopAt) break;
        if (dueAt < measureFrom) continue;
        result.requests++;
        latencies.push(drainUntil - dueAt);
        fail('not sent before the phase ended: the server was that far behind the schedule');
      }
    }
  }
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
  for (let first = 0; first < exchanges.length; first += CHECK_BATCH) {
    for (const outcome of await Promise.all(exchanges.slice(first, first + CHECK_BATCH).map(checkedOutcome))) {
      if (outcome === 'accepted') result.accepted++;
      else if (OVERTAKING.test(outcome)) result.overtaken++;
      else fail(outcome);
    }
  }
  latencies.sort((a, b) => a - b);
  result.seconds = (lastAnswer - measureFrom) / 1000;
  result.latencyMs = { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
  return result;
}

/** 'accepted', the problem code of a refusal, or why the exchange failed or its answer cannot be believed. */
async function checkedOutcome({ party, request, answer, error }: Exchange): Promise<string> {
  if (!answer) return error ?? 'no answer';
  try {
    await verifyAnswer(answer, { method: request.method, path: request.path, gateway: party.gateway, me: party.urn, signed: request });
  } catch (failure) {
    return `answer not verified: ${(failure as Error).message.slice(0, 120)}`;
  }
  return answer.status < 300 ? 'accepted' : (problemCode(answer.body) ?? `HTTP ${answer.status}`);
}

/** Waits (a bounded time) until the server's process has settled after a load (checkpoints, logs): it no longer competes with the yardstick. */
async function idle(pid: number): Promise<void> {
  const until = performance.now() + IDLE_WAIT_MS;
  let before = processCpuTime(pid);
  while (before && performance.now() < until) {
    await delay(IDLE_POLL_MS);
    const now = processCpuTime(pid);
    if (!now || now.allThreadsMs - before.allThreadsMs < IDLE_SHARE * IDLE_POLL_MS) return;
    before = now;
  }
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
  const url = new URL(plan.url);
  const listsPath = '/anm/v1/merit-order-lists';
  const mol = Buffer.from(tenEntryMeritOrderList());
  const credentials = await Promise.all(plan.parties.map((urn) => loadTlsCredentials(plan.pkiDir, urn)));
  const clients = credentials.map((each) => new FlexgateClient(plan.url, each));
  try {
    // Each party reads back a list it posted itself, through the reference client.
    const own = await Promise.all(
      clients.map(async (client) => {
        const response = await client.request('POST', listsPath, { body: mol, contentType: 'application/json' });
        if (response.status !== 201) throw new Error(`setup POST as ${client.party}: HTTP ${response.status} ${response.text()}`);
        return `${listsPath}/${encodeURIComponent(response.json<{ id: string }>().id)}`;
      }),
    );
    // Above every number the reference clients took, each party counts on by one.
    const first = Number(clockSequence()());
    const parties = await Promise.all(
      clients.map(async (client, index): Promise<Party> => {
        let next = first;
        const party = { credentials: credentials[index]!, signer: signerFromCredentials(credentials[index]!), gateway: await client.gatewayIdentity() };
        return { ...party, urn: client.party, own: own[index]!, sequence: () => String(++next) };
      }),
    );
    const empty = Buffer.alloc(0);
    const posts = (party: Party, count: number) => prepare(party, url, count, 'POST', listsPath, mol, 'application/json');
    const gets = (party: Party, count: number) => prepare(party, url, count, 'GET', party.own, empty);
    const result: LoadResult = { post: await phase(plan, url, parties, posts), get: await phase(plan, url, parties, gets) };
    if (plan.pace) {
      // The yardstick measured while nothing else runs: this process waits, the server has settled.
      await idle(plan.serverPid);
      const yardstickAfter = await measureBaseline(plan.pace.baselineMs);
      const yardstick = (plan.pace.yardstickBefore + yardstickAfter) / 2;
      result.paced = {
        post: await phase(plan, url, parties, posts, plan.pace.ratios.post * yardstick),
        get: await phase(plan, url, parties, gets, plan.pace.ratios.get * yardstick),
        yardstickAfter,
      };
    }
    return result;
  } finally {
    for (const client of clients) client.close();
  }
}

if (isChildEntry(import.meta.url)) await answerParent(await generateLoad(JSON.parse(process.argv[2]!) as LoadPlan));
