import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Event, ReportRequest } from '../../schemas/openadr/wire.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { FlexgateClient } from '../flexgateClient.ts';
import { pollEvents, type ChangeOperation } from '../openadr/eventWatch.ts';
import { BrokerUnavailable, MqttNotifications } from '../openadr/mqttNotifications.ts';
import type { NotificationQueue } from '../openadr/notificationQueue.ts';
import { NotificationVerifier, type VerifiedNotification } from '../openadr/notificationVerifier.ts';
import { postActionReport, ReadingsMismatch, ReportNotRequested } from '../openadr/reports.ts';
import { NoClientCredentials, VenClient } from '../openadr/venClient.ts';
import { WebhookReceiver } from '../openadr/webhookReceiver.ts';
import { VenAgent, type Site } from '../openadr/venAgent.ts';
import { runVenLoop } from '../openadr/venLoop.ts';
import { GatewayRefusal, ResponseInvalid } from '../refusal.ts';
import { TransportFailed } from '../transport.ts';
import { subcommandGroup, UsageError, type Command, type Subcommand } from './commandLine.ts';
import { PARTY_OPTIONS, partyCredentials } from './partyOptions.ts';
import { CLIENT_SECRET_ENV, clientSecretFrom, defaultStateDir, VenStateFile } from './venState.ts';

const DEFAULT_URL = 'https://127.0.0.1:8443';
const DEFAULT_PARTY = 'urn:flexgate:fsp:fsp-dev-1';

const COMMON_OPTIONS = {
  ...PARTY_OPTIONS,
  as: { type: 'string', default: DEFAULT_PARTY },
  url: { type: 'string', default: DEFAULT_URL },
  'state-dir': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'client-secret-file': { type: 'string' },
  basic: { type: 'boolean', default: false },
  unsigned: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

const COMMON_HELP = `Who and where (every subcommand):
  --url URL                 the gateway (default ${DEFAULT_URL})
  --as URN                  the VEN's party, from the PKI folder (default ${DEFAULT_PARTY})
  --pki-dir DIR             PKI folder holding its certificate (default ./data/pki)
  --cert/--key/--ca FILE    the party's certificate chain, key and root CA as PEM files instead
  --state-dir DIR           where the token and registration are kept between commands
                            (default ./data/ven/<party id>; state.json, owner-readable only)
  --client-id ID            OAuth client id (default: the party URN, as flexgate issues them)
  --client-secret-file F    the client secret, first line of F ("-" for stdin); else
  --client-secret S         the secret itself (visible in the process list); else the
                            environment variable ${CLIENT_SECRET_ENV}. Needed by login, and by
                            any command once the kept token has expired.
  --basic                   send the client credentials as HTTP Basic instead of in the form
  --unsigned                a plain OpenADR VEN: requests unsigned (default: every request signed)
Exit status: 0 done, 1 refused by the VTN or unreachable, 2 a usage error.`;

type CommonValues = {
  as: string;
  'pki-dir': string;
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string | undefined;
  url: string;
  'state-dir'?: string | undefined;
  'client-id'?: string | undefined;
  'client-secret'?: string | undefined;
  'client-secret-file'?: string | undefined;
  basic: boolean;
  unsigned: boolean;
};

interface VenSession {
  ven: VenClient;
  state: VenStateFile;
  close(): void;
}

async function session(values: CommonValues): Promise<VenSession> {
  const credentials = await partyCredentials(values, true);
  if (typeof credentials === 'string') throw new UsageError(credentials);
  const client = new FlexgateClient(values.url, credentials, { userAgent: 'flexgate-ven/0.1' });
  const state = new VenStateFile(values['state-dir'] ?? defaultStateDir(client.party), values.url);
  const secret = clientSecretFrom(values);
  const ven = new VenClient(client, {
    ...(secret === undefined ? {} : { credentials: { clientId: values['client-id'] ?? client.party, clientSecret: secret } }),
    clientAuthentication: values.basic ? 'basic' : 'form',
    sign: !values.unsigned,
    tokenCache: state,
  });
  return { ven, state, close: () => client.close() };
}

function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: false, strict: true });
}

async function withSession<T>(values: CommonValues, run: (session: VenSession) => Promise<T>): Promise<T> {
  const opened = await session(values);
  try {
    return await run(opened);
  } finally {
    opened.close();
  }
}

function requireVen(state: VenStateFile): string {
  if (!state.state.venId) throw new UsageError('This VEN is not registered yet: run `flexgate ven register` first');
  return state.state.venId;
}

// ---- how events and changes are printed: one line each, instants as the VTN sends them (UTC, RFC 3339)

function eventLine(event: Event): string {
  const first = event.intervals?.[0];
  const period = first?.intervalPeriod ?? event.intervalPeriod;
  const payload = first?.payloads[0];
  const units = event.payloadDescriptors?.find((d) => d.payloadType === payload?.type)?.units;
  return [
    event.id,
    event.dispatchStage ?? '-',
    period?.start ? `${period.start}/${period.duration ?? ''}` : '-',
    payload ? `${payload.type}=${payload.values.join(',')}${units ? ` ${units}` : ''}` : '-',
    `targets=${(event.targets ?? []).join(',') || '-'}`,
    JSON.stringify(event.eventName ?? ''),
  ].join(' ');
}

const changeLine = (operation: ChangeOperation | string, event: Event, via: string) => `${operation} ${via} ${eventLine(event)}`;

function notificationLine(received: VerifiedNotification): string | undefined {
  const { notification } = received;
  if (notification.objectType !== 'EVENT') return undefined;
  return changeLine(notification.operation, notification.object as unknown as Event, `${received.channel}${received.repeat ? '(repeat)' : ''}`);
}

/** Stops on SIGINT or SIGTERM, or once `count` lines were printed. */
function stopSignal(): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  controller.signal.addEventListener('abort', () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  return { signal: controller.signal, stop };
}

/** Prints one line per verified event notification until stopped; refusals go to stderr. */
async function printNotifications(channel: NotificationQueue, count: number | undefined, signal: AbortSignal): Promise<void> {
  let printed = 0;
  let refusals = 0;
  const reportRefusals = () => {
    for (; refusals < channel.refused.length; refusals++) console.error(`refused: ${channel.refused[refusals]!.code}: ${channel.refused[refusals]!.message}`);
  };
  const aborted = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  while (!signal.aborted && (count === undefined || printed < count)) {
    const next = await Promise.race([channel.next().catch(() => undefined), aborted]);
    reportRefusals();
    if (!next) break;
    const line = notificationLine(next);
    if (line === undefined) continue;
    console.log(line);
    printed++;
  }
}

const wholeNumber = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number`);
  return Number(value);
};

// ---- the subcommands

const login: Subcommand = {
  summary: 'get a token with the client credentials and keep it in the state folder',
  help: `Usage: flexgate ven login [options]

Exchanges the VEN's client credentials for a token at the VTN's /auth/token
(bound to the party's certificate) and keeps it in the state folder, so the
next commands need no secret until it expires. Prints its scope and expiry.

${COMMON_HELP}`,
  async run(args) {
    const { values } = parse(args, {});
    return withSession(values, async ({ ven, state }) => {
      if (!clientSecretFrom(values)) throw new UsageError(`login needs the client secret: --client-secret-file, --client-secret or ${CLIENT_SECRET_ENV}`);
      const token = await ven.fetchToken();
      console.log(`token for ${ven.party}: scope ${token.scope ?? '(not named)'}, valid until ${new Date(token.expiresAt).toISOString()}`);
      console.error(`kept in ${state.path}`);
      return 0;
    });
  },
};

const register: Subcommand = {
  summary: 'register this VEN and its resources (or find the earlier registration)',
  help: `Usage: flexgate ven register [--name NAME] [--resource NAME]... [options]

Registers the VEN under NAME (VEN_VEN_REQUEST) and each resource under it,
or finds the registration made before under the same names. The VTN's
business logic then grants them targets, which decide the events it sees.
Prints the VEN id and one line per resource.

  --name NAME        the VEN's name (default <party id>-ven)
  --resource NAME    a resource of the VEN (repeatable), e.g. G1_Agg1

${COMMON_HELP}`,
  async run(args) {
    const { values } = parse(args, { name: { type: 'string' }, resource: { type: 'string', multiple: true } });
    return withSession(values, async ({ ven, state }) => {
      const venName = values.name ?? `${ven.party.split(':').pop()}-ven`;
      const registered = await ven.registerVen(venName);
      const resources: Record<string, string> = { ...state.state.resources };
      for (const name of values.resource ?? []) resources[name] = (await ven.registerResource(registered.id, name)).id;
      state.update({ venId: registered.id, venName, resources });
      console.log(`ven ${registered.id} ${venName}`);
      for (const [name, id] of Object.entries(resources)) console.log(`resource ${id} ${name}`);
      return 0;
    });
  },
};

const events: Subcommand = {
  summary: 'list the events this VEN sees; --watch prints each change as it happens',
  help: `Usage: flexgate ven events [--watch [--via mqtt|poll] [--interval S] [--count N]] [options]

Prints one line per event the VEN sees:
  <id> <stage> <start>/<duration> <payload type>=<values> <units> targets=<targets> "<name>"
With --watch, then one line per change, prefixed CREATE, UPDATE or DELETE and
the channel it came by, until Ctrl-C (or N changes):
  --via mqtt    the VEN's own topics on the broker /notifiers advertises, each
                message's signature checked (default; needs \`register\` first)
  --via poll    GET /events every --interval seconds (default 10)
  --count N     stop after N changes

${COMMON_HELP}`,
  async run(args) {
    const { values } = parse(args, {
      watch: { type: 'boolean', default: false },
      via: { type: 'string', default: 'mqtt' },
      interval: { type: 'string' },
      count: { type: 'string' },
    });
    if (values.via !== 'mqtt' && values.via !== 'poll') throw new UsageError('--via is mqtt or poll');
    const count = wholeNumber(values.count, '--count');
    const intervalSeconds = wholeNumber(values.interval, '--interval') ?? 10;
    return withSession(values, async ({ ven, state }) => {
      const current = await ven.events();
      for (const event of current) console.log(eventLine(event));
      if (!values.watch) return 0;
      const { signal, stop } = stopSignal();
      if (values.via === 'poll') {
        let printed = 0;
        for await (const change of pollEvents(ven, { intervalMs: intervalSeconds * 1000, signal, initial: 'skip' })) {
          console.log(changeLine(change.operation, change.event, 'poll'));
          if (count !== undefined && ++printed >= count) stop();
        }
        return 0;
      }
      const venId = requireVen(state);
      const notifiers = await ven.notifiers();
      const brokerUrl = notifiers.MQTT?.URIS[0];
      if (!brokerUrl) throw new UsageError('The VTN advertises no MQTT notifier: watch with --via poll');
      const topics = await ven.venTopics(venId, 'events');
      const verifier = new NotificationVerifier({ gateway: await ven.gatewayIdentity(), audience: ven.party });
      const channel = await MqttNotifications.subscribe({ brokerUrl, topics: [topics.ALL ?? topics.UPDATE], verifier });
      console.error(`watching ${topics.ALL ?? topics.UPDATE} on ${brokerUrl}`);
      try {
        await printNotifications(channel, count, signal);
      } finally {
        stop();
        await channel.close();
      }
      return 0;
    });
  },
};

const subscribe: Subcommand = {
  summary: 'host a webhook, subscribe it to event changes, print each signed notification',
  help: `Usage: flexgate ven subscribe --webhook PORT [--host H] [--public-url URL] [--program ID] [--count N] [options]

Starts an HTTP webhook receiver on H:PORT, subscribes it to the creation,
update and deletion of events (with a random bearer token the VTN must send
back), and prints one line per notification whose gateway signature
(x-jws-signature, addressed to this VEN) and bearer token hold:
  <CREATE|UPDATE|DELETE> webhook <event line as \`ven events\` prints it>
Forged, unsigned or replayed notifications are refused (401) and reported on
stderr. Ctrl-C (or N notifications) ends it and deletes the subscription.

  --webhook PORT      port to listen on (0 picks a free port)
  --host H            interface to listen on (default 127.0.0.1)
  --public-url URL    the callback URL the VTN should call, when not http://H:PORT/…
  --program ID        only events of this program
  --count N           stop after N notifications

${COMMON_HELP}`,
  async run(args) {
    const { values } = parse(args, {
      webhook: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'public-url': { type: 'string' },
      program: { type: 'string' },
      count: { type: 'string' },
    });
    const port = wholeNumber(values.webhook, '--webhook');
    if (port === undefined) throw new UsageError('--webhook PORT is required');
    const count = wholeNumber(values.count, '--count');
    return withSession(values, async ({ ven, state }) => {
      const bearerToken = randomBytes(24).toString('base64url');
      const verifier = new NotificationVerifier({ gateway: await ven.gatewayIdentity(), audience: ven.party });
      const receiver = await WebhookReceiver.start({
        verifier,
        bearerToken,
        port,
        host: values.host,
        ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
      });
      const { signal, stop } = stopSignal();
      try {
        const subscription = await ven.createSubscription({
          clientName: state.state.venName ?? ven.party,
          ...(values.program ? { programID: values.program } : {}),
          objectOperations: [{ objects: ['EVENT'], operations: ['CREATE', 'UPDATE', 'DELETE'], callbackUrl: receiver.callbackUrl, bearerToken }],
        });
        console.error(`subscription ${subscription.id}: events to ${receiver.callbackUrl}`);
        try {
          await printNotifications(receiver, count, signal);
        } finally {
          await ven
            .deleteSubscription(subscription.id)
            .catch((error: unknown) => console.error(`could not delete subscription ${subscription.id}: ${(error as Error).message}`));
        }
      } finally {
        stop();
        await receiver.close();
      }
      return 0;
    });
  },
};

/** The readings file: `{"resourceName": …, "values": […]}`, or a whole report (it has `resources`). */
function readingsFile(path: string): { resourceName?: string; values?: number[]; report?: ReportRequest } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const file = parsed as { resourceName?: unknown; values?: unknown; resources?: unknown };
  if (Array.isArray(file.resources)) return { report: parsed as ReportRequest };
  if (typeof file.resourceName !== 'string' || !Array.isArray(file.values) || !file.values.every((v) => typeof v === 'number')) {
    throw new UsageError(`${path} must be {"resourceName": "<resource>", "values": [<one number per event interval>]} or a whole OpenADR report`);
  }
  return { resourceName: file.resourceName, values: file.values as number[] };
}

const report: Subcommand = {
  summary: 'post the post-action report (USAGE) an event asks for, from a readings file',
  help: `Usage: flexgate ven report --event ID --file F [--type USAGE|DEMAND|BASELINE] [--client-name NAME] [options]

Builds the report the event's reportDescriptors ask for (USAGE unless
--type says otherwise): one interval per event interval, the descriptor's
reading type and units, and posts it. Prints the report id.

  --event ID          the event reported on
  --file F            JSON: {"resourceName": "G1_Agg1", "values": [-590]} (one value per
                      event interval), or a whole OpenADR report, posted as it is ("-": stdin)
  --type T            the payload type (default: the post-action report the event asks for)
  --client-name NAME  clientName of the report (default: the registered VEN name)

${COMMON_HELP}`,
  async run(args) {
    const { values } = parse(args, { event: { type: 'string' }, file: { type: 'string' }, type: { type: 'string' }, 'client-name': { type: 'string' } });
    if (!values.event || !values.file) throw new UsageError('--event and --file are required');
    const readings = readingsFile(values.file);
    return withSession(values, async ({ ven, state }) => {
      const event = await ven.event(values.event!);
      const clientName = values['client-name'] ?? state.state.venName ?? ven.party;
      const request =
        readings.report !== undefined
          ? { ...readings.report, eventID: event.id }
          : postActionReport(event, { clientName, resourceName: readings.resourceName!, values: readings.values! }, values.type);
      const posted = await ven.createReport(request);
      console.log(
        `report ${posted.id} on event ${event.id}: ${posted.payloadDescriptors?.map((d) => d.payloadType).join(',') ?? request.resources[0]?.intervals[0]?.payloads[0]?.type}`,
      );
      const after = await ven.event(event.id);
      console.error(`event ${event.id} is now ${after.dispatchStage ?? '(no stage)'}`);
      return 0;
    });
  },
};

const status: Subcommand = {
  summary: 'what the state folder holds, and whether its token still works',
  help: `Usage: flexgate ven status [options]

Prints the VTN, the party, the registered VEN and resources, and the kept
token's scope and expiry; then asks the VTN for the VEN's registration with
that token. Exit 0 when the token works, 1 when there is none or it does not.

${COMMON_HELP}`,
  async run(args) {
    const { values } = parse(args, {});
    return withSession(values, async ({ ven, state }) => {
      const { token, venId, venName, resources } = state.state;
      console.log(`vtn      ${values.url}`);
      console.log(`party    ${ven.party}`);
      console.log(`state    ${state.path}`);
      console.log(`ven      ${venId ? `${venId} ${venName ?? ''}` : '(not registered)'}`);
      for (const [name, id] of Object.entries(resources ?? {})) console.log(`resource ${id} ${name}`);
      if (!token) {
        console.log('token    none: run `flexgate ven login`');
        return 1;
      }
      const expired = token.expiresAt <= Date.now();
      console.log(`token    scope ${token.scope ?? '(not named)'}, ${expired ? 'expired' : 'valid until'} ${new Date(token.expiresAt).toISOString()}`);
      if (expired && !clientSecretFrom(values)) return 1;
      const seen = venId ? await ven.ven(venId) : undefined;
      console.log(`vtn says ${seen ? `ven ${seen.id} targets=${(seen.targets ?? []).join(',') || '-'}` : 'token accepted'}`);
      if (!seen) await ven.notifiers();
      return 0;
    });
  },
};

const run: Subcommand = {
  summary: 'run the whole VEN: register, subscribe and poll, declare availability and report as events ask',
  help: `Usage: flexgate ven run [--name NAME] [--resource NAME] [--webhook PORT [--host H] [--public-url URL]]
                      [--poll S] [--available-kw N] [--energy-source T] [--asset-group ID] [options]

The reference VEN as a service, until Ctrl-C: registers the VEN and its
resource, subscribes a webhook to event changes (with --webhook; every
notification's gateway signature and bearer token checked, forged or unsigned
ones refused with 401) and polls the events every --poll seconds. Through the
ENA dispatch lifecycle it declares availability (--available-kw, with the
energy source and asset group) when a request for services asks for it, and
posts the post-action report (USAGE) the event's reportDescriptors ask for,
in their units, once the dispatch has ceased or its last interval ended;
nothing for a cancelled event. The site follows instructions exactly: each
interval is reported at its instructed value. One line per action on stdout.

  --name NAME          the VEN's name (default <party id>-ven)
  --resource NAME      its resource (default <party id>-r1)
  --webhook PORT       host a webhook on PORT (0: a free port) and subscribe it
  --host H             interface for the webhook (default 127.0.0.1)
  --public-url URL     the callback URL the VTN should call, when not http://H:PORT/…
  --poll S             seconds between polls (default 10)
  --available-kw N     availability to declare, kW (default 100)
  --energy-source T    ENERGY_SOURCE_TYPE of the declaration (default battery)
  --asset-group ID     ASSET_GROUP_ID of the declaration (default the resource name)

${COMMON_HELP}`,
  async run(args) {
    const { values } = parse(args, {
      name: { type: 'string' },
      resource: { type: 'string' },
      webhook: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'public-url': { type: 'string' },
      poll: { type: 'string', default: '10' },
      'available-kw': { type: 'string', default: '100' },
      'energy-source': { type: 'string', default: 'battery' },
      'asset-group': { type: 'string' },
    });
    const pollSeconds = Number(values.poll);
    const available = Number(values['available-kw']);
    if (!(pollSeconds > 0) || !Number.isFinite(available)) throw new UsageError('--poll is a number of seconds above zero, --available-kw a number');
    const port = wholeNumber(values.webhook, '--webhook');
    return withSession(values, async ({ ven, state }) => {
      const id = ven.party.split(':').pop()!;
      const resourceName = values.resource ?? `${id}-r1`;
      const site: Site = {
        venName: values.name ?? `${id}-ven`,
        resourceName,
        available_kW: available,
        energySourceType: values['energy-source'],
        assetGroupId: values['asset-group'] ?? resourceName,
      };
      const log = (line: string) => console.log(line);
      const { signal, stop } = stopSignal();
      try {
        await runVenLoop(
          {
            ven,
            site,
            agent: new VenAgent(ven, site, log),
            pollMs: pollSeconds * 1000,
            ...(port === undefined ? {} : { webhook: { port, host: values.host, ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}) } }),
            signal,
            log,
          },
          (started) =>
            state.update({ venId: started.venID, venName: site.venName, resources: { ...state.state.resources, [resourceName]: started.resourceID } }),
        );
      } finally {
        stop();
      }
      return 0;
    });
  },
};

/** Failures a VEN meets: the VTN's refusal, an unreachable gateway or broker, a report the event does not ask for. Exit 1. */
function failure(error: unknown, name: string): number | undefined {
  if (error instanceof GatewayRefusal) {
    console.error(`flexgate ven ${name}: ${error.status} ${error.code}: ${error.problem.detail ?? error.problem.title ?? ''}`);
    return 1;
  }
  if (error instanceof NoClientCredentials) {
    console.error(`flexgate ven ${name}: no usable token; give the client secret (--client-secret-file, --client-secret or ${CLIENT_SECRET_ENV}) or run login`);
    return 1;
  }
  const known = [TransportFailed, BrokerUnavailable, ResponseInvalid, ReportNotRequested, ReadingsMismatch];
  if (known.some((kind) => error instanceof kind)) {
    console.error(`flexgate ven ${name}: ${(error as FlexgateError).code}: ${(error as Error).message}`);
    return 1;
  }
  return undefined;
}

export const venCommand: Command = subcommandGroup('ven', { login, register, events, subscribe, report, status, run }, { failure });
