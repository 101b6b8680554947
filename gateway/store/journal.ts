import { sql } from 'kysely';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { runSql, type StoreExecutor } from './store.ts';

export interface DerivedReference {
  kind: string;
  id: string;
  revision: number;
}

export interface JournalEntry {
  id: string;
  receivedAt: string;
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
  sha256: string;
  userAgent: string | null;
  derived: DerivedReference[];
  /** Party URN from the client certificate; null only for messages taken in without the trust layer. */
  sender: string | null;
  /** Detached JWS over the body, when the message was signed. */
  jws: string | null;
  /** PEM chain the signature was verified with, leaf first. */
  certificateChain: string[];
  verification: JournalVerification | null;
}

/** What was established when the message was received. */
export interface JournalVerification {
  result: 'verified';
  alg: string;
  issuer: string;
  audience: string;
  messageId: string;
  sequence: string;
  issuedAt: number;
  schemaVersion: string;
  verifiedAt: string;
}

/** Every accepted message, byte for byte, with what was derived from it. Every write runs it: SQL, not the query builder. */
export async function appendJournal(db: StoreExecutor, entry: JournalEntry): Promise<void> {
  await runSql(
    db,
    sql`insert into journal (id, received_at, method, path, content_type, body, sha256, user_agent, derived, sender, jws, certificate_chain, verification)
    values (${entry.id}, ${entry.receivedAt}, ${entry.method}, ${entry.path}, ${entry.contentType}, ${entry.body}, ${entry.sha256},
      ${entry.userAgent}, ${JSON.stringify(entry.derived)}, ${entry.sender}, ${entry.jws},
      ${entry.certificateChain.length > 0 ? entry.certificateChain.join('') : null}, ${entry.verification ? JSON.stringify(entry.verification) : null})`,
  );
}

/** Links a journal entry to what it produced, once that exists (the same transaction). */
export async function recordDerived(db: StoreExecutor, id: string, derived: readonly DerivedReference[]): Promise<void> {
  await runSql(db, sql`update journal set derived = ${JSON.stringify(derived)} where id = ${id}`);
}

export async function getJournalEntry(db: StoreExecutor, id: string): Promise<JournalEntry | undefined> {
  const row = await db.selectFrom('journal').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    receivedAt: row.received_at,
    method: row.method,
    path: row.path,
    contentType: row.content_type,
    body: Buffer.from(row.body),
    sha256: row.sha256,
    userAgent: row.user_agent,
    derived: JSON.parse(row.derived) as DerivedReference[],
    sender: row.sender,
    jws: row.jws,
    certificateChain: row.certificate_chain ? splitPemCertificates(row.certificate_chain) : [],
    verification: row.verification ? (JSON.parse(row.verification) as JournalVerification) : null,
  };
}
