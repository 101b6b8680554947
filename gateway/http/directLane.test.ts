import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient, type SignedResponse } from '../../client/flexgateClient.ts';
import { timeOrderedUuid } from '../../protocol/identity/timeOrderedUuid.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { problemType } from '../../schemas/problems.ts';
import { startGateway, type RunningGateway } from '../index.ts';
import { tenEntryMeritOrderList } from '../bench/p1Load.ts';
import { DEV_ANM, DEV_FSP, temporaryDevPki } from '../testing/testGateway.ts';

interface RequestLine {
  method: string;
  path: string;
  status: number;
  via?: string;
}

/**
 * The direct lane answers exactly as the Express chain would: each request
 * below is made twice, once as the lane takes it and once with a header that
 * changes nothing but sends it through Express, and the two answers must be
 * the same but for what is unique to each (ids, signatures). The request log
 * says which way each went.
 */
describe('the direct lane', () => {
  let gateway: RunningGateway;
  let pkiDir: string;
  const lines: RequestLine[] = [];
  const clients: FlexgateClient[] = [];
  const client = async (urn: string) => {
    const made = new FlexgateClient(gateway.url, await loadTlsCredentials(pkiDir, urn));
    clients.push(made);
    return made;
  };
  /** How the last answered request went. */
  const lastVia = () => lines.at(-1)?.via ?? 'express';

  before(async () => {
    pkiDir = await temporaryDevPki();
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as RequestLine) });
    gateway = await startGateway({
      dataDir: mkdtempSync(join(tmpdir(), 'flexgate-lane-')),
      port: 0,
      pkiDir,
      logger,
      budgets: { requestsPerSecond: 1, requestBurst: 40 },
    });
  });
  after(async () => {
    for (const made of clients) made.close();
    await gateway?.close();
  });

  /** The answer without what differs between two answers to equal requests. */
  const comparable = (answer: SignedResponse, ids: string[] = []) => {
    const { date: _date, [SIGNATURE_HEADER]: signature, 'keep-alive': _keepAlive, location, ...headers } = answer.headers;
    assert.ok(typeof signature === 'string' && signature.length > 0, 'signed');
    const scrub = (text: string) => ids.reduce((scrubbed, id) => scrubbed.replaceAll(id, '<id>'), text).replace(/"acceptedAt":"[^"]+"/, '"acceptedAt":"<t>"');
    return { status: answer.status, headers: { ...headers, ...(location ? { location: scrub(String(location)) } : {}) }, body: scrub(answer.text()) };
  };

  it('posts and reads a merit order list as Express does, signed and verified, and logs which way each went', async () => {
    const anm = await client(DEV_ANM);
    const mol = tenEntryMeritOrderList();
    const direct = await anm.request('POST', '/anm/v1/merit-order-lists', { body: mol, contentType: 'application/json' });
    assert.equal(lastVia(), 'direct');
    const viaExpress = await anm.request('POST', '/anm/v1/merit-order-lists', {
      body: mol,
      contentType: 'application/json',
      headers: { 'content-encoding': 'identity' },
    });
    assert.equal(lastVia(), 'express');
    assert.equal(direct.status, 201, direct.text());
    const ids = [direct.json<{ id: string }>().id, viaExpress.json<{ id: string }>().id];
    assert.deepEqual(comparable(direct, ids), comparable(viaExpress, ids));

    const path = `/anm/v1/merit-order-lists/${ids[0]}`;
    const read = await anm.request('GET', path);
    assert.equal(lastVia(), 'direct');
    const readViaExpress = await anm.request('GET', path, { headers: { accept: 'application/json;q=0.9' } });
    assert.equal(lastVia(), 'express');
    assert.equal(read.status, 200);
    assert.deepEqual(comparable(read), comparable(readViaExpress));
    assert.equal(read.json<{ id: string }>().id, ids[0]);
  });

  it('refuses as Express does: signed problems with the same type, status and detail', async () => {
    const anm = await client(DEV_ANM);
    const fsp = await client(DEV_FSP);
    const pairs: [string, () => Promise<SignedResponse>, () => Promise<SignedResponse>][] = [
      [
        'an unknown id',
        () => anm.request('GET', '/anm/v1/merit-order-lists/no-such-list'),
        () => anm.request('GET', '/anm/v1/merit-order-lists/no-such-list', { headers: { accept: 'application/json;q=0.9' } }),
      ],
      [
        'a role the route does not allow',
        () => fsp.request('POST', '/anm/v1/merit-order-lists', { body: '{}', contentType: 'application/json' }),
        () => fsp.request('POST', '/anm/v1/merit-order-lists', { body: '{}', contentType: 'application/json', headers: { 'content-encoding': 'identity' } }),
      ],
      [
        'a document that is not a merit order list',
        () => anm.request('POST', '/anm/v1/merit-order-lists', { body: '{"entries":"none"}', contentType: 'application/json' }),
        () =>
          anm.request('POST', '/anm/v1/merit-order-lists', {
            body: '{"entries":"none"}',
            contentType: 'application/json',
            headers: { 'content-encoding': 'identity' },
          }),
      ],
      [
        'a media type the API does not read',
        () => anm.request('POST', '/anm/v1/merit-order-lists', { body: '<x/>', contentType: 'application/xml' }),
        () => anm.request('POST', '/anm/v1/merit-order-lists', { body: '<x/>', contentType: 'application/xml', headers: { 'content-encoding': 'identity' } }),
      ],
      [
        'a signature over other bytes than the body sent',
        () => anm.request('POST', '/anm/v1/merit-order-lists', { body: '{}', contentType: 'application/json', signature: 'e30..AAAA' }),
        () =>
          anm.request('POST', '/anm/v1/merit-order-lists', {
            body: '{}',
            contentType: 'application/json',
            signature: 'e30..AAAA',
            headers: { 'content-encoding': 'identity' },
          }),
      ],
    ];
    for (const [what, direct, viaExpress] of pairs) {
      const first = await direct();
      assert.equal(lastVia(), 'direct', what);
      const second = await viaExpress();
      assert.equal(lastVia(), 'express', what);
      assert.ok(first.status >= 400, `${what}: ${first.status}`);
      assert.deepEqual(comparable(first), comparable(second), what);
    }
  });

  it('reads in the transaction that admits the envelope, whose admission stands when the read is refused, as through Express', async () => {
    const anm = await client(DEV_ANM);
    const posted = await anm.request('POST', '/anm/v1/merit-order-lists', { body: tenEntryMeritOrderList(), contentType: 'application/json' });
    const found = `/anm/v1/merit-order-lists/${posted.json<{ id: string }>().id}`;
    for (const [path, status] of [
      [found, 200],
      ['/anm/v1/merit-order-lists/no-such-list', 404],
    ] as const) {
      for (const [via, headers] of [
        ['direct', {}],
        ['express', { accept: 'application/json;q=0.9' }],
      ] as const) {
        const messageId = timeOrderedUuid();
        const first = await anm.request('GET', path, { headers, envelope: { messageId } });
        assert.equal(lastVia(), via);
        assert.equal(first.status, status, first.text());
        const again = await anm.request('GET', path, { headers, envelope: { messageId } });
        assert.equal(lastVia(), via);
        assert.equal(again.status, 409, `${via} ${path}: ${again.text()}`);
        assert.equal(again.json<{ type: string }>().type, problemType('envelope.replayed'));
      }
    }
  });

  it('leaves to Express what it does not take: a query, a negotiated representation, a content coding, other routes', async () => {
    const anm = await client(DEV_ANM);
    const answers = [
      await anm.request('GET', '/anm/v1/merit-order-lists?limit=1'),
      await anm.request('GET', '/anm/v1/merit-order-lists/no-such-list', { headers: { accept: 'text/tab-separated-values' } }),
      await anm.request('POST', '/anm/v1/merit-order-lists', { body: '{}', contentType: 'application/json', headers: { 'content-encoding': 'gzip' } }),
      await anm.request('GET', '/anm/v1/constraint-look-aheads/x/opportunities'),
    ];
    assert.deepEqual(
      answers.slice(0, 3).map((answer) => answer.status),
      [200, 404, 415],
    );
    assert.ok(answers[3]!.status < 500, 'another route under /anm/v1 answers for itself');
    assert.deepEqual(
      lines.slice(-4).map((line) => line.via ?? 'express'),
      ['express', 'express', 'express', 'express'],
    );
  });

  it("takes from the party's own token bucket, and refuses over it with a signed 429 and Retry-After", async () => {
    const anm = await client(DEV_ANM);
    let refused: SignedResponse | undefined;
    for (let i = 0; i < 60 && !refused; i++) {
      const answer = await anm.request('GET', '/anm/v1/merit-order-lists/no-such-list');
      if (answer.status === 429) refused = answer;
    }
    assert.ok(refused, 'a burst of 40 at 1/s runs out within 60 reads');
    assert.equal(lastVia(), 'direct');
    assert.equal(refused.json<{ type: string }>().type, 'urn:flexgate:problem:request.rate-limited');
    assert.match(String(refused.headers['retry-after']), /^\d+$/);
  });
});
