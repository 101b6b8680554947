import { cpus, platform, release, totalmem } from 'node:os';
import type { BenchRow } from './row.ts';

/** What one `npm run bench` run found, as written to bench-results.json and read back for the docs. */
export interface BenchRun {
  date: string;
  machine: Machine;
  profile: 'full' | 'quick';
  rows: BenchRow[];
  /** Groups not measured and why (not in this tree, failed). */
  notes: string[];
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
}

export function thisMachine(): Machine {
  const processors = cpus();
  return {
    cores: processors.length,
    cpu: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}
