import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, loadTlsCredentials, type TlsCredentials } from '../../../certs/index.ts';
import type { ClientCredentials } from '../../../client/transport.ts';
import { signerFromCredentials } from '../../../protocol/envelope/index.ts';
import { certificateThumbprint } from '../../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../../protocol/identity/pem.ts';
import { startReferenceGateway, type ReferenceGateway } from '../../selftest/referenceGateway.ts';
import type { ClientRun, ClientUnderTest } from './clientCommand.ts';
import { RecordingProxy, type AnswerTreatment, type RecordedRequest } from './recordingProxy.ts';

/** The parties a client under test acts as: an ANM (anm-client role) or a DSO system (dso role). */
export type ClientParty = 'anm' | 'dso';
export const CLIENT_PARTY_ID = 'client-under-test';

interface IssuedParty {
  urn: string;
  credentials: ClientCredentials;
  files: { cert: string; key: string; ca: string };
}

/** One order carried out: how the client ended, its requests as the gateway got them, and what the party sent before. */
export interface ClientInvocation {
  run: ClientRun;
  requests: RecordedRequest[];
  earlier: RecordedRequest[];
}

/**
 * What the client roles run against: the reference gateway (public entry, a
 * development PKI), a certificate per client party issued from it, and the
 * recording proxy the client is pointed at.
 */
export class ClientHarness {
  private orders = 0;

  private constructor(
    readonly reference: ReferenceGateway,
    readonly proxy: RecordingProxy,
    /** The client the orders go to; the self-test swaps in its faulty clients one at a time. */
    public client: ClientUnderTest,
    private readonly parties: Record<ClientParty, IssuedParty>,
    private readonly workDir: string,
  ) {}

  /** Hosts the reference gateway (data under `dataDir`, else a temporary folder) and issues the client's parties. */
  static async start(client: ClientUnderTest, options: { dataDir?: string } = {}): Promise<ClientHarness> {
    const reference = await startReferenceGateway(options);
    const workDir = mkdtempSync(join(tmpdir(), 'flexgate-client-under-test-'));
    try {
      const { pkiDir, identity, url } = reference.gateway;
      const parties = {} as Record<ClientParty, IssuedParty>;
      for (const role of ['anm', 'dso'] as const) {
        const urn = `urn:flexgate:${role}:${CLIENT_PARTY_ID}`;
        const credentials = await loadTlsCredentials(pkiDir, urn).catch(async () => {
          await issueCertificate(pkiDir, { role, id: CLIENT_PARTY_ID });
          return loadTlsCredentials(pkiDir, urn);
        });
        parties[role] = { urn, credentials, files: writeCredentials(workDir, role, credentials) };
      }
      const gateway = await loadTlsCredentials(pkiDir, identity);
      const proxy = await RecordingProxy.start({
        gatewayUrl: url,
        gateway,
        gatewaySigner: signerFromCredentials(gateway),
        clients: new Map(Object.values(parties).map((party) => [party.urn, party.credentials])),
      });
      return new ClientHarness(reference, proxy, client, parties, workDir);
    } catch (error) {
      await reference.close();
      rmSync(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  party(role: ClientParty): { urn: string; thumbprint: string } {
    const { urn, credentials } = this.parties[role];
    return { urn, thumbprint: certificateThumbprint(splitPemCertificates(credentials.cert)[0]!) };
  }

  /** Has the client carry out one order as the party, with the gateway's answers treated as the case says. */
  async invoke(
    role: ClientParty,
    order: { path: string; document?: { name: string; bytes: Buffer } },
    treatment: AnswerTreatment = 'forward',
  ): Promise<ClientInvocation> {
    const party = this.parties[role];
    let file: string | undefined;
    if (order.document) {
      file = join(this.workDir, `${++this.orders}-${order.document.name}`);
      writeFileSync(file, order.document.bytes);
    }
    const from = this.proxy.requests.length;
    this.proxy.treatment = treatment;
    try {
      const run = await this.client.run({ path: order.path, ...(file ? { file } : {}), url: this.proxy.url, ...party.files });
      const ofParty = (request: RecordedRequest) => request.party === party.urn;
      return { run, requests: this.proxy.requests.slice(from).filter(ofParty), earlier: this.proxy.requests.slice(0, from).filter(ofParty) };
    } finally {
      this.proxy.treatment = 'forward';
    }
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.reference.close();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

function writeCredentials(dir: string, role: ClientParty, credentials: TlsCredentials): IssuedParty['files'] {
  const files = { cert: join(dir, `${role}-cert.pem`), key: join(dir, `${role}-key.pem`), ca: join(dir, `${role}-ca.pem`) };
  writeFileSync(files.cert, credentials.cert);
  writeFileSync(files.key, credentials.key, { mode: 0o600 });
  writeFileSync(files.ca, credentials.ca.join(''));
  return files;
}
