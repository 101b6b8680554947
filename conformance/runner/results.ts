import { createHash } from 'node:crypto';
import type { Level, Role } from '../vectors/model.ts';
import type { Exchange } from './exchange.ts';

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface CaseResult {
  id: string;
  title: string;
  clause: string;
  level: Level;
  role: Role;
  suite: string;
  apiVersion: string;
  outcome: Outcome;
  durationMs: number;
  /** Why it failed or was skipped. */
  message?: string;
  exchanges: Exchange[];
  notes: string[];
}

export interface RunResult {
  suiteVersion: string;
  roles: Role[];
  suites: string[];
  seed: number;
  fuzzRuns: number;
  target: string;
  /** The implementation under test as its TLS certificate names it. */
  implementation: { party: string; fingerprint: string };
  startedAt: string;
  finishedAt: string;
  results: CaseResult[];
  /** Every mandatory case passed. */
  passed: boolean;
}

export function summary(run: RunResult) {
  const count = (outcome: Outcome, level?: Level) => run.results.filter((r) => r.outcome === outcome && (!level || r.level === level)).length;
  return {
    total: run.results.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    mandatoryFailed: count('failed', 'mandatory'),
    mandatorySkipped: count('skipped', 'mandatory'),
  };
}

/** SHA-256 over each case's id and outcome, in run order: what the certificate attests to. */
export function resultDigest(run: Pick<RunResult, 'results'>): string {
  const hash = createHash('sha256');
  for (const result of run.results) hash.update(`${result.id}\t${result.level}\t${result.outcome}\n`);
  return hash.digest('base64url');
}
