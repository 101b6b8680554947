import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { quoteIdentifier, Store, type StoreOptions } from './store.ts';
import { openGatewayStore } from '../storage.ts';
import type { JournalEntry } from './journal.ts';

/** PostgreSQL for tests: the machine's local server unless FLEXGATE_TEST_POSTGRES_URL says otherwise. */
export const POSTGRES_TEST_URL = process.env.FLEXGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestBackend {
  name: 'SQLite' | 'PostgreSQL';
  /**
   * Options for a fresh, empty store of this backend (its own folder or
   * schema). Skips the calling test or hook, loudly, when PostgreSQL is absent.
   */
  storeOptions(context: Mocha.Context): Promise<StoreOptions>;
  /** Opens a fresh store, as `storeOptions` does. */
  open(context: Mocha.Context): Promise<Store>;
  /** Removes every folder and schema this backend created. */
  cleanup(): Promise<void>;
}

let postgresReachable: Promise<string | undefined> | undefined;

/** Undefined when reachable, else why not. Asked once per test run. */
function postgresUnavailable(): Promise<string | undefined> {
  postgresReachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgresReachable;
}

function sqliteBackend(): TestBackend {
  const dirs: string[] = [];
  const backend: TestBackend = {
    name: 'SQLite',
    async storeOptions() {
      const dir = mkdtempSync(join(tmpdir(), 'flexgate-test-'));
      dirs.push(dir);
      return { dataDir: dir };
    },
    async open(context) {
      return openGatewayStore(await backend.storeOptions(context));
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
  return backend;
}

let schemaCounter = 0;

function postgresBackend(): TestBackend {
  const schemas: string[] = [];
  const backend: TestBackend = {
    name: 'PostgreSQL',
    async storeOptions(context) {
      const why = await postgresUnavailable();
      if (why) {
        console.warn(
          `\n  !! SKIPPED on PostgreSQL: cannot reach ${POSTGRES_TEST_URL} (${why}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n`,
        );
        context.skip();
      }
      const schema = `fg_test_${process.pid}_${Date.now().toString(36)}_${schemaCounter++}`;
      schemas.push(schema);
      return { databaseUrl: POSTGRES_TEST_URL, schema };
    },
    async open(context) {
      return openGatewayStore(await backend.storeOptions(context));
    },
    async cleanup() {
      const dropping = schemas.splice(0);
      if (dropping.length === 0) return;
      const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await client.connect();
      try {
        for (const schema of dropping) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
  return backend;
}

/**
 * Declares the same tests once per database: every suite that stores
 * anything runs on SQLite and on PostgreSQL.
 */
export function forEachBackend(declare: (backend: TestBackend) => void): void {
  for (const backend of [sqliteBackend(), postgresBackend()]) {
    declare(backend);
    after(() => backend.cleanup());
  }
}

/** A journal entry as one taken in without the trust layer would be (no sender, no signature): for tests that need one in the store. */
export function unsignedJournalEntry(id: string, body: Buffer, receivedAt = new Date().toISOString()): JournalEntry {
  return {
    id,
    receivedAt,
    method: 'POST',
    path: '/anm/v1/merit-order-lists',
    contentType: 'application/json',
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
    userAgent: null,
    derived: [],
    sender: null,
    jws: null,
    certificateChain: [],
    verification: null,
  };
}
