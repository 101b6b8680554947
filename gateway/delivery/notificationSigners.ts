import { parsePartyUrn } from '../../protocol/identity/partyUrn.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { signEnvelope, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { nextOutboundSequence } from '../trust/replayGuard.ts';
import { GroupCommit } from './groupCommit.ts';
import type { NotificationSigner } from './transport.ts';

/** `aud` of a notification on a topic any subscriber of the broker may read. */
export const BROADCAST_AUDIENCE = 'urn:flexgate:broadcast:subscribers';

/**
 * Subscriber keys are `<party URN> <destination>` where the subscriber is a
 * party (a subscription's owner, a VEN's client): that party is the `aud`.
 * Anything else is a broadcast.
 */
export function subscriberKeyOf(party: string | undefined, destination: string): string {
  return party ? `${party} ${destination}` : destination;
}

export function notificationAudience(subscriberKey: string): string {
  return parsePartyUrn(subscriberKey.split(' ')[0] ?? '')?.urn ?? BROADCAST_AUDIENCE;
}

export interface NotificationEnvelopeOptions {
  /** Where the gateway's outbound sequence numbers are kept (shared by every instance); taken in group commits. */
  db: Kysely<Database>;
  signer: EnvelopeSigner;
}

/** Signs webhook notifications with the gateway's envelope: POST to the callback's path and query, OpenADR 3.1.0. */
export function webhookEnvelopeSigner({ db, signer }: NotificationEnvelopeOptions): NotificationSigner {
  const sequences = new GroupCommit(db, true);
  return async (body, { destination, subscriberKey }) => {
    const callback = new URL(destination);
    const audience = notificationAudience(subscriberKey);
    const sequence = await sequences.run((tx) => nextOutboundSequence(tx, signer.issuer, audience));
    return signEnvelope(signer, { audience, sequence, method: 'POST', path: `${callback.pathname}${callback.search}`, apiVersion: 'openadr/3.1.0' }, body);
  };
}

/** Signs MQTT notifications: PUBLISH to the topic, OpenADR 3.1.0. */
export function mqttEnvelopeSigner({ db, signer }: NotificationEnvelopeOptions): NotificationSigner {
  const sequences = new GroupCommit(db, true);
  return async (body, { destination, subscriberKey }) => {
    const audience = notificationAudience(subscriberKey);
    const sequence = await sequences.run((tx) => nextOutboundSequence(tx, signer.issuer, audience));
    return signEnvelope(signer, { audience, sequence, method: 'PUBLISH', path: destination, apiVersion: 'openadr/3.1.0' }, body);
  };
}
