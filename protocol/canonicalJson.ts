/**
 * JSON Canonicalization Scheme (RFC 8785) for the values flexgate stores:
 * object members sorted by UTF-16 code units, no whitespace. Numbers are
 * integers here, for which ECMAScript's serialisation is already canonical.
 */
export function canonicalJson(value: unknown): string {
  const found = { indexKey: false };
  const sorted = sortKeys(value, found);
  // An object keeps integer-like keys ("0", "12") ahead of the others, in numeric order, whatever order they were
  // added in: a value with such keys is written member by member (slower; documents flexgate stores have none).
  return found.indexKey ? serialise(value)! : JSON.stringify(sorted);
}

function sortKeys(value: unknown, found: { indexKey: boolean }): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item, found));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    // Integer-like keys come first in Object.keys, so the first one tells.
    if (keys.length > 0 && INTEGER_LIKE.test(keys[0]!)) found.indexKey = true;
    // A plain object (one without a prototype is a slow dictionary to V8, its canonical text a third dearer).
    const sorted: Record<string, unknown> = {};
    for (const key of keys.sort()) {
      const member = record[key];
      if (member === undefined) continue;
      // A member named "__proto__" (JSON.parse makes one) is an own member, as the others are, not the object's prototype.
      if (key === '__proto__') Object.defineProperty(sorted, key, { value: sortKeys(member, found), enumerable: true, writable: true, configurable: true });
      else sorted[key] = sortKeys(member, found);
    }
    return sorted;
  }
  return value;
}

const INTEGER_LIKE = /^(?:0|[1-9][0-9]*)$/;

/** The canonical JSON of a value, written member by member in sorted order (undefined where JSON.stringify gives nothing). */
function serialise(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => serialise(item) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = serialise(record[key]);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * `canonicalJson({ ...members, ...JSON.parse(object) })` for an `object` that
 * is already canonical JSON, without parsing and serialising it again: its
 * top-level members are found by scanning the text, and `members` are spliced
 * in among them in order (one of the object's own wins over a member of the
 * same name, as in the spread). Linear in the text, whatever it nests.
 */
export function withCanonicalMembers(object: string, members: Record<string, unknown>): string {
  const extra = Object.keys(members)
    .filter((key) => members[key] !== undefined)
    .sort();
  const parts: string[] = [];
  const emitUpTo = (key: string | undefined) => {
    // Members that sort before `key` (all that are left when there is none); one named `key` is the object's own.
    while (extra.length > 0 && (key === undefined || extra[0]! <= key)) {
      const name = extra.shift()!;
      if (name !== key) parts.push(`${JSON.stringify(name)}:${canonicalJson(members[name])}`);
    }
  };
  let i = 1;
  while (object.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(object, i);
    const keyText = object.slice(i, keyEnd);
    emitUpTo(keyText.includes('\\') ? (JSON.parse(keyText) as string) : keyText.slice(1, -1));
    const end = valueEnd(object, keyEnd + 1);
    parts.push(object.slice(i, end));
    i = end + 1;
  }
  // After the last member i is past its closing brace; with none, the object is `{}`.
  const whole = i === object.length && object.endsWith('}') ? true : object === '{}';
  if (object.charCodeAt(0) !== OPEN_BRACE || !whole) throw new Error('withCanonicalMembers: not the canonical JSON of an object');
  emitUpTo(undefined);
  return `{${parts.join(',')}}`;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;

/** Index just after the string that starts at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (let ch = text.charCodeAt(i); ch !== QUOTE; ch = text.charCodeAt(++i)) {
    if (ch === BACKSLASH) i++;
    else if (Number.isNaN(ch)) throw new Error('withCanonicalMembers: unterminated string');
  }
  return i + 1;
}

/** Index of the `,` or `}` that ends the member whose value starts at `start` (just after its colon). */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) i = stringEnd(text, i) - 1;
    else if (ch === OPEN_BRACE || ch === 0x5b) depth++;
    else if (ch === 0x7d || ch === 0x5d) {
      if (depth === 0) return i;
      depth--;
    } else if (ch === 0x2c && depth === 0) return i;
  }
  throw new Error('withCanonicalMembers: unterminated object');
}
