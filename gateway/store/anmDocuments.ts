import type { StoreExecutor } from './store.ts';

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
}

export async function insertDocument(db: StoreExecutor, doc: NewDocument): Promise<void> {
  await db.insertInto('anm_documents').values({ id: doc.id, kind: doc.kind, accepted_at: doc.acceptedAt, current_revision: 1 }).execute();
  await db
    .insertInto('anm_document_revisions')
    .values({ document_id: doc.id, revision: 1, created_at: doc.acceptedAt, journal_id: doc.journalId, body: doc.body })
    .execute();
}

/** The current revision of a document of the given kind. */
export async function getDocument(db: StoreExecutor, kind: string, id: string): Promise<StoredDocument | undefined> {
  const row = await db
    .selectFrom('anm_documents as d')
    .innerJoin('anm_document_revisions as r', (join) =>
      join.onRef('r.document_id', '=', 'd.id').onRef('r.revision', '=', 'd.current_revision'),
    )
    .select(['d.id', 'd.kind', 'd.accepted_at', 'r.revision', 'r.journal_id', 'r.body'])
    .where('d.id', '=', id)
    .where('d.kind', '=', kind)
    .executeTakeFirst();
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
    .innerJoin('anm_document_revisions as r', (join) =>
      join.onRef('r.document_id', '=', 'd.id').onRef('r.revision', '=', 'd.current_revision'),
    )
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

function toStored(row: { id: string; kind: string; accepted_at: string; revision: number; journal_id: string; body: string }): StoredDocument {
  return { id: row.id, kind: row.kind, acceptedAt: row.accepted_at, revision: row.revision, journalId: row.journal_id, body: row.body };
}
