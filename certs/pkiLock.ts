import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { PkiError } from './errors.ts';
import type { PkiLayout } from './pkiLayout.ts';

const RETRY_MS = 25;
const DEFAULT_TIMEOUT_MS = 60_000;
/** A lock file still empty after this long was left by a process that died between creating and writing it. */
const EMPTY_LOCK_STALE_MS = 10_000;

/**
 * Runs `work` while holding the PKI folder's lock file, so two CLI runs (or the
 * CLI and the gateway's CRL keeper) never interleave their read-modify-write
 * of the registry and the CRLs. A lock whose process is gone is taken over.
 */
export async function withPkiLock<T>(layout: PkiLayout, work: () => Promise<T>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  await acquire(layout.lock, timeoutMs);
  try {
    return await work();
  } finally {
    await rm(layout.lock, { force: true });
  }
}

async function acquire(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(path)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PkiError('pki.lock-timeout', `${path} is held by another flexgate process; delete it only if none is running`);
    }
    await delay(RETRY_MS);
  }
}

async function isStale(path: string): Promise<boolean> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const pid = Number(content.trim());
  if (content.trim() === '' || !Number.isSafeInteger(pid) || pid <= 0) {
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    return Date.now() - mtimeMs > EMPTY_LOCK_STALE_MS;
  }
  return !processIsAlive(pid);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
