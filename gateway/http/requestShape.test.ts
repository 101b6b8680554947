import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { loadTlsCredentials } from '../../certs/index.ts';
import type { FlexgateClient } from '../../client/flexgateClient.ts';
import { DEV_ADMIN, DEV_ANM, DEV_DSO, DEV_FSP, startTestGateway, type TestGateway } from '../testing/testGateway.ts';

const PROBLEM = /^application\/problem\+json\b/;

/** Ids a client can put in a path that are not percent-encoded UTF-8. */
const UNDECODABLE_IDS = {
  'a bad escape': '%ZZ',
  'a lone %': '%',
  'a trailing %4': 'abc%4',
  'truncated UTF-8': '%C3',
  'an overlong /': '%C0%AF',
  'an overlong NUL': '%E0%80%80',
  'an encoded surrogate': '%ED%A0%80',
  'a byte that never starts UTF-8': '%FF',
  'an encoded NUL': 'a%00b',
};

/** A route with an id on every API family, and a party that may read it. */
const ROUTES: { party: string; path: (id: string) => string }[] = [
  { party: DEV_ANM, path: (id) => `/anm/v1/merit-order-lists/${id}` },
  { party: DEV_FSP, path: (id) => `/anm/v1/merit-order-lists/${id}` },
  { party: DEV_DSO, path: (id) => `/cim/v1/documents/${id}` },
  { party: DEV_FSP, path: (id) => `/openadr/3.1.0/events/${id}` },
  { party: DEV_FSP, path: (id) => `/openadr/3.0.1/programs/${id}` },
  { party: DEV_ADMIN, path: (id) => `/admin/v1/deliveries/${id}` },
];

describe('the gateway refuses an undecodable path or a compressed body with a problem, never a 500', function () {
  this.timeout(120_000);
  let running: TestGateway;
  const clients = new Map<string, FlexgateClient>();
  const as = async (party: string) => clients.get(party) ?? clients.set(party, await running.client(party)).get(party)!;
  before(async () => {
    running = await startTestGateway({ dataDir: mkdtempSync(join(tmpdir(), 'flexgate-test-')) });
  });
  after(async () => running?.close());

  for (const [what, id] of Object.entries(UNDECODABLE_IDS)) {
    it(`a path id with ${what} (${id}) on every API family → 400 request.invalid-path`, async () => {
      for (const route of ROUTES) {
        const response = await (await as(route.party)).request('GET', route.path(id));
        assert.equal(response.status, 400, `${route.party} GET ${route.path(id)}: ${response.text()}`);
        assert.match(String(response.headers['content-type']), PROBLEM);
        assert.equal(response.json<{ type: string }>().type, 'urn:flexgate:problem:request.invalid-path');
      }
    });
  }

  it('a query that is not percent-encoded UTF-8 → 400 request.invalid-query', async () => {
    const response = await (await as(DEV_ANM)).request('GET', '/anm/v1/merit-order-lists?limit=%E0%80');
    assert.equal(response.status, 400, response.text());
    assert.equal(response.json<{ type: string }>().type, 'urn:flexgate:problem:request.invalid-query');
  });

  /** An unsigned GET of a raw target, the answer read without verifying its signature. */
  const rawGet = async (party: string, target: string) => {
    const { cert, key, ca } = await loadTlsCredentials(running.pkiDir, party);
    const url = new URL(running.gateway.url);
    return new Promise<{ status: number; contentType: string; type: string | undefined; signed: boolean }>((resolve, reject) => {
      const req = httpsRequest({ host: url.hostname, port: url.port, path: target, cert, key, ca }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          const parsed = (() => {
            try {
              return (JSON.parse(body) as { type?: string }).type;
            } catch {
              return undefined;
            }
          })();
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), type: parsed, signed: 'x-jws-signature' in res.headers });
        });
      });
      req.on('error', reject);
      req.end();
    });
  };

  it('a target starting with // (which would resolve to another host) is answered with a problem, not a 500', async () => {
    const answer = await rawGet(DEV_ADMIN, '//?+_j&');
    assert.equal(answer.status, 404);
    assert.match(answer.contentType, PROBLEM);
  });

  it('a target longer than a signature may name → 414 request.target-too-long, unsigned (no htu could name it)', async () => {
    const answer = await rawGet(DEV_ANM, `/anm/v1/merit-order-lists/${'x'.repeat(2100)}`);
    assert.equal(answer.status, 414);
    assert.equal(answer.type, 'urn:flexgate:problem:request.target-too-long');
    assert.equal(answer.signed, false);
  });

  it('a well-formed escaped id still reaches its route (404 for an unknown one)', async () => {
    const response = await (await as(DEV_ANM)).request('GET', '/anm/v1/merit-order-lists/mol%20%C3%A9');
    assert.equal(response.status, 404, response.text());
  });

  const body = Buffer.from('{"not":"looked at"}');
  const encodings: Record<string, Buffer> = {
    gzip: gzipSync(body),
    deflate: deflateSync(body),
    br: brotliCompressSync(body),
    'gzip, gzip': gzipSync(gzipSync(body)),
    'x-gzip': Buffer.from('not gzip at all'),
    bogus: body,
  };
  for (const [encoding, bytes] of Object.entries(encodings)) {
    for (const corrupt of [false, true]) {
      it(`Content-Encoding: ${encoding}${corrupt ? ', corrupt' : ''} → 415 request.unsupported-content-encoding on ANM and OpenADR`, async () => {
        const sent = corrupt ? bytes.subarray(0, Math.max(1, bytes.length - 4)) : bytes;
        for (const [party, path] of [
          [DEV_ANM, '/anm/v1/merit-order-lists'],
          [DEV_FSP, '/openadr/3.1.0/subscriptions'],
        ] as const) {
          const response = await (
            await as(party)
          ).request('POST', path, {
            body: sent,
            contentType: 'application/json',
            headers: { 'content-encoding': encoding },
          });
          assert.equal(response.status, 415, `${path}: ${response.text()}`);
          assert.equal(response.json<{ type: string }>().type, 'urn:flexgate:problem:request.unsupported-content-encoding');
          assert.equal(response.headers['accept-encoding'], 'identity');
        }
      });
    }
  }

  it('Content-Encoding: identity is the body as sent', async () => {
    const response = await (
      await as(DEV_ANM)
    ).request('POST', '/anm/v1/merit-order-lists', {
      body: 'not json',
      contentType: 'application/json',
      headers: { 'content-encoding': 'identity' },
    });
    assert.equal(response.status, 400, response.text());
    assert.equal(response.json<{ type: string }>().type, 'urn:flexgate:problem:request.malformed-json');
  });
});

describe('a request the HTTP parser cannot read', function () {
  this.timeout(120_000);
  let running: TestGateway;
  before(async () => {
    running = await startTestGateway({ dataDir: mkdtempSync(join(tmpdir(), 'flexgate-test-')) });
  });
  after(async () => running?.close());

  /** Writes raw bytes on a mutual TLS connection and returns all the gateway answered before it closed. */
  const raw = async (bytes: string) => {
    const { cert, key, ca } = await loadTlsCredentials(running.pkiDir, DEV_ANM);
    const url = new URL(running.gateway.url);
    return new Promise<string>((resolve, reject) => {
      let answer = '';
      const socket = connect({ host: url.hostname, port: Number(url.port), cert, key, ca }, () => socket.write(bytes));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  };

  it('a malformed request line is answered with a problem, not a bare 400', async () => {
    const answer = await raw('GET /anm/v1 HTTP/1.1 extra\r\nHost: x\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /content-type: application\/problem\+json/i);
    assert.match(answer, /urn:flexgate:problem:request\.malformed-http/);
  });

  it('Content-Length with Transfer-Encoding (request smuggling) is answered with a problem', async () => {
    const answer = await raw('POST /anm/v1/merit-order-lists HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /urn:flexgate:problem:request\.malformed-http/);
  });

  it('headers over the size limit → 431 request.headers-too-large', async () => {
    const answer = await raw(`GET /anm/v1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.match(answer, /urn:flexgate:problem:request\.headers-too-large/);
  });
});
