import { ACTIVITY_OF_OPERATION, MeritOrderListInput, type MeritOrderEntry, type MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { Problem, ProblemCollector } from '../../protocol/problem.ts';
import { formatUtc, parseInstant } from '../../protocol/time/ukTime.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { attempt, type Locator } from '../../protocol/anmTabular/reading.ts';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './documentLimits.ts';

export const validateMeritOrderListInput = compileValidator(MeritOrderListInput);

/**
 * Turns a schema-valid merit order list into canonical form (UTC instants,
 * entries sorted by order) after checking the rules a schema cannot state.
 * Every violation is reported, each at its JSON pointer (and cell, for tables).
 */
export function normaliseMeritOrderList(input: MeritOrderListInput, locate: Locator, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): MeritOrderList {
  const problems = new ProblemCollector();
  const at = (pointer: string) => ({ pointer, ...locate(pointer) });
  if (input.entries.length > limits.maxDocumentEntries) {
    throw new Problem(
      'anm.too-many-entries',
      `The list has ${input.entries.length} entries; at most ${limits.maxDocumentEntries} are accepted`,
      at(`/entries/${limits.maxDocumentEntries}`),
    );
  }
  const instant = (value: string | number | undefined, pointer: string) =>
    value === undefined ? undefined : attempt(problems, () => formatUtc(parseInstant(value, at(pointer))));

  const firstAtOrder = new Map<number, number>();
  const firstWithContract = new Map<string, number>();
  input.entries.forEach((entry, i) => {
    const pointer = `/entries/${i}`;
    const earlier = firstAtOrder.get(entry.order);
    if (earlier !== undefined) {
      problems.add('anm.order-duplicate', `Order ${entry.order} is given to entries ${earlier} and ${i}`, at(`${pointer}/order`));
    } else {
      firstAtOrder.set(entry.order, i);
    }
    // Ids differing only in case are the same contract to a person reading the list.
    const contractKey = entry.contractId.toLowerCase();
    const sameContract = firstWithContract.get(contractKey);
    if (sameContract !== undefined) {
      problems.add(
        'anm.contract-duplicate',
        `Contract "${entry.contractId}" already appears at entry ${sameContract} ("${input.entries[sameContract]!.contractId}")`,
        at(`${pointer}/contractId`),
      );
    } else {
      firstWithContract.set(contractKey, i);
    }
    const expected = ACTIVITY_OF_OPERATION[entry.operationType];
    if (entry.activity !== expected) {
      problems.add('anm.activity-mismatch', `${entry.operationType} is a ${expected} contract, not a ${entry.activity}`, at(`${pointer}/activity`));
    }
    for (const field of ['mic_kW', 'mec_kW'] as const) {
      if (entry[field] < 0) problems.add('anm.negative-capacity', `${field} is ${entry[field]}; capacities cannot be negative`, at(`${pointer}/${field}`));
    }
  });

  const orders = [...firstAtOrder.keys()].sort((a, b) => a - b);
  const gapAt = orders.findIndex((order, k) => order !== k + 1);
  if (gapAt >= 0 && firstAtOrder.size === input.entries.length) {
    const missing = gapAt + 1;
    problems.add(
      'anm.order-gap',
      `Orders must run 1..${input.entries.length} without gaps; ${missing} is missing`,
      at(`/entries/${firstAtOrder.get(orders[gapAt]!)}/order`),
    );
  }

  const issuedAt = instant(input.issuedAt, '/issuedAt');
  const periodStart = instant(input.periodStart, '/periodStart');
  const receivedAt = instant(input.receivedAt, '/receivedAt');
  problems.throwIfAny();

  const entries: MeritOrderEntry[] = [...input.entries].sort((a, b) => a.order - b.order);
  return {
    ...(issuedAt ? { issuedAt } : {}),
    ...(periodStart ? { periodStart } : {}),
    ...(input.scenario !== undefined ? { scenario: input.scenario } : {}),
    ...(receivedAt ? { receivedAt } : {}),
    entries,
  };
}
