import { describeTarget } from './bindings.ts';
import { CodecError, type Codec } from './codecs.ts';
import { getField, scopeFields, setField, type Fact, type FieldTarget, type ReasonKind } from './declaration.ts';

/** ESMP reason code A95, "Complementary information": the home of ANM fields with no ESMP element. */
export const COMPLEMENTARY_INFORMATION = 'A95';

/** A fact carrying one model field through a codec; absent fields are left out. */
export function fieldFact<T>(on: FieldTarget['on'], key: string, codec: Codec<T>): Fact {
  const target: FieldTarget = { on, key };
  return {
    key,
    describe: `${describeTarget(target)}: ${codec.describe}`,
    target,
    write(scope) {
      const value = getField(scopeFields(scope, on), key);
      if (value === undefined) return undefined;
      if (!codec.accepts(value)) throw new CodecError(`${key} has no wire form (${codec.describe})`);
      return codec.write(value);
    },
    read(value, scope, state, path) {
      try {
        setField(scopeFields(scope, on), key, codec.read(value));
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
        state.issue(path, `${key}: ${error.message}`);
      }
    },
  };
}

/**
 * One A95 reason whose text is `key=value` facts separated by single spaces,
 * in the declared order. Values are codes, numbers, booleans and instants,
 * none of which contains a space.
 */
export function complementaryFacts(facts: readonly Fact[]): ReasonKind {
  const order = new Map(facts.map((f, k) => [f.key, k]));
  return {
    code: COMPLEMENTARY_INFORMATION,
    describe: `facts ${facts.map((f) => `\`${f.key}\``).join(', ')}`,
    targets: facts.flatMap((f) => (f.target ? [f.target] : [])),
    facts,
    write(scope) {
      const tokens: string[] = [];
      for (const fact of facts) {
        const value = fact.write(scope);
        if (value === undefined) continue;
        if (/[\s=]/.test(value) || value === '') throw new CodecError(`${fact.key} "${value}" cannot be written as a fact`);
        tokens.push(`${fact.key}=${value}`);
      }
      return tokens.length === 0 ? undefined : { code: COMPLEMENTARY_INFORMATION, text: tokens.join(' ') };
    },
    claims: (entry) => entry.code === COMPLEMENTARY_INFORMATION && entry.text !== undefined && order.has(entry.text.split('=', 1)[0]!),
    read(entry, scope, state, path) {
      let last = -1;
      for (const token of (entry.text ?? '').split(' ')) {
        const equals = token.indexOf('=');
        const key = equals < 0 ? token : token.slice(0, equals);
        const index = order.get(key);
        if (equals < 0 || index === undefined) {
          state.issue(path, `"${token.slice(0, 40)}" is not a fact of this reason (${[...order.keys()].join(', ')}), written key=value, one space apart`);
        } else if (index <= last) {
          state.issue(path, `fact ${key} is repeated or out of order (${[...order.keys()].join(', ')})`);
        } else {
          last = index;
          facts[index]!.read(token.slice(equals + 1), scope, state, path);
        }
      }
    },
  };
}

/** One A95 reason whose text is `key=` followed by a free text field, verbatim. */
export function complementaryText(on: FieldTarget['on'], key: string): ReasonKind {
  const target: FieldTarget = { on, key };
  const prefix = `${key}=`;
  return {
    code: COMPLEMENTARY_INFORMATION,
    describe: `\`${prefix}\` then ${describeTarget(target)} verbatim`,
    targets: [target],
    write(scope) {
      const value = getField(scopeFields(scope, on), key);
      if (value === undefined) return undefined;
      if (typeof value !== 'string') throw new CodecError(`${key} is not text`);
      return { code: COMPLEMENTARY_INFORMATION, text: prefix + value };
    },
    claims: (entry) => entry.code === COMPLEMENTARY_INFORMATION && entry.text !== undefined && entry.text.startsWith(prefix),
    read(entry, scope) {
      setField(scopeFields(scope, on), key, (entry.text ?? '').slice(prefix.length));
    },
  };
}

/** A boolean model field shown by the presence of a reason code (without text); absent means false. */
export function flagReason(code: string, key: string, meaning: string): ReasonKind {
  const target: FieldTarget = { on: 'item', key };
  return {
    code,
    describe: `${meaning}: present when ${describeTarget(target)} is true`,
    targets: [target],
    write: (scope) => (scope.item[key] === true ? { code } : undefined),
    claims: (entry) => entry.code === code,
    read(entry, scope, state, path) {
      if (entry.text !== undefined) state.issue(path, `reason ${code} carries no text in this profile`);
      scope.item[key] = true;
    },
    finish(scope) {
      scope.item[key] ??= false;
    },
  };
}
