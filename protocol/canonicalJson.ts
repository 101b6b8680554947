/**
 * JSON Canonicalization Scheme (RFC 8785) for the values flexgate stores:
 * object members sorted by UTF-16 code units, no whitespace. Numbers are
 * integers here, for which ECMAScript's serialisation is already canonical.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) sorted[key] = sortKeys(record[key]);
    }
    return sorted;
  }
  return value;
}
