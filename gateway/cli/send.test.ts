import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BITRADER_DIR, bitraderFixture } from '../testing/fixtures.ts';
import { FLEXGATE_BIN } from '../testing/gatewayProcess.ts';
import { startTestGateway, type TestGateway } from '../testing/testGateway.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const flexgate = (args: string[]) =>
  new Promise<Run>((resolve) => {
    execFile(process.execPath, [FLEXGATE_BIN, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });

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

  it('exits 2 on a usage error', async () => {
    assert.equal((await flexgate(['send'])).code, 2);
  });
});
