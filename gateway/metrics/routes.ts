import express, { type RequestHandler, type Response, type Router } from 'express';
import { listCrls } from '../../certs/index.ts';
import { Problem } from '../../protocol/problem.ts';
import { PROBLEM_MEDIA_TYPE } from '../http/problemResponse.ts';
import type { Store } from '../store/store.ts';
import type { GatewayMetrics } from './gatewayMetrics.ts';

export const METRICS_PATH = '/metrics';
export const HEALTH_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

/**
 * Counts every answered request by API and status, its latency, and each
 * refusal by its problem type, read from the problem+json body as sent.
 * Mounted first, so refusals of the trust layer are counted too.
 */
export function requestMetrics(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      const [chunk] = args;
      if (res.statusCode >= 400 && isProblem(res) && (Buffer.isBuffer(chunk) || typeof chunk === 'string')) {
        const type = problemTypeOf(chunk);
        if (type) metrics.countRefusal(type, res.statusCode);
      }
      return end(...args);
    }) as Response['end'];
    res.once('finish', () => metrics.observeRequest(req.method, req.originalUrl, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    next();
  };
}

const isProblem = (res: Response) => String(res.getHeader('content-type') ?? '').startsWith(PROBLEM_MEDIA_TYPE);

function problemTypeOf(body: Buffer | string): string | undefined {
  try {
    const type = (JSON.parse(body.toString()) as { type?: unknown }).type;
    return typeof type === 'string' && type.length <= 128 ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET /metrics` (Prometheus text format, administrators), `GET /healthz`
 * (the process answers) and `GET /readyz` (it can serve: the store answers
 * and no CRL has lapsed, which would lock every client out) for any party.
 */
export function operationsRouter({ metrics, store, pkiDir }: { metrics: GatewayMetrics; store: Store; pkiDir: string }): Router {
  const router = express.Router();
  router.get(METRICS_PATH, async (_req, res) => {
    res
      .status(200)
      .type(metrics.registry.contentType)
      .send(await metrics.text());
  });
  router.get(HEALTH_PATH, (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get(READINESS_PATH, async (_req, res) => {
    const failing = await readinessFailures(store, pkiDir);
    if (failing.length > 0) throw new Problem('operations.not-ready', failing.join('; '));
    res.status(200).json({ status: 'ready', checks: { store: 'ok', crls: 'ok' } });
  });
  return router;
}

async function readinessFailures(store: Store, pkiDir: string): Promise<string[]> {
  const failing: string[] = [];
  try {
    await store.db.selectFrom('journal').select('id').limit(1).execute();
  } catch (error) {
    failing.push(`the store does not answer: ${(error as Error).message}`);
  }
  const now = Date.now();
  const crls = await listCrls(pkiDir);
  if (crls.length === 0) failing.push('no CRL is published in the PKI folder');
  for (const crl of crls) {
    if (!crl.nextUpdate || crl.nextUpdate.getTime() <= now)
      failing.push(`the ${crl.authority} CA's CRL has lapsed: every client certificate is refused until it is re-issued`);
  }
  return failing;
}
