import { problemCatalogue, type ProblemCode } from '../schemas/problems.ts';
import type { LoadedCase } from './vectors/model.ts';

/**
 * Problem types no black-box case can make a conforming gateway produce on
 * demand, each with the reason. Everything else in the catalogue needs a
 * negative case (conformance/coverage.test.ts).
 */
export const NOT_BLACK_BOX: Partial<Record<ProblemCode, string>> = {
  'internal.error': 'a conforming gateway has no input that makes it fail internally',
  'service.unavailable': 'answered only while the gateway shuts down or starts',
  'operations.not-ready': 'answered only while a dependency (database, broker) is failing',
  'adapter.concurrent-update': 'needs another writer to revise the list during every retry of the request',
  'auth.client-certificate-required': 'a conforming gateway refuses a client without a certificate at the TLS handshake (GW-TLS-001), before any HTTP answer',
  'delivery.failed': 'the target could not prepare a notification: an internal failure',
  'delivery.abandoned': 'a dispatcher stopped during the last allowed attempt: needs the target killed mid-delivery',
  'xml.too-large': 'the CIM API takes the body budget as its XML limit, so request.body-too-large answers first (GW-REQ-004)',
  'anm.too-many-entries':
    'with the default budget (100,000 entries) the published schema bound (maxItems 100,000) answers first with schema.violation; only a deployment that lowers maxDocumentEntries produces it',
  'work.too-costly':
    "needs a document whose processing outlasts the target's time budget (heavyWorkMs, 10 s by default) on the target's hardware: no input within the size budgets is that slow on every machine, and one that is would hold the run for the whole budget",
};

/**
 * Problem types that landed after the last vectors were written and have no
 * negative case yet: listed so the coverage check holds for everything else,
 * and reported in README.md. Give each a case and remove it here (the
 * coverage test fails if one stays listed once covered).
 */
export const AWAITING_VECTORS: readonly ProblemCode[] = [];

/** The negative cases of each problem code: steps expecting it, and scripted cases declaring it. */
export function problemCoverage(cases: readonly LoadedCase[]): Map<string, string[]> {
  const coverage = new Map<string, string[]>();
  const add = (code: string, id: string) => coverage.set(code, [...new Set([...(coverage.get(code) ?? []), id])]);
  for (const vector of cases) {
    for (const step of vector.steps ?? []) if (step.expect.problem) add(step.expect.problem, vector.id);
    for (const code of vector.problems ?? []) add(code, vector.id);
  }
  return coverage;
}

/** Where the vectors disagree with the catalogue: unknown codes, and statuses other than the code's. */
export function catalogueDisagreements(cases: readonly LoadedCase[]): string[] {
  const found: string[] = [];
  for (const vector of cases) {
    for (const step of vector.steps ?? []) {
      const code = step.expect.problem;
      if (code === undefined) continue;
      const entry = problemCatalogue[code as ProblemCode] as { status: number } | undefined;
      if (!entry) found.push(`${vector.id}: ${code} is not in the problem catalogue`);
      else if (step.expect.status !== entry.status)
        found.push(`${vector.id}: ${code} is sent with ${entry.status}, the case expects ${String(step.expect.status)}`);
    }
    for (const code of vector.problems ?? []) if (!(code in problemCatalogue)) found.push(`${vector.id}: ${code} is not in the problem catalogue`);
  }
  return found;
}
