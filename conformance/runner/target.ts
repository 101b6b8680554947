import { listCertificates, loadTlsCredentials } from '../../certs/index.ts';
import { FlexgateClient, type GatewayIdentity } from '../../client/flexgateClient.ts';
import { clockSequence } from '../../protocol/envelope/index.ts';
import type { ClientCredentials } from '../../client/transport.ts';
import { FlexgateError } from '../../protocol/errors.ts';
import { partyFromCertificate } from '../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import type { PartyName } from '../vectors/model.ts';
import { RecordingTransport } from './recordingTransport.ts';

/** A case needs a party the run was not given (say, a second FSP with only `--cert` of one). */
export class PartyUnavailable extends FlexgateError {
  readonly code = 'conformance.party-unavailable';
}

const OPENADR = '/openadr/3.1.0';
const CLIENTS_PATH = '/admin/v1/openadr/clients';

export interface TargetOptions {
  url: string;
  parties: Partial<Record<PartyName, ClientCredentials>>;
  /** The target's PKI folder: scripted cases issue and revoke certificates there (expired, revoked, wrong purpose). */
  pkiDir?: string;
}

/**
 * The implementation under test as the suite reaches it: its URL, a signing
 * client per party, and each party's OpenADR token (credentials provisioned
 * through the target's administrator, then the client-credentials grant).
 */
export class Target {
  readonly url: string;
  readonly pkiDir: string | undefined;
  private readonly parties: Partial<Record<PartyName, ClientCredentials>>;
  private readonly clients = new Map<PartyName, FlexgateClient>();
  private readonly tokens = new Map<PartyName, Promise<string>>();
  private readonly sequences = new Map<PartyName, () => string>();

  constructor(options: TargetOptions) {
    this.url = options.url;
    this.parties = options.parties;
    this.pkiDir = options.pkiDir;
  }

  /** The parties of a PKI folder: per role its dev party when present, else its first valid certificate; `fsp2` a second FSP. */
  static async fromPki(url: string, pkiDir: string, primary?: string): Promise<Target> {
    const valid = (await listCertificates(pkiDir)).filter((entry) => entry.status === 'valid');
    const urnsOf = (role: string) => [...new Set(valid.filter((entry) => entry.role === role).map((entry) => entry.urn))].sort();
    const parties: Partial<Record<PartyName, ClientCredentials>> = {};
    for (const role of ['anm', 'dso', 'fsp', 'admin'] as const) {
      const urns = urnsOf(role);
      const preferred = primary && urns.includes(primary) ? primary : (urns.find((urn) => urn.endsWith('-dev') || urn.endsWith('-dev-1')) ?? urns[0]);
      if (preferred) parties[role] = await loadTlsCredentials(pkiDir, preferred);
      const second = urns.find((urn) => urn !== preferred);
      if (role === 'fsp' && second) parties.fsp2 = await loadTlsCredentials(pkiDir, second);
    }
    return new Target({ url, parties, pkiDir });
  }

  /** One party from PEM files (`--cert --key --ca`): only cases of its role can run. */
  static fromCredentials(url: string, credentials: ClientCredentials): Target {
    const leaf = splitPemCertificates(credentials.cert)[0];
    const party = leaf ? partyFromCertificate(leaf) : undefined;
    if (!party) throw new PartyUnavailable('The certificate names no flexgate party (SAN URI urn:flexgate:<role>:<id>)');
    const role = party.role as PartyName;
    return new Target({ url, parties: { [role]: credentials } });
  }

  has(name: PartyName): boolean {
    return this.parties[name] !== undefined;
  }

  credentials(name: PartyName): ClientCredentials {
    const credentials = this.parties[name];
    if (!credentials) throw new PartyUnavailable(`This case needs a ${name} party; give a PKI folder (--pki-dir) holding one`);
    return credentials;
  }

  /** The party's signing client, one per party for the run (its sequence numbers rise). */
  client(name: PartyName): FlexgateClient {
    let client = this.clients.get(name);
    if (!client) {
      const credentials = this.credentials(name);
      client = new FlexgateClient(this.url, credentials, {
        userAgent: 'flexgate-conformance/1',
        sequence: () => this.nextSequence(name),
        transport: new RecordingTransport(this.url, credentials),
      });
      this.clients.set(name, client);
    }
    return client;
  }

  /** The party's next sequence number: one counter per party, shared by its client and the cases that sign for themselves. */
  nextSequence(name: PartyName): string {
    let next = this.sequences.get(name);
    if (!next) {
      next = clockSequence();
      this.sequences.set(name, next);
    }
    return next();
  }

  party(name: PartyName): string {
    return this.client(name).party;
  }

  gatewayIdentity(): Promise<GatewayIdentity> {
    return this.client(this.anyParty()).gatewayIdentity();
  }

  anyParty(): PartyName {
    const name = (['anm', 'dso', 'fsp', 'admin', 'fsp2'] as const).find((candidate) => this.has(candidate));
    if (!name) throw new PartyUnavailable('No party credentials were given');
    return name;
  }

  /** The party's OpenADR bearer token, fetched once per run. */
  bearer(name: PartyName): Promise<string> {
    let token = this.tokens.get(name);
    if (!token) {
      token = this.fetchToken(name);
      token.catch(() => this.tokens.delete(name));
      this.tokens.set(name, token);
    }
    return token;
  }

  private async fetchToken(name: PartyName): Promise<string> {
    const party = this.party(name);
    const provisioned = await this.client('admin').request('POST', CLIENTS_PATH, { body: JSON.stringify({ party }), contentType: 'application/json' });
    if (provisioned.status !== 201)
      throw new PartyUnavailable(`The administrator could not provision OpenADR credentials for ${party}: ${provisioned.status} ${provisioned.text()}`);
    const { clientId, clientSecret } = provisioned.json<{ clientId: string; clientSecret: string }>();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    const answer = await this.client(name).request('POST', `${OPENADR}/auth/token`, {
      body: form.toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    if (answer.status !== 200) throw new PartyUnavailable(`No OpenADR token for ${party}: ${answer.status} ${answer.text()}`);
    return answer.json<{ access_token: string }>().access_token;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }
}
