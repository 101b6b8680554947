import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { MtlsClient } from '../../../client/testing/mtlsClient.ts';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { X509Certificate } from 'node:crypto';
import {
  DEV_GATEWAY,
  ensureDevPki,
  loadTlsCredentials,
  loadTrustMaterial,
  revokedSerialNumbers,
  type TlsCredentials,
  type TrustMaterial,
} from '../../../certs/index.ts';
import { adapterRouter } from '../../adapter/routes.ts';
import { anmRouter } from '../../anm/routes.ts';
import { problemHandler } from '../../http/problemResponse.ts';
import { Intake } from '../../intake.ts';
import type { Store } from '../../store/store.ts';
import { ACCESS_RULES } from '../../index.ts';
import { testLogger } from '../../testing/silentLogger.ts';
import { identifyCaller } from '../../trust/caller.ts';
import { signerFromCredentials } from '../../../protocol/envelope/index.ts';
import { signResponses, verifyRequests, type TrustState } from '../../trust/trustLayer.ts';
import { DEFAULT_OPENADR_CONFIG, type OpenadrConfig } from '../config.ts';
import { openadrEventsReaction } from '../eventsReaction.ts';
import { openadr20bRouter } from '../oadr20b/routes.ts';
import { openadrRouter } from '../routes.ts';
import { provisionClientCredentials } from '../tokens.ts';
import { openadrV301Router } from '../v301/routes.ts';

export const PARTIES = {
  fsp1: 'urn:flexgate:fsp:fsp-dev-1',
  fsp2: 'urn:flexgate:fsp:fsp-dev-2',
  dso: 'urn:flexgate:dso:dso-dev',
  anm: 'urn:flexgate:anm:anm-dev',
} as const;
export type PartyName = keyof typeof PARTIES;

/** The development PKI, made once per test file (a second or two). */
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

function trustStateOf(material: TrustMaterial): TrustState {
  return { issuingAuthorities: material.ca.map((pem) => new X509Certificate(pem)), revokedSerials: revokedSerialNumbers(material.crl) };
}

export interface RunningVtn {
  origin: string;
  base: string;
  /** The deprecated OpenADR 3.0.1 root beside `base`. */
  base301: string;
  store: Store;
  client(party: PartyName): MtlsClient;
  /** client_id and client_secret for a party, provisioned as an administrator would. */
  credentialsOf(party: PartyName): Promise<{ clientId: string; clientSecret: string }>;
  close(): Promise<void>;
}

/**
 * The VTN as the gateway will run it, over real mutual TLS: the caller from
 * the client certificate, the ANM and adapter APIs (which store the merit
 * order lists) and the OpenADR routers (3.1.0, 3.0.1, 2.0b), with the events
 * reaction registered.
 */
export async function startVtn(pki: TestPki, store: Store, options: { config?: OpenadrConfig; trustLayer?: boolean } = {}): Promise<RunningVtn> {
  const config = options.config ?? DEFAULT_OPENADR_CONFIG;
  const intake = new Intake(store, [openadrEventsReaction(config)]);
  const app = express();
  const gatewayUrn = `urn:flexgate:${DEV_GATEWAY.role}:${DEV_GATEWAY.id}`;
  const material = await loadTrustMaterial(pki.dir);
  if (options.trustLayer) {
    // The whole trust layer, as the gateway mounts it: signatures verified when present, every response signed.
    const trust = {
      store,
      gateway: signerFromCredentials(await pki.credentials(gatewayUrn)),
      logger: testLogger,
      trust: () => trustStateOf(material),
      rules: ACCESS_RULES,
    };
    app.use(express.raw({ type: () => true, limit: 1024 * 1024 }));
    app.use(signResponses(trust));
    app.use(verifyRequests(trust));
  } else {
    app.use(identifyCaller());
  }
  app.use(anmRouter({ intake, maxBodyBytes: 1024 * 1024 }));
  app.use(adapterRouter({ intake, maxBodyBytes: 1024 * 1024 }));
  app.use(openadrRouter({ intake, maxBodyBytes: 1024 * 1024, config }));
  app.use(openadrV301Router({ intake, maxBodyBytes: 1024 * 1024, config }));
  app.use(openadr20bRouter({ store, config }));
  app.use(problemHandler(testLogger));
  const server = https.createServer({ ...(await pki.credentials(gatewayUrn)), ...material, requestCert: true, rejectUnauthorized: true }, app);
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = new Map<PartyName, MtlsClient>();
  for (const party of Object.keys(PARTIES) as PartyName[]) clients.set(party, new MtlsClient(PARTIES[party], await pki.credentials(PARTIES[party]), origin));
  const secrets = new Map<PartyName, { clientId: string; clientSecret: string }>();
  return {
    origin,
    base: `${origin}/openadr/3.1.0`,
    base301: `${origin}/openadr/3.0.1`,
    store,
    client: (party) => clients.get(party)!,
    async credentialsOf(party) {
      if (!secrets.has(party)) secrets.set(party, await provisionClientCredentials(store.db, PARTIES[party]));
      return secrets.get(party)!;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
