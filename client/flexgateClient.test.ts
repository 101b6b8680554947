import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTlsCredentials } from '../certs/index.ts';
import { ReceiptMismatch } from '../protocol/envelope/index.ts';
import { DEV_ANM, DEV_FSP, startTestGateway, type TestGateway } from '../gateway/testing/testGateway.ts';
import { FlexgateClient, ResponseSignatureInvalid } from './flexgateClient.ts';
import { MutualTlsTransport, type Transport, type TransportRequest, type TransportResponse } from './transport.ts';

/** A man in the middle that terminates TLS with a valid certificate (a proxy): it forwards over mutual TLS and may change what it hands back. */
type Tamper = (request: TransportRequest, forward: (request: TransportRequest) => Promise<TransportResponse>) => Promise<TransportResponse>;

class TamperingProxy implements Transport {
  constructor(
    private readonly inner: MutualTlsTransport,
    private readonly tamper: Tamper,
  ) {}
  send(request: TransportRequest): Promise<TransportResponse> {
    return this.tamper(request, (forwarded) => this.inner.send(forwarded));
  }
  serverCertificate(): Promise<string> {
    return this.inner.serverCertificate();
  }
  close(): void {
    this.inner.close();
  }
}

const MERIT_ORDER_LISTS = '/anm/v1/merit-order-lists';
const list = (contractId: string) =>
  JSON.stringify({
    issuedAt: '2026-11-30T12:00:00Z',
    periodStart: '2026-11-30T13:00:00Z',
    entries: [
      {
        order: 1,
        contractId,
        resourceId: `${contractId}-R`,
        operationType: 'ConstrainedGeneration',
        value_kW: 0,
        mic_kW: 100,
        mec_kW: 200,
        activity: 'Buyer',
        traded: false,
        registered: true,
      },
    ],
  });

async function failureOf(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  return assert.fail('the client accepted a tampered answer');
}

describe('client: FlexgateClient refuses answers a proxy has changed, though each carries a valid gateway signature', function () {
  this.timeout(60_000);
  let running: TestGateway;
  const clients: FlexgateClient[] = [];
  const behind = async (tamper: Tamper, party = DEV_ANM) => {
    const credentials = await loadTlsCredentials(running.pkiDir, party);
    const client = new FlexgateClient(running.gateway.url, credentials, {
      transport: new TamperingProxy(new MutualTlsTransport(running.gateway.url, credentials), tamper),
    });
    clients.push(client);
    return client;
  };
  const post = (client: FlexgateClient, contractId: string) =>
    client.request('POST', MERIT_ORDER_LISTS, { body: list(contractId), contentType: 'application/json' });

  before(async () => {
    running = await startTestGateway({ dataDir: mkdtempSync(join(tmpdir(), 'flexgate-client-')) });
  });
  after(async () => {
    for (const client of clients) client.close();
    await running?.close();
  });

  it('passes an untouched answer, with its receipt checked', async () => {
    const client = await behind((request, forward) => forward(request));
    const answer = await post(client, 'CLIENT-UNTOUCHED');
    assert.equal(answer.status, 201);
    assert.ok(answer.signature.receipt, 'a 201 to a signed POST carries a receipt');
    assert.equal(answer.signature.receipt['body#S256'], createHash('sha256').update(list('CLIENT-UNTOUCHED')).digest('base64url'));
  });

  it('a refusal re-labelled as a success: the signed sts names the real status', async () => {
    // An ANM may not read the admin API: the gateway answers 403, the proxy says 200.
    const client = await behind(async (request, forward) => ({ ...(await forward(request)), status: 200 }));
    const failure = await failureOf(client.request('GET', '/admin/v1/deliveries'));
    assert.ok(failure instanceof ResponseSignatureInvalid, String(failure));
    assert.match(failure.message, /status 403, received with status 200/);
  });

  it('a success re-labelled as another success (201 as 200)', async () => {
    const client = await behind(async (request, forward) => ({ ...(await forward(request)), status: 200 }));
    const failure = await failureOf(post(client, 'CLIENT-RELABELLED'));
    assert.ok(failure instanceof ResponseSignatureInvalid, String(failure));
    assert.match(failure.message, /status 201, received with status 200/);
  });

  it('the answer to another request of the same party, to the same route (swapped answers)', async () => {
    let first: TransportResponse | undefined;
    const client = await behind(async (request, forward) => {
      const answer = await forward(request);
      first ??= answer;
      return first;
    });
    await post(client, 'CLIENT-SWAP-1');
    const failure = await failureOf(post(client, 'CLIENT-SWAP-2'));
    assert.ok(failure instanceof ReceiptMismatch, String(failure));
  });

  it('a success without a receipt: the answer to the same request sent unsigned, where signing is optional (OpenADR, for VENs that cannot sign)', async () => {
    const client = await behind(async (request, forward) => {
      const { 'x-jws-signature': _signature, ...unsigned } = request.headers;
      return forward({ ...request, headers: unsigned });
    }, DEV_FSP);
    // The VTN's discovery document needs neither a token nor a signature: the proxy strips the request's.
    const failure = await failureOf(client.request('GET', '/openadr/3.1.0/auth/server'));
    assert.ok(failure instanceof ResponseSignatureInvalid, String(failure));
    assert.match(failure.message, /carries no receipt/);
  });
});
