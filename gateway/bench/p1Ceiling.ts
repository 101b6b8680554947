import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { DEV_GATEWAY_URN, loadTlsCredentials } from '../../certs/index.ts';
import { apiVersionFor, receiptFor, signEnvelope, signerFromCredentials, verifyEnvelope } from '../../protocol/envelope/index.ts';
import { SIGNATURE_HEADER } from '../../schemas/envelope.ts';
import { timeOrderedUuid } from '../../protocol/identity/timeOrderedUuid.ts';
import type { VerifiedEnvelope } from '../../protocol/envelope/index.ts';
import { getDocument, insertDocument } from '../store/anmDocuments.ts';
import { appendJournal } from '../store/journal.ts';
import type { Store } from '../store/store.ts';
import { connectionIdentity } from '../trust/caller.ts';
import { OutboundSequences } from '../trust/outboundSequences.ts';
import { admitEnvelope } from '../trust/replayGuard.ts';
import { tenEntryMeritOrderList } from './p1Load.ts';

/**
 * What P1's load could reach on this machine at best: a bare Node HTTPS
 * server with the gateway's certificate that does only what every signed
 * exchange needs (mutual TLS, the request's envelope verified against the
 * client certificate, the response signed with a receipt), with no framework
 * and no store. POST answers 201 with an id, GET the ten-entry list. It runs
 * in the bench runner's process, which is idle while the load runs.
 *
 * Given a store, it also does the gateway's durable work for each request
 * and nothing more: the envelope admitted (replay window, message id) in a
 * group transaction that, for a POST, also journals the request and stores
 * it as a document, and for a GET reads the document back; each answer waits
 * for its commit to be on disk, and is signed with sequence numbers reserved
 * in blocks. What is left between it and the gateway is the gateway's own:
 * framework, middleware, decoding, reactions, idempotency records.
 */
export interface CeilingServer {
  url: string;
  close(): Promise<void>;
}

export async function startCeilingServer(pkiDir: string, store?: Store): Promise<CeilingServer> {
  const credentials = await loadTlsCredentials(pkiDir, DEV_GATEWAY_URN);
  const signer = signerFromCredentials(credentials);
  const listBody = Buffer.from(tenEntryMeritOrderList());
  const created = Buffer.from(JSON.stringify({ id: 'ceiling-1' }));
  let sequence = 0;
  const sequences = store && new OutboundSequences(store.db, signer.issuer);
  const nextSequence = async (audience: string) => (sequences ? sequences.next(audience) : String(++sequence));
  const answer = async (request: VerifiedEnvelope, method: string, path: string, body: Buffer): Promise<[number, Buffer]> => {
    if (!store) return method === 'POST' ? [201, created] : [200, listBody];
    return method === 'POST' ? storeDocument(store, request, path, body) : [200, await readDocument(store, request, path)];
  };
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
        const body = Buffer.concat(chunks);
        verifyEnvelope(typeof header === 'string' ? header : undefined, body, {
          issuer: peer.party.urn,
          audience: signer.issuer,
          method,
          path,
          apiVersion,
          certificate: { thumbprint: peer.certificateThumbprint, chain: peer.certificateChain },
          kind: 'request',
        })
          .then(async (request) => {
            const [status, answered] = await answer(request, method, path, body);
            const claims = {
              audience: peer.party.urn,
              sequence: await nextSequence(peer.party.urn),
              method,
              path,
              apiVersion,
              status,
              receipt: receiptFor(request),
            };
            const jws = await signEnvelope(signer, claims, answered);
            res.writeHead(status, { 'content-type': 'application/json', 'content-length': answered.length, [SIGNATURE_HEADER]: jws });
            res.end(answered);
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

/** A POST's durable work: admitted, journalled and stored in one (group) transaction. */
async function storeDocument(store: Store, request: VerifiedEnvelope, path: string, body: Buffer): Promise<[number, Buffer]> {
  const id = timeOrderedUuid();
  await store.transaction(async (tx) => {
    await admitEnvelope(tx, request);
    const receivedAt = new Date().toISOString();
    await appendJournal(tx, {
      id,
      receivedAt,
      method: 'POST',
      path,
      contentType: 'application/json',
      body,
      sha256: Buffer.from(request.bodySha256, 'base64url').toString('hex'),
      userAgent: null,
      derived: [],
      sender: request.issuer,
      jws: request.jws,
      certificateChain: request.certificateChain,
      verification: null,
    });
    await insertDocument(tx, { id, kind: 'merit-order-list', acceptedAt: receivedAt, journalId: id, body: body.toString('utf8') });
  });
  return [201, Buffer.from(JSON.stringify({ id }))];
}

/** A GET's: admitted, and the document read, in one transaction. */
async function readDocument(store: Store, request: VerifiedEnvelope, path: string): Promise<Buffer> {
  const id = decodeURIComponent(path.split('/').pop() ?? '');
  const stored = await store.transaction(async (tx) => {
    await admitEnvelope(tx, request);
    return getDocument(tx, 'merit-order-list', id);
  });
  if (!stored) throw new Error(`no document ${id}`);
  return Buffer.from(stored.body);
}
