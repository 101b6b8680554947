import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFlexgate } from '../gateway/testing/gatewayProcess.ts';
import { testLogger } from '../gateway/testing/silentLogger.ts';
import { DeliveryAdmin } from './deliveryAdmin.ts';
import { joinSandbox, nextCommands } from './join.ts';
import { Sandbox } from './sandbox.ts';

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('the sandbox: gateway, simulated DSO and FSPs, web UI, and a real FSP joining', function () {
  this.timeout(240_000);
  let dataDir: string;
  let sandbox: Sandbox;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexgate-sandbox-'));
    sandbox = await Sandbox.start({ dataDir, port: 0, uiPort: 0, logger: testLogger, speed: 1e6, fspTimings: { lateReportMs: 1500 } });
  });

  after(async () => {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const fsp = (id: string) => sandbox.fsps.find((f) => f.config.id === id)!;
  const seenContracts = (id: string) => [...fsp(id).events.values()].map((s) => /contract (\S+)$/.exec(s.event.eventName ?? '')?.[1]).sort();

  it('starts five simulated FSPs, registered and granted their targets, on loopback', () => {
    assert.deepEqual(sandbox.fspProblems, []);
    assert.equal(sandbox.fsps.length, 5);
    assert.match(sandbox.ui.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    if (fsp('sim-fsp-2').channelInUse !== 'mqtt') console.warn(`\n  !! sim-fsp-2 has no MQTT broker: ${fsp('sim-fsp-2').problems.join('; ')}\n`);
  });

  it('plays scenario 1: each FSP hears of its events and reports, or misbehaves as configured', async () => {
    await sandbox.player.playToEnd();
    await until('the reports', () =>
      ['sim-fsp-1', 'sim-fsp-2', 'sim-fsp-4'].every((id) => fsp(id).events.size > 0 && [...fsp(id).events.values()].every((s) => s.report)),
    );
    assert.deepEqual(seenContracts('sim-fsp-1'), ['Agg_Seller_1']);
    assert.deepEqual(seenContracts('sim-fsp-2'), ['A1_Buyer']);
    assert.deepEqual(seenContracts('sim-fsp-3'), ['Agg_Seller_2']);
    assert.deepEqual(seenContracts('sim-fsp-4'), ['A2_Buyer']);
    const [seller] = fsp('sim-fsp-1').events.values();
    assert.equal(seller!.channel, 'webhook');
    assert.deepEqual(seller!.report!.values, [-600], 'delivered what it was instructed');
    // The event's completion reaches the FSP as a notification of its own, after the report is acknowledged.
    const sellerStage = () => String(([...fsp('sim-fsp-1').events.values()][0]!.event as { dispatchStage?: string }).dispatchStage);
    await until('the seller’s event completed', () => sellerStage() === 'COMPLETED', 20_000);
    const [underDelivered] = fsp('sim-fsp-4').events.values();
    assert.deepEqual(underDelivered!.report!.values, [250], 'half of the 500 kW instructed');

    const [late] = fsp('sim-fsp-3').events.values();
    assert.equal(late!.report, undefined, 'the late FSP has not reported yet');
    await until('the late report', () => fsp('sim-fsp-3').events.get(late!.event.id)!.report !== undefined);

    // The offline FSP subscribed, then vanished: its notifications fail and are retried.
    assert.equal(fsp('sim-fsp-5').events.size, 0);
    const deliveries = new DeliveryAdmin(sandbox.parties.admin);
    await until('a failed delivery to the offline FSP', async () =>
      (await deliveries.recent()).some(
        (d) => d.subscriberKey.includes('sim-fsp-5') && d.channel.kind === 'webhook' && d.attempts > 0 && d.state !== 'delivered',
      ),
    );
  });

  it('serves every view of the web UI, server-rendered', async () => {
    const listId = sandbox.player.run.meritOrderLists[0]!.id;
    for (const [path, expected] of [
      ['', 'Scenario 1: Simple trade'],
      ['mol', 'After trading (revision 2)'],
      ['events', 'sim-fsp-4-ven'],
      ['deliveries', 'Delivery queues'],
      ['journal', 'verified'],
      [`cim?list=${listId}&revision=2`, 'MeritOrderList_MarketDocument'],
    ] as const) {
      const answer = await fetch(new URL(path, sandbox.ui.url));
      const text = await answer.text();
      assert.equal(answer.status, 200, `${path}: ${text}`);
      assert.ok(text.includes(expected), `${path} shows ${expected}`);
    }
    const forged = await fetch(new URL('control', sandbox.ui.url), { method: 'POST', headers: { origin: 'http://evil.example' }, body: 'action=reset' });
    assert.equal(forged.status, 403, 'another site cannot drive the sandbox');
  });

  it('joins a real FSP in one call, and a real `flexgate ven` process sees its events', async () => {
    const joined = await joinSandbox({ dataDir, party: 'urn:flexgate:fsp:acme' });
    assert.deepEqual(joined.targets, ['G1_A1', 'G1_Agg1']);
    for (const file of [joined.files.key, joined.files.pkcs12, joined.files.clientSecret]) assert.equal(statSync(file).mode & 0o077, 0, `${file} is private`);
    const commands = nextCommands(joined);
    assert.equal(commands.length, 3);
    assert.match(commands[0]!, /^# 1\. curl/);

    const ven = ['--url', joined.gatewayUrl, '--as', joined.party, '--cert', joined.files.certificate, '--key', joined.files.key, '--ca', joined.files.root];
    ven.push('--state-dir', join(joined.dir, 'ven'));
    const login = await runFlexgate('ven', 'login', ...ven, '--client-secret-file', joined.files.clientSecret);
    assert.equal(login.code, 0, login.stderr);
    const register = await runFlexgate('ven', 'register', ...ven, '--name', joined.venName);
    assert.equal(register.code, 0, register.stderr);
    assert.match(register.stdout, new RegExp(`^ven ${joined.venId} acme-ven$`, 'm'), 'finds the VEN the DSO registered for it');
    const events = await runFlexgate('ven', 'events', ...ven);
    assert.equal(events.code, 0, events.stderr);
    const contracts = events.stdout.split('\n').flatMap((line) => /contract (\S+)"$/.exec(line)?.[1] ?? []);
    assert.deepEqual(contracts.sort(), ['A1_Buyer', 'Agg_Seller_1']);
  });
});
