import assert from 'node:assert/strict';
import { randomUUID, type X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki } from '../../certs/index.ts';
import { appendJournal } from '../store/journal.ts';
import { unsignedJournalEntry } from '../store/testStores.ts';
import { exportJournalBundle } from './bundle.ts';
import type { FindingCode } from './bundleFindings.ts';
import { loadGatewaySigner } from './gatewaySigner.ts';
import { flipLetter, recordJournal, type RecordedJournal } from './recordedJournal.ts';
import { trustedRootsFromPem, verifyJournalBundle, type BundleVerification } from './verifyBundle.ts';

// The bundle: line 1 header; lines 2-5 the journal (ANM look-ahead, ANM list,
// ANM trades, DSO list); line 6 the manifest.
const MANIFEST_LINE = 6;

describe('journal verify detects tampering with an exported bundle', function () {
  this.timeout(120_000);
  let journal: RecordedJournal;
  let trustedRoots: X509Certificate[];
  let bundle: Buffer;
  let lines: Buffer[];

  const journalId = (line: number) => journal.messages[line - 2]!.journalId;
  const verify = (bytes: Buffer, options: { allowUnsigned?: boolean } = {}) => verifyJournalBundle(bytes, { trustedRoots, ...options });
  const joined = (parts: readonly Buffer[]) => Buffer.concat(parts.flatMap((line) => [line, Buffer.from('\n')]));
  /** Offset in the bundle of `marker` within line `line`, plus `skip`. */
  const offset = (line: number, marker: string, skip = 0) => {
    const start = lines.slice(0, line - 1).reduce((sum, previous) => sum + previous.length + 1, 0);
    const at = lines[line - 1]!.indexOf(marker);
    assert.notEqual(at, -1, `${marker} on line ${line}`);
    return start + at + marker.length + skip;
  };
  const codesOf = (report: BundleVerification, line: number) =>
    report.broken.find((broken) => broken.line === line)?.failures.map((failure) => failure.code) ?? [];
  const assertFirstBroken = (report: BundleVerification, line: number, id: string | null, codes: readonly FindingCode[]) => {
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.line, line, JSON.stringify(report.broken, null, 1));
    assert.equal(report.firstBroken?.journalId, id);
    for (const code of codes) assert.ok(codesOf(report, line).includes(code), `line ${line}: expected ${code}, found ${codesOf(report, line).join(', ')}`);
  };

  before(async function () {
    journal = await recordJournal(this);
    trustedRoots = trustedRootsFromPem(await readFile(journal.rootCertificatePath, 'utf8'));
    const path = join(journal.dataDir, 'journal.jsonl');
    await exportJournalBundle(journal.gateway.store, path, await loadGatewaySigner(journal.gateway.pkiDir, journal.gateway.identity));
    bundle = await readFile(path);
    lines = splitLines(bundle);
    assert.equal(lines.length, MANIFEST_LINE);
  });
  after(async () => journal?.close());

  it('verifies as exported', async () => {
    const report = await verify(bundle);
    assert.equal(report.ok, true, JSON.stringify(report.broken));
    assert.equal(report.firstBroken, null);
  });

  it('a flipped byte in a body: the line, its body hash and its signature', async () => {
    const report = await verify(flipLetter(bundle, offset(3, '"body":"', 40)));
    assertFirstBroken(report, 3, journalId(3), ['bundle.line-altered', 'bundle.body-hash-mismatch', 'envelope.bad-signature']);
    assert.equal(report.broken.length, 1);
  });

  it("a flipped byte in an entry's signature", async () => {
    const report = await verify(flipLetter(bundle, offset(2, '..', 20)));
    assertFirstBroken(report, 2, journalId(2), ['bundle.line-altered', 'envelope.bad-signature']);
  });

  it("a flipped byte in an entry's signed protected header", async () => {
    const report = await verify(flipLetter(bundle, offset(4, '"jws":"', 60)));
    assertFirstBroken(report, 4, journalId(4), ['bundle.line-altered']);
    assert.ok(
      codesOf(report, 4).some((code) => code.startsWith('envelope.')),
      codesOf(report, 4).join(', '),
    );
  });

  it('a flipped byte in a derived reference, which only the manifest covers', async () => {
    const report = await verify(flipLetter(bundle, offset(4, '"derived":[{"id":"')));
    assertFirstBroken(report, 4, journalId(4), ['bundle.line-altered']);
    assert.deepEqual(codesOf(report, 4), ['bundle.line-altered']);
  });

  it('a flipped byte in the journalled sender', async () => {
    const copy = Buffer.from(bundle);
    const role = offset(5, '"sender":"urn:flexgate:');
    copy[role] = copy[role]! ^ 0x01; // dso becomes eso: still a well-formed party URN
    const report = await verify(copy);
    assertFirstBroken(report, 5, journalId(5), ['bundle.line-altered', 'bundle.sender-mismatch']);
  });

  it("a flipped byte in the header's gateway certificate", async () => {
    const report = await verify(flipLetter(bundle, offset(1, '"certificateChain":["-----BEGIN CERTIFICATE-----\\n', 200)));
    assertFirstBroken(report, 1, null, ['bundle.gateway-untrusted']);
  });

  it("a flipped byte in the header's export time", async () => {
    const exportedAt = offset(1, '"exportedAt":"');
    const copy = Buffer.from(bundle);
    copy[exportedAt + 22] = copy[exportedAt + 22]! ^ 0x01; // the last digit of the milliseconds
    const report = await verify(copy);
    assertFirstBroken(report, 1, null, ['bundle.line-altered']);
    assert.ok(codesOf(report, MANIFEST_LINE).includes('bundle.manifest-header-mismatch'));
  });

  it("a flipped byte in the manifest's list of hashes: the manifest, and nothing it vouched for", async () => {
    const report = await verify(flipLetter(bundle, offset(MANIFEST_LINE, '"lineSha256":["', 10)));
    assertFirstBroken(report, MANIFEST_LINE, null, ['bundle.manifest-signature']);
    assert.equal(report.broken.length, 1);
  });

  it("a flipped byte in the manifest's signature, even one that decodes to the same signature bytes", async () => {
    assertFirstBroken(await verify(flipLetter(bundle, offset(MANIFEST_LINE, '..', 30))), MANIFEST_LINE, null, ['bundle.manifest-signature']);
    // The last character of an ES256 signature carries 4 bits and 2 spare ones that decoders ignore.
    const afterSignature = '","type":"manifest"';
    const last = offset(MANIFEST_LINE, afterSignature) - afterSignature.length - 1;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const copy = Buffer.from(bundle);
    copy[last] = alphabet.charCodeAt(alphabet.indexOf(String.fromCharCode(bundle[last]!)) ^ 0x01);
    assertFirstBroken(await verify(copy), MANIFEST_LINE, null, ['bundle.manifest-signature']);
  });

  it('the manifest re-spelt as equivalent JSON', async () => {
    const respelt = Buffer.from(lines[MANIFEST_LINE - 1]!.toString().replace('"entries":', '"entries": '));
    const report = await verify(joined([...lines.slice(0, MANIFEST_LINE - 1), respelt]));
    assertFirstBroken(report, MANIFEST_LINE, null, ['bundle.malformed-line']);
  });

  it('any single flipped bit: evenly spaced positions, and the last bytes of every line and of each signature', async () => {
    const positions = new Set<number>();
    for (let position = 0; position < bundle.length; position += Math.ceil(bundle.length / 150)) positions.add(position);
    for (let line = 1; line <= MANIFEST_LINE; line++) {
      const end = offset(line, '') + lines[line - 1]!.length;
      for (const back of [0, 1, 2, 3]) positions.add(end - back);
    }
    // Base64url decoders ignore the spare bits of a signature's last character: those flips too.
    const afterSignature = '","type":"manifest"';
    const signatureEnd = offset(MANIFEST_LINE, afterSignature) - afterSignature.length;
    for (let back = 1; back <= 4; back++) positions.add(signatureEnd - back);
    for (const position of positions) {
      for (const bit of [0x01, 0x10]) {
        const copy = Buffer.from(bundle);
        copy[position] = copy[position]! ^ bit;
        assert.equal(
          (await verify(copy)).ok,
          false,
          `bit ${bit} of byte ${position} (${JSON.stringify(String.fromCharCode(bundle[position]!))}) flipped, not detected`,
        );
      }
    }
  });

  it('a deleted entry: the line that took its place, and the lines the manifest misses', async () => {
    const report = await verify(joined(lines.filter((_, index) => index !== 2)));
    assertFirstBroken(report, 3, journalId(4), ['bundle.line-out-of-place']);
    assert.ok(codesOf(report, MANIFEST_LINE - 1).includes('bundle.lines-missing'));
  });

  it('two entries swapped: out of place and out of journal order (their sequence numbers are inside the replay window)', async () => {
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    const report = await verify(joined(swapped));
    assertFirstBroken(report, 3, journalId(4), ['bundle.line-out-of-place']);
    for (const code of ['bundle.line-out-of-place', 'bundle.journal-order'] as const) assert.ok(codesOf(report, 4).includes(code), code);
    assert.ok(!codesOf(report, 4).includes('bundle.sequence-not-increasing'), 'requests in flight commit in any order');
  });

  it('an entry inserted twice: a replayed message id and sequence', async () => {
    const report = await verify(joined([...lines.slice(0, 3), lines[2]!, ...lines.slice(3)]));
    assertFirstBroken(report, 4, journalId(3), [
      'bundle.line-out-of-place',
      'bundle.message-id-repeated',
      'bundle.sequence-not-increasing',
      'bundle.journal-order',
    ]);
  });

  it('the manifest cut off', async () => {
    const report = await verify(joined(lines.slice(0, MANIFEST_LINE - 1)));
    assertFirstBroken(report, MANIFEST_LINE, null, ['bundle.manifest-missing']);
  });

  it('a line after the manifest', async () => {
    const report = await verify(joined([...lines, lines[1]!]));
    assertFirstBroken(report, MANIFEST_LINE + 1, null, ['bundle.line-after-manifest']);
  });

  it('verified against another root CA: neither the gateway nor any sender is trusted', async () => {
    const otherPki = await mkdtemp(join(tmpdir(), 'flexgate-other-pki-'));
    try {
      const { rootCertificatePath } = await ensureDevPki(otherPki);
      const report = await verifyJournalBundle(bundle, { trustedRoots: trustedRootsFromPem(await readFile(rootCertificatePath, 'utf8')) });
      assertFirstBroken(report, 1, null, ['bundle.gateway-untrusted']);
      for (const line of [2, 3, 4, 5]) assert.deepEqual(codesOf(report, line), ['bundle.certificate-untrusted'], `line ${line}`);
    } finally {
      await rm(otherPki, { recursive: true, force: true });
    }
  });

  it('an unsigned entry fails, unless unsigned entries are allowed', async () => {
    const body = Buffer.from('{"legacy":true}');
    await appendJournal(journal.gateway.store.db, unsignedJournalEntry(randomUUID(), body));
    const path = join(journal.dataDir, 'with-unsigned.jsonl');
    await exportJournalBundle(journal.gateway.store, path, await loadGatewaySigner(journal.gateway.pkiDir, journal.gateway.identity));
    const withUnsigned = await readFile(path);
    assertFirstBroken(await verify(withUnsigned), 6, (JSON.parse(splitLines(withUnsigned)[5]!.toString()) as { id: string }).id, ['bundle.entry-unsigned']);
    const allowed = await verify(withUnsigned, { allowUnsigned: true });
    assert.equal(allowed.ok, true, JSON.stringify(allowed.broken));
    assert.equal(allowed.unsignedEntries, 1);
    assert.equal(allowed.entriesChecked, 5);
  });
});

/** The lines of a bundle, without their line feeds. */
function splitLines(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0, end = bytes.indexOf(0x0a); end !== -1; start = end + 1, end = bytes.indexOf(0x0a, start)) parts.push(bytes.subarray(start, end));
  return parts;
}
