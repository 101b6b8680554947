import express, { type Express } from 'express';
import { adapterRouter } from '../adapter/routes.ts';
import { anmRouter } from '../anm/routes.ts';
import { cimRouter } from '../cim/routes.ts';
import { Intake } from '../intake.ts';
import type { Logger } from '../log.ts';
import { Problem } from '../problem.ts';
import type { Store } from '../store/store.ts';
import { problemHandler } from './problemResponse.ts';

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface AppOptions {
  store: Store;
  logger: Logger;
  maxBodyBytes?: number;
}

/** The gateway's HTTP application: every API router, then problem+json for whatever fails. */
export function createApp({ store, logger, maxBodyBytes = DEFAULT_MAX_BODY_BYTES }: AppOptions): Express {
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
  const intake = new Intake(store);
  app.use(anmRouter({ intake, maxBodyBytes }));
  app.use(adapterRouter({ intake, maxBodyBytes }));
  app.use(cimRouter({ intake, maxBodyBytes }));
  app.use((req, _res, next) => next(new Problem('request.not-found', `Nothing at ${req.method} ${req.path}`)));
  app.use(problemHandler(logger));
  return app;
}
