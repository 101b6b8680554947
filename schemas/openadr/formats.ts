/**
 * The `format`s the OpenADR schemas use (wire.ts, and the Alliance's files):
 * RFC 3339 instants, absolute URIs, and the numeric hints (`int32`, `float`)
 * that need no check. One definition for the VTN's request validation and the
 * VEN client's answer validation.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export const OPENADR_FORMATS: Readonly<Record<string, true | ((value: string) => boolean)>> = {
  'date-time': (value) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)),
  uri: (value) => /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value),
  int32: true,
  float: true,
};

/** Adds the OpenADR formats to an ajv instance. */
export function withWireFormats<A extends { addFormat(name: string, format: true | ((value: string) => boolean)): unknown }>(ajv: A): A {
  for (const [name, format] of Object.entries(OPENADR_FORMATS)) ajv.addFormat(name, format);
  return ajv;
}
