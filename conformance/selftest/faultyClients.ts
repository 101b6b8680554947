import { FlattenedSign, type JWSHeaderParameters } from 'jose';
import { sendCommandWith, type ClientFactory } from '../../client/cli/send.ts';
import { FlexgateClient, ResponseSignatureInvalid, type SignedRequest, type SignedResponse } from '../../client/flexgateClient.ts';
import { MutualTlsTransport, type ClientCredentials, type Transport, type TransportRequest, type TransportResponse } from '../../client/transport.ts';
import { ReceiptMismatch, signerFromCredentials, type EnvelopeSigner } from '../../protocol/envelope/index.ts';
import { JOSE_CRIT } from '../../protocol/envelope/joseCrit.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { RecordingTransport } from '../runner/recordingTransport.ts';
import { runConformance } from '../runner/run.ts';
import type { ClientHarness } from '../runner/clientUnderTest/clientHarness.ts';
import { InProcessClient } from './inProcessClient.ts';
import type { KillRow } from './killTable.ts';

/** A deliberately faulty ANM or DSO client: `flexgate send` with one fault injected into its client, and the suites expected to catch it. */
export interface FaultyClient {
  name: string;
  description: string;
  suites: string[];
  connect: ClientFactory;
}

type Header = Record<string, unknown>;
/** Changes what one attempt of a request sends (0 the first, 1 the first retry…); the request is signed again with the client's own key. */
type Tamper = (header: Header, body: Buffer, attempt: number) => { header: Header; body: Buffer };

/** Carries the client's requests after re-signing them as the fault has them: the fault lives in what is signed, not in the transport. */
class TamperingTransport implements Transport {
  private attempts = 0;
  private readonly inner: Transport;

  constructor(
    baseUrl: string,
    credentials: ClientCredentials,
    private readonly signer: EnvelopeSigner,
    private readonly tamper: Tamper,
  ) {
    this.inner = new MutualTlsTransport(baseUrl, credentials);
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    const signature = request.headers[SIGNATURE_HEADER];
    if (!signature) return this.inner.send(request);
    const original = JSON.parse(Buffer.from(signature.split('.')[0]!, 'base64url').toString('utf8')) as Header;
    const { header, body } = this.tamper(original, request.body, this.attempts++);
    const jws = await new FlattenedSign(body).setProtectedHeader(header as JWSHeaderParameters).sign(this.signer.key, { crit: JOSE_CRIT });
    return this.inner.send({ ...request, body, headers: { ...request.headers, [SIGNATURE_HEADER]: `${jws.protected}..${jws.signature}` } });
  }

  serverCertificate(): Promise<string> {
    return this.inner.serverCertificate();
  }

  close(): void {
    this.inner.close();
  }
}

const tampered =
  (tamper: Tamper): ClientFactory =>
  (url, credentials, options) =>
    new FlexgateClient(url, credentials, { ...options, transport: new TamperingTransport(url, credentials, signerFromCredentials(credentials), tamper) });

const onRetry =
  (change: (header: Header, body: Buffer) => { header: Header; body: Buffer }): Tamper =>
  (header, body, attempt) =>
    attempt === 0 ? { header, body } : change(header, body);

/** What a client that verifies nothing makes of an answer. */
const UNCHECKED: SignedResponse['signature'] = {
  jws: '',
  alg: 'unchecked',
  issuer: 'unchecked',
  audience: '',
  messageId: '',
  sequence: '0',
  issuedAt: 0,
  schemaVersion: '',
  certificateChain: [],
  bodySha256: '',
  protectedHeaderSha256: '',
  requestSha256: '',
};

/** Takes the answer whether or not the gateway signed it, and whatever its receipt names. */
class TrustingClient extends FlexgateClient {
  override async request(method: string, path: string, options: SignedRequest = {}): Promise<SignedResponse> {
    try {
      return await super.request(method, path, options);
    } catch (error) {
      const raw = (this.transport as RecordingTransport).last;
      if (!raw || !(error instanceof ResponseSignatureInvalid || error instanceof ReceiptMismatch)) throw error;
      return { ...raw, signature: UNCHECKED, text: () => raw.body.toString('utf8'), json: <T>() => JSON.parse(raw.body.toString('utf8')) as T };
    }
  }
}

/** The faulty clients the anm-client and dso roles must catch, one fault each. */
export const FAULTY_CLIENTS: readonly FaultyClient[] = [
  {
    name: 'reuses-sequence-numbers',
    description: 'keeps no sequence counter: every invocation numbers its messages from 1 again',
    suites: ['envelope'],
    connect: (url, credentials, options) => {
      let next = 0;
      return new FlexgateClient(url, credentials, { ...options, sequence: () => String(++next) });
    },
  },
  {
    name: 'sends-stale-issue-time',
    description: 'signs with an issue time ten minutes old (a clock left wrong)',
    suites: ['envelope'],
    connect: tampered((header, body) => ({ header: { ...header, iat: Number(header.iat) - 600 }, body })),
  },
  {
    name: 'wrong-audience',
    description: 'addresses its signatures to another gateway than the one it talks to',
    suites: ['envelope'],
    connect: tampered((header, body) => ({ header: { ...header, aud: 'urn:flexgate:gateway:another-gateway' }, body })),
  },
  {
    name: 'omits-path-binding',
    description: 'leaves the method and path (htm, htu) out of the signature and its crit',
    suites: ['envelope'],
    connect: tampered(({ htm: _method, htu: _path, ...header }, body) => ({
      header: { ...header, crit: (header.crit as string[]).filter((member) => member !== 'htm' && member !== 'htu') },
      body,
    })),
  },
  {
    name: 'signs-path-without-query',
    description: 'binds the path but not its query string',
    suites: ['envelope'],
    connect: tampered((header, body) => ({ header: { ...header, htu: String(header.htu).split('?')[0] }, body })),
  },
  {
    name: 'accepts-forged-answers',
    description:
      'takes any answer: unsigned, signed by another key, with a receipt for another body or none, altered, or with another status than the signed one',
    suites: ['answers'],
    connect: (url, credentials, options) => new TrustingClient(url, credentials, { ...options, transport: new RecordingTransport(url, credentials) }),
  },
  {
    name: 'changes-body-on-retry',
    description: 'retries a request whose answer was lost with the same message id but a changed body',
    suites: ['answers'],
    connect: tampered(onRetry((header, body) => ({ header, body: Buffer.concat([body, Buffer.from('\n')]) }))),
  },
  {
    name: 'new-message-id-on-retry',
    description: 'retries a request whose answer was lost as a new message (the gateway acts on it twice)',
    suites: ['answers'],
    connect: tampered(onRetry((header, body) => ({ header: { ...header, jti: crypto.randomUUID() }, body }))),
  },
];

/** Runs each faulty client through its suites of both client roles, one at a time, and restores the harness's client. */
export async function clientKillTable(harness: ClientHarness, faults: readonly FaultyClient[], options: { seed: number }): Promise<KillRow[]> {
  const reference = harness.client;
  const rows: KillRow[] = [];
  try {
    for (const fault of faults) {
      harness.client = new InProcessClient(sendCommandWith(fault.connect));
      const run = await runConformance({
        roles: ['anm-client', 'dso'],
        target: harness.reference.target,
        client: harness,
        suites: fault.suites,
        seed: options.seed,
        fuzzRuns: 0,
      });
      rows.push({
        fault: fault.name,
        description: fault.description,
        caughtBy: run.results.filter((r) => r.level === 'mandatory' && r.outcome === 'failed').map((r) => r.id),
      });
    }
  } finally {
    harness.client = reference;
  }
  return rows;
}
