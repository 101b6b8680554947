import { Problem } from '../../protocol/problem.ts';
import { readCimDocument } from '../cim/inbound.ts';
import type { MeterReading } from './meterReadings.ts';
import { PERIOD_MINUTES, PERIOD_MS } from './settlementPeriods.ts';

/**
 * Meter readings of one contract from a MeasurementData_MarketDocument
 * (profiles/deliveryVerification.ts), read with every check inbound CIM
 * gets: each Point's metered kW becomes a reading ending at the end of its
 * settlement period.
 */
export function readingsOfMeasurementData(xml: string, contractId: string): MeterReading[] {
  const reading = readCimDocument(Buffer.from(xml, 'utf8'));
  if (!reading.accepted) throw reading.problem;
  if (reading.document.kind !== 'delivery-verification')
    throw new Problem('settlement.readings-invalid', `Expected a MeasurementData_MarketDocument, not ${reading.document.profile.root}`);
  const { model } = reading.document;
  const series = model.resources.find((r) => r.contractId.toLowerCase() === contractId.toLowerCase());
  if (!series) throw new Problem('settlement.readings-missing', `The MeasurementData document has no TimeSeries for contract ${contractId}`);
  const start = Date.parse(model.start);
  return series.metered_kW.map((kW, k) => ({ end: new Date(start + (k + 1) * PERIOD_MS).toISOString(), minutes: PERIOD_MINUTES, kW }));
}
