// `npm run conformance:full`: the full profile against the reference gateway (1000 fuzz inputs a case), reports under
// conformance-report/ (the ven role's under conformance-report/ven/), and the kill table regenerated into conformance/selftest/KILL_TABLE.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTlsCredentials } from '../../certs/index.ts';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { signingIdentityFrom } from '../reports/certificate.ts';
import { writeReports } from '../reports/write.ts';
import { progressFor } from '../runner/progress.ts';
import { runConformance } from '../runner/run.ts';
import { FAULTS } from './faults.ts';
import { killTable, killTableMarkdown } from './killTable.ts';
import { startReferenceGateway } from './referenceGateway.ts';
import { venSelfCheck } from './venKillTable.ts';

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
  const rows = [...(await killTable(reference, FAULTS, { seed, fuzzRuns: 50 })), ...ven.rows];
  writeFileSync(join(PACKAGE_ROOT, 'conformance', 'selftest', 'KILL_TABLE.md'), killTableMarkdown(rows));
  console.log(killTableMarkdown(rows));
  process.exitCode = run.passed && ven.run.passed && rows.every((row) => row.caughtBy.length > 0) ? 0 : 1;
} finally {
  await reference.close();
}
