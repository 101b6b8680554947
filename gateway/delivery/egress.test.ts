import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Problem } from '../../protocol/problem.ts';
import { DEFAULT_OPENADR_CONFIG } from '../openadr/config.ts';
import { subscriptionOperations } from '../openadr/operations/subscriptions.ts';
import { openGatewayStore } from '../storage.ts';
import { EgressPolicy, LOOPBACK_EGRESS } from './egress.ts';
import { TestReceiver } from './testing/receivers.ts';
import { WebhookTransport } from './webhookTransport.ts';
import type { OutboundDelivery } from './transport.ts';

const delivery = (destination: string): OutboundDelivery => ({
  id: 'd1',
  subscriberKey: 'urn:flexgate:fsp:fsp-dev-1 x',
  destination,
  bearerToken: null,
  contentType: 'application/json',
  body: Buffer.from('{}'),
  idempotencyKey: 'k1',
  attempt: 1,
});

describe('egress policy for webhook callbacks', function () {
  this.timeout(30_000);
  const strict = new EgressPolicy();

  it('refuses loopback in every spelling, link-local (cloud metadata), private and unique-local addresses, and allows public ones', async function () {
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://127.1/',
      'http://0x7f.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://[fe80::1]/',
      'http://10.0.0.5/',
      'http://172.16.1.1/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[64:ff9b::a00:1]/',
      'http://localhost:8080/',
    ]) {
      assert.ok(await strict.urlRefusal(new URL(url)), `${url} refused`);
    }
    for (const url of ['https://8.8.8.8/', 'https://[2001:4860:4860::8888]/', 'https://ven.example/unresolvable-now']) {
      assert.equal(await strict.urlRefusal(new URL(url)), undefined, `${url} allowed`);
    }
  });

  it('admits what the allow-list names, and only that', async function () {
    const sandbox = new EgressPolicy(LOOPBACK_EGRESS);
    assert.equal(await sandbox.urlRefusal(new URL('http://127.0.0.1:9000/')), undefined);
    assert.equal(await sandbox.urlRefusal(new URL('http://[::1]:9000/')), undefined);
    assert.equal(await sandbox.urlRefusal(new URL('http://[::ffff:127.0.0.1]/')), undefined);
    assert.ok(await sandbox.urlRefusal(new URL('http://169.254.169.254/')));
    assert.ok(await new EgressPolicy(['10.20.0.0/16']).urlRefusal(new URL('http://10.21.0.1/')));
    assert.equal(await new EgressPolicy(['10.20.0.0/16']).urlRefusal(new URL('http://10.20.3.4/')), undefined);
    assert.throws(() => new EgressPolicy(['not-a-network']), RangeError);
  });

  it('refuses at connect time, after the name is looked up, and for address literals, without sending anything', async function () {
    const receiver = await TestReceiver.start();
    const transport = new WebhookTransport({ sign: async () => 'signature', egress: strict });
    try {
      const port = new URL(receiver.url).port;
      for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://2130706433:${port}/hook`]) {
        const outcome = await transport.send(delivery(url), AbortSignal.timeout(10_000));
        assert.equal(outcome.kind, 'failed', url);
        assert.equal(outcome.kind === 'failed' && outcome.code, 'delivery.egress-refused', url);
      }
      assert.equal(receiver.received.length, 0);
      const allowed = new WebhookTransport({ sign: async () => 'signature', egress: new EgressPolicy(LOOPBACK_EGRESS) });
      assert.equal((await allowed.send(delivery(`http://localhost:${port}/hook`), AbortSignal.timeout(10_000))).kind, 'delivered');
      await allowed.close();
    } finally {
      await transport.close();
      await receiver.close();
    }
  });

  it('refuses such a callback when the subscription is made, with a coded problem pointing at it', async function () {
    const dataDir = mkdtempSync(join(tmpdir(), 'flexgate-egress-'));
    const store = await openGatewayStore({ dataDir });
    try {
      const create = (callbackUrl: string, egress?: EgressPolicy) =>
        store.transaction((db) =>
          subscriptionOperations.writes.createSubscription!({
            db,
            now: new Date().toISOString(),
            config: { ...DEFAULT_OPENADR_CONFIG, ...(egress ? { egress } : {}) },
            request: {
              principal: { clientId: 'urn:flexgate:fsp:fsp-dev-1', role: 'fsp', scopes: new Set(), businessLogic: false },
              params: {},
              query: {},
              signed: false,
              body: { clientName: 'ven-1', objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl }] },
            },
          }),
        );
      await assert.rejects(create('http://169.254.169.254/latest/meta-data/'), (error: unknown) => {
        assert.ok(error instanceof Problem);
        assert.equal(error.code, 'delivery.egress-refused');
        assert.match(error.message, /169\.254\.169\.254/);
        return true;
      });
      await assert.rejects(create('http://[::ffff:127.0.0.1]:9000/'), /egress allow-list/);
      assert.equal((await create('http://127.0.0.1:9000/hook', new EgressPolicy(LOOPBACK_EGRESS))).status, 201);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
