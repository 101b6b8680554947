import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireMqttBroker } from '../testing/mqttBroker.ts';
import type { Event } from '../../schemas/openadr/wire.ts';
import { loadTlsCredentials } from '../../certs/index.ts';
import { bitraderFixture, requireBitraderFixtures } from '../../gateway/testing/fixtures.ts';
import { FLEXGATE_BIN, runFlexgate, startGatewayProcess, type CliRun, type GatewayProcess } from '../../gateway/testing/gatewayProcess.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, DEV_FSP, temporaryDevPki } from '../../gateway/testing/testGateway.ts';
import { AnmClient } from '../anm/anmClient.ts';
import { FlexgateClient } from '../flexgateClient.ts';
import { VenClient } from '../openadr/venClient.ts';

/** A `flexgate` process still running: its output so far, a wait for a line on stderr, and its end. */
function startFlexgate(args: string[]): { stdout(): string; stderrLine(pattern: RegExp): Promise<string>; done: Promise<CliRun>; kill(): void } {
  const child = spawn(process.execPath, [FLEXGATE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return {
    stdout: () => stdout,
    done,
    kill: () => child.kill('SIGKILL'),
    async stderrLine(pattern) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const match = stderr.split('\n').find((line) => pattern.test(line));
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`No ${pattern} on stderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

describe('flexgate ven: an FSP developer’s VEN at the terminal, as real processes against `flexgate serve`', function () {
  this.timeout(120_000);
  let gateway: GatewayProcess;
  let pkiDir: string;
  let work: string;
  let dso: VenClient;
  let programID: string;
  let sellerEvent: Event;
  const clients: FlexgateClient[] = [];
  const running: Array<ReturnType<typeof startFlexgate>> = [];

  const ven = (...args: string[]) =>
    runFlexgate('ven', ...args, '--url', gateway.url, '--pki-dir', pkiDir, '--as', DEV_FSP, '--state-dir', join(work, 'state'));
  const venArgs = () => ['--url', gateway.url, '--pki-dir', pkiDir, '--as', DEV_FSP, '--state-dir', join(work, 'state')];
  const client = async (urn: string) => {
    const made = new FlexgateClient(gateway.url, await loadTlsCredentials(pkiDir, urn));
    clients.push(made);
    return made;
  };
  const provision = async (party: string) =>
    (await (await client(DEV_ADMIN)).request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party }), contentType: 'application/json' })).json<{
      clientId: string;
      clientSecret: string;
    }>();

  before(async function () {
    pkiDir = await temporaryDevPki();
    work = mkdtempSync(join(tmpdir(), 'flexgate-ven-cli-'));
    gateway = await startGatewayProcess(['--data-dir', join(work, 'data'), '--pki-dir', pkiDir]);
    dso = new VenClient(await client(DEV_DSO), { credentials: await provision(DEV_DSO) });
  });
  after(async () => {
    for (const child of running) child.kill();
    for (const made of clients) made.close();
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
  });

  it('logs in with the client secret from a file and keeps the token, owner-readable only', async function () {
    const { clientSecret } = await provision(DEV_FSP);
    const secretFile = join(work, 'fsp1.secret');
    writeFileSync(secretFile, `${clientSecret}\n`, { mode: 0o600 });
    const login = await ven('login', '--client-secret-file', secretFile);
    assert.equal(login.code, 0, login.stderr);
    assert.match(
      login.stdout,
      /^token for urn:flexgate:fsp:fsp-dev-1: scope read_targets read_ven_objects write_reports write_subscriptions write_vens, valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m,
    );
    assert.equal(statSync(join(work, 'state', 'state.json')).mode & 0o777, 0o600);
  });

  it('registers the VEN and its resources with the kept token (no secret needed), and finds them again', async function () {
    const registered = await ven('register', '--resource', 'G1_Agg1', '--resource', 'G1_A1');
    assert.equal(registered.code, 0, registered.stderr);
    const [venLine, ...resourceLines] = registered.stdout.trim().split('\n');
    const venId = /^ven (\S+) fsp-dev-1-ven$/.exec(venLine!)?.[1];
    assert.ok(venId, registered.stdout);
    assert.deepEqual(
      resourceLines.map((line) => line.split(' ')[2]),
      ['G1_Agg1', 'G1_A1'],
    );
    const again = await ven('register', '--resource', 'G1_Agg1');
    assert.equal(again.stdout.split('\n')[0], venLine, 'the same registration');
    // The DSO grants the targets that decide which events the VEN sees.
    for (const line of resourceLines) {
      const [, resourceId, resourceName] = line.split(' ');
      const contract = resourceName === 'G1_Agg1' ? 'Agg_Seller_1' : 'A1_Buyer';
      await dso.updateResource(resourceId!, {
        objectType: 'BL_RESOURCE_REQUEST',
        clientID: DEV_FSP,
        venID: venId,
        resourceName: resourceName!,
        targets: [resourceName!, contract],
      });
    }
  });

  it('polls the events of the figure 7 merit order list (figures 5 and 6 posted, then the trades)', async function () {
    const anm = new AnmClient(await client(DEV_ANM));
    const lookAhead = await anm.postLookAhead({ table: bitraderFixture(this, 'cla-figure5.tsv') });
    const list = await anm.postMeritOrderList({ table: bitraderFixture(this, 'mol-original-figure6.tsv') });
    assert.equal((await ven('events')).stdout, '', 'figure 6 instructs nobody');
    const trade = (buyer: string, seller: string, kW: number) => ({
      buyerContractId: buyer,
      sellerContractId: seller,
      kW,
      start: '2024-10-18T08:00:00+01:00',
      end: '2024-10-18T08:30:00+01:00',
      availabilityPrice: { amount: 1500, currency: 'GBP' as const },
      utilisationPrice: { amount: 9000, currency: 'GBP' as const },
    });
    await anm.trade(list.document.id, [trade('A1_Buyer', 'Agg_Seller_1', 600), trade('A2_Buyer', 'Agg_Seller_2', 500)], {
      constraintLookAheadId: lookAhead.document.id,
    });
    const events = await ven('events');
    assert.equal(events.code, 0, events.stderr);
    const lines = events.stdout.trim().split('\n').sort();
    assert.equal(lines.length, 2, events.stdout);
    assert.ok(
      lines.some((l) =>
        / SCHEDULED 2024-10-18T07:00:00\.000Z\/PT30M DISPATCH_SETPOINT_RELATIVE=-600 KW targets=G1_Agg1,Agg_Seller_1 "merit-order-list /.test(l),
      ),
      events.stdout,
    );
    assert.ok(
      lines.some((l) => / SCHEDULED 2024-10-18T07:00:00\.000Z\/PT30M IMPORT_CAPACITY_LIMIT=600 KW targets=G1_A1,A1_Buyer /.test(l)),
      events.stdout,
    );
    const all = await dso.events();
    sellerEvent = all.find((e) => e.targets?.includes('Agg_Seller_1'))!;
    programID = sellerEvent.programID;
  });

  it('subscribes with a webhook it hosts and prints the gateway’s signed notification, then removes the subscription', async function () {
    requireBitraderFixtures(this);
    const subscribe = startFlexgate(['ven', 'subscribe', '--webhook', '0', '--count', '1', ...venArgs()]);
    running.push(subscribe);
    const subscribed = await subscribe.stderrLine(/^subscription \S+: events to http:\/\/127\.0\.0\.1:\d+\/openadr\/notifications$/);
    const created = await dso.call<Event>('createEvent', {
      body: {
        programID,
        eventName: 'ven cli test',
        targets: ['G1_Agg1'],
        intervals: [
          { id: 0, intervalPeriod: { start: '2030-01-01T17:00:00Z', duration: 'PT30M' }, payloads: [{ type: 'DISPATCH_SETPOINT_RELATIVE', values: [-100] }] },
        ],
      },
    });
    const ended = await subscribe.done;
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(
      ended.stdout.trim(),
      `CREATE webhook ${created.body.id} SCHEDULED 2030-01-01T17:00:00Z/PT30M DISPATCH_SETPOINT_RELATIVE=-100 targets=G1_Agg1 "ven cli test"`,
    );
    assert.doesNotMatch(ended.stderr, /refused/);
    const subscriptionId = /^subscription (\S+):/.exec(subscribed)![1];
    assert.deepEqual(
      (await dso.subscriptions()).map((s) => s.id),
      [],
      `subscription ${subscriptionId} deleted on exit`,
    );
  });

  it('streams event changes from the MQTT broker with --watch, each message’s signature checked', async function () {
    requireBitraderFixtures(this);
    await requireMqttBroker(this);
    const watch = startFlexgate(['ven', 'events', '--watch', '--count', '1', ...venArgs()]);
    running.push(watch);
    await watch.stderrLine(/^watching openadr\/3\.1\.0\/vens\/\S+\/events\/\+ on mqtt:/);
    const created = await dso.call<Event>('createEvent', {
      body: {
        programID,
        eventName: 'ven cli watch',
        targets: ['G1_A1'],
        intervals: [
          { id: 0, intervalPeriod: { start: '2030-01-02T17:00:00Z', duration: 'PT30M' }, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [400] }] },
        ],
      },
    });
    const ended = await watch.done;
    assert.equal(ended.code, 0, ended.stderr);
    const lines = ended.stdout.trim().split('\n');
    assert.equal(lines.filter((line) => /^(CREATE|UPDATE|DELETE) /.test(line)).length, 1, 'one change, after the events as they stood');
    assert.equal(lines.at(-1), `CREATE mqtt ${created.body.id} SCHEDULED 2030-01-02T17:00:00Z/PT30M IMPORT_CAPACITY_LIMIT=400 targets=G1_A1 "ven cli watch"`);
  });

  it('posts the USAGE report the event asks for from a readings file, completing the dispatch', async function () {
    requireBitraderFixtures(this);
    const readings = join(work, 'readings.json');
    writeFileSync(readings, JSON.stringify({ resourceName: 'G1_Agg1', values: [-590] }));
    const reported = await ven('report', '--event', sellerEvent.id, '--file', readings);
    assert.equal(reported.code, 0, reported.stderr);
    assert.match(reported.stdout, new RegExp(`^report \\S+ on event ${sellerEvent.id}: USAGE$`, 'm'));
    assert.match(reported.stderr, new RegExp(`event ${sellerEvent.id} is now COMPLETED`));
    const [report] = await dso.reports({ eventID: sellerEvent.id });
    assert.deepEqual(report!.resources[0]!.intervals[0]!.payloads, [{ type: 'USAGE', values: [-590] }]);
    assert.equal(report!.clientName, 'fsp-dev-1-ven');
  });

  it('shows its state and that the token works; exits 1 on a refusal and 2 on a usage error', async function () {
    requireBitraderFixtures(this);
    const status = await ven('status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^vtn says ven \S+ targets=/m);
    const refused = await ven('report', '--event', 'no-such-event', '--file', join(work, 'readings.json'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^flexgate ven report: 404 openadr\.not-found: /);
    const usage = await ven('report', '--file', join(work, 'readings.json'));
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--event and --file are required/);
    const help = await runFlexgate('ven', 'subscribe', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: flexgate ven subscribe --webhook PORT/);
    const overview = await runFlexgate('ven', '--help');
    assert.match(overview.stdout, /login +get a token/);
    const unknown = await runFlexgate('ven', 'dance');
    assert.equal(unknown.code, 2);
    assert.ok(readFileSync(join(work, 'state', 'state.json'), 'utf8').includes('"venId"'));
  });
});
