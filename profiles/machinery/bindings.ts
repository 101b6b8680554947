import { CodecError, type Codec } from './codecs.ts';
import { getField, scopeFields, setField, type FieldTarget, type LeafBinding, type Scope } from './declaration.ts';
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
 * An element whose text follows from other values (a position, a bound of
 * an interval given elsewhere, a party named in the header). It is written
 * from them and, once the document is read, checked against them: so a
 * document that parses always rebuilds to the same text.
 */
export function derived(describe: string, compute: (scope: Scope) => string | undefined, explain = 'must repeat'): LeafBinding {
  return {
    describe,
    write: compute,
    read(text, scope, state, path) {
      state.afterRead(() => {
        let expected: string | undefined;
        try {
          expected = compute(scope);
        } catch (error) {
          if (error instanceof CodecError) return;
          throw error;
        }
        if (expected !== undefined && expected !== text) state.issue(path, `is "${text}" but ${explain} "${expected}" (${describe})`);
      });
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
  return derived(`position of the ${of}, from 1`, positionAt, 'positions must run from 1 without gaps; expected');
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
