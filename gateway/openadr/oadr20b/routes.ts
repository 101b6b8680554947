import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { Event, Ven } from '../../../schemas/openadr/wire.ts';
import { chooseRepresentation } from '../../http/negotiation.ts';
import { Problem } from '../../../protocol/problem.ts';
import type { Store } from '../../store/store.ts';
import { DEFAULT_OPENADR_CONFIG, type OpenadrConfig } from '../config.ts';
import { eventEnd } from '../../../protocol/time/eventTiming.ts';
import { findObject, listObjects } from '../objectTable.ts';
import { notFound } from '../operations/operation.ts';
import { enforceSignaturePolicy, ownedBy, targetedAt } from '../privacy.ts';
import { scopesOfRole, type Principal } from '../tokens.ts';
import { vtnRequestOf, type VtnRequest } from '../vtnRequest.ts';
import { oadrDistributeEvent, type DistributedEvent } from './distributeEvent.ts';

export const OADR_20B_BASE_PATH = '/openadr/2.0b';
const XML = 'application/xml';

export interface Openadr20bRouterOptions {
  store: Store;
  config?: OpenadrConfig;
}

/** 2.0b authenticates by the client certificate alone (its security model is TLS client authentication): the party is the client. */
function principalOf(request: VtnRequest): Principal {
  const { party } = request.caller;
  const scopes = new Set(scopesOfRole(party.role));
  return { clientId: party.urn, role: party.role, scopes, businessLogic: scopes.has('read_all') };
}

/** What a 2.0b VEN asks for: its VEN's events, under its request id. */
interface EventRequest {
  venID: string | undefined;
  requestID: string | undefined;
}

/** The `oadrDistributeEvent` for a VEN: the events its 3.x registration sees, rendered from the same stored events. */
async function distributedEvents(store: Store, config: OpenadrConfig, request: VtnRequest, asked: EventRequest): Promise<string> {
  const principal = principalOf(request);
  await enforceSignaturePolicy(store.db, principal.clientId, request.envelope !== undefined);
  const { venID } = asked;
  if (!venID)
    throw new Problem('request.invalid-query', 'venID is required: the id of the VEN registered through OpenADR 3 (2.0b oadrRequestEvent names its venID too)');
  const ven = await findObject<Ven>(store.db, 'VEN', venID);
  if (!ven || !ownedBy(ven, principal)) throw notFound('VEN', venID);
  const resources = await listObjects(store.db, 'RESOURCE', { venId: ven.id });
  // What this VEN sees: the targets granted to it and to its resources, as on 3.x (privacy.ts).
  const granted = new Set([...ven.targets, ...resources.flatMap((r) => r.targets)]);
  const now = new Date();
  const events: DistributedEvent[] = (await listObjects<Event>(store.db, 'EVENT'))
    .filter((e) => targetedAt(e, granted))
    // A cancellation reaches 2.0b VENs as status `cancelled`; one for an event already over tells nothing.
    .filter((e) => e.lifecycle !== 'CANCELLED' || (eventEnd(e.body) ?? Infinity) > now.getTime())
    .map((e) => ({
      event: e.body,
      modificationNumber: e.version - 1,
      cancelled: e.lifecycle === 'CANCELLED',
      marketContext: `${config.publicBaseUrl}/programs/${e.body.programID}`,
      resourceNames: new Set(resources.map((r) => r.name).filter((n) => n !== null)),
    }));
  const requestID = asked.requestID || randomUUID();
  return oadrDistributeEvent({ requestID, vtnID: new URL(config.publicBaseUrl).host, events, now });
}

const queryValue = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * OpenADR 2.0b for legacy VENs, read-only: `GET /openadr/2.0b/events?venID=…`
 * answers an `oadrDistributeEvent` (XML) with the events the VEN's 3.x
 * registration sees, rendered from the same stored events.
 */
export function openadr20bRouter({ store, config = DEFAULT_OPENADR_CONFIG }: Openadr20bRouterOptions): Router {
  const router = express.Router();
  router.get(`${OADR_20B_BASE_PATH}/events`, async (req, res) => {
    const format = chooseRepresentation(req, [XML, 'text/xml'] as const);
    const xml = await distributedEvents(store, config, vtnRequestOf(req), { venID: queryValue(req.query.venID), requestID: queryValue(req.query.requestID) });
    res.setHeader('Vary', 'Accept');
    res.status(200).type(`${format}; charset=utf-8`).send(xml);
  });
  return router;
}
