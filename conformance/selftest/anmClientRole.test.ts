import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { clockSequence } from '../../protocol/envelope/index.ts';
import { sendCommand } from '../../client/cli/send.ts';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { CommandTemplateClient } from '../runner/clientUnderTest/clientCommand.ts';
import { ClientHarness } from '../runner/clientUnderTest/clientHarness.ts';
import type { RunResult } from '../runner/results.ts';
import { runConformance } from '../runner/run.ts';
import { clientKillTable, FAULTY_CLIENTS } from './faultyClients.ts';
import { InProcessClient } from './inProcessClient.ts';

const SEED = 20261130;
const CLIENT_ROLES = ['anm-client', 'dso'] as const;
/** `flexgate send` as a user runs it, from the sources (no build step in the test). */
const FLEXGATE_SEND = `${process.execPath} --import tsx ${join(PACKAGE_ROOT, 'bin', 'flexgate.ts')} send {path} --file {file} --url {url} --cert {cert} --key {key} --ca {ca}`;

const notPassed = (run: RunResult) =>
  run.results.filter((r) => r.level === 'mandatory' && r.outcome !== 'passed').map((r) => `${r.id} (${r.outcome}): ${r.message}`);

describe('the anm-client and dso roles hold a client of the ANM and CIM APIs to the envelope and its answers', function () {
  // Starting the reference gateway dominates on a loaded machine; the cases themselves take about half a second each.
  this.timeout(300_000);
  let harness: ClientHarness;

  before(async () => {
    harness = await ClientHarness.start(new InProcessClient(sendCommand));
  });
  after(async () => harness?.close());

  it('the reference client (flexgate send, run in process) passes every mandatory case of both roles', async () => {
    const run = await runConformance({ roles: [...CLIENT_ROLES], target: harness.reference.target, client: harness, seed: SEED, fuzzRuns: 0 });
    assert.deepEqual(notPassed(run), []);
    for (const role of CLIENT_ROLES)
      assert.ok(
        run.results.some((r) => r.role === role && r.level === 'mandatory'),
        `${role} has mandatory cases`,
      );
  });

  it('drives a real flexgate send process through the documented command template', async () => {
    // The in-process runs took this party's numbers from the process-wide clock counter, which this process's many fast
    // requests (every party's) push ahead of the clock; a new process starts from the clock. A restarted sender that
    // averaged over 100 messages a second waits so (protocol/envelope/sequence.ts), and so does this test.
    const highest = Number(clockSequence()());
    while ((Date.now() * 100) / 1000 <= highest) await delay(10);
    const inProcess = harness.client;
    harness.client = new CommandTemplateClient(FLEXGATE_SEND);
    try {
      const run = await runConformance({
        roles: [...CLIENT_ROLES],
        target: harness.reference.target,
        client: harness,
        caseIds: ['ANM-CLI-004'],
        seed: SEED,
        fuzzRuns: 0,
      });
      assert.equal(run.results.length, 1);
      assert.deepEqual(notPassed(run), []);
      assert.match(
        run.results[0]!.notes.join('\n'),
        /^client: \S+ --import tsx \S+bin\/flexgate\.ts send '\/anm\/v1\/merit-order-lists' --file '[^']+-mol\.tsv' --url/,
      );
    } finally {
      harness.client = inProcess;
    }
  });

  it('catches every faulty client with at least one mandatory case', async () => {
    const rows = await clientKillTable(harness, FAULTY_CLIENTS, { seed: SEED });
    const uncaught = rows.filter((row) => row.caughtBy.length === 0).map((row) => row.fault);
    assert.deepEqual(uncaught, [], JSON.stringify(rows, null, 2));
  });
});
