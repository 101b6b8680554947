import express, { type Express, type Router } from 'express';
import { problemHandler } from '../http/problemResponse.ts';
import { Problem } from '../../protocol/problem.ts';
import { testLogger } from './silentLogger.ts';

/**
 * API routers alone, without the trust layer, for tests of what the routes
 * do with content. The trust layer itself is tested over real mutual TLS
 * (gateway/trust/*.test.ts) with the whole app.
 */
export function routerTestApp(...routers: Router[]): Express {
  const app = express();
  app.use(...routers);
  app.use((req, _res, next) => next(new Problem('request.not-found', `Nothing at ${req.method} ${req.path}`)));
  app.use(problemHandler(testLogger));
  return app;
}
