import { Problem, type ProblemItem } from '../../protocol/problem.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import type { ConsistencyMode } from '../../schemas/registry/registry.ts';
import { readTradeBook } from '../adapter/tradeBook.ts';
import type { Reaction } from '../intake.ts';
import { getRevision } from '../store/anmDocuments.ts';
import type { StoreExecutor } from '../store/store.ts';
import type { RegistryIndex } from './registryIndex.ts';
import { RegistryIndexCache } from './registryIndexCache.ts';
import { recordWarnings } from './registryRecords.ts';

const MERIT_ORDER_LIST = 'merit-order-list';
const SETTLEMENT_PERIOD_MS = 30 * 60_000;

/**
 * `enforced` (the default): a contradiction refuses the message, because the
 * ENA minimum requirements reject an instruction whose contract and DSO asset
 * do not match, and the security annex asks that one asset never be paid
 * through two FSPs. `permissive` (sandboxes, migration from an unregistered
 * estate): the message is accepted and each contradiction is recorded as a
 * warning (`GET /admin/v1/registry/warnings`). While the registry is empty
 * nothing is checked, so a gateway that keeps no registry behaves as before.
 */
export const DEFAULT_CONSISTENCY_MODE: ConsistencyMode = 'enforced';

/** The window a list revision instructs for: its trades', else one settlement period from its period start (or issue time). */
async function windowOf(db: StoreExecutor, listId: string, list: MeritOrderList, receivedAt: string): Promise<{ start: string; end: string }> {
  const book = (await readTradeBook(db, listId))?.book;
  if (book) return { start: book.state.terms.start, end: book.state.terms.end };
  const start = list.periodStart ?? list.issuedAt ?? receivedAt;
  return { start, end: new Date(Date.parse(start) + SETTLEMENT_PERIOD_MS).toISOString() };
}

/** Every contradiction between a merit order list (as re-ordered by trades, if it was) and the registry. */
export function listContradictions(index: RegistryIndex, list: MeritOrderList, window: { start: string; end: string }): ProblemItem[] {
  const items: ProblemItem[] = [];
  const offeredBy = new Map<string, { fsp: string; contractId: string }>();
  list.entries.forEach((entry, i) => {
    const contract = index.contract(entry.contractId);
    if (!contract || contract.validFrom > window.start || contract.validTo < window.end) {
      items.push({
        code: 'registry.contract-unregistered',
        detail: contract
          ? `Contract ${entry.contractId} is valid ${contract.validFrom} to ${contract.validTo}, not for ${window.start} to ${window.end}`
          : `Contract ${entry.contractId} is not registered`,
        pointer: `/entries/${i}/contractId`,
      });
      return;
    }
    const asset = index.coveredAsset(contract, entry.resourceId);
    if (!asset) {
      items.push({
        code: 'registry.asset-not-covered',
        detail: `Contract ${entry.contractId} does not cover resource ${entry.resourceId}`,
        pointer: `/entries/${i}/resourceId`,
      });
      return;
    }
    const earlier = offeredBy.get(asset.dsoAssetId);
    if (earlier && earlier.fsp !== contract.fspPartyId) {
      items.push({
        code: 'registry.asset-double-offered',
        detail: `Asset ${asset.dsoAssetId} is offered by ${earlier.fsp} (contract ${earlier.contractId}) and ${contract.fspPartyId} (contract ${entry.contractId}) for ${window.start} to ${window.end}`,
        pointer: `/entries/${i}/contractId`,
      });
    }
    offeredBy.set(asset.dsoAssetId, { fsp: contract.fspPartyId, contractId: entry.contractId });
    for (const rival of index.rivalContracts(contract, asset, window)) {
      items.push({
        code: 'registry.asset-double-offered',
        detail: `Asset ${asset.dsoAssetId} is offered by ${contract.fspPartyId} (contract ${entry.contractId}) and also contracted to ${rival.fspPartyId} (contract ${rival.contractId}) for ${window.start} to ${window.end}`,
        pointer: `/entries/${i}/contractId`,
      });
    }
  });
  return items;
}

/**
 * Checks every merit order list revision a message stored (original,
 * re-ordered by trades, arrived as CIM) against the registry, in the
 * message's transaction, before the OpenADR reaction turns it into events:
 * register it ahead of that one.
 */
export function registryConsistencyReaction(mode: ConsistencyMode = DEFAULT_CONSISTENCY_MODE, registry = new RegistryIndexCache()): Reaction {
  return async ({ tx, receivedAt }, derived) => {
    const lists = derived.filter((ref) => ref.kind === MERIT_ORDER_LIST);
    if (lists.length === 0) return [];
    const index = await registry.indexOf(tx);
    if (index.empty) return [];
    for (const ref of lists) {
      const stored = await getRevision(tx, MERIT_ORDER_LIST, ref.id, ref.revision);
      if (!stored) continue;
      const list = JSON.parse(stored.body) as MeritOrderList;
      const items = listContradictions(index, list, await windowOf(tx, ref.id, list, receivedAt));
      if (items.length === 0) continue;
      if (mode === 'enforced') throw Problem.of(items);
      const source = `${MERIT_ORDER_LIST}/${ref.id}/${ref.revision}`;
      await recordWarnings(
        tx,
        items.map((item) => ({ code: item.code, detail: item.detail, source, recordedAt: receivedAt })),
      );
    }
    return [];
  };
}
