import { openadr301Status } from '../openadr/v301/routes.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { issueCertificate, loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient, type GatewayIdentity } from '../../client/flexgateClient.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { clockSequence, readEnvelopeHeader, signEnvelope, signerFromCredentials, verifyEnvelope } from '../../protocol/envelope/index.ts';
import type { EnvelopeClaims, EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { answerApiVersionOfPath, SIGNATURE_HEADER, type ApiVersion } from '../../schemas/envelope.ts';
import { problemCatalogue, PROBLEM_TYPE_PREFIX } from '../../schemas/problems.ts';
import { BITRADER_DIR } from '../testing/fixtures.ts';
import { startGatewayProcess, type GatewayProcess } from '../testing/gatewayProcess.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, DEV_FSP } from '../testing/testGateway.ts';
import { casesOf, ROUTE_FAMILIES, type FuzzCase, type RouteFamily, type Seeds, type Sender } from './cases.ts';
import { FuzzTransport } from './fuzzTransport.ts';

/** The harness could not set up its run: fixtures absent, or the gateway refused what a valid client sends. */
export class FuzzSetupFailed extends FlexgateError {
  readonly code = 'fuzz.setup-failed';
}

export interface FuzzOptions {
  seed: number;
  /** Cases per route family. */
  runs: number;
  /** Stop a family's run after this long, whatever the count. */
  timeLimitMs: number;
  families?: readonly RouteFamily[];
  /** A response slower than this breaks the latency invariant. */
  slowMs?: number;
  log?: (line: string) => void;
}

/** One case that broke an invariant, with what it takes to send it again. */
export interface Finding {
  invariant: string;
  detail: string;
  case: { sender: Sender; method: string; target: string; headers: Record<string, string>; body: string; signature: FuzzCase['signature']; labels: string[] };
}

export interface FamilyFigures {
  family: RouteFamily;
  cases: number;
  accepted: number;
  refused: number;
  /** Cases sent again after a 429 `request.rate-limited` (the harness waits `Retry-After`). */
  rateLimitedRetries: number;
  serverErrors: number;
  slow: number;
  notProblem: number;
  storedOnRefusal: number;
  renderFailures: number;
  badResponseSignatures: number;
  transportFailures: number;
  maxMs: number;
  p99Ms: number;
  statuses: Record<string, number>;
  findings: Finding[];
  durationMs: number;
}

export interface FuzzReport {
  seed: number;
  runs: number;
  families: FamilyFigures[];
  /** The gateway process ended during the run. */
  crashed: string | undefined;
}

const MAX_FINDINGS_KEPT = 25;
const EXAMPLES_PER_KIND = 3;
/** Tables a refused request may legitimately write: the replay guard's message ids and sequences, the gateway's outbound sequences, migrations. */
const BOOKKEEPING_TABLES = /^(envelope_|kysely_)|seen|sequence|replay|outbound|window/i;

const PARTIES: Record<Exclude<Sender, 'envelope'>, string> = { anm: DEV_ANM, dso: DEV_DSO, fsp: DEV_FSP, admin: DEV_ADMIN };
/** Each family's party for envelope mutations: of a role the family's routes admit, so the signature is what is tested. */
const ENVELOPE_ROLES: Record<RouteFamily, 'anm' | 'dso' | 'fsp' | 'admin'> = { anm: 'anm', cim: 'dso', openadr: 'fsp', admin: 'admin' };

interface Party {
  urn: string;
  signer: EnvelopeSigner;
  transport: FuzzTransport;
  sequence: () => string;
}

/**
 * The fuzz harness (issue 14): a real `flexgate serve` process on loopback,
 * real mutual TLS, a seeded fast-check run per route family. Every case is
 * held to the invariants: no 5xx, no crash, no response slower than
 * `slowMs`, every refusal a problem+json of a catalogue type, nothing stored
 * on a refusal, every response signed by the gateway, and every accepted
 * document readable again in each of its representations.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const slowMs = options.slowMs ?? 1000;
  if (!existsSync(join(BITRADER_DIR, 'mol-original-figure6.tsv')))
    throw new FuzzSetupFailed(`The fuzz harness seeds from the BiTraDER fixtures, absent at ${BITRADER_DIR}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'flexgate-fuzz-'));
  const gateway = await startGatewayProcess(['--dev-pki', '--data-dir', dataDir]);
  let crashed: string | undefined;
  void gateway.exited.then((code) => (crashed = `flexgate serve exited (${code}):\n${gateway.stderr().slice(-4000)}`));
  const db = new Database(join(dataDir, 'flexgate.sqlite'), { readonly: true, fileMustExist: true });
  const parties = new Map<string, Party>();
  try {
    const pkiDir = join(dataDir, 'pki');
    for (const role of new Set(Object.values(ENVELOPE_ROLES))) await issueCertificate(pkiDir, { role, id: 'fuzz-envelope' });
    const probe = new FlexgateClient(gateway.url, await loadTlsCredentials(pkiDir, DEV_ADMIN));
    const identity = await probe.gatewayIdentity().finally(() => probe.close());
    const partyOf = async (urn: string): Promise<Party> => {
      let party = parties.get(urn);
      if (!party) {
        const credentials = await loadTlsCredentials(pkiDir, urn);
        party = { urn, signer: signerFromCredentials(credentials), transport: new FuzzTransport(gateway.url, credentials, 30_000), sequence: clockSequence() };
        parties.set(urn, party);
      }
      return party;
    };
    const exchange = new Exchange(identity, slowMs);
    const seeds = await seed(exchange, partyOf);
    log(`flexgate serve at ${gateway.url}; seeded MOL ${seeds.molId}, look-ahead ${seeds.lookAheadId}, program ${seeds.programId}, event ${seeds.eventId}`);
    const report: FuzzReport = { seed: options.seed, runs: options.runs, families: [], crashed: undefined };
    for (const family of options.families ?? ROUTE_FAMILIES) {
      const figures = await fuzzFamily(family, seeds, options, { exchange, partyOf, db, gateway, crashed: () => crashed, log });
      report.families.push(figures);
      log(summaryLine(figures));
      if (crashed) break;
    }
    report.crashed = crashed;
    return report;
  } finally {
    db.close();
    for (const party of parties.values()) party.transport.close();
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function summaryLine(f: FamilyFigures): string {
  return (
    `${f.family}: ${f.cases} cases in ${(f.durationMs / 1000).toFixed(1)} s — ${f.accepted} accepted, ${f.refused} refused, ` +
    `${f.serverErrors} 5xx, ${f.slow} over the time limit (max ${f.maxMs.toFixed(0)} ms, p99 ${f.p99Ms.toFixed(0)} ms), ` +
    `${f.notProblem} refusals not a catalogue problem, ${f.storedOnRefusal} stored on refusal, ${f.renderFailures} accepted but not re-rendered, ` +
    `${f.badResponseSignatures} responses not signed, ${f.transportFailures} transport failures, ${f.rateLimitedRetries} rate-limit retries; ` +
    `statuses ${JSON.stringify(f.statuses)}`
  );
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
  /** Why the gateway's signature over the answer does not hold, if it does not. */
  signatureProblem: string | undefined;
}

/** Sends one request as a party, signed as the case says, and checks the gateway's signature over the answer. */
class Exchange {
  constructor(
    readonly gateway: GatewayIdentity,
    readonly slowMs: number,
  ) {}

  async send(
    party: Party,
    request: { method: string; target: string; body: Buffer; headers: Record<string, string>; signature: FuzzCase['signature'] },
  ): Promise<Answer> {
    const apiVersion: ApiVersion = answerApiVersionOfPath(request.target.split('?')[0] ?? '/');
    const claims: EnvelopeClaims = { audience: this.gateway.party, sequence: party.sequence(), method: request.method, path: request.target, apiVersion };
    const jws = await signatureFor(party.signer, claims, request.body, request.signature);
    party.transport.rawTarget = request.target;
    const response = await party.transport.send({
      method: request.method,
      url: new URL('/', party.transport.baseUrl),
      headers: { ...request.headers, ...(jws === undefined ? {} : { [SIGNATURE_HEADER]: jws }) },
      body: request.body,
    });
    return { ...response, ms: party.transport.lastMs, signatureProblem: await this.checkSignature(party, request, response) };
  }

  private async checkSignature(
    party: Party,
    request: { method: string; target: string },
    response: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
  ) {
    const jws = response.headers[SIGNATURE_HEADER];
    if (typeof jws !== 'string') return 'the answer carries no signature';
    try {
      const { header } = readEnvelopeHeader(jws);
      await verifyEnvelope(jws, response.body, {
        issuer: this.gateway.party,
        audience: party.urn,
        method: request.method,
        path: request.target,
        // The version is whatever the gateway chose (an unknown path has none of its own); verifyEnvelope refuses one outside the allow-list.
        apiVersion: header.ver as ApiVersion,
        certificate: { thumbprint: this.gateway.thumbprint, chain: [this.gateway.certificate] },
        kind: 'response',
        status: response.status,
      });
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }
}

async function signatureFor(signer: EnvelopeSigner, claims: EnvelopeClaims, body: Buffer, how: FuzzCase['signature']): Promise<string | undefined> {
  switch (how.kind) {
    case 'none':
      return undefined;
    case 'verbatim':
      return how.value;
    case 'valid':
      return signEnvelope(signer, claims, body);
    case 'claims':
      return signEnvelope(signer, { ...claims, ...how.claims }, body);
    case 'corrupt': {
      const jws = await signEnvelope(signer, claims, body);
      const at = how.at % jws.length;
      const swapped = jws[at] === 'A' ? 'B' : 'A';
      return jws.slice(0, at) + swapped + jws.slice(at + 1);
    }
  }
}

interface RunContext {
  exchange: Exchange;
  partyOf: (urn: string) => Promise<Party>;
  db: Database.Database;
  gateway: GatewayProcess;
  crashed: () => string | undefined;
  log: (line: string) => void;
}

/** Rows per table, bookkeeping excluded: what a refusal must leave unchanged. */
function storedRows(db: Database.Database): string {
  const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { name: string }[];
  return tables
    .filter(({ name }) => !BOOKKEEPING_TABLES.test(name))
    .map(({ name }) => `${name}=${(db.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n}`)
    .join(' ');
}

async function fuzzFamily(family: RouteFamily, seeds: Seeds, options: FuzzOptions, context: RunContext): Promise<FamilyFigures> {
  const started = performance.now();
  const figures: FamilyFigures = {
    family,
    cases: 0,
    accepted: 0,
    refused: 0,
    rateLimitedRetries: 0,
    serverErrors: 0,
    slow: 0,
    notProblem: 0,
    storedOnRefusal: 0,
    renderFailures: 0,
    badResponseSignatures: 0,
    transportFailures: 0,
    maxMs: 0,
    p99Ms: 0,
    statuses: {},
    findings: [],
    durationMs: 0,
  };
  const latencies: number[] = [];
  const token = family === 'openadr' ? await venToken(context) : undefined;
  const seen = new Map<string, number>();
  const find = (invariant: string, detail: string, c: FuzzCase) => {
    // A few examples of each kind of finding, so one bug does not crowd out the others.
    const kind = `${invariant}: ${detail.slice(0, 60)}`;
    seen.set(kind, (seen.get(kind) ?? 0) + 1);
    if (seen.get(kind)! > EXAMPLES_PER_KIND || figures.findings.length >= MAX_FINDINGS_KEPT) return;
    figures.findings.push({
      invariant,
      detail: detail.slice(0, 600),
      case: {
        sender: c.sender,
        method: c.method,
        target: c.target,
        headers: c.headers,
        body: c.body.toString('base64'),
        signature: c.signature,
        labels: c.labels,
      },
    });
  };

  await fc.assert(
    fc.asyncProperty(casesOf(family, seeds), async (c) => {
      if (context.crashed()) return;
      figures.cases++;
      const urn = c.sender === 'envelope' ? `urn:flexgate:${ENVELOPE_ROLES[family]}:fuzz-envelope` : PARTIES[c.sender];
      const party = await context.partyOf(urn);
      const headers = { ...c.headers, ...(c.bearer && token ? { authorization: `Bearer ${token}` } : {}) };
      const before = storedRows(context.db);
      let answer: Answer | undefined;
      for (let attempt = 0; attempt < 4; attempt++) {
        try {
          answer = await context.exchange.send(party, { ...c, headers });
        } catch (error) {
          if (context.crashed()) return find('no crash', context.crashed()!, c);
          figures.transportFailures++;
          return find('answered', (error as Error).message, c);
        }
        if (answer.status !== 429 || problemTypeOf(answer.body) !== `${PROBLEM_TYPE_PREFIX}request.rate-limited`) break;
        figures.rateLimitedRetries++;
        await new Promise((resolve) => setTimeout(resolve, Number(answer!.headers['retry-after'] ?? 1) * 1000));
      }
      if (!answer) return;
      latencies.push(answer.ms);
      figures.maxMs = Math.max(figures.maxMs, answer.ms);
      figures.statuses[answer.status] = (figures.statuses[answer.status] ?? 0) + 1;
      if (answer.ms > context.exchange.slowMs) {
        figures.slow++;
        find('no response over the time limit', `${answer.ms.toFixed(0)} ms for ${answer.status}`, c);
      }
      if (answer.signatureProblem) {
        figures.badResponseSignatures++;
        find('every response signed by the gateway', answer.signatureProblem, c);
      }
      if (answer.status >= 500) {
        figures.serverErrors++;
        find('no 5xx', `${answer.status} ${answer.body.toString('utf8').slice(0, 300)}`, c);
      } else if (answer.status >= 400) {
        figures.refused++;
        const why = notACatalogueProblem(answer, c.method, c.target);
        if (why) {
          figures.notProblem++;
          find('every refusal a catalogue problem', why, c);
        }
        const after = storedRows(context.db);
        if (after !== before) {
          figures.storedOnRefusal++;
          find('nothing stored on refusal', `${answer.status}: ${before} → ${after}`, c);
        }
      } else {
        figures.accepted++;
        const location = answer.headers.location;
        if (answer.status === 201 && typeof location === 'string') {
          const failure = await rerenders(family, location, party, context, token);
          if (failure) {
            figures.renderFailures++;
            find('every accepted document re-renders', failure, c);
          }
        }
      }
    }),
    { seed: options.seed, numRuns: options.runs, interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false, endOnFailure: true },
  );
  latencies.sort((a, b) => a - b);
  figures.p99Ms = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
  figures.durationMs = performance.now() - started;
  return figures;
}

function problemTypeOf(body: Buffer): string | undefined {
  try {
    return (JSON.parse(body.toString('utf8')) as { type?: string }).type;
  } catch {
    return undefined;
  }
}

/**
 * A CIM document refused is answered, as IEC 62325-451-1 has it, with an
 * Acknowledgement_MarketDocument to its sender; its first reason names the
 * problem type in brackets (gateway/cim/acknowledgements.ts).
 */
function acknowledgementProblemType(contentType: string, body: Buffer): string | undefined {
  if (!/^(application|text)\/xml/.test(contentType)) return undefined;
  const text = body.toString('utf8');
  if (!text.includes('<Acknowledgement_MarketDocument')) return undefined;
  return /\[(urn:flexgate:problem:[a-z0-9.-]+)\]/.exec(text)?.[1] ?? 'an acknowledgement naming no problem type';
}

/** Why a refusal is not problem+json of a type in the catalogue with the catalogue's status (in 3.0.1's words under /openadr/3.0.1), or undefined when it is. */
function notACatalogueProblem(answer: Answer, method: string, target: string): string | undefined {
  const contentType = String(answer.headers['content-type'] ?? '');
  if (method === 'HEAD') return /^application\/problem\+json/.test(contentType) ? undefined : `HEAD ${answer.status} as ${contentType}`;
  const acknowledged = acknowledgementProblemType(contentType, answer.body);
  if (!acknowledged && !/^application\/problem\+json/.test(contentType)) {
    return `${answer.status} as ${contentType || 'no content type'}: ${answer.body.toString('utf8').slice(0, 200)}`;
  }
  const type = acknowledged ?? problemTypeOf(answer.body);
  const code = type?.startsWith(PROBLEM_TYPE_PREFIX) ? type.slice(PROBLEM_TYPE_PREFIX.length) : undefined;
  const entry = code === undefined ? undefined : (problemCatalogue as Record<string, { status: number }>)[code];
  if (!entry || code === undefined) return `type ${type} is not in the catalogue`;
  const path = target.split('?')[0] ?? '';
  // The 3.0.1 router words its own refusals in 3.0.1's statuses; the trust layer in front of every API does not.
  const fromRouter301 = path.startsWith('/openadr/3.0.1/') && code.startsWith('openadr.');
  const expected = fromRouter301 ? openadr301Status(entry.status, path === '/openadr/3.0.1/auth/token') : entry.status;
  if (expected !== answer.status) return `${code} sent with ${answer.status}, the catalogue says ${expected}`;
  return undefined;
}

/** An accepted document read back in each representation the gateway offers for it; the first that fails, or undefined. */
async function rerenders(family: RouteFamily, location: string, party: Party, context: RunContext, token: string | undefined): Promise<string | undefined> {
  const reads: { target: string; accept: string }[] = [];
  const id = location.split('/').pop() ?? '';
  if (location.startsWith('/anm/v1/')) {
    reads.push(
      { target: location, accept: 'application/json' },
      { target: location, accept: 'text/tab-separated-values' },
      { target: `/cim/v1/documents/${id}`, accept: 'application/xml' },
    );
  } else if (location.startsWith('/cim/v1/')) {
    reads.push({ target: location, accept: 'application/xml' });
  } else if (family === 'openadr') {
    reads.push({ target: new URL(location, 'https://x').pathname, accept: 'application/json' });
  }
  for (const read of reads) {
    const answer = await context.exchange.send(party, {
      method: 'GET',
      target: read.target,
      body: Buffer.alloc(0),
      headers: { accept: read.accept, ...(token && family === 'openadr' ? { authorization: `Bearer ${token}` } : {}) },
      signature: { kind: 'valid' },
    });
    if (answer.status !== 200) return `GET ${read.target} as ${read.accept}: ${answer.status} ${answer.body.toString('utf8').slice(0, 300)}`;
  }
  return undefined;
}

/** Valid documents and ids to start from: the BiTraDER figure 6 MOL and figure 5 look-ahead, their JSON and CIM, an OpenADR program and event. */
async function seed(exchange: Exchange, partyOf: (urn: string) => Promise<Party>): Promise<Seeds> {
  const anm = await partyOf(DEV_ANM);
  const send = async (party: Party, method: string, target: string, body: Buffer | string, headers: Record<string, string>) => {
    const answer = await exchange.send(party, { method, target, body: Buffer.from(body), headers, signature: { kind: 'valid' } });
    if (answer.status >= 300)
      throw new FuzzSetupFailed(`Seeding: ${method} ${target} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 500)}`);
    return answer;
  };
  const molTsv = readFileSync(join(BITRADER_DIR, 'mol-original-figure6.tsv'));
  const lookAheadTsv = readFileSync(join(BITRADER_DIR, 'cla-figure5.tsv'));
  const tsv = { 'content-type': 'text/tab-separated-values' };
  const molId = String((await send(anm, 'POST', '/anm/v1/merit-order-lists', molTsv, tsv)).headers.location)
    .split('/')
    .pop()!;
  const lookAheadId = String((await send(anm, 'POST', '/anm/v1/constraint-look-aheads', lookAheadTsv, tsv)).headers.location)
    .split('/')
    .pop()!;
  const asJson = async (target: string) => {
    const {
      id: _id,
      revision: _revision,
      acceptedAt: _acceptedAt,
      ...document
    } = JSON.parse((await send(anm, 'GET', target, '', { accept: 'application/json' })).body.toString('utf8')) as Record<string, unknown>;
    return document;
  };
  const cimXml = (await send(anm, 'GET', `/cim/v1/documents/${molId}`, '', { accept: 'application/xml' })).body;
  const fsp = await partyOf(DEV_FSP);
  const token = await venTokenFor(exchange, await partyOf(DEV_ADMIN), fsp);
  const firstId = async (target: string) => {
    const answer = await exchange.send(fsp, {
      method: 'GET',
      target,
      body: Buffer.alloc(0),
      headers: { authorization: `Bearer ${token}` },
      signature: { kind: 'valid' },
    });
    const items = answer.status === 200 ? (JSON.parse(answer.body.toString('utf8')) as { id?: string }[]) : [];
    return items[0]?.id ?? 'missing';
  };
  return {
    molId,
    lookAheadId,
    molTsv,
    lookAheadTsv,
    molJson: await asJson(`/anm/v1/merit-order-lists/${molId}`),
    lookAheadJson: await asJson(`/anm/v1/constraint-look-aheads/${lookAheadId}`),
    cimXml,
    programId: await firstId('/openadr/3.1.0/programs'),
    eventId: await firstId('/openadr/3.1.0/events'),
  };
}

async function venToken(context: RunContext): Promise<string> {
  return venTokenFor(context.exchange, await context.partyOf(DEV_ADMIN), await context.partyOf(DEV_FSP));
}

/** Client credentials for the FSP from the admin route, then a bearer token for them (OAuth client credentials, form body). */
async function venTokenFor(exchange: Exchange, admin: Party, fsp: Party): Promise<string> {
  const provisioned = await exchange.send(admin, {
    method: 'POST',
    target: '/admin/v1/openadr/clients',
    body: Buffer.from(JSON.stringify({ party: fsp.urn })),
    headers: { 'content-type': 'application/json' },
    signature: { kind: 'valid' },
  });
  const { clientId, clientSecret } = JSON.parse(provisioned.body.toString('utf8')) as { clientId: string; clientSecret: string };
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  const answer = await exchange.send(fsp, {
    method: 'POST',
    target: '/openadr/3.1.0/auth/token',
    body: Buffer.from(form.toString()),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    signature: { kind: 'valid' },
  });
  const token = (JSON.parse(answer.body.toString('utf8')) as { access_token?: string }).access_token;
  if (!token) throw new FuzzSetupFailed(`No OpenADR token for the FSP: ${answer.status} ${answer.body.toString('utf8').slice(0, 300)}`);
  return token;
}
