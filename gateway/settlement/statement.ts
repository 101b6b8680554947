import { buildDocument } from '../../profiles/machinery/builder.ts';
import { deliveryVerificationProfile } from '../../profiles/deliveryVerification.ts';
import type { DocumentHeader } from '../../profiles/models/documentHeader.ts';
import type { DeliveryVerification } from '../../profiles/models/deliveryVerification.ts';
import type { Asset } from '../../schemas/registry/registry.ts';
import type { DispatchVerification, VerifiedPeriod } from './verification.ts';
import { PERIOD_MINUTES, PERIOD_MS } from './settlementPeriods.ts';

/** One line of a statement: one dispatch in one settlement period, keyed to the event (id, revision), trades, contract and assets. */
export interface SettlementLine extends VerifiedPeriod {
  eventId: string;
  eventRevision: number;
  tradeIds: string[];
  contractId: string;
  dsoAssetIds: string[];
  resourceId: string;
  performanceFactor_bp: number;
  multiplier_bp: number;
}

/** What one FSP is owed for a statement period, in whole minor units. */
export interface SettlementStatement {
  fspPartyId: string;
  from: string;
  to: string;
  currency: string;
  lines: SettlementLine[];
  availabilityTotal: number;
  utilisationTotal: number;
  total: number;
}

export function settlementLines(verification: DispatchVerification): SettlementLine[] {
  const { dispatch } = verification;
  return verification.periods.map((p) => ({
    eventId: dispatch.eventId,
    eventRevision: dispatch.eventRevision,
    tradeIds: dispatch.tradeIds,
    contractId: verification.contractId,
    dsoAssetIds: verification.dsoAssetIds,
    resourceId: dispatch.resourceId,
    settlementDate: p.settlementDate,
    period: p.period,
    start: p.start,
    instructed_kW: p.instructed_kW,
    baseline_kW: p.baseline_kW,
    metered_kWmin: p.metered_kWmin,
    delivered_kWmin: p.delivered_kWmin,
    counted_kWmin: p.counted_kWmin,
    performanceFactor_bp: verification.performanceFactor_bp,
    multiplier_bp: verification.multiplier_bp,
    availabilityPayment: p.availabilityPayment,
    utilisationPayment: p.utilisationPayment,
    ...(p.declaredAvailable_kW === undefined ? {} : { declaredAvailable_kW: p.declaredAvailable_kW }),
    ...(p.confidence_pct === undefined ? {} : { confidence_pct: p.confidence_pct }),
  }));
}

/** The statement of one FSP for [from, to): its lines in time order, and the totals. One currency per statement. */
export function settlementStatement(fspPartyId: string, from: string, to: string, verifications: readonly DispatchVerification[]): SettlementStatement {
  const lines = verifications
    .filter((v) => v.fspPartyId === fspPartyId)
    .flatMap(settlementLines)
    .filter((l) => l.start >= from && l.start < to)
    .sort((a, b) => (a.start === b.start ? a.contractId.localeCompare(b.contractId) : a.start < b.start ? -1 : 1));
  const currency = lines[0]?.availabilityPayment.currency ?? 'GBP';
  const availabilityTotal = lines.reduce((sum, l) => sum + l.availabilityPayment.amount, 0);
  const utilisationTotal = lines.reduce((sum, l) => sum + l.utilisationPayment.amount, 0);
  return { fspPartyId, from, to, currency, lines, availabilityTotal, utilisationTotal, total: availabilityTotal + utilisationTotal };
}

const CSV_COLUMNS = [
  'settlement_date',
  'settlement_period',
  'start_utc',
  'event_id',
  'event_revision',
  'trade_ids',
  'contract_id',
  'dso_asset_ids',
  'instructed_kW',
  'baseline_kW',
  'metered_kWh',
  'delivered_kWh',
  'counted_kWh',
  'performance_factor_percent',
  'multiplier_percent',
  'availability_minor_units',
  'utilisation_minor_units',
  'currency',
  'declared_available_kW',
  'confidence_percent',
] as const;

const kWh = (kWmin: number) => (kWmin / 60).toFixed(3);
const percent = (bp: number) => (bp / 100).toFixed(2);
const cell = (value: string | number) => (/[",\r\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));

/** The statement as CSV, one row per line; energy in kWh to 3 decimals (exact: kW·min / 60), money in whole minor units; declared kW and confidence empty where nothing was declared. */
export function statementCsv(statement: SettlementStatement): string {
  const rows = statement.lines.map((l) =>
    [
      l.settlementDate,
      l.period,
      l.start,
      l.eventId,
      l.eventRevision,
      l.tradeIds.join(' '),
      l.contractId,
      l.dsoAssetIds.join(' '),
      l.instructed_kW,
      l.baseline_kW,
      kWh(l.metered_kWmin),
      kWh(l.delivered_kWmin),
      kWh(l.counted_kWmin),
      percent(l.performanceFactor_bp),
      percent(l.multiplier_bp),
      l.availabilityPayment.amount,
      l.utilisationPayment.amount,
      l.availabilityPayment.currency,
      l.declaredAvailable_kW ?? '',
      l.confidence_pct ?? '',
    ]
      .map(cell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/**
 * The verification model of the MeasurementData profile: per dispatch,
 * average metered kW (rounded) and the baseline over the common window, and
 * the registered asset behind the resource (ENA D2 minimum fields).
 */
export function measurementModel(
  verifications: readonly DispatchVerification[],
  assetOfResource: (resourceId: string) => Asset | undefined,
): DeliveryVerification {
  const starts = verifications.flatMap((v) => v.periods.map((p) => Date.parse(p.start)));
  const startMs = Math.min(...starts);
  const endMs = Math.max(...starts) + PERIOD_MS;
  const count = (endMs - startMs) / PERIOD_MS;
  return {
    start: new Date(startMs).toISOString().replace('.000Z', 'Z'),
    end: new Date(endMs).toISOString().replace('.000Z', 'Z'),
    resources: verifications.map((v) => {
      const metered_kW = new Array<number>(count).fill(0);
      const baseline_kW = new Array<number>(count).fill(0);
      for (const p of v.periods) {
        const k = (Date.parse(p.start) - startMs) / PERIOD_MS;
        metered_kW[k] = Math.round(p.metered_kWmin / PERIOD_MINUTES);
        baseline_kW[k] = p.baseline_kW;
      }
      const asset = assetOfResource(v.dispatch.resourceId);
      const registeredAsset = asset && { dsoAssetId: asset.dsoAssetId, assetGroupId: asset.assetGroupId, energySource: asset.energySource };
      return { contractId: v.contractId, resourceId: v.dispatch.resourceId, metered_kW, baseline_kW, ...(registeredAsset ? { registeredAsset } : {}) };
    }),
  };
}

/** The verification result as a MeasurementData_MarketDocument (profiles/deliveryVerification.ts). */
export function measurementDocument(
  verifications: readonly DispatchVerification[],
  assetOfResource: (resourceId: string) => Asset | undefined,
  header: DocumentHeader,
): string {
  return buildDocument(deliveryVerificationProfile, measurementModel(verifications, assetOfResource), header);
}
