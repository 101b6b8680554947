import { loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient } from '../../client/flexgateClient.ts';
import { renderMeritOrderTable } from '../../protocol/anmTabular/meritOrderTable.ts';
import { answerParent, isChildEntry } from './child.ts';
import { benchMeritOrderList } from './p2List.ts';

/** What P2's POST through the gateway sends and whom to. */
export interface PostPlan {
  url: string;
  pkiDir: string;
  party: string;
  entries: number;
}

export interface PostResult {
  status: number;
  bytes: number;
  seconds: number;
  /** The problem type when refused, or the start of the body. */
  answer: string;
}

/**
 * P2's client, a process of its own beside the gateway's: one signed POST
 * of a merit order list as the ANM's tab-separated export (the JSON of
 * 100,000 entries is larger than the default body budget; the table is not),
 * timed from the first byte sent to the answer.
 */
export async function postMeritOrderList(plan: PostPlan): Promise<PostResult> {
  const client = new FlexgateClient(plan.url, await loadTlsCredentials(plan.pkiDir, plan.party));
  try {
    const body = renderMeritOrderTable(benchMeritOrderList(plan.entries));
    const started = performance.now();
    const response = await client.request('POST', '/anm/v1/merit-order-lists', { body, contentType: 'text/tab-separated-values' });
    const seconds = (performance.now() - started) / 1000;
    return { status: response.status, bytes: Buffer.byteLength(body), seconds, answer: response.text().slice(0, 300) };
  } finally {
    client.close();
  }
}

if (isChildEntry(import.meta.url)) await answerParent(await postMeritOrderList(JSON.parse(process.argv[2]!) as PostPlan));
