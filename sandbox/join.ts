import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exportBundle, loadTlsCredentials } from '../certs/index.ts';
import { parsePartyUrn } from '../protocol/identity/partyUrn.ts';
import { FlexgateError } from '../protocol/errors.ts';
import { FlexgateClient } from '../client/flexgateClient.ts';
import { VenClient } from '../client/openadr/venClient.ts';
import { ensurePartyCertificate } from './fsps/partyCertificate.ts';
import { ADDRESS_FILE, type SandboxAddress } from './sandbox.ts';
import { provisionCredentials, SANDBOX_ADMIN, SANDBOX_DSO } from './sandboxParties.ts';

/** Scenario 1 trades these two resources' contracts: a joined FSP sees events as soon as it plays. */
export const DEFAULT_JOIN_RESOURCES = ['G1_A1', 'G1_Agg1'] as const;

export class SandboxNotRunning extends FlexgateError {
  readonly code = 'sandbox.not-running';
}

export class NotAnFsp extends FlexgateError {
  readonly code = 'sandbox.not-an-fsp';
}

export interface JoinedFsp {
  party: string;
  venName: string;
  venId: string;
  targets: string[];
  gatewayUrl: string;
  tokenUrl: string;
  clientId: string;
  /** Everything the FSP developer needs, in one folder. */
  dir: string;
  files: { bundle: string; certificate: string; key: string; pkcs12: string; pkcs12Password: string; root: string; clientSecret: string };
}

export async function readSandboxAddress(dataDir: string): Promise<SandboxAddress> {
  try {
    return JSON.parse(await readFile(join(dataDir, ADDRESS_FILE), 'utf8')) as SandboxAddress;
  } catch {
    throw new SandboxNotRunning(`No sandbox is running with data folder ${dataDir}: start one with \`flexgate sandbox\` (or \`npm start\`) first`);
  }
}

/**
 * One command from nothing to a working FSP: a certificate from the
 * sandbox's PKI (PEM bundle, separate PEM files and PKCS#12), OAuth client
 * credentials from the admin API, and a VEN registered for it by the DSO's
 * business logic with its targets granted, so it sees those resources'
 * events.
 */
export async function joinSandbox(options: { dataDir: string; party: string; resources?: readonly string[] }): Promise<JoinedFsp> {
  const party = parsePartyUrn(options.party);
  if (!party || party.role !== 'fsp') throw new NotAnFsp(`${options.party} is not an FSP party: give urn:flexgate:fsp:<id>`);
  const address = await readSandboxAddress(options.dataDir);
  const { pkiDir, gatewayUrl } = address;
  await ensurePartyCertificate(pkiDir, 'fsp', party.id);

  const dir = resolve(options.dataDir, 'fsps', party.id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = {
    bundle: join(dir, 'bundle.pem'),
    certificate: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    pkcs12: join(dir, `${party.id}.p12`),
    pkcs12Password: join(dir, `${party.id}.p12.password`),
    root: join(dir, 'root.pem'),
    clientSecret: join(dir, 'client-secret'),
  };
  const tls = await loadTlsCredentials(pkiDir, party.urn);
  const password = randomBytes(18).toString('base64url');
  const secretFile = { mode: 0o600 } as const;
  await writeFile(files.bundle, await exportBundle(pkiDir, party.urn, { format: 'pem' }), secretFile);
  await writeFile(files.certificate, await exportBundle(pkiDir, party.urn, { format: 'pem', includeKey: false }));
  await writeFile(files.key, tls.key, secretFile);
  await writeFile(files.pkcs12, await exportBundle(pkiDir, party.urn, { format: 'pkcs12', password }), secretFile);
  await writeFile(files.pkcs12Password, password, secretFile);
  await copyFile(address.rootCertificatePath, files.root);

  const admin = new FlexgateClient(gatewayUrl, await loadTlsCredentials(pkiDir, SANDBOX_ADMIN));
  const dso = new FlexgateClient(gatewayUrl, await loadTlsCredentials(pkiDir, SANDBOX_DSO));
  try {
    const credentials = await provisionCredentials(admin, party.urn);
    await writeFile(files.clientSecret, credentials.clientSecret, secretFile);
    const businessLogic = new VenClient(dso, { credentials: await provisionCredentials(admin, SANDBOX_DSO) });
    const venName = `${party.id}-ven`;
    const targets = [...(options.resources ?? DEFAULT_JOIN_RESOURCES)];
    const request = { objectType: 'BL_VEN_REQUEST' as const, clientID: party.urn, venName, targets };
    const [existing] = await businessLogic.vens({ venName });
    const ven = existing ? await businessLogic.updateVen(existing.id, request) : await businessLogic.createVen(request);
    return { party: party.urn, venName, venId: ven.id, targets, gatewayUrl, tokenUrl: credentials.tokenUrl, clientId: credentials.clientId, dir, files };
  } finally {
    admin.close();
    dso.close();
  }
}

/** The three ways on from here, as an FSP developer types them. */
export function nextCommands(joined: JoinedFsp): string[] {
  const { files, gatewayUrl, party } = joined;
  const tls = `--cert ${files.bundle} --cacert ${files.root}`;
  const ven = `--url ${gatewayUrl} --as ${party} --cert ${files.certificate} --key ${files.key} --ca ${files.root} --state-dir ${join(joined.dir, 'ven')}`;
  return [
    `# 1. curl: a token, then the events your VEN sees
TOKEN=$(curl -s ${tls} -d grant_type=client_credentials --data-urlencode client_id=${joined.clientId} --data-urlencode client_secret@${files.clientSecret} ${joined.tokenUrl} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
curl -s ${tls} -H "Authorization: Bearer $TOKEN" ${gatewayUrl}/openadr/3.1.0/events`,
    `# 2. flexgate ven: log in, find the VEN the DSO registered for you, watch its events
npx flexgate ven login ${ven} --client-secret-file ${files.clientSecret}
npx flexgate ven register ${ven} --name ${joined.venName}
npx flexgate ven events --watch --via poll --interval 2 ${ven}`,
    `# 3. your own client: mutual TLS with ${files.pkcs12} (password in ${files.pkcs12Password}) or the PEM files,
#    OAuth client credentials (client_id ${joined.clientId}, secret in ${files.clientSecret}) at ${joined.tokenUrl},
#    then OpenADR 3.1.0 at ${gatewayUrl}/openadr/3.1.0 (API documents: ${gatewayUrl}/docs)`,
  ];
}
