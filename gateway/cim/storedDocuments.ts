import type { StoreExecutor } from '../store/store.ts';

/** One revision of a stored document, of any kind, with when that revision was created. */
export interface StoredRevision {
  readonly seq: number;
  readonly id: string;
  readonly kind: string;
  readonly revision: number;
  readonly currentRevision: number;
  readonly acceptedAt: string;
  readonly createdAt: string;
  /** Canonical JSON of the model. */
  readonly body: string;
}

function revisions(db: StoreExecutor) {
  return db
    .selectFrom('anm_documents as d')
    .innerJoin('anm_document_revisions as r', 'r.document_id', 'd.id')
    .select(['d.seq', 'd.id', 'd.kind', 'd.accepted_at', 'd.current_revision', 'r.revision', 'r.created_at', 'r.body']);
}

type Row = { seq: number; id: string; kind: string; accepted_at: string; current_revision: number; revision: number; created_at: string; body: string };

function toRevision(row: Row): StoredRevision {
  return {
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    revision: row.revision,
    currentRevision: row.current_revision,
    acceptedAt: row.accepted_at,
    createdAt: row.created_at,
    body: row.body,
  };
}

/** A document by id whatever its kind: its current revision, or the one asked for. */
export async function findRevision(db: StoreExecutor, id: string, revision?: number): Promise<StoredRevision | undefined> {
  const query = revisions(db).where('d.id', '=', id);
  const row = await (
    revision === undefined ? query.whereRef('r.revision', '=', 'd.current_revision') : query.where('r.revision', '=', revision)
  ).executeTakeFirst();
  return row && toRevision(row);
}

/** A current revision as a list shows it: no body, which may be megabytes. */
export type ListedRevision = Omit<StoredRevision, 'body'>;

export interface RevisionPage {
  readonly items: ListedRevision[];
  readonly nextBefore: number | undefined;
}

/** Current revisions of documents of the given kinds, newest first; `before` continues from `nextBefore`. */
export async function listCurrent(db: StoreExecutor, kinds: readonly string[], limit: number, before?: number): Promise<RevisionPage> {
  let query = db
    .selectFrom('anm_documents as d')
    .innerJoin('anm_document_revisions as r', 'r.document_id', 'd.id')
    .select(['d.seq', 'd.id', 'd.kind', 'd.accepted_at', 'd.current_revision', 'r.revision', 'r.created_at'])
    .whereRef('r.revision', '=', 'd.current_revision')
    .where('d.kind', 'in', [...kinds])
    .orderBy('d.seq', 'desc')
    .limit(limit + 1);
  if (before !== undefined) query = query.where('d.seq', '<', before);
  const rows = await query.execute();
  const page = rows.slice(0, limit).map((row) => ({
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    revision: row.revision,
    currentRevision: row.current_revision,
    acceptedAt: row.accepted_at,
    createdAt: row.created_at,
  }));
  return { items: page, nextBefore: rows.length > limit ? page[page.length - 1]!.seq : undefined };
}
