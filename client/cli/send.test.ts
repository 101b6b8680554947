import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTlsCredentials } from '../../certs/index.ts';
import { BITRADER_DIR, bitraderFixture } from '../../gateway/testing/fixtures.ts';
import { runFlexgate } from '../../gateway/testing/gatewayProcess.ts';
import { startTestGateway, type TestGateway } from '../../gateway/testing/testGateway.ts';

const flexgate = (args: string[]) => runFlexgate(...args);

describe('flexgate send (a real process against a real gateway)', function () {
  this.timeout(60_000);
  let running: TestGateway;
  before(async function () {
    running = await startTestGateway({ dataDir: mkdtempSync(join(tmpdir(), 'flexgate-test-')) });
  });
  after(async () => running?.close());

  const as = (urn: string) => ['--url', running.gateway.url, '--pki-dir', running.pkiDir, '--as', urn];

  it('posts an ANM table signed as the ANM, prints the stored document and the verified receipt, then reads it back as TSV', async function () {
    bitraderFixture(this, 'mol-original-figure6.tsv'); // skips loudly without ../shared
    const fixture = join(BITRADER_DIR, 'mol-original-figure6.tsv');
    const posted = await flexgate(['send', '/anm/v1/merit-order-lists', '--file', fixture, ...as('urn:flexgate:anm:anm-dev')]);
    assert.equal(posted.code, 0, posted.stderr);
    const [status, receipt] = posted.stderr.trim().split('\n');
    assert.match(status!, /^201 \/anm\/v1\/merit-order-lists\/[0-9a-f-]{36}$/);
    assert.match(receipt!, /^signed by urn:flexgate:gateway:flexgate-dev \(sequence \d+, ES256\), verified; receipt for message [0-9a-f-]{36}$/);
    assert.equal((JSON.parse(posted.stdout) as { entries: unknown[] }).entries.length, 10);

    const location = status!.split(' ')[1]!;
    const read = await flexgate(['send', location, '--accept', 'text/tab-separated-values', ...as('urn:flexgate:dso:dso-dev')]);
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stdout, /^10\tAgg_Seller_5\tG1_Agg5\t/m);
  });

  it('exits 1 with the problem when the party may not use the route', async function () {
    bitraderFixture(this, 'mol-original-figure6.tsv'); // skips loudly without ../shared
    const fixture = join(BITRADER_DIR, 'mol-original-figure6.tsv');
    const refused = await flexgate(['send', '/anm/v1/merit-order-lists', '--file', fixture, ...as('urn:flexgate:fsp:fsp-dev-1')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^403/);
    assert.equal((JSON.parse(refused.stdout) as { type: string }).type, 'urn:flexgate:problem:auth.role-forbidden');
  });

  it('flexgate sign prints a signature header that a plain HTTPS client (curl, here node:https) can send', async function () {
    bitraderFixture(this, 'cla-figure5.tsv');
    const fixture = join(BITRADER_DIR, 'cla-figure5.tsv');
    const path = '/anm/v1/constraint-look-aheads';
    const signed = await flexgate(['sign', 'POST', path, '--file', fixture, '--pki-dir', running.pkiDir, '--as', 'urn:flexgate:dso:dso-dev']);
    assert.equal(signed.code, 0, signed.stderr);
    const credentials = await loadTlsCredentials(running.pkiDir, 'urn:flexgate:dso:dso-dev');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, running.gateway.url),
        {
          method: 'POST',
          cert: credentials.cert,
          key: credentials.key,
          ca: credentials.ca,
          headers: { 'content-type': 'text/tab-separated-values', 'x-jws-signature': signed.stdout.trim() },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(readFileSync(fixture));
    });
    assert.equal(status, 201);
  });

  it('exits 2 on a usage error', async () => {
    assert.equal((await flexgate(['send'])).code, 2);
  });
});
