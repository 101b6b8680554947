import { MutualTlsTransport, type ClientCredentials } from '../transport.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/**
 * A party's plain HTTPS client for tests: its own certificate over client/'s
 * mutual-TLS transport, nothing signed and nothing verified, as an OpenADR
 * VEN that knows nothing of flexgate's envelope would call.
 */
export class MtlsClient {
  private readonly transport: MutualTlsTransport;

  constructor(
    readonly urn: string,
    credentials: ClientCredentials,
    readonly origin: string,
  ) {
    this.transport = new MutualTlsTransport(origin, credentials);
  }

  async request(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<HttpAnswer> {
    const response = await this.transport.send({
      method,
      url: new URL(path, this.origin),
      headers: { 'user-agent': `flexgate-test-ven/${this.urn}`, ...options.headers },
      body: Buffer.from(options.body ?? ''),
    });
    const text = response.body.toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  close(): void {
    this.transport.close();
  }
}
