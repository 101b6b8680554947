import { derived } from '../machinery/bindings.ts';
import { epochOf, intervalInstantCodec } from '../machinery/codecs.ts';
import type { LeafBinding, Scope } from '../machinery/declaration.ts';
import type { Interval } from '../machinery/repetitions.ts';

/** The document's `start`/`end` window, which every TimeSeries of a dispatch or verification shares. */
export function documentWindow(scope: Scope): Interval | undefined {
  const start = scope.root.start;
  const end = scope.root.end;
  const from = typeof start === 'string' ? epochOf(start) : undefined;
  const to = typeof end === 'string' ? epochOf(end) : undefined;
  return from === undefined || to === undefined ? undefined : { start: from, end: to };
}

/** A series' copy of a window bound. */
export function windowBound(bound: 'start' | 'end'): LeafBinding {
  return derived(
    `document \`${bound}\``,
    (scope) => {
      const value = scope.root[bound];
      return intervalInstantCodec.accepts(value) ? intervalInstantCodec.write(value) : undefined;
    },
    { from: 'document' },
  );
}
