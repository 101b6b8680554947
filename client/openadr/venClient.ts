import type {
  AuthServerInfo,
  ClientCredentialResponse,
  Event,
  NotifierTopicsResponse,
  NotifiersResponse,
  Program,
  Report,
  ReportRequest,
  Resource,
  ResourceRequest,
  Subscription,
  SubscriptionRequest,
  ValuesMap,
  Ven,
  VenRequest,
} from '../../schemas/openadr/wire.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import type { FlexgateClient, GatewayIdentity } from '../flexgateClient.ts';
import { refusalOf, ResponseInvalid } from '../refusal.ts';
import { DEFAULT_LIFETIME_SECONDS, needsRefresh, tokenRequest, type AccessToken, type ClientAuthentication, type TokenCache } from './accessToken.ts';
import { openadrWire } from './wireDocument.ts';

export type Query = Record<string, string | number | boolean | readonly string[]>;

export interface OperationCall {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  /** Another bearer token than the client's own, or none (`null`): tests of refusals. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** An answer as the VEN client hands it over: the body parsed and checked against the OpenADR document. */
export interface VenAnswer<T = unknown> {
  operationId: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  /** The gateway's signature over the answer, verified; with its receipt when the request was signed and succeeded. */
  signature: VerifiedEnvelope;
  /** What was sent: observers hold requests to a contract too. */
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
}

/** A token is needed and none can be had: the client was given no credentials, and holds no token that is still good. */
export class NoClientCredentials extends FlexgateError {
  readonly code = 'client.no-credentials';
}

export interface VenClientOptions {
  /** The VEN's client credentials, from the VTN's administrator; without them only a cached token (`tokenCache`) serves. */
  credentials?: { clientId: string; clientSecret: string };
  /** Credentials in the token form (default) or as HTTP Basic (RFC 6749 §2.3.1). */
  clientAuthentication?: ClientAuthentication;
  /**
   * Sign every request with the flexgate envelope (default). `false` is a
   * plain OpenADR VEN: unsigned requests over the same mutual TLS.
   */
  sign?: boolean;
  /** Scopes to ask for; default all the VEN's role is granted. */
  scope?: string;
  /** Keeps the token between processes (the CLI's state folder). */
  tokenCache?: TokenCache;
  /** Sees every answer, refusals included (tests hold them to the official file too). */
  observe?: (answer: VenAnswer) => void;
  now?: () => number;
}

const PAGE_LIMIT = 50;

/**
 * A typed OpenADR 3.1.0 client over `FlexgateClient`: the VEN's side of the
 * VTN (and the business logic's: the operations are the same, the token's
 * scopes differ). Operations are called by the specification's operation
 * ids, every answer is checked against flexgate's OpenADR document
 * (schemas/openadr/openapi.ts), refusals are thrown as `GatewayRefusal`
 * carrying the problem document. The token comes from client credentials
 * (form or HTTP Basic) and is renewed before it expires.
 */
export class VenClient {
  private token: AccessToken | undefined;
  private tokenLifetimeMs = DEFAULT_LIFETIME_SECONDS * 1000;
  private fetching: Promise<AccessToken> | undefined;
  /** Signed requests go one at a time: the VTN admits each sender's sequence numbers in order only. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sign: boolean;
  private readonly now: () => number;

  constructor(
    readonly client: FlexgateClient,
    private readonly options: VenClientOptions,
  ) {
    this.sign = options.sign ?? true;
    this.now = options.now ?? Date.now;
    this.token = options.tokenCache?.load();
  }

  /** The party this VEN acts as: the URN of its client certificate. */
  get party(): string {
    return this.client.party;
  }

  gatewayIdentity(): Promise<GatewayIdentity> {
    return this.client.gatewayIdentity();
  }

  /** The token's current value, fetched or renewed first when it is missing or close to expiry. */
  async accessToken(): Promise<string> {
    if (!needsRefresh(this.token, this.tokenLifetimeMs, this.now())) return this.token!.accessToken;
    this.fetching ??= this.fetchToken().finally(() => (this.fetching = undefined));
    return (await this.fetching).accessToken;
  }

  /** A new token from /auth/token with the client credentials, whatever the current one's state. */
  async fetchToken(): Promise<AccessToken> {
    const { body, headers } = this.tokenRequest();
    const answer = await this.send<ClientCredentialResponse>('fetchToken', { body, headers, token: null });
    const lifetime = (answer.body.expires_in ?? DEFAULT_LIFETIME_SECONDS) * 1000;
    this.tokenLifetimeMs = lifetime;
    this.token = {
      accessToken: answer.body.access_token,
      expiresAt: this.now() + lifetime,
      ...(answer.body.scope === undefined ? {} : { scope: answer.body.scope }),
    };
    this.options.tokenCache?.save(this.token);
    return this.token;
  }

  /** The token response itself (tests of the token endpoint); the client keeps the token it gets. */
  async tokenResponse(): Promise<ClientCredentialResponse> {
    const { body, headers } = this.tokenRequest();
    return (await this.send<ClientCredentialResponse>('fetchToken', { body, headers, token: null })).body;
  }

  private tokenRequest(): { body: string; headers: Record<string, string> } {
    const { credentials } = this.options;
    if (!credentials) throw new NoClientCredentials('A token is needed: give the VEN client its client credentials (client id and secret)');
    return tokenRequest(this.options.clientAuthentication ?? 'form', credentials, this.options.scope);
  }

  /** What the current token was granted, as the token response said. */
  get grantedScope(): string | undefined {
    return this.token?.scope;
  }

  /**
   * Calls an operation by its OpenADR operation id. A refusal is thrown as
   * `GatewayRefusal`; an answer the document does not allow as
   * `ResponseInvalid`. A token the VTN no longer knows is fetched again once.
   */
  async call<T = unknown>(operationId: string, call: OperationCall = {}): Promise<VenAnswer<T>> {
    const bearer = call.token === undefined ? await this.accessToken() : call.token;
    try {
      return await this.send<T>(operationId, { ...call, token: bearer });
    } catch (error) {
      const expired = call.token === undefined && (error as { code?: string }).code === 'openadr.token-invalid';
      if (!expired) throw error;
      this.token = undefined;
      return this.send<T>(operationId, { ...call, token: await this.accessToken() });
    }
  }

  private async send<T>(operationId: string, call: OperationCall): Promise<VenAnswer<T>> {
    const wire = openadrWire();
    const op = wire.operation(operationId);
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(call.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
    }
    const path = `${wire.pathOf(op, call.params)}${search.size > 0 ? `?${search.toString()}` : ''}`;
    const body = call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    const headers: Record<string, string> = { ...call.headers, ...(call.token ? { authorization: `Bearer ${call.token}` } : {}) };
    const request = () =>
      this.client.request(op.method, path, {
        ...(body === undefined ? {} : { body, contentType: op.requestMediaType ?? 'application/json' }),
        headers,
        ...(this.sign ? {} : { signature: null }),
      });
    const response = await (this.sign ? this.serialised(request) : request());
    let parsed: unknown;
    try {
      parsed = response.body.length === 0 ? undefined : JSON.parse(response.body.toString('utf8'));
    } catch {
      parsed = response.body.toString('utf8');
    }
    const answer: VenAnswer<T> = {
      operationId,
      status: response.status,
      headers: response.headers,
      body: parsed as T,
      signature: response.signature,
      request: { method: op.method, path, headers, ...(body === undefined ? {} : { body }) },
    };
    this.options.observe?.(answer);
    if (response.status < 200 || response.status >= 300)
      throw refusalOf(response.status, response.body, `${operationId} (${op.method} ${path})`, response.headers);
    const errors = wire.responseErrors(op, response.status, parsed);
    if (errors.length > 0) throw new ResponseInvalid(`${operationId} answered ${response.status} outside the OpenADR 3.1.0 document: ${errors.join('; ')}`);
    return answer;
  }

  private serialised<R>(request: () => Promise<R>): Promise<R> {
    const run = this.queue.then(request, request);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Every page of a search, `skip`/`limit` as the specification defines them. */
  private async all<T>(operationId: string, query: Query = {}, params?: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    for (let skip = 0; ; skip += PAGE_LIMIT) {
      const page = (await this.call<T[]>(operationId, { query: { ...query, skip, limit: PAGE_LIMIT }, ...(params ? { params } : {}) })).body;
      items.push(...page);
      if (page.length < PAGE_LIMIT) return items;
    }
  }

  // ---- discovery

  async authServer(): Promise<AuthServerInfo> {
    return (await this.send<AuthServerInfo>('getAuthServerInfo', { token: null })).body;
  }

  async notifiers(): Promise<NotifiersResponse> {
    return (await this.call<NotifiersResponse>('listAllNotifiers')).body;
  }

  /** The MQTT topics of this VEN's own events (or programs, resources, the VEN itself). */
  async venTopics(venID: string, of?: 'events' | 'programs' | 'resources'): Promise<NotifierTopicsResponse['topics']> {
    const operation = of === undefined ? 'listAllMqttNotifierTopicsVen' : `listAllMqttNotifierTopicsVen${of[0]!.toUpperCase()}${of.slice(1)}`;
    return (await this.call<NotifierTopicsResponse>(operation, { params: { venID } })).body.topics;
  }

  // ---- programs and events

  programs(query: Query = {}): Promise<Program[]> {
    return this.all<Program>('searchAllPrograms', query);
  }

  async program(programID: string): Promise<Program> {
    return (await this.call<Program>('searchProgramByProgramId', { params: { programID } })).body;
  }

  events(query: Query = {}): Promise<Event[]> {
    return this.all<Event>('searchAllEvents', query);
  }

  async event(eventID: string): Promise<Event> {
    return (await this.call<Event>('searchEventsByID', { params: { eventID } })).body;
  }

  // ---- registration

  vens(query: Query = {}): Promise<Ven[]> {
    return this.all<Ven>('searchVens', query);
  }

  async ven(venID: string): Promise<Ven> {
    return (await this.call<Ven>('searchVenByID', { params: { venID } })).body;
  }

  async createVen(request: VenRequest): Promise<Ven> {
    return (await this.call<Ven>('createVen', { body: request })).body;
  }

  async updateVen(venID: string, request: VenRequest): Promise<Ven> {
    return (await this.call<Ven>('updateVen', { params: { venID }, body: request })).body;
  }

  async deleteVen(venID: string): Promise<Ven> {
    return (await this.call<Ven>('deleteVen', { params: { venID } })).body;
  }

  /** The VEN registers itself under `venName`, or finds the registration it made before (a VEN restarting). */
  async registerVen(venName: string, attributes?: ValuesMap[]): Promise<Ven> {
    const [existing] = await this.vens({ venName });
    if (existing) return existing;
    return this.createVen({ objectType: 'VEN_VEN_REQUEST', venName, ...(attributes ? { attributes } : {}) });
  }

  resources(query: Query = {}): Promise<Resource[]> {
    return this.all<Resource>('searchVenResources', query);
  }

  async resource(resourceID: string): Promise<Resource> {
    return (await this.call<Resource>('searchVenResourceByID', { params: { resourceID } })).body;
  }

  async createResource(request: ResourceRequest): Promise<Resource> {
    return (await this.call<Resource>('createResource', { body: request })).body;
  }

  async updateResource(resourceID: string, request: ResourceRequest): Promise<Resource> {
    return (await this.call<Resource>('updateVenResource', { params: { resourceID }, body: request })).body;
  }

  async deleteResource(resourceID: string): Promise<Resource> {
    return (await this.call<Resource>('deleteVenResource', { params: { resourceID } })).body;
  }

  /** A resource of the VEN under `resourceName`, registered now or found from before. */
  async registerResource(venID: string, resourceName: string, attributes?: ValuesMap[]): Promise<Resource> {
    const [existing] = await this.resources({ venID, resourceName });
    if (existing) return existing;
    return this.createResource({ objectType: 'VEN_RESOURCE_REQUEST', venID, resourceName, ...(attributes ? { attributes } : {}) });
  }

  // ---- reports

  reports(query: Query = {}): Promise<Report[]> {
    return this.all<Report>('searchAllReports', query);
  }

  async report(reportID: string): Promise<Report> {
    return (await this.call<Report>('searchReportsByReportID', { params: { reportID } })).body;
  }

  async createReport(request: ReportRequest): Promise<Report> {
    return (await this.call<Report>('createReport', { body: request })).body;
  }

  async updateReport(reportID: string, request: ReportRequest): Promise<Report> {
    return (await this.call<Report>('updateReport', { params: { reportID }, body: request })).body;
  }

  async deleteReport(reportID: string): Promise<Report> {
    return (await this.call<Report>('deleteReport', { params: { reportID } })).body;
  }

  // ---- subscriptions

  subscriptions(query: Query = {}): Promise<Subscription[]> {
    return this.all<Subscription>('searchSubscriptions', query);
  }

  async subscription(subscriptionID: string): Promise<Subscription> {
    return (await this.call<Subscription>('searchSubscriptionByID', { params: { subscriptionID } })).body;
  }

  async createSubscription(request: SubscriptionRequest): Promise<Subscription> {
    return (await this.call<Subscription>('createSubscription', { body: request })).body;
  }

  async updateSubscription(subscriptionID: string, request: SubscriptionRequest): Promise<Subscription> {
    return (await this.call<Subscription>('updateSubscription', { params: { subscriptionID }, body: request })).body;
  }

  async deleteSubscription(subscriptionID: string): Promise<Subscription> {
    return (await this.call<Subscription>('deleteSubscription', { params: { subscriptionID } })).body;
  }
}
