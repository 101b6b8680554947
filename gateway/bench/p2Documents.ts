import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki, issueCertificate } from '../../certs/index.ts';
import { buildProduct, startGatewayProcess } from '../testing/gatewayProcess.ts';
import { runInChild } from './child.ts';
import type { ReadResult, WriteResult } from './p2Directions.ts';
import type { PostPlan, PostResult } from './p2Post.ts';
import { median, type BenchRow } from './row.ts';

/** One size there and back: the writer's and the reader's figures. */
interface SizeResult extends Omit<WriteResult, 'peakRssMiB'>, Omit<ReadResult, 'peakRssMiB'> {
  entries: number;
  writerPeakRssMiB: number;
  readerPeakRssMiB: number;
  /** The larger of the two. */
  peakRssMiB: number;
}

/** One size there and back: the writer's process, then the reader's, on a file between them. */
async function measureSize(entries: number): Promise<SizeResult> {
  const folder = mkdtempSync(join(tmpdir(), 'flexgate-bench-p2-'));
  try {
    const file = join(folder, 'mol.xml');
    const directions = new URL('./p2Directions.ts', import.meta.url).href;
    const written = await runInChild<WriteResult>(directions, ['write', String(entries), file], { compiled: true });
    const read = await runInChild<ReadResult>(directions, ['read', String(entries), file], { compiled: true });
    return {
      entries,
      toCimMs: written.toCimMs,
      megabytes: written.megabytes,
      fromCimMs: read.fromCimMs,
      toEventsMs: read.toEventsMs,
      events: read.events,
      writerPeakRssMiB: written.peakRssMiB,
      readerPeakRssMiB: read.peakRssMiB,
      peakRssMiB: Math.max(written.peakRssMiB, read.peakRssMiB),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Gateways the large list is POSTed to, one after another. */
const POST_RUNS = 3;

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
 * to OpenADR events, at a small and a large size: the writer (MOL → CIM
 * file) and the reader (file → model → events) each in a process of its own,
 * as `flexgate cim from-anm` and a receiving system are. Time per entry
 * at the large size within 1.2× of the small one, and peak RSS under
 * 512 MiB in both; then the large list POSTed through a real gateway,
 * three times (each to a new one), by the median.
 */
export async function documentsBench(options: { quick: boolean } = { quick: false }): Promise<BenchRow[]> {
  const [small, large] = options.quick ? [100, 1_000] : [10_000, 100_000];
  // The writer and the reader run from dist/: built (incrementally) once for both sizes.
  buildProduct();
  const results: SizeResult[] = [];
  for (const entries of [small, large]) results.push(await measureSize(entries));
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
    what: `peak RSS, ${large.toLocaleString('en-GB')} entries there and back (writer ${atLarge.writerPeakRssMiB.toFixed(0)}, reader ${atLarge.readerPeakRssMiB.toFixed(0)} MiB)`,
    value: atLarge.peakRssMiB,
    unit: 'MiB',
    goal: '< 512 MiB',
    met: atLarge.peakRssMiB < 512,
  });
  // One POST takes 10-20 s and moves by seconds between runs on the same machine: the median of three, each on a new gateway.
  const posts: PostResult[] = [];
  for (let run = 0; run < (options.quick ? 1 : POST_RUNS); run++) posts.push(await postThroughGateway(large));
  const refused = posts.find((post) => post.status !== 201);
  const seconds = median(posts.map((post) => post.seconds));
  const goalSeconds = options.quick ? undefined : 15;
  rows.push({
    group: 'P2',
    what: `signed POST of a ${large.toLocaleString('en-GB')}-entry MOL (TSV, ${(posts[0]!.bytes / 1e6).toFixed(1)} MB) through the gateway, events included${
      posts.length > 1 ? `, median of ${posts.map((post) => post.seconds.toFixed(1)).join(', ')} s` : ''
    }${refused ? ` (HTTP ${refused.status}: ${refused.answer})` : ''}`,
    value: seconds,
    unit: 's',
    ...(goalSeconds === undefined ? {} : { goal: `< ${goalSeconds} s`, met: !refused && seconds < goalSeconds }),
  });
  return rows;
}
