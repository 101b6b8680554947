import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAnmDocument } from '../anm/decode.ts';
import { runMol, type MolIo } from '../cli/mol.ts';
import { BITRADER_DIR, bitraderFixture } from '../testing/fixtures.ts';
import { FIGURE_7_TRADES, figure7, trade } from './testing/bitraderCase.ts';

/** Runs `flexgate mol …` in-process over the fixture files plus in-memory ones (skipped when the fixtures are absent). */
async function mol(context: Mocha.Context, args: string[], files: Record<string, unknown> = {}) {
  bitraderFixture(context, 'cla-figure5.tsv');
  let stdout = '';
  let stderr = '';
  const io: MolIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readFile: (path) => (path in files ? Buffer.from(JSON.stringify(files[path])) : readFileSync(path)),
    now: () => Date.parse('2024-10-17T20:08:45Z'),
  };
  const code = await runMol(args, io);
  return { code, stdout, stderr };
}

const CLA = join(BITRADER_DIR, 'cla-figure5.tsv');
const MOL = join(BITRADER_DIR, 'mol-original-figure6.tsv');

describe('flexgate mol (the CLI for analysts)', () => {
  it('opportunities: the constraint-specific list and opportunities as JSON', async function () {
    const { code, stdout } = await mol(this, ['opportunities', '--cla', CLA, '--mol', MOL]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.constraints[0].constraintId, 'C1');
    assert.deepEqual(
      report.constraints[0].opportunities.map((o: { capacity_kW: number }) => o.capacity_kW),
      [700, 500, 200, 400, 200, 600, 500, 200, 500, 200],
    );
  });

  it('trade --format tsv: figure 7, in figure 7’s columns', async function () {
    const { code, stdout } = await mol(
      this,
      ['trade', '--cla', CLA, '--mol', MOL, '--trades', 'trades.json', '--format', 'tsv', '--scenario', '1', '--received-at', '2024-10-17 21:08:45'],
      {
        'trades.json': FIGURE_7_TRADES,
      },
    );
    assert.equal(code, 0);
    assert.match(stdout, /^Recvd Time\tRecvd Timestamp\tScenario\tOrder\tContract Id/);
    assert.deepEqual(decodeAnmDocument('merit-order-list', Buffer.from(stdout), 'text/tab-separated-values'), figure7(this));
  });

  it('trade without --cla: one constraint over the whole list that curtails every buyer, which gives figure 7 too', async function () {
    const { code, stdout } = await mol(this, ['trade', '--mol', MOL, '--trades', 'trades.json', '--scenario', '1'], { 'trades.json': FIGURE_7_TRADES });
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), figure7(this));
  });

  it('a refused trade: exit 1, the problem on stderr, nothing on stdout', async function () {
    const { code, stdout, stderr } = await mol(this, ['trade', '--cla', CLA, '--mol', MOL, '--trades', 'trades.json'], {
      'trades.json': [trade('A1_Buyer', 'Agg_Seller_1', 650)],
    });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    const problem = JSON.parse(stderr);
    assert.equal(problem.type, 'urn:flexgate:problem:adapter.over-capacity');
    assert.equal(problem.errors[0].pointer, '/0/kW');
  });

  it('a usage error: exit 2 with the usage', async function () {
    for (const args of [['trade', '--mol', MOL], ['bogus'], ['trade', '--mol', MOL, '--trades', 't', '--format', 'xml'], ['opportunities', '--nope']]) {
      const { code, stderr } = await mol(this, args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /Usage: flexgate mol/);
    }
  });
});
