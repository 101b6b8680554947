import { crlNumberOf } from './crlNumber.ts';
import { issueCrl, readCrl, type IssuedCrl } from './crls.ts';
import { PkiError } from './errors.ts';
import { readPkiIndex, type PkiIndex } from './pkiIndex.ts';
import { AUTHORITY_NAMES, pkiLayout, type AuthorityName, type PkiLayout } from './pkiLayout.ts';
import { withPkiSession } from './pkiSession.ts';

export interface CrlFreshnessOptions {
  now?: Date;
  /**
   * Re-issue once less than this fraction of a CRL's validity remains
   * (default 0.5: the 7-day issuing CRL is renewed after 3½ days), leaving
   * time to notice and fix a failing refresh before Node refuses everyone.
   */
  minRemainingFraction?: number;
}

const DEFAULT_MIN_REMAINING_FRACTION = 0.5;

/**
 * The authorities whose CRL should be re-issued now: missing or unreadable,
 * older than the registry's CRL number (a crash between the two writes), or
 * with too little validity left.
 */
export async function crlsDueForRefresh(dir: string, options: CrlFreshnessOptions = {}): Promise<AuthorityName[]> {
  const layout = pkiLayout(dir);
  return crlsDue(layout, await readPkiIndex(layout), options.now ?? new Date(), options.minRemainingFraction);
}

/**
 * Re-issues the CRLs that are due. The issuing CA's comes first so that an
 * offline root key, reported as `pki.root-key-offline` afterwards, does not
 * hold it back.
 */
export async function refreshCrls(dir: string, options: CrlFreshnessOptions = {}): Promise<IssuedCrl[]> {
  return withPkiSession(dir, options.now, async (session) => {
    const due = await crlsDue(session.layout, session.index, session.now, options.minRemainingFraction);
    const issued: IssuedCrl[] = [];
    if (due.includes('issuing')) issued.push(await issueCrl(session, 'issuing'));
    if (due.includes('root')) issued.push(await issueCrl(session, 'root'));
    return issued;
  });
}

export async function crlsDue(layout: PkiLayout, index: PkiIndex, now: Date, minRemainingFraction = DEFAULT_MIN_REMAINING_FRACTION): Promise<AuthorityName[]> {
  if (!(minRemainingFraction > 0 && minRemainingFraction < 1)) {
    throw new PkiError('pki.invalid-option', 'minRemainingFraction must lie strictly between 0 and 1');
  }
  const due: AuthorityName[] = [];
  for (const authority of AUTHORITY_NAMES) {
    const crl = await readCrl(layout.crl(authority));
    const nextUpdate = crl?.nextUpdate;
    if (!crl || !nextUpdate || crlNumberOf(crl) !== index[authority].crlNumber) {
      due.push(authority);
      continue;
    }
    const validity = nextUpdate.getTime() - crl.thisUpdate.getTime();
    const remaining = nextUpdate.getTime() - now.getTime();
    if (remaining < validity * minRemainingFraction) due.push(authority);
  }
  return due;
}

export interface CrlKeeperOptions {
  /** How often to look; default every 10 minutes. */
  checkIntervalMs?: number;
  minRemainingFraction?: number;
  onRefresh?: (issued: IssuedCrl[]) => void;
  onError?: (error: Error) => void;
}

export interface CrlKeeper {
  stop(): void;
}

/**
 * Keeps a running gateway's CRLs current: checks at once, then on an
 * interval, and re-issues what is due. Files change by rename, so a
 * `watchPki` watcher picks the new CRLs up.
 */
export function keepCrlsFresh(dir: string, options: CrlKeeperOptions = {}): CrlKeeper {
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const issued = await refreshCrls(dir, options.minRemainingFraction === undefined ? {} : { minRemainingFraction: options.minRemainingFraction });
      if (issued.length > 0) options.onRefresh?.(issued);
    } catch (error) {
      options.onError?.(error as Error);
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(check, options.checkIntervalMs ?? 10 * 60_000);
  timer.unref();
  void check();
  return { stop: () => clearInterval(timer) };
}
