import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { loadVectors } from '../vectors/load.ts';
import type { LoadedCase, Role } from '../vectors/model.ts';
import { CaseContext } from './caseContext.ts';
import type { ClientHarness } from './clientUnderTest/clientHarness.ts';
import { CaseFailed, type Variables } from './exchange.ts';
import { silentProgress, type Progress } from './progress.ts';
import type { CaseResult, RunResult } from './results.ts';
import { SCRIPTS } from './scripts.ts';
import { PartyUnavailable, type Target } from './target.ts';
import type { VenProgramme } from './venProgramme.ts';

export interface RunOptions {
  roles: Role[];
  target: Target;
  /** Only these suites (all of the roles' when empty). */
  suites?: string[];
  /** Only these case ids (the self-test's faulty implementations). */
  caseIds?: string[];
  seed: number;
  fuzzRuns: number;
  /** Hard limit on each fuzz case, ms. */
  fuzzTimeMs?: number;
  progress?: Progress;
  cases?: LoadedCase[];
  /** The `ven` role: the VEN under test and the test VTN (`target` is the VTN's parties); the implementation is the VEN. */
  venProgramme?: VenProgramme;
  /** The client roles: the client under test, driven against the suite's own reference gateway (`target`). */
  client?: ClientHarness;
  /** The implementation the report and certificate name, when it is not the target (a client under test). */
  implementation?: { party: string; fingerprint: string };
}

const DEFAULT_FUZZ_TIME_MS = 60_000;

/** The suite's version: the package version and a digest of the vectors, so two runs name the same cases only when they ran the same cases. */
export function suiteVersion(cases: readonly LoadedCase[]): string {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const digest = createHash('sha256').update(JSON.stringify(cases)).digest('hex').slice(0, 12);
  return `flexgate-conformance ${version}+${digest}`;
}

export function selectCases(cases: readonly LoadedCase[], options: Pick<RunOptions, 'roles' | 'suites' | 'caseIds'>): LoadedCase[] {
  return cases.filter(
    (vector) =>
      options.roles.includes(vector.role) &&
      (!options.suites?.length || options.suites.includes(vector.suite)) &&
      (!options.caseIds?.length || options.caseIds.includes(vector.id)),
  );
}

/** Runs the selected cases in file order, one at a time (sequence numbers and replay windows see them in order). */
export async function runConformance(options: RunOptions): Promise<RunResult> {
  const all = options.cases ?? loadVectors();
  const selected = selectCases(all, options);
  const progress = options.progress ?? silentProgress;
  const startedAt = new Date().toISOString();
  const gateway = await options.target.gatewayIdentity();
  // Names the target keeps unique across runs (programs, VENs) get this nonce; the seed alone decides every fuzz input.
  const unique = randomBytes(4).toString('hex');
  const results: CaseResult[] = [];
  progress.start(selected.length);
  for (const [index, vector] of selected.entries()) {
    const result = await runCase(vector, options, baseVariables(options.target, gateway.party, unique, vector.id));
    results.push(result);
    progress.caseDone(result, index);
  }
  progress.finish();
  return {
    suiteVersion: suiteVersion(all),
    roles: options.roles,
    suites: [...new Set(selected.map((vector) => vector.suite))],
    seed: options.seed,
    fuzzRuns: options.fuzzRuns,
    target: options.target.url,
    implementation: options.venProgramme?.implementation ?? options.implementation ?? { party: gateway.party, fingerprint: gateway.thumbprint },
    startedAt,
    finishedAt: new Date().toISOString(),
    results,
    passed: results.every((result) => result.level !== 'mandatory' || result.outcome === 'passed'),
  };
}

function baseVariables(target: Target, gateway: string, unique: string, caseId: string): Variables {
  const variables: Variables = new Map<string, unknown>([
    ['gateway', gateway],
    ['unique', `${unique}-${caseId.toLowerCase()}`],
    ['uuid1', crypto.randomUUID()],
    ['uuid2', crypto.randomUUID()],
    ['seqNow', target.nextSequence('anm')],
    ['inOneHour', new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000).toISOString()],
  ]);
  for (const name of ['anm', 'dso', 'fsp', 'fsp2', 'admin'] as const) if (target.has(name)) variables.set(`party.${name}`, target.party(name));
  return variables;
}

async function runCase(vector: LoadedCase, options: RunOptions, variables: Variables): Promise<CaseResult> {
  const started = performance.now();
  const context = new CaseContext(
    options.target,
    variables,
    options.seed,
    options.fuzzRuns,
    Date.now() + (options.fuzzTimeMs ?? DEFAULT_FUZZ_TIME_MS),
    options.venProgramme,
    options.client,
  );
  const base = {
    id: vector.id,
    title: vector.title,
    clause: vector.clause,
    level: vector.level,
    role: vector.role,
    suite: vector.suite,
    apiVersion: vector.apiVersion,
  };
  const finished = (outcome: CaseResult['outcome'], message?: string): CaseResult => ({
    ...base,
    outcome,
    durationMs: Math.round(performance.now() - started),
    ...(message ? { message } : {}),
    exchanges: context.exchanges,
    notes: context.notes,
  });
  try {
    if (vector.script) {
      const script = SCRIPTS[vector.script];
      if (!script) return finished('failed', `the suite has no script "${vector.script}"`);
      await script(context, vector.params ?? {});
    } else {
      for (const step of vector.steps ?? []) await context.step(step);
    }
    return finished('passed');
  } catch (error) {
    if (error instanceof PartyUnavailable) return finished('skipped', error.message);
    if (error instanceof CaseFailed) return finished('failed', error.message);
    return finished('failed', `${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}`);
  }
}
