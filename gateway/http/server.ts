import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEV_GATEWAY, ensureDevPki, partyIdentity } from '../../certs/index.ts';
import { DeliveryDispatcher } from '../delivery/dispatcher.ts';
import { MqttTransport } from '../delivery/mqttTransport.ts';
import { mqttEnvelopeSigner, webhookEnvelopeSigner } from '../delivery/notificationSigners.ts';
import { purgeDeliveredNotifications } from '../delivery/outbox.ts';
import { WebhookTransport } from '../delivery/webhookTransport.ts';
import type { Logger } from '../log.ts';
import { DEFAULT_OPENADR_CONFIG } from '../openadr/config.ts';
import { purgeIdempotency } from '../store/idempotency.ts';
import { Store, type StoreOptions } from '../store/store.ts';
import { createMutualTlsServer } from '../trust/mutualTls.ts';
import { purgeSeenMessageIds } from '../trust/replayGuard.ts';
import { createApp } from './app.ts';

export interface GatewayOptions extends StoreOptions {
  port: number;
  /** Interface to bind; default loopback. Every listener is mutual TLS, so binding wider is a deployment choice. */
  host?: string;
  /** PKI folder (`flexgate pki init`); default `<dataDir>/pki`. */
  pkiDir?: string;
  /** Create or top up the development PKI in `pkiDir` first, and keep its CRLs fresh. */
  devPki?: boolean;
  /** The gateway's party URN in the PKI; default the dev gateway's. */
  identity?: string;
  maxBodyBytes?: number;
  skewSeconds?: number;
  /** The URL clients reach the gateway at, when not the one it listens on (a load balancer, a DNS name). */
  publicUrl?: string;
  /** MQTT broker for OpenADR notifications (default mqtt://127.0.0.1:1883). */
  mqttUrl?: string;

  logger: Logger;
}

export interface RunningGateway {
  url: string;
  /** The gateway's party URN: the audience of every signed request. */
  identity: string;
  pkiDir: string;
  store: Store;
  server: Server;
  /** Stops accepting, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export const DEV_GATEWAY_URN = partyIdentity(DEV_GATEWAY.role, DEV_GATEWAY.id).urn;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const pkiDir = options.pkiDir ?? join(options.dataDir ?? 'data', 'pki');
  if (options.devPki) await ensureDevPki(pkiDir);
  const store = await Store.open(options);
  let tls;
  try {
    tls = await createMutualTlsServer({
      pkiDir,
      identity: options.identity ?? DEV_GATEWAY_URN,
      logger: options.logger,
      keepCrlsFresh: options.devPki ?? false,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const { server, signer, trust } = tls;
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;

  // Listen first: the app needs the URL it is reached at. A connection's TLS
  // handshake takes longer than attaching the request listener below.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `https://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  // Push delivery of OpenADR notifications from the outbox (gateway/delivery), webhooks and MQTT, signed like every response.
  const mqttUrl = options.mqttUrl ?? DEFAULT_OPENADR_CONFIG.mqttBrokerUrl;
  const transports = {
    webhook: new WebhookTransport({ sign: webhookEnvelopeSigner({ db: store.db, signer }) }),
    mqtt: new MqttTransport({ url: mqttUrl, sign: mqttEnvelopeSigner({ db: store.db, signer }) }),
  };
  const dispatcher = new DeliveryDispatcher({ db: store.db, dialect: store.dialect, logger: options.logger, transports });
  dispatcher.start();
  const app = createApp({
    store,
    logger: options.logger,
    signer,
    trust,
    publicUrl: options.publicUrl ?? url,
    openadr: { ...DEFAULT_OPENADR_CONFIG, mqttBrokerUrl: mqttUrl },
    onRedelivery: () => dispatcher.wake(),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.skewSeconds === undefined ? {} : { skewSeconds: options.skewSeconds }),
  });
  server.on('request', app);

  // Hourly retention: idempotent responses (24 h), message ids (48 h), delivered notifications (30 days).
  const purge = () =>
    Promise.all([purgeIdempotency(store.db), purgeSeenMessageIds(store.db), store.transaction((tx) => purgeDeliveredNotifications(tx))]).catch((err: unknown) =>
      options.logger.warn({ err }, 'retention purge failed'),
    );
  void purge();
  const purgeTimer = setInterval(purge, PURGE_INTERVAL_MS).unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(purgeTimer);
      tls.stop();
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      await drained;
      clearTimeout(force);
      await dispatcher.stop();
      await Promise.all([transports.webhook.close(), transports.mqtt.close()]);
      await store.close();
    })());

  return { url, identity: signer.issuer, pkiDir, store, server, close };
}
