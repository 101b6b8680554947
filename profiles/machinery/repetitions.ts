import { CodecError, SETTLEMENT_PERIOD_MS, intervalText } from './codecs.ts';
import { checkWhenKnown, describeTarget, type DerivedFrom } from './bindings.ts';
import { isFields, type Fields, type ReasonKind, type Repetition, type Scope } from './declaration.ts';

function childScope(scope: Scope, item: Fields, position: number): Scope {
  return { header: scope.header, root: scope.root, item, position, parent: scope };
}

/** Exactly one occurrence, standing for the same model object as its parent. */
export function once(): Repetition {
  return {
    describe: 'once',
    min: 1,
    max: 1,
    build: (scope) => [scope],
    enter: (scope) => scope,
  };
}

/** One occurrence per element of a model array, in array order. */
export function eachOf(key: string, options: { min: 0 | 1 }): Repetition {
  const target = { on: 'item', key } as const;
  return {
    describe: `one per ${describeTarget(target)} element`,
    min: options.min,
    max: 'unbounded',
    target,
    build(scope) {
      const values = scope.item[key];
      if (values === undefined) return [];
      if (!Array.isArray(values)) throw new CodecError(`${key} is not a list`);
      return values.map((value: unknown, k) => {
        if (!isFields(value)) throw new CodecError(`${key}[${k}] is not an object`);
        return childScope(scope, value, k + 1);
      });
    },
    enter(scope, position) {
      const existing = scope.item[key];
      const list: unknown[] = Array.isArray(existing) ? existing : [];
      scope.item[key] = list;
      const draft: Fields = {};
      list[position - 1] = draft;
      return childScope(scope, draft, position);
    },
  };
}

export interface Interval {
  readonly start: number;
  readonly end: number;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v: unknown, k) => sameValue(v, b[k]));
  if (isFields(a) && isFields(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/**
 * One `Point` per settlement period of an interval (resolution PT30M), so
 * the point count is always interval / resolution. With `replicate`, every
 * point carries the same model content (a constraint holds for its whole
 * period): it is written into each point and, on reading, each point must
 * repeat the first. `arrays` are model arrays holding one value per point.
 */
export function settlementPeriods(options: {
  describe: string;
  interval: (scope: Scope) => Interval | undefined;
  /** What `interval` reads (see `DerivedFrom`): `document` when it is the document's, the same for every occurrence. */
  intervalFrom?: DerivedFrom;
  replicate?: boolean;
  arrays?: readonly string[];
}): Repetition {
  const slotsOf = (interval: Interval) => (interval.end - interval.start) / SETTLEMENT_PERIOD_MS;
  const firstPoint = new WeakMap<Fields, Fields>();
  const countsKey = {};
  return {
    describe: options.describe,
    min: 1,
    max: 'unbounded',
    ...(options.arrays ? { arrays: options.arrays } : {}),
    build(scope) {
      const interval = options.interval(scope);
      if (!interval) throw new CodecError('the period has no interval');
      const slots = slotsOf(interval);
      if (!Number.isInteger(slots) || slots < 1) {
        throw new CodecError(`${intervalText(interval.start)}/${intervalText(interval.end)} is not a whole number of settlement periods`);
      }
      for (const key of options.arrays ?? []) {
        const values = scope.item[key];
        const length = Array.isArray(values) ? values.length : 0;
        if (length !== slots) throw new CodecError(`${key} has ${length} values but the period has ${slots} settlement periods`);
      }
      return Array.from({ length: slots }, (_, k) => childScope(scope, scope.item, k + 1));
    },
    enter(scope, position) {
      return childScope(scope, options.replicate ? {} : scope.item, position);
    },
    leave(scope, child, state, path) {
      if (!options.replicate) return;
      const first = firstPoint.get(scope.item);
      if (!first) {
        firstPoint.set(scope.item, child.item);
        Object.assign(scope.item, child.item);
      } else if (!sameValue(first, child.item)) {
        state.issue(`${path}[${child.position}]`, 'differs from the first point; every point of the period carries the same content');
      }
    },
    finish(scope, count, state, path) {
      const check = (at: Scope, points: number, where: string) => {
        let interval: Interval | undefined;
        try {
          interval = options.interval(at);
        } catch (error) {
          if (error instanceof CodecError) return;
          throw error;
        }
        if (!interval) return;
        if (interval.end <= interval.start) {
          state.issue(where, `the interval ${intervalText(interval.start)}/${intervalText(interval.end)} does not end after it starts`);
          return;
        }
        const slots = slotsOf(interval);
        if (points !== slots) {
          state.issue(where, `has ${points} points; ${intervalText(interval.start)}/${intervalText(interval.end)} at resolution PT30M needs ${slots}`);
        }
      };
      checkWhenKnown(options.intervalFrom ?? 'anything', state, countsKey, { scope, given: count, path }, check);
    },
  };
}

interface ReasonReading {
  readonly claimed: Set<number>;
  last: number;
}

/**
 * The `Reason` elements of one element: each kind of reason the profile
 * declares, at most once, in the declared order (so a document rebuilds to
 * the same text). A reason no kind claims is a rule violation.
 */
export function reasons(kinds: readonly ReasonKind[], options: { min: 0 | 1 } = { min: 0 }): Repetition {
  const readings = new WeakMap<Scope, ReasonReading>();
  return {
    describe: 'one per reason below',
    min: options.min,
    max: 'unbounded',
    reasons: kinds,
    build(scope) {
      const entries = kinds.flatMap((kind) => kind.write(scope) ?? []);
      return entries.map((entry, k) => childScope(scope, { ...entry }, k + 1));
    },
    enter(scope, position) {
      return childScope(scope, {}, position);
    },
    leave(scope, child, state, path) {
      const { code, text } = child.item;
      if (typeof code !== 'string') return;
      const entry = typeof text === 'string' ? { code, text } : { code };
      const reading = readings.get(scope) ?? { claimed: new Set<number>(), last: -1 };
      readings.set(scope, reading);
      const at = `${path}[${child.position}]`;
      const index = kinds.findIndex((kind) => kind.claims(entry));
      if (index < 0) {
        state.issue(at, `reason ${code}${text === undefined ? '' : ` "${String(text).slice(0, 40)}"`} is not one this profile carries here`);
      } else if (reading.claimed.has(index)) {
        state.issue(at, `reason ${code} (${kinds[index]!.describe}) is given twice`);
      } else if (index < reading.last) {
        state.issue(at, `reason ${code} (${kinds[index]!.describe}) is out of the profile's order`);
      } else {
        reading.claimed.add(index);
        reading.last = index;
        kinds[index]!.read(entry, scope, state, at);
      }
    },
    finish(scope) {
      readings.delete(scope);
      for (const kind of kinds) kind.finish?.(scope);
    },
  };
}
