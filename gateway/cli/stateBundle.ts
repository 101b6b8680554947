import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_GATEWAY_URN, loadTrustMaterial } from '../../certs/index.ts';
import { HelpRequested, UsageError, type Command } from '../../client/cli/commandLine.ts';
import { parseJson } from '../../protocol/safeJson.ts';
import { loadGatewaySigner } from '../journal/gatewaySigner.ts';
import { trustedRootsFromPem } from '../journal/verifyBundle.ts';
import { BundleRefused, BundleSignerUntrusted, exportStateBundle, importStateBundle, serialiseBundle, type StateBundle } from '../portability/stateBundle.ts';
import { openGatewayStore } from '../storage.ts';
import { printProblem, STORE_HELP, STORE_OPTIONS, storeOptionsOf } from './registry.ts';

const EXPORT_HELP = `Usage: flexgate export --out FILE [--pki-dir DIR] [--identity URN] [store options]

Writes the instance's state as one versioned bundle signed with the
gateway's certificate key: the registry, OpenADR programs, VENs, resources
and subscriptions, OpenADR client ids (never their secrets), the public
certificates of the PKI and settlement history. Canonical JSON: two exports
of the same state differ only in exportedAt and the signature.
  --out FILE           where to write (an existing FILE is not replaced)
  --pki-dir DIR        PKI folder (default DATA-DIR/pki)
  --identity URN       the gateway's certificate (default ${DEV_GATEWAY_URN})
${STORE_HELP}`;

const IMPORT_HELP = `Usage: flexgate import FILE [--trust CA.pem | --pki-dir DIR] [store options]

Verifies a bundle from \`flexgate export\` and loads it into an empty instance
(SQLite or PostgreSQL, whichever the export came from). The signer's
certificate must chain to a trusted CA: the root of this instance's PKI, or
the CA certificate(s) given with --trust; otherwise the bundle is refused
(portability.signer-untrusted), whatever certificate it carries. OpenADR
clients arrive without secrets: rotate them with POST /admin/v1/openadr/clients.
  --trust CA.pem       trusted CA certificate(s), PEM (instead of this instance's PKI root)
  --pki-dir DIR        this instance's PKI folder (default DATA-DIR/pki)
${STORE_HELP}`;

function helpWanted(args: string[]) {
  if (args.includes('--help') || args.includes('-h')) throw new HelpRequested('help');
}

async function run(help: string, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(help);
      return 0;
    }
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${help}`);
      return 2;
    }
    if (error instanceof BundleRefused || error instanceof BundleSignerUntrusted) {
      console.error(`${error.code}: ${error.message}`);
      return 1;
    }
    const code = printProblem(error);
    if (code !== undefined) return code;
    throw error;
  }
}

export const exportCommand: Command = {
  run: (args) =>
    run(EXPORT_HELP, async () => {
      helpWanted(args);
      const { values } = parseArgs({
        args,
        options: { ...STORE_OPTIONS, out: { type: 'string' }, 'pki-dir': { type: 'string' }, identity: { type: 'string', default: DEV_GATEWAY_URN } },
        strict: true,
      });
      if (!values.out) throw new UsageError('--out is required');
      const pkiDir = values['pki-dir'] ?? join(values['data-dir'], 'pki');
      const identity = await loadGatewaySigner(pkiDir, values.identity);
      const store = await openGatewayStore(storeOptionsOf(values));
      try {
        const bundle = await exportStateBundle(store, identity, pkiDir);
        await writeFile(values.out, serialiseBundle(bundle), { flag: 'wx' });
        const { registry, openadrObjects, openadrClients, certificates, settlementLines } = bundle.contents;
        console.log(
          `wrote          ${values.out}: ${registry.contracts.length} contracts, ${openadrObjects.length} OpenADR objects, ${openadrClients.length} clients, ${certificates.length} certificates, ${settlementLines.length} settlement lines; signed by ${bundle.issuer}`,
        );
        return 0;
      } finally {
        await store.close();
      }
    }),
};

export const importCommand: Command = {
  run: (args) =>
    run(IMPORT_HELP, async () => {
      helpWanted(args);
      const { values, positionals } = parseArgs({
        args,
        options: { ...STORE_OPTIONS, trust: { type: 'string' }, 'pki-dir': { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      const [file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) throw new UsageError('give exactly one bundle FILE');
      if (values.trust !== undefined && values['pki-dir'] !== undefined) throw new UsageError('give --trust or --pki-dir, not both');
      // The instance's own root (ca[0]) unless the operator names the CA it trusts for this bundle.
      const trustedPem =
        values.trust === undefined
          ? (await loadTrustMaterial(values['pki-dir'] ?? join(values['data-dir'], 'pki'))).ca[0]!
          : await readFile(values.trust, 'utf8');
      const trustedRoots = trustedRootsFromPem(trustedPem);
      const bundle = parseJson(await readFile(file, 'utf8'), 64) as StateBundle;
      const store = await openGatewayStore(storeOptionsOf(values));
      try {
        await importStateBundle(store, bundle, trustedRoots);
        console.log(`imported       ${file} (exported ${bundle.exportedAt} by ${bundle.issuer})`);
        return 0;
      } finally {
        await store.close();
      }
    }),
};
