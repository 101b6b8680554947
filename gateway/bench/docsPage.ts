import type { BenchRun } from './benchRun.ts';
import type { BenchRow } from './row.ts';
import { scalingSeries } from './scaling.ts';
import { linePlot } from './svgPlot.ts';
import { markdownTable } from './table.ts';

/** Where `--update-docs` writes, relative to the repository root. */
export const DOCS_PAGE = 'docs/benchmarks.md';
export const P2_PLOT = 'docs/benchmarks/p2-scaling.svg';
export const P3_PLOT = 'docs/benchmarks/p3-scaling.svg';

/** The unit most of a group's accepted rows use: one plot, one y axis. */
function commonestUnit(rows: readonly BenchRow[], group: string, accept: (unit: string) => boolean): string | undefined {
  const counts = new Map<string, number>();
  for (const row of rows) if (row.group === group && accept(row.unit)) counts.set(row.unit, (counts.get(row.unit) ?? 0) + 1);
  return [...counts].sort(([, a], [, b]) => b - a)[0]?.[0];
}

/**
 * docs/benchmarks.md and its scaling plots from one run: the table, when and
 * where it ran, and the P2 and P3 plots when the run has points for them.
 * Returns file contents by path, written by the runner.
 */
export function benchmarksDocs(run: BenchRun): Map<string, string> {
  const files = new Map<string, string>();
  const p2Unit = commonestUnit(run.rows, 'P2', (unit) => /entry/i.test(unit));
  const p3Unit = commonestUnit(run.rows, 'P3', (unit) => /^(ms|s)$/.test(unit));
  const p2 = scalingSeries(run.rows, 'P2', { noun: 'entr(?:y|ies)', label: 'entries' }, (unit) => unit === p2Unit);
  const p3 = scalingSeries(run.rows, 'P3', { noun: 'subscribers?|VENs?', label: 'subscribers' }, (unit) => unit === p3Unit);
  if (p2.length)
    files.set(P2_PLOT, linePlot({ title: 'P2: time per entry against document size', xLabel: 'entries', yLabel: `time per entry (${p2Unit})`, series: p2 }));
  if (p3.length) files.set(P3_PLOT, linePlot({ title: 'P3: one dispatch against subscribers', xLabel: 'subscribers', yLabel: `time (${p3Unit})`, series: p3 }));
  const plot = (path: string, caption: string, absent: string) => (files.has(path) ? `![${caption}](${path.replace(/^docs\//, '')})` : `_${absent}_`);
  const { machine } = run;
  const page = [
    '# Benchmarks',
    '',
    'The latest run of `npm run bench -- --update-docs`, which rewrites this page.',
    'Throughputs are ratios to a baseline measured in the same run — raw ES256',
    '`crypto.verify` on one core, in a process of its own — so runs on different',
    'machines compare by their ratios, not their absolute numbers. The goals are',
    "those of issue 16; `met` says whether this run met them. P1's ratios are to the same baseline measured again",
    "just before the gateway's process starts and just after its saturated phases end (its own row): the speed these shared machines give drifts too",
    'much within a run for a yardstick taken minutes earlier to hold. Timings are not unit',
    'tests: the suite checks only the shape of this table (gateway/bench/bench.test.ts).',
    '',
    `Run ${run.date} on ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}.`,
    '',
    markdownTable(run.rows),
    '',
    ...(run.notes.length ? ['Not measured in this run:', '', ...run.notes.map((note) => `- ${note}`), ''] : []),
    '## How each group is measured',
    '',
    '- **baseline**: `crypto.verify` of an ES256 signature over 4 KiB in a loop, in a child process of its own.',
    '- **trust**: envelope signing and verification next to raw `crypto` of the same keys, and signed requests',
    "  to a gateway in the runner's own process (4 in flight), as before issue 16.",
    '- **P1**: a real `flexgate serve` process on SQLite (group transactions: the requests of one event-loop turn share one commit, and each answer waits for an fsync of the WAL taken after it) over',
    '  loopback mutual TLS; a load generator in another process with 16 ANM parties × 4 requests in flight over',
    "  4 kept-alive connections each, so one party's sequence numbers overtake each other (message ids time-ordered, UUIDv7,",
    '  as the reference client makes them); 5 s warm-up, then 15 s measured,',
    '  first signed POSTs of a 10-entry merit order list, then signed GETs of one. So that the cores go to the server,',
    '  the generator signs every request before a phase starts (`iat` stays well inside the 120 s skew) and, once the',
    '  phase is over, verifies every answer as the reference client does (signature, `sts`, receipt); an answer that',
    '  fails counts as a failure. In the phase it only writes prepared bytes and reads answers (gateway/bench/wireConnection.ts).',
    "  The per-party rate limit (a deployment's policy, 100/s by default) is raised above the load: this measures capacity.",
    '  The same load then runs against a bare Node HTTPS server in the runner (gateway/bench/p1Ceiling.ts): mutual TLS, each',
    "  request's envelope verified and each response signed with a receipt, no framework and no store: what any signed",
    "  exchange costs on this machine, and the gateway's share of it. Then again against that server doing the gateway's",
    '  durable store work too (the envelope admitted in a group transaction with, for a POST, the journal entry and the',
    '  document; a GET reads the document back; every answer waits for its commit to be on disk): what remains between',
    "  it and the gateway is the gateway's own layers (decoding, reactions, idempotency records, metrics and log; the posts and",
    '  reads P1 makes take the direct lane, gateway/http/directLane.ts, so no Express chain).',
    "  The load generator reads each server's CPU time from Linux's /proc at the measured window's ends (all threads, and",
    '  the main thread alone) and its own, per request. With server and generator on the same cores, no server can answer',
    "  more than cores / (its CPU + the generator's) per request, nor one process more than its event loop allows: the",
    '  bound rows give both, for the gateway at its measured cost and for a server costing what the bare one does.',
    '  Saturated, with every request answered at once replaced by the next, the mean latency is the requests in flight over',
    "  the rate (Little's law) and p99 at least that (a row gives it): it says how fast, not how responsive. So each kind",
    "  of request then runs paced at the goal's load, its goal ratio of P1's yardstick (measured before the gateway starts",
    '  and after its saturated phases, the mean): each party starts its requests evenly spaced, still at most 4 in flight, and',
    '  latency runs from when a request was due, not when it was sent, so a gateway falling behind is charged for the',
    '  wait (no coordinated omission); requests due in the window are still sent for a third of its length after it, and',
    '  any never sent count as failures, with the latency they had reached. That p99 is the one the goal reads.',
    '- **P2**, **P3**: `gateway/bench/p2Documents.ts` and `gateway/bench/p3Fanout.ts` say what they measure in their rows;',
    "  P2's 100k-entry POST is the median of three, each to a new gateway, and P3's dispatches the medians of eleven.",
    '- **CLI**: the compiled `flexgate --help` and `node -e 0`, five runs each taken alternately, medians.',
    '',
    '## P2: time per entry against entries',
    '',
    'A flat line is the goal: at 100k entries within 1.2 × the time per entry at 10k.',
    '',
    plot(P2_PLOT, 'P2 time per entry against entries', 'This run has no P2 scaling points.'),
    '',
    '## P3: dispatch time against subscribers',
    '',
    'One event to every webhook subscriber on loopback, all healthy and with 10 % hanging.',
    '',
    plot(P3_PLOT, 'P3 dispatch time against subscribers', 'This run has no P3 scaling points.'),
    '',
  ].join('\n');
  files.set(DOCS_PAGE, page);
  return files;
}
