import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import type { AttemptOutcome, NotificationSigner, OutboundDelivery, Transport } from './transport.ts';

export interface MqttTransportOptions {
  /** `mqtt://host:1883` or `mqtts://host:8883`. */
  url: string;
  /** For mqtts: the broker's CA, and a client certificate when the broker authenticates by certificate. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  username?: string;
  password?: string;
  clientId?: string;
  /** 5 (default) carries the idempotency key and signature as user properties; 4 (MQTT 3.1.1) sends the body alone. */
  protocolVersion?: 4 | 5;
  /** Signs each body; sent as the `x-jws-signature` user property (MQTT 5). */
  sign?: NotificationSigner;
}

/** PUBACK reason codes that no retry will change: topic name or payload format invalid. */
const FINAL_REASON_CODES = new Set([0x90, 0x99]);

/**
 * Publishes notifications to the gateway's broker with QoS 1; a notification
 * counts as delivered when the broker's PUBACK arrives. The client reconnects
 * by itself; while it is down every attempt is retried later, never queued
 * in memory.
 */
export class MqttTransport implements Transport {
  readonly client: MqttClient;
  private readonly protocolVersion: 4 | 5;

  constructor(private readonly options: MqttTransportOptions) {
    this.protocolVersion = options.protocolVersion ?? 5;
    const connectOptions: IClientOptions = {
      protocolVersion: this.protocolVersion,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      queueQoSZero: false,
      ...(options.clientId ? { clientId: options.clientId } : {}),
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.cert ? { cert: options.cert } : {}),
      ...(options.key ? { key: options.key } : {}),
    };
    this.client = mqtt.connect(options.url, connectOptions);
    // Without a listener an unreachable broker would throw; the attempts report it instead.
    this.client.on('error', () => undefined);
  }

  /** Resolves once connected, for callers that want to know the broker is there. */
  connected(timeoutMs: number): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`MQTT broker ${this.options.url} not reachable within ${timeoutMs} ms`)), timeoutMs);
      this.client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async send(delivery: OutboundDelivery, signal: AbortSignal): Promise<AttemptOutcome> {
    if (delivery.destination === '' || /[+#]/.test(delivery.destination)) {
      return { kind: 'failed', code: 'delivery.rejected', detail: `${JSON.stringify(delivery.destination)} is not a topic one can publish to` };
    }
    if (!this.client.connected) return { kind: 'retry', code: 'delivery.unreachable', detail: `MQTT broker ${this.options.url} not connected` };
    let properties: IClientPublishOptions['properties'];
    if (this.protocolVersion === 5) {
      let signature: string | undefined;
      try {
        signature = await this.options.sign?.(delivery.body, delivery);
      } catch (error) {
        return { kind: 'retry', code: 'delivery.failed', detail: `signing failed: ${(error as Error).message}` };
      }
      properties = {
        contentType: delivery.contentType,
        userProperties: { 'idempotency-key': delivery.idempotencyKey, ...(signature ? { [SIGNATURE_HEADER]: signature } : {}) },
      };
    }
    return new Promise((resolve) => {
      const onAbort = () => resolve({ kind: 'retry', code: 'delivery.timeout', detail: `no PUBACK from ${this.options.url} within the attempt timeout` });
      signal.addEventListener('abort', onAbort, { once: true });
      this.client.publish(delivery.destination, Buffer.from(delivery.body), { qos: 1, retain: false, ...(properties ? { properties } : {}) }, (error) => {
        signal.removeEventListener('abort', onAbort);
        if (!error) return resolve({ kind: 'delivered' });
        const reasonCode = (error as Error & { code?: unknown }).code;
        const final = typeof reasonCode === 'number' && FINAL_REASON_CODES.has(reasonCode);
        resolve({
          kind: final ? 'failed' : 'retry',
          code: final ? 'delivery.rejected' : 'delivery.unavailable',
          detail: `MQTT publish to ${delivery.destination}: ${error.message}`,
        });
      });
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
