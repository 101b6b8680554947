import type { ProblemSpecs } from './spec.ts';

/** Operating the gateway: health, readiness and metrics (`/healthz`, `/readyz`, `/metrics`). */
export const operationsProblems = {
  'operations.not-ready': { status: 503, title: 'The gateway cannot serve requests now: a dependency it needs is failing' },
} as const satisfies ProblemSpecs;
