import type { IncomingMessage } from 'node:http';

/** What the reference gateway answered, as a fault sees it. */
export interface Answer {
  method: string;
  path: string;
  status: number;
  /** The problem code when the answer is problem+json. */
  problem?: string;
  body: Buffer;
}

/** A deliberately faulty implementation: the reference gateway with one fault injected, and the suites expected to catch it. */
export interface Fault {
  name: string;
  description: string;
  /** The suites to run against it (the kill table's scope). */
  suites: string[];
  /** Replaces the answer (re-signed by the gateway's key) or leaves it (undefined). */
  rewrite?(answer: Answer, request: IncomingMessage, memory: Map<string, Buffer>): { status: number; body: Buffer } | undefined;
  /** Also lets TLS connections without a verified client certificate through to the API. */
  tls?: 'accept-without-client-certificate';
}

const accepted = (answer: Answer) => ({ status: answer.method === 'POST' ? 201 : 200, body: Buffer.from(answer.method === 'GET' ? '[]' : '{}') });
const acceptingProblems =
  (codes: string[]) =>
  (answer: Answer): { status: number; body: Buffer } | undefined =>
    answer.problem !== undefined && codes.includes(answer.problem) ? accepted(answer) : undefined;

const OBJECT_PATH = /^\/openadr\/3\.1\.0\/(vens|resources|reports|subscriptions|events|programs)\/[^/?]+$/;

/** The faulty implementations the suite must catch, one fault each. */
export const FAULTS: readonly Fault[] = [
  {
    name: 'ignores-signatures',
    description: 'accepts requests that are unsigned, signed over other bytes, or by a key it does not know',
    suites: ['envelope'],
    rewrite: acceptingProblems(['envelope.signature-missing', 'envelope.bad-signature', 'envelope.unknown-key', 'envelope.key-mismatch']),
  },
  {
    name: 'accepts-replayed-message-id',
    description: 'answers a message id it has seen as if it were new',
    suites: ['envelope'],
    rewrite: acceptingProblems(['envelope.replayed', 'envelope.message-id-reused']),
  },
  {
    name: 'accepts-lower-sequence',
    description: 'accepts sequence numbers already used or below the replay window',
    suites: ['envelope'],
    rewrite: acceptingProblems(['envelope.sequence-too-old', 'envelope.sequence-replayed']),
  },
  {
    name: 'ignores-crit',
    description: 'accepts a signature marking as critical a member it does not understand',
    suites: ['envelope'],
    rewrite: acceptingProblems(['envelope.unknown-critical']),
  },
  {
    name: 'ignores-audience-and-clock',
    description: 'accepts signatures addressed to another gateway, or issued too long ago or in the future',
    suites: ['envelope'],
    rewrite: acceptingProblems(['envelope.wrong-audience', 'envelope.stale', 'envelope.from-future']),
  },
  {
    name: 'reports-mw-not-kw',
    description: 'serves kW quantities in MW (divided by 1000) under the same kW names',
    suites: ['anm'],
    rewrite: (answer) => {
      if (answer.method !== 'GET' || answer.status !== 200 || answer.problem) return undefined;
      const text = answer.body.toString('utf8');
      if (!text.includes('_kW')) return undefined;
      return {
        status: 200,
        body: Buffer.from(text.replace(/("[A-Za-z]+_kW":)(-?\d+(\.\d+)?)/g, (_, name: string, value: string) => `${name}${Number(value) / 1000}`)),
      };
    },
  },
  {
    name: 'skips-lifecycle',
    description: 'applies any dispatch stage and any report whatever stage the dispatch is in',
    suites: ['lifecycle'],
    rewrite: (answer) => (answer.problem?.startsWith('openadr.lifecycle-') ? accepted(answer) : undefined),
  },
  {
    name: 'leaks-other-vens-objects',
    description: "serves another client's VEN, report, subscription or targeted event to whoever asks for it by id",
    suites: ['privacy', 'subscriptions'],
    rewrite: (answer, _request, memory) => {
      const objectPath = answer.path.split('?')[0]!;
      if (answer.status >= 200 && answer.status < 300 && (answer.method === 'POST' || answer.method === 'GET')) {
        const id = (JSON.parse(answer.body.toString('utf8') || 'null') as { id?: unknown } | null)?.id;
        if (typeof id === 'string') memory.set(answer.method === 'POST' ? `${objectPath}/${id}` : objectPath, answer.body);
        return undefined;
      }
      const leaked = answer.method === 'GET' && answer.problem === 'openadr.not-found' && OBJECT_PATH.test(objectPath) ? memory.get(objectPath) : undefined;
      return leaked ? { status: 200, body: leaked } : undefined;
    },
  },
  {
    name: 'wrong-problem-types',
    description: 'refuses what it should, but always as a generic schema violation',
    suites: ['request', 'anm', 'cim'],
    rewrite: (answer) =>
      answer.problem && answer.problem !== 'schema.violation'
        ? {
            status: 400,
            body: Buffer.from(
              JSON.stringify({ type: 'urn:flexgate:problem:schema.violation', title: 'Document does not match its schema', status: 400, detail: 'invalid' }),
            ),
          }
        : undefined,
  },
  {
    name: 'accepts-tls-without-client-certificate',
    description: 'serves clients that present no certificate, or one it cannot verify (unknown CA, expired, wrong purpose)',
    suites: ['tls'],
    tls: 'accept-without-client-certificate',
    rewrite: acceptingProblems(['auth.client-certificate-required']),
  },
];
