import { X509Certificate } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { certificateThumbprint, partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import type { Store, StoreExecutor } from '../store/store.ts';
import type { JournalTable } from '../store/schema.ts';
import { sha256Base64url, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleEntry, type BundleHeader, type BundleManifest, type BundleSelection } from '../../schemas/journalBundle.ts';
import { signManifest } from './manifestSignature.ts';

export interface JournalSelection {
  /** Rows received at or after this instant. */
  since?: Date;
  /** Rows received before this instant. */
  until?: Date;
  /** Rows from this party only. */
  sender?: string;
}

export interface BundleExportOptions extends JournalSelection {
  /** The gateway's signing identity: its certificate key, as the running gateway signs responses. */
  signer: EnvelopeSigner;
  /** The signer's certificate chain, PEM, leaf first. */
  certificateChain: readonly string[];
  /** The CRLs of every CA (PEM), carried in the header. */
  revocationLists: readonly string[];
  now?: Date;
}

export interface BundleExportSummary {
  file: string;
  entries: number;
  exportedAt: string;
}

const BATCH = 200;

/**
 * Writes the journal rows selected to `file` (which must not exist) as a
 * signed bundle (see bundleFormat.ts). The rows are read in one read-only
 * transaction, so the bundle is a consistent snapshot even while the
 * gateway keeps writing; a failed export leaves no file behind.
 */
export async function exportJournalBundle(store: Store, file: string, options: BundleExportOptions): Promise<BundleExportSummary> {
  checkSigner(options.signer, options.certificateChain);
  const exportedAt = (options.now ?? new Date()).toISOString();
  const handle = await open(file, 'wx', 0o600);
  try {
    const lineSha256: string[] = [];
    const writeLine = async (value: BundleHeader | BundleEntry) => {
      const line = canonicalJson(value);
      lineSha256.push(sha256Base64url(line));
      await handle.write(`${line}\n`);
    };
    await writeLine({
      type: 'header',
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      gateway: options.signer.issuer,
      exportedAt,
      certificateChain: options.certificateChain.flatMap(splitPemCertificates),
      revocationLists: [...options.revocationLists],
      selection: selectionOf(options),
    });
    const entries = await store.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (tx) => {
        let count = 0;
        for await (const row of journalRows(tx, options)) {
          await writeLine(bundleEntry(row));
          count++;
        }
        return count;
      });
    const unsigned: Omit<BundleManifest, 'signature'> = {
      type: 'manifest',
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      gateway: options.signer.issuer,
      exportedAt,
      entries,
      lineSha256,
    };
    const signature = await signManifest(options.signer, Buffer.from(canonicalJson(unsigned)));
    await handle.write(`${canonicalJson({ ...unsigned, signature })}\n`);
    await handle.sync();
    await handle.close();
    return { file, entries, exportedAt };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(file, { force: true });
    throw error;
  }
}

/** The signer must be the certificate the header names, or the bundle could never verify. */
function checkSigner(signer: EnvelopeSigner, chain: readonly string[]): void {
  const [leafPem] = chain.flatMap(splitPemCertificates);
  if (!leafPem) throw new Error('The gateway certificate chain holds no certificate');
  const leaf = new X509Certificate(leafPem);
  if (certificateThumbprint(leaf) !== signer.certificateThumbprint) throw new Error("The signer's key is not the key of the first certificate in the chain");
  const party = partyFromCertificate(leaf)?.urn;
  if (party !== signer.issuer) throw new Error(`The gateway certificate names ${party ?? 'no party'}, not ${signer.issuer}`);
}

function selectionOf(options: JournalSelection): BundleSelection {
  return {
    ...(options.since ? { since: options.since.toISOString() } : {}),
    ...(options.until ? { until: options.until.toISOString() } : {}),
    ...(options.sender ? { sender: options.sender } : {}),
  };
}

type JournalRow = Omit<JournalTable, 'seq'> & { seq: number };

/** The selected rows in journal order, a page at a time (keyset on `seq`). */
async function* journalRows(db: StoreExecutor, selection: JournalSelection): AsyncGenerator<JournalRow> {
  let after = 0;
  for (;;) {
    let query = db.selectFrom('journal').selectAll().where('seq', '>', after);
    // received_at is ISO 8601 UTC with milliseconds, so text order is time order.
    if (selection.since) query = query.where('received_at', '>=', selection.since.toISOString());
    if (selection.until) query = query.where('received_at', '<', selection.until.toISOString());
    if (selection.sender) query = query.where('sender', '=', selection.sender);
    const page = await query.orderBy('seq').limit(BATCH).execute();
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < BATCH) return;
    after = last.seq;
  }
}

function bundleEntry(row: JournalRow): BundleEntry {
  return {
    type: 'entry',
    journalSeq: row.seq,
    id: row.id,
    receivedAt: row.received_at,
    method: row.method,
    path: row.path,
    contentType: row.content_type,
    body: Buffer.from(row.body).toString('base64'),
    sha256: row.sha256,
    userAgent: row.user_agent,
    derived: JSON.parse(row.derived) as BundleEntry['derived'],
    sender: row.sender,
    jws: row.jws,
    certificateChain: row.certificate_chain ? splitPemCertificates(row.certificate_chain) : [],
    verification: row.verification ? (JSON.parse(row.verification) as BundleEntry['verification']) : null,
  };
}
