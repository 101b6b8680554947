import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { startGatewayProcess, type GatewayProcess } from '../testing/gatewayProcess.ts';
import type { StoreOptions } from '../store/store.ts';

const TSV = 'text/tab-separated-values';

const storeArgs = (options: StoreOptions) =>
  options.databaseUrl
    ? ['--database-url', options.databaseUrl, ...(options.schema ? ['--database-schema', options.schema] : [])]
    : ['--data-dir', options.dataDir!];

forEachBackend((backend) => {
  describe(`flexgate serve (a real process) on ${backend.name}`, function () {
    this.timeout(60_000);
    let running: GatewayProcess | undefined;
    afterEach(() => {
      running?.child.kill('SIGKILL');
      running = undefined;
    });

    it('keeps a document it acknowledged with 201 when killed with SIGKILL right after', async function () {
      const options = await backend.storeOptions(this);
      running = await startGatewayProcess(storeArgs(options));
      const created = await fetch(`${running.url}/anm/v1/merit-order-lists`, {
        method: 'POST',
        headers: { 'content-type': TSV },
        body: bitraderFixture(this, 'mol-original-figure6.tsv'),
      });
      assert.equal(created.status, 201);
      running.child.kill('SIGKILL');
      assert.equal(await running.exited, 'SIGKILL');

      running = await startGatewayProcess(storeArgs(options));
      const location = created.headers.get('location')!;
      const again = await fetch(`${running.url}${location}`, { headers: { accept: TSV } });
      assert.equal(again.status, 200);
      assert.match(await again.text(), /^10\tAgg_Seller_5\tG1_Agg5\tAggregate_5\tFlexibleOutputChange\t0\tkW\t200\t0\tSeller\tfalse\ttrue\t$/m);
    });

    it('on SIGTERM lets the request in flight finish, then exits 0', async function () {
      const options = await backend.storeOptions(this);
      running = await startGatewayProcess(storeArgs(options));
      const body = bitraderFixture(this, 'cla-figure5.tsv');
      const url = new URL(`${running.url}/anm/v1/constraint-look-aheads`);
      const response = new Promise<number>((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', headers: { 'content-type': TSV, 'content-length': body.length } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        // Half the body now, SIGTERM, then the rest: the request is in flight during shutdown.
        req.write(body.subarray(0, 100));
        setTimeout(() => {
          running!.child.kill('SIGTERM');
          setTimeout(() => req.end(body.subarray(100)), 300);
        }, 200);
      });
      assert.equal(await response, 201);
      assert.equal(await running.exited, 0);
      assert.match(running.stderr(), /"msg":"stopped"/);
    });
  });
});
