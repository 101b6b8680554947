import { setTimeout as delay } from 'node:timers/promises';
import { SIGNATURE_HEADER } from '../schemas/envelope.ts';
import {
  apiVersionFor,
  checkReceipt,
  clockSequence,
  signEnvelope,
  signerFromCredentials,
  verifyEnvelope,
  type EnvelopeClaims,
  type EnvelopeSigner,
  type VerifiedEnvelope,
} from '../protocol/envelope/index.ts';
import { FlexgateError } from '../protocol/errors.ts';
import { certificateThumbprint, partyFromCertificate } from '../protocol/identity/certificateIdentity.ts';
import { timeOrderedUuid } from '../protocol/identity/timeOrderedUuid.ts';
import { Problem } from '../protocol/problem.ts';
import { MutualTlsTransport, TransportFailed, type ClientCredentials, type Transport, type TransportResponse } from './transport.ts';

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
  /** The gateway's signature over this response, verified (its `sts` names `status`); its receipt, checked, when the request was signed and succeeded. */
  signature: VerifiedEnvelope;
  text(): string;
  json<T = unknown>(): T;
}

/** Who the gateway is: the audience of every request and the key its responses verify with. */
export interface GatewayIdentity {
  party: string;
  certificate: string;
  thumbprint: string;
}

/** The gateway's response is not signed by the gateway, or its signature does not hold. */
export class ResponseSignatureInvalid extends FlexgateError {
  readonly code = 'client.response-signature-invalid';
}

/** The server's certificate names no flexgate party: it is not a flexgate gateway. */
export class NotAGateway extends FlexgateError {
  readonly code = 'client.not-a-gateway';
}

export interface FlexgateClientOptions {
  /** Sequence numbers for `seq`; default from the clock (protocol/envelope/sequence.ts). */
  sequence?: () => string;
  /** How requests travel; default mutual TLS with `credentials`. */
  transport?: Transport;
  userAgent?: string;
  /**
   * Times a request is sent again when its answer never came (the connection
   * dropped): a write with the same message id and body, so the gateway acts
   * on it once and answers the repeat with the first answer; a read afresh.
   * Default 0.
   */
  retries?: number;
}

/** Methods whose repeat changes nothing: sent again as new messages (the gateway refuses a read's message id twice). */
const SAFE_METHODS = new Set(['GET', 'HEAD']);
/** First pause before a retry, doubled for each further one. */
const RETRY_PAUSE_MS = 200;

/**
 * The client side of the trust layer: every request signed over its exact
 * body bytes with the party's key, every response's signature and receipt
 * verified against the gateway's certificate. `flexgate send`, the typed ANM
 * and OpenADR clients, the sandbox and the conformance suites all use it.
 */
export class FlexgateClient {
  readonly party: string;
  readonly transport: Transport;
  private readonly signer: EnvelopeSigner;
  private readonly nextSequence: () => string;
  private readonly userAgent: string;
  private readonly retries: number;
  private gateway: Promise<GatewayIdentity> | undefined;

  constructor(
    readonly baseUrl: string,
    credentials: ClientCredentials,
    options: FlexgateClientOptions = {},
  ) {
    this.signer = signerFromCredentials(credentials);
    this.party = this.signer.issuer;
    this.transport = options.transport ?? new MutualTlsTransport(baseUrl, credentials);
    this.nextSequence = options.sequence ?? clockSequence();
    this.userAgent = options.userAgent ?? 'flexgate-client/0.1';
    this.retries = options.retries ?? 0;
  }

  /** The gateway's party URN and certificate, as its TLS certificate says. */
  gatewayIdentity(): Promise<GatewayIdentity> {
    this.gateway ??= this.transport.serverCertificate().then((certificate) => {
      const party = partyFromCertificate(certificate);
      if (!party) throw new NotAGateway(`${this.baseUrl} presents no flexgate party certificate`);
      return { party: party.urn, certificate, thumbprint: certificateThumbprint(certificate) };
    });
    this.gateway.catch(() => (this.gateway = undefined));
    return this.gateway;
  }

  /** Sends one signed request and returns the verified response; `path` includes any query. */
  async request(method: string, path: string, options: SignedRequest = {}): Promise<SignedResponse> {
    // One message id for every attempt, so that a retry is recognised as the same message; time-ordered, so that the
    // gateway's message-id index grows at its end (issue 16, P1).
    const message = SAFE_METHODS.has(method.toUpperCase()) ? options : { ...options, envelope: { messageId: timeOrderedUuid(), ...options.envelope } };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(method, path, message);
      } catch (error) {
        if (!(error instanceof TransportFailed) || attempt >= this.retries) throw error;
        await delay(RETRY_PAUSE_MS * 2 ** attempt);
      }
    }
  }

  private async send(method: string, path: string, options: SignedRequest): Promise<SignedResponse> {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : Buffer.from(options.body ?? new Uint8Array());
    const gateway = await this.gatewayIdentity();
    const claims: EnvelopeClaims = {
      audience: gateway.party,
      sequence: this.nextSequence(),
      method,
      path,
      apiVersion: apiVersionFor(path),
      ...options.envelope,
    };
    const signature = options.signature === undefined ? await signEnvelope(options.signer ?? this.signer, claims, body) : options.signature;
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...(signature === null ? {} : { [SIGNATURE_HEADER]: signature }),
      ...options.headers,
    };
    const response = await this.transport.send({ method, url: new URL(path, this.baseUrl), headers, body });
    const verified = await verifyAnswer(response, { method, path, gateway, me: this.party, ...(signature ? { signed: { signature, body } } : {}) });
    return {
      status: response.status,
      headers: response.headers,
      body: response.body,
      signature: verified,
      text: () => response.body.toString('utf8'),
      json: <T>() => JSON.parse(response.body.toString('utf8')) as T,
    };
  }

  close(): void {
    this.transport.close();
  }
}

/** What an answer is checked against: the exchange as this party made it. */
export interface AnswerContext {
  method: string;
  path: string;
  gateway: GatewayIdentity;
  me: string;
  /** The request's signature header and body as sent, when it was signed: a success must carry its receipt. */
  signed?: { signature: string; body: Uint8Array };
}

/**
 * Checks a gateway's answer as a client must before it believes it: signed by
 * the gateway to this party for this exchange, its `sts` naming the status it
 * came with, and, for a success to a signed request, a receipt for exactly
 * what was sent.
 */
export async function verifyAnswer(response: TransportResponse, context: AnswerContext): Promise<VerifiedEnvelope> {
  const verified = await verifySignedAnswer(response, context);
  if (context.signed && response.status >= 200 && response.status < 300) {
    if (!verified.receipt)
      throw new ResponseSignatureInvalid(`The ${response.status} answer to ${context.method} ${context.path} carries no receipt (rcpt) for the signed request`);
    checkReceipt(verified.receipt, context.signed);
  }
  return verified;
}

async function verifySignedAnswer(response: TransportResponse, context: AnswerContext): Promise<VerifiedEnvelope> {
  const jws = response.headers[SIGNATURE_HEADER];
  try {
    return await verifyEnvelope(typeof jws === 'string' ? jws : undefined, response.body, {
      issuer: context.gateway.party,
      audience: context.me,
      method: context.method,
      path: context.path,
      apiVersion: apiVersionFor(context.path),
      certificate: { thumbprint: context.gateway.thumbprint, chain: [context.gateway.certificate] },
      kind: 'response',
      status: response.status,
    });
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    throw new ResponseSignatureInvalid(
      `The response to ${context.method} ${context.path} is not signed by ${context.gateway.party} as it must be: ${error.message}`,
      { cause: error },
    );
  }
}
