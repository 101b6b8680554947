import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, withCanonicalMembers } from './canonicalJson.ts';

describe('canonicalJson: withCanonicalMembers', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const object = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 8 });
  const members = fc.dictionary(fc.oneof(fc.constantFrom('id', 'revision', 'acceptedAt', 'a', 'zz', '"', '\\', 'é'), fc.string({ maxLength: 4 })), json, {
    maxKeys: 4,
  });

  it('gives what parsing, spreading and canonicalising again gives, for any object and members', () => {
    fc.assert(
      fc.property(object, members, (value, extra) => {
        const canonical = canonicalJson(value);
        assert.equal(withCanonicalMembers(canonical, extra), canonicalJson({ ...extra, ...(JSON.parse(canonical) as object) }));
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps the object's own member over one of the same name, and works on an empty object", () => {
    assert.equal(withCanonicalMembers('{"b":1,"id":"mine"}', { id: 'theirs', a: [1], c: { y: 1, x: 2 } }), '{"a":[1],"b":1,"c":{"x":2,"y":1},"id":"mine"}');
    assert.equal(withCanonicalMembers('{}', { b: 1, a: 2 }), '{"a":2,"b":1}');
  });

  it('refuses text that is not an object', () => {
    for (const text of ['[1]', '{"a":1', '{"a":"x}', '"a"', '{"a":1}x'])
      assert.throws(() => withCanonicalMembers(text, { b: 1 }), /not the canonical JSON|unterminated/, text);
  });
});

describe('canonicalJson', () => {
  it('keeps a member named "__proto__" as a member (JSON.parse makes one; it is not a prototype)', () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"x":1},"a":[{"__proto__":0}]}') as unknown;
    assert.equal(canonicalJson(parsed), '{"__proto__":{"x":1},"a":[{"__proto__":0}],"b":1}');
    assert.equal(withCanonicalMembers('{"__proto__":0}', { id: 'x' }), '{"__proto__":0,"id":"x"}');
  });

  it('orders integer-like keys by code units too (RFC 8785), where objects keep them first in numeric order', () => {
    assert.equal(
      canonicalJson({ b: 1, '10': 2, '9': 3, '': 4, a: { '2': [{ '1': 0, x: 1 }], '': null } }),
      '{"":4,"10":2,"9":3,"a":{"":null,"2":[{"1":0,"x":1}]},"b":1}',
    );
  });

  it('writes what a member-by-member writer of RFC 8785 writes, for any JSON value', () => {
    const reference = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(reference).join(',')}]`
        : v !== null && typeof v === 'object'
          ? `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(v);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => assert.equal(canonicalJson(value), reference(value))),
      { numRuns: 2_000 },
    );
  });
});
