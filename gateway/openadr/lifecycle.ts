import type { DispatchStage } from '../../schemas/openadr/wire.ts';
import type { ProblemCode } from '../../schemas/problems.ts';
import { Problem } from '../../protocol/problem.ts';

/** Where an event's dispatch stands: a stage, or cancelled (the event is then deleted from the API's view). */
export type DispatchState = DispatchStage | 'CANCELLED';

/**
 * What happened to a dispatch: the ENA key service stages (seed 003 D2) as
 * the OpenADR operations that carry them (README, "Dispatch lifecycle").
 */
export type LifecycleStep =
  { kind: 'stage'; stage: DispatchStage } | { kind: 'variation' } | { kind: 'declaration' } | { kind: 'status' } | { kind: 'post-action' };

/** Stages an event may be created in: asked for, scheduled ahead, or instructed at once. */
export const INITIAL_STAGES: readonly DispatchStage[] = ['REQUESTED', 'SCHEDULED', 'INSTRUCTED'];

/** For each stage the business logic sets, the states it may follow. */
const STAGE_FROM: Record<DispatchStage, readonly DispatchState[]> = {
  REQUESTED: [],
  DECLARED: ['REQUESTED'],
  ACCEPTED: ['DECLARED'],
  SCHEDULED: ['ACCEPTED'],
  INSTRUCTED: ['ACCEPTED', 'SCHEDULED'],
  CEASED: ['INSTRUCTED'],
  COMPLETED: ['INSTRUCTED', 'CEASED'],
};

const BEFORE_INSTRUCTION: readonly DispatchState[] = ['REQUESTED', 'DECLARED', 'ACCEPTED', 'SCHEDULED'];
const DELIVERED: readonly DispatchState[] = ['CEASED', 'COMPLETED'];

function refuse(code: ProblemCode, detail: string): never {
  throw new Problem(code, detail);
}

/** Cancellation (the event's deletion), or the refusal. */
export function cancel(state: DispatchState): 'CANCELLED' {
  if (state === 'CANCELLED') refuse('openadr.lifecycle-already-cancelled', 'The dispatch was already cancelled');
  if (DELIVERED.includes(state)) refuse('openadr.lifecycle-cancel-after-delivery', `The dispatch is ${state}; it can no longer be cancelled`);
  return 'CANCELLED';
}

/** The stage a step leads to from `state`, or the refusal (each illegal transition has its own problem type). */
export function nextState(state: DispatchState, step: LifecycleStep): DispatchStage {
  switch (step.kind) {
    case 'variation':
      if (state === 'CANCELLED') refuse('openadr.lifecycle-variation-after-cancellation', 'The dispatch was cancelled; create a new event instead');
      if (DELIVERED.includes(state)) refuse('openadr.lifecycle-variation-after-end', `The dispatch is ${state}; it can no longer be varied`);
      return state as DispatchStage;
    case 'declaration':
      if (state === 'CANCELLED') refuse('openadr.lifecycle-report-after-cancellation', 'The dispatch was cancelled');
      if (state === 'REQUESTED' || state === 'DECLARED') return 'DECLARED';
      return refuse('openadr.lifecycle-out-of-order', `Availability is declared in answer to a request for services; the dispatch is ${state}`);
    case 'status':
      if (state === 'CANCELLED') refuse('openadr.lifecycle-report-after-cancellation', 'The dispatch was cancelled');
      return state as DispatchStage;
    case 'post-action':
      if (state === 'CANCELLED') refuse('openadr.lifecycle-report-after-cancellation', 'The dispatch was cancelled');
      if (BEFORE_INSTRUCTION.includes(state)) refuse('openadr.lifecycle-out-of-order', `A post-action report follows an instruction; the dispatch is ${state}`);
      return 'COMPLETED';
    case 'stage':
      return stageAfter(state, step.stage);
  }
}

function stageAfter(state: DispatchState, stage: DispatchStage): DispatchStage {
  if (state === 'CANCELLED') refuse('openadr.lifecycle-variation-after-cancellation', 'The dispatch was cancelled; create a new event instead');
  if (stage === state) return nextState(state, { kind: 'variation' });
  if (stage === 'CEASED' && BEFORE_INSTRUCTION.includes(state))
    refuse('openadr.lifecycle-cease-before-instruction', `The dispatch is ${state}: nothing to cease`);
  if (stage === 'INSTRUCTED' && DELIVERED.includes(state)) refuse('openadr.lifecycle-instruction-after-cease', `The dispatch is ${state}; issue a new event`);
  if (!STAGE_FROM[stage].includes(state)) refuse('openadr.lifecycle-out-of-order', `${stage} cannot follow ${state}`);
  return stage;
}

/** The stage a new event starts in: as given, else requested when it carries no intervals yet. */
export function initialState(stage: DispatchStage | undefined, hasIntervals: boolean): DispatchStage {
  const chosen = stage ?? (hasIntervals ? 'SCHEDULED' : 'REQUESTED');
  if (!INITIAL_STAGES.includes(chosen)) {
    refuse('openadr.lifecycle-out-of-order', `An event starts as ${INITIAL_STAGES.join(', ')}; ${chosen} needs an earlier stage`);
  }
  return chosen;
}

export const AVAILABILITY_PAYLOADS = ['LOAD_SHED_DELTA_AVAILABLE', 'GENERATION_DELTA_AVAILABLE'] as const;
export const POST_ACTION_PAYLOADS = ['USAGE', 'DEMAND', 'BASELINE'] as const;
/** Private payload types a declaration of availability must carry beside its availability (an optional GHG_INTENSITY needs no check). */
export const DECLARATION_PAYLOADS = { energySourceType: 'ENERGY_SOURCE_TYPE', assetGroupId: 'ASSET_GROUP_ID' } as const;

/** What a report means for the dispatch of its event, read from its payload types. */
export function reportStep(payloadTypes: ReadonlySet<string>): LifecycleStep {
  if (AVAILABILITY_PAYLOADS.some((t) => payloadTypes.has(t))) return { kind: 'declaration' };
  if (POST_ACTION_PAYLOADS.some((t) => payloadTypes.has(t))) return { kind: 'post-action' };
  return { kind: 'status' };
}
