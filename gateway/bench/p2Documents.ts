import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki, issueCertificate } from '../../certs/index.ts';
import { writeDocumentFile } from '../../profiles/machinery/builder.ts';
import { meritOrderListProfile } from '../../profiles/meritOrderList.ts';
import { readCimDocument } from '../cim/inbound.ts';
import { DEFAULT_XML_LIMITS } from '../cim/xmlSafety.ts';
import { DEFAULT_OPENADR_CONFIG } from '../openadr/config.ts';
import { meritOrderEvents } from '../openadr/meritOrderEvents.ts';
import { startGatewayProcess } from '../testing/gatewayProcess.ts';
import { answerParent, isChildEntry, runInChild } from './child.ts';
import { benchMeritOrderList, PERIOD } from './p2List.ts';
import type { PostPlan, PostResult } from './p2Post.ts';
import type { BenchRow } from './row.ts';

/** One size measured in a process of its own, so that its peak RSS is its own. */
interface SizeResult {
  entries: number;
  toCimMs: number;
  fromCimMs: number;
  toEventsMs: number;
  events: number;
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

// A file-sized document: the gateway's budgets for one request body are not what P2 measures.
const FILE_LIMITS = { ...DEFAULT_XML_LIMITS, maxBytes: 1024 ** 3, maxElements: 1e9, maxAttributes: 1e9 };

/** MOL → CIM → model → OpenADR events for one size, in this process (the child). */
function measureSize(entries: number): SizeResult {
  const folder = mkdtempSync(join(tmpdir(), 'flexgate-bench-p2-'));
  const file = join(folder, 'mol.xml');
  const started = performance.now();
  // Written as it is made (never held whole), then read back as a receiver would: the file's bytes, dropped once read.
  const bytes = writeDocumentFile(file, meritOrderListProfile, benchMeritOrderList(entries), HEADER);
  const built = performance.now();
  const reading = readCimDocument(readFileSync(file), FILE_LIMITS);
  const read = performance.now();
  rmSync(folder, { recursive: true, force: true });
  if (!reading.accepted) throw new Error(`the benchmark's own document was rejected: ${reading.problem.message}`);
  if (reading.document.kind !== 'merit-order-list') throw new Error(`the benchmark's document read as ${reading.document.kind}`);
  const events = meritOrderEvents(reading.document.model, { id: 'P2-BENCH', revision: 1 }, PERIOD, {
    programID: 'P2-BENCH-PROGRAM',
    intervalMinutes: DEFAULT_OPENADR_CONFIG.intervalMinutes,
    sellerServices: new Map(),
  });
  const evented = performance.now();
  if (events.size !== entries) throw new Error(`${entries} entries made ${events.size} events`);
  return {
    entries,
    toCimMs: built - started,
    fromCimMs: read - built,
    toEventsMs: evented - read,
    events: events.size,
    megabytes: bytes / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

const perEntryUs = (result: SizeResult) => ((result.toCimMs + result.fromCimMs + result.toEventsMs) * 1000) / result.entries;

/** A real `flexgate serve` and a client process: one signed POST of the large list, stored with its events before the answer. */
async function postThroughGateway(entries: number): Promise<PostResult> {
  const root = mkdtempSync(join(tmpdir(), 'flexgate-bench-p2-'));
  try {
    const pkiDir = join(root, 'pki');
    await ensureDevPki(pkiDir);
    await issueCertificate(pkiDir, { role: 'anm', id: 'anm-bench-p2' });
    const gateway = await startGatewayProcess(['--data-dir', join(root, 'data'), '--pki-dir', pkiDir]);
    try {
      const plan: PostPlan = { url: gateway.url, pkiDir, party: 'urn:flexgate:anm:anm-bench-p2', entries };
      return await runInChild<PostResult>(new URL('./p2Post.ts', import.meta.url).href, [JSON.stringify(plan)]);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * P2 (issue 16): a merit order list to its CIM document and back and on
 * to OpenADR events, at a small and a large size, each in its own process:
 * time per entry at the large size within 1.2× of the small one, and peak
 * RSS under 512 MiB; then the large list POSTed through a real gateway.
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
    { group: 'P2', what: `model → OpenADR events, ${result.events.toLocaleString('en-GB')} events`, value: result.toEventsMs, unit: 'ms' },
    {
      group: 'P2',
      what: `there, back and to events per entry, ${result.entries.toLocaleString('en-GB')} entries`,
      value: perEntryUs(result),
      unit: 'µs/entry',
    },
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
  const post = await postThroughGateway(large);
  const goalSeconds = options.quick ? undefined : 15;
  rows.push({
    group: 'P2',
    what: `signed POST of a ${large.toLocaleString('en-GB')}-entry MOL (TSV, ${(post.bytes / 1e6).toFixed(1)} MB) through the gateway, events included${
      post.status === 201 ? '' : ` (HTTP ${post.status}: ${post.answer})`
    }`,
    value: post.seconds,
    unit: 's',
    ...(goalSeconds === undefined ? {} : { goal: `< ${goalSeconds} s`, met: post.status === 201 && post.seconds < goalSeconds }),
  });
  return rows;
}

if (isChildEntry(import.meta.url)) {
  await answerParent(measureSize(Number(process.argv[2])));
}
