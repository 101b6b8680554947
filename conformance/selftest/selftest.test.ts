import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTlsCredentials } from '../../certs/index.ts';
import { signingIdentityFrom, verifyCertificate, CertificateInvalid } from '../reports/certificate.ts';
import { REPORT_FILES, writeReports } from '../reports/write.ts';
import { runConformance } from '../runner/run.ts';
import type { RunResult } from '../runner/results.ts';
import { FAULTS } from './faults.ts';
import { killTable } from './killTable.ts';
import { startReferenceGateway, type ReferenceGateway } from '../runner/referenceGateway.ts';

/** The short profile: every mandatory case against the reference gateway, few fuzz inputs; faults are caught by the scripted and vector cases, so the kill table runs with one fuzz input a case. */
const SHORT_FUZZ_RUNS = 10;
const KILL_TABLE_FUZZ_RUNS = 1;
const SEED = 20261130;

describe('the conformance suite tests itself (short profile)', function () {
  this.timeout(900_000);
  let reference: ReferenceGateway;
  let run: RunResult;

  before(async () => {
    reference = await startReferenceGateway();
    run = await runConformance({ roles: ['gateway', 'vtn'], target: reference.target, seed: SEED, fuzzRuns: SHORT_FUZZ_RUNS, fuzzTimeMs: 20_000 });
  });
  after(async () => reference?.close());

  it('the reference gateway passes every mandatory case of the gateway and vtn roles', () => {
    const failed = run.results.filter((r) => r.level === 'mandatory' && r.outcome !== 'passed').map((r) => `${r.id} (${r.outcome}): ${r.message}`);
    assert.deepEqual(failed, []);
    assert.ok(run.passed);
  });

  it('the reference gateway, with its default limits, passes the optional cases of the load suite', () => {
    const load = run.results.filter((r) => r.suite === 'load');
    assert.ok(load.length > 0);
    assert.deepEqual(
      load.filter((r) => r.outcome !== 'passed').map((r) => `${r.id} (${r.outcome}): ${r.message}`),
      [],
    );
  });

  it('leaves no subscription behind (their webhook hosts are gone) and the registry as it found it', async () => {
    for (const party of ['fsp', 'fsp2'] as const) {
      const answer = await reference.target.client(party).request('GET', '/openadr/3.1.0/subscriptions', {
        headers: { authorization: `Bearer ${await reference.target.bearer(party)}` },
      });
      assert.equal(answer.status, 200, answer.text());
      assert.deepEqual(answer.json<{ callbackUrl?: string }[]>(), [], `${party} still has subscriptions`);
    }
    const registry = await reference.target.client('admin').request('GET', '/admin/v1/registry');
    assert.deepEqual(registry.json(), { assets: [], contracts: [], parties: [] });
  });

  it('writes the three reports and a certificate that verifies offline, and is refused after a one-byte change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexgate-conformance-report-'));
    const credentials = await loadTlsCredentials(reference.gateway.pkiDir, 'urn:flexgate:admin:admin-dev');
    await writeReports(dir, run, signingIdentityFrom(credentials.cert, credentials.key));
    assert.match(readFileSync(join(dir, REPORT_FILES.junit), 'utf8'), /<testsuites /);
    assert.match(readFileSync(join(dir, REPORT_FILES.html), 'utf8'), /Conformance report: <span class="(passed|failed)">/);
    assert.equal((JSON.parse(readFileSync(join(dir, REPORT_FILES.json), 'utf8')) as RunResult).seed, SEED);
    const jws = readFileSync(join(dir, REPORT_FILES.certificate), 'utf8');
    const root = readFileSync(join(reference.gateway.pkiDir, 'root', 'ca.pem'), 'utf8');
    const verified = await verifyCertificate(jws, [root]);
    assert.equal(verified.claims.implementation.party, run.implementation.party);
    assert.equal(verified.claims.seed, SEED);
    assert.equal(verified.claims.result.passed, run.passed);
    // One byte of the payload changed: a character of the base64url payload swapped for another.
    const [header, payload, signature] = jws.trim().split('.');
    const middle = Math.floor(payload!.length / 2);
    const altered = `${header}.${payload!.slice(0, middle)}${payload![middle] === 'A' ? 'B' : 'A'}${payload!.slice(middle + 1)}.${signature}`;
    await assert.rejects(verifyCertificate(altered, [root]), CertificateInvalid);
    writeFileSync(join(dir, 'altered.jws'), altered);
  });

  it('catches every deliberately faulty implementation with at least one mandatory case', async () => {
    const rows = await killTable(reference, FAULTS, { seed: SEED, fuzzRuns: KILL_TABLE_FUZZ_RUNS });
    const uncaught = rows.filter((row) => row.caughtBy.length === 0).map((row) => row.fault);
    assert.deepEqual(uncaught, [], JSON.stringify(rows, null, 2));
  });
});
