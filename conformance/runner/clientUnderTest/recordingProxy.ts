import { generateKeyPairSync } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientCredentials } from '../../../client/transport.ts';
import { readEnvelopeHeader, sha256Base64url, signEnvelope, type EnvelopeSigner } from '../../../protocol/envelope/index.ts';
import { partyFromCertificate } from '../../../protocol/identity/certificateIdentity.ts';
import { certificatePem } from '../../../protocol/identity/pem.ts';
import { SIGNATURE_HEADER, type ApiVersion, type Receipt } from '../../../schemas/envelope.ts';

/**
 * What the proxy does with the gateway's answer: deliver it, drop the
 * connection instead of delivering the first one (the client must retry),
 * or deliver it forged: without its signature, signed by a key that is not
 * the gateway's, signed by the gateway with a receipt for another body,
 * with its body changed under the gateway's signature, with another status
 * than the one the gateway signed (`sts`), or signed by the gateway as a
 * success without its receipt (`rcpt`).
 */
export const ANSWER_TREATMENTS = [
  'forward',
  'drop-first',
  'unsigned',
  'forged-signature',
  'wrong-receipt',
  'altered-body',
  'relabelled-status',
  'no-receipt',
] as const;
export type AnswerTreatment = (typeof ANSWER_TREATMENTS)[number];

export interface RecordedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request of the client under test as it arrived, and the gateway's answer to it. */
export interface RecordedRequest {
  /** The party the client's TLS certificate names, and that certificate (PEM). */
  party: string;
  certificate: string;
  /** Epoch ms. */
  receivedAt: number;
  method: string;
  /** Path and query as sent: what the signature must bind. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  answer?: RecordedAnswer;
  /** What reached the client: the answer as the gateway gave it, dropped, or forged. */
  delivered?: 'as-is' | 'dropped' | Exclude<AnswerTreatment, 'forward' | 'drop-first'>;
  error?: string;
}

export interface RecordingProxyOptions {
  /** The gateway the requests go on to. */
  gatewayUrl: string;
  /** The gateway's own certificate and key: the client must see the gateway, not a stranger. */
  gateway: ClientCredentials;
  /** The gateway's signer: a receipt for another body, signed by the gateway itself, tests the receipt check alone. */
  gatewaySigner: EnvelopeSigner;
  /** The clients under test by party URN: the proxy reaches the gateway with the client's own certificate, as the signature's issuer must match it. */
  clients: ReadonlyMap<string, ClientCredentials>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade']);

const endToEnd = (headers: IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));

/**
 * The suite's stand-in for the gateway: a TLS server with the gateway's own
 * certificate that records every request of the client under test, passes
 * it on to the reference gateway over the client's own mutual TLS identity,
 * and delivers the answer as the case's treatment says.
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  treatment: AnswerTreatment = 'forward';
  private readonly impostor: EnvelopeSigner;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: RecordingProxyOptions,
  ) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // Claims the gateway's name and key id, signs with a key of its own.
    this.impostor = { ...options.gatewaySigner, key: privateKey };
  }

  static async start(options: RecordingProxyOptions): Promise<RecordingProxy> {
    const server = createServer({
      cert: options.gateway.cert,
      key: options.gateway.key,
      ca: options.gateway.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new RecordingProxy(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void proxy.handle(req, res));
    return proxy;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const certificate = certificatePem(peer.raw);
    const recorded: RecordedRequest = {
      party: partyFromCertificate(peer.raw)?.urn ?? 'unidentified',
      certificate,
      receivedAt: Date.now(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    this.requests.push(recorded);
    const credentials = this.options.clients.get(recorded.party);
    if (!credentials) {
      recorded.error = `${recorded.party} is not a client the suite issued a certificate to`;
      res.writeHead(403).end();
      return;
    }
    try {
      recorded.answer = await this.forward(recorded, credentials);
    } catch (error) {
      recorded.error = `the gateway did not answer: ${(error as Error).message}`;
      res.destroy();
      return;
    }
    const treatment = this.treatment;
    if (treatment === 'drop-first') {
      this.treatment = 'forward';
      recorded.delivered = 'dropped';
      res.destroy();
      return;
    }
    const delivered = await this.treat(treatment, recorded, recorded.answer);
    recorded.delivered = treatment === 'forward' ? 'as-is' : treatment;
    res.writeHead(delivered.status, endToEnd(delivered.headers));
    res.end(delivered.body);
  }

  private forward(recorded: RecordedRequest, credentials: ClientCredentials): Promise<RecordedAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = httpsRequest(
        new URL(recorded.path, this.options.gatewayUrl),
        {
          method: recorded.method,
          headers: { ...endToEnd(recorded.headers), 'content-length': String(recorded.body.length) },
          cert: credentials.cert,
          key: credentials.key,
          ca: credentials.ca,
          agent: false,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(parts) }));
          answer.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(recorded.body);
    });
  }

  private async treat(treatment: Exclude<AnswerTreatment, 'drop-first'>, recorded: RecordedRequest, answer: RecordedAnswer): Promise<RecordedAnswer> {
    const { [SIGNATURE_HEADER]: signature, ...unsigned } = answer.headers;
    switch (treatment) {
      case 'forward':
        return answer;
      case 'unsigned':
        return { ...answer, headers: unsigned };
      case 'altered-body':
        return { ...answer, body: Buffer.concat([answer.body, Buffer.from(' ')]) };
      // A success becomes another success, anything else a success.
      case 'relabelled-status':
        return { ...answer, status: answer.status === 200 ? 201 : 200 };
      case 'forged-signature':
      case 'wrong-receipt':
      case 'no-receipt': {
        const { header } = readEnvelopeHeader(typeof signature === 'string' ? signature : undefined);
        const receipt = forgedReceipt(treatment, header.rcpt, recorded.path);
        const forged = await signEnvelope(
          treatment === 'forged-signature' ? this.impostor : this.options.gatewaySigner,
          {
            audience: header.aud,
            sequence: header.seq,
            method: header.htm,
            path: header.htu,
            apiVersion: header.ver as ApiVersion,
            messageId: header.jti,
            issuedAt: new Date(header.iat * 1000),
            ...(header.sts === undefined ? {} : { status: header.sts }),
            ...(receipt ? { receipt } : {}),
          },
          answer.body,
        );
        return { ...answer, headers: { ...unsigned, [SIGNATURE_HEADER]: forged } };
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** The receipt a re-signed answer carries: the gateway's own, one naming another body, or none. */
function forgedReceipt(treatment: 'forged-signature' | 'wrong-receipt' | 'no-receipt', receipt: Receipt | undefined, path: string): Receipt | undefined {
  switch (treatment) {
    case 'wrong-receipt':
      return receipt && { ...receipt, 'body#S256': sha256Base64url(Buffer.from(`not ${path}`)) };
    case 'no-receipt':
      return undefined;
    case 'forged-signature':
      return receipt;
  }
}
