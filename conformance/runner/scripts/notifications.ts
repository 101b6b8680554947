import { NotificationVerifier } from '../../../client/openadr/notificationVerifier.ts';
import type { Script } from '../caseContext.ts';
import { CaseFailed } from '../exchange.ts';
import { WebhookHost, type WebhookBehaviour } from './webhookHost.ts';

const OPENADR = '/openadr/3.1.0';

/** The VEN subscribes to program creations at `callbackUrl`; the business logic then creates a program. */
async function subscribeThenCreate(context: Parameters<Script>[0], callbackUrl: string): Promise<string> {
  const unique = String(context.variables.get('unique'));
  context.variables.set('callbackUrl', callbackUrl);
  await context.step({
    as: 'fsp',
    request: {
      method: 'POST',
      path: `${OPENADR}/subscriptions`,
      auth: 'bearer',
      json: {
        clientName: `c-${unique}`,
        objectOperations: [{ objects: ['PROGRAM'], operations: ['CREATE'], callbackUrl, bearerToken: `hook-${unique}` }],
      },
    },
    expect: { status: 201 },
  });
  const programName = `notified-${unique}`;
  await context.step({ as: 'dso', request: { method: 'POST', path: `${OPENADR}/programs`, auth: 'bearer', json: { programName } }, expect: { status: 201 } });
  return programName;
}

/** A subscription's webhook receives the notification, signed by the target and addressed to the subscriber, with its bearer token. */
export const webhookNotification: Script = async (context) => {
  const host = await WebhookHost.start();
  try {
    const path = `/hook/${String(context.variables.get('unique'))}`;
    const programName = await subscribeThenCreate(context, `${host.baseUrl}${path}`);
    const arrival = await host.waitFor((a) => a.path === path && a.body.toString('utf8').includes(programName), 30_000);
    if (!arrival) throw new CaseFailed(`no notification of the new program reached ${host.baseUrl}${path} within 30 s`);
    context.note(`notification: ${arrival.body.toString('utf8').slice(0, 1000)}`);
    const verifier = new NotificationVerifier({ gateway: await context.target.gatewayIdentity(), audience: context.target.party('fsp') });
    const signature = arrival.headers['x-jws-signature'];
    try {
      await verifier.verify({ channel: 'webhook', destination: path, signature: typeof signature === 'string' ? signature : undefined }, arrival.body);
    } catch (error) {
      throw new CaseFailed(`the notification does not verify: ${(error as Error).message}`);
    }
    if (arrival.headers.authorization !== `Bearer hook-${String(context.variables.get('unique'))}`) {
      throw new CaseFailed("the notification does not carry the subscription's bearer token");
    }
  } finally {
    await host.close();
  }
};

interface DeliveryRecord {
  id: string;
  channel: { kind: string; url?: string };
  inFlight: boolean;
  lastError: { code: string } | null;
}

async function deliveryTo(context: Parameters<Script>[0], url: string, until: (record: DeliveryRecord) => boolean, timeoutMs: number): Promise<DeliveryRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: DeliveryRecord | undefined;
  for (;;) {
    const answer = await context.target.client('admin').request('GET', '/admin/v1/deliveries?limit=100');
    const records = answer.status === 200 ? answer.json<{ deliveries: DeliveryRecord[] }>().deliveries : [];
    last = records.find((record) => record.channel.url === url);
    if (last && until(last)) return last;
    if (Date.now() > deadline) throw new CaseFailed(`the delivery to ${url} is ${last ? JSON.stringify(last) : 'not listed'} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What the target records when a subscriber answers badly: each outcome its own problem type in the delivery record. */
export const deliveryOutcome: Script = async (context, params) => {
  const expected = String(params.problem);
  const answer = params.answer as number | 'hang' | 'closed';
  const host = answer === 'closed' ? undefined : await WebhookHost.start(answer === 'hang' ? 'hang' : ({ status: answer } satisfies WebhookBehaviour));
  try {
    const url = `${host ? host.baseUrl : await WebhookHost.closedUrl()}/hook/${String(context.variables.get('unique'))}`;
    await subscribeThenCreate(context, url);
    if (params.redeliverWhileInFlight) {
      const record = await deliveryTo(context, url, (r) => r.inFlight, 20_000);
      await context.step({
        as: 'admin',
        request: { method: 'POST', path: `/admin/v1/deliveries/${record.id}/redeliver` },
        expect: { status: 409, problem: 'delivery.in-flight' },
      });
    }
    const record = await deliveryTo(context, url, (r) => r.lastError?.code === expected, 40_000);
    context.note(`delivery record: ${JSON.stringify(record)}`);
  } finally {
    await host?.close();
  }
};
