import assert from 'node:assert/strict';
import type { RunResult } from '../runner/results.ts';
import { TestVtn } from '../runner/testVtn.ts';
import { runVenConformance } from '../runner/venRole.ts';
import { commandLauncher } from '../runner/venUnderTest.ts';
import { FAULTY_VENS, REFERENCE_VEN_COMMAND } from './faultyVens.ts';
import { venKillTable } from './venKillTable.ts';

const SEED = 20261130;
/** Shorter waits than a certification run's: the programme's VENs poll every second, and a faulty VEN makes the programme wait out each one. */
const TIMINGS = { startMs: 30_000, actMs: 4_000, quietMs: 1_500 };
const KILL_TABLE_TIMINGS = { startMs: 30_000, actMs: 3_000, quietMs: 1_500 };

const failures = (run: RunResult) =>
  run.results.filter((r) => r.level === 'mandatory' && r.outcome !== 'passed').map((r) => `${r.id} (${r.outcome}): ${r.message}\n${r.notes.join('\n')}`);

describe('the ven role: the suite hosts a test VTN and drives a VEN through the programme', function () {
  this.timeout(180_000);
  let vtn: TestVtn;

  before(async () => {
    vtn = await TestVtn.start();
  });
  after(async () => vtn?.close());

  it('the reference VEN (`flexgate ven run`, its own process) passes every case', async () => {
    const run = await runVenConformance({ vtn, launcher: commandLauncher(REFERENCE_VEN_COMMAND), seed: SEED, timings: TIMINGS });
    assert.deepEqual(failures(run), []);
    assert.ok(run.passed);
    assert.deepEqual(
      run.results.filter((r) => r.outcome !== 'passed').map((r) => r.id),
      [],
      'the optional subscription case passes too: the reference VEN subscribes',
    );
    assert.match(run.implementation.party, /^urn:flexgate:fsp:conformance-ven-/);
  });

  it('catches every faulty VEN with at least one mandatory case', async () => {
    const rows = await venKillTable(vtn, FAULTY_VENS, { seed: SEED, timings: KILL_TABLE_TIMINGS });
    assert.deepEqual(
      rows.filter((row) => row.caughtBy.length === 0).map((row) => row.fault),
      [],
      JSON.stringify(rows, null, 2),
    );
  });
});
