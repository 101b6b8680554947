import express, { type Request, type Response, type Router } from 'express';
import type { Context } from 'openapi-backend';
import { OPENADR_301_BASE_PATH, openadr301OpenApi, operationIds301 } from '../../../schemas/openadr/openapi301.ts';
import type { Event, Program, Report, Resource, Subscription, Ven } from '../../../schemas/openadr/wire.ts';
import type { Event301, Program301, Report301, Resource301, Subscription301, Ven301 } from '../../../schemas/openadr/wire301.ts';
import { canonicalJson } from '../../../protocol/canonicalJson.ts';
import type { Intake } from '../../intake.ts';
import { Problem } from '../../../protocol/problem.ts';
import { DEFAULT_OPENADR_CONFIG, type OpenadrConfig } from '../config.ts';
import { findObject } from '../objectTable.ts';
import { notFound } from '../operations/operation.ts';
import { openadrBackend } from '../openapiBackend.ts';
import { authenticate, problemResponder, runOperation, sendToken, type AuthenticatedCaller, type ModelCall } from '../routes.ts';
import { fetchToken, type ScopeWords } from '../tokenEndpoint.ts';
import { scopesOfRole } from '../tokens.ts';
import { vtnRequestOf } from '../vtnRequest.ts';
import { deprecationHeaders, POLICY_PATH, policyDocument, V301_DEPRECATION, type DeprecationPolicy } from './deprecation.ts';
import {
  eventIn,
  eventOut,
  programIn,
  programOut,
  reportIn,
  reportOut,
  resourceIn,
  resourceOut,
  subscriptionIn,
  subscriptionOut,
  venIn,
  venOut,
  type Registrar,
} from './translation.ts';

export interface OpenadrV301RouterOptions {
  intake: Intake;
  maxBodyBytes: number;
  config?: OpenadrConfig;
  deprecation?: DeprecationPolicy;
}

/** The 3.0.1 root beside the 3.1.0 one the configuration names (`…/openadr/3.1.0` → `…/openadr/3.0.1`). */
export const v301BaseUrl = (config: OpenadrConfig) => new URL('3.0.1', config.publicBaseUrl).href;

type Json = Record<string, unknown>;

/** One 3.0.1 request being served: its validated parts, and the model it is translated into. */
interface Translation {
  params: Record<string, string>;
  query: Json;
  body: unknown;
  caller: AuthenticatedCaller;
  /** Runs a model (3.1.0) operation for this caller. */
  model(operationId: string, call?: Partial<Omit<ModelCall, 'operationId'>>): Promise<{ status: number; body: unknown }>;
  /** The program of an event, cancelled events included (3.0.1 reports name it). */
  programOf(eventID: string): Promise<string>;
}

type Answer = { status: number; body: unknown };
type Handler = (t: Translation) => Promise<Answer>;

const mapped = <M, L>(answer: Answer, out: (object: M) => L): Answer => ({ status: answer.status, body: out(answer.body as M) });
const listed = <M, L>(answer: Answer, out: (object: M) => L): Answer => ({ status: answer.status, body: (answer.body as M[]).map(out) });

/** 3.0.1 `targetValues` are 3.1.0 `targets`; `targetType` has no 3.1.0 counterpart (targets carry no type). */
const targetsQuery = (query: Json) => (query.targetValues === undefined ? {} : { targets: query.targetValues });
const pick = (query: Json, ...names: string[]) => Object.fromEntries(names.filter((n) => query[n] !== undefined).map((n) => [n, query[n]]));
const PAGE = ['skip', 'limit'];

async function reportsOut(t: Translation, answer: Answer, list: boolean): Promise<Answer> {
  const reports = (list ? answer.body : [answer.body]) as Report[];
  const out = await Promise.all(reports.map(async (r) => reportOut(r, await t.programOf(r.eventID))));
  return { status: answer.status, body: list ? out : out[0] };
}

function expressible(subscription: Subscription): Subscription301 {
  const out = subscriptionOut(subscription);
  if (!out)
    throw new Problem('openadr.legacy-not-expressible', `Subscription ${subscription.id} names no program; OpenADR 3.0.1 requires one`, {
      pointer: '/programID',
    });
  return out;
}

/** The VEN of a path, visible to the caller (else 404, as 3.1.0 answers), with the client that owns it. */
async function pathVen(t: Translation): Promise<Ven> {
  return (await t.model('searchVenByID', { params: { venID: t.params.venID! } })).body as Ven;
}

/** A resource addressed under a VEN it does not belong to is not found there. */
async function pathResource(t: Translation): Promise<Resource> {
  const resource = (await t.model('searchVenResourceByID', { params: { resourceID: t.params.resourceID! } })).body as Resource;
  if (resource.venID !== t.params.venID) throw notFound('resource', `${t.params.resourceID} of VEN ${t.params.venID}`);
  return resource;
}

function registrar(t: Translation, owner: { clientID: string }): Registrar {
  return t.caller.principal.businessLogic ? { businessLogic: true, ownerClientId: owner.clientID } : { businessLogic: false };
}

function resourceVenID(t: Translation): string {
  const venID = (t.body as Resource301).venID;
  if (venID !== undefined && venID !== t.params.venID)
    throw new Problem('openadr.invalid-request', `venID ${venID} differs from the path's VEN ${t.params.venID}`, { pointer: '/venID' });
  return t.params.venID!;
}

/** Every 3.0.1 operation, as the model operations it is translated into. */
const HANDLERS: Record<string, Handler> = {
  searchAllPrograms: async (t) => listed(await t.model('searchAllPrograms', { query: { ...pick(t.query, ...PAGE), ...targetsQuery(t.query) } }), programOut),
  createProgram: async (t) => mapped(await t.model('createProgram', { body: programIn(t.body as Program301) }), programOut),
  searchProgramByProgramId: async (t) => mapped(await t.model('searchProgramByProgramId', { params: t.params }), programOut),
  async updateProgram(t) {
    const previous = (await t.model('searchProgramByProgramId', { params: t.params })).body as Program;
    return mapped(await t.model('updateProgram', { params: t.params, body: programIn(t.body as Program301, previous) }), programOut);
  },
  deleteProgram: async (t) => mapped(await t.model('deleteProgram', { params: t.params }), programOut),

  searchAllReports: async (t) =>
    reportsOut(t, await t.model('searchAllReports', { query: pick(t.query, 'programID', 'eventID', 'clientName', ...PAGE) }), true),
  createReport: async (t) => reportsOut(t, await t.model('createReport', { body: reportIn(t.body as Report301) }), false),
  searchReportsByReportID: async (t) => reportsOut(t, await t.model('searchReportsByReportID', { params: t.params }), false),
  updateReport: async (t) => reportsOut(t, await t.model('updateReport', { params: t.params, body: reportIn(t.body as Report301) }), false),
  deleteReport: async (t) => reportsOut(t, await t.model('deleteReport', { params: t.params }), false),

  searchAllEvents: async (t) =>
    listed(await t.model('searchAllEvents', { query: { ...pick(t.query, 'programID', ...PAGE), ...targetsQuery(t.query) } }), eventOut),
  createEvent: async (t) => mapped(await t.model('createEvent', { body: eventIn(t.body as Event301) }), eventOut),
  searchEventsByID: async (t) => mapped(await t.model('searchEventsByID', { params: t.params }), eventOut),
  updateEvent: async (t) => mapped(await t.model('updateEvent', { params: t.params, body: eventIn(t.body as Event301) }), eventOut),
  deleteEvent: async (t) => mapped(await t.model('deleteEvent', { params: t.params }), eventOut),

  async searchSubscriptions(t) {
    // 3.1.0 dropped targets from subscription queries (issue 312): matched here, within the page.
    const wanted = t.query.targetValues === undefined ? undefined : [t.query.targetValues].flat().map(String);
    const answer = await t.model('searchSubscriptions', { query: pick(t.query, 'programID', 'clientName', 'objects', ...PAGE) });
    const subscriptions = (answer.body as Subscription[]).filter((s) => !wanted || (s.targets ?? []).some((target) => wanted.includes(target)));
    return { status: answer.status, body: subscriptions.map(subscriptionOut).filter((s) => s !== undefined) };
  },
  createSubscription: async (t) => mapped(await t.model('createSubscription', { body: subscriptionIn(t.body as Subscription301) }), expressible),
  searchSubscriptionByID: async (t) => mapped(await t.model('searchSubscriptionByID', { params: t.params }), expressible),
  updateSubscription: async (t) =>
    mapped(await t.model('updateSubscription', { params: t.params, body: subscriptionIn(t.body as Subscription301) }), expressible),
  async deleteSubscription(t) {
    // Refused before deleting, so a subscription 3.0.1 cannot show is not removed unseen.
    expressible((await t.model('searchSubscriptionByID', { params: t.params })).body as Subscription);
    return mapped(await t.model('deleteSubscription', { params: t.params }), expressible);
  },

  searchVens: async (t) => listed(await t.model('searchVens', { query: { ...pick(t.query, 'venName', ...PAGE), ...targetsQuery(t.query) } }), venOut),
  async createVen(t) {
    if (t.caller.principal.businessLogic) {
      throw new Problem(
        'openadr.legacy-not-expressible',
        'A 3.0.1 VEN names no client: the business logic registers VENs on OpenADR 3.1.0 (BL_VEN_REQUEST with clientID)',
      );
    }
    return mapped(await t.model('createVen', { body: venIn(t.body as Ven301, { businessLogic: false }) }), venOut);
  },
  searchVenByID: async (t) => ({ status: 200, body: venOut(await pathVen(t)) }),
  async updateVen(t) {
    const previous = await pathVen(t);
    return mapped(await t.model('updateVen', { params: t.params, body: venIn(t.body as Ven301, registrar(t, previous)) }), venOut);
  },
  deleteVen: async (t) => mapped(await t.model('deleteVen', { params: t.params }), venOut),

  async searchVenResources(t) {
    await pathVen(t);
    return listed(
      await t.model('searchVenResources', { query: { ...pick(t.query, 'resourceName', ...PAGE), ...targetsQuery(t.query), venID: t.params.venID } }),
      resourceOut,
    );
  },
  async createResource(t) {
    const ven = await pathVen(t);
    return mapped(await t.model('createResource', { body: resourceIn(t.body as Resource301, resourceVenID(t), registrar(t, ven)) }), resourceOut);
  },
  searchVenResourceByID: async (t) => ({ status: 200, body: resourceOut(await pathResource(t)) }),
  async updateVenResource(t) {
    const previous = await pathResource(t);
    const body = resourceIn(t.body as Resource301, resourceVenID(t), registrar(t, previous));
    return mapped(await t.model('updateVenResource', { params: { resourceID: t.params.resourceID! }, body }), resourceOut);
  },
  async deleteVenResource(t) {
    await pathResource(t);
    return mapped(await t.model('deleteVenResource', { params: { resourceID: t.params.resourceID! } }), resourceOut);
  },
};

/**
 * 3.0.1 has one `read_all` where 3.1.0 splits reading by role: asked for, it
 * means every read scope the caller's role holds (a VEN: read_targets and
 * read_ven_objects); granted, every 3.1.0 read scope is 3.0.1's `read_all`.
 * Write scopes are named alike. A token answer thus names the scopes in the
 * words the 3.0.1 client asked with (oauthlib and others compare them).
 */
export const SCOPE_WORDS_301: ScopeWords = {
  toModel(asked, role) {
    const reads = scopesOfRole(role).filter((s) => s.startsWith('read_'));
    return [...new Set(asked.flatMap((s) => (s === 'read_all' ? reads : [s])))];
  },
  toWire: (granted) => [...new Set(granted.map((s) => (s.startsWith('read_') ? 'read_all' : s)))].join(' '),
};

/** 3.0.1 lists no 401: authentication failures are its 403, and on /auth/token RFC 6749's 400 (the body names the error). */
export const openadr301Status = (catalogueStatus: number, tokenEndpoint: boolean): number =>
  catalogueStatus === 401 ? (tokenEndpoint ? 400 : 403) : catalogueStatus;
const statusOf301 = (problem: Problem, tokenEndpoint: boolean) => openadr301Status(problem.status, tokenEndpoint);

/**
 * OpenADR 3.0.1 under /openadr/3.0.1, deprecated: routed and validated by
 * openapi-backend from schemas/openadr/openapi301.ts, translated at the edge
 * into the 3.1.0 model operations (same objects, same privacy, lifecycle,
 * journal and idempotency) and back. Every response carries the
 * deprecation headers.
 */
export function openadrV301Router({
  intake,
  maxBodyBytes,
  config = DEFAULT_OPENADR_CONFIG,
  deprecation = V301_DEPRECATION,
}: OpenadrV301RouterOptions): Router & { ready: Promise<void> } {
  const { store } = intake;
  const baseUrl = v301BaseUrl(config);
  const handle = async (c: Context, req: Request, res: Response) => {
    const operationId = c.operation.operationId!;
    const body = c.request.requestBody as unknown;
    const request = vtnRequestOf(req);
    if (operationId === 'fetchToken') return sendToken(res, await fetchToken({ store, config, request, form: body, scopes: SCOPE_WORDS_301 }));
    const caller = await authenticate(store, request);
    let replayed = false;
    const translation: Translation = {
      params: c.request.params as Record<string, string>,
      query: c.request.query as Json,
      body,
      caller,
      async model(id, call = {}) {
        const answer = await runOperation({ intake, config }, request, caller, {
          operationId: id,
          params: call.params ?? {},
          query: call.query ?? {},
          body: call.body,
        });
        replayed ||= answer.replayed;
        return answer;
      },
      async programOf(eventID) {
        const event = await findObject<Event>(store.db, 'EVENT', eventID);
        if (!event) throw new Error(`Report on event ${eventID}, which is not stored`);
        return event.body.programID;
      },
    };
    const answer = await HANDLERS[operationId]!(translation);
    if (replayed) res.setHeader('Idempotency-Replayed', 'true');
    res.status(answer.status).type('application/json').send(canonicalJson(answer.body));
  };
  const serve = openadrBackend({ definition: openadr301OpenApi, version: '3.0.1', basePath: OPENADR_301_BASE_PATH, operationIds: operationIds301(), handle });

  const successorUrl = config.publicBaseUrl;
  const inner = express.Router();
  inner.use(deprecationHeaders(deprecation, baseUrl, successorUrl));
  inner.get(POLICY_PATH, (_req, res) => {
    res.type('text/markdown').send(policyDocument(deprecation, successorUrl));
  });
  inner.use(express.raw({ type: () => true, limit: maxBodyBytes }));
  inner.use(serve);
  inner.use(problemResponder(baseUrl, statusOf301));
  const router = express.Router();
  router.use(OPENADR_301_BASE_PATH, inner);
  return Object.assign(router, { ready: serve.ready });
}
