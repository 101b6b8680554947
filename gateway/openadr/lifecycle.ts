import { AVAILABILITY_PAYLOADS, POST_ACTION_PAYLOADS, type DispatchStage } from '../../schemas/openadr/wire.ts';
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
/** Stages before the event carries what to deliver: a post-action report cannot follow them. */
const BEFORE_SCHEDULING: readonly DispatchState[] = ['REQUESTED', 'DECLARED', 'ACCEPTED'];
const DELIVERED: readonly DispatchState[] = ['CEASED', 'COMPLETED'];
const CANCELLED_DETAIL = 'The dispatch was cancelled (the event is deleted): stop reporting on it, and poll GET /events for the events that replace it';

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
      if (state === 'CANCELLED') refuse('openadr.lifecycle-report-after-cancellation', CANCELLED_DETAIL);
      if (state === 'REQUESTED' || state === 'DECLARED') return 'DECLARED';
      return refuse(
        'openadr.lifecycle-out-of-order',
        `Availability (${AVAILABILITY_PAYLOADS.join(', ')}) is declared in answer to a request for services, and this dispatch is ${state}: ` +
          'report its status (e.g. OPERATING_STATE) now, and what was delivered (USAGE) once its intervals are over',
      );
    case 'status':
      if (state === 'CANCELLED') refuse('openadr.lifecycle-report-after-cancellation', CANCELLED_DETAIL);
      return state as DispatchStage;
    case 'post-action':
      if (state === 'CANCELLED') refuse('openadr.lifecycle-report-after-cancellation', CANCELLED_DETAIL);
      if (BEFORE_SCHEDULING.includes(state)) {
        refuse(
          'openadr.lifecycle-out-of-order',
          `A post-action report (${POST_ACTION_PAYLOADS.join(', ')}) says what was delivered, and this dispatch is ${state}: it has no intervals to deliver yet. ` +
            'Declare availability (LOAD_SHED_DELTA_AVAILABLE) if asked, wait until the event carries intervals, and report after them',
        );
      }
      // A scheduled event's intervals are what a plain VEN acts on: its post-action report is the evidence of delivery, and completes the dispatch.
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
  if (!STAGE_FROM[stage].includes(state))
    refuse('openadr.lifecycle-out-of-order', `${stage} cannot follow ${state}: the dispatch must be ${STAGE_FROM[stage].join(' or ') || 'new'} first`);
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

/** What a report means for the dispatch of its event, read from its payload types. */
export function reportStep(payloadTypes: ReadonlySet<string>): LifecycleStep {
  if (AVAILABILITY_PAYLOADS.some((t) => payloadTypes.has(t))) return { kind: 'declaration' };
  if (POST_ACTION_PAYLOADS.some((t) => payloadTypes.has(t))) return { kind: 'post-action' };
  return { kind: 'status' };
}
