import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { ConstraintLookAhead, ConstraintLookAheadInput } from './anm/constraintLookAhead.ts';
import { MeritOrderList, MeritOrderListInput } from './anm/meritOrderList.ts';
import { MatchedTradeList, OpportunityReport, TradeVerificationInput } from './anm/trade.ts';
import { PACKAGE_ROOT } from './packageRoot.ts';
import { PROBLEM_AREAS } from './problemCatalogue.ts';
import { PROBLEM_TYPE_PREFIX } from './problems.ts';
import { RegistrySnapshot } from './registry/registry.ts';

const SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas');
const SCHEMA_ID_BASE = 'urn:flexgate:schema:anm:v1:';

/** The JSON Schemas published for integrators, one per wire document: file stem, title, definition. */
const PUBLISHED_SCHEMAS: ReadonlyArray<readonly [string, string, TSchema]> = [
  ['constraint-look-ahead.input', 'Constraint look-ahead as an ANM posts it', ConstraintLookAheadInput],
  ['constraint-look-ahead', 'Constraint look-ahead as flexgate returns it (instants in UTC)', ConstraintLookAhead],
  ['merit-order-list.input', 'Merit order list as an ANM posts it', MeritOrderListInput],
  ['merit-order-list', 'Merit order list as flexgate returns it (instants in UTC)', MeritOrderList],
  ['matched-trades', 'Trades a market matched, posted to re-order a merit order list', MatchedTradeList],
  ['trade-verification', 'On-the-day verification input for a look-ahead', TradeVerificationInput],
  ['opportunity-report', 'Trading opportunities of a look-ahead and merit order list', OpportunityReport],
];

/** The registry's published schemas (schemas/registry/), with their own id base. */
const PUBLISHED_REGISTRY_SCHEMAS: ReadonlyArray<readonly [string, string, TSchema]> = [
  ['registry', 'Parties, assets and contracts, as imported and exported (admin API, flexgate registry)', RegistrySnapshot],
];

function schemaFile(stem: string, title: string, schema: TSchema, idBase = SCHEMA_ID_BASE): string {
  // JSON.stringify drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
  const document = { $schema: 'http://json-schema.org/draft-07/schema#', $id: idBase + stem, title, ...schema };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function problemsPage(): string {
  const lines = [
    '# Problem types',
    '',
    '<!-- Generated from schemas/problemCatalogue.ts by `npm run generate`; do not edit. -->',
    '',
    `Every rejection is \`application/problem+json\` (RFC 9457) whose \`type\` is \`${PROBLEM_TYPE_PREFIX}<code>\`.`,
    'The code is stable: match on it, not on `title` or `detail`. Where the problem sits is in `errors[]`',
    '(`pointer` for JSON, `row` / `column` / `columnName` for tabular input).',
  ];
  for (const { title: area, problems: specs } of Object.values(PROBLEM_AREAS)) {
    lines.push('', `## ${area}`, '', '| Code | Status | Title |', '| --- | --- | --- |');
    for (const [code, { status, title }] of Object.entries(specs)) lines.push(`| \`${code}\` | ${status} | ${title} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Every file generated from the definitions in this folder, by absolute path. */
export function generatedSchemaArtefacts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [stem, title, schema] of PUBLISHED_SCHEMAS) files.set(join(SCHEMAS_DIR, 'anm', `${stem}.schema.json`), schemaFile(stem, title, schema));
  for (const [stem, title, schema] of PUBLISHED_REGISTRY_SCHEMAS) {
    files.set(join(SCHEMAS_DIR, 'registry', `${stem}.schema.json`), schemaFile(stem, title, schema, 'urn:flexgate:schema:registry:v1:'));
  }
  files.set(join(SCHEMAS_DIR, 'problems.md'), problemsPage());
  return files;
}
