// `npm run conformance:full`: the full profile against the reference gateway (1000 fuzz inputs a case), reports under
// conformance-report/ (the ven role's under conformance-report/ven/, the client roles' under conformance-report/clients/), and the kill table regenerated into conformance/selftest/KILL_TABLE.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTlsCredentials } from '../../certs/index.ts';
import { sendCommand } from '../../client/cli/send.ts';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { signingIdentityFrom } from '../reports/certificate.ts';
import { writeReports } from '../reports/write.ts';
import { progressFor } from '../runner/progress.ts';
import { runConformance } from '../runner/run.ts';
import { ClientHarness } from '../runner/clientUnderTest/clientHarness.ts';
import { FAULTS } from './faults.ts';
import { clientKillTable, FAULTY_CLIENTS } from './faultyClients.ts';
import { InProcessClient } from './inProcessClient.ts';
import { killTable, killTableMarkdown } from './killTable.ts';
import { startReferenceGateway } from '../runner/referenceGateway.ts';
import { venSelfCheck } from './venKillTable.ts';

/** The client roles: the reference client (`flexgate send`, in process) through every case, then each faulty client. */
async function clientSelfCheck(seed: number) {
  const harness = await ClientHarness.start(new InProcessClient(sendCommand));
  try {
    const run = await runConformance({
      roles: ['anm-client', 'dso'],
      target: harness.reference.target,
      client: harness,
      seed,
      fuzzRuns: 0,
      progress: progressFor(process.stdout),
    });
    const rows = (await clientKillTable(harness, FAULTY_CLIENTS, { seed })).map((row) => ({ ...row, fault: `client: ${row.fault}` }));
    return { run, rows };
  } finally {
    await harness.close();
  }
}

const seed = Number(process.env.CONFORMANCE_SEED ?? Date.now() % 2 ** 31);
const fuzzRuns = Number(process.env.CONFORMANCE_FUZZ_RUNS ?? 1000);
const reference = await startReferenceGateway();
try {
  console.log(`full profile, seed ${seed}, ${fuzzRuns} fuzz inputs a case`);
  const run = await runConformance({ roles: ['gateway', 'vtn'], target: reference.target, seed, fuzzRuns, progress: progressFor(process.stdout) });
  const credentials = await loadTlsCredentials(reference.gateway.pkiDir, 'urn:flexgate:admin:admin-dev');
  for (const path of await writeReports(join(PACKAGE_ROOT, 'conformance-report'), run, signingIdentityFrom(credentials.cert, credentials.key)))
    console.log(`wrote ${path}`);
  const ven = await venSelfCheck(seed, progressFor(process.stdout));
  for (const path of await writeReports(join(PACKAGE_ROOT, 'conformance-report', 'ven'), ven.run)) console.log(`wrote ${path}`);
  const clients = await clientSelfCheck(seed);
  for (const path of await writeReports(join(PACKAGE_ROOT, 'conformance-report', 'clients'), clients.run)) console.log(`wrote ${path}`);
  const rows = [...(await killTable(reference, FAULTS, { seed, fuzzRuns: 50 })), ...ven.rows, ...clients.rows];
  writeFileSync(join(PACKAGE_ROOT, 'conformance', 'selftest', 'KILL_TABLE.md'), killTableMarkdown(rows));
  console.log(killTableMarkdown(rows));
  process.exitCode = run.passed && ven.run.passed && clients.run.passed && rows.every((row) => row.caughtBy.length > 0) ? 0 : 1;
} finally {
  await reference.close();
}
