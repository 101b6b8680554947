import type { RequestListener } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import { rootCertificates } from 'node:tls';
import { DEV_GATEWAY_URN, ensureDevPki, loadTlsCredentials } from '../certs/index.ts';
import type { EnvelopeSigner } from '../protocol/envelope/index.ts';
import type { ConsistencyMode } from '../schemas/registry/registry.ts';
import { Problem } from '../protocol/problem.ts';
import { adapterAccessRules } from './adapter/accessRules.ts';
import { apiDocsAccessRules } from './apiDocs/accessRules.ts';
import { apiDocsRouter } from './apiDocs/routes.ts';
import { budgetsWith, type Budgets } from './budgets.ts';
import { adapterRouter } from './adapter/routes.ts';
import { anmAccessRules } from './anm/accessRules.ts';
import { AnmDocuments, anmRouter } from './anm/routes.ts';
import { cimAccessRules } from './cim/accessRules.ts';
import { cimRouter } from './cim/routes.ts';
import { deliveryAccessRules } from './delivery/accessRules.ts';
import { adminDeliveryRouter } from './delivery/adminRoutes.ts';
import { DeliveryDispatcher } from './delivery/dispatcher.ts';
import { EgressPolicy } from './delivery/egress.ts';
import { MqttTransport } from './delivery/mqttTransport.ts';
import { mqttEnvelopeSigner, webhookEnvelopeSigner } from './delivery/notificationSigners.ts';
import { purgeDeliveredNotifications } from './delivery/outbox.ts';
import { WebhookTransport } from './delivery/webhookTransport.ts';
import { answerUnparseableRequest, problemHandler } from './http/problemResponse.ts';
import { directLane, type DirectLaneOptions } from './http/directLane.ts';
import { PartyRateLimit, rateLimitPerParty } from './http/rateLimit.ts';
import { refuseContentEncoding, refuseOverlongTarget, requireWellFormedTarget } from './http/requestShape.ts';
import { Intake } from './intake.ts';
import type { Logger } from './log.ts';
import { operationsAccessRules } from './metrics/accessRules.ts';
import { GatewayMetrics } from './metrics/gatewayMetrics.ts';
import { operationsRouter, requestMetrics } from './metrics/routes.ts';
import { openadrAccessRules } from './openadr/accessRules.ts';
import { openadrAdminRouter } from './openadr/adminRoutes.ts';
import { DEFAULT_OPENADR_CONFIG, type OpenadrConfig } from './openadr/config.ts';
import { openadrEventsReaction } from './openadr/eventsReaction.ts';
import { openadrNotificationsReaction } from './openadr/notifications.ts';
import { openadr20bRouter } from './openadr/oadr20b/routes.ts';
import { openadrRouter } from './openadr/routes.ts';
import { openadrV301Router } from './openadr/v301/routes.ts';
import { registryAccessRules } from './registry/accessRules.ts';
import { adminRegistryRouter } from './registry/adminRoutes.ts';
import { registryConsistencyReaction } from './registry/intakeConsistency.ts';
import { RegistryIndexCache } from './registry/registryIndexCache.ts';
import { settlementAccessRules } from './settlement/accessRules.ts';
import { adminSettlementRouter } from './settlement/adminRoutes.ts';
import { purgeIdempotency } from './store/idempotency.ts';
import { Store, type StoreOptions } from './store/store.ts';
import type { AccessRule } from './trust/accessPolicy.ts';
import { createMutualTlsServer } from './trust/mutualTls.ts';
import { OutboundSequences } from './trust/outboundSequences.ts';
import { purgeSeenMessageIds } from './trust/replayGuard.ts';
import { signResponses, verifyRequests, type TrustState } from './trust/trustLayer.ts';
import { openGatewayStore } from './storage.ts';

/**
 * The authorisation table: every API's rules, in the order they are tried
 * (the API documents and the adapter's routes under /anm/v1 before the ANM
 * API's catch-all reads).
 */
export const ACCESS_RULES: readonly AccessRule[] = [
  ...apiDocsAccessRules,
  ...adapterAccessRules,
  ...anmAccessRules,
  ...cimAccessRules,
  ...openadrAccessRules,
  ...deliveryAccessRules,
  ...registryAccessRules,
  ...settlementAccessRules,
  ...operationsAccessRules,
];

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
  /** Limits on what one party can make the gateway do (gateway/budgets.ts); defaults for the rest. */
  budgets?: Partial<Budgets>;
  skewSeconds?: number;
  /** The URL clients reach the gateway at, when not the one it listens on (a load balancer, a DNS name). */
  publicUrl?: string;
  /** MQTT broker for OpenADR notifications (default mqtt://127.0.0.1:1883); in production `mqtts://…` with `mqttCa`. */
  mqttUrl?: string;
  /** PEM of the CA that issued the broker's certificate, for `mqtts://`. */
  mqttCa?: string;
  /**
   * Networks (CIDRs) webhook callbacks may reach although loopback,
   * link-local, private or reserved, which are refused by default
   * (gateway/delivery/egress.ts): `127.0.0.0/8` for a sandbox on one
   * machine, the site's ranges on premises.
   */
  egressAllow?: string[];
  /** OpenADR programs and token lifetime; the VTN's base URL and broker come from `publicUrl` and `mqttUrl`, its egress from `egressAllow`. */
  openadr?: Omit<OpenadrConfig, 'publicBaseUrl' | 'mqttBrokerUrl' | 'egress'>;
  /** How intake treats merit order lists the registry contradicts (gateway/registry/intakeConsistency.ts); default enforced. */
  registryConsistency?: ConsistencyMode;
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

/**
 * The gateway, assembled in this one place: the store, the mutual-TLS
 * listener, the trust layer in front of every API, the intake with its
 * reactions, the delivery dispatcher and retention. The CLI, the tests, the
 * sandbox and the conformance self-test all start it through here.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const pkiDir = options.pkiDir ?? join(options.dataDir ?? 'data', 'pki');
  if (options.devPki) await ensureDevPki(pkiDir);
  // A long-running gateway: its SQLite WAL is checkpointed off the event loop.
  const store = await openGatewayStore({ ...options, checkpointInBackground: true });
  const budgets = budgetsWith(options.budgets);
  let tls;
  try {
    tls = await createMutualTlsServer({
      pkiDir,
      identity: options.identity ?? DEV_GATEWAY_URN,
      logger: options.logger,
      keepCrlsFresh: options.devPki ?? false,
      budgets,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const { server, signer, trust } = tls;
  server.on('clientError', answerUnparseableRequest);

  // Listen first: the application needs the URL it is reached at. A connection's TLS handshake takes longer than attaching the listener below.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `https://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const publicUrl = options.publicUrl ?? url;
  const mqttUrl = options.mqttUrl ?? DEFAULT_OPENADR_CONFIG.mqttBrokerUrl;
  const egress = new EgressPolicy(options.egressAllow);
  const openadr: OpenadrConfig = {
    ...DEFAULT_OPENADR_CONFIG,
    ...options.openadr,
    egress,
    mqttBrokerUrl: mqttUrl,
    publicBaseUrl: new URL('/openadr/3.1.0', publicUrl).href,
  };

  // Push delivery of OpenADR notifications from the outbox, webhooks and MQTT, signed like every response.
  // A receiver that asks for a client certificate gets the gateway's (mutual TLS); receivers are trusted by the public roots or the gateway's PKI.
  const own = await loadTlsCredentials(pkiDir, options.identity ?? DEV_GATEWAY_URN);
  const transports = {
    webhook: new WebhookTransport({
      sign: webhookEnvelopeSigner({ db: store.db, signer }),
      egress,
      tls: { ca: [...rootCertificates, ...own.ca], cert: own.cert, key: own.key },
    }),
    mqtt: new MqttTransport({ url: mqttUrl, sign: mqttEnvelopeSigner({ db: store.db, signer }), ...(options.mqttCa ? { ca: options.mqttCa } : {}) }),
  };
  const dispatcher = new DeliveryDispatcher({ db: store.db, dialect: store.dialect, logger: options.logger, transports });
  dispatcher.start();
  const metrics = new GatewayMetrics({ store, pkiDir, identity: signer.issuer });
  const { listener, ready } = gatewayApplication({
    store,
    metrics,
    pkiDir,
    logger: options.logger,
    signer,
    trust,
    admitConnections: tls.admitConnections(),
    admittedCaller: tls.admittedCaller,
    publicUrl,
    openadr,
    onRedelivery: () => dispatcher.wake(),
    budgets,
    ...(options.registryConsistency === undefined ? {} : { registryConsistency: options.registryConsistency }),
    ...(options.skewSeconds === undefined ? {} : { skewSeconds: options.skewSeconds }),
  });
  server.on('request', listener);

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

  // Started means every route can answer: the OpenADR validators are compiled (a broken document fails the start, not each request).
  try {
    await ready;
  } catch (error) {
    await close();
    throw error;
  }
  return { url, identity: signer.issuer, pkiDir, store, server, close };
}

interface ApplicationParts {
  store: Store;
  metrics: GatewayMetrics;
  pkiDir: string;
  logger: Logger;
  signer: EnvelopeSigner;
  trust: () => TrustState;
  /** The mutual-TLS listener's admission of each connection's requests (unverified peers, revoked callers, connections over a party's limit). */
  admitConnections: RequestHandler[];
  /** The same admission for the direct lane: the caller of a connection it lets through as it stands. */
  admittedCaller: DirectLaneOptions['admittedCaller'];
  publicUrl: string;
  openadr: OpenadrConfig;
  onRedelivery: () => void;
  budgets: Budgets;
  skewSeconds?: number;
  registryConsistency?: ConsistencyMode;
}

/**
 * The HTTP application: every request passes the trust layer (caller from
 * the client certificate, access rule, signature) before any API router, and
 * every response leaves signed, problems included. The busiest exchanges
 * take the direct lane (gateway/http/directLane.ts): the same layers, without
 * the Express chain; every other request goes through Express.
 */
function gatewayApplication(parts: ApplicationParts): { listener: RequestListener; ready: Promise<unknown> } {
  const { store, logger, signer, trust, publicUrl, openadr, budgets, skewSeconds, metrics } = parts;
  const { maxBodyBytes } = budgets;
  const trustOptions = {
    store,
    gateway: signer,
    trust,
    logger,
    rules: ACCESS_RULES,
    sequences: new OutboundSequences(store.db, signer.issuer),
    ...(skewSeconds === undefined ? {} : { skewSeconds }),
  };
  const rateLimit = new PartyRateLimit(budgets);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestMetrics(metrics));
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => logRequest(logger, req.method, req.path, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    next();
  });
  app.use(refuseOverlongTarget());
  app.use(signResponses(trustOptions));
  // Refusals that need no body and no signature come first, so they cost next to nothing.
  app.use(parts.admitConnections);
  app.use(rateLimitPerParty(rateLimit));
  app.use(requireWellFormedTarget());
  app.use(refuseContentEncoding());
  // Signatures cover the exact bytes, so every body is read raw, once, before anything interprets it; never inflated.
  app.use(express.raw({ type: () => true, limit: maxBodyBytes, inflate: false }));
  app.use(verifyRequests(trustOptions));
  // In the same transaction: the registry's consistency rules first (a list they refuse never becomes events),
  // then every stored merit order list revision becomes OpenADR events, and every OpenADR change notifications.
  // One index of the registry for every check and look-up, read again only once the registry changes.
  const registry = new RegistryIndexCache();
  const intake = new Intake(
    store,
    [registryConsistencyReaction(parts.registryConsistency, registry), openadrEventsReaction(openadr, registry), openadrNotificationsReaction()],
    skewSeconds,
  );
  const anmDocuments = new AnmDocuments({ intake, limits: budgets });
  app.use(apiDocsRouter());
  app.use(anmRouter({ intake, maxBodyBytes, limits: budgets }, anmDocuments));
  app.use(adapterRouter({ intake, maxBodyBytes }));
  app.use(cimRouter({ intake, maxBodyBytes, budgets, registry, ...(parts.registryConsistency ? { registryConsistency: parts.registryConsistency } : {}) }));
  const openadr31 = openadrRouter({ intake, maxBodyBytes, config: openadr });
  const openadr301 = openadrV301Router({ intake, maxBodyBytes, config: openadr });
  app.use(openadr31);
  app.use(openadr301);
  app.use(openadr20bRouter({ store, config: openadr }));
  app.use(openadrAdminRouter({ store, config: openadr }));
  app.use(adminDeliveryRouter({ store, onRedelivery: parts.onRedelivery }));
  app.use(adminRegistryRouter({ store }));
  app.use(adminSettlementRouter({ store }));
  app.use(operationsRouter({ metrics, store, pkiDir: parts.pkiDir }));
  app.use((req, _res, next) => next(new Problem('request.not-found', `Nothing at ${req.method} ${req.path}`)));
  app.use(problemHandler(logger, publicUrl));

  const lane = directLane({
    routes: anmDocuments.directRoutes(),
    trust: trustOptions,
    admittedCaller: parts.admittedCaller,
    rateLimit,
    maxBodyBytes,
    publicUrl,
    logger,
    answered: ({ method, target, status, seconds, problemType }) => {
      if (problemType !== undefined) metrics.countRefusal(problemType, status);
      metrics.observeRequest(method, target, status, seconds);
      logRequest(logger, method, target, status, seconds, 'direct');
    },
  });
  const listener: RequestListener = (req, res) => {
    if (!lane(req, res)) app(req, res);
  };
  return { listener, ready: Promise.all([openadr31.ready, openadr301.ready]) };
}

/** The request log: one line per answer, saying which way it went when the direct lane took it. */
function logRequest(logger: Logger, method: string, path: string, status: number, seconds: number, via?: 'direct'): void {
  logger.info({ method, path, status, ms: Math.round(seconds * 1e4) / 10, ...(via ? { via } : {}) }, 'request');
}
