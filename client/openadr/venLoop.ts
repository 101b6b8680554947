import { randomBytes } from 'node:crypto';
import type { Event } from '../../schemas/openadr/wire.ts';
import { pollEvents } from './eventWatch.ts';
import { NotificationVerifier } from './notificationVerifier.ts';
import type { Site, VenAgent } from './venAgent.ts';
import type { VenClient } from './venClient.ts';
import { WebhookReceiver } from './webhookReceiver.ts';

export interface VenLoopOptions {
  ven: VenClient;
  site: Site;
  agent: VenAgent;
  /** Between polls of the events; the poll also catches what a lost notification missed. */
  pollMs: number;
  /** Host a webhook and subscribe it to event changes (port 0: a free one). */
  webhook?: { port: number; host?: string; publicUrl?: string };
  /** Checks each notification; default the gateway's envelope addressed to this VEN. */
  verifier?: NotificationVerifier;
  signal: AbortSignal;
  log?: (line: string) => void;
}

/** What the loop registered and where it listens, once it runs. */
export interface VenLoopStarted {
  venID: string;
  resourceID: string;
  callbackUrl?: string;
}

/**
 * The whole VEN: registers itself and its resource, subscribes a webhook to
 * event changes (when asked) and polls, and hands every event it learns of
 * to the agent until `signal` aborts; then it deletes its subscription.
 * Refused notifications are logged and never acted on.
 */
export async function runVenLoop(options: VenLoopOptions, started?: (info: VenLoopStarted) => void): Promise<void> {
  const { ven, site, agent, signal } = options;
  const log = options.log ?? (() => undefined);
  const venID = (await ven.registerVen(site.venName)).id;
  const resourceID = (await ven.registerResource(venID, site.resourceName)).id;
  const handle = (event: Event) => agent.onEvent(event).catch((error: unknown) => log(`event ${event.id}: ${(error as Error).message}`));
  const push = options.webhook ? await subscribeWebhook(options, options.webhook, handle, log) : undefined;
  started?.({ venID, resourceID, ...(push ? { callbackUrl: push.callbackUrl } : {}) });
  log(`ven ${venID} resource ${resourceID}${push ? `, notifications at ${push.callbackUrl}` : ''}, polling every ${options.pollMs} ms`);
  try {
    for await (const change of pollEvents(ven, { intervalMs: options.pollMs, signal })) {
      if (change.operation === 'DELETE') agent.onCancelled(change.event.id);
      else await handle(change.event);
    }
  } finally {
    agent.close();
    await push?.close();
  }
}

async function subscribeWebhook(
  options: VenLoopOptions,
  webhook: NonNullable<VenLoopOptions['webhook']>,
  handle: (event: Event) => Promise<void>,
  log: (line: string) => void,
): Promise<{ callbackUrl: string; close(): Promise<void> }> {
  const { ven } = options;
  const bearerToken = randomBytes(24).toString('base64url');
  const verifier = options.verifier ?? new NotificationVerifier({ gateway: await ven.gatewayIdentity(), audience: ven.party });
  const receiver = await WebhookReceiver.start({
    verifier,
    bearerToken,
    port: webhook.port,
    ...(webhook.host ? { host: webhook.host } : {}),
    ...(webhook.publicUrl ? { publicUrl: webhook.publicUrl } : {}),
  });
  const subscription = await ven.createSubscription({
    clientName: options.site.venName,
    objectOperations: [{ objects: ['EVENT'], operations: ['CREATE', 'UPDATE', 'DELETE'], callbackUrl: receiver.callbackUrl, bearerToken }],
  });
  let refusals = 0;
  const consumed = (async () => {
    for await (const received of receiver) {
      for (; refusals < receiver.refused.length; refusals++) log(`refused notification: ${receiver.refused[refusals]!.code}`);
      const { notification } = received;
      if (notification.objectType !== 'EVENT') continue;
      if (notification.operation === 'DELETE') options.agent.onCancelled(notification.object.id);
      else await handle(notification.object as unknown as Event);
    }
  })();
  return {
    callbackUrl: receiver.callbackUrl,
    async close() {
      await ven
        .deleteSubscription(subscription.id)
        .catch((error: unknown) => log(`could not delete subscription ${subscription.id}: ${(error as Error).message}`));
      await receiver.close();
      await consumed;
    },
  };
}
