import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { createServer as createTlsServer } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_GATEWAY_URN, ensureDevPki, loadTlsCredentials } from '../../certs/index.ts';
import { parseAnswer, requestHead, WireConnection } from './wireConnection.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('bench wire connection', () => {
  describe('parseAnswer', () => {
    it('reads a Content-Length answer and says how many bytes it took, leaving the next one', () => {
      const two = bytes('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\nX-JWS-Signature: a..b\r\n\r\n{}HTTP/1.1 200 OK\r\n');
      const parsed = parseAnswer(two);
      assert.ok(parsed);
      assert.equal(parsed.answer.status, 201);
      assert.equal(parsed.answer.headers['x-jws-signature'], 'a..b');
      assert.equal(parsed.answer.body.toString(), '{}');
      assert.equal(two.subarray(parsed.length).toString(), 'HTTP/1.1 200 OK\r\n');
    });

    it('waits for an incomplete head or body', () => {
      assert.equal(parseAnswer(bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n')), undefined);
      assert.equal(parseAnswer(bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc')), undefined);
    });

    it('reads a chunked body with extensions and trailers', () => {
      const chunked = bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\nNEXT');
      const parsed = parseAnswer(chunked);
      assert.ok(parsed);
      assert.equal(parsed.answer.body.toString(), 'abcde');
      assert.equal(chunked.subarray(parsed.length).toString(), 'NEXT');
      assert.equal(parseAnswer(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n')), undefined);
    });

    it('refuses what is not an HTTP/1.1 answer, or one whose end it cannot tell', () => {
      assert.throws(() => parseAnswer(bytes('SSH-2.0-OpenSSH\r\n\r\n')), /not an HTTP\/1.1 status line/);
      assert.throws(() => parseAnswer(bytes('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')), /not an HTTP\/1.1 status line/);
      assert.throws(() => parseAnswer(bytes('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')), /invalid content-length/);
      assert.throws(() => parseAnswer(bytes('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody until close')), /neither Content-Length nor chunked/);
      assert.throws(() => parseAnswer(Buffer.alloc(70 * 1024, 'a')), /answer head longer than/);
    });

    it('takes an answer that has no body by its status, and joins a repeated header as Node does', () => {
      assert.equal(parseAnswer(bytes('HTTP/1.1 204 No Content\r\n\r\n'))?.answer.body.length, 0);
      const twice = parseAnswer(bytes('HTTP/1.1 200 OK\r\nX-JWS-Signature: a..b\r\nx-jws-signature: c..d\r\nContent-Length: 0\r\n\r\n'));
      assert.equal(twice?.answer.headers['x-jws-signature'], 'a..b, c..d');
    });
  });

  describe('over mutual TLS', function () {
    this.timeout(30_000);
    let root: string;
    before(() => (root = mkdtempSync(join(tmpdir(), 'flexgate-wire-'))));
    after(() => rmSync(root, { recursive: true, force: true }));

    it('sends several requests on one kept-alive connection and reads each answer', async () => {
      const pkiDir = join(root, 'pki');
      await ensureDevPki(pkiDir);
      const server = await loadTlsCredentials(pkiDir, DEV_GATEWAY_URN);
      const seen: { method: string; url: string; body: string; remote: number }[] = [];
      const https = createServer({ cert: server.cert, key: server.key, ca: server.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          seen.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString(), remote: req.socket.remotePort! });
          res.end(`answer ${seen.length}`);
        });
      });
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      try {
        const url = new URL(`https://127.0.0.1:${(https.address() as { port: number }).port}`);
        const client = await loadTlsCredentials(pkiDir, 'urn:flexgate:anm:anm-dev');
        const connection = await WireConnection.open(url, client);
        try {
          const hello = Buffer.from('hello');
          const first = await connection.exchange(requestHead(url, 'POST', '/one', { 'content-type': 'text/plain' }, hello.length), hello);
          const second = await connection.exchange(requestHead(url, 'GET', '/two', {}, 0), Buffer.alloc(0));
          assert.deepEqual([first.status, first.body.toString(), second.status, second.body.toString()], [200, 'answer 1', 200, 'answer 2']);
          assert.deepEqual(
            seen.map(({ method, url: path, body }) => [method, path, body]),
            [
              ['POST', '/one', 'hello'],
              ['GET', '/two', ''],
            ],
          );
          assert.equal(seen[0]!.remote, seen[1]!.remote, 'both requests on one connection');
        } finally {
          connection.close();
        }
      } finally {
        https.closeAllConnections();
        await new Promise((resolve) => https.close(resolve));
      }
    });

    it('gives up a connection whose server sends more than the answer, before another request is spent on it', async () => {
      const pkiDir = join(root, 'pki');
      await ensureDevPki(pkiDir);
      const server = await loadTlsCredentials(pkiDir, DEV_GATEWAY_URN);
      const tls = createTlsServer({ cert: server.cert, key: server.key, ca: server.ca, requestCert: true, rejectUnauthorized: true }, (socket) =>
        socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n')),
      );
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      try {
        const url = new URL(`https://127.0.0.1:${(tls.address() as { port: number }).port}`);
        const connection = await WireConnection.open(url, await loadTlsCredentials(pkiDir, 'urn:flexgate:anm:anm-dev'));
        try {
          const answer = await connection.exchange(requestHead(url, 'GET', '/', {}, 0), Buffer.alloc(0));
          assert.equal(answer.body.toString(), 'ok');
          assert.equal(connection.usable, false);
          await assert.rejects(connection.exchange(requestHead(url, 'GET', '/', {}, 0), Buffer.alloc(0)), /bytes after the answer/);
        } finally {
          connection.close();
        }
      } finally {
        await new Promise((resolve) => tls.close(resolve));
      }
    });
  });
});
