import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Command, subcommandGroup, UsageError, type Subcommand } from '../../client/cli/commandLine.ts';
import { canonicalJson } from '../../protocol/canonicalJson.ts';
import { compileValidator } from '../../protocol/jsonSchema.ts';
import { Problem } from '../../protocol/problem.ts';
import { parseJson } from '../../protocol/safeJson.ts';
import { RegistrySnapshot } from '../../schemas/registry/registry.ts';
import { Type } from '@sinclair/typebox';
import { assetsFromPrequalificationCsv } from '../registry/prequalificationCsv.ts';
import { importIntoRegistry, readRegistry } from '../registry/registryRecords.ts';
import { openGatewayStore } from '../storage.ts';
import type { StoreOptions } from '../store/store.ts';

const STORE_OPTIONS = {
  'data-dir': { type: 'string', default: 'data' },
  'database-url': { type: 'string' },
  'database-schema': { type: 'string' },
} as const;
const STORE_HELP = `  --data-dir DIR       folder of the SQLite store (default ./data)
  --database-url URL   postgres://… to use PostgreSQL instead
  --database-schema S  PostgreSQL schema holding flexgate's tables`;

/** The store the CLI options name (shared by `flexgate registry`, `export` and `import`). */
export function storeOptionsOf(values: { 'data-dir'?: string; 'database-url'?: string; 'database-schema'?: string }): StoreOptions {
  if (values['database-schema'] && !values['database-url']) throw new UsageError('--database-schema needs --database-url');
  return values['database-url']
    ? { databaseUrl: values['database-url'], ...(values['database-schema'] ? { schema: values['database-schema'] } : {}) }
    : { dataDir: values['data-dir'] ?? 'data' };
}
export { STORE_OPTIONS, STORE_HELP };

const validPatch = compileValidator(Type.Partial(RegistrySnapshot));

const subcommands: Record<string, Subcommand> = {
  import: {
    summary: 'merge (or --replace with) a registry file: JSON, or the ENA pre-qualification template as CSV',
    help: `Usage: flexgate registry import FILE [--replace] [store options]

FILE ending .csv is read as the ENA pre-qualification template's asset rows
(gateway/registry/README.md); anything else as registry JSON
(schemas/registry/registry.schema.json, any of parties, assets, contracts).
Entries are merged by id unless --replace; the result is checked as a whole.
  --replace            replace the whole registry with FILE
${STORE_HELP}`,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        options: { ...STORE_OPTIONS, replace: { type: 'boolean', default: false } },
        allowPositionals: true,
        strict: true,
      });
      const [file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) throw new UsageError('give exactly one FILE');
      const text = await readFile(file, 'utf8');
      const patch = file.toLowerCase().endsWith('.csv') ? { assets: assetsFromPrequalificationCsv(text) } : validPatch(parseJson(text));
      const store = await openGatewayStore(storeOptionsOf(values));
      try {
        const registry = await importIntoRegistry(store, patch, values.replace);
        console.log(`registry       ${registry.parties.length} parties, ${registry.assets.length} assets, ${registry.contracts.length} contracts`);
        return 0;
      } finally {
        await store.close();
      }
    },
  },
  export: {
    summary: 'write the registry as JSON (stdout, or --out FILE)',
    help: `Usage: flexgate registry export [--out FILE] [store options]\n${STORE_HELP}`,
    async run(args) {
      const { values } = parseArgs({ args, options: { ...STORE_OPTIONS, out: { type: 'string' } }, strict: true });
      const store = await openGatewayStore(storeOptionsOf(values));
      try {
        const json = `${canonicalJson(await readRegistry(store.db))}\n`;
        if (values.out) await writeFile(values.out, json, { flag: 'wx' });
        else process.stdout.write(json);
        return 0;
      } finally {
        await store.close();
      }
    },
  },
  list: {
    summary: 'one line per party, asset and contract',
    help: `Usage: flexgate registry list [store options]\n${STORE_HELP}`,
    async run(args) {
      const { values } = parseArgs({ args, options: STORE_OPTIONS, strict: true });
      const store = await openGatewayStore(storeOptionsOf(values));
      try {
        const { parties, assets, contracts } = await readRegistry(store.db);
        for (const p of parties) console.log(`party     ${p.partyId.padEnd(24)} ${p.role.padEnd(4)} ${p.partyUrn}`);
        for (const a of assets)
          console.log(
            `asset     ${a.dsoAssetId.padEnd(24)} resource ${a.resourceId} group ${a.assetGroupId} ${a.energySource} MIC ${a.mic_kW} kW MEC ${a.mec_kW} kW fsp ${a.fspPartyId}`,
          );
        for (const c of contracts)
          console.log(
            `contract  ${c.contractId.padEnd(24)} ${c.serviceType} fsp ${c.fspPartyId} assets ${c.dsoAssetIds.join(' ')} ${c.validFrom}..${c.validTo} availability ${c.availabilityPrice.amount} utilisation ${c.utilisationPrice.amount} ${c.utilisationPrice.currency} (minor units)`,
          );
        return 0;
      } finally {
        await store.close();
      }
    },
  },
};

/** Problems name every violation; print them all, exit 1. */
export function printProblem(error: unknown): number | undefined {
  if (!(error instanceof Problem)) return undefined;
  for (const item of error.items) {
    const where = item.pointer ?? (item.row === undefined ? '' : `row ${item.row}${item.columnName ? ` column ${item.columnName}` : ''}`);
    console.error(`${item.code}: ${item.detail}${where ? ` (${where})` : ''}`);
  }
  return 1;
}

export const registryCommand: Command = subcommandGroup('registry', subcommands, { failure: printProblem });
