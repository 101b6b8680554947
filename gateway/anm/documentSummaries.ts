import type { Kysely, Migration } from 'kysely';
import type { ConstraintLookAhead } from '../../schemas/anm/constraintLookAhead.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { Database } from '../store/schema.ts';
import type { StoreExecutor } from '../store/store.ts';

/**
 * What a list of documents shows of each, computed once when a revision is
 * stored: a list call then reads a few hundred bytes per document instead of
 * parsing every stored body (a 10 MB table made each list call 16× slower).
 */
export type DocumentSummary = Record<string, unknown>;

const summarisers: Record<string, ((document: never) => DocumentSummary) | undefined> = {
  'constraint-look-ahead': (doc: ConstraintLookAhead) => ({
    issuedAt: doc.issuedAt,
    constraints: doc.constraints.map(({ resources, ...constraint }) => ({ ...constraint, resourceCount: resources.length })),
  }),
  'merit-order-list': (doc: MeritOrderList) => ({
    issuedAt: doc.issuedAt,
    periodStart: doc.periodStart,
    scenario: doc.scenario,
    receivedAt: doc.receivedAt,
    entryCount: doc.entries.length,
  }),
};

/** The summary of a canonical document of a kind the ANM API lists; undefined for other kinds. */
export function summaryOf(kind: string, document: unknown): DocumentSummary | undefined {
  return summarisers[kind]?.(document as never);
}

/** The revisions table with the summary column this feature adds. */
type SummaryColumn = { anm_document_revisions: { summary: string | null } };
const withSummaries = (db: StoreExecutor) => (db as Kysely<Database>).withTables<SummaryColumn>();

/** A summary (see `summaryOf`) as the store keeps it with its revision: `insertDocument` and `addRevision` write it with the body. */
export const summaryJson = (summary: DocumentSummary | undefined): string | undefined => (summary === undefined ? undefined : JSON.stringify(summary));

export interface SummaryRow {
  seq: number;
  id: string;
  kind: string;
  acceptedAt: string;
  revision: number;
  summary: DocumentSummary;
}

export interface SummaryPage {
  items: SummaryRow[];
  /** Position to continue from (exclusive), or undefined on the last page. */
  nextBefore: number | undefined;
}

/**
 * Current revisions of one kind, newest first, with their summaries; a
 * revision stored without one (by a writer that does not record them) is
 * summarised from its body, and only that one is read.
 */
export async function listSummaries(db: StoreExecutor, kind: string, limit: number, before?: number): Promise<SummaryPage> {
  const store = withSummaries(db);
  let query = store
    .selectFrom('anm_documents as d')
    .innerJoin('anm_document_revisions as r', (join) => join.onRef('r.document_id', '=', 'd.id').onRef('r.revision', '=', 'd.current_revision'))
    .select(['d.seq', 'd.id', 'd.kind', 'd.accepted_at', 'r.revision', 'r.summary'])
    .where('d.kind', '=', kind)
    .orderBy('d.seq', 'desc')
    .limit(limit + 1);
  if (before !== undefined) query = query.where('d.seq', '<', before);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const items: SummaryRow[] = [];
  for (const row of page) {
    const summary = row.summary === null ? await summaryFromBody(store, row.id, row.revision, row.kind) : (JSON.parse(row.summary) as DocumentSummary);
    items.push({ seq: Number(row.seq), id: row.id, kind: row.kind, acceptedAt: row.accepted_at, revision: row.revision, summary });
  }
  return { items, nextBefore: rows.length > limit ? items[items.length - 1]!.seq : undefined };
}

async function summaryFromBody(db: Kysely<Database & SummaryColumn>, id: string, revision: number, kind: string): Promise<DocumentSummary> {
  const { body } = await db
    .selectFrom('anm_document_revisions')
    .select('body')
    .where('document_id', '=', id)
    .where('revision', '=', revision)
    .executeTakeFirstOrThrow();
  return summaryOf(kind, JSON.parse(body)) ?? {};
}

/** Adds the summary column and summarises every revision already stored. */
export function documentSummaryMigrations(): Record<string, Migration> {
  return {
    '0005_anm_document_summaries': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('anm_document_revisions').addColumn('summary', 'text').execute();
        const store = db as Kysely<Database & SummaryColumn>;
        const kinds = Object.keys(summarisers);
        const revisions = await store
          .selectFrom('anm_documents as d')
          .innerJoin('anm_document_revisions as r', 'r.document_id', 'd.id')
          .select(['d.kind', 'r.document_id', 'r.revision'])
          .where('d.kind', 'in', kinds)
          .execute();
        // One body at a time: a store of large documents must not be loaded whole to migrate it.
        for (const { kind, document_id: documentId, revision } of revisions) {
          const summary = await summaryFromBody(store, documentId, revision, kind);
          await store
            .updateTable('anm_document_revisions')
            .set({ summary: JSON.stringify(summary) })
            .where('document_id', '=', documentId)
            .where('revision', '=', revision)
            .execute();
        }
      },
    },
  };
}
