import type { TLSSocket } from 'node:tls';
import type { PartyName } from '../../vectors/model.ts';
import type { CaseContext, Script } from '../caseContext.ts';
import { CaseFailed } from '../exchange.ts';
import { exchangeRaw, openConnection, type RawAnswer } from './rawHttp.ts';

/** Answered with exactly this status and problem type, as problem+json whose `status` member agrees. */
function judge(answer: RawAnswer | undefined, status: number, problem: string): string[] {
  if (!answer) return ['no HTTP answer before the connection closed'];
  const found: string[] = [];
  if (answer.status !== status) found.push(`status ${answer.status}, expected ${status}`);
  if (!answer.headers['content-type']?.startsWith('application/problem+json'))
    found.push(`content type "${answer.headers['content-type'] ?? ''}", expected application/problem+json`);
  if (answer.problem !== problem) found.push(`problem type ${answer.problem ?? 'none'}, expected ${problem}`);
  const member = /"status"\s*:\s*(\d+)/.exec(answer.body)?.[1];
  if (member !== String(answer.status)) found.push(`problem status member ${member ?? 'missing'} differs from the HTTP status ${answer.status}`);
  return found;
}

const summary = (answer: RawAnswer) => `${answer.status} ${answer.problem ?? ''} ${JSON.stringify(answer.headers)} ${answer.body.slice(0, 300)}`;

function partyOf(params: Record<string, unknown>): PartyName {
  const party = params.as ?? 'fsp';
  if (!['anm', 'dso', 'fsp', 'fsp2', 'admin'].includes(String(party))) throw new CaseFailed(`the case names no party "${String(party)}"`);
  return party as PartyName;
}

/**
 * A request no HTTP client library would send, written as bytes on a party's
 * connection: `head` (with `{padding}` replaced by `padding` letters) must be
 * answered with `status` and `problem`. The edge refuses these before any
 * signature is checked, and answers unsigned: there is no request to sign for.
 */
export const rawRequest: Script = async (context, params) => {
  const { hostname } = new URL(context.target.url);
  const head = String(params.head)
    .replaceAll('{host}', hostname)
    .replace('{padding}', 'a'.repeat(Number(params.padding ?? 0)));
  const socket = await openConnection(context.target.url, context.target.credentials(partyOf(params)));
  try {
    const [answer] = await exchangeRaw(socket, head);
    context.note(`sent ${head.length} bytes: ${JSON.stringify(head.slice(0, 200))}…; answered ${answer ? summary(answer) : 'nothing'}`);
    const found = judge(answer, Number(params.status), String(params.problem));
    if (found.length) throw new CaseFailed(found.join('; '));
  } finally {
    socket.destroy();
  }
};

const PROBE = (hostname: string) => `GET /anm/v1/merit-order-lists HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`;

/**
 * A party opening connections without end is refused once past the target's
 * cap: connections are opened in batches and the newest asked a request after
 * each, until one is answered 429 `request.too-many-connections` (or `max`
 * connections are open). All are closed at the end.
 */
export const connectionCap: Script = async (context, params) => {
  const max = Number(params.max ?? 1024);
  const batch = Number(params.batch ?? 16);
  const credentials = context.target.credentials(partyOf(params));
  const { hostname } = new URL(context.target.url);
  const open: TLSSocket[] = [];
  try {
    while (open.length < max) {
      const size = Math.min(batch, max - open.length);
      open.push(...(await Promise.all(Array.from({ length: size }, () => openConnection(context.target.url, credentials)))));
      const [answer] = await exchangeRaw(open.at(-1)!, PROBE(hostname));
      if (answer?.status === 429) {
        context.note(`connection ${open.length}: ${summary(answer)}`);
        const found = judge(answer, 429, 'request.too-many-connections');
        if (!answer.headers['retry-after']) found.push('no Retry-After header');
        if (found.length) throw new CaseFailed(found.join('; '));
        return;
      }
    }
    throw new CaseFailed(`${max} connections of one party were all let through`);
  } finally {
    for (const socket of open) socket.destroy();
    // The target counts a connection until it sees it close.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

/**
 * A party sending requests faster than the target's rate limit is refused
 * 429 `request.rate-limited` with `Retry-After`: `connections` connections
 * each pipeline `requests` requests at once. The case then waits until the
 * party is let through again, so later cases are not refused for it.
 */
export const rateLimit: Script = async (context, params) => {
  const connections = Number(params.connections ?? 8);
  const requests = Number(params.requests ?? 50);
  const credentials = context.target.credentials(partyOf(params));
  const { hostname } = new URL(context.target.url);
  const sockets = await Promise.all(Array.from({ length: connections }, () => openConnection(context.target.url, credentials)));
  let answers: RawAnswer[];
  try {
    answers = (await Promise.all(sockets.map((socket) => exchangeRaw(socket, PROBE(hostname).repeat(requests), requests, 30_000)))).flat();
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  const limited = answers.filter((answer) => answer.status === 429);
  context.note(`${answers.length} answers to ${connections * requests} requests, ${limited.length} of them 429`);
  const first = limited[0];
  if (!first) throw new CaseFailed(`${connections * requests} requests sent at once were all let through`);
  context.note(`first refusal: ${summary(first)}`);
  const found = judge(first, 429, 'request.rate-limited');
  const retryAfter = Number(first.headers['retry-after']);
  if (!Number.isInteger(retryAfter) || retryAfter < 0) found.push(`Retry-After "${first.headers['retry-after'] ?? ''}" is not a number of seconds`);
  if (found.length) throw new CaseFailed(found.join('; '));
  await untilLetThrough(context, credentials, hostname, retryAfter);
};

async function untilLetThrough(context: CaseContext, credentials: Parameters<typeof openConnection>[1], hostname: string, retryAfter: number) {
  await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const socket = await openConnection(context.target.url, credentials);
    const [answer] = await exchangeRaw(socket, PROBE(hostname)).finally(() => socket.destroy());
    if (answer && answer.status !== 429) return;
    if (Date.now() > deadline) throw new CaseFailed('the party is still refused 30 s after the Retry-After it was given');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
