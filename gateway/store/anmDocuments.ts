import { sql } from 'kysely';
import { runSql, type StoreExecutor } from './store.ts';

export interface StoredDocument {
  id: string;
  kind: string;
  acceptedAt: string;
  revision: number;
  journalId: string;
  /** Canonical JSON of the document. */
  body: string;
}

export interface NewDocument {
  id: string;
  kind: string;
  acceptedAt: string;
  journalId: string;
  body: string;
  /** The revision's list summary as JSON (gateway/anm/documentSummaries.ts), written with it: not an update that rewrites the body. */
  summary?: string | undefined;
}

/**
 * Documents created in a transaction and not revised since, by transaction
 * and id: what the message's reactions read back in it (every stored merit
 * order list is) comes from here, and they know there is nothing older of
 * the document to look for. Gone with the transaction; a rolled-back one's
 * are never read again.
 */
const createdIn = new WeakMap<StoreExecutor, Map<string, StoredDocument>>();

// Storing and reading one document are the ANM API's hot paths: SQL, not the query builder.
export async function insertDocument(db: StoreExecutor, doc: NewDocument): Promise<void> {
  await runSql(db, sql`insert into anm_documents (id, kind, accepted_at, current_revision) values (${doc.id}, ${doc.kind}, ${doc.acceptedAt}, 1)`);
  await runSql(
    db,
    sql`insert into anm_document_revisions (document_id, revision, created_at, journal_id, body, summary)
    values (${doc.id}, 1, ${doc.acceptedAt}, ${doc.journalId}, ${doc.body}, ${doc.summary ?? null})`,
  );
  if (!db.isTransaction) return;
  let created = createdIn.get(db);
  if (!created) createdIn.set(db, (created = new Map()));
  created.set(doc.id, { id: doc.id, kind: doc.kind, acceptedAt: doc.acceptedAt, revision: 1, journalId: doc.journalId, body: doc.body });
}

/** Whether the document was created in this transaction and not revised since: then nothing derived from it exists yet. */
export function createdInTransaction(db: StoreExecutor, kind: string, id: string): boolean {
  return createdIn.get(db)?.get(id)?.kind === kind;
}

/** The current revision of a document of the given kind. */
export async function getDocument(db: StoreExecutor, kind: string, id: string): Promise<StoredDocument | undefined> {
  const [row] = (
    await runSql(
      db,
      sql<StoredRow>`select d.id, d.kind, d.accepted_at, r.revision, r.journal_id, r.body
      from anm_documents d join anm_document_revisions r on r.document_id = d.id and r.revision = d.current_revision
      where d.id = ${id} and d.kind = ${kind}`,
    )
  ).rows;
  return row && toStored(row);
}

export interface DocumentPage {
  items: StoredDocument[];
  /** Position to continue from (exclusive), or undefined on the last page. */
  nextBefore: number | undefined;
}

/** Newest first; `before` is the position returned as `nextBefore` by the previous page. */
export async function listDocuments(db: StoreExecutor, kind: string, limit: number, before?: number): Promise<DocumentPage> {
  let query = db
    .selectFrom('anm_documents as d')
    .innerJoin('anm_document_revisions as r', (join) => join.onRef('r.document_id', '=', 'd.id').onRef('r.revision', '=', 'd.current_revision'))
    .select(['d.seq', 'd.id', 'd.kind', 'd.accepted_at', 'r.revision', 'r.journal_id', 'r.body'])
    .where('d.kind', '=', kind)
    .orderBy('d.seq', 'desc')
    .limit(limit + 1);
  if (before !== undefined) query = query.where('d.seq', '<', before);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map(toStored),
    nextBefore: rows.length > limit ? page[page.length - 1]!.seq : undefined,
  };
}

interface StoredRow {
  id: string;
  kind: string;
  accepted_at: string;
  revision: number;
  journal_id: string;
  body: string;
}

function toStored(row: StoredRow): StoredDocument {
  return { id: row.id, kind: row.kind, acceptedAt: row.accepted_at, revision: row.revision, journalId: row.journal_id, body: row.body };
}

/** Raised when another writer added a revision first; the caller reloads and decides again. */
export class RevisionConflict extends Error {
  constructor(id: string, expected: number) {
    super(`Document ${id} is no longer at revision ${expected}`);
  }
}

/**
 * Adds revision `basedOn + 1` and makes it current, only if `basedOn` is still
 * current (optimistic concurrency: two instances cannot both write revision n+1).
 */
export async function addRevision(
  db: StoreExecutor,
  revision: { documentId: string; basedOn: number; createdAt: string; journalId: string; body: string; summary?: string | undefined },
): Promise<number> {
  const next = revision.basedOn + 1;
  const result = await db
    .updateTable('anm_documents')
    .set({ current_revision: next })
    .where('id', '=', revision.documentId)
    .where('current_revision', '=', revision.basedOn)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new RevisionConflict(revision.documentId, revision.basedOn);
  createdIn.get(db)?.delete(revision.documentId);
  await runSql(
    db,
    sql`insert into anm_document_revisions (document_id, revision, created_at, journal_id, body, summary)
      values (${revision.documentId}, ${next}, ${revision.createdAt}, ${revision.journalId}, ${revision.body}, ${revision.summary ?? null})`,
  );
  return next;
}

/** One revision of a document, current or not. */
export async function getRevision(db: StoreExecutor, kind: string, id: string, revision: number): Promise<StoredDocument | undefined> {
  const created = createdIn.get(db)?.get(id);
  if (created?.kind === kind && created.revision === revision) return created;
  // Every stored merit order list is read back by its events reaction: SQL, as getDocument.
  const [row] = (
    await runSql(
      db,
      sql<StoredRow>`select d.id, d.kind, d.accepted_at, r.revision, r.journal_id, r.body
      from anm_documents d join anm_document_revisions r on r.document_id = d.id
      where d.id = ${id} and d.kind = ${kind} and r.revision = ${revision}`,
    )
  ).rows;
  return row && toStored(row);
}

export interface RevisionSummary {
  revision: number;
  createdAt: string;
  journalId: string;
}

/** Every revision of a document, oldest first. */
export async function listRevisions(db: StoreExecutor, id: string): Promise<RevisionSummary[]> {
  const rows = await db
    .selectFrom('anm_document_revisions')
    .select(['revision', 'created_at', 'journal_id'])
    .where('document_id', '=', id)
    .orderBy('revision', 'asc')
    .execute();
  return rows.map((r) => ({ revision: r.revision, createdAt: r.created_at, journalId: r.journal_id }));
}
