import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  AUTHORITY_NAMES,
  ensureDevPki,
  exportBundle,
  generateCrls,
  initPki,
  isKeyAlgorithm,
  isRevocationReason,
  issueCertificate,
  KEY_ALGORITHMS,
  listAuthorities,
  listCertificates,
  PkiError,
  refreshCrls,
  renewCertificate,
  REVOCATION_REASONS,
  revokeCertificate,
  DEFAULT_LIFETIME_DAYS,
  type AuthorityName,
  type IssuedCertificate,
  type IssuedCrl,
  type KeyAlgorithm,
} from '../../certs/index.ts';
import { isPartyRole, PARTY_ROLES } from '../../protocol/identity/partyUrn.ts';
import { type Command, HelpRequested, subcommandGroup, UsageError, type Subcommand } from '../../client/cli/commandLine.ts';

const DEFAULT_DIR = 'data/pki';

const DIR_HELP = `  --dir DIR            the PKI folder (default ${DEFAULT_DIR})`;
const SELECTOR_HELP = `  --serial S           one certificate, by serial number (hex, as \`pki list\` shows it)
  --party URN          a party, urn:flexgate:<role>:<id>`;

const subcommands: Record<string, Subcommand> = {
  init: {
    summary: 'create the root and issuing CAs and their first CRLs',
    help: `Usage: flexgate pki init [--dir DIR] [--organisation NAME] [--root-years N] [--issuing-years N]

Creates a root CA (its key belongs offline afterwards: it is needed only to
sign the root CRL once a year), an issuing CA, and a CRL for each.
${DIR_HELP}
  --organisation NAME  O= of every subject and the CA names (default flexgate)
  --root-years N       root CA lifetime (default 20)
  --issuing-years N    issuing CA lifetime (default 5)`,
    async run(args) {
      const { values } = parse(args, {
        organisation: { type: 'string' },
        'root-years': { type: 'string' },
        'issuing-years': { type: 'string' },
      });
      const result = await initPki(values.dir, {
        ...(values.organisation === undefined ? {} : { organisation: values.organisation }),
        ...(values['root-years'] === undefined ? {} : { rootLifetimeYears: wholeNumber(values['root-years'], '--root-years') }),
        ...(values['issuing-years'] === undefined ? {} : { issuingLifetimeYears: wholeNumber(values['issuing-years'], '--issuing-years') }),
      });
      console.log(`root CA        ${result.rootCertificatePath}`);
      console.log(`issuing CA     ${result.issuingCertificatePath}`);
      console.log(`chain          ${result.chainPath}`);
      printCrls(result.crls);
      return 0;
    },
  },

  issue: {
    summary: 'issue a new key and certificate for a party',
    help: `Usage: flexgate pki issue --role ROLE --id ID [--algorithm ALG] [--days N] [--dns HOST]... [--ip ADDR]... [--dir DIR]

${DIR_HELP}
  --role ROLE          ${PARTY_ROLES.join(' | ')}
  --id ID              the party id; the certificate names urn:flexgate:<role>:<id>
  --algorithm ALG      ${KEY_ALGORITHMS.join(' | ')} (default ES256)
  --days N             lifetime in days (default ${DEFAULT_LIFETIME_DAYS})
  --dns HOST, --ip ADDR  server names (repeatable); they, or role gateway, add serverAuth`,
    async run(args) {
      const { values } = parse(args, {
        role: { type: 'string' },
        id: { type: 'string' },
        algorithm: { type: 'string' },
        days: { type: 'string' },
        dns: { type: 'string', multiple: true },
        ip: { type: 'string', multiple: true },
      });
      const role = required(values.role, '--role');
      if (!isPartyRole(role)) throw new UsageError(`--role must be one of ${PARTY_ROLES.join(', ')}`);
      const issued = await issueCertificate(values.dir, {
        role,
        id: required(values.id, '--id'),
        ...(values.algorithm === undefined ? {} : { algorithm: keyAlgorithm(values.algorithm) }),
        ...(values.days === undefined ? {} : { lifetimeDays: wholeNumber(values.days, '--days') }),
        dnsNames: values.dns ?? [],
        ipAddresses: values.ip ?? [],
      });
      printIssued(issued);
      return 0;
    },
  },

  renew: {
    summary: 'issue a new key and certificate replacing an existing one',
    help: `Usage: flexgate pki renew (--serial S | --party URN) [--revoke-old] [--algorithm ALG] [--days N] [--dir DIR]

Keeps the party, server names, algorithm and lifetime unless told otherwise.
The replaced certificate stays valid until it expires, unless --revoke-old.
${DIR_HELP}
${SELECTOR_HELP}
  --revoke-old         revoke what is replaced (reason superseded)
  --algorithm ALG      ${KEY_ALGORITHMS.join(' | ')}
  --days N             lifetime in days`,
    async run(args) {
      const { values } = parse(args, {
        serial: { type: 'string' },
        party: { type: 'string' },
        'revoke-old': { type: 'boolean', default: false },
        algorithm: { type: 'string' },
        days: { type: 'string' },
      });
      const { issued, revoked } = await renewCertificate(values.dir, selector(values), {
        revokeOld: values['revoke-old'],
        ...(values.algorithm === undefined ? {} : { algorithm: keyAlgorithm(values.algorithm) }),
        ...(values.days === undefined ? {} : { lifetimeDays: wholeNumber(values.days, '--days') }),
      });
      printIssued(issued);
      for (const serial of revoked) console.log(`revoked        ${serial} (superseded)`);
      return 0;
    },
  },

  revoke: {
    summary: 'revoke a certificate, or every valid certificate of a party',
    help: `Usage: flexgate pki revoke (--serial S | --party URN) --reason REASON [--dir DIR]

Re-issues the CRL at once; a running gateway reloads it without a restart.
The issuing CA can be revoked by its serial (needs the root key).
${DIR_HELP}
${SELECTOR_HELP}
  --reason REASON      ${REVOCATION_REASONS.join(' | ')}`,
    async run(args) {
      const { values } = parse(args, { serial: { type: 'string' }, party: { type: 'string' }, reason: { type: 'string' } });
      const reason = required(values.reason, '--reason');
      if (!isRevocationReason(reason)) throw new UsageError(`--reason must be one of ${REVOCATION_REASONS.join(', ')}`);
      const result = await revokeCertificate(values.dir, selector(values), reason);
      for (const serial of result.revoked) console.log(`revoked        ${serial} (${reason})`);
      printCrls([result.crl]);
      return 0;
    },
  },

  crl: {
    summary: 're-issue the CRLs',
    help: `Usage: flexgate pki crl [--ca root|issuing]... [--if-due] [--dir DIR]

${DIR_HELP}
  --ca NAME            only this authority's CRL (repeatable; default both)
  --if-due             only CRLs missing, out of step, or past half their validity`,
    async run(args) {
      const { values } = parse(args, { ca: { type: 'string', multiple: true }, 'if-due': { type: 'boolean', default: false } });
      if (values['if-due'] && values.ca) throw new UsageError('--if-due decides which CRLs to issue; leave out --ca');
      const authorities = (values.ca ?? [...AUTHORITY_NAMES]).map(authorityName);
      const issued = values['if-due'] ? await refreshCrls(values.dir) : await generateCrls(values.dir, { authorities });
      if (issued.length === 0) console.log('no CRL is due');
      printCrls(issued);
      return 0;
    },
  },

  list: {
    summary: 'list the CAs and issued certificates with their status',
    help: `Usage: flexgate pki list [--json] [--dir DIR]

${DIR_HELP}
  --json               print { authorities, certificates } as JSON`,
    async run(args) {
      const { values } = parse(args, { json: { type: 'boolean', default: false } });
      const authorities = await listAuthorities(values.dir);
      const certificates = await listCertificates(values.dir);
      if (values.json) {
        console.log(JSON.stringify({ authorities, certificates }, null, 2));
        return 0;
      }
      for (const ca of authorities) {
        const key = ca.keyOnline ? '' : ', key offline';
        console.log(`${ca.authority.padEnd(8)} ${ca.serial}  ${ca.status}  until ${ca.notAfter.toISOString()}  ${ca.subject}${key}`);
      }
      console.log('');
      const rows = certificates.map((c) => [
        c.serial,
        c.status + (c.revocationReason ? ` (${c.revocationReason})` : ''),
        c.notAfter.toISOString(),
        c.algorithm,
        c.urn,
      ]);
      printTable(['SERIAL', 'STATUS', 'NOT AFTER', 'ALG', 'PARTY'], rows);
      return 0;
    },
  },

  export: {
    summary: 'write a certificate with its chain (and key) as PEM or PKCS#12',
    help: `Usage: flexgate pki export (--serial S | --party URN) --out FILE [--format pem|pkcs12] [--password-file F] [--without-key] [--dir DIR]

Writes the certificate, the issuing CA and the root, and the private key,
to FILE (mode 0600 when it holds the key; an existing FILE is not replaced).
For a party, its valid certificate that expires last.
${DIR_HELP}
${SELECTOR_HELP}
  --out FILE           where to write
  --format FORMAT      pem (default) or pkcs12
  --password-file F    file holding the PKCS#12 password (required for pkcs12)
  --without-key        pem only: leave the private key out`,
    async run(args) {
      const { values } = parse(args, {
        serial: { type: 'string' },
        party: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string', default: 'pem' },
        'password-file': { type: 'string' },
        'without-key': { type: 'boolean', default: false },
      });
      const out = required(values.out, '--out');
      const format = values.format;
      if (format !== 'pem' && format !== 'pkcs12') throw new UsageError('--format must be pem or pkcs12');
      if (format === 'pkcs12' && !values['password-file']) throw new UsageError('--format pkcs12 needs --password-file');
      if (format === 'pkcs12' && values['without-key']) throw new UsageError('--without-key applies to --format pem only');
      const includeKey = !values['without-key'];
      const bundle = await exportBundle(values.dir, selector(values), {
        format,
        includeKey,
        ...(values['password-file'] ? { password: await readPassword(values['password-file']) } : {}),
      });
      try {
        await writeFile(out, bundle, { flag: 'wx', mode: includeKey ? 0o600 : 0o644 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        console.error(`flexgate pki export: ${out} already exists; remove it or choose another --out`);
        return 1;
      }
      console.log(`wrote          ${out} (${format}${includeKey ? ', with private key' : ''})`);
      return 0;
    },
  },

  dev: {
    summary: 'create the development PKI, or refresh what is near expiry',
    help: `Usage: flexgate pki dev [--dir DIR]

Creates CAs and certificates for the gateway (localhost, 127.0.0.1) and the
dev parties on first run; later runs re-issue what expires within 7 days.
${DIR_HELP}`,
    async run(args) {
      const { values } = parse(args, {});
      const summary = await ensureDevPki(values.dir);
      console.log(summary.created ? `created a development PKI in ${summary.dir}` : `development PKI in ${summary.dir}`);
      console.log(`root CA        ${summary.rootCertificatePath}`);
      for (const credential of summary.credentials) {
        console.log(`${(credential.issued ? 'issued' : 'current').padEnd(8)} ${credential.urn} until ${credential.notAfter.toISOString()}`);
        console.log(`  certificate  ${credential.certificatePath}`);
        console.log(`  private key  ${credential.privateKeyPath}`);
      }
      for (const authority of summary.crlsRefreshed) console.log(`re-issued the ${authority} CRL`);
      return 0;
    },
  },
};

export const pkiCommand: Command = subcommandGroup('pki', subcommands, {
  footer: 'Exit codes: 0 done, 1 failed, 2 usage error.',
  failure(error, name) {
    if (!(error instanceof PkiError)) return undefined;
    console.error(`flexgate pki ${name}: ${error.message} [${error.code}]`);
    return 1;
  },
});

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; default?: string | boolean }>;

/** Parses strictly, adding --dir and --help; --help prints the subcommand's help and ends it (exit 0). */
function parse<const O extends OptionSpec>(args: string[], options: O) {
  const parsed = parseArgs({
    args,
    options: { ...options, dir: { type: 'string', default: DEFAULT_DIR }, help: { type: 'boolean', short: 'h', default: false } } as const,
    strict: true,
    allowPositionals: false,
  });
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested('--help');
  return parsed;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}

function keyAlgorithm(text: string): KeyAlgorithm {
  if (!isKeyAlgorithm(text)) throw new UsageError(`--algorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  return text;
}

function authorityName(text: string): AuthorityName {
  const found = AUTHORITY_NAMES.find((name) => name === text);
  if (!found) throw new UsageError(`--ca must be one of ${AUTHORITY_NAMES.join(', ')}`);
  return found;
}

function selector(values: { serial?: string | undefined; party?: string | undefined }): string {
  if ((values.serial === undefined) === (values.party === undefined)) throw new UsageError('give exactly one of --serial or --party');
  return values.serial ?? values.party!;
}

/** The password is the file's content without its final line break, so `echo secret > F` works. */
async function readPassword(path: string): Promise<string> {
  const password = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  if (password === '') throw new UsageError(`${path} is empty`);
  return password;
}

function printIssued(issued: IssuedCertificate): void {
  console.log(`issued         ${issued.urn} (${issued.algorithm}) serial ${issued.serial}, valid until ${issued.notAfter.toISOString()}`);
  console.log(`certificate    ${issued.certificatePath}`);
  console.log(`private key    ${issued.privateKeyPath}`);
  console.log(`chain          ${issued.chainPath}`);
}

function printCrls(crls: readonly IssuedCrl[]): void {
  for (const crl of crls) {
    console.log(`${`${crl.authority} CRL`.padEnd(14)} ${crl.path} (number ${crl.crlNumber}, next update ${crl.nextUpdate.toISOString()})`);
  }
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  if (rows.length === 0) {
    console.log('no certificates issued yet');
    return;
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    );
}
