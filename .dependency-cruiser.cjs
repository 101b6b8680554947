/**
 * The architecture's import rules (see each folder's README), checked by
 * `npm run check:imports` inside `npm test`. dependency-cruiser rather than
 * an ESLint plugin: it reads the import graph TypeScript itself resolves,
 * reports every violating edge with both ends, and also finds cycles.
 */
const TOP = '(schemas|protocol|certs|profiles|client|gateway|sandbox|conformance|bin)';
const TESTS = '(\\.test\\.ts$|/testing/|/bench/|bench\\.ts$)';

const only = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: TESTS },
  to: { path: `^${TOP}/`, pathNot: `^(${allowed.join('|')})` },
});

module.exports = {
  forbidden: [
    only('schemas-imports-nothing', '^schemas/', ['schemas/'], 'schemas/ holds wire definitions and imports no other project folder'),
    only('protocol-imports-schemas', '^protocol/', ['schemas/', 'protocol/'], 'protocol/ is the pure rules both sides share: it imports schemas/ only'),
    only('certs-imports-protocol', '^certs/', ['schemas/', 'protocol/', 'certs/'], 'certs/ (the PKI) imports schemas/ and protocol/ only'),
    only('profiles-imports-protocol', '^profiles/', ['schemas/', 'protocol/', 'profiles/'], 'profiles/ (CIM) imports schemas/ and protocol/ only'),
    only(
      'client-imports-protocol-certs',
      '^client/',
      ['schemas/', 'protocol/', 'certs/', 'client/'],
      'client/ is the calling side: schemas/, protocol/ and certs/ only, never the gateway',
    ),
    only(
      'gateway-no-outer-layers',
      '^gateway/',
      ['schemas/', 'protocol/', 'certs/', 'profiles/', 'client/', 'gateway/'],
      'gateway/ never imports sandbox/, conformance/ or bin/',
    ),
    only(
      'sandbox-through-public-entries',
      '^sandbox/',
      ['schemas/', 'protocol/', 'certs/', 'profiles/', 'client/', 'sandbox/', 'gateway/index\\.ts$'],
      'the sandbox starts the gateway through gateway/index.ts and talks to it as its parties do',
    ),
    only(
      'conformance-through-public-entries',
      '^conformance/',
      ['schemas/', 'protocol/', 'certs/', 'profiles/', 'client/', 'conformance/', 'gateway/index\\.ts$'],
      'the conformance suites never import gateway internals: only its public entry, to start a target in the self-test',
    ),
    {
      name: 'tests-through-public-entries',
      comment: 'tests of the client, sandbox and conformance start a gateway through its public entry and its test kit, never its internals',
      severity: 'error',
      from: { path: '^(client|sandbox|conformance)/', pathNot: '^(client|sandbox|conformance)/[^]*(?<!\\.test\\.ts)$' },
      to: { path: '^gateway/', pathNot: '^gateway/(index\\.ts|testing/)' },
    },
    {
      name: 'protocol-is-transport-free',
      comment: 'protocol/ knows no HTTP server, database or socket',
      severity: 'error',
      from: { path: '^(protocol|schemas)/' },
      to: {
        path: '(^node:(net|http|https|tls|dgram)$|node_modules/(express|kysely|pg|better-sqlite3|mqtt|openapi-backend)/)',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'profiles-know-no-http',
      severity: 'error',
      from: { path: '^profiles/' },
      to: { path: '(^node:(net|http|https|tls)$|node_modules/(express|openapi-backend|supertest)/)' },
    },
    {
      name: 'http-kit-below-routers',
      comment: 'gateway/http is a helper kit the API routers use; it never imports an API back',
      severity: 'error',
      from: { path: '^gateway/http/' },
      to: { path: '^gateway/(anm|adapter|cim|openadr|delivery|journal|cli)/' },
    },
    {
      name: 'one-composition-root',
      comment: 'the gateway is assembled in gateway/composition.ts and reached through gateway/index.ts only',
      severity: 'error',
      from: { pathNot: '^gateway/index\\.ts$' },
      to: { path: '^gateway/composition\\.ts$' },
    },
    {
      name: 'nothing-imports-outer-layers',
      comment: 'only bin/ (the flexgate executable) imports the sandbox and the conformance suites',
      severity: 'error',
      from: { path: `^${TOP}/`, pathNot: '^(bin|sandbox|conformance)/' },
      to: { path: '^(sandbox|conformance|bin)/' },
    },
    {
      name: 'no-circular',
      comment: 'modules form no cycles: a feature that needs another one back is two features in one',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
