import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../../gateway/testing/testGateway.ts';
import { loadCatalogue } from '../scenarioCatalogue.ts';
import { DsoParties } from '../sandboxParties.ts';
import { scenarioOutcome } from './scenarioOutcome.ts';
import { ScenarioPlayer } from './scenarioPlayer.ts';

const catalogue = loadCatalogue();

describe('the BiTraDER scenarios 1-7, played headless against a real gateway', function () {
  this.timeout(180_000);
  let dataDir: string;
  let gateway: TestGateway;
  let parties: DsoParties;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexgate-sandbox-scenarios-'));
    gateway = await startTestGateway({ dataDir });
    parties = await DsoParties.connect(gateway.gateway.url, gateway.pkiDir);
  });

  after(async () => {
    parties?.close();
    await gateway?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('has all seven scenarios, each on one of the ten lists', () => {
    assert.deepEqual(
      catalogue.scenarios.map((s) => s.id),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(catalogue.lists.size, 10);
  });

  for (const scenario of catalogue.scenarios) {
    it(`scenario ${scenario.id}, ${scenario.title}: ${scenario.expect.meritOrder.slice(0, 3).join(', ')}…`, async () => {
      // Scenario time as fast as the gateway answers: the clock only orders the steps.
      const player = new ScenarioPlayer(parties, catalogue.lists, scenario, 1e9);
      const run = await player.playToEnd();
      const outcome = await scenarioOutcome(run, parties.businessLogic);
      const { eventPeriod, ...expected } = scenario.expect;
      const { eventPeriod: actualPeriod, ...actual } = outcome;
      assert.deepEqual(actual, expected, `scenario ${scenario.id} outcome:\n${JSON.stringify(outcome, null, 2)}`);
      if (eventPeriod) assert.deepEqual(actualPeriod, eventPeriod);
      assert.equal(player.status, 'finished');
    });
  }

  it('pauses (scenario time stands still, nothing more is posted), changes speed and resets to minute 0', async () => {
    const player = new ScenarioPlayer(parties, catalogue.lists, catalogue.scenarios[0]!, 60);
    player.play();
    while (player.run.meritOrderLists.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    player.pause();
    assert.equal(player.status, 'paused');
    const [position, posted] = [player.position(), player.run.timeline.length];
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(player.position(), position);
    assert.equal(player.run.timeline.length, posted);
    assert.ok(position < 10 * 60_000, 'paused before the first bid at minute 10');
    player.setSpeed(1e9);
    const run = await player.playToEnd();
    assert.equal(run.trades.length, 2);
    player.reset();
    assert.deepEqual([player.status, player.position(), player.run.timeline.length, player.run.trades.length], ['ready', 0, 0, 0]);
  });
});
