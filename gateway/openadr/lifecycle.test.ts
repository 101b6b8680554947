import assert from 'node:assert/strict';
import { DISPATCH_STAGES } from '../../schemas/openadr/wire.ts';
import { Problem } from '../../protocol/problem.ts';
import { cancel, initialState, nextState, reportStep, type DispatchState, type LifecycleStep } from './lifecycle.ts';

const STATES: DispatchState[] = [...DISPATCH_STAGES, 'CANCELLED'];
const COLUMNS: DispatchState[] = ['REQUESTED', 'DECLARED', 'ACCEPTED', 'SCHEDULED', 'INSTRUCTED', 'CEASED', 'COMPLETED', 'CANCELLED'];

const outcome = (run: () => DispatchState) => {
  try {
    return run();
  } catch (error) {
    if (error instanceof Problem) return error.code;
    throw error;
  }
};

/** The problem types of the table below, named short so that each step's row stands on one line. */
const OUT_OF_ORDER = 'openadr.lifecycle-out-of-order';
const VARIED_CANCELLED = 'openadr.lifecycle-variation-after-cancellation';
const VARIED_ENDED = 'openadr.lifecycle-variation-after-end';
const REPORT_CANCELLED = 'openadr.lifecycle-report-after-cancellation';
const CEASE_EARLY = 'openadr.lifecycle-cease-before-instruction';
const INSTRUCT_LATE = 'openadr.lifecycle-instruction-after-cease';
const CANCEL_DELIVERED = 'openadr.lifecycle-cancel-after-delivery';
const CANCELLED_TWICE = 'openadr.lifecycle-already-cancelled';

/**
 * The whole ENA dispatch state machine, every state × every step: what is
 * allowed leads to the state shown, everything else is refused with the
 * problem type shown. A change to the machine must change this table.
 * Columns: the state the step is applied in, in the order of `COLUMNS`.
 */
// prettier-ignore
const EXPECTED: Record<string, string[]> = {
  // step applied in: REQUESTED         DECLARED          ACCEPTED          SCHEDULED         INSTRUCTED        CEASED            COMPLETED         CANCELLED
  'stage DECLARED':   ['DECLARED',       'DECLARED',       OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     VARIED_CANCELLED],
  'stage ACCEPTED':   [OUT_OF_ORDER,     'ACCEPTED',       'ACCEPTED',       OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     VARIED_CANCELLED],
  'stage SCHEDULED':  [OUT_OF_ORDER,     OUT_OF_ORDER,     'SCHEDULED',      'SCHEDULED',      OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     VARIED_CANCELLED],
  'stage INSTRUCTED': [OUT_OF_ORDER,     OUT_OF_ORDER,     'INSTRUCTED',     'INSTRUCTED',     'INSTRUCTED',     INSTRUCT_LATE,    INSTRUCT_LATE,    VARIED_CANCELLED],
  'stage CEASED':     [CEASE_EARLY,      CEASE_EARLY,      CEASE_EARLY,      CEASE_EARLY,      'CEASED',         VARIED_ENDED,     OUT_OF_ORDER,     VARIED_CANCELLED],
  'stage COMPLETED':  [OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     'COMPLETED',      'COMPLETED',      VARIED_ENDED,     VARIED_CANCELLED],
  'stage REQUESTED':  ['REQUESTED',      OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     VARIED_CANCELLED],
  variation:          ['REQUESTED',      'DECLARED',       'ACCEPTED',       'SCHEDULED',      'INSTRUCTED',     VARIED_ENDED,     VARIED_ENDED,     VARIED_CANCELLED],
  declaration:        ['DECLARED',       'DECLARED',       OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     REPORT_CANCELLED],
  status:             ['REQUESTED',      'DECLARED',       'ACCEPTED',       'SCHEDULED',      'INSTRUCTED',     'CEASED',         'COMPLETED',      REPORT_CANCELLED],
  'post-action':      [OUT_OF_ORDER,     OUT_OF_ORDER,     OUT_OF_ORDER,     'COMPLETED',      'COMPLETED',      'COMPLETED',      'COMPLETED',      REPORT_CANCELLED],
  cancellation:       ['CANCELLED',      'CANCELLED',      'CANCELLED',      'CANCELLED',      'CANCELLED',      CANCEL_DELIVERED, CANCEL_DELIVERED, CANCELLED_TWICE],
};

function apply(name: string, state: DispatchState): DispatchState {
  if (name === 'cancellation') return cancel(state);
  const step: LifecycleStep = name.startsWith('stage ')
    ? { kind: 'stage', stage: name.slice(6) as (typeof DISPATCH_STAGES)[number] }
    : ({ kind: name } as LifecycleStep);
  return nextState(state, step);
}

describe('ENA dispatch lifecycle (state machine)', function () {
  it('has a column for every state', function () {
    assert.deepEqual([...COLUMNS].sort(), [...STATES].sort());
    for (const row of Object.values(EXPECTED)) assert.equal(row.length, COLUMNS.length);
  });

  for (const [step, row] of Object.entries(EXPECTED)) {
    for (const state of STATES) {
      const expected = row[COLUMNS.indexOf(state)];
      it(`${step} from ${state} → ${expected}`, function () {
        assert.equal(
          outcome(() => apply(step, state)),
          expected,
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
