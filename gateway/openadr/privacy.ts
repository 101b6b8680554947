import type { ValuesMap } from '../../schemas/openadr/wire.ts';
import { Problem } from '../../protocol/problem.ts';
import type { StoreExecutor } from '../store/store.ts';
import { isEnaTarget } from './enaTargets.ts';
import { listObjects, type StoredObject } from './objectTable.ts';
import type { Principal } from './tokens.ts';

/**
 * The targets the business logic granted a client: those of its VENs and of
 * their resources (kept in `openadr_grants`, indexTables.ts). Only the business logic sets targets, so a VEN cannot
 * widen what it sees by naming a resource after someone else's.
 */
export async function grantedTargets(db: StoreExecutor, clientId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('openadr_grants').select('target').where('client_id', '=', clientId).execute();
  return new Set(rows.map((row) => row.target));
}

/**
 * Programs and events without targets are for every VEN; otherwise one shared
 * target is enough, other than the ENA fields an event also names
 * (enaTargets.ts), which describe it and grant no one sight of it.
 */
export function targetedAt(object: StoredObject<unknown>, granted: ReadonlySet<string>): boolean {
  return object.targets.length === 0 || object.targets.some((t) => !isEnaTarget(t) && granted.has(t));
}

/** What a principal may see of targeted objects (programs, events): everything for the business logic. */
export async function targetFilter(db: StoreExecutor, principal: Principal): Promise<(object: StoredObject<unknown>) => boolean> {
  if (principal.businessLogic) return () => true;
  const granted = await grantedTargets(db, principal.clientId);
  return (object) => targetedAt(object, granted);
}

/** VEN-side objects (VENs, resources, reports, subscriptions) belong to one client; the business logic sees them all. */
export const ownedBy = (object: StoredObject<unknown>, principal: Principal) => principal.businessLogic || object.clientId === principal.clientId;

/** The `FLEXGATE_SIGNATURES_REQUIRED` attribute: `[true]` makes the flexgate envelope mandatory for the VEN's client. */
export const SIGNATURES_REQUIRED_ATTRIBUTE = 'FLEXGATE_SIGNATURES_REQUIRED';

export function requiresSignatures(attributes: readonly ValuesMap[] | null | undefined): boolean {
  return (attributes ?? []).some((a) => a.type === SIGNATURES_REQUIRED_ATTRIBUTE && a.values.includes(true));
}

/** Refuses an unsigned request from a client one of whose VENs requires signatures. */
export async function enforceSignaturePolicy(db: StoreExecutor, clientId: string, signed: boolean): Promise<void> {
  if (signed) return;
  const vens = await listObjects<{ attributes?: ValuesMap[] | null }>(db, 'VEN', { clientId });
  const strict = vens.find((ven) => requiresSignatures(ven.body.attributes));
  if (strict) {
    throw new Problem(
      'openadr.signature-required',
      `VEN ${strict.name ?? strict.id} requires every request to carry the flexgate signature (attribute ${SIGNATURES_REQUIRED_ATTRIBUTE})`,
    );
  }
}
