import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { revokeCertificate } from '../../certs/index.ts';
import { DEV_DSO } from '../testing/testGateway.ts';
import { exportJournalBundle } from './bundle.ts';
import { loadGatewaySigner } from './gatewaySigner.ts';
import { recordJournal, type RecordedJournal } from './recordedJournal.ts';
import { trustedRootsFromPem, verifyJournalBundle } from './verifyBundle.ts';

describe('journal bundles carry the CRLs: revocation is judged at the signing time', function () {
  this.timeout(120_000);
  let journal: RecordedJournal;
  before(async function () {
    journal = await recordJournal(this);
  });
  after(async () => journal?.close());

  const exportAndVerify = async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'flexgate-bundle-')), 'journal.jsonl');
    await exportJournalBundle(journal.gateway.store, path, await loadGatewaySigner(journal.gateway.pkiDir, journal.gateway.identity));
    return verifyJournalBundle(readFileSync(path), {
      trustedRoots: trustedRootsFromPem(readFileSync(journal.rootCertificatePath, 'utf8')),
      allowUnsigned: false,
    });
  };

  it('keeps a signature made before its certificate was revoked valid', async () => {
    await revokeCertificate(journal.gateway.pkiDir, DEV_DSO, 'cessationOfOperation');
    const report = await exportAndVerify();
    assert.equal(report.firstBroken, null, JSON.stringify(report.firstBroken));
  });

  it('refuses the entries signed after the revocation time the CRL gives', async () => {
    // A revocation dated a day back: everything the DSO signed today comes after it.
    await revokeCertificate(journal.gateway.pkiDir, 'urn:flexgate:anm:anm-dev', 'keyCompromise', { now: new Date(Date.now() - 86_400_000) });
    const report = await exportAndVerify();
    const anmLines = journal.messages.filter((message) => message.sender === 'urn:flexgate:anm:anm-dev').length;
    assert.ok(anmLines > 0);
    assert.equal(report.broken.filter((line) => line.failures.some((finding) => finding.code === 'bundle.certificate-revoked')).length, anmLines);
  });
});
