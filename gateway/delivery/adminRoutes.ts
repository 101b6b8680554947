import type { Database } from '../store/schema.ts';
import express, { type Request, type Response, type Router } from 'express';
import type { Kysely } from 'kysely';
import { Problem } from '../../protocol/problem.ts';
import { findCaller } from '../trust/caller.ts';
import { getDelivery, listDeliveries, queueSummaries, requestRedelivery } from './deliveryRecords.ts';
import { DELIVERY_STATES, type DeliveryState } from './tables.ts';

export const DELIVERIES_PATH = '/admin/v1/deliveries';
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

export interface AdminDeliveryRouterOptions {
  store: { db: Kysely<Database> };
  /** Called after a redelivery is recorded, so a dispatcher in this process sends it at once. */
  onRedelivery?: () => void;
}

/**
 * `/admin/v1/deliveries`: the outbox as operators see it. Mounted behind the
 * trust layer, which admits the admin role only.
 *
 * - `GET /admin/v1/deliveries?state=&subscriber=&limit=&before=`: newest first
 * - `GET /admin/v1/deliveries/queues?subscriber=`: one line per subscriber queue
 * - `GET /admin/v1/deliveries/{id}`: with body and attempt history
 * - `POST /admin/v1/deliveries/{id}/redeliver`: 202, a new round of attempts
 */
export function adminDeliveryRouter({ store: { db }, onRedelivery }: AdminDeliveryRouterOptions): Router {
  const router = express.Router();
  router.get(DELIVERIES_PATH, async (req, res) => {
    const filter = {
      limit: pageSize(req),
      ...optional('state', stateQuery(req)),
      ...optional('subscriberKey', textQuery(req, 'subscriber')),
      ...optional('before', cursorQuery(req)),
    };
    const { deliveries, nextBefore } = await listDeliveries(db, filter, new Date());
    const next = nextBefore === undefined ? {} : { next: pageLink(req, nextBefore) };
    sendJson(res, 200, { deliveries: deliveries.map(withLink), ...next });
  });
  router.get(`${DELIVERIES_PATH}/queues`, async (req, res) => {
    sendJson(res, 200, { queues: await queueSummaries(db, new Date(), textQuery(req, 'subscriber')) });
  });
  router.get(`${DELIVERIES_PATH}/:id`, async (req, res) => {
    const delivery = await getDelivery(db, String(req.params.id), new Date());
    if (!delivery) throw notFound(String(req.params.id));
    sendJson(res, 200, withLink(delivery));
  });
  router.post(`${DELIVERIES_PATH}/:id/redeliver`, async (req, res) => {
    const id = String(req.params.id);
    const result = await requestRedelivery(db, id, findCaller(req)?.party.urn ?? null, new Date());
    if (result === 'not-found') throw notFound(id);
    if (result === 'in-flight') throw new Problem('delivery.in-flight', `Delivery ${id} is being attempted; ask again when the attempt has ended`);
    onRedelivery?.();
    const delivery = await getDelivery(db, id, new Date());
    res.setHeader('location', link(id));
    sendJson(res, 202, withLink(delivery!));
  });
  return router;
}

const link = (id: string) => `${DELIVERIES_PATH}/${encodeURIComponent(id)}`;
const withLink = <T extends { id: string }>(delivery: T) => ({ ...delivery, href: link(delivery.id) });
const notFound = (id: string) => new Problem('delivery.not-found', `No delivery with id ${id}`);
const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

function textQuery(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Problem('request.invalid-query', `${name} must be given once, not empty`, { pointer: `/${name}` });
  return value;
}

function stateQuery(req: Request): DeliveryState | undefined {
  const state = textQuery(req, 'state');
  if (state === undefined) return undefined;
  if (!(DELIVERY_STATES as readonly string[]).includes(state)) {
    throw new Problem('request.invalid-query', `state must be one of ${DELIVERY_STATES.join(', ')}`, { pointer: '/state' });
  }
  return state as DeliveryState;
}

function pageSize(req: Request): number {
  const text = textQuery(req, 'limit');
  if (text === undefined) return DEFAULT_PAGE;
  if (!/^[1-9]\d{0,3}$/.test(text) || Number(text) > MAX_PAGE)
    throw new Problem('request.invalid-query', `limit must be 1 to ${MAX_PAGE}`, { pointer: '/limit' });
  return Number(text);
}

function cursorQuery(req: Request): number | undefined {
  const text = textQuery(req, 'before');
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new Problem('request.invalid-query', 'before must be the cursor from a previous page', { pointer: '/before' });
  return Number(text);
}

function pageLink(req: Request, before: number): string {
  const query = new URLSearchParams();
  for (const name of ['state', 'subscriber', 'limit']) {
    const value = req.query[name];
    if (typeof value === 'string') query.set(name, value);
  }
  query.set('before', String(before));
  return `${DELIVERIES_PATH}?${query}`;
}
