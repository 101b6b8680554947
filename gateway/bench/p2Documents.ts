import { buildDocument } from '../../profiles/machinery/builder.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import type { MeritOrderList } from '../../schemas/anm/meritOrderList.ts';
import { readCimDocument } from '../cim/inbound.ts';
import { DEFAULT_XML_LIMITS } from '../cim/xmlSafety.ts';
import { answerParent, isChildEntry, runInChild } from './child.ts';
import type { BenchRow } from './row.ts';

/** One size measured in a process of its own, so that its peak RSS is its own. */
interface SizeResult {
  entries: number;
  toCimMs: number;
  fromCimMs: number;
  megabytes: number;
  peakRssMiB: number;
}

const HEADER = {
  mRID: 'P2-BENCH',
  revisionNumber: 1,
  createdDateTime: '2024-10-17T13:00:00Z',
  sender: { mRID: 'GB-DSO', codingScheme: 'NGB' as const, role: 'A50' as const },
  receiver: { mRID: 'GB-FSP', codingScheme: 'NGB' as const, role: 'A56' as const },
};

function meritOrderList(entries: number): MeritOrderList {
  return {
    issuedAt: '2024-10-17T13:00:00Z',
    entries: Array.from({ length: entries }, (_, k) => ({
      order: k + 1,
      contractId: `CONTRACT-${k + 1}`,
      resourceId: `RESOURCE-${k + 1}`,
      operationType: 'ConstrainedDemand' as const,
      value_kW: 0,
      mic_kW: 700,
      mec_kW: 1200,
      activity: 'Buyer' as const,
      traded: false,
      registered: true,
    })),
  };
}

/** MOL → CIM → model for one size, in this process (the child). */
function measureSize(entries: number): SizeResult {
  const list = meritOrderList(entries);
  const started = performance.now();
  const xml = buildDocument(meritOrderListProfile, list, HEADER);
  const built = performance.now();
  const body = Buffer.from(xml);
  // A file-sized document: the gateway's body budget is not what P2 measures.
  const reading = readCimDocument(body, { ...DEFAULT_XML_LIMITS, maxBytes: 1024 * 1024 * 1024 });
  const read = performance.now();
  if (!reading.accepted) throw new Error(`the benchmark's own document was rejected: ${reading.problem.message}`);
  return {
    entries,
    toCimMs: built - started,
    fromCimMs: read - built,
    megabytes: body.length / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

const perEntryUs = (result: SizeResult) => ((result.toCimMs + result.fromCimMs) * 1000) / result.entries;

/**
 * P2 (issue 16): a merit order list to its CIM document and back, at a
 * small and a large size, each in its own process: time per entry at the
 * large size within 1.2× of the small one, and peak RSS under 512 MiB.
 */
export async function documentsBench(options: { quick: boolean } = { quick: false }): Promise<BenchRow[]> {
  const [small, large] = options.quick ? [100, 1_000] : [10_000, 100_000];
  const results: SizeResult[] = [];
  for (const entries of [small, large]) results.push(await runInChild<SizeResult>(import.meta.url, [String(entries)]));
  const [atSmall, atLarge] = results as [SizeResult, SizeResult];
  const rows: BenchRow[] = results.flatMap((result) => [
    {
      group: 'P2',
      what: `MOL → CIM, ${result.entries.toLocaleString('en-GB')} entries (${result.megabytes.toFixed(1)} MB)`,
      value: result.toCimMs,
      unit: 'ms',
    },
    { group: 'P2', what: `CIM → model (XSD included), ${result.entries.toLocaleString('en-GB')} entries`, value: result.fromCimMs, unit: 'ms' },
    { group: 'P2', what: `there and back per entry, ${result.entries.toLocaleString('en-GB')} entries`, value: perEntryUs(result), unit: 'µs' },
  ]);
  const scaling = perEntryUs(atLarge) / perEntryUs(atSmall);
  rows.push({
    group: 'P2',
    what: `time per entry at ${large.toLocaleString('en-GB')} vs ${small.toLocaleString('en-GB')}`,
    value: scaling,
    unit: '×',
    ratio: scaling,
    baseline: `per entry at ${small.toLocaleString('en-GB')}`,
    goal: '≤ 1.2×',
    met: scaling <= 1.2,
  });
  rows.push({
    group: 'P2',
    what: `peak RSS, ${large.toLocaleString('en-GB')} entries there and back`,
    value: atLarge.peakRssMiB,
    unit: 'MiB',
    goal: '< 512 MiB',
    met: atLarge.peakRssMiB < 512,
  });
  return rows;
}

if (isChildEntry(import.meta.url)) {
  await answerParent(measureSize(Number(process.argv[2])));
}
