import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the worker offers a checkpoint; one with nothing new to copy costs microseconds. */
export const CHECKPOINT_INTERVAL_MS = 100;
/** SQLite's own default threshold, given back to the connection if the worker fails. */
const AUTOCHECKPOINT_PAGES = 1000;

/** What one checkpoint that copied something reported: WAL frames in the log and frames now in the database. */
export interface CheckpointReport {
  log: number;
  checkpointed: number;
}

/**
 * The worker's whole program, plain JavaScript run with `eval`: Node 20 runs
 * no TypeScript in a worker thread under the test loader, and these lines
 * need nothing of the project. Its own connection, `synchronous=NORMAL` like
 * the gateway's (the WAL is synced before frames are copied, the database
 * after), PASSIVE checkpoints (never waiting for the writer or readers).
 */
const WORKER_PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  if (result && result.checkpointed > 0) parentPort.postMessage({ log: result.log, checkpointed: result.checkpointed });
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * WAL checkpoints off the event loop. SQLite checkpoints automatically inside
 * the COMMIT that crosses its threshold, on the committing thread: with the
 * gateway's one connection, every request in flight waited a few milliseconds
 * for it, and a second for the 465 MB a 100,000-entry merit order list writes
 * (issue 16, P1 and P2). Here the connection's own checkpoints are off and a
 * worker thread with a connection of its own copies committed frames into
 * the database every CHECKPOINT_INTERVAL_MS. Should the worker fail, the
 * connection checkpoints for itself again, so the WAL never grows unbounded.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopped: Promise<void> | undefined;
  private readonly listeners = new Set<(report: CheckpointReport) => void>();

  constructor(
    private readonly database: SqliteDatabase.Database,
    file: string,
  ) {
    database.pragma('wal_autocheckpoint = 0');
    // A WAL grown by one large transaction is cut back to this once it has been copied and restarts.
    database.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    this.worker = new Worker(WORKER_PROGRAM, {
      eval: true,
      workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    this.worker.on('message', (report: CheckpointReport) => this.listeners.forEach((listener) => listener(report)));
    this.worker.on('error', () => this.fallBack());
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.fallBack();
        resolve();
      }),
    );
    // A store left open does not keep its process alive: after the listeners, since a 'message' listener refs the worker again.
    this.worker.unref();
  }

  /** Calls `listener` after each checkpoint that copied frames (tests and diagnostics). */
  onCheckpoint(listener: (report: CheckpointReport) => void): void {
    this.listeners.add(listener);
  }

  /** Stops the worker and closes its connection, so the gateway's is the last one open (it checkpoints and removes the WAL on close). */
  stop(): Promise<void> {
    if (!this.stopped) {
      // Referenced again, or a process with nothing else left to do would end before the worker does.
      this.worker.ref();
      this.worker.postMessage('stop');
      // A worker that has already failed has already ended.
      this.stopped = this.exited;
    }
    return this.stopped;
  }

  private fallBack(): void {
    if (this.stopped || !this.database.open) return;
    this.database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
