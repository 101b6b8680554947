import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

type Work<T> = (db: Transaction<Database> | Kysely<Database>) => Promise<T>;

interface Queued {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Pieces of work per transaction at most. */
const MAX_BATCH = 500;

/**
 * Group commit: small pieces of work that arrive while a transaction is
 * committing share the next one, so a thousand attempts settling at once
 * cost a few durable commits instead of a thousand (each an fsync on
 * SQLite). Each piece still commits before its promise resolves; if a
 * shared transaction fails, every piece of it is run again on its own, so
 * one failure never takes another's work with it.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<Database>,
    /** Work that is one statement (atomic by itself) runs alone without BEGIN and COMMIT: one round trip, not three. */
    private readonly singleStatement = false,
  ) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // One turn of the event loop lets the pieces arriving together join the first transaction.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      if (batch.length === 1 && this.singleStatement) {
        await batch[0]!.work(this.db).then(batch[0]!.resolve, batch[0]!.reject);
        continue;
      }
      let results: unknown[];
      try {
        results = await this.db.transaction().execute(async (tx) => {
          const done: unknown[] = [];
          for (const item of batch) done.push(await item.work(tx));
          return done;
        });
      } catch {
        for (const item of batch) await this.db.transaction().execute(item.work).then(item.resolve, item.reject);
        continue;
      }
      batch.forEach((item, i) => item.resolve(results[i]));
    }
    this.draining = false;
  }
}
