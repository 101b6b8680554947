import { CompiledQuery } from 'kysely';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Dialect, StoreExecutor } from '../../store/store.ts';

/**
 * The plan the database chooses for a query, as text: `EXPLAIN QUERY PLAN`
 * on SQLite; `EXPLAIN` on PostgreSQL with sequential scans priced out, so a
 * test table of a few rows shows whether an index *can* serve the query
 * (what matters at scale) rather than what is cheapest for ten rows.
 */
export async function queryPlan(db: StoreExecutor, dialect: Dialect, query: CompiledQuery): Promise<string> {
  if (dialect === 'sqlite') {
    const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.map((row) => row.detail).join('\n');
  }
  return db.transaction().execute(async (tx) => {
    await tx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
    const { rows } = await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

/**
 * Records every query built through an executor it is plugged into
 * (`db.withPlugin(recorder)`), and counts every statement that executor
 * runs, precompiled ones (`BulkInsert`) included.
 */
export class StatementRecorder implements KyselyPlugin {
  readonly nodes: RootOperationNode[] = [];
  /** Statements run, built or precompiled. */
  executed = 0;

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push(node);
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.executed++;
    return result;
  }

  /** Queries built, by kind (`SelectQueryNode`, `InsertQueryNode`, …). */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const node of this.nodes) counts[node.kind] = (counts[node.kind] ?? 0) + 1;
    return counts;
  }

  compiled(db: StoreExecutor): CompiledQuery[] {
    return this.nodes.map((node) => db.getExecutor().compileQuery(node, { queryId: `recorded-${this.nodes.indexOf(node)}` }));
  }
}
