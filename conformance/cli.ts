import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { issueCertificate, loadTlsCredentials } from '../certs/index.ts';
import { subcommandGroup, UsageError, type Command } from '../client/cli/commandLine.ts';
import { partyCredentials } from '../client/cli/partyOptions.ts';
import { signingIdentityFrom, verifyCertificate, type SigningIdentity } from './reports/certificate.ts';
import { writeReports } from './reports/write.ts';
import { progressFor } from './runner/progress.ts';
import { summary, type RunResult } from './runner/results.ts';
import { CommandTemplateClient } from './runner/clientUnderTest/clientCommand.ts';
import { ClientHarness } from './runner/clientUnderTest/clientHarness.ts';
import { runConformance } from './runner/run.ts';
import { openVenRole } from './runner/venRole.ts';
import { Target } from './runner/target.ts';
import { ROLES, type Role } from './vectors/model.ts';

const RUN_HELP = `Usage: flexgate conformance run --role ROLE --target URL [--suite S]... [--seed N]
         [--pki-dir DIR [--as URN] | --cert FILE --key FILE --ca FILE]
         [--report DIR] [--fuzz-runs N] [--fuzz-seconds S] [--signing-cert FILE --signing-key FILE]
       flexgate conformance run --role ven [--ven-command CMD | --wait S] [--vtn-port P] [--vtn-dir DIR]
         [--suite S]... [--report DIR]
       flexgate conformance run --role anm-client|dso --client-command CMD [--client-read-command CMD]
         [--data-dir DIR] [--suite S]... [--report DIR] [--signing-cert FILE --signing-key FILE | --pki-dir DIR]

Runs the conformance cases of a role against an implementation and exits 0
only when every mandatory case passed. The anm-client and dso roles test a
client instead: the suite hosts the reference gateway with a fresh PKI,
issues the client a certificate, and runs the client command once per order.

  --role ROLE        ${ROLES.join(', ')} (repeat for several)
  --target URL       the implementation under test, e.g. https://127.0.0.1:8443
  --suite S          only this suite (repeat); default every suite of the role
  --seed N           fuzz seed (printed; the same seed draws the same inputs); default random
  --pki-dir DIR      the target's PKI folder: a party per role, and certificates the
                     certificate cases issue (expired, revoked)
  --as URN           the party to prefer for its role (with --pki-dir)
  --cert/--key/--ca  one party's certificate chain, key and root CA instead
  --report DIR       write conformance.json, junit.xml, report.html and, when a signing
                     identity is known, conformance-certificate.jws
  --fuzz-runs N      inputs per fuzz case (default 1000)
  --fuzz-seconds S   hard time limit per fuzz case (default 60)
  --signing-cert/--signing-key  the conformance key that signs the certificate; default a
                     certificate urn:flexgate:admin:conformance-suite from --pki-dir's issuing CA

The ven role hosts a test VTN (the reference gateway, a fresh PKI) and drives the VEN
under test through a scripted programme; no --target. The VEN gets its party and the VTN
in the environment (FLEXGATE_VTN_URL, FLEXGATE_VEN_PARTY, FLEXGATE_VEN_CERT/_KEY/_CA,
FLEXGATE_CLIENT_ID, FLEXGATE_CLIENT_SECRET, FLEXGATE_VEN_NAME, FLEXGATE_VEN_STATE_DIR).
  --ven-command CMD  start the VEN with this shell command (stopped with SIGTERM at the end)
  --wait S           without --ven-command: print the variables and wait S seconds for the
                     VEN started by hand to register (default 30)
  --vtn-port P       the test VTN's port (default a free one)
  --vtn-dir DIR      keep the test VTN's data here (its PKI root signs the certificate)

The anm-client and dso roles host the reference gateway too; no --target.
  --client-command CMD       the client under test (anm-client, dso): a command run by /bin/sh
                     with {path} {file} {url} {cert} {key} {ca} replaced, shell-quoted, e.g.
                     'flexgate send {path} --file {file} --url {url} --cert {cert} --key {key} --ca {ca}'
                     The file's extension names its format (.tsv .csv .json .xml). Exit 0 means
                     the gateway accepted the request and its signed answer verified.
  --client-read-command CMD  the same for reads (no {file}); default the client command
                     without its {file} option
  --data-dir DIR     where the hosted reference gateway keeps its store and PKI (default a
                     temporary folder, removed afterwards)`;

const CLIENT_ROLES: readonly Role[] = ['anm-client', 'dso'];

const VERIFY_HELP = `Usage: flexgate conformance verify CERT [--ca FILE]

Verifies a conformance certificate offline (signature, signing chain, and with
--ca that the chain leads to that root) and prints what it attests.
Exit status: 0 when it verifies, 1 when it does not.`;

const SUITE_SIGNER = { role: 'admin', id: 'conformance-suite' } as const;

const run = async (args: string[]): Promise<number> => {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string', multiple: true },
      target: { type: 'string' },
      suite: { type: 'string', multiple: true },
      seed: { type: 'string' },
      'pki-dir': { type: 'string' },
      as: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      report: { type: 'string' },
      'fuzz-runs': { type: 'string', default: '1000' },
      'fuzz-seconds': { type: 'string', default: '60' },
      'signing-cert': { type: 'string' },
      'signing-key': { type: 'string' },
      'ven-command': { type: 'string' },
      wait: { type: 'string' },
      'vtn-port': { type: 'string' },
      'vtn-dir': { type: 'string' },
      'client-command': { type: 'string' },
      'client-read-command': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const roles = (values.role ?? []) as Role[];
  if (!roles.length || roles.some((role) => !ROLES.includes(role))) throw new UsageError(`give --role, one of ${ROLES.join(', ')}`);
  if (roles.some((role) => CLIENT_ROLES.includes(role))) return runClientRoles(roles, values);
  const venRole = roles.includes('ven');
  if (venRole && roles.length > 1) throw new UsageError('run the ven role on its own: it hosts its own VTN');
  if (!values.target && !venRole) throw new UsageError('give --target URL');
  const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
  const fuzzRuns = Number(values['fuzz-runs']);
  const fuzzSeconds = Number(values['fuzz-seconds']);
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(fuzzRuns) || fuzzRuns < 0 || !(fuzzSeconds > 0)) {
    throw new UsageError('--seed and --fuzz-runs are whole numbers, --fuzz-seconds above zero');
  }
  const ven = venRole ? await openVenRole(venRoleOptions(values)) : undefined;
  const target = ven ? ven.vtn.target : await targetFrom(values.target!, values);
  console.error(`conformance: roles ${roles.join(', ')} against ${ven ? ven.programme.ven.party : values.target}, seed ${seed} (rerun with --seed ${seed})`);
  try {
    const result = await runConformance({
      roles,
      target,
      suites: values.suite ?? [],
      seed,
      fuzzRuns,
      fuzzTimeMs: fuzzSeconds * 1000,
      progress: progressFor(process.stderr),
      ...(ven ? { venProgramme: ven.programme } : {}),
    });
    return await finish(result, ven ? { ...values, 'pki-dir': values['pki-dir'] ?? ven.vtn.gateway.pkiDir } : values);
  } finally {
    target.close();
    await ven?.close();
  }
};

function venRoleOptions(values: {
  'ven-command'?: string | undefined;
  wait?: string | undefined;
  'vtn-port'?: string | undefined;
  'vtn-dir'?: string | undefined;
}) {
  const wholeNumber = (value: string | undefined, name: string) => {
    if (value !== undefined && !/^\d+$/.test(value)) throw new UsageError(`${name} is a whole number`);
    return value === undefined ? undefined : Number(value);
  };
  const waitSeconds = wholeNumber(values.wait, '--wait');
  const vtnPort = wholeNumber(values['vtn-port'], '--vtn-port');
  return {
    ...(values['ven-command'] === undefined ? {} : { command: values['ven-command'] }),
    ...(waitSeconds === undefined ? {} : { waitSeconds }),
    ...(vtnPort === undefined ? {} : { vtnPort }),
    ...(values['vtn-dir'] === undefined ? {} : { vtnDir: values['vtn-dir'] }),
    print: (text: string) => void process.stderr.write(text),
  };
}

/** The anm-client and dso roles: the client command against the reference gateway the suite hosts. */
async function runClientRoles(
  roles: Role[],
  values: {
    suite?: string[] | undefined;
    seed?: string | undefined;
    report?: string | undefined;
    target?: string | undefined;
    'client-command'?: string | undefined;
    'client-read-command'?: string | undefined;
    'data-dir'?: string | undefined;
    'signing-cert'?: string | undefined;
    'signing-key'?: string | undefined;
    'pki-dir'?: string | undefined;
  },
): Promise<number> {
  if (roles.some((role) => !CLIENT_ROLES.includes(role)) || values.target) {
    throw new UsageError('anm-client and dso run against the reference gateway the suite hosts: give them without --target and without other roles');
  }
  if (!values['client-command'])
    throw new UsageError('give --client-command, e.g. "flexgate send {path} --file {file} --url {url} --cert {cert} --key {key} --ca {ca}"');
  let client: CommandTemplateClient;
  try {
    client = new CommandTemplateClient(values['client-command'], values['client-read-command']);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError('--seed is a whole number');
  const harness = await ClientHarness.start(client, values['data-dir'] ? { dataDir: values['data-dir'] } : {});
  try {
    const party = harness.party(roles.includes('anm-client') ? 'anm' : 'dso');
    console.error(
      `conformance: roles ${roles.join(', ')}, the client as ${party.urn} against ${harness.proxy.url} (the reference gateway behind the suite's proxy)`,
    );
    const result = await runConformance({
      roles,
      target: harness.reference.target,
      client: harness,
      implementation: { party: party.urn, fingerprint: party.thumbprint },
      suites: values.suite ?? [],
      seed,
      fuzzRuns: 0,
      progress: progressFor(process.stderr),
    });
    return await finish(result, values);
  } finally {
    await harness.close();
  }
}

/** Prints the verdict, writes the reports asked for, and gives the exit status. */
async function finish(
  result: RunResult,
  values: { report?: string | undefined; 'signing-cert'?: string | undefined; 'signing-key'?: string | undefined; 'pki-dir'?: string | undefined },
): Promise<number> {
  const counts = summary(result);
  console.log(
    `${result.passed ? 'PASSED' : 'FAILED'}: ${counts.passed}/${counts.total} passed, ${counts.failed} failed (${counts.mandatoryFailed} mandatory), ${counts.skipped} skipped; seed ${result.seed}`,
  );
  for (const failed of result.results.filter((r) => r.outcome === 'failed')) console.log(`  ${failed.id} ${failed.level}: ${failed.message ?? ''}`);
  if (values.report) {
    const signing = await signingIdentity(values);
    for (const path of await writeReports(values.report, result, signing)) console.log(`wrote ${path}`);
    if (!signing) console.log('no certificate: give --signing-cert/--signing-key or --pki-dir');
  }
  return result.passed ? 0 : 1;
}

async function targetFrom(
  url: string,
  values: { 'pki-dir'?: string | undefined; as?: string | undefined; cert?: string | undefined; key?: string | undefined; ca?: string | undefined },
) {
  if (values.cert !== undefined || values.key !== undefined || values.ca !== undefined) {
    const credentials = await partyCredentials({ as: '', 'pki-dir': '', cert: values.cert, key: values.key, ca: values.ca }, true);
    if (typeof credentials === 'string') throw new UsageError(credentials);
    return Target.fromCredentials(url, credentials);
  }
  return Target.fromPki(url, values['pki-dir'] ?? join('data', 'pki'), values.as);
}

async function signingIdentity(values: {
  'signing-cert'?: string | undefined;
  'signing-key'?: string | undefined;
  'pki-dir'?: string | undefined;
}): Promise<SigningIdentity | undefined> {
  if (values['signing-cert'] && values['signing-key']) {
    return signingIdentityFrom(readFileSync(values['signing-cert'], 'utf8'), readFileSync(values['signing-key'], 'utf8'));
  }
  if (!values['pki-dir']) return undefined;
  const urn = `urn:flexgate:${SUITE_SIGNER.role}:${SUITE_SIGNER.id}`;
  const credentials = await loadTlsCredentials(values['pki-dir'], urn).catch(async () => {
    await issueCertificate(values['pki-dir']!, SUITE_SIGNER);
    return loadTlsCredentials(values['pki-dir']!, urn);
  });
  return signingIdentityFrom(credentials.cert, credentials.key);
}

const verify = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ca: { type: 'string', multiple: true } } });
  const [file, ...extra] = positionals;
  if (!file || extra.length) throw new UsageError('give exactly one certificate file');
  try {
    const verified = await verifyCertificate(
      readFileSync(file, 'utf8'),
      (values.ca ?? []).map((path) => readFileSync(path, 'utf8')),
    );
    console.log(JSON.stringify(verified, null, 2));
    console.log(`VALID: signed by ${verified.signer.subject} (chain to ${verified.signer.chainedTo})`);
    return 0;
  } catch (error) {
    console.error(`INVALID: ${(error as Error).message}`);
    return 1;
  }
};

export const conformanceCommand: Command = subcommandGroup('conformance', {
  run: { summary: 'run the conformance cases of a role against an implementation', help: RUN_HELP, run },
  verify: { summary: 'verify a conformance certificate offline', help: VERIFY_HELP, run: verify },
});
