import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { DEV_GATEWAY_URN, loadTlsCredentials } from '../../certs/index.ts';
import { apiVersionFor, receiptFor, signEnvelope, signerFromCredentials, verifyEnvelope } from '../../protocol/envelope/index.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { connectionIdentity } from '../trust/caller.ts';
import { tenEntryMeritOrderList } from './p1Load.ts';

/**
 * What P1's load could reach on this machine at best: a bare Node HTTPS
 * server with the gateway's certificate that does only what every signed
 * exchange needs (mutual TLS, the request's envelope verified against the
 * client certificate, the response signed with a receipt), with no framework
 * and no store. POST answers 201 with an id, GET the ten-entry list. It runs
 * in the bench runner's process, which is idle while the load runs.
 */
export interface CeilingServer {
  url: string;
  close(): Promise<void>;
}

export async function startCeilingServer(pkiDir: string): Promise<CeilingServer> {
  const credentials = await loadTlsCredentials(pkiDir, DEV_GATEWAY_URN);
  const signer = signerFromCredentials(credentials);
  const listBody = Buffer.from(tenEntryMeritOrderList());
  const created = Buffer.from(JSON.stringify({ id: 'ceiling-1' }));
  let sequence = 0;
  const server: Server = createServer(
    { cert: credentials.cert, key: credentials.key, ca: credentials.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const method = req.method ?? 'GET';
        const path = req.url ?? '/';
        const apiVersion = apiVersionFor(path);
        // The caller as the gateway reads it: from the client certificate, once per connection.
        const peer = connectionIdentity(req.socket as TLSSocket);
        if (!peer) {
          res.writeHead(403, { 'content-type': 'text/plain' });
          res.end('ceiling server: the client certificate names no flexgate party');
          return;
        }
        const header = req.headers[SIGNATURE_HEADER];
        verifyEnvelope(typeof header === 'string' ? header : undefined, Buffer.concat(chunks), {
          issuer: peer.party.urn,
          audience: signer.issuer,
          method,
          path,
          apiVersion,
          certificate: { thumbprint: peer.certificateThumbprint, chain: peer.certificateChain },
          kind: 'request',
        })
          .then(async (request) => {
            const [status, body] = method === 'POST' ? [201, created] : [200, listBody];
            const claims = {
              audience: peer.party.urn,
              sequence: String(++sequence),
              method,
              path,
              apiVersion,
              status,
              receipt: receiptFor(request),
            };
            const jws = await signEnvelope(signer, claims, body);
            res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, [SIGNATURE_HEADER]: jws });
            res.end(body);
          })
          .catch((error: unknown) => {
            res.writeHead(400, { 'content-type': 'text/plain' });
            res.end(`ceiling server: ${(error as Error).message}`);
          });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
