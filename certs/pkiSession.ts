import { pkiLayout, type PkiLayout } from './pkiLayout.ts';
import { assertPkiExists, readPkiIndex, writePkiIndex, type PkiIndex } from './pkiIndex.ts';
import { withPkiLock } from './pkiLock.ts';
import { wholeSeconds } from './pkiClock.ts';

/**
 * One locked unit of work on a PKI folder: the registry as read under the
 * lock, the clock every certificate and CRL of this unit is dated by, and
 * `commit` to write the registry back before anything that depends on it.
 */
export interface PkiSession {
  readonly layout: PkiLayout;
  readonly now: Date;
  readonly index: PkiIndex;
  commit(index: PkiIndex): Promise<void>;
}

export function pkiSession(layout: PkiLayout, index: PkiIndex, now: Date): PkiSession {
  let current = index;
  return {
    layout,
    now,
    get index() {
      return current;
    },
    async commit(next) {
      await writePkiIndex(layout, next);
      current = next;
    },
  };
}

/** Locks an initialised PKI folder and runs `work` in a session dated `now` (default: the current time). */
export async function withPkiSession<T>(dir: string, now: Date | undefined, work: (session: PkiSession) => Promise<T>): Promise<T> {
  const layout = pkiLayout(dir);
  await assertPkiExists(layout);
  return withPkiLock(layout, async () => work(pkiSession(layout, await readPkiIndex(layout), wholeSeconds(now ?? new Date()))));
}
