import type { ProblemSpecs } from './spec.ts';

/** Transport identity, authorisation and the signed message envelope. */
export const trustProblems = {
  'auth.client-certificate-required': { status: 401, title: 'Mutual TLS client certificate required' },
  'auth.unknown-party': { status: 403, title: 'Client certificate names no flexgate party' },
  'auth.role-forbidden': { status: 403, title: "The caller's role may not use this route" },
} as const satisfies ProblemSpecs;
