import type { StoreExecutor } from '../store/store.ts';
import { signEnvelope, type EnvelopeSigner } from '../trust/envelope.ts';
import { nextOutboundSequence } from '../trust/replayGuard.ts';
import type { NotificationSigner } from './transport.ts';

export interface NotificationEnvelopeOptions<Destination> {
  /** Where the gateway's outbound sequence numbers are kept (shared by every instance). */
  db: StoreExecutor;
  signer: EnvelopeSigner;
  /** The `aud` for a destination; the subscriber's party URN when known. */
  audienceOf?: (destination: Destination) => string;
}

/** Signs webhook notifications with the gateway's envelope: POST to the callback's path and query, OpenADR 3.1.0; `aud` the URL's origin by default. */
export function webhookEnvelopeSigner({ db, signer, audienceOf = (callback) => callback.origin }: NotificationEnvelopeOptions<URL>): NotificationSigner {
  return async (body, destination) => {
    const callback = new URL(destination);
    const audience = audienceOf(callback);
    const sequence = await nextOutboundSequence(db, signer.issuer, audience);
    return signEnvelope(signer, { audience, sequence, method: 'POST', path: `${callback.pathname}${callback.search}`, apiVersion: 'openadr/3.1.0' }, body);
  };
}

/** Signs MQTT notifications: PUBLISH to the topic, OpenADR 3.1.0; `aud` the topic by default, so each topic's sequence rises by one per message. */
export function mqttEnvelopeSigner({ db, signer, audienceOf = (topic) => topic }: NotificationEnvelopeOptions<string>): NotificationSigner {
  return async (body, topic) => {
    const audience = audienceOf(topic);
    const sequence = await nextOutboundSequence(db, signer.issuer, audience);
    return signEnvelope(signer, { audience, sequence, method: 'PUBLISH', path: topic, apiVersion: 'openadr/3.1.0' }, body);
  };
}
