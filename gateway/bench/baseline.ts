import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { answerParent, isChildEntry, runInChild } from './child.ts';
import type { BenchRow } from './row.ts';

/**
 * The run's yardstick: raw ES256 `crypto.verify` over 4 KiB on one core, in
 * a process of its own so nothing else in the runner competes with it. Every
 * throughput goal is a fraction of this number measured in the same run.
 */
export const BASELINE_NAME = 'raw ES256 verify';

const BODY = Buffer.alloc(4096, 'flexgate merit order list entry\t');

function verifiesPerSecond(durationMs: number): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signature = sign('sha256', BODY, privateKey);
  for (let i = 0; i < 200; i++) verify('sha256', BODY, publicKey, signature);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    for (let i = 0; i < 100; i++) verify('sha256', BODY, publicKey, signature);
    count += 100;
  }
  return (count * 1000) / (performance.now() - started);
}

/** The baseline's rate now, measured for `durationMs` in a process of its own. */
export const measureBaseline = (durationMs: number): Promise<number> => runInChild<number>(import.meta.url, [String(durationMs)]);

export async function baselineRow(durationMs: number): Promise<BenchRow> {
  const value = await measureBaseline(durationMs);
  return { group: 'baseline', what: `${BASELINE_NAME} (crypto.verify, P-256, 4 KiB, one core, own process)`, value, unit: 'verifies/s' };
}

if (isChildEntry(import.meta.url)) await answerParent(verifiesPerSecond(Number(process.argv[2])));
