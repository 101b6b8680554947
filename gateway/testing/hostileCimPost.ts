import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { clockSequence, signEnvelope, signerFromCredentials } from '../../protocol/envelope/index.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import { oneEntryMeritOrderDocument } from './cimDocuments.ts';

/**
 * A valid party's hostile CIM document, posted from a process of its own so
 * that building, signing and sending 16 MB never stalls the measuring
 * process: a merit order list whose root holds `siblings` empty elements
 * (quadratic XSD validation once; issue 14), correctly signed.
 */

export interface HostilePostPlan {
  url: string;
  pkiDir: string;
  party: string;
  siblings: number;
  /** Posts, one after the other, each with a new message id and sequence number. */
  posts: number;
}

/** One post as the sender saw it, in milliseconds on the shared clock (`performance.timeOrigin` + `performance.now()`). */
export interface HostilePostResult {
  startedAt: number;
  endedAt: number;
  bytes: number;
  status: number;
  body: string;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes of one machine. */
export const sharedClock = () => performance.timeOrigin + performance.now();

/** A merit order list with one entry and `siblings` empty `<x/>` elements after it, each on a line of its own. */
export function hostileMeritOrderList(siblings: number): Buffer {
  const valid = oneEntryMeritOrderDocument(`HOSTILE-${siblings}`);

  const close = `</${meritOrderListProfile.root}>`;
  return Buffer.from(valid.replace(close, `${'\n   <x/>'.repeat(siblings)}\n${close}`));
}

/** What the posting process tells its parent: a post going out, a post answered, or all done. */
type PostMessage = { kind: 'sending' } | { kind: 'answered'; result: HostilePostResult };

/**
 * Runs the posts in a child process; `onPosting(true)` when a post starts
 * (document built and signed), `onPosting(false)` when it is answered.
 * Resolves with what each post got.
 */
export function postHostileDocuments(plan: HostilePostPlan, onPosting: (posting: boolean) => void): Promise<HostilePostResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(plan)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const results: HostilePostResult[] = [];
    child.on('message', (message: PostMessage) => {
      if (message.kind === 'answered') results.push(message.result);
      onPosting(message.kind === 'sending');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (results.length === plan.posts && code === 0) resolve(results);
      else reject(new Error(`the hostile post process ended with ${code ?? signal} after ${results.length} of ${plan.posts} posts`));
    });
  });
}

const tell = (message: PostMessage) =>
  new Promise<void>((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));

async function postAll(plan: HostilePostPlan): Promise<void> {
  const credentials = await loadTlsCredentials(plan.pkiDir, plan.party);
  const client = new FlexgateClient(plan.url, credentials);
  const body = hostileMeritOrderList(plan.siblings);
  const signer = signerFromCredentials(credentials);
  const identity = await client.gatewayIdentity();
  const nextSequence = clockSequence();
  try {
    for (let k = 0; k < plan.posts; k++) {
      const path = '/cim/v1/documents';
      const claims = { audience: identity.party, sequence: nextSequence(), method: 'POST', path, apiVersion: 'cim/v1' as const };
      const signature = await signEnvelope(signer, claims, body);
      await tell({ kind: 'sending' });
      const startedAt = sharedClock();
      const response = await client.request('POST', path, { body, contentType: 'application/xml', signature });
      const result = { startedAt, endedAt: sharedClock(), bytes: body.length, status: response.status, body: response.text() };
      await tell({ kind: 'answered', result });
    }
  } finally {
    client.close();
  }
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url && typeof process.send === 'function') {
  void postAll(JSON.parse(process.argv[2]!) as HostilePostPlan).then(() => process.disconnect());
}
