import type { ProblemSpecs } from './spec.ts';

/**
 * The participants, assets and contracts registry (gateway/registry/): its
 * admin API, and the consistency rules intake applies to merit order lists
 * and trades once the registry holds anything.
 */
export const registryProblems = {
  'registry.not-found': { status: 404, title: 'No such party, asset or contract in the registry' },
  'registry.reference-unknown': { status: 422, title: 'Registry entry names a party or asset the registry does not hold' },
  'registry.duplicate': { status: 422, title: 'Registry entry id given more than once' },
  'registry.csv-invalid': { status: 400, title: 'Pre-qualification CSV cannot be read (missing column, bad value)' },
  'registry.contract-unregistered': { status: 422, title: 'Contract is not registered, or not valid for the period' },
  'registry.asset-not-covered': { status: 422, title: 'Contract does not cover the resource it is paired with' },
  'registry.asset-double-offered': { status: 422, title: 'Asset is offered by two FSPs for the same window' },
} as const satisfies ProblemSpecs;

export type RegistryProblemCode = keyof typeof registryProblems;
