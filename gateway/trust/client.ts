import { Agent, request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { certificatePem, certificateThumbprint, partyFromCertificate, type TlsCredentials } from '../../certs/index.ts';
import { apiVersionOfPath as versionOfPath, ENVELOPE_ALGORITHMS, SIGNATURE_HEADER, type ApiVersion } from '../../schemas/envelope.ts';
import type { VerifiedEnvelope } from './caller.ts';
import { readEnvelopeHeader, sha256Base64url, signEnvelope, signerFromCredentials, verifyEnvelope, type EnvelopeClaims, type EnvelopeSigner } from './envelope.ts';

/** A party's client identity: its certificate chain, key and the CA to trust the gateway with. */
export type ClientCredentials = Pick<TlsCredentials, 'cert' | 'key' | 'ca'>;

export interface SignedRequest {
  body?: Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Override members of the envelope (tests, or a caller managing its own ids and sequences). */
  envelope?: Partial<EnvelopeClaims>;
  /** Sign with another key than the TLS certificate's. */
  signer?: EnvelopeSigner;
  /** Send this signature header verbatim, or none with `null`. */
  signature?: string | null;
}

export interface SignedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The gateway's signature over this response, verified; its receipt when the request was signed and succeeded. */
  signature: VerifiedEnvelope & { receipt?: { jti: string; 'body#S256': string; 'protected#S256': string } };
  text(): string;
  json<T = unknown>(): T;
}

/**
 * Signs a sequence number per call from the clock (microseconds since the
 * epoch, bumped on ties): strictly increasing across calls and across
 * processes on one host without shared state, and below 2^53 until 2255.
 */
export function clockSequence(): () => string {
  let last = 0;
  return () => {
    last = Math.max(last + 1, Date.now() * 1000);
    return String(last);
  };
}

/**
 * The client side of the trust layer, as a library: mutual TLS with the
 * party's certificate, every request signed over its exact body bytes,
 * every response's signature and receipt verified. `flexgate send` is this
 * class on the command line.
 */
export class FlexgateClient {
  readonly party: string;
  private readonly signer: EnvelopeSigner;
  private readonly agent: Agent;
  private readonly nextSequence: () => string;
  private gateway: Promise<GatewayIdentity> | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly credentials: ClientCredentials,
    options: { sequence?: () => string } = {},
  ) {
    this.signer = signerFromCredentials(credentials);
    this.party = this.signer.issuer;
    this.agent = new Agent({ keepAlive: true, cert: credentials.cert, key: credentials.key, ca: credentials.ca, minVersion: 'TLSv1.2' });
    this.nextSequence = options.sequence ?? clockSequence();
  }

  /**
   * The gateway's party URN and certificate, from a full TLS handshake: the
   * audience of every request and the key its responses must verify with
   * (a resumed TLS session does not show the peer certificate again).
   */
  gatewayIdentity(): Promise<GatewayIdentity> {
    this.gateway ??= discoverGateway(this.baseUrl, this.credentials);
    return this.gateway;
  }

  async request(method: string, path: string, options: SignedRequest = {}): Promise<SignedResponse> {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : Buffer.from(options.body ?? new Uint8Array());
    const gateway = await this.gatewayIdentity();
    const audience = gateway.party;
    const claims: EnvelopeClaims = {
      audience,
      sequence: this.nextSequence(),
      method,
      path,
      apiVersion: apiVersionOfPath(path),
      ...options.envelope,
    };
    const signature = options.signature === undefined ? await signEnvelope(options.signer ?? this.signer, claims, body) : options.signature;
    const headers: Record<string, string> = {
      'user-agent': 'flexgate-client/0.1',
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...(signature === null ? {} : { [SIGNATURE_HEADER]: signature }),
      ...options.headers,
    };
    const { status, responseHeaders, responseBody } = await this.send(method, path, headers, body);
    const verified = await verifyResponse(responseHeaders, responseBody, { method, path, gateway, me: this.party });
    const receipt = readEnvelopeHeader(verified.jws).header.rcpt;
    if (receipt && signature) {
      const protectedPart = signature.split('.')[0] ?? '';
      if (receipt['body#S256'] !== sha256Base64url(body) || receipt['protected#S256'] !== sha256Base64url(protectedPart)) {
        throw new Error('The gateway receipt names another request than the one sent');
      }
    }
    return {
      status,
      headers: responseHeaders,
      body: responseBody,
      signature: { ...verified, ...(receipt ? { receipt } : {}) },
      text: () => responseBody.toString('utf8'),
      json: <T>() => JSON.parse(responseBody.toString('utf8')) as T,
    };
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, headers: Record<string, string>, body: Buffer) {
    const url = new URL(path, this.baseUrl);
    return new Promise<{ status: number; responseHeaders: Record<string, string | string[] | undefined>; responseBody: Buffer }>(
      (resolve, reject) => {
        const req = httpsRequest(url, { method, headers: { ...headers, 'content-length': String(body.length) }, agent: this.agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, responseHeaders: res.headers, responseBody: Buffer.concat(chunks) }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      },
    );
  }
}

/** The API version a path belongs to, for the envelope's `ver`; a path outside every API is an error. */
export function apiVersionOfPath(path: string): ApiVersion {
  const version = versionOfPath(path);
  if (!version) throw new Error(`${path} is not under a flexgate API (${Object.keys(ENVELOPE_ALGORITHMS).join(', ')})`);
  return version;
}

async function verifyResponse(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  context: { method: string; path: string; gateway: GatewayIdentity; me: string },
): Promise<VerifiedEnvelope> {
  const jws = headers[SIGNATURE_HEADER];
  const { header } = readEnvelopeHeader(typeof jws === 'string' ? jws : undefined);
  if (!(header.ver in ENVELOPE_ALGORITHMS)) throw new Error(`The gateway signed for unknown API version ${header.ver}`);
  return verifyEnvelope(typeof jws === 'string' ? jws : undefined, body, {
    issuer: context.gateway.party,
    audience: context.me,
    method: context.method,
    path: context.path,
    apiVersion: header.ver as ApiVersion,
    certificate: { thumbprint: context.gateway.thumbprint, chain: [context.gateway.certificate] },
  });
}

export interface GatewayIdentity {
  party: string;
  certificate: string;
  thumbprint: string;
}

/** Opens a TLS connection only to read who the server says it is (the CA has vouched for it by then). */
function discoverGateway(baseUrl: string, credentials: ClientCredentials): Promise<GatewayIdentity> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 443), servername: isIp(url.hostname) ? undefined : url.hostname, ...credentials }, () => {
      const peer = socket.getPeerCertificate();
      const party = partyFromCertificate(peer);
      socket.end();
      if (party) resolve({ party: party.urn, certificate: certificatePem(peer.raw), thumbprint: certificateThumbprint(peer.raw) });
      else reject(new Error(`${baseUrl} presents no flexgate party certificate`));
    });
    socket.on('error', reject);
  });
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');
