import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_GATEWAY_URN } from '../../certs/index.ts';
import type { StoreOptions } from '../store/store.ts';
import { forEachBackend } from '../store/testStores.ts';
import { bitraderFixture } from '../testing/fixtures.ts';
import { DEV_ANM, DEV_DSO } from '../testing/testGateway.ts';
import { exportJournalBundle } from './bundle.ts';
import { BUNDLE_FORMAT, type BundleEntry, type BundleHeader, type BundleManifest } from '../../schemas/journalBundle.ts';
import { loadGatewaySigner } from './gatewaySigner.ts';
import { runFlexgate as flexgate } from '../testing/gatewayProcess.ts';
import { flipLetter, recordJournal, type RecordedJournal } from './recordedJournal.ts';
import { trustedRootsFromPem, verifyJournalBundle } from './verifyBundle.ts';

const bundleLines = async (file: string) => (await readFile(file, 'utf8')).split('\n');

forEachBackend((backend) => {
  describe(`journal export and verify, journal on ${backend.name}`, function () {
    this.timeout(120_000);
    let storeOptions: StoreOptions;
    let journal: RecordedJournal;
    let trustedRoots: X509Certificate[];
    let file = 0;
    const bundlePath = () => join(journal.dataDir, `bundle-${++file}.jsonl`);
    const exportTo = async (path: string, selection: { since?: Date; until?: Date; sender?: string } = {}) =>
      exportJournalBundle(journal.gateway.store, path, { ...(await loadGatewaySigner(journal.gateway.pkiDir, journal.gateway.identity)), ...selection });

    before(async function () {
      storeOptions = await backend.storeOptions(this);
      journal = await recordJournal(this, storeOptions);
      trustedRoots = trustedRootsFromPem(await readFile(journal.rootCertificatePath, 'utf8'));
    });
    after(async () => journal?.close());

    it('writes a header, every journal entry with its exact bytes, signature and chain, and a signed manifest; it verifies', async function () {
      const path = bundlePath();
      const summary = await exportTo(path);
      assert.equal(summary.entries, 4);
      const lines = await bundleLines(path);
      assert.equal(lines.pop(), '', 'the bundle ends with a line feed');
      assert.equal(lines.length, 6);
      const header = JSON.parse(lines[0]!) as BundleHeader;
      assert.equal(header.format, BUNDLE_FORMAT);
      assert.equal(header.gateway, DEV_GATEWAY_URN);
      assert.equal(header.certificateChain.length, 2, 'the gateway certificate and its issuing CA');
      const entries = lines.slice(1, 5).map((line) => JSON.parse(line) as BundleEntry);
      assert.deepEqual(
        entries.map((entry) => [entry.id, entry.sender, entry.path]),
        journal.messages.map((message) => [message.journalId, message.sender, message.path]),
      );
      assert.deepEqual(Buffer.from(entries[0]!.body, 'base64'), bitraderFixture(this, 'cla-figure5.tsv'));
      assert.match(entries[0]!.jws ?? '', /^[\w-]+\.\.[\w-]+$/);
      assert.equal(entries[0]!.certificateChain.length >= 2, true, 'the sender certificate and its issuing CA');
      // The re-ordered list, its trade book, and the OpenADR events of the four instructed contracts (the events reaction).
      assert.deepEqual(
        entries[2]!.derived.map((reference) => reference.kind),
        ['merit-order-list', 'merit-order-trade-book', ...Array<string>(4).fill('openadr-event')],
      );
      const manifest = JSON.parse(lines[5]!) as BundleManifest;
      assert.equal(manifest.entries, 4);
      assert.equal(manifest.lineSha256.length, 5);

      const report = await verifyJournalBundle(await readFile(path), { trustedRoots });
      assert.equal(report.firstBroken, null, JSON.stringify(report.firstBroken));
      assert.equal(report.ok, true);
      assert.equal(report.entriesChecked, 4);
      assert.deepEqual(
        report.issuers.map((issuer) => [issuer.issuer, issuer.audience, issuer.entries, issuer.broken]),
        [
          [DEV_ANM, DEV_GATEWAY_URN, 3, 0],
          [DEV_DSO, DEV_GATEWAY_URN, 1, 0],
        ],
      );
      const anm = report.issuers[0]!;
      assert.equal(BigInt(anm.lastSequence!) > BigInt(anm.firstSequence!), true);
    });

    it('exports a selection: one sender, or a time window, each verifying on its own', async () => {
      const fromDso = bundlePath();
      assert.equal((await exportTo(fromDso, { sender: DEV_DSO })).entries, 1);
      const dsoReport = await verifyJournalBundle(await readFile(fromDso), { trustedRoots });
      assert.equal(dsoReport.ok, true, JSON.stringify(dsoReport.firstBroken));
      assert.deepEqual(
        dsoReport.issuers.map((issuer) => issuer.issuer),
        [DEV_DSO],
      );
      assert.deepEqual(JSON.parse((await bundleLines(fromDso))[0]!).selection, { sender: DEV_DSO });

      const later = bundlePath();
      assert.equal((await exportTo(later, { since: new Date(Date.now() + 60_000) })).entries, 0);
      const empty = await verifyJournalBundle(await readFile(later), { trustedRoots });
      assert.equal(empty.ok, true, JSON.stringify(empty.firstBroken));
      assert.equal(empty.entriesChecked, 0);
    });

    it('refuses to replace an existing file', async () => {
      const path = bundlePath();
      await writeFile(path, 'keep me');
      await assert.rejects(exportTo(path), { code: 'EEXIST' });
      assert.equal(await readFile(path, 'utf8'), 'keep me');
    });

    it('flexgate journal export and verify, as real processes: exit 0 when intact, 1 naming the first broken entry, 2 on usage errors', async () => {
      const path = bundlePath();
      const storeArgs = storeOptions.databaseUrl
        ? ['--database-url', storeOptions.databaseUrl, ...(storeOptions.schema ? ['--database-schema', storeOptions.schema] : [])]
        : ['--data-dir', storeOptions.dataDir!];
      const exported = await flexgate('journal', 'export', '--out', path, ...storeArgs, '--pki-dir', journal.gateway.pkiDir);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, /4 entries, signed by urn:flexgate:gateway:flexgate-dev/);

      const bytes = await readFile(path);
      const lines = bytes.toString('utf8').split('\n');
      const second = JSON.parse(lines[2]!) as BundleEntry;
      const lineStart = Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`);
      const tampered = bundlePath();
      await writeFile(tampered, flipLetter(bytes, lineStart + lines[2]!.indexOf('"body":"') + 20));

      const [verified, broken, json, usage] = await Promise.all([
        flexgate('journal', 'verify', path, '--ca', journal.rootCertificatePath),
        flexgate('journal', 'verify', tampered, '--ca', journal.rootCertificatePath),
        flexgate('journal', 'verify', tampered, '--ca', journal.rootCertificatePath, '--json'),
        flexgate('journal', 'verify', path),
      ]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.match(verified.stdout, /entries +4 checked, 0 unsigned/);
      assert.match(verified.stdout, /urn:flexgate:anm:anm-dev -> urn:flexgate:gateway:flexgate-dev: 3 signed/);
      assert.match(verified.stdout, /^verified/m);

      assert.equal(broken.code, 1, broken.stdout + broken.stderr);
      assert.match(broken.stdout, new RegExp(`^BROKEN +line 3 \\(journal entry ${second.id}\\)$`, 'm'));
      assert.match(broken.stdout, /bundle\.body-hash-mismatch/);

      assert.equal(json.code, 1);
      assert.equal((JSON.parse(json.stdout) as { firstBroken: { line: number } }).firstBroken.line, 3);

      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--ca is required/);
    });
  });
});
