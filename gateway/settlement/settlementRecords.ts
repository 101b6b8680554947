import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { Problem } from '../../protocol/problem.ts';
import type { Event, ReportRequest } from '../../schemas/openadr/wire.ts';
import type { VerificationRequest } from '../../schemas/settlement/settlement.ts';
import { readTradeBook } from '../adapter/tradeBook.ts';
import { findObject, listObjects } from '../openadr/objectTable.ts';
import { RegistryIndex } from '../registry/registryIndex.ts';
import { readRegistry } from '../registry/registryRecords.ts';
import type { Store, StoreExecutor } from '../store/store.ts';
import { nominatedBaselineFromCsv, type Baseline } from './baselines.ts';
import { readingsOfMeasurementData } from './measurementInputs.ts';
import type { MeterReading } from './meterReadings.ts';
import { declarationsOfReport, dispatchOfEvent, readingsOfUsageReport } from './openadrInputs.ts';
import { settlementLines, type SettlementLine } from './statement.ts';
import { verifyDispatch, type AvailabilityDeclaration, type DispatchVerification } from './verification.ts';

const baselineOf = (input: VerificationRequest['baseline']): Baseline => (input.kind === 'nominated-csv' ? nominatedBaselineFromCsv(input.csv) : input);

/** The trades a gateway-made event carries out: the trade book of its list, the trades its contract sells in. */
async function tradeIdsOf(db: StoreExecutor, sourceKey: string | null, contractId: string): Promise<string[]> {
  const listId = sourceKey?.slice(0, sourceKey.lastIndexOf('/'));
  const book = listId ? (await readTradeBook(db, listId))?.book : undefined;
  const key = contractId.toLowerCase();
  return (book?.state.trades ?? []).filter((t) => t.sellerContractId.toLowerCase() === key).map((t) => t.tradeId);
}

/** Readings from every USAGE report VENs sent on the event, for its resource (or a report's only resource). */
async function reportedReadings(db: StoreExecutor, eventId: string, resourceId: string): Promise<MeterReading[]> {
  const reports = await listObjects<ReportRequest>(db, 'REPORT', { eventId });
  return reports.flatMap(({ body }) => {
    const named =
      body.resources.find((r) => r.resourceName.toLowerCase() === resourceId.toLowerCase()) ?? (body.resources.length === 1 ? body.resources[0] : undefined);
    return named ? readingsOfUsageReport(body, named.resourceName) : [];
  });
}

/** Declarations of availability VENs sent on the event for its resource, in the order they arrived. */
async function reportedDeclarations(db: StoreExecutor, eventId: string, resourceId: string): Promise<AvailabilityDeclaration[]> {
  const reports = await listObjects<ReportRequest>(db, 'REPORT', { eventId });
  return reports.flatMap(({ body }) => {
    const named = body.resources.find((r) => r.resourceName.toLowerCase() === resourceId.toLowerCase());
    return named ? declarationsOfReport(body, named.resourceName) : [];
  });
}

/**
 * Verifies one dispatch (its event's current revision) and stores its
 * settlement lines, replacing those of an earlier verification of the same
 * revision, in one transaction.
 */
export async function settleDispatch(store: Store, eventId: string, request: VerificationRequest, now: string): Promise<DispatchVerification> {
  return store.transaction(async (tx) => {
    const stored = await findObject<Event>(tx, 'EVENT', eventId);
    if (!stored) throw new Problem('settlement.not-found', `No event ${eventId}`);
    const [resourceId, contractId] = stored.targets;
    const tradeIds = contractId ? await tradeIdsOf(tx, stored.sourceKey, contractId) : [];
    const dispatch = dispatchOfEvent(stored.body, stored.version, tradeIds);
    const registry = new RegistryIndex(await readRegistry(tx));
    const contract = registry.contract(dispatch.contractId);
    const asset = contract && registry.coveredAsset(contract, resourceId ?? '');
    if (!contract || !asset)
      throw new Problem('settlement.contract-unknown', `Contract ${dispatch.contractId} with resource ${dispatch.resourceId} is not in the registry`);
    const readings =
      request.readings ??
      (request.measurementData === undefined
        ? await reportedReadings(tx, eventId, dispatch.resourceId)
        : readingsOfMeasurementData(request.measurementData, dispatch.contractId));
    const verification = verifyDispatch({
      dispatch,
      contract,
      asset,
      baseline: baselineOf(request.baseline),
      readings,
      ...(request.terms ? { terms: request.terms } : {}),
      declarations: await reportedDeclarations(tx, eventId, dispatch.resourceId),
    });
    await tx.deleteFrom('settlement_lines').where('event_id', '=', eventId).where('event_revision', '=', dispatch.eventRevision).execute();
    for (const line of settlementLines(verification)) {
      await tx
        .insertInto('settlement_lines')
        .values({
          event_id: line.eventId,
          event_revision: line.eventRevision,
          start: line.start,
          fsp_party_id: verification.fspPartyId,
          contract_key: line.contractId.toLowerCase(),
          trade_ids: ` ${line.tradeIds.join(' ')} `,
          dso_asset_ids: ` ${line.dsoAssetIds.join(' ')} `,
          verified_at: now,
          body: canonicalJson(line),
        })
        .execute();
    }
    return verification;
  });
}

/** An FSP's lines with a period starting in [from, to). */
export async function linesOfFsp(db: StoreExecutor, fspPartyId: string, from: string, to: string): Promise<SettlementLine[]> {
  const rows = await db
    .selectFrom('settlement_lines')
    .select('body')
    .where('fsp_party_id', '=', fspPartyId)
    .where('start', '>=', from)
    .where('start', '<', to)
    .orderBy('start')
    .orderBy('contract_key')
    .execute();
  return rows.map((r) => JSON.parse(r.body) as SettlementLine);
}

export type ChainKey = { event: string } | { trade: string } | { contract: string } | { asset: string };

/**
 * The whole chain from any link: the settlement lines naming it, and from
 * them the dispatches (event id and revision), trades, contracts and assets.
 */
export async function settlementChain(db: StoreExecutor, key: ChainKey) {
  let query = db.selectFrom('settlement_lines').select('body');
  if ('event' in key) query = query.where('event_id', '=', key.event);
  else if ('trade' in key) query = query.where('trade_ids', 'like', `% ${key.trade} %`);
  else if ('contract' in key) query = query.where('contract_key', '=', key.contract.toLowerCase());
  else query = query.where('dso_asset_ids', 'like', `% ${key.asset} %`);
  // LIKE narrows; `_` in an id is a wildcard there, so the exact test is made here.
  const lines = (await query.orderBy('start').orderBy('event_id').execute())
    .map((r) => JSON.parse(r.body) as SettlementLine)
    .filter((l) => ('trade' in key ? l.tradeIds.includes(key.trade) : 'asset' in key ? l.dsoAssetIds.includes(key.asset) : true));
  if (lines.length === 0) throw new Problem('settlement.not-found', `No settlement line links to ${Object.entries(key)[0]!.join(' ')}`);
  const unique = <T>(values: T[]) => [...new Set(values)].sort();
  return {
    dispatches: unique(lines.map((l) => `${l.eventId}#${l.eventRevision}`)).map((d) => ({ eventId: d.split('#')[0]!, eventRevision: Number(d.split('#')[1]) })),
    tradeIds: unique(lines.flatMap((l) => l.tradeIds)),
    contractIds: unique(lines.map((l) => l.contractId)),
    dsoAssetIds: unique(lines.flatMap((l) => l.dsoAssetIds)),
    lines,
  };
}
