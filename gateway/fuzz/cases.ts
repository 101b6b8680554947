import fc from 'fast-check';
import type { EnvelopeClaims } from '../../protocol/envelope/index.ts';

export const ROUTE_FAMILIES = ['anm', 'cim', 'openadr', 'admin'] as const;
export type RouteFamily = (typeof ROUTE_FAMILIES)[number];

/** Who sends a case: a role's everyday party, or the family's own party for envelope mutations (whose sequences may be pushed anywhere). */
export type Sender = 'anm' | 'dso' | 'fsp' | 'admin' | 'envelope';

/** What the harness learnt from the gateway before fuzzing: valid documents and ids to mutate. */
export interface Seeds {
  molId: string;
  lookAheadId: string;
  molTsv: Buffer;
  lookAheadTsv: Buffer;
  molJson: Record<string, unknown>;
  lookAheadJson: Record<string, unknown>;
  cimXml: Buffer;
  programId: string;
  eventId: string;
}

export interface FuzzCase {
  family: RouteFamily;
  sender: Sender;
  method: string;
  /** The request target as sent: path and query, unnormalised. */
  target: string;
  body: Buffer;
  headers: Record<string, string>;
  /** OpenADR: send the VEN's bearer token. */
  bearer: boolean;
  /** How the signature is made: as the client would, with claims changed, a corrupted one, a random one, or none. */
  signature:
    | { kind: 'valid' }
    | { kind: 'claims'; claims: Partial<EnvelopeClaims> }
    | { kind: 'corrupt'; at: number }
    | { kind: 'verbatim'; value: string }
    | { kind: 'none' };
  /** Which mutations made it, for the report. */
  labels: string[];
}

const JSON_TYPE = 'application/json';
const TSV = 'text/tab-separated-values';
const XML = 'application/xml';

/** Characters that make trouble in ids, text cells and paths. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  '\t',
  '\r\n',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\uffff',
  '\u202e',
  '\u00e9',
  '😀',
  '%',
  '%ZZ',
  '%C0%AF',
  '../',
  '"',
  "'",
  '<',
  '&amp;',
  ']]>',
  '\\',
  '1e400',
  '-0',
  '9007199254740993',
  'NaN',
  'null',
  '1970-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '2099-12-31T23:30:00Z',
];

const nastyString = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)),
);

const nastyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 0.1, 1e-300));

const jsonLeaf = fc.oneof(nastyString, nastyNumber, fc.boolean(), fc.constant(null));

/** A JSON value from anywhere: random shapes, nasty leaves, deep nesting. */
const randomJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 1, max: 200 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
  fc.dictionary(nastyString, jsonLeaf, { maxKeys: 8 }),
);

/** A document's JSON with one member replaced, removed or added, at any depth. */
function mutatedJson(base: Record<string, unknown>): fc.Arbitrary<{ value: unknown; label: string }> {
  const paths = jsonPaths(base);
  return fc
    .record({ path: fc.constantFrom(...paths), action: fc.constantFrom('replace', 'remove', 'add'), value: fc.oneof(jsonLeaf, randomJson) })
    .map(({ path, action, value }) => {
      const copy = structuredClone(base);
      const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], copy) as Record<string, unknown> | unknown[];
      const key = path[path.length - 1]!;
      if (action === 'remove') {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      } else if (action === 'add' && !Array.isArray(parent)) parent[`x${key}`] = value;
      else (parent as Record<string, unknown>)[key] = value;
      return { value: copy, label: `json ${action} /${path.join('/')}` };
    });
}

function jsonPaths(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (value === null || typeof value !== 'object') return out;
  const entries = Array.isArray(value) ? value.slice(0, 3).map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    out.push([...prefix, key]);
    jsonPaths(child, [...prefix, key], out);
  }
  return out;
}

/** Bytes of a valid document, damaged: bits flipped, ranges cut, doubled or replaced, lines dropped, cells swapped for nasty text. */
function mutatedBytes(base: Buffer): fc.Arbitrary<{ value: Buffer; label: string }> {
  const at = fc.nat({ max: Math.max(0, base.length - 1) });
  return fc.oneof(
    fc.record({ at, bit: fc.nat({ max: 7 }) }).map(({ at, bit }) => {
      const copy = Buffer.from(base);
      copy[at] = copy[at]! ^ (1 << bit);
      return { value: copy, label: 'bytes bit-flip' };
    }),
    fc
      .record({ at, length: fc.nat({ max: 200 }) })
      .map(({ at, length }) => ({ value: Buffer.concat([base.subarray(0, at), base.subarray(at + length)]), label: 'bytes cut' })),
    fc.record({ at, length: fc.nat({ max: 400 }), times: fc.integer({ min: 2, max: 50 }) }).map(({ at, length, times }) => {
      const piece = base.subarray(at, at + length);
      return { value: Buffer.concat([base.subarray(0, at), ...Array.from({ length: times }, () => piece), base.subarray(at)]), label: 'bytes repeat' };
    }),
    fc
      .record({ at, text: nastyString })
      .map(({ at, text }) => ({ value: Buffer.concat([base.subarray(0, at), Buffer.from(text), base.subarray(at)]), label: 'bytes insert' })),
    at.map((at) => ({ value: base.subarray(0, at), label: 'bytes truncate' })),
    fc.record({ line: fc.nat({ max: 400 }), cell: fc.nat({ max: 12 }), text: nastyString }).map(({ line, cell, text }) => {
      const lines = base.toString('utf8').split('\n');
      const row = lines[line % Math.max(1, lines.length)]?.split('\t') ?? [];
      if (row.length > 0) row[cell % row.length] = text;
      lines[line % Math.max(1, lines.length)] = row.join('\t');
      return { value: Buffer.from(lines.join('\n')), label: 'table cell' };
    }),
    fc.nat({ max: 400 }).map((line) => {
      const lines = base.toString('utf8').split('\n');
      lines.splice(line % Math.max(1, lines.length), 1);
      return { value: Buffer.from(lines.join('\n')), label: 'table line dropped' };
    }),
    fc
      .constantFrom('utf16le', 'latin1')
      .map((encoding) => ({ value: Buffer.from(base.toString('utf8'), encoding as BufferEncoding), label: `re-encoded ${encoding}` })),
    fc.constant({ value: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), base]), label: 'BOM' }),
  );
}

const randomBytes = fc.uint8Array({ maxLength: 2000 }).map((bytes) => ({ value: Buffer.from(bytes), label: 'random bytes' }));

/** A body for a family: a valid document damaged, a random JSON value, random bytes or nothing. */
function bodies(documents: { bytes: Buffer[]; json: Record<string, unknown>[] }): fc.Arbitrary<{ value: Buffer; label: string }> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...documents.bytes).chain(mutatedBytes) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...documents.json)
        .chain(mutatedJson)
        .map(({ value, label }) => ({ value: Buffer.from(JSON.stringify(value)), label })),
    },
    { weight: 2, arbitrary: randomJson.map((value) => ({ value: Buffer.from(JSON.stringify(value) ?? 'null'), label: 'random json' })) },
    { weight: 1, arbitrary: randomBytes },
    { weight: 3, arbitrary: fc.constantFrom(...documents.bytes).map((value) => ({ value, label: 'valid document' })) },
    { weight: 1, arbitrary: fc.constant({ value: Buffer.alloc(0), label: 'empty body' }) },
  );
}

/** A path segment: an id as it is, damaged, or replaced by something a parser may choke on. */
function segment(ids: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids) },
    { weight: 1, arbitrary: nastyString.map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'))) },
    { weight: 1, arbitrary: fc.constantFrom('%ZZ', '%', '%C3', '%C0%AF', '%ED%A0%80', '%FF', '%00', '..', '.', '%2e%2e', '%2F', ';x=1', 'a'.repeat(1900)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~%-]{0,60}$/) },
  );
}

/** A request target: the route's template with its segments fuzzed, and maybe a query or a damaged shape. */
function target(templates: string[], ids: string[]): fc.Arbitrary<{ value: string; label: string }> {
  return fc
    .record({
      template: fc.constantFrom(...templates),
      parts: fc.array(segment(ids), { minLength: 4, maxLength: 4 }),
      query: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.constantFrom(
              'limit=5',
              'limit=-1',
              'limit=1e9',
              'limit=abc',
              'cursor=%ZZ',
              'revision=0',
              'revision=99999999999999999999',
              'limit=5&limit=6',
              'a[b][c]=1',
              '=&&=',
            ),
            fc.stringMatching(/^[A-Za-z0-9=&%._~+-]{0,80}$/),
          ),
        },
      ),
      shape: fc.constantFrom('as is', 'as is', 'as is', 'as is', 'as is', 'as is', 'double slash', 'trailing slash', 'dot segment', 'upper case'),
    })
    .map(({ template, parts, query, shape }) => {
      let i = 0;
      let path = template.replace(/\{\w+\}/g, () => parts[i++ % parts.length]!);
      if (shape === 'double slash') path = path.replace('/', '//');
      if (shape === 'trailing slash') path = `${path}/`;
      if (shape === 'dot segment') path = path.replace(/\/([^/]+)$/, '/./$1');
      if (shape === 'upper case') path = path.toUpperCase();
      // Kept within what a signature may name (2048): longer targets are refused at the edge (request.target-too-long), tested on their own.
      const value = (query === null ? path : `${path}?${query}`).slice(0, 2040);
      return { value, label: `path ${shape}${query === null ? '' : ' + query'}` };
    });
}

const contentTypes = (native: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...native) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        JSON_TYPE,
        TSV,
        'text/csv',
        XML,
        'text/plain',
        'application/json; charset=utf-16',
        'application/xml; charset=iso-8859-1',
        'application/json; charset="utf-8"',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        '*/*',
        '',
        'application/json;;;',
      ),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z/;= -]{0,60}$/) },
  );

/** Headers beyond the content type: encodings, negotiation, idempotency keys, and anything else. */
const extraHeaders = fc
  .record(
    {
      'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'gzip, gzip', 'identity', 'x-bogus', 'identity, gzip'),
      accept: fc.constantFrom(JSON_TYPE, TSV, XML, 'text/html', '*/*', 'application/json;q=0, */*;q=0', 'application/problem+json', ''),
      'idempotency-key': fc.oneof(fc.uuid(), fc.stringMatching(/^[\x21-\x7e]{0,300}$/)),
      'x-fuzz': fc.stringMatching(/^[\x21-\x7e ]{0,2000}$/),
    },
    { requiredKeys: [] },
  )
  .map((headers) => ({ value: headers as Record<string, string>, label: Object.keys(headers).length ? `headers ${Object.keys(headers).join(',')}` : '' }));

/** The signature: mostly as a client makes it; else with a claim changed, corrupted, random or missing. */
const signatures: fc.Arbitrary<{ value: FuzzCase['signature']; label: string; envelopeParty: boolean }> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ value: { kind: 'valid' as const }, label: '', envelopeParty: false }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'get', 'BREW') }),
        fc.record({ path: fc.constantFrom('/', '/anm/v1/merit-order-lists', '/other', '') }),
        fc.record({ apiVersion: fc.constantFrom('anm/v1', 'cim/v1', 'openadr/3.1.0', 'admin/v1') as fc.Arbitrary<EnvelopeClaims['apiVersion']> }),
        fc.record({ audience: fc.constantFrom('urn:flexgate:gateway:other', '', 'urn:flexgate:fsp:fsp-dev-1') }),
        fc.record({
          sequence: fc.oneof(
            fc.constantFrom('0', '-1', '1e3', '01', '9007199254740992', '9007199254740993', '99999999999999999999999', '', ' 1', '1.5'),
            fc.stringMatching(/^[0-9]{1,30}$/),
          ),
        }),
        fc.record({ messageId: fc.oneof(fc.constantFrom('', 'same-id', 'x'.repeat(500)), fc.uuid()) }),
        fc.record({
          issuedAt: fc.oneof(
            fc.date({ noInvalidDate: true }),
            fc.constantFrom(new Date(0), new Date(8.64e15), new Date(-8.64e15), new Date(Date.now() - 3600_000), new Date(Date.now() + 3600_000)),
          ),
        }),
      )
      .map((claims) => ({ value: { kind: 'claims' as const, claims }, label: `envelope ${Object.keys(claims).join(',')}`, envelopeParty: true })),
  },
  { weight: 1, arbitrary: fc.nat({ max: 2000 }).map((at) => ({ value: { kind: 'corrupt' as const, at }, label: 'envelope corrupt', envelopeParty: true })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.stringMatching(/^[A-Za-z0-9._-]{0,400}$/), fc.constantFrom('..', 'a..b', 'e30..', 'eyJhbGciOiJub25lIn0..'))
      .map((value) => ({ value: { kind: 'verbatim' as const, value }, label: 'envelope verbatim', envelopeParty: true })),
  },
  { weight: 1, arbitrary: fc.constant({ value: { kind: 'none' as const }, label: 'unsigned', envelopeParty: false }) },
);

interface FamilyRoutes {
  sender: fc.Arbitrary<Exclude<Sender, 'envelope'>>;
  methods: fc.Arbitrary<string>;
  templates: string[];
  contentTypes: string[];
  bearer: fc.Arbitrary<boolean>;
}

function routesOf(family: RouteFamily, seeds: Seeds): FamilyRoutes {
  switch (family) {
    case 'anm':
      return {
        sender: fc.constantFrom('anm', 'anm', 'dso', 'fsp', 'admin'),
        methods: fc.constantFrom('POST', 'POST', 'GET', 'GET', 'PUT', 'DELETE', 'HEAD', 'PATCH'),
        templates: [
          '/anm/v1/merit-order-lists',
          '/anm/v1/constraint-look-aheads',
          '/anm/v1/merit-order-lists/{id}',
          '/anm/v1/constraint-look-aheads/{id}',
          '/anm/v1/merit-order-lists/{id}/trades',
          '/anm/v1/constraint-look-aheads/{id}/verify',
          '/anm/v1/constraint-look-aheads/{id}/opportunities',
          '/anm/v1/merit-order-lists/{id}/revisions',
          '/anm/v1/merit-order-lists/{id}/revisions/{n}',
        ],
        contentTypes: [TSV, JSON_TYPE, 'text/csv'],
        bearer: fc.constant(false),
      };
    case 'cim':
      return {
        sender: fc.constantFrom('dso', 'dso', 'anm', 'fsp', 'admin'),
        methods: fc.constantFrom('POST', 'POST', 'GET', 'GET', 'PUT', 'DELETE'),
        templates: ['/cim/v1/documents', '/cim/v1/documents/{id}', `/cim/v1/documents/${seeds.molId}`],
        contentTypes: [XML, 'text/xml'],
        bearer: fc.constant(false),
      };
    case 'openadr':
      return {
        sender: fc.constantFrom('fsp', 'fsp', 'fsp', 'dso', 'anm'),
        methods: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'),
        templates: [
          '/openadr/3.1.0/programs',
          '/openadr/3.1.0/programs/{id}',
          '/openadr/3.1.0/events',
          '/openadr/3.1.0/events/{id}',
          '/openadr/3.1.0/vens',
          '/openadr/3.1.0/vens/{id}',
          '/openadr/3.1.0/vens/{id}/resources',
          '/openadr/3.1.0/reports',
          '/openadr/3.1.0/subscriptions',
          '/openadr/3.1.0/subscriptions/{id}',
          '/openadr/3.1.0/auth/token',
          '/openadr/3.1.0/auth/server',
          '/openadr/3.1.0/notifiers',
          '/openadr/3.0.1/programs',
          '/openadr/3.0.1/events/{id}',
          '/openadr/3.0.1/auth/token',
          '/openadr/2.0b/{id}',
        ],
        contentTypes: [JSON_TYPE, 'application/x-www-form-urlencoded'],
        bearer: fc.boolean(),
      };
    case 'admin':
      return {
        sender: fc.constantFrom('admin', 'admin', 'admin', 'fsp', 'anm'),
        methods: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'),
        templates: [
          '/admin/v1/deliveries',
          '/admin/v1/deliveries/{id}',
          '/admin/v1/deliveries/{id}/redeliver',
          '/admin/v1/openadr/clients',
          '/metrics',
          '/healthz',
          '/readyz',
          '/docs',
          '/{id}',
        ],
        contentTypes: [JSON_TYPE],
        bearer: fc.constant(false),
      };
  }
}

function documentsOf(family: RouteFamily, seeds: Seeds): { bytes: Buffer[]; json: Record<string, unknown>[] } {
  const openadr = [
    { programName: 'fuzz', programLongName: 'x', intervalPeriod: { start: '2026-01-01T00:00:00Z', duration: 'PT30M' } },
    { programID: seeds.programId, eventName: 'e', intervals: [{ id: 0, payloads: [{ type: 'IMPORT_CAPACITY_LIMIT', values: [1] }] }] },
    {
      clientName: 'fuzz',
      programID: seeds.programId,
      objectOperations: [{ objects: ['EVENT'], operations: ['POST'], callbackUrl: 'https://example.org/cb', bearerToken: 't' }],
    },
    { venName: 'fuzz-ven', attributes: [{ type: 'LOCATION', values: [1, 2] }] },
    {
      eventID: seeds.eventId,
      clientName: 'fuzz',
      reportName: 'r',
      resources: [{ resourceName: 'r', intervals: [{ id: 0, payloads: [{ type: 'USAGE', values: [1] }] }] }],
    },
  ];
  switch (family) {
    case 'anm':
      return { bytes: [seeds.molTsv, seeds.lookAheadTsv], json: [seeds.molJson, seeds.lookAheadJson] };
    case 'cim':
      return { bytes: [seeds.cimXml], json: [seeds.molJson] };
    case 'openadr':
      return { bytes: [Buffer.from('grant_type=client_credentials&client_id=x&client_secret=y'), Buffer.from(JSON.stringify(openadr[2]))], json: openadr };
    case 'admin':
      return {
        bytes: [Buffer.from(JSON.stringify({ party: 'urn:flexgate:fsp:fsp-dev-1' }))],
        json: [{ party: 'urn:flexgate:fsp:fsp-dev-1' }, { party: 'urn:flexgate:fsp:fuzz-new' }],
      };
  }
}

/** Every case of a route family: a sender, method and target, a body, headers and a signature, each possibly hostile. */
export function casesOf(family: RouteFamily, seeds: Seeds): fc.Arbitrary<FuzzCase> {
  const routes = routesOf(family, seeds);
  const ids = [seeds.molId, seeds.lookAheadId, seeds.programId, seeds.eventId, '1', '0', 'missing'];
  return fc
    .record({
      sender: routes.sender,
      method: routes.methods,
      target: target(routes.templates, ids),
      body: bodies(documentsOf(family, seeds)),
      contentType: fc.option(contentTypes(routes.contentTypes), { freq: 8 }),
      headers: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: extraHeaders }),
      signature: signatures,
      bearer: routes.bearer,
    })
    .map(({ sender, method, target, body, contentType, headers, signature, bearer }) => ({
      family,
      sender: signature.envelopeParty ? ('envelope' as const) : sender,
      method,
      target: target.value,
      body: method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : body.value,
      headers: { ...(contentType === null ? {} : { 'content-type': contentType }), ...(headers?.value ?? {}) },
      bearer,
      signature: signature.value,
      labels: [method, target.label, method === 'GET' || method === 'HEAD' ? '' : body.label, headers?.label ?? '', signature.label].filter(Boolean),
    }));
}
