import { MutualTlsTransport, type ClientCredentials, type Transport, type TransportRequest, type TransportResponse } from '../../client/transport.ts';

/** Mutual TLS that keeps the last raw answer: a report shows it even when the client refuses the answer (unsigned, wrongly addressed). */
export class RecordingTransport implements Transport {
  last: TransportResponse | undefined;
  private readonly inner: Transport;

  constructor(baseUrl: string, credentials: ClientCredentials) {
    this.inner = new MutualTlsTransport(baseUrl, credentials);
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    this.last = undefined;
    this.last = await this.inner.send(request);
    return this.last;
  }

  serverCertificate(): Promise<string> {
    return this.inner.serverCertificate();
  }

  close(): void {
    this.inner.close();
  }
}
