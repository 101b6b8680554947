import { createReadStream } from 'node:fs';
import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parsePartyUrn } from '../../protocol/identity/partyUrn.ts';
import { DEV_GATEWAY_URN } from '../../certs/index.ts';
import { exportJournalBundle } from '../journal/bundle.ts';
import { loadGatewaySigner } from '../journal/gatewaySigner.ts';
import { trustedRootsFromPem, verifyJournalBundle, type BrokenLine, type BundleVerification } from '../journal/verifyBundle.ts';
import { type Command, subcommandGroup, UsageError, type Subcommand } from '../../client/cli/commandLine.ts';
import { openGatewayStore } from '../storage.ts';

const EXPORT_HELP = `Usage: flexgate journal export --out FILE [--data-dir DIR | --database-url URL [--database-schema S]]
                               [--pki-dir DIR] [--identity URN] [--since ISO] [--until ISO] [--sender URN]

Writes the journal (every accepted message: body bytes, signature, sender
certificate chain, verification record, what it produced) as a bundle that
\`flexgate journal verify\` checks without the gateway or its database. The
bundle's manifest is signed with the gateway's certificate key.
  --out FILE           where to write (an existing FILE is not replaced)
  --data-dir DIR       folder of the SQLite store (default ./data)
  --database-url URL   postgres://… to read PostgreSQL instead
  --database-schema S  PostgreSQL schema holding flexgate's tables
  --pki-dir DIR        PKI folder holding the gateway's key (default DATA-DIR/pki)
  --identity URN       the gateway's certificate in the PKI (default ${DEV_GATEWAY_URN})
  --since ISO          entries received at or after this instant
  --until ISO          entries received before this instant
  --sender URN         entries from this party only`;

const VERIFY_HELP = `Usage: flexgate journal verify BUNDLE --ca ROOT.pem [--allow-unsigned] [--json]

Checks the manifest's signature and the gateway certificate against the root;
every line's hash against the manifest; each entry's sender certificate
chain at its signing time, its signature over the body bytes, body hash,
sender and verification record; and that each issuer's sequence to each
audience strictly increases. Exit codes: 0 verified, 1 broken (the first
broken entry is printed), 2 usage error.
  --ca ROOT.pem        the trusted root CA certificate(s), PEM
  --allow-unsigned     accept entries journalled without a signature
  --json               print the full report as JSON`;

const subcommands: Record<string, Subcommand> = {
  export: {
    summary: 'write the journal as a signed, self-contained bundle',
    help: EXPORT_HELP,
    async run(args) {
      const { values } = parseArgs({
        args,
        options: {
          out: { type: 'string' },
          'data-dir': { type: 'string', default: 'data' },
          'database-url': { type: 'string' },
          'database-schema': { type: 'string' },
          'pki-dir': { type: 'string' },
          identity: { type: 'string', default: DEV_GATEWAY_URN },
          since: { type: 'string' },
          until: { type: 'string' },
          sender: { type: 'string' },
        },
        strict: true,
      });
      const out = required(values.out, '--out');
      if (values['database-schema'] && !values['database-url']) throw new UsageError('--database-schema needs --database-url');
      if (values.sender !== undefined && !parsePartyUrn(values.sender)) throw new UsageError(`--sender must be a party URN, urn:flexgate:<role>:<id>`);
      const since = instant(values.since, '--since');
      const until = instant(values.until, '--until');
      const gateway = await loadGatewaySigner(values['pki-dir'] ?? join(values['data-dir'], 'pki'), values.identity);
      const store = await openGatewayStore(
        values['database-url']
          ? { databaseUrl: values['database-url'], ...(values['database-schema'] ? { schema: values['database-schema'] } : {}) }
          : { dataDir: values['data-dir'] },
      );
      try {
        const summary = await exportJournalBundle(store, out, {
          ...gateway,
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
          ...(values.sender ? { sender: values.sender } : {}),
        });
        console.log(`wrote          ${summary.file} (${summary.entries} entries, signed by ${gateway.signer.issuer} at ${summary.exportedAt})`);
        return 0;
      } finally {
        await store.close();
      }
    },
  },

  verify: {
    summary: 're-verify a bundle with only the trusted root CA',
    help: VERIFY_HELP,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        options: { ca: { type: 'string' }, 'allow-unsigned': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
        strict: true,
        allowPositionals: true,
      });
      const [bundle, ...extra] = positionals;
      if (bundle === undefined || extra.length > 0) throw new UsageError('give exactly one BUNDLE file');
      const caFile = required(values.ca, '--ca');
      const trustedRoots = await readable(caFile, async () => trustedRootsFromPem(await readFile(caFile, 'utf8')));
      await readable(bundle, () => access(bundle, constants.R_OK));
      const report = await verifyJournalBundle(createReadStream(bundle), { trustedRoots, allowUnsigned: values['allow-unsigned'] });
      if (values.json) console.log(JSON.stringify(report, null, 2));
      else printReport(bundle, report);
      return report.ok ? 0 : 1;
    },
  },
};

export const journalCommand: Command = subcommandGroup('journal', subcommands);

function printReport(bundle: string, report: BundleVerification): void {
  console.log(`bundle         ${bundle}`);
  console.log(`gateway        ${report.gateway ?? 'unknown'}, exported ${report.exportedAt ?? 'at an unknown time'}`);
  console.log(`entries        ${report.entriesChecked} checked, ${report.unsignedEntries} unsigned`);
  for (const issuer of report.issuers) {
    const sequences =
      issuer.firstSequence === null ? '' : `  seq ${issuer.firstSequence}..${issuer.lastSequence}  ${issuer.firstIssuedAt}..${issuer.lastIssuedAt}`;
    const counts = `${issuer.entries} signed${issuer.unsigned > 0 ? `, ${issuer.unsigned} unsigned` : ''}${issuer.broken > 0 ? `, ${issuer.broken} broken` : ''}`;
    console.log(`  ${issuer.issuer} -> ${issuer.audience ?? '(unsigned)'}: ${counts}${sequences}`);
  }
  if (!report.firstBroken) {
    console.log('verified       every line, signature and sequence');
    return;
  }
  console.log(`BROKEN         ${describe(report.firstBroken)}`);
  for (const failure of report.firstBroken.failures) console.log(`  ${failure.code}: ${failure.detail}`);
  const others = report.broken.slice(1);
  if (others.length > 0)
    console.log(
      `and ${others.length} more broken line${others.length === 1 ? '' : 's'}: ${others
        .slice(0, 10)
        .map((line) => line.line)
        .join(', ')}${others.length > 10 ? ', …' : ''}`,
    );
}

const describe = (broken: BrokenLine) => `line ${broken.line}${broken.journalId ? ` (journal entry ${broken.journalId})` : ''}`;

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** A file named on the command line that cannot be read is a usage error, not a broken bundle. */
async function readable<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function instant(text: string | undefined, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(text) || Number.isNaN(date.getTime())) throw new UsageError(`${flag} must be an ISO 8601 instant, not "${text}"`);
  return date;
}
