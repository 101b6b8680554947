import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BITRADER_DIR } from '../testing/fixtures.ts';
import { ROUTE_FAMILIES } from './cases.ts';
import { runFuzz, summaryLine } from './harness.ts';

/** The short profile of `npm run fuzz`: a fixed seed, a few cases per route family, the same invariants. */
const SEED = 20261130;
const RUNS = 40;

describe('fuzzing a real flexgate serve over mutual TLS (short profile)', function () {
  this.timeout(240_000);

  it(`holds every invariant for ${RUNS} cases per route family (seed ${SEED})`, async function () {
    if (!existsSync(join(BITRADER_DIR, 'mol-original-figure6.tsv'))) {
      console.warn(`\n  !! SKIPPED: the fuzz harness seeds from the BiTraDER fixtures, absent at ${BITRADER_DIR}\n`);
      this.skip();
    }
    const report = await runFuzz({ seed: SEED, runs: RUNS, timeLimitMs: 40_000, families: ROUTE_FAMILIES, slowMs: 1000 });
    for (const family of report.families) console.log(`      ${summaryLine(family)}`);
    assert.equal(report.crashed, undefined);
    assert.deepEqual(
      report.families.map((f) => f.family),
      [...ROUTE_FAMILIES],
    );
    for (const family of report.families) {
      assert.ok(family.cases > 0, `${family.family}: no case ran`);
      assert.deepEqual(family.findings, [], `${family.family}: ${JSON.stringify(family.findings, null, 2)}`);
    }
  });
});
