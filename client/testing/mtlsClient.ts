import https from 'node:https';
import type { ClientCredentials } from '../transport.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** A party's HTTPS client: its own certificate, a new TLS connection per request. */
export class MtlsClient {
  constructor(
    readonly urn: string,
    private readonly credentials: ClientCredentials,
    private readonly origin: string,
  ) {}

  request(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<HttpAnswer> {
    const url = new URL(path, this.origin);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          cert: this.credentials.cert,
          key: this.credentials.key,
          ca: this.credentials.ca,
          agent: false,
          headers: { 'user-agent': `flexgate-test-ven/${this.urn}`, ...options.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }
}
