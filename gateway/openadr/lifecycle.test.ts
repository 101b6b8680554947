import assert from 'node:assert/strict';
import { DISPATCH_STAGES } from '../../schemas/openadr/wire.ts';
import { Problem } from '../../protocol/problem.ts';
import { cancel, initialState, nextState, reportStep, type DispatchState, type LifecycleStep } from './lifecycle.ts';

const STATES: DispatchState[] = [...DISPATCH_STAGES, 'CANCELLED'];

const outcome = (run: () => DispatchState) => {
  try {
    return run();
  } catch (error) {
    if (error instanceof Problem) return error.code;
    throw error;
  }
};

/**
 * The whole ENA dispatch state machine, every state × every step: what is
 * allowed leads to the state shown, everything else is refused with the
 * problem type shown. A change to the machine must change this table.
 */
const EXPECTED: Record<string, Record<DispatchState, string>> = {
  'stage DECLARED': {
    REQUESTED: 'DECLARED',
    DECLARED: 'DECLARED',
    ACCEPTED: 'openadr.lifecycle-out-of-order',
    SCHEDULED: 'openadr.lifecycle-out-of-order',
    INSTRUCTED: 'openadr.lifecycle-out-of-order',
    CEASED: 'openadr.lifecycle-out-of-order',
    COMPLETED: 'openadr.lifecycle-out-of-order',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  'stage ACCEPTED': {
    REQUESTED: 'openadr.lifecycle-out-of-order',
    DECLARED: 'ACCEPTED',
    ACCEPTED: 'ACCEPTED',
    SCHEDULED: 'openadr.lifecycle-out-of-order',
    INSTRUCTED: 'openadr.lifecycle-out-of-order',
    CEASED: 'openadr.lifecycle-out-of-order',
    COMPLETED: 'openadr.lifecycle-out-of-order',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  'stage SCHEDULED': {
    REQUESTED: 'openadr.lifecycle-out-of-order',
    DECLARED: 'openadr.lifecycle-out-of-order',
    ACCEPTED: 'SCHEDULED',
    SCHEDULED: 'SCHEDULED',
    INSTRUCTED: 'openadr.lifecycle-out-of-order',
    CEASED: 'openadr.lifecycle-out-of-order',
    COMPLETED: 'openadr.lifecycle-out-of-order',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  'stage INSTRUCTED': {
    REQUESTED: 'openadr.lifecycle-out-of-order',
    DECLARED: 'openadr.lifecycle-out-of-order',
    ACCEPTED: 'INSTRUCTED',
    SCHEDULED: 'INSTRUCTED',
    INSTRUCTED: 'INSTRUCTED',
    CEASED: 'openadr.lifecycle-instruction-after-cease',
    COMPLETED: 'openadr.lifecycle-instruction-after-cease',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  'stage CEASED': {
    REQUESTED: 'openadr.lifecycle-cease-before-instruction',
    DECLARED: 'openadr.lifecycle-cease-before-instruction',
    ACCEPTED: 'openadr.lifecycle-cease-before-instruction',
    SCHEDULED: 'openadr.lifecycle-cease-before-instruction',
    INSTRUCTED: 'CEASED',
    CEASED: 'openadr.lifecycle-variation-after-end',
    COMPLETED: 'openadr.lifecycle-out-of-order',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  'stage COMPLETED': {
    REQUESTED: 'openadr.lifecycle-out-of-order',
    DECLARED: 'openadr.lifecycle-out-of-order',
    ACCEPTED: 'openadr.lifecycle-out-of-order',
    SCHEDULED: 'openadr.lifecycle-out-of-order',
    INSTRUCTED: 'COMPLETED',
    CEASED: 'COMPLETED',
    COMPLETED: 'openadr.lifecycle-variation-after-end',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  'stage REQUESTED': {
    REQUESTED: 'REQUESTED',
    DECLARED: 'openadr.lifecycle-out-of-order',
    ACCEPTED: 'openadr.lifecycle-out-of-order',
    SCHEDULED: 'openadr.lifecycle-out-of-order',
    INSTRUCTED: 'openadr.lifecycle-out-of-order',
    CEASED: 'openadr.lifecycle-out-of-order',
    COMPLETED: 'openadr.lifecycle-out-of-order',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  variation: {
    REQUESTED: 'REQUESTED',
    DECLARED: 'DECLARED',
    ACCEPTED: 'ACCEPTED',
    SCHEDULED: 'SCHEDULED',
    INSTRUCTED: 'INSTRUCTED',
    CEASED: 'openadr.lifecycle-variation-after-end',
    COMPLETED: 'openadr.lifecycle-variation-after-end',
    CANCELLED: 'openadr.lifecycle-variation-after-cancellation',
  },
  declaration: {
    REQUESTED: 'DECLARED',
    DECLARED: 'DECLARED',
    ACCEPTED: 'openadr.lifecycle-out-of-order',
    SCHEDULED: 'openadr.lifecycle-out-of-order',
    INSTRUCTED: 'openadr.lifecycle-out-of-order',
    CEASED: 'openadr.lifecycle-out-of-order',
    COMPLETED: 'openadr.lifecycle-out-of-order',
    CANCELLED: 'openadr.lifecycle-report-after-cancellation',
  },
  status: {
    REQUESTED: 'REQUESTED',
    DECLARED: 'DECLARED',
    ACCEPTED: 'ACCEPTED',
    SCHEDULED: 'SCHEDULED',
    INSTRUCTED: 'INSTRUCTED',
    CEASED: 'CEASED',
    COMPLETED: 'COMPLETED',
    CANCELLED: 'openadr.lifecycle-report-after-cancellation',
  },
  'post-action': {
    REQUESTED: 'openadr.lifecycle-out-of-order',
    DECLARED: 'openadr.lifecycle-out-of-order',
    ACCEPTED: 'openadr.lifecycle-out-of-order',
    // The intervals of a scheduled event are what a plain VEN delivers: its USAGE report completes the dispatch.
    SCHEDULED: 'COMPLETED',
    INSTRUCTED: 'COMPLETED',
    CEASED: 'COMPLETED',
    COMPLETED: 'COMPLETED',
    CANCELLED: 'openadr.lifecycle-report-after-cancellation',
  },
  cancellation: {
    REQUESTED: 'CANCELLED',
    DECLARED: 'CANCELLED',
    ACCEPTED: 'CANCELLED',
    SCHEDULED: 'CANCELLED',
    INSTRUCTED: 'CANCELLED',
    CEASED: 'openadr.lifecycle-cancel-after-delivery',
    COMPLETED: 'openadr.lifecycle-cancel-after-delivery',
    CANCELLED: 'openadr.lifecycle-already-cancelled',
  },
};

function apply(name: string, state: DispatchState): DispatchState {
  if (name === 'cancellation') return cancel(state);
  const step: LifecycleStep = name.startsWith('stage ')
    ? { kind: 'stage', stage: name.slice(6) as (typeof DISPATCH_STAGES)[number] }
    : ({ kind: name } as LifecycleStep);
  return nextState(state, step);
}

describe('ENA dispatch lifecycle (state machine)', function () {
  for (const [step, row] of Object.entries(EXPECTED)) {
    for (const state of STATES) {
      it(`${step} from ${state} → ${row[state]}`, function () {
        assert.equal(
          outcome(() => apply(step, state)),
          row[state],
        );
      });
    }
  }

  it('starts an event as requested, scheduled or instructed, never later', function () {
    assert.equal(initialState(undefined, false), 'REQUESTED');
    assert.equal(initialState(undefined, true), 'SCHEDULED');
    assert.equal(initialState('INSTRUCTED', true), 'INSTRUCTED');
    for (const late of ['DECLARED', 'ACCEPTED', 'CEASED', 'COMPLETED'] as const) {
      assert.equal(
        outcome(() => initialState(late, true)),
        'openadr.lifecycle-out-of-order',
      );
    }
  });

  it('says in every refusal of a VEN’s report what the VEN must do instead', function () {
    const detail = (state: DispatchState, step: LifecycleStep) => {
      try {
        nextState(state, step);
      } catch (error) {
        if (error instanceof Problem) return error.message;
        throw error;
      }
      return 'accepted';
    };
    assert.match(detail('SCHEDULED', { kind: 'declaration' }), /report its status \(e\.g\. OPERATING_STATE\) now, and what was delivered \(USAGE\)/);
    for (const early of ['REQUESTED', 'DECLARED', 'ACCEPTED'] as const) {
      assert.match(detail(early, { kind: 'post-action' }), /wait until the event carries intervals, and report after them/);
    }
    for (const step of ['declaration', 'status', 'post-action'] as const) {
      assert.match(detail('CANCELLED', { kind: step }), /stop reporting on it, and poll GET \/events/);
    }
  });

  it('reads what a report means from its payload types', function () {
    assert.deepEqual(reportStep(new Set(['LOAD_SHED_DELTA_AVAILABLE', 'ENERGY_SOURCE_TYPE'])), { kind: 'declaration' });
    assert.deepEqual(reportStep(new Set(['GENERATION_DELTA_AVAILABLE'])), { kind: 'declaration' });
    assert.deepEqual(reportStep(new Set(['USAGE'])), { kind: 'post-action' });
    assert.deepEqual(reportStep(new Set(['OPERATING_STATE'])), { kind: 'status' });
  });
});
