import type { ProblemSpecs } from './spec.ts';

/** The ANM adapter: trading opportunities, matched trades, re-ordered merit order lists, trade verification. */
export const adapterProblems = {
  'adapter.unknown-contract': { status: 422, title: 'Contract is not in the merit order list' },
  'adapter.wrong-activity': { status: 422, title: 'Contract cannot take this side of a trade' },
  'adapter.same-resource': { status: 422, title: 'Buyer and seller are the same resource' },
  'adapter.not-tradeable': { status: 422, title: 'Contract may not trade (not registered, or a flexible-service contract)' },
  'adapter.wrong-constraint': { status: 422, title: 'Buyer and seller are not behind one constraint for the trade period' },
  'adapter.constraint-ambiguous': { status: 422, title: 'More than one constraint fits the trade; name its constraintId' },
  'adapter.direction-unknown': { status: 422, title: 'Constraint direction is neither given nor implied by its buyers' },
  'adapter.service-unsuitable': { status: 422, title: "Seller's service does not relieve a constraint in this direction" },
  'adapter.service-ambiguous': { status: 422, title: 'Seller can offer more than one suitable service; name the service' },
  'adapter.over-capacity': { status: 422, title: "Trade exceeds the contract's tradeable capacity" },
  'adapter.overlapping-exposure': { status: 422, title: "Overlapping trades together exceed the contract's tradeable capacity" },
  'adapter.period-mismatch': { status: 422, title: "Trade period differs from the merit order list's trading period" },
  'adapter.list-already-traded': { status: 422, title: 'Merit order list arrived already traded; trade against an original list' },
  'adapter.look-ahead-mismatch': { status: 409, title: 'Merit order list is already traded against another look-ahead' },
  'adapter.concurrent-update': { status: 409, title: 'Merit order list changed while the request was processed; retry' },
} as const satisfies ProblemSpecs;
