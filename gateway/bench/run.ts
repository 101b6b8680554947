import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { baselineRow } from './baseline.ts';
import { thisMachine, type BenchRun } from './benchRun.ts';
import { cliBench } from './cliStartup.ts';
import { benchmarksDocs } from './docsPage.ts';
import { FULL_INGEST, ingestBench, type IngestBenchOptions } from './p1Ingest.ts';
import { documentsBench } from './p2Documents.ts';
import { fanoutBench } from './p3Fanout.ts';
import type { BenchRow } from './row.ts';
import { textTable } from './table.ts';
import { FULL_TRUST, trustBench, type TrustBenchOptions } from './trust.ts';

const HELP = `Usage: npm run bench -- [--only GROUPS] [--out FILE] [--quick] [--update-docs]

Measures, in one run, a baseline (raw ES256 crypto.verify on one core, in its
own process) and then each group, prints one table of values, ratios to the
baseline and goals, and writes it as JSON.
  --only GROUPS    comma-separated groups among ${'trust, P1, P2, P3, CLI'} (default all)
  --out FILE       where the JSON goes (default bench-results.json)
  --quick          a tiny profile that checks the machinery, not the numbers
  --update-docs    rewrite docs/benchmarks.md and its plots (a full run of all groups)`;

const GROUPS = ['trust', 'P1', 'P2', 'P3', 'CLI'] as const;
type Group = (typeof GROUPS)[number];

interface Profile {
  baselineMs: number;
  trust: TrustBenchOptions;
  ingest: IngestBenchOptions;
  cliRuns: number;
}

const FULL: Profile = { baselineMs: 3_000, trust: FULL_TRUST, ingest: FULL_INGEST, cliRuns: 5 };
const QUICK: Profile = {
  baselineMs: 200,
  trust: { minMs: 20, requests: 8 },
  ingest: { parties: 2, inFlight: 2, warmupMs: 200, measureMs: 500, maxRequests: 100, presignPerSecond: 5_000 },
  cliRuns: 1,
};

function parseGroups(only: string | undefined): Group[] {
  if (!only) return [...GROUPS];
  return only.split(',').map((name) => {
    const group = GROUPS.find((candidate) => candidate.toLowerCase() === name.trim().toLowerCase());
    if (!group) throw new Error(`--only: unknown group "${name}"; the groups are ${GROUPS.join(', ')}`);
    return group;
  });
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      out: { type: 'string', default: 'bench-results.json' },
      quick: { type: 'boolean', default: false },
      'update-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const groups = parseGroups(values.only);
  if (values['update-docs'] && (values.quick || values.only)) throw new Error('--update-docs keeps a full run of every group: not with --quick or --only');
  const profile = values.quick ? QUICK : FULL;
  const progress = (text: string) => console.error(`bench: ${text}`);

  progress('baseline');
  const baseline = await baselineRow(profile.baselineMs);
  const rows: BenchRow[] = [baseline];
  const notes: string[] = [];
  let failed = false;
  const benches: Record<Group, () => Promise<BenchRow[] | string>> = {
    trust: () => trustBench(profile.trust),
    P1: () => ingestBench(profile.ingest, profile.baselineMs),
    P2: () => documentsBench({ quick: values.quick }),
    P3: () => fanoutBench({ quick: values.quick }),
    CLI: () => cliBench(profile.cliRuns),
  };
  for (const group of groups) {
    progress(group);
    try {
      const result = await benches[group]();
      if (typeof result === 'string') {
        notes.push(`${group} not available: ${result}`);
        progress(notes[notes.length - 1]!);
      } else rows.push(...result);
    } catch (error) {
      failed = true;
      notes.push(`${group} failed: ${(error as Error).message.split('\n')[0]}`);
      progress(`${group} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  const run: BenchRun = { date: new Date().toISOString(), machine: thisMachine(), profile: values.quick ? 'quick' : 'full', rows, notes };
  console.log(textTable(rows));
  for (const note of notes) console.log(note);
  writeFileSync(resolve(values.out), JSON.stringify(run, null, 2) + '\n');
  if (values['update-docs']) {
    for (const [path, text] of benchmarksDocs(run)) {
      const target = join(PACKAGE_ROOT, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
      progress(`wrote ${path}`);
    }
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 2;
}
