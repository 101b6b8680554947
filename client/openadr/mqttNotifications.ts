import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { NotificationQueue } from './notificationQueue.ts';
import { NotificationRefused, type NotificationVerifier } from './notificationVerifier.ts';

/** The broker /notifiers advertises could not be reached or refused the subscription. */
export class BrokerUnavailable extends FlexgateError {
  readonly code = 'client.broker-unavailable';
}

export interface MqttNotificationsOptions {
  /** The broker URL /notifiers lists (`MQTT.URIS`). */
  brokerUrl: string;
  /** Topics (filters) to subscribe to: the VEN's own, from /notifiers/mqtt/topics/vens/{venID}/…. */
  topics: string[];
  /** Checks the gateway's envelope carried in each message's MQTT 5 user properties. */
  verifier: NotificationVerifier;
  connectTimeoutMs?: number;
  /** Extra connection settings (credentials, TLS for mqtts). */
  mqtt?: Omit<IClientOptions, 'protocolVersion'>;
}

/**
 * OpenADR notifications over MQTT: subscribed with QoS 1 (MQTT 5) to the
 * topics the VTN advertises for this VEN; each message must carry the
 * gateway's signed envelope in the `x-jws-signature` user property, made
 * for PUBLISH to that topic and addressed to this VEN. Unsigned or forged
 * messages are dropped into `refused`.
 */
export class MqttNotifications extends NotificationQueue {
  private constructor(readonly client: MqttClient) {
    super();
  }

  static async subscribe(options: MqttNotificationsOptions): Promise<MqttNotifications> {
    const timeout = options.connectTimeoutMs ?? 5000;
    const client = mqtt.connect(options.brokerUrl, { ...options.mqtt, protocolVersion: 5, connectTimeout: timeout, reconnectPeriod: 1000 });
    const connected = await new Promise<Error | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(new Error(`no answer within ${timeout} ms`)), timeout + 500);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      client.once('error', (error) => {
        clearTimeout(timer);
        resolve(error);
      });
    });
    if (connected) {
      await client.endAsync(true);
      throw new BrokerUnavailable(`MQTT broker ${options.brokerUrl}: ${connected.message}`, { cause: connected });
    }
    client.on('error', () => undefined);
    const channel = new MqttNotifications(client);
    client.on('message', (topic, payload, packet) => {
      const properties = packet.properties?.userProperties ?? {};
      const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
      channel.verifyAndDeliver(options.verifier, topic, payload, single(properties[SIGNATURE_HEADER]), single(properties['idempotency-key']));
    });
    try {
      await client.subscribeAsync(options.topics, { qos: 1 });
    } catch (error) {
      await client.endAsync(true);
      throw new BrokerUnavailable(`MQTT broker ${options.brokerUrl} refused the subscription to ${options.topics.join(', ')}`, { cause: error });
    }
    return channel;
  }

  private verifyAndDeliver(verifier: NotificationVerifier, topic: string, payload: Buffer, signature?: string, idempotencyKey?: string): void {
    verifier.verify({ channel: 'mqtt', destination: topic, signature, idempotencyKey }, payload).then(
      (verified) => this.deliver(verified),
      (error: unknown) => {
        if (error instanceof NotificationRefused) this.refuse(error);
        else this.refuse(new NotificationRefused('notification.invalid', (error as Error).message, { cause: error }));
      },
    );
  }

  async close(): Promise<void> {
    this.end();
    await this.client.endAsync();
  }
}
