import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleEntry } from '../schemas/journalBundle.ts';
import { exportJournalBundle, loadGatewaySigner, trustedRootsFromPem, verifyJournalBundle, type RunningGateway } from '../gateway/index.ts';

export interface JournalLine {
  line: number;
  entry: BundleEntry;
  /** `verified`, `unsigned`, or the failures' codes. */
  result: string;
}

export interface VerifiedJournal {
  bundle: Buffer;
  ok: boolean;
  exportedAt: string | null;
  lines: JournalLine[];
}

/**
 * The journal as a verifiable bundle (`flexgate journal export`), and each
 * entry's result when the bundle is verified as `flexgate journal verify`
 * does, with only the root CA: the same check a third party makes offline.
 */
export async function verifiedJournal(gateway: RunningGateway, rootCertificatePath: string): Promise<VerifiedJournal> {
  const dir = await mkdtemp(join(tmpdir(), 'flexgate-sandbox-journal-'));
  try {
    const file = join(dir, 'journal.bundle');
    await exportJournalBundle(gateway.store, file, await loadGatewaySigner(gateway.pkiDir, gateway.identity));
    const bundle = await readFile(file);
    const trustedRoots = trustedRootsFromPem(await readFile(rootCertificatePath, 'utf8'));
    const report = await verifyJournalBundle(bundle, { trustedRoots });
    const broken = new Map(report.broken.map((b) => [b.line, b.failures.map((f) => f.code).join(', ')]));
    const lines: JournalLine[] = [];
    bundle
      .toString('utf8')
      .split('\n')
      .forEach((text, i) => {
        if (!text.startsWith('{"')) return;
        const parsed = JSON.parse(text) as { type?: string };
        if (parsed.type !== 'entry') return;
        const entry = parsed as BundleEntry;
        lines.push({ line: i + 1, entry, result: broken.get(i + 1) ?? (entry.jws ? 'verified' : 'unsigned') });
      });
    return { bundle, ok: report.ok, exportedAt: report.exportedAt, lines };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
