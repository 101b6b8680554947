import express, { type Express } from 'express';
import { adapterRouter } from '../adapter/routes.ts';
import { adminDeliveryRouter } from '../delivery/adminRoutes.ts';
import { anmRouter } from '../anm/routes.ts';
import { cimRouter } from '../cim/routes.ts';
import { Intake } from '../intake.ts';
import type { Logger } from '../log.ts';
import { openadrAdminRouter } from '../openadr/adminRoutes.ts';
import { DEFAULT_OPENADR_CONFIG, type OpenadrConfig } from '../openadr/config.ts';
import { openadrEventsReaction } from '../openadr/eventsReaction.ts';
import { openadr20bRouter } from '../openadr/oadr20b/routes.ts';
import { openadrRouter } from '../openadr/routes.ts';
import { openadrV301Router } from '../openadr/v301/routes.ts';
import { Problem } from '../problem.ts';
import type { Store } from '../store/store.ts';
import type { EnvelopeSigner } from '../trust/envelope.ts';
import { signResponses, verifyRequests, type TrustState } from '../trust/trustLayer.ts';
import { problemHandler } from './problemResponse.ts';

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface AppOptions {
  store: Store;
  logger: Logger;
  /** The gateway's signing identity (its TLS certificate and key). */
  signer: EnvelopeSigner;
  trust: () => TrustState;
  /** Absolute URL clients reach the gateway at (problem `instance`s, OpenADR `/auth/server`). */
  publicUrl: string;
  /** OpenADR programs, tokens and broker; the VTN's base URL is derived from `publicUrl`. */
  openadr?: Omit<OpenadrConfig, 'publicBaseUrl'>;
  /** Called after an administrator asks for a redelivery, so the dispatcher sends it at once. */
  onRedelivery?: () => void;
  maxBodyBytes?: number;
  skewSeconds?: number;
}

/**
 * The gateway's HTTP application. Every request passes the trust layer
 * (caller from the client certificate, access rule, signature) before any
 * API router, and every response leaves signed, problems included.
 */
export function createApp(options: AppOptions): Express {
  const { store, logger, signer, trust, publicUrl, openadr = DEFAULT_OPENADR_CONFIG, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, skewSeconds } = options;
  const trustOptions = { store, gateway: signer, trust, logger, ...(skewSeconds === undefined ? {} : { skewSeconds }) };
  const openadrConfig: OpenadrConfig = { ...openadr, publicBaseUrl: new URL('/openadr/3.1.0', publicUrl).href };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  });
  app.use(signResponses(trustOptions));
  // Signatures cover the exact bytes, so every body is read raw, once, before anything interprets it.
  app.use(express.raw({ type: () => true, limit: maxBodyBytes }));
  app.use(verifyRequests(trustOptions));
  // Every stored merit order list revision becomes OpenADR events in the same transaction.
  const intake = new Intake(store, [openadrEventsReaction(openadrConfig)], skewSeconds);
  app.use(anmRouter({ intake, maxBodyBytes }));
  app.use(adapterRouter({ intake, maxBodyBytes }));
  app.use(cimRouter({ intake, maxBodyBytes }));
  app.use(openadrRouter({ intake, maxBodyBytes, config: openadrConfig }));
  app.use(openadrV301Router({ intake, maxBodyBytes, config: openadrConfig }));
  app.use(openadr20bRouter({ store, config: openadrConfig }));
  app.use(openadrAdminRouter({ store }));
  app.use(adminDeliveryRouter({ store, ...(options.onRedelivery ? { onRedelivery: options.onRedelivery } : {}) }));
  app.use((req, _res, next) => next(new Problem('request.not-found', `Nothing at ${req.method} ${req.path}`)));
  app.use(problemHandler(logger, publicUrl));
  return app;
}
