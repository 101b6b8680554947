import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { issueCertificate, loadTlsCredentials } from '../../certs/index.ts';
import { certificateThumbprint } from '../../protocol/identity/certificateIdentity.ts';
import { splitPemCertificates } from '../../protocol/identity/pem.ts';
import { createLogger, startGateway, type RunningGateway } from '../../gateway/index.ts';
import { Target } from './target.ts';
import { WireTap } from './wireTap.ts';

/** What a VEN under test is given, as environment variables (documented in conformance/README.md §The ven role). */
export interface VenEnvironment {
  FLEXGATE_VTN_URL: string;
  FLEXGATE_VEN_PARTY: string;
  FLEXGATE_VEN_CERT: string;
  FLEXGATE_VEN_KEY: string;
  FLEXGATE_VEN_CA: string;
  FLEXGATE_CLIENT_ID: string;
  FLEXGATE_CLIENT_SECRET: string;
  FLEXGATE_VEN_NAME: string;
  FLEXGATE_VEN_STATE_DIR: string;
}

/** The VEN's party as its certificate names it: what the conformance certificate attests. */
export interface VenParty {
  party: string;
  fingerprint: string;
  clientId: string;
  env: VenEnvironment;
}

/**
 * The VTN the `ven` role hosts: the reference gateway started through its
 * public entry with a fresh development PKI in a temporary folder (or the
 * given one), on loopback (port 0 unless asked), webhooks to loopback
 * allowed; a tap on its wire; and the business logic and administrator
 * parties the programme drives it with.
 */
export class TestVtn {
  private constructor(
    readonly gateway: RunningGateway,
    readonly target: Target,
    readonly tap: WireTap,
    private readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly sockets: Set<Socket>,
  ) {}

  static async start(options: { port?: number; dataDir?: string } = {}): Promise<TestVtn> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'flexgate-test-vtn-'));
    const gateway = await startGateway({
      dataDir,
      pkiDir: join(dataDir, 'pki'),
      devPki: true,
      port: options.port ?? 0,
      egressAllow: ['127.0.0.0/8'],
      logger: createLogger(process.env.FLEXGATE_LOG_LEVEL ?? 'silent'),
    });
    const sockets = new Set<Socket>();
    gateway.server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const tap = new WireTap(gateway.server);
    return new TestVtn(gateway, await Target.fromPki(gateway.url, gateway.pkiDir), tap, dataDir, options.dataDir === undefined, sockets);
  }

  /**
   * A new FSP party for the VEN under test: a certificate from the VTN's PKI,
   * OAuth client credentials from its administrator, and a folder with the
   * PEM files, the secret and an empty state folder.
   */
  async issueVen(): Promise<VenParty> {
    const id = `conformance-ven-${randomBytes(4).toString('hex')}`;
    const urn = `urn:flexgate:fsp:${id}`;
    await issueCertificate(this.gateway.pkiDir, { role: 'fsp', id });
    const credentials = await loadTlsCredentials(this.gateway.pkiDir, urn);
    const provisioned = await this.target
      .client('admin')
      .request('POST', '/admin/v1/openadr/clients', { body: JSON.stringify({ party: urn }), contentType: 'application/json' });
    if (provisioned.status !== 201) throw new Error(`The test VTN refused OpenADR credentials for ${urn}: ${provisioned.status} ${provisioned.text()}`);
    const { clientId, clientSecret } = provisioned.json<{ clientId: string; clientSecret: string }>();
    const dir = join(this.dataDir, 'vens', id);
    mkdirSync(join(dir, 'state'), { recursive: true, mode: 0o700 });
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      return join(dir, name);
    };
    const leaf = splitPemCertificates(credentials.cert)[0]!;
    return {
      party: urn,
      fingerprint: certificateThumbprint(leaf),
      clientId,
      env: {
        FLEXGATE_VTN_URL: this.gateway.url,
        FLEXGATE_VEN_PARTY: urn,
        FLEXGATE_VEN_CERT: file('cert.pem', credentials.cert),
        FLEXGATE_VEN_KEY: file('key.pem', credentials.key),
        FLEXGATE_VEN_CA: file('ca.pem', credentials.ca.join('')),
        FLEXGATE_CLIENT_ID: clientId,
        FLEXGATE_CLIENT_SECRET: clientSecret,
        FLEXGATE_VEN_NAME: `${id}-ven`,
        FLEXGATE_VEN_STATE_DIR: join(dir, 'state'),
      },
    };
  }

  async close(): Promise<void> {
    this.target.close();
    const closing = this.gateway.close();
    for (const socket of this.sockets) socket.destroy();
    await closing;
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
