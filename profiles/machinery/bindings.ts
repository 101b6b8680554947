import { CodecError, type Codec } from './codecs.ts';
import { MAX_READ_ISSUES, getField, scopeFields, setField, type FieldTarget, type LeafBinding, type ReadState, type Scope } from './declaration.ts';
import { onlyCode, type SimpleType } from './simpleType.ts';

const FIELD_LABEL: Record<FieldTarget['on'], string> = { header: 'header', root: 'document', item: '' };

export function describeTarget(target: FieldTarget): string {
  const label = FIELD_LABEL[target.on];
  return label ? `${label} \`${target.key}\`` : `\`${target.key}\``;
}

/** The single code of a one-value code list, written always; the type check enforces it on reading. */
export function fixed(type: SimpleType): LeafBinding {
  const code = onlyCode(type);
  return { describe: `always \`${code}\``, write: () => code, read: () => undefined };
}

/** A model field, converted by a codec. An absent field leaves an optional element out. */
export function field<T>(on: FieldTarget['on'], key: string, codec: Codec<T>): LeafBinding {
  const target: FieldTarget = { on, key };
  return {
    describe: describeTarget(target),
    target,
    write(scope) {
      const value = getField(scopeFields(scope, on), key);
      if (value === undefined) return undefined;
      if (!codec.accepts(value)) throw new CodecError(`${key} has no wire form (${codec.describe})`);
      return codec.write(value);
    },
    read(text, scope, state, path) {
      try {
        setField(scopeFields(scope, on), key, codec.read(text));
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
        state.issue(path, error.message);
      }
    },
  };
}

export const itemField = <T>(key: string, codec: Codec<T>) => field('item', key, codec);
export const rootField = <T>(key: string, codec: Codec<T>) => field('root', key, codec);
export const headerField = <T>(key: string, codec: Codec<T>) => field('header', key, codec);

/**
 * What a derived value's computation reads: `occurrence`, only what is
 * known once the element is read (its position), so it is checked at once;
 * `document`, only header and document-level fields, the same for every
 * occurrence, so occurrences are checked together by the text they give
 * (a 100k-entry document keeps one check per distinct text, not one per
 * entry); `anything`, checked per occurrence once the document is read.
 */
export type DerivedFrom = 'occurrence' | 'document' | 'anything';

/**
 * Runs `check` of what an occurrence gave once what it reads is known (see
 * `DerivedFrom`). For `document`, occurrences are gathered by the value each
 * gave (keeping as many paths as a reading reports) and checked with the
 * first occurrence's scope; `key` names the gathering, one per binding.
 */
export function checkWhenKnown<V>(
  from: DerivedFrom,
  state: ReadState,
  key: object,
  occurrence: { readonly scope: Scope; readonly given: V; readonly path: string },
  check: (scope: Scope, given: V, path: string) => void,
): void {
  const { scope, given, path } = occurrence;
  if (from === 'occurrence') return check(scope, given, path);
  if (from === 'anything') return state.afterRead(() => check(scope, given, path));
  const gathered = state.afterReadOnce(
    key,
    () => ({ scope, paths: new Map<V, string[]>() }),
    ({ scope: first, paths }) => {
      for (const [value, at] of paths) for (const each of at) check(first, value, each);
    },
  );
  const paths = gathered.paths.get(given);
  if (!paths) gathered.paths.set(given, [path]);
  else if (paths.length < MAX_READ_ISSUES) paths.push(path);
}

/**
 * An element whose text follows from other values (a position, a bound of
 * an interval given elsewhere, a party named in the header). It is written
 * from them and, once they are known, checked against them: so a document
 * that parses always rebuilds to the same text.
 */
export function derived(
  describe: string,
  compute: (scope: Scope) => string | undefined,
  options: { readonly explain?: string; readonly from?: DerivedFrom } = {},
): LeafBinding {
  const explain = options.explain ?? 'must repeat';
  const from = options.from ?? 'anything';
  const key = {};
  const check = (scope: Scope, text: string, path: string, state: ReadState) => {
    let expected: string | undefined;
    try {
      expected = compute(scope);
    } catch (error) {
      if (error instanceof CodecError) return;
      throw error;
    }
    if (expected !== undefined && expected !== text) state.issue(path, `is "${text}" but ${explain} "${expected}" (${describe})`);
  };
  return {
    describe,
    write: compute,
    read(text, scope, state, path) {
      checkWhenKnown(from, state, key, { scope, given: text, path }, (at, given, where) => check(at, given, where, state));
    },
  };
}

/** The occurrence's position, 1, 2, 3… in document order. */
export function positionInSequence(of: string, levelsUp = 0): LeafBinding {
  const positionAt = (scope: Scope) => {
    let at: Scope | undefined = scope;
    for (let k = 0; k < levelsUp; k++) at = at?.parent;
    return at === undefined ? undefined : String(at.position);
  };
  return derived(`position of the ${of}, from 1`, positionAt, { explain: 'positions must run from 1 without gaps; expected', from: 'occurrence' });
}

/** One value of an array field: the one at the occurrence's position. */
export function itemArrayElement<T>(key: string, codec: Codec<T>): LeafBinding {
  const target: FieldTarget = { on: 'item', key };
  return {
    describe: `${describeTarget(target)}[position − 1]`,
    target,
    write(scope) {
      const values = scope.item[key];
      const value: unknown = Array.isArray(values) ? values[scope.position - 1] : undefined;
      if (value === undefined) return undefined;
      if (!codec.accepts(value)) throw new CodecError(`${key}[${scope.position - 1}] has no wire form (${codec.describe})`);
      return codec.write(value);
    },
    read(text, scope, state, path) {
      try {
        const value = codec.read(text);
        const values = scope.item[key];
        const list: unknown[] = Array.isArray(values) ? values : [];
        list[scope.position - 1] = value;
        scope.item[key] = list;
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
        state.issue(path, error.message);
      }
    },
  };
}
