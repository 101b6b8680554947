import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki, loadTlsCredentials, type TlsCredentials } from '../../../certs/index.ts';
import { AnmClient } from '../../../client/anm/anmClient.ts';
import { FlexgateClient } from '../../../client/flexgateClient.ts';
import { VenClient, type VenClientOptions } from '../../../client/openadr/venClient.ts';
import { MtlsClient } from '../../../client/testing/mtlsClient.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../index.ts';
import type { Store, StoreOptions } from '../../store/store.ts';
import { LOOPBACK_EGRESS } from '../../delivery/egress.ts';
import { testLogger } from '../../testing/silentLogger.ts';

export const PARTIES = {
  fsp1: 'urn:flexgate:fsp:fsp-dev-1',
  fsp2: 'urn:flexgate:fsp:fsp-dev-2',
  dso: 'urn:flexgate:dso:dso-dev',
  anm: 'urn:flexgate:anm:anm-dev',
  admin: 'urn:flexgate:admin:admin-dev',
} as const;
export type PartyName = keyof typeof PARTIES;

/** The development PKI, made once per test process. */
let shared: Promise<TestPki> | undefined;

/** One dev PKI for every OpenADR test file of a run (creating one takes a second or two), removed when the process exits. */
export function sharedTestPki(): Promise<TestPki> {
  shared ??= TestPki.create().then((pki) => {
    process.once('exit', () => pki.remove());
    return pki;
  });
  return shared;
}

export class TestPki {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TestPki> {
    const dir = mkdtempSync(join(tmpdir(), 'flexgate-openadr-pki-'));
    await ensureDevPki(dir);
    return new TestPki(dir);
  }

  credentials(urn: string): Promise<TlsCredentials> {
    return loadTlsCredentials(this.dir, urn);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ClientCredentialsOfParty {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

export interface RunningVtn {
  gateway: RunningGateway;
  origin: string;
  base: string;
  /** The deprecated OpenADR 3.0.1 root beside `base`. */
  base301: string;
  store: Store;
  /** A party's plain HTTPS client (nothing signed): what an OpenADR VEN unaware of flexgate's envelope uses. */
  client(party: PartyName): MtlsClient;
  /** A party's signing client (mutual TLS, envelope, receipts checked). */
  flexgate(party: PartyName): Promise<FlexgateClient>;
  /** The ANM's typed client, signing as the ANM API requires. */
  anm(): Promise<AnmClient>;
  /** client_id and client_secret for a party, provisioned through the admin API as an administrator would. */
  credentialsOf(party: PartyName): Promise<ClientCredentialsOfParty>;
  /** An OpenADR client of a party (its own signing client; plain, unsigned, unless `sign` is asked for). */
  ven(party: PartyName, options?: Partial<VenClientOptions>): Promise<VenClient>;
  close(): Promise<void>;
}

/**
 * The whole gateway, started through its public entry (`startGateway`) as
 * the CLI starts it: mutual TLS, the trust layer in front of every API, the
 * ANM and adapter APIs that store merit order lists, the OpenADR routers
 * (3.1.0, 3.0.1, 2.0b) with the events reaction, delivery of notifications.
 */
export async function startVtn(pki: TestPki, store: StoreOptions, options: Pick<GatewayOptions, 'openadr' | 'mqttUrl'> = {}): Promise<RunningVtn> {
  // Test webhook receivers listen on loopback, which the gateway refuses by default.
  const gateway = await startGateway({ egressAllow: [...LOOPBACK_EGRESS], ...store, ...options, port: 0, pkiDir: pki.dir, devPki: true, logger: testLogger });
  const origin = gateway.url;
  const plain = new Map<PartyName, MtlsClient>();
  const signing = new Map<PartyName, Promise<FlexgateClient>>();
  const vens: VenClient[] = [];
  const secrets = new Map<PartyName, Promise<ClientCredentialsOfParty>>();
  const flexgate = (party: PartyName) => {
    if (!signing.has(party))
      signing.set(
        party,
        pki.credentials(PARTIES[party]).then((credentials) => new FlexgateClient(origin, credentials)),
      );
    return signing.get(party)!;
  };
  for (const party of Object.keys(PARTIES) as PartyName[]) plain.set(party, new MtlsClient(PARTIES[party], await pki.credentials(PARTIES[party]), origin));

  const vtn: RunningVtn = {
    gateway,
    origin,
    base: `${origin}/openadr/3.1.0`,
    base301: `${origin}/openadr/3.0.1`,
    store: gateway.store,
    client: (party) => plain.get(party)!,
    flexgate,
    anm: async () => new AnmClient(await flexgate('anm')),
    credentialsOf(party) {
      if (!secrets.has(party)) {
        secrets.set(
          party,
          (async () => {
            const admin = await flexgate('admin');
            const answer = await admin.request('POST', '/admin/v1/openadr/clients', {
              body: JSON.stringify({ party: PARTIES[party] }),
              contentType: 'application/json',
            });
            if (answer.status !== 201) throw new Error(`Provisioning ${party}: ${answer.status} ${answer.text()}`);
            return answer.json<ClientCredentialsOfParty>();
          })(),
        );
      }
      return secrets.get(party)!;
    },
    async ven(party, venOptions = {}) {
      const credentials = await vtn.credentialsOf(party);
      // A client of its own: each VEN keeps its own connections and sequence numbers.
      const client = new FlexgateClient(origin, await pki.credentials(PARTIES[party]));
      const ven = new VenClient(client, { credentials, sign: false, ...venOptions });
      vens.push(ven);
      return ven;
    },
    async close() {
      for (const client of plain.values()) client.close();
      for (const client of signing.values()) (await client).close();
      for (const ven of vens) ven.client.close();
      await gateway.close();
    },
  };
  return vtn;
}
